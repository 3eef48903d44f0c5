"""A yearly villkor 3 report (period "2020") in a real browser: the coordinator opens
the year's report from the overview, has a file with quarter codes refused with its
message, fills in the grid, confirms what counts and submits; FK accepts it on the
review page."""

from __future__ import annotations

import pytest

from reporting.enums import VersionStatus
from reporting.models import ReportVersion
from tests.api.test_yearly_report import QUARTER_REFUSED
from tests.factories import TEST_PASSWORD

FORM = "/rapporter/01/2020/"


@pytest.mark.django_db(transaction=True)
def test_yearly_report_in_the_browser(page, coordinator, case_officer, tmp_path):
    p = page.page
    page.login("samordnare01", TEST_PASSWORD)
    assert "En rapport för året" in p.inner_text("main")
    p.click(f'a[href="{FORM}"]')
    assert "Rapport 2020 – Region Stockholm" in p.inner_text("h1")
    # A file by quarter for the yearly 2020 is refused, saying which period to use.
    quarterly = tmp_path / "kvartal.csv"
    quarterly.write_text(
        "region;period;item;sex;provider;value\n01;2020Q1;KBT;F;PUBLIC;5\n", encoding="utf-8"
    )
    page.goto(FORM + "ladda-upp/")
    p.set_input_files("#id_file", str(quarterly))
    p.click("button.primary")
    assert QUARTER_REFUSED in p.inner_text("main")
    assert ReportVersion.objects.count() == 0
    page.goto(FORM)
    p.fill("#cell-KBT-F-PUBLIC", "120")
    p.fill("#cell-EMPLOYER_CONTACT-M", "30")
    p.click("button[value=save]")
    assert "Utkastet är sparat." in p.inner_text(".messages")
    areas = p.locator("section#kontroll textarea")
    for index in range(areas.count()):
        areas.nth(index).fill("Inläst i efterhand.")
    p.check("#eligibility_confirmed")
    p.click("button[value=submit]")
    assert "Rapporten är inskickad till Försäkringskassan." in p.inner_text(".messages")
    page.screenshot("yearly-01-submitted")

    page.logout()
    page.login("handlaggare", TEST_PASSWORD)
    page.goto(FORM + "granska/")
    assert "Granska 2020 – Region Stockholm, version 1" in p.inner_text("h1")
    p.click("button[value=accept]")
    assert "Region Stockholm 2020 version 1 är godkänd." in p.inner_text(".messages")
    page.screenshot("yearly-02-accepted")
    version = ReportVersion.objects.get(report__region_id="01")
    assert version.status == VersionStatus.ACCEPTED
    assert version.report.period.code == "2020"
    assert "Räkna bara genomförda behandlingsserier" in version.eligibility_statement
    assert page.console_errors == []
