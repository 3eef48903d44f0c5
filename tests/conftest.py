"""Shared fixtures: reference data, the named users of the test suite, and a
real Celery worker.

The named users: `coordinator` (region 01), `other_coordinator` (region 03),
`viewer` (region 01), `case_officer`, `case_officer_2`, `approver`, `admin_user`.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery.signals import (
    after_task_publish,
    task_postrun,
    task_prerun,
    task_rejected,
    task_revoked,
    task_unknown,
)
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.utils import translation
from pytest_django.fixtures import validate_django_db

from rehab.bankgiro import give_demo_bankgiros
from rehab.celery import app as celery_app
from rehab.enums import Role
from rehab.models import Region
from tests.factories import UserFactory

# Tests hash many passwords; a fast hasher keeps that from dominating the suite.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each test session gets its own queue, so a developer's running worker never
# steals the suite's tasks (and two suites never steal each other's).
TEST_QUEUE = f"rehab-test-{uuid.uuid4().hex[:8]}"
celery_app.conf.task_default_queue = TEST_QUEUE


@pytest.fixture(autouse=True)
def swedish_outside_requests() -> Iterator[None]:
    """Each test starts (and ends) in the default language, as a worker or a command
    does: LocaleMiddleware leaves the last request's language active in the thread,
    so a test that asked for English would otherwise turn later tests English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def own_cache(settings: Any) -> None:
    """Each test counts in its own cache keys (API throttling, ...), so no test
    inherits another's counts; never cache.clear(): the cache is the broker's Redis."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"rehab-test-{uuid.uuid4().hex}"}
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Reference data (regions, catalogue, agreements) is loaded once per session."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        give_demo_bankgiros()


@pytest.fixture
def ref(db: None) -> None:
    """Reference data present (reloaded if a transactional test flushed it)."""
    if not Region.objects.exists():
        call_command("load_reference_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
        give_demo_bankgiros()


@pytest.fixture
def coordinator(ref: None) -> Any:
    return UserFactory(username="samordnare01", role=Role.REGION_COORDINATOR, region_id="01")


@pytest.fixture
def other_coordinator(ref: None) -> Any:
    return UserFactory(username="samordnare03", role=Role.REGION_COORDINATOR, region_id="03")


@pytest.fixture
def viewer(ref: None) -> Any:
    return UserFactory(username="lasare01", role=Role.REGION_VIEWER, region_id="01")


@pytest.fixture
def case_officer(ref: None) -> Any:
    return UserFactory(username="handlaggare", role=Role.FK_CASE_OFFICER)


@pytest.fixture
def case_officer_2(ref: None) -> Any:
    return UserFactory(username="handlaggare2", role=Role.FK_CASE_OFFICER)


@pytest.fixture
def approver(ref: None) -> Any:
    return UserFactory(username="attestant", role=Role.FK_APPROVER)


@pytest.fixture
def admin_user(ref: None) -> Any:
    return UserFactory(username="admin", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


def totp_code(device: Any) -> str:
    """The code the user's authenticator app shows now for `device` (or the next
    one, when this time step's code was already used: django-otp accepts one step
    ahead, never the same step twice)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"


