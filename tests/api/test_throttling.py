"""API throttling: per key (and per signed-in user), per anonymous IP address, with
separate budgets for reads, writes and the open (anonymous) endpoints. Over the
rate: 429 in the API's error shape, with Retry-After. Each test counts in its own
cache keys (tests/conftest.py), so no test inherits another's counts."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_rates(settings):
    settings.API_THROTTLE_RATES = {"read": "3/min", "write": "2/min", "open": "2/min"}


def assert_throttled(response):
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert "För många anrop" in response.json()["error"]["message"]
    assert 1 <= int(response["Retry-After"]) <= 60


def test_reads_over_the_rate_get_429_with_retry_after(api, coordinator):
    client = api(coordinator)
    for _call in range(3):
        assert client.get("/api/v1/regions/").status_code == 200
    assert_throttled(client.get("/api/v1/regions/"))


def test_each_key_has_its_own_budget(api, coordinator):
    first = api(coordinator)
    for _call in range(3):
        first.get("/api/v1/regions/")
    assert_throttled(first.get("/api/v1/treatments/"))
    # A second key of the same service user is counted apart.
    assert api(coordinator).get("/api/v1/regions/").status_code == 200


def test_writes_have_their_own_budget(api, coordinator):
    client = api(coordinator)
    for _call in range(3):
        client.get("/api/v1/regions/")
    assert_throttled(client.get("/api/v1/regions/"))
    # Reads exhausted; writes still allowed (a bad body is a 400, but it is counted).
    assert client.post("/api/v1/reports/", {}, format="json").status_code == 400
    assert client.post("/api/v1/reports/", {}, format="json").status_code == 400
    assert_throttled(client.post("/api/v1/reports/", {}, format="json"))


def test_signed_in_browser_user_is_counted_per_user(client, login, case_officer):
    login(case_officer)
    for _call in range(3):
        assert client.get("/api/v1/regions/").status_code == 200
    assert_throttled(client.get("/api/v1/regions/"))


def test_open_endpoint_is_counted_per_anonymous_address(api):
    anonymous = api()
    for _call in range(2):
        assert (
            anonymous.get("/api/v1/schema/?format=json", REMOTE_ADDR="192.0.2.1").status_code == 200
        )
    assert_throttled(anonymous.get("/api/v1/schema/?format=json", REMOTE_ADDR="192.0.2.1"))
    assert anonymous.get("/api/v1/schema/?format=json", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_open_statistics_api_is_counted_per_anonymous_address(api, ref):
    anonymous = api()
    history = "/api/v1/open/history/"
    for _call in range(2):
        assert anonymous.get(history, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert_throttled(anonymous.get(history, REMOTE_ADDR="192.0.2.1"))
    assert anonymous.get(history, REMOTE_ADDR="192.0.2.2").status_code == 200
