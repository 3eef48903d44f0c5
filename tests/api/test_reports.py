"""Reports through the API: the same services and rules as the browser."""

from __future__ import annotations

from typing import Any

import pytest

from reporting.models import Report, ReportEvent, ReportVersion
from tests.factories import report_version

pytestmark = pytest.mark.django_db

FIGURES = {
    "comment": "Från vårt journalsystem",
    "series": [
        {"treatment": "KBT", "sex": "F", "provider": "PUBLIC", "value": 12},
        {"treatment": "KBT", "sex": "M", "provider": "PRIVATE", "value": 5},
        {"treatment": "MMR1", "sex": "F", "provider": "PUBLIC", "value": 3},
    ],
    "extras": [{"kind": "EMPLOYER_CONTACT", "sex": "F", "value": 3}],
}


def _start(client: Any, region: str = "01", period: str = "2012Q1") -> dict[str, Any]:
    response = client.post("/api/v1/reports/", {"region": region, "period": period})
    assert response.status_code in (200, 201), response.json()
    return response.json()


def _save(client: Any, report_id: int, lock_version: int, **changes: Any) -> Any:
    return client.put(
        f"/api/v1/reports/{report_id}/draft/",
        {**FIGURES, "lock_version": lock_version, **changes},
    )


def test_report_create_opens_draft_version_1(api, coordinator):
    client = api(coordinator)
    response = client.post("/api/v1/reports/", {"region": "01", "period": "2012Q1"})
    body = response.json()
    assert response.status_code == 201
    assert (body["region"], body["period"], body["state"]) == ("01", "2012Q1", "DRAFT")
    assert body["latest_version"]["number"] == 1
    assert body["latest_version"]["lock_version"] == 0
    again = client.post("/api/v1/reports/", {"region": "01", "period": "2012Q1"})
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    assert Report.objects.filter(region_id="01").count() == 1


def test_report_save_draft_stores_cells_like_the_grid(api, coordinator):
    client = api(coordinator)
    report = _start(client)
    response = _save(client, report["id"], 0)
    body = response.json()
    assert response.status_code == 200
    assert body["lock_version"] == 1
    assert body["comment"] == "Från vårt journalsystem"
    assert body["series"] == sorted(
        FIGURES["series"], key=lambda c: (c["treatment"], c["sex"], c["provider"])
    )
    assert body["extras"] == FIGURES["extras"]
    version = ReportVersion.objects.get(report_id=report["id"])
    assert {(s.treatment_id, s.sex, s.provider): s.value for s in version.series.all()} == {
        ("KBT", "F", "PUBLIC"): 12,
        ("KBT", "M", "PRIVATE"): 5,
        ("MMR1", "F", "PUBLIC"): 3,
    }


def test_report_save_with_stale_lock_version_is_409_and_saves_nothing(api, coordinator):
    client = api(coordinator)
    report = _start(client)
    assert _save(client, report["id"], 0).status_code == 200
    response = _save(client, report["id"], 0, comment="gammal flik")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_draft"
    assert ReportVersion.objects.get(report_id=report["id"]).comment == FIGURES["comment"]


def test_report_save_negative_value_is_422_with_the_cell(api, coordinator):
    client = api(coordinator)
    report = _start(client)
    response = _save(
        client,
        report["id"],
        0,
        series=[{"treatment": "KBT", "sex": "F", "provider": "PUBLIC", "value": -4}],
    )
    error = response.json()["error"]
    assert response.status_code == 422
    assert error["code"] == "validation_failed"
    assert [(d["code"], d["field"], d["severity"]) for d in error["details"]] == [
        ("negative", "KBT:F:PUBLIC", "error")
    ]
    assert "negativt" in error["details"][0]["message"]


def test_report_save_treatment_outside_agreement_is_422(api, coordinator):
    client = api(coordinator)
    report = _start(client)
    response = _save(
        client,
        report["id"],
        0,
        series=[{"treatment": "EMDR", "sex": "F", "provider": "PUBLIC", "value": 1}],
    )
    assert response.status_code == 422
    assert [d["code"] for d in response.json()["error"]["details"]] == [
        "treatment_not_in_agreement"
    ]


def test_report_save_duplicate_cell_is_400(api, coordinator):
    client = api(coordinator)
    report = _start(client)
    cell = {"treatment": "KBT", "sex": "F", "provider": "PUBLIC", "value": 1}
    response = _save(client, report["id"], 0, series=[cell, cell])
    error = response.json()["error"]
    assert response.status_code == 400
    assert (error["code"], error["field"], error["details"][0]["code"]) == (
        "invalid",
        "series.1",
        "duplicate_cell",
    )


