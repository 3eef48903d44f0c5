"""API throttling: one class, three scopes, counted per caller in the shared cache.

- scope: the view's `throttle_scope` when it has one ("open" for the open statistics),
  otherwise "write" for POST/PUT/PATCH/DELETE and "read" for the rest;
- caller: the API key (each key its own budget, even two keys of one service user),
  else the signed-in user, else the client's IP address (anonymous, e.g. the open
  statistics);
- rates: settings.API_THROTTLE_RATES, read on every request (tests change them).

Over the rate DRF raises Throttled; rehab.api.errors turns it into a 429 in the API's
error shape with a Retry-After header."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from rehab.accounts.lockout import client_ip
from rehab.models import ApiToken


class ApiRateThrottle(SimpleRateThrottle):
    cache_format = "throttle:%(scope)s:%(ident)s"

    def __init__(self) -> None:  # the rate depends on the request: see allow_request
        pass

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Request, view: Any) -> bool:
        self.scope = getattr(view, "throttle_scope", None) or (
            "read" if request.method in SAFE_METHODS else "write"
        )
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"key{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user{request.user.pk}"
        else:
            ident = f"ip{client_ip(request._request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
