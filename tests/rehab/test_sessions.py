"""Sessions end after 30 minutes without a request and 10 hours after signing in; the
page's timer asks /konto/session/ how long is left. Every local user can change their
password; a forgotten one is reset by a link e-mailed by the Celery worker."""

from __future__ import annotations

import datetime
import re
from urllib.parse import unquote

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from rehab.enums import Role
from tests.conftest import wait_for
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def later(minutes: float):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=True)


def test_idle_30_minutes_signs_out_and_returns_to_the_page_after_signing_in(login, coordinator):
    client = login(coordinator)
    with later(29):
        assert client.get("/rapporter/").status_code == 200
    with later(29 + 31):
        response = client.get("/rapporter/?ar=2020")
        assert response.status_code == 302
        assert unquote(response["Location"]) == "/konto/logga-in/?next=/rapporter/?ar=2020"
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"]).content.decode()
        assert "Du loggades ut efter 30 minuter utan aktivitet" in page
        again = client.post(
            "/konto/logga-in/",
            {"username": "samordnare01", "password": TEST_PASSWORD, "next": "/rapporter/?ar=2020"},
        )
        assert again["Location"] == "/rapporter/?ar=2020"


def test_htmx_and_api_requests_learn_the_session_ended(login, coordinator):
    client = login(coordinator)
    with later(31):
        response = client.get(
            "/rapporter/",
            HTTP_HX_REQUEST="true",
            HTTP_HX_CURRENT_URL="http://testserver/rapporter/",
        )
        assert response.status_code == 204
        assert response["HX-Redirect"].startswith("/konto/logga-in/?next=")
    client = login(coordinator)
    with later(31):
        response = client.get("/api/v1/regions/")
        assert (response.status_code, response.json()["error"]["code"]) == (
            401,
            "session_expired",
        )


def test_an_active_session_still_ends_after_10_hours(login, coordinator):
    client = login(coordinator)
    for step in range(1, 24):  # a request every 25 minutes: never idle
        with later(25 * step):
            assert client.get("/rapporter/").status_code == 200, step
    with later(25 * 24 + 1):  # 10 h 1 min after signing in
        response = client.get("/rapporter/")
        assert response["Location"].startswith("/konto/logga-in/")
        assert "10 timmar" in client.get(response["Location"]).content.decode()


def test_session_endpoint_tells_the_timer_how_long_is_left_without_counting_as_activity(
    login, coordinator
):
    client = login(coordinator)
    with later(10):
        data = client.get("/konto/session/").json()
        assert data["authenticated"] is True
        assert 19 * 60 - 5 <= data["seconds_left"] <= 20 * 60
    with later(25):  # the GET above was not activity: 5 minutes left
        assert client.get("/konto/session/").json()["seconds_left"] <= 5 * 60
        # "Fortsätt vara inloggad" (a POST) is activity: 30 minutes again.
        assert client.post("/konto/session/").json()["seconds_left"] >= 30 * 60 - 5
    with later(25 + 31):
        assert client.get("/konto/session/").json() == {
            "authenticated": False,
            "seconds_left": 0,
        }


def test_page_carries_the_session_timer(login, coordinator):
    html = login(coordinator).get("/rapporter/").content.decode()
    assert 'id="session-warning"' in html
    assert 'data-idle="1800"' in html
    assert "js/session-timeout.js" in html


def test_a_user_changes_their_own_password(login, coordinator):
    client = login(coordinator)
    assert client.get("/konto/").status_code == 200
    response = client.post(
        "/konto/losenord/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Ett-nytt-lösenord-2026",
            "new_password2": "Ett-nytt-lösenord-2026",
        },
    )
    assert response["Location"] == "/konto/losenord/klart/"
    coordinator.refresh_from_db()
    assert coordinator.check_password("Ett-nytt-lösenord-2026")


def test_wrong_old_password_changes_nothing(login, coordinator):
    client = login(coordinator)
    response = client.post(
        "/konto/losenord/",
        {"old_password": "fel", "new_password1": "Abc-12345-xyz", "new_password2": "Abc-12345-xyz"},
    )
    assert response.status_code == 200
    coordinator.refresh_from_db()
    assert coordinator.check_password(TEST_PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_password_reset_link_is_mailed_by_the_worker_and_works_once(client, celery_worker, ref):
    mail.outbox.clear()
    user = UserFactory(
        username="samordnare01",
        role=Role.REGION_COORDINATOR,
        region_id="01",
        email="anna.andersson@regionstockholm.se",
    )
    response = client.post(
        "/konto/aterstall-losenord/", {"email": "Anna.Andersson@regionstockholm.se"}
    )
    assert response["Location"] == "/konto/aterstall-losenord/skickat/"
    wait_for(lambda: len(mail.outbox) == 1)
    message = mail.outbox[0]
    assert message.to == ["anna.andersson@regionstockholm.se"]
    assert message.subject == "Välj ett nytt lösenord i Rehab"
    link = re.search(r"http://testserver(/konto/aterstall-losenord/\S+/)", message.body).group(1)

    form = client.get(link)
    assert form.status_code == 302  # Django moves the token into the session
    done = client.post(
        form["Location"],
        {"new_password1": "Nytt-lösenord-2026!", "new_password2": "Nytt-lösenord-2026!"},
    )
    assert done["Location"] == "/konto/aterstall-losenord/klart/"
    user.refresh_from_db()
    assert user.check_password("Nytt-lösenord-2026!")
    # Used once: the same link no longer works.
    assert "Länken fungerar inte längre" in client.get(link, follow=True).content.decode()
