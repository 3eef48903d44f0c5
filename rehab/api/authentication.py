"""`Authorization: Bearer <token>` for systems; the browser's session works too."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from rehab.models import ApiToken

from .tokens import hash_token

# last_used_at is written at most this often per token, so a busy system does not
# turn every read into a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Ange nyckeln så här: Authorization: Bearer <nyckel>."), code="invalid_token"
            )
        token = (
            ApiToken.objects.select_related("user", "user__region")
            .filter(key_hash=hash_token(parts[1]))
            .first()
        )
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("Nyckeln är ogiltig eller återkallad."), code="invalid_token"
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("Användaren som nyckeln hör till är inaktiverad."), code="inactive_user"
            )
        if not token.user.is_service_user:
            raise exceptions.AuthenticationFailed(
                _("Nyckeln hör inte till en tjänsteanvändare."), code="invalid_token"
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        token.user.api_token = token  # recorded on the events this request causes
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes an unauthenticated request a 401 with this challenge (not a 403).
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "rehab.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _(
                "En API-nyckel som en administratör har utfärdat (Django admin, API-nycklar)."
            ),
        }
