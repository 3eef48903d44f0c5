"""Reporting pages (region overview, report form, upload, FK inbox and review).
Included at /rapporter/; paths are Swedish like the interface."""

from django.urls import path

from . import views
from .accounts.urls import urlpatterns as account_urlpatterns

app_name = "reporting"

report = "<str:region>/<int:year>/<int:quarter>/"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("inkorg/", views.inbox, name="inbox"),
    path("region/<str:region>/", views.region_overview, name="region_overview"),
    path(report, views.report, name="report"),
    path(report + "versioner/", views.history, name="history"),
    path(report + "versioner/<int:number>/", views.version, name="version"),
    path(report + "versioner/<int:number>/jamfor/", views.compare, name="compare"),
    path(report + "rattelse/", views.correction, name="correction"),
    path(report + "granska/", views.review, name="review"),
    path(report + "mall.<str:fmt>", views.template_download, name="template"),
    path(report + "ladda-upp/", views.upload, name="upload"),
    path(report + "ladda-upp/forhandsgranska/", views.upload_preview, name="upload_preview"),
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
