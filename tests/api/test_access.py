"""Every endpoint as each role, and as another region's token: nothing outside
one's scope is listed, read or changed (other regions' reports are 404, actions the
role may not take are 403 and change nothing); a revoked token gets 401."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from payments.models import PayoutRun
from rehab.api.tokens import api_token_revoke
from rehab.models import Agreement, ApiToken
from reporting.models import Report, ReportEvent, ReportVersion
from tests.factories import report_version

pytestmark = pytest.mark.django_db

ROLES = ["coordinator", "viewer", "other_coordinator", "case_officer", "approver", "admin_user"]
C, V, OC, CO, AP, AD = ROLES

# (method, url, body, {role: expected status}); urls name the objects set up below:
# {submitted} 01's submitted 2012Q1, {draft} 01's draft 2012Q2, {accepted} 01's
# accepted 2012Q3, {run} a queued run of 2012Q1.
READ_01 = {C: 200, V: 200, OC: 404, CO: 200, AP: 200, AD: 200}
NATIONAL_READ = {C: 404, V: 404, OC: 404, CO: 200, AP: 200, AD: 200}
REVIEW = {C: 403, V: 403, OC: 404, CO: 200, AP: 403, AD: 403}
CASES: list[tuple[str, str, Any, dict[str, int]]] = [
    ("get", "/api/v1/regions/", None, dict.fromkeys(ROLES, 200)),
    ("get", "/api/v1/agreements/2012/", None, dict.fromkeys(ROLES, 200)),
    ("get", "/api/v1/reports/{submitted}/", None, READ_01),
    ("get", "/api/v1/reports/{submitted}/versions/1/", None, READ_01),
    ("get", "/api/v1/reports/{draft}/draft/", None, READ_01),
    ("post", "/api/v1/reports/{draft}/validate/", None, READ_01),
    (
        "put",
        "/api/v1/reports/{draft}/draft/",
        {"lock_version": 0, "series": []},
        {C: 200, V: 403, OC: 404, CO: 403, AP: 403, AD: 403},
    ),
    (
        "post",
        "/api/v1/reports/{draft}/submit/",
        {"lock_version": 0, "explanations": {"": "Sent."}, "eligibility_confirmed": True},
        {C: 200, V: 403, OC: 404, CO: 403, AP: 403, AD: 403},
    ),
    ("post", "/api/v1/reports/{submitted}/accept/", {"version": 1}, REVIEW),
    (
        "post",
        "/api/v1/reports/{submitted}/return/",
        {"version": 1, "comment": "Rätta KBT."},
        REVIEW,
    ),
    (
        "post",
        "/api/v1/reports/{accepted}/corrections/",
        {"reason": "Fel i KBT."},
        {C: 201, V: 403, OC: 404, CO: 403, AP: 403, AD: 403},
    ),
    (
        "post",
        "/api/v1/reports/",
        {"region": "01", "period": "2012Q4"},
        {C: 201, V: 403, OC: 403, CO: 403, AP: 403, AD: 403},
    ),
    ("get", "/api/v1/payout-runs/", None, NATIONAL_READ),
    ("get", "/api/v1/payout-runs/{run}/", None, NATIONAL_READ),
    (
        "post",
        "/api/v1/payout-runs/",
        {"year": 2012, "quarter": 2},
        {C: 404, V: 404, OC: 404, CO: 201, AP: 403, AD: 403},
    ),
    # The run is still queued: the approver may approve runs, but not this one yet.
    (
        "post",
        "/api/v1/payout-runs/{run}/approve/",
        None,
        {C: 404, V: 404, OC: 404, CO: 403, AP: 409, AD: 403},
    ),
    (
        "post",
        "/api/v1/payout-runs/{run}/exports/",
        {"kind": "CSV"},
        {C: 404, V: 404, OC: 404, CO: 409, AP: 409, AD: 403},
    ),
    (
        "get",
        "/api/v1/payout-runs/{run}/exports/1/download/",
        None,
        {C: 404, V: 404, OC: 404, CO: 404, AP: 404, AD: 403},
    ),
]


@pytest.fixture
def objects(coordinator: Any, case_officer: Any) -> dict[str, int]:
    submitted = report_version(
        region="01", year=2012, quarter=1, user=coordinator, status="SUBMITTED"
    )
    draft = report_version(region="01", year=2012, quarter=2, user=coordinator, status="DRAFT")
    accepted = report_version(region="01", year=2012, quarter=3, user=coordinator)
    report_version(region="03", year=2012, quarter=1, user=coordinator, status="SUBMITTED")
    run = PayoutRun.objects.create(
        agreement=Agreement.objects.get(year=2012),
        kind="QUARTER",
        quarter=1,
        started_by=case_officer,
    )
    return {
        "submitted": submitted.report_id,
        "draft": draft.report_id,
        "accepted": accepted.report_id,
        "run": run.pk,
    }


def _state() -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    return (
        list(ReportVersion.objects.order_by("pk").values_list("pk", "status", "lock_version")),
        Report.objects.count(),
        ReportEvent.objects.count(),
        list(PayoutRun.objects.order_by("pk").values_list("pk", "status")),
    )


@pytest.mark.parametrize(("method", "url", "body", "expected"), CASES)
def test_access_every_endpoint_as_every_role(request, api, objects, method, url, body, expected):
    for role in ROLES:
        client = api(request.getfixturevalue(role))
        with transaction.atomic():
            before = _state()
            response = getattr(client, method)(url.format(**objects), body)
            assert response.status_code == expected[role], (role, response.content[:500])
            assert response["Content-Type"].startswith("application/json")
            if response.status_code >= 400:
                assert set(response.json()["error"]) == {"code", "message", "field", "details"}
                assert _state() == before, role
            # Each role starts from the same objects.
            transaction.set_rollback(True)


@pytest.mark.parametrize(("method", "url", "body", "expected"), CASES)
def test_access_revoked_token_is_401_everywhere(
    api, objects, coordinator, admin_user, method, url, body, expected
):
    client = api(coordinator)
    api_token_revoke(token=ApiToken.objects.get(user=coordinator), acting_user=admin_user)
    before = _state()
    response = getattr(client, method)(url.format(**objects), body)
    assert (response.status_code, response.json()["error"]["code"]) == (401, "invalid_token")
    assert _state() == before


@pytest.mark.parametrize(
    ("role", "regions"),
    [
        ("coordinator", ["01"]),
        ("viewer", ["01"]),
        ("other_coordinator", ["03"]),
        ("case_officer", ["01", "03"]),
        ("approver", ["01", "03"]),
        ("admin_user", ["01", "03"]),
    ],
)
def test_access_report_list_shows_only_the_callers_regions(request, api, objects, role, regions):
    client = api(request.getfixturevalue(role))
    listed = client.get("/api/v1/reports/?page_size=100").json()["results"]
    assert sorted({r["region"] for r in listed}) == regions
    # Asking for another region's reports by filter gives nothing, not an error.
    other = "03" if regions == ["01"] else "01"
    filtered = client.get(f"/api/v1/reports/?region={other}").json()
    assert filtered["count"] == (0 if other not in regions else filtered["count"])
