"""A transactional test's tables are emptied only after the session's Celery worker
has finished every task published so far (`worker_done_before_flush` in
tests/conftest.py): a task still running at the flush once deadlocked beside the
TRUNCATE, and wrote its rows into the next test."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from rehab.celery import app as celery_app
from rehab.models import WorkerHeartbeat
from tests.conftest import TASKS, TEST_QUEUE, TaskLedger, wait_for

SENTINEL = "drain-sentinel"
PROBE_ROW = "drain-probe"
# What the probe saw when it looked: the sentinel row, or already emptied tables.
PROBE_SAW: dict[str, bool] = {}


@celery_app.task(name="tests.rehab.test_worker_drain.probe")
def probe() -> None:
    """A slow task: still running when the test that queued it ends."""
    time.sleep(0.5)
    PROBE_SAW[SENTINEL] = WorkerHeartbeat.objects.filter(hostname=SENTINEL).exists()
    WorkerHeartbeat.objects.create(hostname=PROBE_ROW, seen_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_a_task_still_running_when_the_test_ends(celery_worker):
    WorkerHeartbeat.objects.create(hostname=SENTINEL, seen_at=timezone.now())
    probe.delay()


@pytest.mark.django_db(transaction=True)
def test_the_next_test_finds_it_finished_before_the_flush_and_its_rows_gone():
    if not PROBE_SAW and not TASKS.unfinished():
        pytest.skip("runs after test_a_task_still_running_when_the_test_ends")
    assert TASKS.unfinished() == []
    wait_for(lambda: PROBE_SAW, timeout=10)  # without the drain the probe is still asleep
    # It ran to its end before the tables were emptied, and its own row went with them.
    assert PROBE_SAW == {SENTINEL: True}
    assert list(WorkerHeartbeat.objects.values_list("hostname", flat=True)) == []


def publish(
    ledger: TaskLedger, task_id: str, task: str, argsrepr: str = "()", routing_key: str = TEST_QUEUE
) -> None:
    """What `after_task_publish` tells the ledger."""
    headers = {"id": task_id, "task": task, "argsrepr": argsrepr}
    ledger.published(headers=headers, routing_key=routing_key)


def test_the_ledger_names_what_the_worker_has_not_finished():
    ledger = TaskLedger()
    publish(ledger, "1", "reporting.tasks.mail", "(7,)")
    publish(ledger, "2", "payments.tasks.compute_run", "(3,)")
    publish(ledger, "3", "reporting.tasks.mail", "(8,)")
    publish(ledger, "4", "payments.tasks.compute_run", "(9,)", routing_key="rehab-kill-1")
    ledger.started(task_id="1")
    ledger.ran(task_id="1")
    ledger.started(task_id="2")
    started = time.monotonic()
    # Not the task sent to another queue: the suite's worker never sees it.
    assert ledger.wait(0.2) == [
        "payments.tasks.compute_run(3,) [2], running",
        "reporting.tasks.mail(8,) [3], queued",
    ]
    assert time.monotonic() - started >= 0.2


def test_the_ledger_counts_a_retry_and_an_end_seen_before_its_publication():
    ledger = TaskLedger()
    ledger.ran(task_id="1")  # the worker's thread was quicker than the publisher's
    publish(ledger, "1", "t")
    publish(ledger, "2", "t")
    publish(ledger, "2", "t")  # its retry, published while it runs
    ledger.ran(task_id="2")
    assert ledger.unfinished() == ["t() [2], queued"]
    ledger.ran(task_id="2")
    assert ledger.wait(0) == []
