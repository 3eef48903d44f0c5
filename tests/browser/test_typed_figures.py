"""Nothing a coordinator typed is lost or silently changed, in a real browser:
a huge number is refused by the cell (and by the server), the arrow keys move
between cells, leaving with unsaved changes asks first, blank cells must be 0 or
explained before submission, and figures saved after the session expired come
back after signing in again."""

from __future__ import annotations

from typing import Any

import pytest

from reporting.enums import VersionStatus
from reporting.models import Report, WarningExplanation
from tests.factories import TEST_PASSWORD

FORM = "/rapporter/01/2020/"  # villkor 3 2020: one yearly report


def total(page: Any, row: str) -> str:
    return page.page.inner_text(f'td.total[data-row="{row}"]')


@pytest.mark.django_db(transaction=True)
def test_cells_refuse_huge_numbers_and_arrow_keys_move(page, coordinator):
    p = page.page
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(FORM)
    p.fill("#cell-KBT-F-PUBLIC", "12")
    p.fill("#cell-KBT-M-PUBLIC", "99999999999999999999")
    assert total(page, "KBT") == "12"  # the refused figure is not added
    assert p.inner_text("td[data-total][data-grand]") == "12"
    assert p.get_attribute("#cell-KBT-M-PUBLIC", "aria-invalid") == "true"
    assert "Talet är för stort (högst 2\xa0147\xa0483\xa0647)." in p.inner_text(
        "#cell-KBT-M-PUBLIC-live"
    )
    described = p.get_attribute("#cell-KBT-M-PUBLIC", "aria-describedby") or ""
    assert "cell-KBT-M-PUBLIC-live" in described.split()
    # The table does not grow wider than the page because of it.
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot("typed-01-huge-number")
    p.fill("#cell-KBT-M-PUBLIC", "2147483647")
    assert total(page, "KBT") == "2\xa0147\xa0483\xa0659"  # exact, no float rounding
    p.fill("#cell-KBT-M-PUBLIC", "99999999999999999999")

    # The server refuses it with the same message and keeps what was typed.
    p.click("button[value=save]")
    assert "Utkastet sparades inte" in p.inner_text(".messages")
    assert "Talet är för stort (högst 2\xa0147\xa0483\xa0647)." in p.inner_text("td.has-error")
    assert p.input_value("#cell-KBT-M-PUBLIC") == "99999999999999999999"

    # Arrow keys: down to the next treatment's same column, right at the end of the text.
    p.fill("#cell-KBT-M-PUBLIC", "")
    p.focus("#cell-KBT-F-PUBLIC")
    p.keyboard.press("ArrowDown")
    assert p.evaluate("document.activeElement.id") == "cell-IKBT-F-PUBLIC"
    p.keyboard.press("ArrowUp")
    p.keyboard.press("End")
    p.keyboard.press("ArrowRight")
    assert p.evaluate("document.activeElement.id") == "cell-KBT-F-PRIVATE"
    p.keyboard.press("ArrowLeft")
    assert p.evaluate("document.activeElement.id") == "cell-KBT-F-PUBLIC"
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_leaving_with_unsaved_changes_asks_first(page, coordinator):
    p = page.page
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(FORM)
    dialogs: list[str] = []

    def answer(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()  # "stay on the page"

    p.on("dialog", answer)
    p.click("#cell-KBT-F-PUBLIC")
    p.keyboard.type("7")
    p.click('nav a[href="/rapporter/"]')
    p.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert p.url.endswith(FORM)
    assert p.input_value("#cell-KBT-F-PUBLIC") == "7"
    # Saving is not leaving: no question.
    p.click("button[value=save]")
    assert "Utkastet är sparat." in p.inner_text(".messages")
    assert dialogs == ["beforeunload"]
    # After the save, nothing unsaved: leaving does not ask.
    p.click('nav a[href="/rapporter/"]')
    p.wait_for_url("**/rapporter/")
    assert dialogs == ["beforeunload"]


@pytest.mark.django_db(transaction=True)
def test_blank_cells_must_be_zero_or_explained_before_submission(page, coordinator):
    p = page.page
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(FORM)
    p.fill("#cell-KBT-F-PUBLIC", "12")
    p.click("button[value=save]")
    card = p.inner_text("#kontroll")
    assert "49 rutor är tomma och räknas som 0 när rapporten skickas in" in card
    assert "Kognitiv beteendeterapi (KBT), kvinnor, privat" in card
    assert "hindrar inte" not in card
    p.check("#eligibility_confirmed")
    p.click("button[value=submit]")
    # Refused: the summary links to each explanation that is missing.
    summary = p.locator(".error-summary")
    assert "Förklara varningen: 49 rutor är tomma" in summary.inner_text()
    page.screenshot("typed-02-blank-cells-refused")
    summary.locator("a").first.click()
    focused = p.evaluate("document.activeElement.id")
    assert focused.startswith("explain-")
    assert p.get_attribute(f"#{focused}", "aria-invalid") == "true"
    for index in range(p.locator("section#kontroll textarea").count()):
        p.locator("section#kontroll textarea").nth(index).fill("Privata vårdgivare svarar i mars.")
    if not p.is_checked("#eligibility_confirmed"):
        p.check("#eligibility_confirmed")
    p.click("button[value=submit]")
    assert "Rapporten är inskickad till Försäkringskassan." in p.inner_text(".messages")
    version = Report.objects.get().versions.get()
    assert version.status == VersionStatus.SUBMITTED
    assert WarningExplanation.objects.filter(version=version, code="blank_cells").count() == 1
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_save_after_the_session_expired_gives_the_figures_back(page, coordinator):
    p = page.page
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(FORM)
    p.fill("#cell-KBT-F-PUBLIC", "12")
    p.fill("#cell-IPT-M-PRIVATE", "340")
    # The session times out while the coordinator types.
    p.context.clear_cookies(name="sessionid")
    p.once("dialog", lambda dialog: dialog.accept())
    p.click("button[value=save]")
    p.wait_for_url("**/konto/logga-in/**")
    assert "Logga in igen: dina siffror läggs då tillbaka" in p.inner_text(".messages")
    page.screenshot("typed-03-session-expired")
    p.fill("#id_username", "samordnare01")
    p.fill("#id_password", TEST_PASSWORD)
    p.click("button[type=submit].primary")
    p.wait_for_load_state()
    assert "Det du skrev som inte kunde sparas är tillbaka i formuläret." in p.inner_text(
        ".messages"
    )
    assert p.input_value("#cell-KBT-F-PUBLIC") == "12"
    assert p.input_value("#cell-IPT-M-PRIVATE") == "340"
    assert total(page, "IPT") == "340"
    page.screenshot("typed-04-figures-given-back")
    p.click("button[value=save]")
    assert "Utkastet är sparat." in p.inner_text(".messages")
    assert p.input_value("#cell-IPT-M-PRIVATE") == "340"
    assert page.console_errors == []