def test_report_save_wrong_type_is_400_naming_the_field(api, coordinator):
    client = api(coordinator)
    report = _start(client)
    response = _save(
        client,
        report["id"],
        0,
        series=[{"treatment": "KBT", "sex": "X", "provider": "PUBLIC", "value": "tolv"}],
    )
    error = response.json()["error"]
    assert response.status_code == 400
    assert sorted(d["field"] for d in error["details"]) == ["series.0.sex", "series.0.value"]


def test_report_validate_lists_errors_and_warnings_with_codes(api, coordinator):
    client = api(coordinator)
    report = _start(client)
    _save(
        client,
        report["id"],
        0,
        # 21 Arbetsförmedlingen contacts against 20 completed series in all.
        extras=[{"kind": "AF_CONTACT", "sex": "M", "value": 21}],
    )
    response = client.post(f"/api/v1/reports/{report['id']}/validate/")
    body = response.json()
    assert response.status_code == 200
    assert body["ok"] is False
    assert [(i["code"], i["key"]) for i in body["errors"]] == [
        ("af_contacts_exceed_series", "AF_CONTACT:M")
    ]
    assert [(i["code"], i["key"]) for i in body["warnings"]] == [("late_filing", "")]


def test_report_submit_needs_an_explanation_for_each_warning(api, coordinator):
    client = api(coordinator)
    report = _start(client)
    _save(client, report["id"], 0)
    response = client.post(
        f"/api/v1/reports/{report['id']}/submit/", {"lock_version": 1, "explanations": {}}
    )
    error = response.json()["error"]
    assert response.status_code == 422
    assert (error["code"], error["field"]) == ("explanation_missing", "")
    assert [(d["code"], d["severity"]) for d in error["details"]] == [("late_filing", "warning")]
    assert ReportVersion.objects.get(report_id=report["id"]).status == "DRAFT"

    response = client.post(
        f"/api/v1/reports/{report['id']}/submit/",
        {"lock_version": 1, "explanations": {"": "Systembytet försenade oss."}},
    )
    error = response.json()["error"]
    assert response.status_code == 422
    assert (error["code"], error["field"]) == ("eligibility_not_confirmed", "eligibility_confirmed")
    assert "Bekräfta att rapporten bara räknar" in error["message"]
    assert ReportVersion.objects.get(report_id=report["id"]).status == "DRAFT"
    eligibility = client.get(f"/api/v1/reports/{report['id']}/").json()["eligibility"]
    assert any("patienten har samtyckt" in point for point in eligibility)

    response = client.post(
        f"/api/v1/reports/{report['id']}/submit/",
        {
            "lock_version": 1,
            "explanations": {"": "Systembytet försenade oss."},
            "eligibility_confirmed": True,
        },
    )
    body = response.json()
    assert response.status_code == 200
    assert "genomförda behandlingsserier" in body["eligibility_statement"]
    assert body["eligibility_confirmed_at"] == body["submitted_at"]
    assert (body["status"], body["submitted_by"], body["submitted_late"]) == (
        "SUBMITTED",
        coordinator.username,
        True,
    )
    assert [(w["code"], w["explanation"]) for w in body["explained_warnings"]] == [
        ("late_filing", "Systembytet försenade oss.")
    ]


def _submitted(api: Any, coordinator: Any) -> dict[str, Any]:
    client = api(coordinator)
    report = _start(client)
    _save(client, report["id"], 0)
    response = client.post(
        f"/api/v1/reports/{report['id']}/submit/",
        {"lock_version": 1, "explanations": {"": "Sent."}, "eligibility_confirmed": True},
    )
    assert response.status_code == 200, response.json()
    return report


def test_report_accept_by_case_officer(api, coordinator, case_officer):
    report = _submitted(api, coordinator)
    response = api(case_officer).post(
        f"/api/v1/reports/{report['id']}/accept/", {"version": 1, "comment": "Ser bra ut."}
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["decided_by"], body["review_comment"]) == (
        "ACCEPTED",
        case_officer.username,
        "Ser bra ut.",
    )
    detail = api(coordinator).get(f"/api/v1/reports/{report['id']}/").json()
    assert (detail["state"], detail["accepted_version"]) == ("ACCEPTED", 1)


