"""Services of the shared domain (they change state)."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from .models import WorkerHeartbeat


def worker_heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    """Record that the worker on `hostname` is alive: upserts one row per host
    and counts the beats."""
    now = timezone.now()
    beat, created = WorkerHeartbeat.objects.get_or_create(
        hostname=hostname, defaults={"seen_at": now, "beats": 1}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=beat.pk).update(seen_at=now, beats=F("beats") + 1)
        beat.refresh_from_db()
    return beat
