"""Headers on every response: a strict Content-Security-Policy (no inline scripts or
styles), and no caching of anything shown to a signed-in user or an API key."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date

# What add_never_cache_headers gives a response without caching headers of its own.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class NoStoreWhenSignedInMiddleware:
    """`Cache-Control: no-store` (and friends) on every response to a signed-in user or
    API key: reports, payment files and decisions must not stay in a browser's or a
    proxy's cache. Public pages (statistics, login) keep their own headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # DRF puts the key's user on the request too, so API responses are covered.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if "Cache-Control" in response or "Expires" in response:
                add_never_cache_headers(response)  # merged with what the view set
            else:  # the same headers, without parsing an empty Cache-Control
                response.headers["Expires"] = http_date()
                response.headers["Cache-Control"] = NEVER_CACHE
        return response
