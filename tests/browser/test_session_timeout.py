"""The session timer in a real browser (static/js/session-timeout.js): the page warns
before the idle timeout, "Fortsätt vara inloggad" keeps the session, and when it has
ended the page says so and signing in again returns to the same page. The timeouts
are shortened to seconds here (the same settings as the real 30 minutes)."""

from __future__ import annotations

import pytest

from tests.factories import TEST_PASSWORD


@pytest.mark.django_db(transaction=True)
def test_warning_keep_alive_and_sign_in_again(page, coordinator, settings):
    settings.SESSION_IDLE_TIMEOUT = 20
    settings.SESSION_WARNING_SECONDS = 14
    p = page.page
    page.login("samordnare01", TEST_PASSWORD)
    page.goto("/rapporter/?ar=2020")
    box = p.locator("#session-warning")
    assert not box.is_visible()

    # Six seconds without activity: the warning, with a countdown.
    p.wait_for_selector("#session-warning[data-state=expiring]", timeout=15_000)
    assert "Fortsätt vara inloggad" in box.inner_text()
    page.screenshot("session-01-warning")
    p.click("[data-keepalive]")
    p.wait_for_selector("#session-warning", state="hidden", timeout=5_000)

    # Nothing more: the session ends and the page says so.
    p.wait_for_selector("#session-warning[data-state=expired]", timeout=40_000)
    assert "Du har loggats ut" in box.inner_text()
    page.screenshot("session-02-expired")
    p.click("#session-warning a.button")
    p.wait_for_selector("#id_username")
    p.fill("#id_username", "samordnare01")
    p.fill("#id_password", TEST_PASSWORD)
    p.click("button[type=submit].primary")
    p.wait_for_url(page.base_url + "/rapporter/?ar=2020")
    assert page.console_errors == []
