"""Lockout (django-axes): 5 wrong passwords for one username from one address lock
that username from that address for 15 minutes; the right password is then refused
with the lockout message; another address is not locked; after the 15 minutes the
right password works again. The admin's login is covered the same way."""

from __future__ import annotations

import datetime
import logging

import pytest
import time_machine
from django.utils import timezone

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/konto/logga-in/"
LOCKED = "För många misslyckade inloggningar"


def post_login(client, password, *, url=LOGIN, ip="192.0.2.10"):
    return client.post(url, {"username": "handlaggare", "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_username_from_that_address(client, case_officer, caplog):
    caplog.set_level(logging.WARNING)
    for _attempt in range(4):
        response = post_login(client, "fel-lösenord")
        assert response.status_code == 200
        assert "Fel användarnamn eller lösenord" in response.content.decode()

    fifth = post_login(client, "fel-lösenord")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()

    right = post_login(client, TEST_PASSWORD)
    assert right.status_code == 429
    assert LOCKED in right.content.decode()
    assert "i 15 minuter" in right.content.decode()
    assert "_auth_user_id" not in client.session
    assert any(
        r.name == "rehab.security" and "handlaggare" in r.getMessage() for r in caplog.records
    )


def test_lockout_is_per_address(client, case_officer):
    for _attempt in range(5):
        post_login(client, "fel-lösenord", ip="192.0.2.10")
    other = post_login(client, TEST_PASSWORD, ip="198.51.100.7")
    assert other.status_code == 302
    assert client.session["_auth_user_id"] == str(case_officer.pk)


def test_lockout_ends_after_15_minutes(client, case_officer):
    for _attempt in range(5):
        post_login(client, "fel-lösenord")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=14), tick=True):
        assert post_login(client, TEST_PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16), tick=True):
        response = post_login(client, TEST_PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(case_officer.pk)


def test_fewer_than_five_failures_then_success_resets_the_count(client, case_officer):
    for _attempt in range(4):
        post_login(client, "fel-lösenord")
    assert post_login(client, TEST_PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        assert post_login(client, "fel-lösenord").status_code == 200
    assert post_login(client, TEST_PASSWORD).status_code == 302


def test_admin_login_locks_out_too(client, case_officer):
    for _attempt in range(5):
        response = post_login(client, "fel-lösenord", url="/admin/login/")
    assert response.status_code == 429
    right = post_login(client, TEST_PASSWORD, url="/admin/login/")
    assert right.status_code == 429
    assert LOCKED in right.content.decode()
    # ... and the lock holds on the ordinary login form as well (same username, same address).
    assert post_login(client, TEST_PASSWORD).status_code == 429
