"""Background tasks of payments: thin wrappers around the services, safe to run twice."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task

from .services import run_compute, runs_requeue_stale

log = logging.getLogger(__name__)


@shared_task(name="payments.tasks.compute_run")
def compute_run(run_id: int) -> str | None:
    """Compute payout run `run_id` (does nothing if it is not QUEUED any more)."""
    run = run_compute(run_id=run_id)
    if run is None:
        return None
    log.info("payout run %s: %s", run_id, run.status)
    return str(run.status)


@shared_task(name="payments.tasks.requeue_stale_runs")
def requeue_stale_runs(older_than_seconds: float | None = None) -> list[int]:
    """Periodic (every 120 s): queue again runs whose task or worker was lost."""
    older_than = (
        None if older_than_seconds is None else datetime.timedelta(seconds=older_than_seconds)
    )
    enqueued = runs_requeue_stale(older_than=older_than)
    if enqueued:
        log.warning("payout runs queued again: %s", enqueued)
    return enqueued
