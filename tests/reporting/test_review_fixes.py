"""Defects found in review of the reporting pages, each pinned by a test: who a
returned report's new draft shows as its last editor, a save against a draft FK
replaced by returning the report, the upload confirm after the report was
submitted meanwhile, and FK's decision on a page of an earlier version."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from reporting.enums import VersionStatus
from reporting.models import ReportVersion
from reporting.services import (
    ReportError,
    report_accept,
    report_return,
    report_start_correction,
)
from reporting.views.common import days_left_text
from tests.reporting.test_views import (
    draft_with,
    form_data,
    messages_of,
    submitted_with,
    url,
)
from tests.reporting.test_views_upload import csv_file

pytestmark = pytest.mark.django_db


def returned(coordinator, case_officer) -> ReportVersion:
    version = submitted_with(coordinator, {"KBT:F:PUBLIC": 3})
    return report_return(version=version, comment="KBT ser lågt ut.", acting_user=case_officer)


def test_return_leaves_the_new_draft_unsaved_by_anyone(coordinator, case_officer):
    draft = returned(coordinator, case_officer)
    assert (draft.number, draft.status, draft.updated_by, draft.created_by) == (
        2,
        VersionStatus.DRAFT,
        None,
        case_officer,
    )


def test_returned_draft_shows_who_returned_it_not_a_save_by_fk(login, coordinator, case_officer):
    returned(coordinator, case_officer)
    html = login(coordinator).get(url("report")).content.decode()
    facts = html.split('<dl class="facts">')[1].split("</dl>")[0]
    assert "Senast sparad" not in facts
    name = case_officer.get_full_name()
    assert re.search(rf"<dt>Återsänd</dt><dd>\d{{4}}-\d\d-\d\d \d\d:\d\d av {name}</dd>", facts)


def test_returned_draft_saved_by_the_coordinator_shows_the_coordinator(
    login, coordinator, case_officer
):
    draft = returned(coordinator, case_officer)
    client = login(coordinator)
    response = client.post(url("report"), form_data(draft, {"KBT:F:PUBLIC": "4"}, action="save"))
    assert messages_of(response) == ["Utkastet är sparat."]
    facts = client.get(url("report")).content.decode().split('<dl class="facts">')[1]
    name = coordinator.get_full_name()
    assert re.search(rf"<dt>Senast sparad</dt><dd>[\d: -]+ av {name}</dd>", facts)


def test_save_from_a_page_opened_before_fk_returned_names_the_return(
    login, coordinator, case_officer
):
    first = draft_with(coordinator, {"KBT:F:PUBLIC": 3})
    client = login(coordinator)
    stale_data = form_data(first, {"KBT:F:PUBLIC": "5"}, action="save")
    submitted_with(coordinator, {"KBT:F:PUBLIC": 3})
    report_return(
        version=ReportVersion.objects.get(number=1), comment="Fel", acting_user=case_officer
    )
    response = client.post(url("report"), stale_data)
    assert response.status_code == 409
    [message] = messages_of(response)
    assert message.startswith("Rapporten har ändrats efter att du öppnade den: version 2 ")
    assert f"{case_officer.get_full_name()} sparade" not in message
    assert ReportVersion.objects.get(number=2).updated_by is None


def test_upload_confirm_after_the_report_was_submitted_saves_nothing(login, coordinator):
    draft_with(coordinator, {"KBT:F:PUBLIC": 10})
    client = login(coordinator)
    client.post(url("upload"), {"file": csv_file("01;2020;KBT;F;PUBLIC;12\n")})
    assert client.get(url("upload_preview")).status_code == 200
    submitted_with(coordinator, {"KBT:F:PUBLIC": 10})  # a colleague submits meanwhile
    response = client.post(url("upload_preview"))
    assert response.status_code == 302
    [version] = ReportVersion.objects.all()
    assert (
        version.status,
        version.series.get(treatment="KBT", sex="F", provider="PUBLIC").value,
    ) == (VersionStatus.SUBMITTED, 10)


@pytest.mark.parametrize("action", ["accept", "return"])
def test_review_decision_on_a_page_of_an_earlier_version_is_refused(
    login, coordinator, case_officer, case_officer_2, action
):
    first = submitted_with(coordinator, {"KBT:F:PUBLIC": 3})
    client = login(case_officer)
    assert 'name="version" value="1"' in client.get(url("review")).content.decode()
    # Meanwhile a colleague returns version 1 and the region submits version 2.
    report_return(version=first, comment="Fel", acting_user=case_officer_2)
    submitted_with(coordinator, {"KBT:F:PUBLIC": 30})
    response = client.post(url("review"), {"action": action, "comment": "OK", "version": "1"})
    assert response.headers["Location"] == url("review")
    assert messages_of(response) == [
        "Rapporten har ändrats sedan du öppnade den: version 2 är nu inskickad. "
        "Inget beslut har fattats. Granska version 2."
    ]
    assert list(ReportVersion.objects.order_by("number").values_list("number", "status")) == [
        (1, VersionStatus.RETURNED),
        (2, VersionStatus.SUBMITTED),
    ]


def test_review_decision_with_the_version_shown_goes_through(login, coordinator, case_officer):
    submitted_with(coordinator, {"KBT:F:PUBLIC": 3})
    response = login(case_officer).post(
        url("review"), {"action": "accept", "comment": "", "version": "1"}
    )
    assert response.headers["Location"] == reverse("reporting:inbox")
    assert ReportVersion.objects.get().status == VersionStatus.ACCEPTED


def test_overview_does_not_mark_a_correction_of_an_old_quarter_late(
    login, coordinator, case_officer
):
    version = submitted_with(coordinator, {"KBT:F:PUBLIC": 3}, year=2014, quarter=1)
    report_accept(version=version, acting_user=case_officer)
    report_start_correction(
        report=version.report, reason="Fel siffra för KBT.", acting_user=coordinator
    )
    html = login(coordinator).get(reverse("reporting:overview")).content.decode()
    link = f'<a href="{url("report", year=2014, quarter=1)}">2014Q1</a>'
    row = html.split(f'<th scope="row">{link}')[1].split("</tr>")[0]
    assert '<span class="badge draft">Rättelse pågår</span>' in row
    assert "dagar sen" not in row
    assert "Gör klart rättelsen och skicka in den." in row
    other = html.split(f'<th scope="row"><a href="{url("report", year=2014, quarter=2)}">')[1]
    assert '<span class="badge late">' in other.split("</tr>")[0]  # never filed: late


def test_return_refuses_flagged_cells_that_are_not_in_the_report(coordinator, case_officer):
    version = submitted_with(coordinator, {"KBT:F:PUBLIC": 3})
    with pytest.raises(ReportError) as refused:
        report_return(
            version=version,
            comment="Fel",
            flagged_cells=["KBT:F:PUBLIC", "KBT:X:PUBLIC", "FOO"],
            acting_user=case_officer,
        )
    assert (refused.value.code, refused.value.field, refused.value.message) == (
        "invalid_cell",
        "flagged_cells",
        "Rapporten har inga rutor ”KBT:X:PUBLIC”, ”FOO”. Markera bara rutor i rapporten.",
    )
    assert list(ReportVersion.objects.values_list("number", "status")) == [
        (1, VersionStatus.SUBMITTED)
    ]


def test_return_keeps_valid_flagged_cells_once(coordinator, case_officer):
    version = submitted_with(coordinator, {"KBT:F:PUBLIC": 3})
    report_return(
        version=version,
        comment="Fel",
        flagged_cells=["KBT:F:PUBLIC", "AF_CONTACT:M", "KBT:F:PUBLIC"],
        acting_user=case_officer,
    )
    version.refresh_from_db()
    assert version.flagged_cells == ["KBT:F:PUBLIC", "AF_CONTACT:M"]


def test_days_left_are_written_with_thousands_grouped():
    today = datetime.date(2026, 11, 23)
    assert days_left_text(datetime.date(2020, 5, 15), today) == "2\xa0383 dagar sen"
    assert days_left_text(datetime.date(2026, 11, 24), today) == "1 dag kvar"
    assert days_left_text(today, today) == "Sista dagen är i dag"
