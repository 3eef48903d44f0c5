"""A resubmission after the deadline is flagged late like a first submission after
it: the coordinator explains the late filing, and FK sees the version marked late
with the explanation (issue 15)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from reporting.enums import VersionStatus
from reporting.models import ReportVersion, WarningExplanation
from reporting.services import report_return, report_submit
from reporting.validation import report_validate
from tests.reporting.test_typed_and_messages import all_cells_zero
from tests.reporting.test_views import draft_with, form_data, url

pytestmark = pytest.mark.django_db

ON_TIME = datetime.date(2021, 5, 1)  # the 2020 agreement's deadline is 2021-08-15
LATE = "Returnerad sent, rättad nu."


def returned_on_time(coordinator, case_officer) -> ReportVersion:
    """2020 (yearly) of region 01 submitted before the deadline, returned by FK: the new draft."""
    draft = draft_with(
        coordinator, {k: int(v) for k, v in all_cells_zero(**{"KBT:F:PUBLIC": "3"}).items()}
    )
    warnings = report_validate(version=draft, today=ON_TIME).warnings
    submitted = report_submit(
        version=draft,
        lock_version=draft.lock_version,
        explanations={w.key: "Förklaring." for w in warnings},
        eligibility_confirmed=True,
        acting_user=coordinator,
        today=ON_TIME,
    )
    assert submitted.submitted_late is False
    return report_return(version=submitted, comment="Rätta KBT.", acting_user=case_officer)


def test_resubmission_after_the_deadline_needs_the_late_explanation_and_is_marked_late(
    login, coordinator, case_officer
):
    draft = returned_on_time(coordinator, case_officer)
    client = login(coordinator)
    data = form_data(
        draft, all_cells_zero(**{"KBT:F:PUBLIC": "4"}), action="submit", eligibility_confirmed="on"
    )
    refused = client.post(url("report"), data)
    html = refused.content.decode()
    assert refused.status_code == 422
    assert "Rapporten lämnas in efter sista dag 2021-08-15." in html
    assert ReportVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT

    draft.refresh_from_db()  # the refused submit saved the figures
    data |= {"lock_version": draft.lock_version, "explain:": LATE}
    response = client.post(url("report"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    version = ReportVersion.objects.get(pk=draft.pk)
    assert version.status == VersionStatus.SUBMITTED
    assert version.submitted_late is True
    late = WarningExplanation.objects.get(version=version, code="late_filing")
    assert late.explanation == LATE

    fk = login(case_officer)
    review = fk.get(url("review")).content.decode()
    assert "efter sista dag" in review
    assert LATE in review
    inbox = fk.get(reverse("reporting:inbox") + "?late=on").content.decode()
    assert url("review") in inbox or url("report") in inbox
    assert "Sen" in inbox
