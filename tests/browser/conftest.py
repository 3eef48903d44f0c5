"""Browser tests: Playwright (Python) driving Debian's chromium, headless, against
pytest-django's live server. Without /usr/bin/chromium they skip, saying how to
enable them. Screenshots land in test-artifacts/ (kept by CI as artifacts)."""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the
# tests make between page actions are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("REHAB_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# axe-core from the npm registry (tests/browser/axe/package.json; `python3 dev.py
# test` runs `npm ci` there when node is installed). Never from a CDN.
AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
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
    log and a screenshot helper. axe-core checks every page the test visits
    (after each goto/login, before each screenshot and at the end of the test)
    against WCAG 2.1 A and AA; the test fails on any violation."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.console_errors: list[str] = []
        self.a11y_violations: list[str] = []
        self.a11y_checked = 0
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))

    def _console(self, msg: Any) -> None:
        # A form refused with 422 (Unprocessable Entity) is the page's answer, not an
        # error of the page's scripts: the browser logs it, the tests do not count it.
        if msg.type == "error" and "status of 422" not in msg.text:
            self.console_errors.append(msg.text)

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        self.axe()
        return response

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
        self.axe()

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

    def axe(self) -> list[str]:
        """Run axe-core on the page as it is now; violations are recorded (the test
        fails at its end) and returned."""
        if not AXE.exists() or self.page.is_closed() or not self.page.url.startswith("http"):
            return []
        if not (self.page.url + "/").startswith(self.base_url + "/"):
            return []  # another site's page (the test OpenID provider's): not ours to check
        self.page.wait_for_load_state()
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            """async (tags) => {
                const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return r.violations.map(v => v.id + " (" + v.impact + "): " + v.help + " — "
                    + v.nodes.slice(0, 5).map(n => n.target.join(" ")).join(", "));
            }""",
            AXE_TAGS,
        )
        self.a11y_checked += 1
        found = [f"{self.page.url}: {line}" for line in result]
        self.a11y_violations.extend(v for v in found if v not in self.a11y_violations)
        return found

    def logout(self) -> None:
        self.page.context.clear_cookies()

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.axe()
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    if AXE.exists():
        # Present on every page the browser loads (an init script is not subject to
        # the page's Content-Security-Policy, so the pages keep their strict one).
        context.add_init_script(path=str(AXE))
    else:
        warnings.warn(
            f"axe-core is not installed ({AXE}): the accessibility checks are skipped. "
            "Install node and run `npm ci` in tests/browser/axe (dev.py test does).",
            stacklevel=1,
        )
    wrapped = Page(context.new_page(), live_server.url)
    try:
        yield wrapped
        wrapped.axe()  # the page the test ended on
        assert wrapped.a11y_violations == [], "WCAG 2.1 A/AA violations (axe-core):\n" + (
            "\n".join(wrapped.a11y_violations)
        )
    finally:
        context.close()
