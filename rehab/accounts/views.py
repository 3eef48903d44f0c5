"""The account pages: two-step verification (set up, verify, recovery codes), the
user's own account page, password change, and what the session timer asks."""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rehab.dataversion import CSRF_PLACEHOLDER
from rehab.enums import Role

from . import mfa, oidc


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Kod"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def safe_next(request: HttpRequest, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then type the
    code the app shows. The device is kept unconfirmed until the code matches."""
    if mfa.has_mfa(request.user) and not mfa.session_verified(request):
        return redirect(reverse("accounts:mfa_verify") + "?next=" + safe_next(request))
    device = mfa.totp_device(request.user, confirmed=False)
    if device is None or request.method == "GET":
        device = mfa.mfa_setup_start(user=request.user)  # type: ignore[arg-type]
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.mfa_setup_confirm(
                request=request, device=device, token=form.cleaned_data["code"]
            )
        except mfa.MfaError as error:
            form.add_error("code", error.message)
        else:
            request.session["mfa_new_codes"] = codes
            messages.success(request, _("Tvåstegsverifieringen är påslagen."))
            return redirect(reverse("accounts:mfa_codes") + "?next=" + safe_next(request))
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "secret": mfa.secret_base32(device),
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2),
            "required": mfa.mfa_required(request.user),
            "next": safe_next(request),
        },
    )


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Second step of a password sign-in: a code from the app, or a recovery code."""
    if not mfa.has_mfa(request.user):
        return redirect(reverse("accounts:mfa_setup") + "?next=" + safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.mfa_verify(request=request, token=form.cleaned_data["code"]):
            return redirect(safe_next(request))
        form.add_error(
            "code",
            _("Koden stämmer inte eller är redan använd. Skriv koden som visas i appen nu."),
        )
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": safe_next(request)})


@login_required
def mfa_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes: shown once, right after they were made (POST makes new ones)."""
    if request.method == "POST":
        if not mfa.has_mfa(request.user):
            return redirect("accounts:account")
        request.session["mfa_new_codes"] = mfa.mfa_recovery_codes_renew(
            user=request.user  # type: ignore[arg-type]
        )
        return redirect("accounts:mfa_codes")
    codes = request.session.pop("mfa_new_codes", None)
    if not codes:
        return redirect("accounts:account")
    return render(request, "accounts/mfa_codes.html", {"codes": codes, "next": safe_next(request)})


@login_required
@require_POST
def mfa_remove(request: HttpRequest) -> HttpResponse:
    try:
        mfa.mfa_remove(request=request, user=request.user)  # type: ignore[arg-type]
    except mfa.MfaError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Tvåstegsverifieringen är avstängd."))
    return redirect("accounts:account")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The user's own account: how they sign in, password, two-step verification."""
    user: Any = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "has_mfa": mfa.has_mfa(user),
            "mfa_required": mfa.mfa_required(user),
            "via_idp": mfa.signed_in_with_idp(request),
            "local_password": user.has_usable_password(),
            "recovery_codes_left": mfa.recovery_codes_left(user),
        },
    )


def session_status(request: HttpRequest) -> JsonResponse:
    """For the page's session timer (static/js/session-timeout.js): how many seconds
    are left before the idle timeout. GET only reads; POST counts as activity (the
    "Fortsätt vara inloggad" button)."""
    from .sessions import seconds_left

    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False, "seconds_left": 0})
    return JsonResponse(
        {
            "authenticated": True,
            "seconds_left": seconds_left(request),
            "idle_timeout": settings.SESSION_IDLE_TIMEOUT,
        }
    )


class PasswordSignInForm(AuthenticationForm):
    """The password form. With OIDC on and OIDC_LOCAL_LOGIN="admins", only
    administrators (break-glass accounts) may use it; everyone else signs in with SITHS."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if (
            oidc.oidc_configured()
            and settings.OIDC_LOCAL_LOGIN != "all"
            and not (user.role == Role.ADMINISTRATOR or user.is_superuser)
        ):
            raise forms.ValidationError(
                _("Logga in med SITHS. Lösenord används bara för administratörernas nödkonton."),
                code="use_siths",
            )


# {(language, OIDC configured): the plain sign-in page with CSRF_PLACEHOLDER}
_PLAIN_LOGIN_PAGES: dict[tuple[str | None, bool], str] = {}


class LoginView(auth_views.LoginView):
    """The login page: "Logga in med SITHS" when OIDC is configured (the password form
    folded away for break-glass accounts), the password form otherwise."""

    authentication_form = PasswordSignInForm
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The plain sign-in page (no query string, no message to show) is the same
        for every visitor but for the CSRF token: rendered once per process, language
        and sign-in method with a placeholder, the visitor's token put in per request
        (issue #12: the page every visitor without a session gets)."""
        if request.GET or len(messages.get_messages(request)):
            return super().get(request, *args, **kwargs)
        key = (get_language(), oidc.oidc_configured())
        page = _PLAIN_LOGIN_PAGES.get(key)
        if page is None:
            context = {**self.get_context_data(), "csrf_token": CSRF_PLACEHOLDER}
            page = render_to_string(self.get_template_names(), context, request)
            _PLAIN_LOGIN_PAGES[key] = page
        return HttpResponse(page.replace(CSRF_PLACEHOLDER, get_token(request)))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = oidc.oidc_configured()
        context["password_open"] = bool(self.request.GET.get("losenord")) or (
            self.request.method == "POST"
        )
        return context


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out; after an IdP sign-in the IdP's session ends too (RP-initiated logout)."""
    provider_url = oidc.provider_logout_url(request)
    auth_logout(request)
    if provider_url:
        # On to the IdP by a page of ours: the CSP's form-action 'self' forbids a form
        # post to redirect to another origin; a meta refresh (and the link) may go there.
        return render(request, "accounts/logged_out.html", {"provider_url": provider_url})
    return redirect("login")


def oidc_refused(request: HttpRequest) -> HttpResponse:
    """Where the IdP sign-in ends when it did not lead to a user (LOGIN_REDIRECT_URL_FAILURE)."""
    refused = request.session.get(oidc.REFUSED_SESSION_KEY)
    return render(
        request,
        "accounts/oidc_refused.html",
        {"refused": refused, "contact": settings.OIDC_ACCESS_CONTACT},
    )
