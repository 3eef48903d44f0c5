"""/konto/…: the user's own account, two-step verification, password, session."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("tvastegsverifiering/", views.mfa_verify, name="mfa_verify"),
    path("tvastegsverifiering/ny/", views.mfa_setup, name="mfa_setup"),
    path("tvastegsverifiering/reservkoder/", views.mfa_codes, name="mfa_codes"),
    path("tvastegsverifiering/stang-av/", views.mfa_remove, name="mfa_remove"),
    path("session/", views.session_status, name="session"),
    path("okand-anvandare/", views.oidc_refused, name="oidc_refused"),
    path(
        "losenord/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "losenord/klart/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
