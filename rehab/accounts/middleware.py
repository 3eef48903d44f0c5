"""Middleware of signing in: the session timeouts and the second factor.

SessionTimeoutMiddleware signs out a session that has been idle 30 minutes or is
10 hours old; the request then goes on signed out (a page that needs a user sends to
the login page with `next`, so signing in again returns there); htmx gets
HX-Redirect, the API a 401 session_expired in its error shape.

MfaMiddleware sends a password-signed-in user who must use a second factor, or has
set one up, to set it up or type a code before any other page (the API answers 403
mfa_required). Pages that signing in itself needs are exempt."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from rehab.api.errors import error_body

from . import mfa
from .sessions import session_expired, session_touch

EXEMPT_PREFIXES = (
    "/konto/logga-in/",
    "/konto/logga-ut/",
    "/konto/tvastegsverifiering/",
    "/konto/session/",
    "/konto/okand-anvandare/",
    "/konto/aterstall-losenord/",
    "/oidc/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/favicon.ico",
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _with_next(request: HttpRequest, name: str) -> str:
    target = request.get_full_path() if request.method == "GET" else request.path
    if getattr(request, "htmx", False):
        target = request.headers.get("HX-Current-URL", "") or target
    return reverse(name) + "?" + urlencode({"next": target})


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._session_path: str | None = None

    def session_path(self) -> str:
        """The timer's address, looked up once (every request compares against it)."""
        if self._session_path is None:
            self._session_path = reverse("accounts:session")
        return self._session_path

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reason = session_expired(request)
        if reason is not None:
            url = _with_next(request, "login")
            logout(request)
            if request.path == self.session_path():
                return self.get_response(request)  # the timer learns it from the answer
            message = (
                _(
                    "Du loggades ut efter %(minutes)s minuter utan aktivitet. "
                    "Logga in igen för att fortsätta."
                )
                % {"minutes": max(1, settings.SESSION_IDLE_TIMEOUT // 60)}
                if reason == "idle"
                else _(
                    "Du loggades ut eftersom du varit inloggad i %(hours)s timmar. Logga in igen."
                )
                % {"hours": max(1, settings.SESSION_ABSOLUTE_TIMEOUT // 3600)}
            )
            if _is_api(request):
                return JsonResponse(error_body("session_expired", message), status=401)
            messages.info(request, message)
            if getattr(request, "htmx", False):
                return _redirect(request, url)
            # A page goes on signed out: a page that needs a user sends to the login
            # page with `next` (and keeps what a POST carried, where the view does so).
            return self.get_response(request)
        if request.path != self.session_path():
            session_touch(request)
        elif request.method == "POST":  # "Fortsätt vara inloggad"; a GET only asks
            session_touch(request, force=True)
        return self.get_response(request)


class MfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        needed = None if request.path.startswith(EXEMPT_PREFIXES) else mfa.mfa_needed(request)
        if needed is not None:
            if _is_api(request):
                return JsonResponse(
                    error_body(
                        "mfa_required",
                        _("Ange koden för tvåstegsverifiering i webbläsaren först."),
                    ),
                    status=403,
                )
            name = "accounts:mfa_verify" if needed == "verify" else "accounts:mfa_setup"
            return _redirect(request, _with_next(request, name))
        return self.get_response(request)
