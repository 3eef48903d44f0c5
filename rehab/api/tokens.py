"""API tokens: issue and revoke. A token is `rehab_` + 43 random URL-safe characters;
only its SHA-256 is stored, so a leaked database does not leak usable keys."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rehab.models import SERVICE_USERS_ONLY, ApiToken, User

TOKEN_PREFIX = "rehab_"  # noqa: S105 - a marker, not a secret
PREFIX_SHOWN = 12  # characters kept in clear to recognise a token ("rehab_AbCdEf")


def hash_token(secret: str) -> str:
    """The stored form of a token: SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> tuple[str, str, str]:
    """A fresh secret, the part of it shown in clear, and its hash."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return secret, secret[:PREFIX_SHOWN], hash_token(secret)


def api_token_issue(*, name: str, user: User, acting_user: User | None) -> tuple[ApiToken, str]:
    """Issue a named token that acts as `user`, a service user.
    Effects: an ApiToken row with the secret's hash. Returns the token and the secret,
    which is never stored and cannot be shown again. Raises ValidationError for a
    user who is not a service user: a key for a person would let whoever holds it
    (the administrator who issued it) act as that person."""
    if not user.is_service_user:
        raise ValidationError({"user": SERVICE_USERS_ONLY})
    secret, prefix, key_hash = new_secret()
    token = ApiToken.objects.create(
        name=name.strip(), user=user, prefix=prefix, key_hash=key_hash, created_by=acting_user
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user: User | None) -> ApiToken:
    """Revoke a token: from now on it gets 401.
    Effects: revoked_at/revoked_by set (once; revoking again changes nothing)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = acting_user
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token
