"""Reporting pages (region overview, report form, upload, FK inbox and review).
Included at /rapporter/; paths are Swedish like the interface."""

from typing import Any

from django.urls import path

from . import views
from .accounts.urls import urlpatterns as account_urlpatterns

app_name = "reporting"

# A quarter's report ("2012Q3") at <region>/2012/3/, a yearly report ("2020") at
# <region>/2020/ (the views get quarter=None).
report = "<str:region>/<int:year>/<int:quarter>/"
yearly = "<str:region>/<int:year>/"
YEARLY = {"quarter": None}

REPORT_PAGES: list[tuple[str, Any, str]] = [
    ("", views.report, "report"),
    ("versioner/", views.history, "history"),
    ("versioner/<int:number>/", views.version, "version"),
    ("versioner/<int:number>/jamfor/", views.compare, "compare"),
    ("rattelse/", views.correction, "correction"),
    ("granska/", views.review, "review"),
    ("mall.<str:fmt>", views.template_download, "template"),
    ("ladda-upp/", views.upload, "upload"),
    ("ladda-upp/forhandsgranska/", views.upload_preview, "upload_preview"),
]

urlpatterns = [
    path("", views.overview, name="overview"),
    path("inkorg/", views.inbox, name="inbox"),
    path("region/<str:region>/", views.region_overview, name="region_overview"),
    *(path(report + suffix, view, name=name) for suffix, view, name in REPORT_PAGES),
    *(path(yearly + suffix, view, YEARLY, name=name) for suffix, view, name in REPORT_PAGES),
]

# Before the report's paths: "enheter/1/2/" would match "<region>/<year>/<quarter>/".
_unit_paths = [
    path("min-enhet/", views.my_unit, name="my_unit"),
    path("enheter/<int:unit>/", views.unit_page, name="unit_page"),
    path("enheter/<int:unit>/<int:period>/", views.unit_figures, name="unit_figures"),
    path("enheter/<int:unit>/<int:period>/klar/", views.unit_ready, name="unit_ready"),
    path("enheter/<int:unit>/<int:period>/ladda-upp/", views.unit_upload, name="unit_upload"),
    path("region/<str:region>/enheter/<int:period>/", views.unit_table, name="unit_table"),
    path(
        "region/<str:region>/enheter/<int:period>/enheter.xlsx",
        views.unit_table_xlsx,
        name="unit_table_xlsx",
    ),
]
urlpatterns = [*_unit_paths, *urlpatterns]
urlpatterns += account_urlpatterns
