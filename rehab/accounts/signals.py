"""At sign-in (password, IdP, or a test's force_login): the session's clocks start
and whether a second step is due is noted."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import mfa, sessions


@receiver(user_logged_in, dispatch_uid="rehab-accounts-sign-in")
def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    sessions.session_start(request)
    mfa.on_sign_in(request, user)