def register_authenticator(user: Any) -> Any:
    """A confirmed authenticator app (TOTP device) for `user`, as set-up leaves it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test", confirmed=True)


def sign_in(client: Any, user: Any) -> Any:
    """force_login, and for a user who must use a second factor (approver, admin)
    an authenticator registered and this session verified, as the verify page leaves
    it after a right code. MFA stays on: a bare force_login of an approver is sent to
    the verify page (tests/rehab/test_mfa.py)."""
    from rehab.accounts import mfa

    if mfa.mfa_required(user):
        register_authenticator(user)
    client.force_login(user)
    if mfa.mfa_required(user):
        session = client.session
        session[mfa.SESSION_VERIFIED] = True
        session.save()
    return client


@pytest.fixture
def login(client: Any) -> Callable[[Any], Any]:
    """login(user) -> the test client, logged in as user (second step done where due)."""

    def _login(user: Any) -> Any:
        return sign_in(client, user)

    return _login


class TaskLedger:
    """The tasks published in this process to the suite's queue that no worker has
    finished yet, by task id. Celery's signals fill it: publishing counts one up (a
    retry publishes its id again), the end of a run, a revocation or an unknown task
    name counts one down. The suite's worker is a thread of this process, so its
    signals arrive here too, as do the publications of tasks it queues itself."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._open: Counter[str] = Counter()
        self._what: dict[str, str] = {}
        self._running: str | None = None

    def published(
        self, headers: dict[str, Any] | None = None, routing_key: str = "", **_: Any
    ) -> None:
        if not headers or "id" not in headers or routing_key != TEST_QUEUE:
            return  # a test's own queue, for its own workers (tests/payments/test_worker.py)
        self._count(headers["id"], +1, f"{headers.get('task')}{headers.get('argsrepr', '()')}")

    def started(self, task_id: str = "", **_: Any) -> None:
        with self._changed:
            self._running = task_id

    def ran(self, task_id: str = "", **_: Any) -> None:
        self._count(task_id, -1)

    def revoked(self, request: Any = None, **_: Any) -> None:
        self._count(request.id, -1)

    def unknown(self, **signal: Any) -> None:
        self._count(signal.get("id", ""), -1)

    def rejected(self, message: Any = None, **_: Any) -> None:
        self._count((message.headers or {}).get("id", ""), -1)

    def _count(self, task_id: str, step: int, what: str = "") -> None:
        with self._changed:
            # An end may be counted before its publication: they come from two threads.
            self._open[task_id] += step
            if what:
                self._what[task_id] = what
            if self._open[task_id] == 0:
                del self._open[task_id]
                self._what.pop(task_id, None)
            if step < 0 and self._running == task_id:
                self._running = None
            self._changed.notify_all()

    def unfinished(self) -> list[str]:
        """What is still open: 'name(args) [id], running' or '..., queued'."""
        with self._changed:
            return [
                f"{self._what.get(task_id, '?')} [{task_id}], "
                + ("running" if task_id == self._running else "queued")
                for task_id, count in self._open.items()
                if count > 0
            ]

    def wait(self, timeout: float) -> list[str]:
        """Wait until every published task has finished; returns what is still open
        after `timeout` seconds (nothing when all finished)."""
        with self._changed:
            self._changed.wait_for(
                lambda: all(count <= 0 for count in self._open.values()), timeout
            )
        return self.unfinished()

    def forget(self) -> None:
        with self._changed:
            self._open.clear()
            self._what.clear()
            self._running = None


TASKS = TaskLedger()
after_task_publish.connect(TASKS.published, weak=False)
task_prerun.connect(TASKS.started, weak=False)
task_postrun.connect(TASKS.ran, weak=False)
task_revoked.connect(TASKS.revoked, weak=False)
task_unknown.connect(TASKS.unknown, weak=False)
task_rejected.connect(TASKS.rejected, weak=False)

# Set while the session's worker consumes TEST_QUEUE.
WORKER_RUNNING = threading.Event()
# How long a transactional test's teardown waits for the worker before it fails.
DRAIN_TIMEOUT = 60.0


@pytest.fixture(scope="session")
def celery_worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """A real Celery worker (in a thread of this process) consuming the real
    broker, writing to the test database. Tests that use it must commit their
    rows (`transactional_db`) so the worker can see them. It runs for the rest of
    the session, so it also runs the tasks of later tests that never asked for it:
    `worker_done_before_flush` waits for those."""
    from celery.contrib.testing.worker import start_worker

    with (
        django_db_blocker.unblock(),
        start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=30,
            queues=[TEST_QUEUE],
        ) as worker,
    ):
        WORKER_RUNNING.set()
        try:
            yield worker
        finally:
            WORKER_RUNNING.clear()
    connections.close_all()


def purge_test_queue() -> None:
    """Drop the messages waiting in this session's queue (nobody else consumes it)."""
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(TEST_QUEUE)


def is_transactional(request: pytest.FixtureRequest) -> bool:
    """Whether pytest-django empties the tables after this test (as its own
    `_django_db_helper` decides) instead of rolling back its transaction."""
    marker = request.node.get_closest_marker("django_db")
    if marker:
        transactional, reset_sequences, *_ = validate_django_db(marker)
        if transactional or reset_sequences:
            return True
    return any(name in request.fixturenames for name in ("transactional_db", "live_server"))


@pytest.fixture(autouse=True)
def worker_done_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a transactional test, the worker finishes every task published so far
    (the test's e-mails, payout runs, ...) before pytest-django empties the tables:
    a TRUNCATE beside a running task deadlocked once, and a task that ran on past
    it wrote its rows into the next test. Requesting `transactional_db` here
    makes this fixture's teardown run before the flush. A test that published
    nothing does not wait; when the worker is not running, the test's tasks are
    dropped from the queue (a later worker would run them against another test's
    rows). A worker still busy after DRAIN_TIMEOUT fails the test, naming the tasks."""
    if not is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    if not TASKS.unfinished():
        return
    if not WORKER_RUNNING.is_set():
        purge_test_queue()
        TASKS.forget()
        return
    unfinished = TASKS.wait(DRAIN_TIMEOUT)
    if unfinished:
        purge_test_queue()
        TASKS.forget()
        pytest.fail(
            f"the Celery worker had not finished within {DRAIN_TIMEOUT:g} s of the test's "
            "end (its tables are emptied next): " + "; ".join(unfinished)
        )


def wait_for(predicate: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.1) -> Any:
    """Poll until predicate() is truthy (for results a worker writes); fails after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
