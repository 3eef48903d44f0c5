"""Two-step verification for local password accounts: approvers and administrators
must set up an authenticator app before anything else; whoever has one is asked
for its code at every password sign-in; recovery codes work once each; optional
for everyone else; the admin shows who has it."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import register_authenticator, sign_in, totp_code
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/konto/logga-in/"
SETUP = "/konto/tvastegsverifiering/ny/"
VERIFY = "/konto/tvastegsverifiering/"


def password_sign_in(client, username, next_url="/utbetalningar/"):
    response = client.post(
        LOGIN, {"username": username, "password": TEST_PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    return client.get(response["Location"])


def key_on_page(html: str) -> str:
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    return base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()


def test_approver_without_app_is_sent_to_set_one_up_before_anything_else(client, approver):
    response = password_sign_in(client, "attestant")
    assert response.status_code == 302
    assert response["Location"] == SETUP + "?next=%2Futbetalningar%2F"
    for url in ("/", "/utbetalningar/", "/statistik/", "/admin/"):
        assert client.get(url)["Location"].startswith(SETUP)
    api = client.get("/api/v1/regions/")
    assert (api.status_code, api.json()["error"]["code"]) == (403, "mfa_required")


def test_setting_up_the_app_with_a_right_code_unlocks_the_pages(client, approver):
    password_sign_in(client, "attestant")
    page = client.get(SETUP + "?next=/utbetalningar/")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()  # the QR code
    key = key_on_page(page.content.decode())

    wrong = client.post(SETUP, {"code": "000000", "next": "/utbetalningar/"})
    assert "Koden stämmer inte" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=approver, confirmed=True).exists()

    right = client.post(SETUP, {"code": totp_code(TOTPDevice(key=key)), "next": "/utbetalningar/"})
    assert right.status_code == 302
    codes_page = client.get(right["Location"])
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=approver).confirmed is True
    assert client.get("/utbetalningar/").status_code == 200
    # The codes are shown once.
    assert client.get("/konto/tvastegsverifiering/reservkoder/").status_code == 302


def test_with_an_app_password_sign_in_asks_for_the_code(client, approver):
    device = register_authenticator(approver)
    response = password_sign_in(client, "attestant")
    assert response["Location"] == VERIFY + "?next=%2Futbetalningar%2F"
    assert client.get("/utbetalningar/")["Location"].startswith(VERIFY)

    wrong = client.post(VERIFY, {"code": "123456", "next": "/utbetalningar/"})
    assert wrong.status_code == 200
    assert "Koden stämmer inte" in wrong.content.decode()

    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp slows retries after a failure
    device.save()
    right = client.post(VERIFY, {"code": totp_code(device), "next": "/utbetalningar/"})
    assert right["Location"] == "/utbetalningar/"
    assert client.get("/utbetalningar/").status_code == 200


def test_a_recovery_code_works_once(client, approver):
    from rehab.accounts.mfa import mfa_recovery_codes_renew

    register_authenticator(approver)
    code = mfa_recovery_codes_renew(user=approver)[0]
    password_sign_in(client, "attestant")
    assert client.post(VERIFY, {"code": code, "next": "/"})["Location"] == "/"
    client.logout()
    password_sign_in(client, "attestant")
    again = client.post(VERIFY, {"code": code, "next": "/"})
    assert again.status_code == 200


def test_optional_for_a_coordinator_until_they_turn_it_on(client, coordinator):
    response = password_sign_in(client, "samordnare01", next_url="/rapporter/")
    assert response.status_code == 200
    page = client.get(SETUP)
    key = key_on_page(page.content.decode())
    client.post(SETUP, {"code": totp_code(TOTPDevice(key=key))})
    client.logout()
    assert password_sign_in(client, "samordnare01", next_url="/rapporter/")["Location"].startswith(
        VERIFY
    )
    # ... and may turn it off again (an approver may not).
    device = TOTPDevice.objects.get(user=coordinator)
    client.post(VERIFY, {"code": totp_code(device)})
    client.post("/konto/tvastegsverifiering/stang-av/")
    assert not TOTPDevice.objects.filter(user=coordinator).exists()


def test_an_approver_cannot_turn_it_off(client, approver):
    sign_in(client, approver)
    client.post("/konto/tvastegsverifiering/stang-av/")
    assert TOTPDevice.objects.filter(user=approver, confirmed=True).exists()


def test_a_bare_force_login_of_an_approver_is_still_asked_for_the_code(client, approver):
    register_authenticator(approver)
    client.force_login(approver)
    assert client.get("/utbetalningar/")["Location"].startswith(VERIFY)


def test_admin_user_list_shows_who_has_two_step_verification(
    client, admin_user, approver, coordinator, django_assert_max_num_queries
):
    register_authenticator(approver)
    sign_in(client, admin_user)
    page = client.get("/admin/rehab/user/").content.decode()
    assert "tvåstegsverifiering" in page.lower()
    rows = dict(re.findall(r"(attestant|samordnare01)</a></th>(.*?)</tr>", page, re.S))
    assert 'alt="True"' in rows["attestant"]
    assert 'alt="False"' in rows["samordnare01"]
