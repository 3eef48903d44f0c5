"""Idempotency-Key: a repeated POST has one effect; a key reused for another
request is refused; simultaneous repeats act once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from rehab.models import IdempotencyRecord
from reporting.models import Report, ReportVersion
from tests.factories import report_version


def _submit_body(lock_version: int) -> dict[str, Any]:
    return {
        "lock_version": lock_version,
        "explanations": {"": "Sent, systembyte."},
        "eligibility_confirmed": True,
    }


@pytest.mark.django_db
def test_idempotency_repeated_create_returns_first_response(api, coordinator):
    client = api(coordinator)
    headers = {"HTTP_IDEMPOTENCY_KEY": "skapa-01-2012Q1"}
    first = client.post("/api/v1/reports/", {"region": "01", "period": "2012Q1"}, **headers)
    second = client.post("/api/v1/reports/", {"region": "01", "period": "2012Q1"}, **headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_repeated_submit_has_one_effect(api, coordinator):
    client = api(coordinator)
    report = client.post("/api/v1/reports/", {"region": "01", "period": "2012Q1"}).json()
    client.put(f"/api/v1/reports/{report['id']}/draft/", {"lock_version": 0, "series": []})
    url = f"/api/v1/reports/{report['id']}/submit/"
    first = client.post(url, _submit_body(1), HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post(url, _submit_body(1), HTTP_IDEMPOTENCY_KEY="k-1")
    without_key = client.post(url, _submit_body(1))
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    # Without the key the same request is a new request, and the draft is gone.
    assert (without_key.status_code, without_key.json()["error"]["code"]) == (
        409,
        "no_open_draft",
    )
    assert list(ReportVersion.objects.values_list("number", "status")) == [(1, "SUBMITTED")]
    assert list(IdempotencyRecord.objects.values_list("key", "status_code")) == [("k-1", 200)]


@pytest.mark.django_db
def test_idempotency_same_key_other_body_is_422(api, coordinator):
    client = api(coordinator)
    client.post("/api/v1/reports/", {"region": "01", "period": "2012Q1"}, HTTP_IDEMPOTENCY_KEY="k")
    response = client.post(
        "/api/v1/reports/", {"region": "01", "period": "2012Q2"}, HTTP_IDEMPOTENCY_KEY="k"
    )
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["field"]) == (
        422,
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert list(Report.objects.values_list("period__quarter", flat=True)) == [1]


@pytest.mark.django_db
def test_idempotency_keys_are_per_caller(api, coordinator, other_coordinator):
    key = {"HTTP_IDEMPOTENCY_KEY": "samma-nyckel"}
    mine = api(coordinator).post("/api/v1/reports/", {"region": "01", "period": "2012Q1"}, **key)
    theirs = api(other_coordinator).post(
        "/api/v1/reports/", {"region": "03", "period": "2012Q1"}, **key
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert sorted(Report.objects.values_list("region_id", flat=True)) == ["01", "03"]


@pytest.mark.django_db
def test_idempotency_refused_request_is_not_kept(api, coordinator):
    client = api(coordinator)
    report = client.post("/api/v1/reports/", {"region": "01", "period": "2012Q1"}).json()
    url = f"/api/v1/reports/{report['id']}/submit/"
    body = {"lock_version": 0, "explanations": {}}
    first = client.post(url, body, HTTP_IDEMPOTENCY_KEY="k-2")
    assert (first.status_code, first.json()["error"]["code"]) == (422, "explanation_missing")
    assert IdempotencyRecord.objects.count() == 0
    # Nothing happened, so the same key may be used once the request is right.
    fixed = client.post(url, _submit_body(0), HTTP_IDEMPOTENCY_KEY="k-2")
    assert (fixed.status_code, fixed.json()["status"]) == (200, "SUBMITTED")


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "nyckel-åäö"])
def test_idempotency_invalid_key_is_400(api, coordinator, key):
    response = api(coordinator).post(
        "/api/v1/reports/", {"region": "01", "period": "2012Q1"}, HTTP_IDEMPOTENCY_KEY=key
    )
    assert (response.status_code, response.json()["error"]["code"]) == (
        400,
        "idempotency_key_invalid",
    )
    assert Report.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_idempotency_simultaneous_repeats_act_once(api, coordinator, case_officer):
    version = report_version(region="01", year=2012, quarter=1, user=case_officer)
    url = f"/api/v1/reports/{version.report_id}/corrections/"
    clients = [api(coordinator), api(coordinator)]
    barrier = threading.Barrier(len(clients))
    results: list[Any] = [None] * len(clients)

    def send(index: int) -> None:
        try:
            barrier.wait()
            results[index] = clients[index].post(
                url, {"reason": "Fel i MMR1."}, HTTP_IDEMPOTENCY_KEY="rattelse-1"
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [r.status_code for r in results] == [201, 201]
    assert results[0].json() == results[1].json()
    assert list(
        ReportVersion.objects.filter(report_id=version.report_id)
        .order_by("number")
        .values_list("number", "status", "is_correction")
    ) == [(1, "ACCEPTED", False), (2, "DRAFT", True)]
    assert IdempotencyRecord.objects.count() == 1
