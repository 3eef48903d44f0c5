"""Statistics pages (the yearly national report, charts, exports)."""

from django.urls import path  # noqa: F401

app_name = "statistics"

urlpatterns: list = []
