"""Issue 13 findings that had no test of their own: the audit trail covers the models
the issue names, the admin offers no delete on idempotency records, and one limit for
written texts holds in the API and in the service the browser and the API share."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from rehab.models import IdempotencyRecord
from reporting.figures import Figures
from reporting.models import TEXT_MAX_LENGTH, ReportVersion
from reporting.services import ValidationFailed, report_submit
from tests.factories import report_version
from tests.reporting.test_services import saved_draft

# The models the issue added to pghistory's seven, by table.
TRACKED = [
    "reporting_seriescount",
    "reporting_extracount",
    "reporting_warningexplanation",
    "reporting_validationsettings",
    "payments_payoutrun",
    "payments_payoutline",
    "payments_payoutexport",
    "rehab_apitoken",
]


@pytest.mark.django_db
@pytest.mark.parametrize("table", TRACKED)
def test_every_named_model_is_in_the_append_only_history(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        )
        triggers = {name for (name,) in cursor.fetchall()}
    # pghistory's triggers write a history row on every insert and update.
    assert any(name.startswith("pgtrigger_insert_insert_") for name in triggers), triggers
    assert any(name.startswith("pgtrigger_update_update_") for name in triggers), triggers


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["reporting_reportevent", "payments_runevent"])
def test_report_and_run_events_refuse_update_and_delete_by_trigger(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgtype FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND tgname LIKE 'pgtrigger_append_only_%%'",
            [table],
        )
        [(tgtype,)] = cursor.fetchall()
    # Row-level BEFORE trigger on UPDATE (16) and DELETE (8), not INSERT (4).
    assert tgtype & 1 and tgtype & 2
    assert tgtype & 16 and tgtype & 8 and not tgtype & 4


@pytest.mark.django_db
def test_admin_offers_no_delete_on_idempotency_records(login, admin_user, api, coordinator):
    client = api(coordinator)
    response = client.post(
        "/api/v1/reports/", {"region": "01", "period": "2012Q1"}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 201
    record = IdempotencyRecord.objects.get()
    browser = login(admin_user)
    changelist = browser.get("/admin/rehab/idempotencyrecord/")
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    assert browser.get(f"/admin/rehab/idempotencyrecord/{record.pk}/delete/").status_code == 403
    browser.post(
        "/admin/rehab/idempotencyrecord/",
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    assert IdempotencyRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_api_texts_are_limited_to_the_one_limit(api, coordinator):
    client = api(coordinator)
    report = client.post("/api/v1/reports/", {"region": "01", "period": "2012Q1"}).json()
    draft = f"/api/v1/reports/{report['id']}/draft/"
    too_long = client.put(
        draft,
        {"lock_version": 0, "series": [], "extras": [], "comment": "x" * (TEXT_MAX_LENGTH + 1)},
    )
    assert too_long.status_code == 400
    assert too_long.json()["error"]["field"] == "comment"
    assert ReportVersion.objects.get(report_id=report["id"]).lock_version == 0
    just_right = client.put(
        draft, {"lock_version": 0, "series": [], "extras": [], "comment": "x" * TEXT_MAX_LENGTH}
    )
    assert just_right.status_code == 200, just_right.json()


@pytest.mark.django_db
def test_submit_refuses_an_explanation_over_the_limit(coordinator):
    report_version(region="01", year=2019, user=coordinator, series={("KBT", "F", "PUBLIC"): 80})
    version = saved_draft(coordinator, Figures(series={("IPT", "F", "PUBLIC"): 30}))
    late = datetime.date(2021, 9, 1)
    explanations = {"": "Sjukdom.", "KBT:drop_to_zero": "x" * (TEXT_MAX_LENGTH + 1)}
    with pytest.raises(ValidationFailed) as refused:
        report_submit(
            version=version,
            lock_version=version.lock_version,
            explanations=explanations,
            eligibility_confirmed=True,
            acting_user=coordinator,
            today=late,
        )
    assert (refused.value.code, refused.value.field) == ("too_long", "KBT:drop_to_zero")
    assert refused.value.message == "En förklaring är för lång (högst 5\xa0000 tecken)."
    version.refresh_from_db()
    assert version.status == "DRAFT"
