"""Defects found in review of the reporting pages, each pinned by a test: who a
returned report's new draft shows as its last editor, a save against a draft FK
replaced by returning the report, the upload confirm after the report was
submitted meanwhile."""

from __future__ import annotations

import re

import pytest

from reporting.enums import VersionStatus
from reporting.models import ReportVersion
from reporting.services import report_return
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
    client.post(url("upload"), {"file": csv_file("01;2020Q1;KBT;F;PUBLIC;12\n")})
    assert client.get(url("upload_preview")).status_code == 200
    submitted_with(coordinator, {"KBT:F:PUBLIC": 10})  # a colleague submits meanwhile
    response = client.post(url("upload_preview"))
    assert response.status_code == 302
    [version] = ReportVersion.objects.all()
    assert (
        version.status,
        version.series.get(treatment="KBT", sex="F", provider="PUBLIC").value,
    ) == (VersionStatus.SUBMITTED, 10)