def test_report_accept_of_another_version_number_is_409(api, coordinator, case_officer):
    report = _submitted(api, coordinator)
    response = api(case_officer).post(f"/api/v1/reports/{report['id']}/accept/", {"version": 2})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "version_mismatch"
    assert ReportVersion.objects.get(report_id=report["id"]).status == "SUBMITTED"


def test_report_accept_twice_is_409(api, coordinator, case_officer):
    report = _submitted(api, coordinator)
    client = api(case_officer)
    assert client.post(f"/api/v1/reports/{report['id']}/accept/", {"version": 1}).status_code == 200
    response = client.post(f"/api/v1/reports/{report['id']}/accept/", {"version": 1})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_report_return_opens_a_new_draft_with_the_comment(api, coordinator, case_officer):
    report = _submitted(api, coordinator)
    response = api(case_officer).post(
        f"/api/v1/reports/{report['id']}/return/",
        {"version": 1, "comment": "KBT verkar för högt.", "flagged_cells": ["KBT:F:PUBLIC"]},
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["number"], body["status"]) == (2, "DRAFT")
    returned = api(coordinator).get(f"/api/v1/reports/{report['id']}/versions/1/").json()
    assert (returned["status"], returned["review_comment"], returned["flagged_cells"]) == (
        "RETURNED",
        "KBT verkar för högt.",
        ["KBT:F:PUBLIC"],
    )
    assert api(coordinator).get(f"/api/v1/reports/{report['id']}/").json()["state"] == "RETURNED"


def test_report_return_without_comment_is_400(api, coordinator, case_officer):
    report = _submitted(api, coordinator)
    response = api(case_officer).post(
        f"/api/v1/reports/{report['id']}/return/", {"version": 1, "comment": " "}
    )
    error = response.json()["error"]
    assert response.status_code == 400
    assert (error["code"], error["field"]) == ("comment_required", "comment")


def test_report_correction_of_accepted_report(api, coordinator, case_officer):
    report = _submitted(api, coordinator)
    api(case_officer).post(f"/api/v1/reports/{report['id']}/accept/", {"version": 1})
    client = api(coordinator)
    response = client.post(
        f"/api/v1/reports/{report['id']}/corrections/", {"reason": "Dubbelräknade MMR1."}
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["number"], body["status"], body["is_correction"]) == (2, "DRAFT", True)
    assert client.get(f"/api/v1/reports/{report['id']}/").json()["state"] == "CORRECTING"
    again = client.post(f"/api/v1/reports/{report['id']}/corrections/", {"reason": "Igen."})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "version_open")


def test_report_create_for_submitted_report_is_409(api, coordinator):
    _submitted(api, coordinator)
    response = api(coordinator).post("/api/v1/reports/", {"region": "01", "period": "2012Q1"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_open_draft"


def test_report_create_unknown_period_is_400(api, coordinator):
    response = api(coordinator).post("/api/v1/reports/", {"region": "01", "period": "2031Q1"})
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["field"]) == (
        400,
        "unknown_period",
        "period",
    )


def test_report_actions_write_the_same_audit_events_as_the_browser(api, coordinator, case_officer):
    report = _submitted(api, coordinator)
    api(case_officer).post(f"/api/v1/reports/{report['id']}/accept/", {"version": 1})
    assert list(
        ReportEvent.objects.filter(report_id=report["id"]).values_list("action", "actor__username")
    ) == [
        ("CREATED", coordinator.username),
        ("SAVED", coordinator.username),
        ("SUBMITTED", coordinator.username),
        ("ACCEPTED", case_officer.username),
    ]


# --------------------------------------------------------------------------- list


def test_report_list_filters(api, case_officer, coordinator):
    report_version(region="01", year=2012, quarter=1, user=coordinator, status="ACCEPTED")
    report_version(region="01", year=2012, quarter=2, user=coordinator, status="SUBMITTED")
    report_version(region="03", year=2012, quarter=1, user=coordinator, status="DRAFT")
    report_version(region="03", year=2020, user=coordinator, status="ACCEPTED")
    client = api(case_officer)

    def listed(query: str) -> list[tuple[str, str]]:
        response = client.get(f"/api/v1/reports/?{query}")
        assert response.status_code == 200, response.json()
        return [(r["region"], r["period"]) for r in response.json()["results"]]

    assert listed("") == [("01", "2012Q1"), ("03", "2012Q1"), ("01", "2012Q2"), ("03", "2020")]
    assert listed("year=2012") == [("01", "2012Q1"), ("03", "2012Q1"), ("01", "2012Q2")]
    assert listed("period=2012Q1") == [("01", "2012Q1"), ("03", "2012Q1")]
    assert listed("status=ACCEPTED") == [("01", "2012Q1"), ("03", "2020")]
    assert listed("status=SUBMITTED&region=01") == [("01", "2012Q2")]
    assert listed("region=03&year=2020") == [("03", "2020")]


@pytest.mark.parametrize(
    ("query", "field"),
    [("period=2012-1", "period"), ("year=tjugo", "year"), ("status=KLAR", "status")],
)
def test_report_list_invalid_filter_is_400(api, case_officer, query, field):
    response = api(case_officer).get(f"/api/v1/reports/?{query}")
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["field"]) == (400, "invalid_filter", field)


