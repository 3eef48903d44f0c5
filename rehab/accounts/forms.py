"""Forms of signing in that are not Django's own."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail is made and sent by the Celery worker
    (rehab.tasks.send_password_reset), so the page answers at once and a slow mail
    server never holds a web worker. Unknown addresses get the same answer."""

    def save(  # type: ignore[override]
        self, *, request: Any = None, use_https: bool = False, **kwargs: Any
    ) -> None:
        from rehab.tasks import send_password_reset

        host = request.get_host() if request is not None else "localhost"
        protocol = "https" if use_https or (request is not None and request.is_secure()) else "http"

        def enqueue(user_id: int) -> None:
            transaction.on_commit(lambda: send_password_reset.delay(user_id, host, protocol))

        for user in self.get_users(self.cleaned_data["email"]):
            enqueue(user.pk)
