"""Reporting pages (region overview, report form, upload, FK inbox and review)."""

from django.urls import path  # noqa: F401

app_name = "reporting"

urlpatterns: list = []
