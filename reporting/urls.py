"""Reporting pages (region overview, report form, upload, FK inbox and review).
Included at /rapporter/; paths are Swedish like the interface."""

from django.urls import path

from . import views

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
