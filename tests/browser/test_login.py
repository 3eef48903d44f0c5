"""The login page in a real browser."""

import pytest

from tests.factories import TEST_PASSWORD


@pytest.mark.django_db(transaction=True)
def test_login_in_browser_lands_on_start_page(page, case_officer):
    page.login("handlaggare", TEST_PASSWORD)
    assert "Välkommen" in page.page.content() or page.page.url != page.base_url + "/konto/logga-in/"
    page.screenshot("login-start")
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_login_wrong_password_in_browser(page, case_officer):
    page.login("handlaggare", "fel-lösenord")
    assert "Fel användarnamn eller lösenord" in page.page.content()
