"""The version in force (`Report.accepted_version`) changes only the way FK's
acceptance changes it, and FK's decision on a version is never edited afterwards —
enforced by the database, so a plain UPDATE (an administrator's shell, a bug, the
app's own role) cannot point a region's report at another report's draft and change
its payout (issue 13: region 03's report was pointed at region 01's draft)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from reporting.models import Report, ReportVersion
from reporting.services import report_accept, report_start_correction, report_submit
from tests.factories import report_version
from tests.reporting.test_services import OPEN_DAY, draft_for, submitted


def refused(statement: str, *params: object) -> str:
    """Runs `statement`; returns the database's refusal (fails the test when none)."""
    with (
        pytest.raises(IntegrityError) as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)
    return str(error.value)


def in_force(report_id: int) -> int | None:
    return Report.objects.get(pk=report_id).accepted_version_id


def test_a_report_cannot_be_pointed_at_another_reports_version(
    coordinator, other_coordinator, case_officer
):
    accepted_03 = report_version(region="03", year=2012, quarter=1, user=other_coordinator)
    accepted_01 = report_version(region="01", year=2012, quarter=1, user=coordinator)
    draft_01 = draft_for(coordinator)
    report_03 = accepted_03.report_id
    sql = "UPDATE reporting_report SET accepted_version_id = %s WHERE id = %s"
    assert "accepted version of this report" in refused(sql, draft_01.pk, report_03)
    assert "accepted version of this report" in refused(sql, accepted_01.pk, report_03)
    # Not through the ORM either (the admin, a shell).
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report_03).update(accepted_version=draft_01)
    assert in_force(report_03) == accepted_03.pk


def test_a_report_cannot_be_pointed_at_a_version_of_its_own_that_is_not_accepted(
    coordinator, case_officer
):
    first = report_version(region="01", year=2012, quarter=1, user=coordinator)
    second = report_version(region="01", year=2012, quarter=1, user=coordinator)
    pending = report_version(
        region="01", year=2012, quarter=1, user=coordinator, status="SUBMITTED"
    )
    report = second.report_id
    first.refresh_from_db()
    assert (first.status, in_force(report)) == ("SUPERSEDED", second.pk)
    sql = "UPDATE reporting_report SET accepted_version_id = %s WHERE id = %s"
    assert "accepted version of this report" in refused(sql, first.pk, report)  # superseded
    assert "accepted version of this report" in refused(sql, pending.pk, report)  # submitted
    assert "keeps a version in force" in refused(
        "UPDATE reporting_report SET accepted_version_id = NULL WHERE id = %s", report
    )
    assert "keeps its region and period" in refused(
        "UPDATE reporting_report SET region_id = '03' WHERE id = %s", report
    )
    assert "has no version in force" in refused(
        "INSERT INTO reporting_report (region_id, period_id, accepted_version_id, created_at) "
        "SELECT '05', period_id, %s, now() FROM reporting_report WHERE id = %s",
        second.pk,
        report,
    )
    assert in_force(report) == second.pk


def test_the_version_in_force_changes_only_with_an_acceptance(coordinator, case_officer):
    accepted = report_version(region="01", year=2012, quarter=1, user=coordinator)
    pending = report_version(
        region="01", year=2012, quarter=1, user=coordinator, status="SUBMITTED"
    )
    report = accepted.report_id
    # A second accepted version while one is in force ...
    assert "version_one_accepted_per_report" in refused(
        "UPDATE reporting_reportversion SET status = 'ACCEPTED' WHERE id = %s", pending.pk
    )
    # ... or a submitted version put in force without being accepted ...
    assert "accepted version of this report" in refused(
        "UPDATE reporting_report SET accepted_version_id = %s WHERE id = %s", pending.pk, report
    )
    # ... or a superseded version accepted again are refused.
    assert "version_frozen_after_draft" in refused(
        "UPDATE reporting_reportversion SET status = 'SUPERSEDED' WHERE id = %s; "
        "UPDATE reporting_reportversion SET status = 'ACCEPTED' WHERE id = %s",
        accepted.pk,
        accepted.pk,
    )
    assert in_force(report) == accepted.pk
    assert ReportVersion.objects.get(pk=pending.pk).status == "SUBMITTED"
    # The way report_accept goes (supersede, accept, put in force) is the one way.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reporting_reportversion SET status = 'SUPERSEDED' WHERE id = %s; "
            "UPDATE reporting_reportversion SET status = 'ACCEPTED' WHERE id = %s; "
            "UPDATE reporting_report SET accepted_version_id = %s WHERE id = %s",
            [accepted.pk, pending.pk, pending.pk, report],
        )
    assert in_force(report) == pending.pk


@pytest.mark.django_db(transaction=True)
def test_accept_and_correction_commit_and_are_in_the_history(coordinator, case_officer):
    """Committed for real, so the commit-time check runs as in production."""
    original = submitted(coordinator)
    report_accept(version=original, acting_user=case_officer)
    report = Report.objects.get(pk=original.report_id)
    correction = report_start_correction(
        report=report, reason="Sent svar.", acting_user=coordinator
    )
    correction = report_submit(
        version=correction,
        lock_version=correction.lock_version,
        explanations={},
        eligibility_confirmed=True,
        acting_user=coordinator,
        today=OPEN_DAY,
    )
    report_accept(version=correction, acting_user=case_officer)
    assert in_force(report.pk) == correction.pk
    assert list(
        report.history.order_by("pgh_id").values_list("pgh_label", "accepted_version_id")
    ) == [("insert", None), ("update", original.pk), ("update", correction.pk)]
    # Pointing it back at the superseded original afterwards is refused.
    with pytest.raises(IntegrityError):
        Report.objects.filter(pk=report.pk).update(accepted_version=original)
    assert in_force(report.pk) == correction.pk
    assert report.history.count() == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("decided_by_id", "coordinator"),
        ("decided_at", "2020-01-01T00:00:00Z"),
        ("review_comment", "Ändrad kommentar"),
        ("flagged_cells", '["KBT:F:PUBLIC"]'),
        ("eligibility_statement", "Annan text"),
    ],
)
def test_the_decision_on_a_version_is_never_edited(coordinator, case_officer, field, value):
    accepted = submitted(coordinator)
    report_accept(version=accepted, acting_user=case_officer, comment="Tack.")
    returned = report_version(
        region="03", year=2012, quarter=1, user=coordinator, status="SUBMITTED"
    )
    ReportVersion.objects.filter(pk=returned.pk).update(
        status="RETURNED", decided_by=case_officer, review_comment="Fel."
    )
    pending = report_version(
        region="05", year=2012, quarter=1, user=coordinator, status="SUBMITTED"
    )
    if value == "coordinator":
        value = coordinator.pk
    sql = f"UPDATE reporting_reportversion SET {field} = %s WHERE id = %s"  # noqa: S608
    for version in (accepted, returned):
        assert "version_frozen_after_draft" in refused(sql, value, version.pk)
    if field != "eligibility_statement":
        # A submitted version gets a decision only with FK's move to accepted or returned.
        assert "a decision is never edited" in refused(sql, value, pending.pk)
    accepted.refresh_from_db()
    assert (accepted.decided_by, accepted.review_comment, accepted.flagged_cells) == (
        case_officer,
        "Tack.",
        [],
    )
