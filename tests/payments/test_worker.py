"""Payout runs through a REAL Celery worker: computed in the background, started twice
at once, and a worker killed in the middle of a run."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connections, transaction

from payments.enums import RunEventAction, RunStatus
from payments.models import PayoutLine, PayoutRun
from payments.services import run_recompute_check, run_start
from payments.tasks import requeue_stale_runs
from rehab.celery import app as celery_app
from tests.conftest import wait_for
from tests.payments.conftest import EXAMPLE_A_YEAR, PAYOUTS_SEK, SEK, SERIES, A, B, C, accept_series

ROOT = Path(__file__).resolve().parents[2]
Q1_PAYOUTS = {region: sek * SEK for region, sek in PAYOUTS_SEK[1].items()}


def accept_q1(user):
    for region in (A, B, C):
        accept_series(region, EXAMPLE_A_YEAR, 1, user, SERIES[region][1])


def status_of(run_id: int) -> str:
    return PayoutRun.objects.values_list("status", flat=True).get(pk=run_id)


def amounts(run_id: int) -> dict[str, int]:
    return dict(PayoutLine.objects.filter(run_id=run_id).values_list("region_id", "amount_ore"))


@pytest.mark.django_db(transaction=True)
def test_run_is_computed_by_the_real_worker(celery_worker, example_a, case_officer, coordinator):
    accept_q1(coordinator)
    run = run_start(agreement=example_a, quarter=1, acting_user=case_officer).run
    assert run.status == RunStatus.QUEUED
    wait_for(lambda: status_of(run.pk) == RunStatus.CALCULATED)
    assert amounts(run.pk) == Q1_PAYOUTS
    run.refresh_from_db()
    assert run.attempts == 1
    assert run_recompute_check(run)


@pytest.mark.django_db(transaction=True)
def test_two_starts_racing_give_one_run(
    celery_worker, example_a, case_officer, case_officer_2, coordinator
):
    accept_q1(coordinator)
    barrier = threading.Barrier(2)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def start(user):
        try:
            barrier.wait()
            started = run_start(agreement=example_a, quarter=1, acting_user=user)
            results.append((started.run.pk, started.created))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(u,)) for u in (case_officer, case_officer_2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({run_id for run_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, True]
    run_id = results[0][0]
    wait_for(lambda: status_of(run_id) == RunStatus.CALCULATED)
    assert PayoutRun.objects.filter(agreement=example_a).count() == 1
    assert amounts(run_id) == Q1_PAYOUTS


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(queue: str, delay: float) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REHAB_PROFILE": "development",
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "PAYMENTS_COMPUTE_DELAY_SECONDS": str(delay),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "rehab",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"{queue}-{uuid.uuid4().hex[:4]}@%h",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _row_locked(run_id: int) -> bool:
    """True while another transaction (the worker's write) holds the run's row."""
    try:
        with transaction.atomic():
            list(PayoutRun.objects.select_for_update(nowait=True).filter(pk=run_id))
    except DatabaseError:
        return True
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_run_leaves_nothing_and_a_requeue_completes(
    example_a, case_officer, coordinator
):
    queue = f"rehab-kill-{uuid.uuid4().hex[:8]}"
    # This test's tasks go to a queue only its own subprocess workers consume.
    suite_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    accept_q1(coordinator)
    # A worker that pauses 60 s inside the write transaction, lines written, uncommitted.
    slow = _start_worker(queue, delay=60)
    fresh = None
    try:
        run = run_start(agreement=example_a, quarter=1, acting_user=case_officer).run
        wait_for(lambda: status_of(run.pk) == RunStatus.RUNNING, timeout=60)
        wait_for(lambda: _row_locked(run.pk), timeout=30)
        slow.send_signal(signal.SIGKILL)
        slow.wait(timeout=10)

        # Nothing half-written: the worker's transaction died with it.
        wait_for(lambda: not _row_locked(run.pk), timeout=30)
        assert status_of(run.pk) == RunStatus.RUNNING
        assert PayoutLine.objects.filter(run_id=run.pk).count() == 0
        assert run.input_versions.count() == 0

        # The periodic task (here told that everything older than 0 s is stale) puts
        # the run back in the queue; a new worker computes it to the same numbers.
        fresh = _start_worker(queue, delay=0)
        requeue_stale_runs.delay(0)
        wait_for(lambda: status_of(run.pk) == RunStatus.CALCULATED, timeout=60)
        assert amounts(run.pk) == Q1_PAYOUTS
        run.refresh_from_db()
        assert run.attempts == 2
        assert run_recompute_check(run)
        assert list(run.events.values_list("action", flat=True)) == [
            RunEventAction.STARTED,
            RunEventAction.CLAIMED,
            RunEventAction.REQUEUED,
            RunEventAction.CLAIMED,
            RunEventAction.CALCULATED,
        ]
        assert PayoutRun.objects.filter(agreement=example_a).count() == 1
    finally:
        celery_app.conf.task_default_queue = suite_queue
        if slow.poll() is None:
            slow.kill()
            slow.wait()
        if fresh is not None:
            _stop(fresh)


@pytest.mark.django_db
def test_requeue_leaves_fresh_runs_alone(example_a, case_officer):
    run = PayoutRun.objects.create(
        agreement=example_a,
        kind="QUARTER",
        quarter=1,
        started_by=case_officer,
        status=RunStatus.RUNNING,
        claimed_at=datetime.datetime.now(tz=datetime.UTC),
    )
    from payments.services import runs_requeue_stale

    assert runs_requeue_stale(older_than=datetime.timedelta(minutes=10)) == []
    assert status_of(run.pk) == RunStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_pay_one_basis_once(example_a, case_officer, approver, coordinator):
    from payments.services import RunError, run_approve, run_compute

    accept_q1(coordinator)
    for region in (A, B, C):
        accept_series(region, EXAMPLE_A_YEAR, 2, coordinator, SERIES[region][2])
    # Q1 and Q2 computed on the same basis (nothing approved): paying both would pay
    # Q1's money twice (Q2 is cumulative).
    runs = [run_start(agreement=example_a, quarter=q, acting_user=case_officer).run for q in (1, 2)]
    for run in runs:
        # A worker left running by an earlier test may have claimed it first.
        run_compute(run_id=run.pk)
        wait_for(lambda run=run: status_of(run.pk) == RunStatus.CALCULATED)
        run.refresh_from_db()
    q1, q2 = runs
    first_approved = threading.Event()
    release = threading.Event()
    outcomes: dict[int, str] = {}

    def approve(run, *, hold: bool):
        try:
            if not hold:
                first_approved.wait(10)
            with transaction.atomic():
                run_approve(run=run, acting_user=approver)
                if hold:
                    # Q1's approval is made but not committed while Q2's is tried.
                    first_approved.set()
                    release.wait(1.5)
            outcomes[run.quarter] = "approved"
        except RunError as error:
            outcomes[run.quarter] = error.code
        finally:
            first_approved.set()
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(q1,), kwargs={"hold": True}),
        threading.Thread(target=approve, args=(q2,), kwargs={"hold": False}),
    ]
    for thread in threads:
        thread.start()
    threads[1].join(0.5)
    release.set()
    for thread in threads:
        thread.join()
    assert outcomes == {1: "approved", 2: "stale_basis"}
    assert PayoutRun.objects.filter(agreement=example_a, status=RunStatus.APPROVED).count() == 1
    paid = sum(
        PayoutLine.objects.filter(
            run__agreement=example_a, run__status=RunStatus.APPROVED
        ).values_list("amount_ore", flat=True)
    )
    assert paid in (
        sum(Q1_PAYOUTS.values()),
        sum(Q1_PAYOUTS.values()) + sum(PAYOUTS_SEK[2].values()) * SEK,
    )
