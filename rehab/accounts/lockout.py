"""What django-axes calls when a username is locked out from an address
(settings.AXES_LOCKOUT_CALLABLE, AXES_CLIENT_IP_CALLABLE)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

logger = logging.getLogger("rehab.security")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies
    the address the outermost trusted proxy appended to X-Forwarded-For."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_message(*, username: str, ip_address: str | None) -> str:
    cool_off = get_cool_off()
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 15
    last = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    until = (last or timezone.now()) + (cool_off or datetime.timedelta(minutes=minutes))
    return _(
        "För många misslyckade inloggningar. Användarnamnet är spärrat från din adress "
        "i %(minutes)s minuter, till kl. %(until)s. Försök igen då, eller be en "
        "administratör häva spärren."
    ) % {"minutes": minutes, "until": time_format(timezone.localtime(until), "H:i")}


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The login page again, with the lockout message instead of the usual error
    (status 429). Used for the login form and the admin's login alike."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    ip_address = client_ip(request)
    logger.warning("login locked out: username=%r ip=%s", username, ip_address)
    from .oidc import oidc_configured

    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "registration/login.html",
        {
            "form": form,
            "locked_out": lockout_message(username=username, ip_address=ip_address),
            "oidc_enabled": oidc_configured(),
            "next": request.POST.get("next", request.GET.get("next", "")),
        },
        status=429,
    )


def not_a_password_sign_in(request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
    """AXES_WHITELIST_CALLABLE: an attempt without a username (the IdP's callback) is
    not counted or locked; the IdP does its own lockout."""
    return "username" not in (credentials or {})
