"""/api/v1/reports/…, /api/v1/units/… and /api/v1/accounts/… (included by
rehab/api/urls.py)."""

from django.urls import path

from . import accounts, units, views

urlpatterns = [
    path("reports/", views.ReportList.as_view(), name="report-list"),
    path("reports/<int:pk>/", views.ReportDetail.as_view(), name="report-detail"),
    path(
        "reports/<int:pk>/versions/<int:number>/",
        views.VersionDetail.as_view(),
        name="report-version",
    ),
    path("reports/<int:pk>/draft/", views.DraftDetail.as_view(), name="report-draft"),
    path("reports/<int:pk>/validate/", views.ValidateAction.as_view(), name="report-validate"),
    path("reports/<int:pk>/submit/", views.SubmitAction.as_view(), name="report-submit"),
    path("reports/<int:pk>/accept/", views.AcceptAction.as_view(), name="report-accept"),
    path("reports/<int:pk>/return/", views.ReturnAction.as_view(), name="report-return"),
    path(
        "reports/<int:pk>/corrections/",
        views.CorrectionAction.as_view(),
        name="report-corrections",
    ),
]

urlpatterns += [
    path("units/", units.UnitList.as_view(), name="unit-list"),
    path(
        "units/<int:pk>/figures/<int:period>/",
        units.UnitFiguresDetail.as_view(),
        name="unit-figures",
    ),
    path(
        "units/<int:pk>/figures/<int:period>/file/",
        units.UnitFileUpload.as_view(),
        name="unit-figures-file",
    ),
    path(
        "units/<int:pk>/figures/<int:period>/ready/",
        units.UnitReadyAction.as_view(),
        name="unit-ready",
    ),
]

urlpatterns += [
    path("accounts/", accounts.AccountList.as_view(), name="account-list"),
    path("accounts/<int:pk>/", accounts.AccountDetail.as_view(), name="account-detail"),
    path(
        "accounts/<int:pk>/versions/<int:number>/",
        accounts.AccountVersionDetail.as_view(),
        name="account-version",
    ),
    path("accounts/<int:pk>/draft/", accounts.AccountDraftDetail.as_view(), name="account-draft"),
    path(
        "accounts/<int:pk>/submit/", accounts.AccountSubmitAction.as_view(), name="account-submit"
    ),
    path(
        "accounts/<int:pk>/assess/", accounts.AccountAssessAction.as_view(), name="account-assess"
    ),
    path(
        "accounts/<int:pk>/attachments/",
        accounts.AccountAttachmentList.as_view(),
        name="account-attachments",
    ),
    path(
        "accounts/<int:pk>/attachments/<int:attachment>/",
        accounts.AccountAttachmentDownload.as_view(),
        name="account-attachment",
    ),
]
