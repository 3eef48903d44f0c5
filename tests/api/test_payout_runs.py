"""Payout runs through the API: lists, filters, refusals (the compute, approval and
export path end to end is in test_end_to_end.py)."""

from __future__ import annotations

from typing import Any

import pytest

from payments.models import PayoutRun
from rehab.models import Agreement

pytestmark = pytest.mark.django_db


def _runs(n: int, user: Any) -> list[PayoutRun]:
    """n queued quarter runs of the model-A years (no worker: they stay queued)."""
    slots = [(year, quarter) for year in range(2009, 2016) for quarter in (1, 2, 3, 4)]
    return [
        PayoutRun.objects.create(
            agreement=Agreement.objects.get(year=year), kind="QUARTER", quarter=q, started_by=user
        )
        for year, q in slots[:n]
    ]


def test_payout_run_list_filters(api, case_officer):
    _runs(6, case_officer)
    PayoutRun.objects.filter(agreement__year=2010, quarter=1).update(status="FAILED")
    client = api(case_officer)

    def listed(query: str) -> list[str]:
        response = client.get(f"/api/v1/payout-runs/?{query}")
        assert response.status_code == 200, response.json()
        return sorted(r["period"] for r in response.json()["results"])

    assert listed("year=2010") == ["2010Q1", "2010Q2"]
    assert listed("period=2009Q3") == ["2009Q3"]
    assert listed("status=FAILED") == ["2010Q1"]
    assert listed("kind=YEAR") == []
    response = client.get("/api/v1/payout-runs/?status=KLAR")
    assert (response.status_code, response.json()["error"]["field"]) == (400, "status")


def test_payout_run_detail_of_queued_run(api, approver, case_officer):
    run = _runs(1, case_officer)[0]
    body = api(approver).get(f"/api/v1/payout-runs/{run.pk}/").json()
    assert (body["status"], body["reference"], body["started_by"]) == (
        "QUEUED",
        f"REHAB-2009Q1-1-{run.pk}",
        case_officer.username,
    )
    assert (body["lines"], body["exports"]) == ([], [])


def test_payout_run_start_twice_gives_the_same_run(api, case_officer):
    client = api(case_officer)
    first = client.post("/api/v1/payout-runs/", {"year": 2012, "quarter": 1})
    second = client.post("/api/v1/payout-runs/", {"year": 2012, "quarter": 1})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert PayoutRun.objects.count() == 1


def test_payout_run_start_quarter_of_model_b_is_400(api, case_officer):
    response = api(case_officer).post("/api/v1/payout-runs/", {"year": 2020, "quarter": 1})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "wrong_period")
    assert PayoutRun.objects.count() == 0


def test_payout_run_start_unknown_year_is_400(api, case_officer):
    response = api(case_officer).post("/api/v1/payout-runs/", {"year": 2031, "quarter": None})
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["field"]) == (
        400,
        "unknown_agreement",
        "year",
    )


def test_payout_run_approve_uncalculated_is_409(api, approver, case_officer):
    run = _runs(1, case_officer)[0]
    response = api(approver).post(f"/api/v1/payout-runs/{run.pk}/approve/")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "state")
    run.refresh_from_db()
    assert run.status == "QUEUED"


@pytest.mark.parametrize("size", [1, 8])
def test_payout_run_list_query_count_does_not_grow(
    api, case_officer, django_assert_num_queries, size
):
    _runs(size, case_officer)
    client = api(case_officer)
    client.get("/api/v1/regions/")  # the token's last_used_at is written once a minute
    # token, count, page of runs (agreement and users joined)
    with django_assert_num_queries(3):
        response = client.get("/api/v1/payout-runs/")
    assert response.json()["count"] == size


def test_payout_run_start_with_an_unknown_field_is_400(api, case_officer):
    response = api(case_officer).post(
        "/api/v1/payout-runs/", {"year": 2012, "quarter": 1, "kvartal": 2}
    )
    assert (response.status_code, response.json()["error"]["field"]) == (400, "kvartal")
    assert PayoutRun.objects.count() == 0
