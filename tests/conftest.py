"""Shared fixtures: reference data, the named users of the test suite, and a
real Celery worker.

The named users: `coordinator` (region 01), `other_coordinator` (region 03),
`viewer` (region 01), `case_officer`, `case_officer_2`, `approver`, `admin_user`.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.utils import translation

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


@pytest.fixture(scope="session")
def celery_worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """A real Celery worker (in a thread of this process) consuming the real
    broker, writing to the test database. Tests that use it must commit their
    rows (`transactional_db`) so the worker can see them."""
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
        yield worker
    connections.close_all()


def wait_for(predicate: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.1) -> Any:
    """Poll until predicate() is truthy (for results a worker writes); fails after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
