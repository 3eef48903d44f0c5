"""Rehab: the Django project package and the shared domain (regions, agreements, roles)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
