"""Choosing English with the switch in the header, in a real browser: the choice
sticks across pages and after logging in, and Svenska switches back."""

import pytest

from tests.factories import TEST_PASSWORD


@pytest.mark.django_db(transaction=True)
def test_language_switch_turns_the_interface_english_and_back(page, coordinator):
    page.goto("/konto/logga-in/")
    assert page.page.locator("h1").inner_text() == "Logga in i Rehab"
    page.page.click("form.lang button[lang=en]")
    page.page.wait_for_load_state()
    assert page.page.locator("h1").inner_text() == "Log in to Rehab"
    assert page.page.locator("html").get_attribute("lang") == "en"

    page.page.fill("#id_username", "samordnare01")
    page.page.fill("#id_password", TEST_PASSWORD)
    page.page.click("button[type=submit].primary")
    page.page.wait_for_load_state()
    assert page.page.locator("h1").inner_text() == "Reports for Region Stockholm"
    menu = page.page.locator("header nav li").all_inner_texts()
    assert menu == ["Reports", "Payouts", "Conditions", "Care units", "Statistics"]
    page.screenshot("i18n-overview-en")

    page.goto("/rapporter/01/2020/")
    assert page.page.locator("button", has_text="Save draft").count() == 1
    assert page.page.locator("button", has_text="Submit to Försäkringskassan").count() == 1
    page.screenshot("i18n-report-form-en")

    page.page.click("form.lang button[lang=sv]")
    page.page.wait_for_load_state()
    assert page.page.locator("button", has_text="Spara utkast").count() == 1
    assert page.page.locator("html").get_attribute("lang") == "sv"
    assert page.console_errors == []
