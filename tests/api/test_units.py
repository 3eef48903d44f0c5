# ruff: noqa: F811  (the care-unit fixtures are imported from tests/units/conftest.py)
"""The care units through the API: the same rules and services as the browser."""

from __future__ import annotations

import pytest
from django.utils import timezone

from payments.models import PayoutLine, PayoutRun
from rehab.models import CareUnit
from reporting.selectors import figures_of
from reporting.services import report_accept, report_submit
from reporting.units import latest_version
from tests.units.conftest import period, reporter1, reporter2, units  # noqa: F401

pytestmark = pytest.mark.django_db


def figures_path(unit, period):
    return f"/api/v1/units/{unit.pk}/figures/{period.pk}/"


BODY = {
    "lock_version": 0,
    "comment": "Ur journalen",
    "series": [{"treatment": "KBT", "sex": "F", "provider": "PUBLIC", "value": 12}],
    "extras": [{"kind": "EMPLOYER_CONTACT", "sex": "F", "value": 3}],
}


def test_unit_reporter_puts_its_figures_and_marks_them_ready(api, units, period, reporter1):
    client = api(reporter1)
    listed = client.get("/api/v1/units/").json()
    assert [u["name"] for u in listed["results"]] == ["Vårdcentralen Norr"]
    assert client.get(figures_path(units[0], period)).json()["state"] == "NOT_STARTED"
    saved = client.put(figures_path(units[0], period), BODY)
    assert saved.status_code == 200
    assert saved.json()["state"] == "DRAFT"
    assert saved.json()["lock_version"] == 1
    ready = client.post(
        figures_path(units[0], period) + "ready/",
        {"lock_version": 1},
        HTTP_IDEMPOTENCY_KEY="ready-1",
    )
    assert ready.status_code == 200
    assert ready.json()["state"] == "READY"
    assert figures_of(latest_version("01", period)).cells() == {
        "KBT:F:PUBLIC": 12,
        "EMPLOYER_CONTACT:F": 3,
    }
    stale = client.put(figures_path(units[0], period), BODY)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_draft"
    wrong = client.put(
        figures_path(units[0], period),
        {**BODY, "lock_version": 2, "series": [{**BODY["series"][0], "provider": "PRIVATE"}]},
    )
    assert wrong.status_code == 422
    assert wrong.json()["error"]["details"][0]["field"] == "KBT:F:PRIVATE"
    assert wrong.json()["error"]["details"][0]["code"] == "provider_not_units"


def test_unit_reporter_gets_404_on_another_unit_and_the_regions_report(
    api, units, period, reporter1, reporter2, coordinator
):
    api(reporter2).put(figures_path(units[1], period), BODY)
    report_id = latest_version("01", period).report_id
    client = api(reporter1)
    for path in (figures_path(units[1], period), f"/api/v1/reports/{report_id}/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert client.put(figures_path(units[1], period), BODY).status_code == 404
    assert client.get("/api/v1/reports/").json()["count"] == 0
    assert client.get("/api/v1/funds/01/2020/").status_code == 404
    other = CareUnit.objects.create(region_id="03", name="Uppsala VC", provider="PUBLIC")
    assert client.get(f"/api/v1/units/{other.pk}/allotments/").status_code == 404


def test_viewer_reads_but_cannot_put(api, units, period, viewer):
    client = api(viewer)
    assert client.get(figures_path(units[0], period)).status_code == 200
    refused = client.put(figures_path(units[0], period), BODY)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"


def test_frozen_after_submit_through_the_api(api, units, period, reporter1, coordinator):
    api(reporter1).put(figures_path(units[0], period), BODY)
    version = latest_version("01", period)
    report_submit(
        version=version,
        lock_version=version.lock_version,
        explanations={"": "Sent."},
        eligibility_confirmed=True,
        acting_user=coordinator,
    )
    refused = api(reporter1).put(figures_path(units[0], period), {**BODY, "lock_version": 1})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "frozen"


def test_funds_through_the_api(api, units, period, reporter1, coordinator, case_officer, approver):
    api(reporter1).put(figures_path(units[0], period), BODY)
    version = latest_version("01", period)
    report_submit(
        version=version,
        lock_version=version.lock_version,
        explanations={"": "Sent."},
        eligibility_confirmed=True,
        acting_user=coordinator,
    )
    report_accept(version=version, acting_user=case_officer)
    client = api(coordinator)
    early = client.post(
        "/api/v1/funds/01/2020/",
        {"based_on": 0, "rows": [{"purpose": "IT-utveckling", "amount_ore": 100}]},
        HTTP_IDEMPOTENCY_KEY="funds-0",
    )
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "nothing_received"
    run = PayoutRun.objects.create(
        agreement=period.agreement, kind="YEAR", status="RUNNING", started_by=case_officer
    )
    PayoutLine.objects.create(run=run, region_id="01", amount_ore=1_000_000)
    PayoutRun.objects.filter(pk=run.pk).update(
        status="CALCULATED", total_ore=1_000_000, computed_at=timezone.now()
    )
    PayoutRun.objects.filter(pk=run.pk).update(
        status="APPROVED", approved_by=approver, approved_at=timezone.now()
    )
    saved = client.post(
        "/api/v1/funds/01/2020/",
        {
            "based_on": 0,
            "rows": [
                {"unit": units[0].pk, "amount_ore": 600_000},
                {"purpose": "Processledning", "amount_ore": 300_000},
            ],
        },
        HTTP_IDEMPOTENCY_KEY="funds-1",
    )
    assert saved.status_code == 201
    assert saved.json()["left_over_ore"] == 100_000
    assert api(reporter1).get(f"/api/v1/units/{units[0].pk}/allotments/").json() == [
        {"year": 2020, "amount_ore": 600_000, "received_ore": 1_000_000}
    ]
    bad = client.post(
        "/api/v1/funds/01/2020/",
        {"based_on": 1, "rows": [{"amount_ore": 5}]},
        HTTP_IDEMPOTENCY_KEY="funds-2",
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_row"
