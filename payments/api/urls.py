"""/api/v1/payout-runs/… (included by rehab/api/urls.py)."""

from django.urls import path

from . import funds, views

urlpatterns = [
    path("payout-runs/", views.RunList.as_view(), name="run-list"),
    path("payout-runs/<int:pk>/", views.RunDetail.as_view(), name="run-detail"),
    path("payout-runs/<int:pk>/approve/", views.ApproveAction.as_view(), name="run-approve"),
    path("payout-runs/<int:pk>/exports/", views.ExportAction.as_view(), name="run-exports"),
    path(
        "payout-runs/<int:pk>/exports/<int:export_id>/download/",
        views.ExportDownload.as_view(),
        name="run-export-download",
    ),
    path("funds/<str:region>/<int:year>/", funds.FundsDetail.as_view(), name="funds"),
    path("units/<int:pk>/allotments/", funds.UnitAllotments.as_view(), name="unit-allotments"),
]
