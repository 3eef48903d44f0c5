"""Top-level URLs. Paths are Swedish, like the interface."""

from typing import Any

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from . import unit_views, views
from .accounts import views as account_views
from .accounts.forms import QueuedPasswordResetForm

admin.site.site_header = _("Rehab – administration")
admin.site.site_title = _("Rehab")
admin.site.index_title = _("Regioner, överenskommelser och användare")


class FaviconRedirect(RedirectView):
    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        return static("favicon.svg")


urlpatterns = [
    path("", views.home, name="home"),
    path("konto/logga-in/", account_views.LoginView.as_view(), name="login"),
    path("konto/logga-ut/", account_views.logout_view, name="logout"),
    path(
        "konto/aterstall-losenord/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path(
        "konto/aterstall-losenord/skickat/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "konto/aterstall-losenord/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/aterstall-losenord/klart/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("konto/", include("rehab.accounts.urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    # The URL is looked up per request: at import time it would need the collected
    # static files' manifest, and `check --deploy` crashes without it.
    path("favicon.ico", FaviconRedirect.as_view(permanent=True)),
    path("admin/", admin.site.urls),
    path("enheter/<str:region>/", unit_views.care_units, name="care_units"),
    path("enheter/<str:region>/ny/", unit_views.care_unit_edit, name="care_unit_add"),
    path("enheter/<str:region>/<int:pk>/andra/", unit_views.care_unit_edit, name="care_unit_edit"),
    path("enheter/<str:region>/las-in/", unit_views.care_units_upload, name="care_units_upload"),
    path("enheter/<str:region>/insamling/", unit_views.unit_collection, name="unit_collection"),
    path("rapporter/", include("reporting.urls")),
    path("utbetalningar/", include("payments.urls")),
    path("statistik/", include("followup.urls")),
    path("api/v1/", include("rehab.api.urls")),
]

handler400 = "rehab.views.bad_request"
handler500 = "rehab.views.server_error"
