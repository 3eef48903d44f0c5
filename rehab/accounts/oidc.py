"""Sign-in with SITHS through the identity provider (OpenID Connect, mozilla-django-oidc).

The IdP says who the person is; Rehab's own users say what they may do. A person is
matched to an existing, active user by the HSA-id claim (settings.OIDC_HSA_ID_CLAIM),
or by e-mail where OIDC_MATCH_EMAIL is on, and gets that user's role and region.
Nobody is created from claims: a person without a user in Rehab is refused with a
page saying whom to contact. Signing out ends the IdP session too (RP-initiated
logout with the ID token as hint).

Configuration (settings, from the environment): OIDC_ISSUER (the endpoints are then
read from its /.well-known/openid-configuration) or the OIDC_OP_*_ENDPOINT settings
one by one; OIDC_RP_CLIENT_ID / OIDC_RP_CLIENT_SECRET; OIDC_RP_SCOPES; the claim
names. Without a client id OIDC is off and only the password form is shown.
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .backends import ModelBackend

logger = logging.getLogger("rehab.security")

REFUSED_SESSION_KEY = "rehab_oidc_refused"

# Endpoints that may come from the issuer's discovery document instead of a setting.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
_discovery: dict[str, dict[str, Any]] = {}
_discovery_lock = threading.Lock()


def oidc_configured() -> bool:
    return bool(
        settings.OIDC_RP_CLIENT_ID
        and (settings.OIDC_ISSUER or settings.OIDC_OP_AUTHORIZATION_ENDPOINT)
    )


def discovery_document(issuer: str) -> dict[str, Any]:
    """The issuer's /.well-known/openid-configuration, fetched once per process."""
    with _discovery_lock:
        if issuer not in _discovery:
            url = issuer.rstrip("/") + "/.well-known/openid-configuration"
            response = requests.get(
                url,
                timeout=getattr(settings, "OIDC_TIMEOUT", 10),
                verify=getattr(settings, "OIDC_VERIFY_SSL", True),
            )
            response.raise_for_status()
            _discovery[issuer] = response.json()
        return _discovery[issuer]


def oidc_setting(attr: str, *default: Any) -> Any:
    """A mozilla-django-oidc setting; an endpoint left empty comes from OIDC_ISSUER's
    discovery document."""
    value: Any = getattr(settings, attr) if hasattr(settings, attr) else ""
    if attr in DISCOVERED and not value and settings.OIDC_ISSUER:
        value = discovery_document(settings.OIDC_ISSUER).get(DISCOVERED[attr], "")
    if value in ("", None):
        if default:
            return default[0]
        return import_from_settings(attr, *default)  # raises ImproperlyConfigured
    return value


class OidcBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching people to existing users only."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.configured = oidc_configured()
        self.UserModel = get_user_model()
        if self.configured:
            super().__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    # The signed-in user of every request, read as for a password sign-in: an inactive
    # user is signed out (mozilla-django-oidc's own get_user did not ask).
    get_user = ModelBackend.get_user

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if not self.configured or "nonce" not in kwargs:
            return None  # a password sign-in, or OIDC off
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(
            claims.get(settings.OIDC_HSA_ID_CLAIM)
            or (settings.OIDC_MATCH_EMAIL and claims.get(settings.OIDC_EMAIL_CLAIM))
        )

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[Any]:
        users = self.UserModel.objects.filter(is_active=True)
        hsa_id = str(claims.get(settings.OIDC_HSA_ID_CLAIM) or "").strip()
        if hsa_id:
            matched = users.filter(hsa_id__iexact=hsa_id)
            if matched.exists():
                return matched
        email = str(claims.get(settings.OIDC_EMAIL_CLAIM) or "").strip()
        if settings.OIDC_MATCH_EMAIL and email:
            matched = users.filter(email__iexact=email)
            if matched.exists():
                return matched
        self.request.session[REFUSED_SESSION_KEY] = {
            "name": str(claims.get("name") or "").strip(),
            "hsa_id": hsa_id,
            "email": email,
        }
        logger.warning(
            "OIDC sign-in refused: no user with HSA-id %r%s",
            hsa_id,
            f" or e-mail {email!r}" if settings.OIDC_MATCH_EMAIL else "",
        )
        return self.UserModel.objects.none()

    def create_user(self, claims: dict[str, Any]) -> Any:
        raise ImproperlyConfigured("Rehab never creates users from OIDC claims.")

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        """The role and region are Rehab's own: nothing is taken from the claims."""
        self.request.session.pop(REFUSED_SESSION_KEY, None)
        logger.info("OIDC sign-in: %s", user.username)
        return user


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """/oidc/authenticate/: to the IdP (404 while OIDC is not configured)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if oidc_configured():
            super().__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> Any:
        if not oidc_configured():
            raise Http404
        request.session.pop(REFUSED_SESSION_KEY, None)
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> Any:
        if not oidc_configured():
            raise Http404
        return super().get(request)


def provider_logout_url(request: HttpRequest) -> str | None:
    """Where to send the browser to end the IdP session too (RP-initiated logout), or
    None when the IdP has no end_session_endpoint or this was a password sign-in."""
    id_token = request.session.get("oidc_id_token")
    if not (oidc_configured() and id_token):
        return None
    endpoint = oidc_setting("OIDC_OP_LOGOUT_ENDPOINT", "")
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
