"""FK's inbox: the reports that are missing (a region × period whose deadline has
passed or is within the reminder window, with nothing submitted), so FK can chase
them; and late marking that leaves corrections of old quarters alone. The missing
quarters are a model A year's (2014); 2020 is one yearly report."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from rehab.models import Region, ReportingPeriod
from reporting.models import ValidationSettings
from reporting.services import report_accept, report_start_correction
from tests.factories import report_version
from tests.reporting.test_views import draft_with, submitted_with

pytestmark = pytest.mark.django_db

INBOX = reverse("reporting:inbox")


def missing_rows(html: str) -> list[str]:
    """'<region code> <period> [påbörjat] [Sen]' per row of the table."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    rows = []
    for tr in body.split("</tr>")[:-1]:
        if "colspan" in tr:
            continue
        code = re.search(r'<th scope="row">(\d\d) ', tr).group(1)  # type: ignore[union-attr]
        period = re.search(r"<td>(\d{4}(?:Q\d)?)</td>", tr).group(1)  # type: ignore[union-attr]
        flags = [f for f in ("utkast påbörjat", ">Sen<") if f in tr]
        rows.append(" ".join([code, period, *flags]))
    return rows


def set_deadline(year: int, quarter: int, deadline: datetime.date, **fields: object) -> None:
    ReportingPeriod.objects.filter(agreement__year=year, quarter=quarter).update(
        deadline=deadline, **fields
    )


def test_missing_lists_regions_without_a_submitted_report_past_the_deadline(
    login, coordinator, other_coordinator, case_officer
):
    Region.objects.exclude(code__in=["01", "03"]).update(active=False)
    submitted_with(coordinator, {"KBT:F:PUBLIC": 3}, year=2014, quarter=1)
    report_version(region="01", year=2014, quarter=2, user=coordinator)  # accepted
    draft_with(other_coordinator, {"KBT:F:PUBLIC": 1}, region="03", year=2014, quarter=1)
    html = login(case_officer).get(INBOX + "?status=MISSING&agreement=2014").content.decode()
    assert "6 rapporter saknas" in html
    assert missing_rows(html) == [
        "03 2014Q1 utkast påbörjat >Sen<",
        "03 2014Q2 >Sen<",
        "01 2014Q3 >Sen<",
        "03 2014Q3 >Sen<",
        "01 2014Q4 >Sen<",
        "03 2014Q4 >Sen<",
    ]
    assert f'href="{reverse("reporting:report", args=("03", 2014, 2))}"' in html


def test_missing_includes_a_deadline_within_the_reminder_window_only(login, case_officer):
    Region.objects.exclude(code="01").update(active=False)
    today = timezone.localdate()
    ValidationSettings.objects.update_or_create(pk=1, defaults={"reminder_days": 7})
    set_deadline(2014, 1, today + datetime.timedelta(days=7))
    set_deadline(2014, 2, today + datetime.timedelta(days=8))
    set_deadline(2014, 3, today - datetime.timedelta(days=1), is_closed=True)
    html = login(case_officer).get(INBOX + "?status=MISSING&agreement=2014").content.decode()
    assert missing_rows(html) == ["01 2014Q4 >Sen<", "01 2014Q1"]
    assert "(7 dagar kvar)" in html
    late_only = login(case_officer).get(INBOX + "?status=MISSING&agreement=2014&late=on")
    assert missing_rows(late_only.content.decode()) == ["01 2014Q4 >Sen<"]


def test_missing_for_a_coordinator_is_only_their_region(login, coordinator):
    """2020 is reported once a year: one missing report, not four quarters."""
    html = login(coordinator).get(INBOX + "?status=MISSING&agreement=2020").content.decode()
    assert missing_rows(html) == ["01 2020 >Sen<"]
    html = login(coordinator).get(INBOX + "?status=MISSING&agreement=2014").content.decode()
    assert missing_rows(html) == [
        "01 2014Q1 >Sen<",
        "01 2014Q2 >Sen<",
        "01 2014Q3 >Sen<",
        "01 2014Q4 >Sen<",
    ]


def test_missing_filters_by_region_and_quarter(login, case_officer):
    html = login(case_officer).get(INBOX + "?status=MISSING&region=05&quarter=2").content.decode()
    rows = missing_rows(html)
    assert rows[:2] == ["05 2009Q2 >Sen<", "05 2010Q2 >Sen<"]
    assert {r.split()[0] for r in rows} == {"05"}
    assert {r.split()[1][-2:] for r in rows} == {"Q2"}


def test_inbox_links_to_the_missing_reports(login, case_officer):
    html = login(case_officer).get(INBOX).content.decode()
    assert '<a href="?status=MISSING">Visa rapporter som saknas' in html


def test_inbox_does_not_mark_a_correction_of_an_old_quarter_late(login, coordinator, case_officer):
    version = submitted_with(coordinator, {"KBT:F:PUBLIC": 3}, year=2014, quarter=1)
    report_accept(version=version, acting_user=case_officer)
    report_start_correction(
        report=version.report, reason="Fel siffra för KBT.", acting_user=coordinator
    )
    client = login(case_officer)
    html = client.get(INBOX + "?status=DRAFT").content.decode()
    row = html.split("<tbody>")[1].split("</tr>")[0]
    assert "Rättelse" in row
    assert "Sen" not in row
    late_only = client.get(INBOX + "?status=DRAFT&late=on").content
    assert "Inga rapporter matchar filtret." in late_only.decode()
