"""A region's system reports a quarter through the API alone, FK accepts it through
the API, a run is started, computed by a real Celery worker and approved through the
API, and it pays exactly what the same figures entered in the browser pay."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from rest_framework.test import APIClient

from payments.models import PayoutLine
from rehab.models import Agreement, PopulationFigure, Region
from tests.conftest import wait_for

SERIES = {("KBT", "F", "PUBLIC"): 10, ("KBT", "M", "PRIVATE"): 4, ("MMR1", "F", "PUBLIC"): 2}
EXTRAS = {("EMPLOYER_CONTACT", "F"): 1}
# 2012: KBT 12 000 kr and MMR1 25 000 kr per series, plus 1 000 kr per treated patient.
EXPECTED_ORE = 14 * (1_200_000 + 100_000) + 2 * (2_500_000 + 100_000)


def _system(token: str) -> APIClient:
    client = APIClient()
    client.default_format = "json"
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _populations_2012() -> None:
    """The reference data has no population figures on 2012's reference date (an
    administrator enters them before paying); every region gets 400 000 inhabitants."""
    agreement = Agreement.objects.get(year=2012)
    PopulationFigure.objects.bulk_create(
        PopulationFigure(
            region=region,
            reference_date=agreement.population_reference_date,
            age_band=agreement.population_age_band,
            population=400_000,
        )
        for region in Region.objects.filter(active=True)
    )


def _report_through_api(system: APIClient, fk: APIClient) -> None:
    report = system.post(
        "/api/v1/reports/", {"region": "01", "period": "2012Q1"}, HTTP_IDEMPOTENCY_KEY="q1-open"
    )
    assert report.status_code == 201, report.json()
    report_id = report.json()["id"]
    draft = system.put(
        f"/api/v1/reports/{report_id}/draft/",
        {
            "lock_version": report.json()["latest_version"]["lock_version"],
            "comment": "Ur journalsystemet",
            "series": [
                {"treatment": t, "sex": s, "provider": p, "value": v}
                for (t, s, p), v in SERIES.items()
            ],
            "extras": [{"kind": k, "sex": s, "value": v} for (k, s), v in EXTRAS.items()],
        },
    )
    assert draft.status_code == 200, draft.json()
    checked = system.post(f"/api/v1/reports/{report_id}/validate/").json()
    assert (checked["ok"], [w["code"] for w in checked["warnings"]]) == (True, ["late_filing"])
    submitted = system.post(
        f"/api/v1/reports/{report_id}/submit/",
        {
            "lock_version": draft.json()["lock_version"],
            "explanations": {w["key"]: "Inläst i efterhand." for w in checked["warnings"]},
            "eligibility_confirmed": True,
        },
        HTTP_IDEMPOTENCY_KEY="q1-submit",
    )
    assert submitted.status_code == 200, submitted.json()
    accepted = fk.post(f"/api/v1/reports/{report_id}/accept/", {"version": 1})
    assert (accepted.status_code, accepted.json()["status"]) == (200, "ACCEPTED")


def _report_in_browser(client: Any, coordinator: Any, case_officer: Any) -> None:
    """Region 03 types the same figures into the report form and submits; FK accepts
    on the review page (the browser's own form POSTs)."""
    client.force_login(coordinator)
    form: dict[str, Any] = {
        "version": 0,
        "lock_version": 0,
        "comment": "Inskrivet för hand",
        "action": "submit",
        "explain:": "Inläst i efterhand.",
        "eligibility_confirmed": "on",
        # The form asks about the blank cells (the API counts absent cells as 0).
        "explain:blank_cells": "Inga andra behandlingar gavs.",
    }
    form.update({f"{t}:{s}:{p}": str(v) for (t, s, p), v in SERIES.items()})
    form.update({f"{k}:{s}": str(v) for (k, s), v in EXTRAS.items()})
    response = client.post("/rapporter/03/2012/1/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(case_officer)
    response = client.post("/rapporter/03/2012/1/granska/", {"action": "accept", "comment": ""})
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_quarter_through_api_pays_exactly_as_through_the_browser(
    celery_worker, client, token_for, coordinator, other_coordinator, case_officer, approver
):
    _populations_2012()
    fk = _system(token_for(case_officer, "FK ärendesystem"))
    _report_through_api(_system(token_for(coordinator, "Region Stockholms system")), fk)
    _report_in_browser(client, other_coordinator, case_officer)

    started = fk.post("/api/v1/payout-runs/", {"year": 2012, "quarter": 1})
    assert (started.status_code, started.json()["status"]) == (201, "QUEUED"), started.json()
    run_id = started.json()["id"]

    def calculated() -> dict[str, Any] | None:
        body = fk.get(f"/api/v1/payout-runs/{run_id}/").json()
        return body if body["status"] in ("CALCULATED", "FAILED") else None

    run = wait_for(calculated, timeout=60)
    assert run["status"] == "CALCULATED", run["failure_reason"]

    # Four eyes: the case officer who started it cannot approve (and is no approver).
    refused = fk.post(f"/api/v1/payout-runs/{run_id}/approve/")
    assert refused.status_code == 403
    approved = _system(token_for(approver, "FK attest")).post(
        f"/api/v1/payout-runs/{run_id}/approve/"
    )
    assert (approved.status_code, approved.json()["status"]) == (200, "APPROVED")

    lines = {line["region"]: line for line in approved.json()["lines"]}
    assert lines["01"]["amount_ore"] == EXPECTED_ORE
    assert lines["03"]["amount_ore"] == EXPECTED_ORE
    assert lines["01"]["earned_ore"] == lines["03"]["earned_ore"] == EXPECTED_ORE
    assert lines["01"]["explanation"] != []
    stored = dict(PayoutLine.objects.filter(run_id=run_id).values_list("region_id", "amount_ore"))
    assert (stored["01"], stored["03"]) == (EXPECTED_ORE, EXPECTED_ORE)
    assert sum(stored.values()) == approved.json()["total_ore"] == 2 * EXPECTED_ORE

    export = fk.post(f"/api/v1/payout-runs/{run_id}/exports/", {"kind": "CSV"})
    assert export.status_code == 201, export.json()
    download = fk.get(export.json()["download"])
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert download.headers["X-Checksum-SHA256"] == hashlib.sha256(download.content).hexdigest()
    assert download.headers["X-Checksum-SHA256"] == export.json()["sha256"]
