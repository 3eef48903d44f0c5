"""Services of signing in that have effects outside the request."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template import loader
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from rehab.models import User

logger = logging.getLogger("rehab.security")


def password_reset_mail_send(*, user_id: int, domain: str, protocol: str) -> bool:
    """E-mail `user_id` a link to choose a new password (valid PASSWORD_RESET_TIMEOUT
    seconds, used once). Nothing for an inactive user or one without a local
    password. Effects: one e-mail. Returns whether it was sent."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return False
    context = {
        "user": user,
        "domain": domain,
        "protocol": protocol,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = "".join(
            loader.render_to_string("registration/password_reset_subject.txt", context).splitlines()
        )
        body = loader.render_to_string("registration/password_reset_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    logger.info("password reset e-mail sent to user %s", user.username)
    return True
