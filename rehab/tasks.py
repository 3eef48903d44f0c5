"""Background tasks of the shared domain."""

import logging
import socket

from celery import shared_task

from .services import worker_heartbeat_record

log = logging.getLogger(__name__)


@shared_task(name="rehab.tasks.worker_heartbeat")
def worker_heartbeat(hostname: str | None = None) -> int:
    """Record that a worker is alive; returns the heartbeat row's id."""
    beat = worker_heartbeat_record(hostname=hostname or socket.gethostname())
    log.info("heartbeat from %s (%s beats)", beat.hostname, beat.beats)
    return beat.pk


@shared_task(name="rehab.tasks.send_password_reset")
def send_password_reset(user_id: int, domain: str, protocol: str) -> bool:
    """E-mail a password-reset link (made here, in the worker)."""
    from .accounts.services import password_reset_mail_send

    return password_reset_mail_send(user_id=user_id, domain=domain, protocol=protocol)


@shared_task(name="rehab.tasks.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Delete the sessions that have expired (Django's clearsessions, nightly);
    returns how many were deleted."""
    from django.utils import timezone

    from .models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    log.info("deleted %s expired sessions", deleted)
    return deleted
