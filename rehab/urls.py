"""Top-level URLs. Paths are Swedish, like the interface."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from . import views

admin.site.site_header = _("Rehab – administration")
admin.site.site_title = _("Rehab")
admin.site.index_title = _("Regioner, överenskommelser och användare")

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "konto/logga-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("rapporter/", include("reporting.urls")),
    path("utbetalningar/", include("payments.urls")),
    path("statistik/", include("followup.urls")),
    path("api/v1/", include("rehab.api.urls")),
]
