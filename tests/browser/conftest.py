"""Browser tests: Playwright (Python) driving Debian's chromium, headless, against
pytest-django's live server. Without /usr/bin/chromium they skip, saying how to
enable them. Screenshots land in test-artifacts/ (kept by CI as artifacts)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the
# tests make between page actions are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("REHAB_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ENABLE_HINT = (
    "browser tests need Debian's chromium: `apt-get update && apt-get install -y chromium` "
    "(or set REHAB_CHROMIUM to a Chromium binary)"
)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(ENABLE_HINT)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Page:
    """A Playwright page with the live server's URL, a login helper, a console-error
    log and a screenshot helper."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.console_errors: list[str] = []
        page.on(
            "console",
            lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def login(self, username: str, password: str) -> None:
        """Sign in with the password form, then do the second step where it is due, as
        the user would with the app on their phone: type its code (the device's key is
        read from the database, as the phone holds it), or on first sign-in set the app
        up from the key shown on the page and go past the recovery codes."""
        self.goto("/konto/logga-in/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit].primary")
        self.page.wait_for_load_state()
        if "/konto/tvastegsverifiering/ny/" in self.page.url:
            self.setup_authenticator()
            self.page.click("a.button.primary")  # past the recovery codes
            self.page.wait_for_load_state()
        elif "/konto/tvastegsverifiering/" in self.page.url:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            from tests.conftest import totp_code

            device = TOTPDevice.objects.get(user__username=username, confirmed=True)
            self.page.fill("#id_code", totp_code(device))
            self.page.click("button[type=submit].primary")
            self.page.wait_for_load_state()

    def setup_authenticator(self) -> str:
        """On the set-up page: 'scan' the key shown, type the app's code. Returns the key."""
        import base64

        from django_otp.plugins.otp_totp.models import TOTPDevice

        from tests.conftest import totp_code

        secret = self.page.inner_text("#totp-secret").replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
        self.page.fill("#id_code", totp_code(TOTPDevice(key=key)))
        self.page.click("button[type=submit].primary")
        self.page.wait_for_load_state()
        return key

    def logout(self) -> None:
        self.page.context.clear_cookies()

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    try:
        yield Page(context.new_page(), live_server.url)
    finally:
        context.close()
