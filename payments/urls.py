"""Payout pages (runs, approval, exports, region payouts), mounted at /utbetalningar/."""

from django.urls import path

from . import condition_views, funds_views, views

app_name = "payments"

urlpatterns = [
    path("", views.runs, name="runs"),
    path("starta/", views.run_start, name="run_start"),
    path("korningar/<int:pk>/", views.run_detail, name="run"),
    path("korningar/<int:pk>/status/", views.run_status, name="run_status"),
    path("korningar/<int:pk>/attestera/", views.run_approve, name="run_approve"),
    path("korningar/<int:pk>/forsok-igen/", views.run_retry, name="run_retry"),
    path("korningar/<int:pk>/rakna-om/", views.run_recalculate, name="run_recalculate"),
    path("korningar/<int:pk>/exportera/", views.run_export, name="run_export"),
    path("korningar/<int:pk>/beslut/<str:region>/", views.decision, name="decision"),
    path("exporter/<int:pk>/", views.export_download, name="export_download"),
    path("region/", views.region_payouts, name="region_payouts"),
    path("forhandsvisning/<int:version_id>/", views.preview, name="preview"),
    path("medel/enhet/<int:unit>/", funds_views.unit_funds, name="unit_funds"),
    path("medel/<str:region>/<int:year>/", funds_views.funds, name="funds"),
    path("villkor/", condition_views.conditions_home, name="conditions"),
    path("villkor/<int:year>/", condition_views.conditions_year, name="conditions_year"),
    path(
        "villkor/<int:year>/<str:code>/korning/",
        condition_views.condition_run,
        name="condition_run",
    ),
    path(
        "villkor/region/<str:region>/<int:year>/",
        condition_views.conditions_region,
        name="conditions_region",
    ),
]
