"""Written accounts through the API (/api/v1/accounts/…): the 2020 villkor 2 answered,
submitted, returned, completed and assessed; the same region scope (404), roles
(403) and error shape (400 naming the field) as the report endpoints."""

from __future__ import annotations

import io
from typing import Any

import pytest

from rehab.models import Condition
from reporting.accounts.models import AccountEvent, AccountVersion
from reporting.accounts.services import account_attach, account_get_or_create, account_open_draft
from tests.reporting.test_accounts import private_media  # noqa: F401  (autouse fixture)
from tests.reporting.test_filecheck import PDF_BYTES

pytestmark = pytest.mark.django_db


def _error(response: Any) -> tuple[int, str, str | None]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["field"]


@pytest.fixture
def account_id(ref: None, api: Any, coordinator: Any) -> int:
    response = api(coordinator).post(
        "/api/v1/accounts/", {"region": "01", "year": 2020, "condition": "V2"}
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def test_account_answered_submitted_returned_and_assessed_through_the_api(
    api: Any, account_id: int, coordinator: Any, case_officer: Any
) -> None:
    region, fk = api(coordinator), api(case_officer)
    url = f"/api/v1/accounts/{account_id}/"
    detail = region.get(url).json()
    assert (detail["condition"], detail["year"], detail["state"]) == ("V2", 2020, "DRAFT")
    assert [r["number"] for r in detail["requirements"]] == [1, 2]
    # Asking again opens the same draft.
    again = region.post("/api/v1/accounts/", {"region": "01", "year": 2020, "condition": "V2"})
    assert (again.status_code, again.json()["id"]) == (200, account_id)

    saved = region.put(url + "draft/", {"lock_version": 0, "answers": {"1": "Utbildning.\r\n"}})
    assert saved.status_code == 200, saved.content
    assert (saved.json()["lock_version"], saved.json()["answers"]) == (1, {"1": "Utbildning."})
    draft = AccountVersion.objects.get(account_id=account_id)
    account_attach(
        version=draft,
        name="Redovisning.pdf",
        stream=io.BytesIO(PDF_BYTES),
        lock_version=1,
        acting_user=coordinator,
    )
    # Requirement 2 unanswered: refused, naming it; nothing changed.
    refused = region.post(url + "submit/", {"lock_version": 2, "late_explanation": "Sent."})
    assert _error(refused) == (400, "answer_missing", "answers.2")
    assert AccountVersion.objects.get(pk=draft.pk).status == "DRAFT"
    # The deadline (2020-12-11) has passed: an explanation is needed.
    late = region.post(url + "submit/", {"lock_version": 2, "answers": {"2": "Nätverk."}})
    assert _error(late) == (400, "explanation_missing", "late_explanation")
    submitted = region.post(
        url + "submit/",
        {"lock_version": 2, "answers": {"2": "Nätverk."}, "late_explanation": "Sjukdom."},
    )
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert (body["status"], body["submitted_late"], body["submitted_by"]) == (
        "SUBMITTED",
        True,
        "samordnare01",
    )
    event = AccountEvent.objects.get(version=draft, action="SUBMITTED")
    assert event.api_token is not None  # the events say which API key was used

    # FK reads it, with its attachment.
    listed = fk.get("/api/v1/accounts/", {"year": 2020, "condition": "V2"}).json()["results"]
    assert [(a["id"], a["state"], a["region"]) for a in listed] == [(account_id, "SUBMITTED", "01")]
    attachments = fk.get(url + "attachments/").json()
    assert [(a["name"], a["version"], a["size"]) for a in attachments] == [
        ("Redovisning.pdf", 1, len(PDF_BYTES))
    ]
    download = fk.get(attachments[0]["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF_BYTES

    # FK's assessment: each requirement decided, reasons where needed.
    assess = url + "assess/"
    missing_reason = fk.post(
        assess,
        {"version": 1, "decisions": {"1": {"outcome": "FULFILLED"}, "2": {"outcome": "RETURNED"}}},
    )
    assert _error(missing_reason) == (400, "comment_required", "decisions.2.comment")
    unknown = fk.post(
        assess,
        {"version": 1, "decisions": {"1": {"outcome": "FULFILLED"}, "x": {"outcome": "FULFILLED"}}},
    )
    assert _error(unknown) == (400, "invalid", "decisions.x")
    wrong_outcome = fk.post(assess, {"version": 1, "decisions": {"1": {"outcome": "MAYBE"}}})
    assert _error(wrong_outcome) == (400, "invalid", "decisions.1.outcome")
    wrong_version = fk.post(assess, {"version": 2, "decisions": {"1": {"outcome": "FULFILLED"}}})
    assert _error(wrong_version) == (409, "version_mismatch", "version")
    assert AccountVersion.objects.get(pk=draft.pk).status == "SUBMITTED"
    returned = fk.post(
        assess,
        {
            "version": 1,
            "decisions": {
                "1": {"outcome": "FULFILLED"},
                "2": {"outcome": "RETURNED", "comment": "Beskriv nätverket."},
            },
        },
    )
    assert returned.status_code == 200, returned.content
    assert [(a["requirement"], a["outcome"]) for a in returned.json()["assessments"]] == [
        (1, "FULFILLED"),
        (2, "RETURNED"),
    ]
    # The region's new draft is its own: FK does not see it.
    assert fk.get(url + "versions/2/").status_code == 404
    assert region.get(url).json()["state"] == "RETURNED"
    completed = region.get(url + "draft/").json()
    assert (completed["number"], completed["answers"]["2"]) == (2, "Nätverk.")
    assert [a["name"] for a in completed["attachments"]] == ["Redovisning.pdf"]
    resubmitted = region.post(
        url + "submit/",
        {
            "lock_version": completed["lock_version"],
            "answers": {"2": "Nätverk med handledning varje månad."},
            "late_explanation": "Komplettering.",
        },
    )
    assert resubmitted.status_code == 200, resubmitted.content
    assessed = fk.post(
        assess,
        {"version": 2, "decisions": {"1": {"outcome": "FULFILLED"}, "2": {"outcome": "FULFILLED"}}},
    )
    assert (assessed.json()["status"], assessed.json()["fulfilled"]) == ("ACCEPTED", True)
    final = region.get(url).json()
    assert (final["state"], final["fulfilled"], final["assessed_version"]) == (
        "FULFILLED",
        True,
        2,
    )
    assert [v["number"] for v in fk.get(url).json()["versions"]] == [1, 2]


def test_account_access_own_region_other_region_404_wrong_role_403(
    api: Any,
    account_id: int,
    coordinator: Any,
    other_coordinator: Any,
    viewer: Any,
    case_officer: Any,
) -> None:
    url = f"/api/v1/accounts/{account_id}/"
    draft = AccountVersion.objects.get(account_id=account_id)
    attachment = account_attach(
        version=draft,
        name="Bilaga.pdf",
        stream=io.BytesIO(PDF_BYTES),
        lock_version=0,
        acting_user=coordinator,
    )
    other = api(other_coordinator)
    for path in ("", "versions/1/", "draft/", "attachments/", f"attachments/{attachment.pk}/"):
        response = other.get(url + path)
        assert _error(response) == (404, "not_found", None), path
    assert other.get("/api/v1/accounts/").json()["results"] == []
    assert other.put(url + "draft/", {"lock_version": 1, "answers": {}}).status_code == 404
    # The region's own reader sees it but may not write; FK may not write the region's.
    reader = api(viewer)
    assert reader.get(url).status_code == 200
    assert reader.get(f"{url}attachments/{attachment.pk}/").status_code == 200
    for client in (reader, api(case_officer)):
        refused = client.put(url + "draft/", {"lock_version": 1, "answers": {"1": "x"}})
        assert _error(refused) == (403, "permission_denied", None)
        assert client.post(url + "submit/", {"lock_version": 1}).status_code == 403
    # FK does not see the region's draft, nor its attachments.
    fk = api(case_officer)
    assert fk.get(url + "versions/1/").status_code == 404
    assert fk.get(url + "attachments/").json() == []
    assert fk.get(f"{url}attachments/{attachment.pk}/").status_code == 404
    # Only FK assesses.
    decided = {"version": 1, "decisions": {"1": {"outcome": "FULFILLED"}}}
    assert _error(api(coordinator).post(url + "assess/", decided))[:2] == (
        403,
        "permission_denied",
    )
    # A coordinator may not open another region's account.
    create = other.post("/api/v1/accounts/", {"region": "01", "year": 2020, "condition": "V1"})
    assert _error(create) == (403, "permission_denied", "region")
    assert AccountVersion.objects.get(pk=draft.pk).lock_version == 1


def test_account_bad_input_is_400_naming_the_field(
    api: Any, account_id: int, coordinator: Any, ref: None
) -> None:
    client = api(coordinator)
    create = "/api/v1/accounts/"
    assert _error(client.post(create, {"region": "01", "year": 2020, "condition": "V9"})) == (
        400,
        "unknown_condition",
        "condition",
    )
    assert _error(client.post(create, {"region": "01", "year": 2020, "condition": "V3"})) == (
        400,
        "not_deliverable",
        "condition",
    )
    assert _error(client.post(create, {"region": "1", "year": 2020, "condition": "V2"})) == (
        400,
        "invalid",
        "region",
    )
    draft = f"/api/v1/accounts/{account_id}/draft/"
    assert _error(client.put(draft, {"lock_version": 0, "answers": {"7": "x"}})) == (
        400,
        "unknown_requirement",
        "answers",
    )
    assert _error(client.put(draft, {"lock_version": 0, "answers": {"one": "x"}})) == (
        400,
        "invalid",
        "answers.one",
    )
    assert _error(client.put(draft, {"lock_version": 0, "answers": {}, "answer": "x"})) == (
        400,
        "invalid",
        "answer",
    )
    assert _error(client.put(draft, {"answers": {"1": "x"}})) == (400, "invalid", "lock_version")
    stale = client.put(draft, {"lock_version": 5, "answers": {"1": "x"}})
    assert _error(stale) == (409, "stale_draft", None)
    assert AccountVersion.objects.get(account_id=account_id).answers.count() == 0


def test_account_created_in_the_browser_is_listed_for_its_region(
    api: Any, coordinator: Any, viewer: Any, ref: None
) -> None:
    v1 = Condition.objects.get(agreement__year=2020, code="V1")
    account = account_get_or_create(region="01", condition=v1, acting_user=coordinator)
    account_open_draft(account=account, acting_user=coordinator)
    listed = api(viewer).get("/api/v1/accounts/", {"region": "01"}).json()["results"]
    assert [(a["condition"], a["state"], a["latest_version"]["number"]) for a in listed] == [
        ("V1", "DRAFT", 1)
    ]
    bad = api(viewer).get("/api/v1/accounts/", {"year": "20"})
    assert _error(bad) == (400, "invalid_filter", "year")