def test_report_list_is_paginated(api, case_officer, coordinator):
    for quarter in (1, 2, 3):
        report_version(region="01", year=2012, quarter=quarter, user=coordinator)
    body = api(case_officer).get("/api/v1/reports/?page_size=2").json()
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)
    assert body["next"].endswith("/api/v1/reports/?page=2&page_size=2")


def _reports(n: int, user: Any) -> None:
    regions = [f"{code:02d}" for code in (1, 3, 4, 5, 6, 7, 8, 9, 10, 12)]
    for i in range(n):
        report_version(
            region=regions[i % len(regions)], year=2012, quarter=1 + i // len(regions), user=user
        )


@pytest.mark.parametrize("size", [2, 12])
def test_report_list_query_count_does_not_grow(
    api, case_officer, coordinator, django_assert_num_queries, size
):
    _reports(size, coordinator)
    client = api(case_officer)
    client.get("/api/v1/reports/")  # the token's last_used_at is written once a minute
    # token, the data version, then (this test's transaction has written data, so
    # nothing is read from the cache: tests/rehab/test_page_cache.py) count, page of
    # reports, their versions
    with django_assert_num_queries(5):
        response = client.get("/api/v1/reports/")
    assert response.json()["count"] == size


@pytest.mark.django_db(transaction=True)
def test_report_list_shows_an_acceptance_and_a_correction_on_the_next_request(
    api, coordinator, case_officer
):
    """The list's JSON is read from the cache once computed (committed data, as in
    production: this test commits), and an acceptance or a correction committed
    through the API is in the next answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = _submitted(api, coordinator)
    officer = api(case_officer)

    def listed() -> tuple[str, int | None, int]:
        response = officer.get("/api/v1/reports/?year=2012")
        assert response["Content-Type"] == "application/json"
        (row,) = response.json()["results"]
        return row["state"], row["accepted_version"], row["latest_version"]["number"]

    assert listed() == ("SUBMITTED", None, 1)
    with CaptureQueriesContext(connection) as captured:
        assert listed() == ("SUBMITTED", None, 1)
    assert not [q for q in captured.captured_queries if "reporting_report" in q["sql"]]

    accepted = officer.post(f"/api/v1/reports/{report['id']}/accept/", {"version": 1})
    assert accepted.status_code == 200, accepted.json()
    assert listed() == ("ACCEPTED", 1, 1)
    corrected = api(coordinator).post(
        f"/api/v1/reports/{report['id']}/corrections/", {"reason": "Dubbelräknade MMR1."}
    )
    assert corrected.status_code == 201, corrected.json()
    assert listed() == ("CORRECTING", 1, 2)


def test_report_save_with_an_unknown_field_is_400_naming_it(api, coordinator):
    client = api(coordinator)
    report = _start(client)
    response = _save(client, report["id"], 0, kommentar="stavfel")
    error = response.json()["error"]
    assert (response.status_code, error["field"]) == (400, "kommentar")
    assert "Okänt fält: kommentar." in str(error)
    response = _save(
        client,
        report["id"],
        0,
        series=[{"treatment": "KBT", "sex": "F", "provider": "PUBLIC", "value": 1, "valu": 2}],
    )
    assert response.status_code == 400
    assert "valu" in response.json()["error"]["field"]
    assert ReportVersion.objects.get(report_id=report["id"]).lock_version == 0


def test_options_on_the_draft_endpoint_is_no_500(api, coordinator):
    client = api(coordinator)
    report = _start(client)
    response = client.options(f"/api/v1/reports/{report['id']}/draft/")
    assert response.status_code == 200
    assert response.json()["parses"] == ["application/json"]
