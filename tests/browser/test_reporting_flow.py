"""The whole life of a report in a real browser (Playwright + Debian chromium):
a coordinator fills in the grid in two sittings, explains a warning and submits;
FK returns it with a comment tied to a cell; the coordinator corrects and
resubmits; FK accepts; the coordinator files a correction (rättelse)."""

from __future__ import annotations

from typing import Any

import pytest

from reporting.enums import VersionStatus
from reporting.models import Report
from reporting.selectors import figures_of
from tests.browser.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD

FORM = "/rapporter/01/2020/"  # villkor 3 2020: one yearly report


def total(page: Any, row: str) -> str:
    return page.page.inner_text(f'td.total[data-row="{row}"]')


def explain_all_warnings(page: Any, text: str) -> int:
    areas = page.page.locator("section#kontroll textarea")
    for index in range(areas.count()):
        areas.nth(index).fill(text)
    return areas.count()


@pytest.mark.django_db(transaction=True)
def test_report_from_first_figure_to_correction(page, coordinator, case_officer):
    p = page.page
    # The coordinator lands on the region's overview.
    page.login("samordnare01", TEST_PASSWORD)
    assert p.url.endswith("/rapporter/")
    assert "Rapporter för Region Stockholm" in p.inner_text("h1")
    page.screenshot("reporting-01-overview")

    # Opens 2020 (one report for the year), fills in part of the grid and saves.
    p.click(f'a[href="{FORM}"]')
    p.fill("#cell-KBT-F-PUBLIC", "12")
    p.fill("#cell-KBT-M-PUBLIC", "8")
    assert total(page, "KBT") == "20"
    p.click("button[value=save]")
    assert "Utkastet är sparat." in p.inner_text(".messages")

    # Leaves, comes back: the figures are there; completes the grid.
    page.goto("/rapporter/")
    assert "Gör klart utkastet och skicka in det." in p.inner_text("main")
    page.goto(FORM)
    assert p.input_value("#cell-KBT-F-PUBLIC") == "12"
    p.fill("#cell-IPT-F-PRIVATE", "1 200")
    p.fill("#cell-MMR1-M-PUBLIC", "5")
    p.fill("#cell-EMPLOYER_CONTACT-F", "4")
    p.fill("#cell-AF_CONTACT-M", "2")
    p.fill("#cell-VIDEO-F", "3")
    assert total(page, "IPT") == "1\xa0200"
    assert p.inner_text("td[data-total][data-grand]") == "1\xa0225"
    p.fill("#id_comment", "Första året med nya vårdcentraler.")
    p.click("button[value=save]")
    page.screenshot("reporting-02-form-with-warning")

    # A warning (filed after the deadline) needs an explanation before submission.
    assert "Rapporten lämnas in efter sista dag 2021-08-15." in p.inner_text("#kontroll")
    p.click("button[value=submit]")
    assert "Förklara varje varning" in p.inner_text(".messages")
    assert explain_all_warnings(page, "Uppgifterna från privata vårdgivare kom sent.") >= 1
    # What counts is stated on the form; submitting needs the coordinator's confirmation.
    assert "Räkna bara personer i åldern 16–67 år." in p.inner_text("#vad-som-raknas")
    p.click("button[value=submit]")
    assert "Bekräfta att rapporten bara räknar" in p.inner_text(".messages")
    explain_all_warnings(page, "Uppgifterna från privata vårdgivare kom sent.")
    p.check("#eligibility_confirmed")
    p.click("button[value=submit]")
    assert "Rapporten är inskickad till Försäkringskassan." in p.inner_text(".messages")
    assert "Inskickad" in p.inner_text("h1")
    assert coordinator.get_full_name() in p.inner_text("dl.facts")
    assert p.locator("input[data-cell]").count() == 0
    page.screenshot("reporting-03-submitted")

    # FK's case officer finds it in the inbox and returns it, flagging a cell.
    page.logout()
    page.login("handlaggare", TEST_PASSWORD)
    assert p.url.endswith("/rapporter/inkorg/")
    assert "Region Stockholm" in p.inner_text("table.inbox")
    page.screenshot("reporting-04-inbox")
    p.click("table.inbox a.button")
    assert "Uppgifterna från privata vårdgivare kom sent." in p.inner_text("main")
    p.check('input[name=flagged][value="IPT:F:PRIVATE"]')
    p.fill("#id_comment", "1 200 IPT hos privata vårdgivare ser ut som ett skrivfel.")
    page.screenshot("reporting-05-review")
    p.click("button[value=return]")
    assert "Rapporten är återsänd till Region Stockholm" in p.inner_text(".messages")

    # The coordinator sees the comment and the flagged cell, corrects and resubmits.
    page.logout()
    page.login("samordnare01", TEST_PASSWORD)
    assert "Läs Försäkringskassans kommentar" in p.inner_text("main")
    page.goto(FORM)
    assert "ser ut som ett skrivfel" in p.inner_text(".notice.returned")
    assert p.locator("td.flagged #cell-IPT-F-PRIVATE").count() == 1
    page.screenshot("reporting-06-returned")
    p.fill("#cell-IPT-F-PRIVATE", "12")
    assert total(page, "IPT") == "12"
    p.click("button[value=save]")
    explain_all_warnings(page, "Uppgifterna från privata vårdgivare kom sent.")
    p.check("#eligibility_confirmed")
    p.click("button[value=submit]")
    assert "Rapporten är inskickad till Försäkringskassan." in p.inner_text(".messages")
    assert "version 2" in p.inner_text("h1")

    # FK accepts version 2.
    page.logout()
    page.login("handlaggare", TEST_PASSWORD)
    p.click("table.inbox a.button")
    p.click("button[value=accept]")
    assert "version 2 är godkänd" in p.inner_text(".messages")

    # After acceptance the coordinator files a correction with a reason.
    page.logout()
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(FORM)
    assert "Godkänd" in p.inner_text("h1")
    p.click("text=Gör en rättelse")
    p.fill("#id_reason", "MMR1 för män gällde egentligen MMR2.")
    p.click("button.primary")
    assert "Rättelsen är påbörjad." in p.inner_text(".messages")
    assert "MMR1 för män gällde egentligen MMR2." in p.inner_text("main")
    page.screenshot("reporting-07-correction")

    # The version history and the comparison of version 2 with version 1.
    page.goto(FORM + "versioner/")
    page.screenshot("reporting-08-history")
    page.goto(FORM + "versioner/2/jamfor/")
    assert p.locator("td.changed").count() == 1
    page.screenshot("reporting-09-compare")

    report = Report.objects.get()
    assert [v.status for v in report.versions.order_by("number")] == [
        VersionStatus.RETURNED,
        VersionStatus.ACCEPTED,
        VersionStatus.DRAFT,
    ]
    assert report.accepted_version.number == 2
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_totals_update_as_one_types(page, coordinator):
    p = page.page
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(FORM)
    p.fill("#cell-KBT-F-PUBLIC", "7")
    p.type("#cell-KBT-M-PRIVATE", "1005")
    assert total(page, "KBT") == "1\xa0012"
    assert p.inner_text('td[data-total][data-area="MENTAL"][data-col="M:PRIVATE"]') == "1\xa0005"
    assert p.inner_text('tr.subtotal td[data-area="MENTAL"]:not([data-col])') == "1\xa0012"
    p.fill("#cell-MMR2-F-PUBLIC", "3")
    assert p.inner_text("td[data-total][data-grand]") == "1\xa0015"
    p.fill("#cell-EMPLOYER_CONTACT-F", "2")
    p.fill("#cell-EMPLOYER_CONTACT-M", "x")
    assert total(page, "EMPLOYER_CONTACT") == "2"
    assert "typo" in (p.get_attribute("#cell-EMPLOYER_CONTACT-M", "class") or "")
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_upload_a_csv_with_preview_in_the_browser(page, coordinator, tmp_path):
    p = page.page
    csv_path = tmp_path / "rapport-2020.csv"
    csv_path.write_text(
        "region;period;item;sex;provider;value\n"
        "01;2020;KBT;F;PUBLIC;14\n"
        "01;2020;MMR2;M;PRIVATE;6\n"
        "01;2020;EMPLOYER_CONTACT;F;;3\n",
        encoding="utf-8",
    )
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(FORM)
    p.click("text=Ladda upp fil i stället")
    page.screenshot("reporting-10-upload")
    p.set_input_files("#id_file", str(csv_path))
    p.click("button.primary")
    assert "3 siffror ändras i utkastet" in p.inner_text("main")
    assert Report.objects.count() == 0
    page.screenshot("reporting-11-upload-preview")
    p.click("text=Spara i utkastet")
    assert "Siffrorna från rapport-2020.csv är sparade i utkastet." in p.inner_text(".messages")
    assert p.input_value("#cell-KBT-F-PUBLIC") == "14"
    assert total(page, "MMR2") == "6"
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_two_people_save_the_same_draft(page, coordinator):
    """The second save is refused with a message; the first one's figures stay and
    what the second person typed is shown again, beside what was saved."""
    p = page.page
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(FORM)
    p.fill("#cell-KBT-F-PUBLIC", "5")
    p.click("button[value=save]")

    other = p.context.new_page()  # a colleague (same login here) opens the same draft
    other.goto(page.base_url + FORM)
    p.fill("#cell-KBT-F-PUBLIC", "9")
    p.click("button[value=save]")  # the first save wins
    other.fill("#cell-KBT-F-PUBLIC", "7")
    other.fill("#cell-IPT-M-PUBLIC", "2")
    other.click("button[value=save]")
    assert "Dina ändringar sparades inte" in other.inner_text(".messages")
    assert other.input_value("#cell-KBT-F-PUBLIC") == "7"
    assert other.input_value("#cell-IPT-M-PUBLIC") == "2"
    assert "Sparat: 9" in other.inner_text("td:has(#cell-KBT-F-PUBLIC)")
    # The row total keeps the saved total beside it while the script recomputes.
    kbt_total = other.locator('td.total[data-row="KBT"]')
    assert kbt_total.locator(".was").inner_text() == "före 9"
    other.fill("#cell-KBT-M-PUBLIC", "1")
    assert kbt_total.locator(".was").inner_text() == "före 9"
    assert kbt_total.evaluate("td => td.firstChild.nodeValue") == "8"
    other.fill("#cell-KBT-M-PUBLIC", "")
    ARTIFACTS.mkdir(exist_ok=True)
    other.screenshot(path=str(ARTIFACTS / "reporting-12-conflict.png"), full_page=True)
    assert figures_of(Report.objects.get().versions.get()).cells() == {"KBT:F:PUBLIC": 9}
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_errors_are_shown_next_to_the_cell_in_the_browser(page, coordinator):
    p = page.page
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(FORM)
    p.fill("#cell-KBT-M-PUBLIC", "2")
    p.fill("#cell-AF_CONTACT-M", "4")
    p.click("button[value=save]")
    note = p.inner_text("td:has(#cell-AF_CONTACT-M) .field-error")
    assert note == (
        "Kontakter med Arbetsförmedlingen (4) är fler än regionens genomförda behandlingar "
        "under perioden (2)."
    )
    assert p.get_attribute("#cell-AF_CONTACT-M", "aria-invalid") == "true"
    p.click(".error-summary a")
    assert p.evaluate("document.activeElement.id") == "cell-AF_CONTACT-M"
    page.screenshot("reporting-13-error-next-to-cell")
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_form_works_without_javascript(browser, live_server, coordinator):
    """Without the script the totals do not move while typing; saving computes them."""
    context = browser.new_context(locale="sv-SE", java_script_enabled=False)
    try:
        p = context.new_page()
        p.goto(live_server.url + "/konto/logga-in/")
        p.fill("#id_username", "samordnare01")
        p.fill("#id_password", TEST_PASSWORD)
        p.click("button[type=submit].primary")
        p.goto(live_server.url + FORM)
        p.fill("#cell-KBT-F-PUBLIC", "4")
        p.fill("#cell-KBT-M-PRIVATE", "5")
        assert p.inner_text('td.total[data-row="KBT"]') == "0"
        p.click("button[value=save]")
        assert "Utkastet är sparat." in p.inner_text(".messages")
        assert p.inner_text('td.total[data-row="KBT"]') == "9"
        assert p.inner_text("td[data-total][data-grand]") == "9"
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_fk_finds_the_reports_that_are_missing(page, coordinator, case_officer):
    """From the inbox FK opens the reports that are missing, filters to one
    agreement and sees which region has not filed which quarter (2014, a model A
    year reported by quarter)."""
    from rehab.models import Region
    from tests.factories import report_version

    Region.objects.exclude(code__in=["01", "03"]).update(active=False)
    report_version(region="01", year=2014, quarter=1, user=coordinator)
    p = page.page
    page.login("handlaggare", TEST_PASSWORD)
    page.goto("/rapporter/inkorg/")
    p.click("text=Visa rapporter som saknas")
    p.select_option("#id_agreement", "2014")
    p.click("button:has-text('Visa')")
    assert p.inner_text("table.inbox caption") == "7 rapporter saknas"
    first = p.locator("table.inbox tbody tr").first
    assert first.locator("th").inner_text() == "03 Region Uppsala"
    assert "Saknas" in first.inner_text()
    page.screenshot("reporting-13-inbox-missing")
    assert page.console_errors == []
