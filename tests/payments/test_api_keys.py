"""API keys are for service users only, every event names the key it came through,
and four eyes holds across keys: one administrator holding two keys is still one person."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from payments.enums import RunEventAction, RunStatus
from payments.models import PayoutRun, RunEvent
from payments.services import RunError, run_approve, run_compute
from rehab.api.tokens import api_token_issue
from rehab.models import ApiToken, User
from reporting.models import ReportEvent
from tests.api.conftest import as_service_user
from tests.conftest import sign_in
from tests.payments.conftest import EXAMPLE_A_YEAR, SERIES, A, accept_series

pytestmark = pytest.mark.django_db


def bearer(user: Any, issued_by: Any) -> tuple[APIClient, ApiToken]:
    token, secret = api_token_issue(
        name=f"System {user.username}", user=user, acting_user=issued_by
    )
    client = APIClient()
    client.default_format = "json"
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client, token


def test_api_key_for_a_person_is_refused(case_officer, admin_user):
    with pytest.raises(ValidationError) as error:
        api_token_issue(name="Handläggarens nyckel", user=case_officer, acting_user=admin_user)
    assert error.value.message_dict == {
        "user": [
            "API-nycklar utfärdas bara för tjänsteanvändare (utan lösenord), aldrig för en person."
        ]
    }
    assert ApiToken.objects.count() == 0


def test_admin_cannot_issue_a_key_for_a_person(client, case_officer, admin_user):
    sign_in(client, admin_user)
    response = client.post(
        "/admin/rehab/apitoken/add/", {"name": "Handläggarens nyckel", "user": case_officer.pk}
    )
    assert response.status_code == 200  # the form again, with the error
    assert ApiToken.objects.count() == 0
    service = as_service_user(case_officer)
    response = client.post(
        "/admin/rehab/apitoken/add/", {"name": "Ärendesystemet", "user": service.pk}
    )
    assert response.status_code == 302
    assert ApiToken.objects.get().user == service


def test_a_service_user_cannot_have_a_password(case_officer):
    case_officer.is_service_user = True
    assert case_officer.has_usable_password()
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        case_officer.save()
    assert "user_service_user_has_no_password" in str(error.value)


def test_admin_saving_a_service_user_removes_its_password(client, admin_user, case_officer):
    sign_in(client, admin_user)
    data = {
        "username": case_officer.username,
        "role": case_officer.role,
        "is_service_user": "on",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(f"/admin/rehab/user/{case_officer.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    case_officer.refresh_from_db()
    assert case_officer.is_service_user
    assert not case_officer.has_usable_password()


def test_key_of_a_user_who_is_no_longer_a_service_user_gets_401(case_officer, admin_user):
    client, _token = bearer(as_service_user(case_officer), admin_user)
    assert client.get("/api/v1/payout-runs/").status_code == 200
    User.objects.filter(pk=case_officer.pk).update(is_service_user=False, password="x")
    response = client.get("/api/v1/payout-runs/")
    assert response.status_code == 401


def test_report_events_record_the_key(coordinator, admin_user):
    client, token = bearer(as_service_user(coordinator), admin_user)
    report = client.post("/api/v1/reports/", {"region": "01", "period": "2012Q1"}).json()
    response = client.put(
        f"/api/v1/reports/{report['id']}/draft/",
        {"lock_version": report["latest_version"]["lock_version"], "series": [], "extras": []},
    )
    assert response.status_code == 200, response.json()
    events = list(ReportEvent.objects.values_list("action", "actor", "api_token"))
    assert events
    assert {(actor, key) for _action, actor, key in events} == {(coordinator.pk, token.pk)}


def test_one_administrator_cannot_start_and_approve_through_two_keys(
    example_a, case_officer, approver, coordinator, admin_user, django_user_model
):
    accept_series(A, EXAMPLE_A_YEAR, 1, coordinator, SERIES[A][1])
    officer_system, start_key = bearer(as_service_user(case_officer), admin_user)
    approver_system, approve_key = bearer(as_service_user(approver), admin_user)
    started = officer_system.post("/api/v1/payout-runs/", {"year": EXAMPLE_A_YEAR, "quarter": 1})
    assert started.status_code == 201, started.json()
    run_id = started.json()["id"]
    run_compute(run_id=run_id)

    response = approver_system.post(f"/api/v1/payout-runs/{run_id}/approve/")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "four_eyes")
    assert PayoutRun.objects.get(pk=run_id).status == RunStatus.CALCULATED

    # A key for the approving system issued by another administrator may approve.
    other_admin = django_user_model.objects.create_user("admin2", is_staff=True, is_superuser=True)
    approver_system, approve_key = bearer(approver, other_admin)
    response = approver_system.post(f"/api/v1/payout-runs/{run_id}/approve/")
    assert response.status_code == 200, response.json()
    events = dict(RunEvent.objects.filter(run_id=run_id).values_list("action", "api_token"))
    assert events[RunEventAction.STARTED] == start_key.pk
    assert events[RunEventAction.CALCULATED] is None  # the worker, no key
    assert events[RunEventAction.APPROVED] == approve_key.pk


def test_whoever_issued_the_starting_key_cannot_approve_in_the_browser(
    example_a, case_officer, approver, coordinator
):
    accept_series(A, EXAMPLE_A_YEAR, 1, coordinator, SERIES[A][1])
    officer_system, _key = bearer(as_service_user(case_officer), approver)
    started = officer_system.post("/api/v1/payout-runs/", {"year": EXAMPLE_A_YEAR, "quarter": 1})
    run = PayoutRun.objects.get(pk=started.json()["id"])
    run_compute(run_id=run.pk)
    with pytest.raises(RunError) as error:
        run_approve(run=run, acting_user=User.objects.get(pk=approver.pk))
    assert error.value.code == "four_eyes"
