"""Two-step sign-in for local password accounts (django-otp): an authenticator app
(TOTP) plus ten single-use recovery codes.

Required for FK approvers and administrators (and anyone with access to the admin):
such a user who has no app yet is sent to set one up before anything else. Optional
for everyone else; whoever has set one up is asked for a code at every sign-in.
Sign-in through the IdP (SITHS) is already two-factor and is not asked again.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from rehab.enums import Role
from rehab.models import User

MFA_REQUIRED_ROLES = frozenset({Role.FK_APPROVER, Role.ADMINISTRATOR})
# Kept in the session so that a page costs no query: set at sign-in (whether the user
# has an authenticator) and when the second step succeeds.
SESSION_HAS_DEVICE = "rehab_mfa_device"
SESSION_VERIFIED = "rehab_mfa_verified"
RECOVERY_CODE_COUNT = 10
OIDC_BACKEND = "rehab.accounts.oidc.OidcBackend"


class MfaError(Exception):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def mfa_required(user: Any) -> bool:
    """Approvers and administrators must use a second factor (anyone who reaches the
    admin counts as an administrator)."""
    return bool(
        user.role in MFA_REQUIRED_ROLES or getattr(user, "is_staff", False) or user.is_superuser
    )


def signed_in_with_idp(request: HttpRequest) -> bool:
    return request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND


def session_verified(request: HttpRequest) -> bool:
    return bool(request.session.get(SESSION_VERIFIED))


def mfa_needed(request: HttpRequest) -> str | None:
    """What a password-signed-in user must still do before any page: "verify" (type a
    code), "setup" (set up an authenticator first), or None."""
    user: Any = request.user
    if not user.is_authenticated or signed_in_with_idp(request) or session_verified(request):
        return None
    if request.session.get(SESSION_HAS_DEVICE):
        return "verify"
    if mfa_required(user):
        return "setup"
    return None


def _mark_verified(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    request.session[SESSION_VERIFIED] = True
    request.session[SESSION_HAS_DEVICE] = True


def on_sign_in(request: HttpRequest, user: Any) -> None:
    """At every sign-in: whether a second step is due (one query, then none per page)."""
    request.session.pop(SESSION_VERIFIED, None)
    request.session[SESSION_HAS_DEVICE] = has_mfa(user)


def totp_device(user: Any, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def has_mfa(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def secret_base32(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed (groups of four)."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def mfa_setup_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for `user` (any earlier unconfirmed one is
    replaced). Effects: one TOTPDevice row, confirmed=False."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(
            user=user, name=_("Autentiseringsapp"), key=random_hex(20), confirmed=False
        )


def mfa_setup_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str]:
    """Confirm `device` with a code from the app. Effects: the device is confirmed (any
    earlier authenticator of the user removed), new recovery codes replace old ones,
    and this session counts as verified. Returns the recovery codes (shown once).
    Raises MfaError when the code is wrong."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not locked.verify_token(token.replace(" ", "")):
            raise MfaError(
                _(
                    "Koden stämmer inte. Kontrollera att klockan i telefonen går rätt och "
                    "skriv den kod som visas nu."
                ),
                code="wrong_code",
            )
        TOTPDevice.objects.filter(user=locked.user).exclude(pk=locked.pk).delete()
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        codes = mfa_recovery_codes_renew(user=locked.user)
    _mark_verified(request, locked)
    return codes


def mfa_recovery_codes_renew(*, user: User) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=_("Reservkoder"), defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def mfa_verify(*, request: HttpRequest, token: str) -> bool:
    """Check a code from the app, or a recovery code (used up), for the signed-in user;
    on success this session counts as verified."""
    user = request.user
    token = token.strip().replace(" ", "").lower()
    with transaction.atomic():
        devices: list[Any] = list(
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        )
        devices += list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
        for device in devices:
            if device.verify_token(token):
                _mark_verified(request, device)
                return True
    return False


def mfa_remove(*, request: HttpRequest, user: User) -> None:
    """Remove the user's authenticator and recovery codes (only where not required)."""
    if mfa_required(user):
        raise MfaError(
            _("Attestanter och administratörer måste ha tvåstegsverifiering."), code="required"
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    request.session[SESSION_HAS_DEVICE] = False


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
