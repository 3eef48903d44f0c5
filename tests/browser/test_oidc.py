"""Sign-in with SITHS through a REAL OpenID Connect provider: panva's oidc-provider
(OpenID Certified) run with the machine's Node.js from tests/oidc_provider/, its
development login form standing in for the card. Rehab talks to it as to Inera's
IdP: discovery, authorization code with PKCE, ID token (RS256, JWKS), userinfo, and
RP-initiated logout.

Without Node.js, or before `npm ci` in tests/oidc_provider (`python3 dev.py test`
runs it), these tests skip saying so."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rehab.enums import Role
from tests.factories import UserFactory

OP_DIR = Path(__file__).resolve().parents[1] / "oidc_provider"
CLIENT_ID, CLIENT_SECRET = "rehab-test", "rehab-test-secret-0123456789"
# The people the IdP knows (login name -> claims). Only anna and bengt are users of Rehab.
ACCOUNTS = {
    "anna": {
        "name": "Anna Andersson",
        "given_name": "Anna",
        "family_name": "Andersson",
        "email": "anna.andersson@regionstockholm.se",
        "employeeHsaId": "SE2321000016-A001",
    },
    "bengt": {
        "name": "Bengt Berg",
        "email": "bengt.berg@forsakringskassan.se",
        "employeeHsaId": "SE2021005521-B002",
    },
    "okand": {
        "name": "Olle Okänd",
        "email": "olle@example.se",
        "employeeHsaId": "SE2321000016-X999",
    },
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def oidc_provider(live_server: Any) -> Iterator[str]:
    """The OP, started once for the session; yields its issuer URL."""
    node = shutil.which("node")
    if node is None:
        pytest.skip(
            "the OIDC tests need Node.js 18+ (`apt-get install nodejs npm`), then "
            "`python3 dev.py test` installs the test OP (npm ci in tests/oidc_provider)"
        )
    if not (OP_DIR / "node_modules" / "oidc-provider").exists():
        pytest.skip(
            "the test OP is not installed: `npm ci --prefix tests/oidc_provider` "
            "(`python3 dev.py test` does it when Node.js is present)"
        )
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        PORT=str(port),
        CLIENT_ID=CLIENT_ID,
        CLIENT_SECRET=CLIENT_SECRET,
        REDIRECT_URI=f"{live_server.url}/oidc/callback/",
        POST_LOGOUT_REDIRECT_URI=f"{live_server.url}/konto/logga-in/",
        ACCOUNTS=json.dumps(ACCOUNTS),
    )
    process = subprocess.Popen(
        [node, "server.mjs"],
        cwd=OP_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(  # noqa: S310 (our own OP on 127.0.0.1)
                    f"{issuer}/.well-known/openid-configuration", timeout=2
                ):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the test OIDC provider did not start") from None
                time.sleep(0.3)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def oidc(settings: Any, oidc_provider: str) -> str:
    """Rehab configured against the OP as against Inera's IdP: the issuer (endpoints
    from discovery), the client, the HSA-id claim, whom to contact."""
    settings.OIDC_ISSUER = oidc_provider
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_HSA_ID_CLAIM = "employeeHsaId"
    settings.OIDC_ACCESS_CONTACT = "rehab-support@forsakringskassan.se"
    return oidc_provider


def sign_in_at_op(page: Any, login: str) -> None:
    p = page.page
    page.goto("/konto/logga-in/")
    p.click("text=Logga in med SITHS")
    p.wait_for_selector("input[name=login]")
    assert p.url.startswith(page.oidc_issuer)
    p.fill("input[name=login]", login)
    p.fill("input[name=password]", "kortets-pinkod")
    p.click("button.login-submit")
    p.wait_for_url(page.base_url + "/**")
    # The OP's development pages load a font from the internet; only Rehab's pages count.
    page.console_errors.clear()


@pytest.fixture
def op_page(page: Any, oidc: str) -> Any:
    page.oidc_issuer = oidc
    return page


@pytest.mark.django_db(transaction=True)
def test_coordinator_signs_in_with_siths_and_sees_only_region_01(op_page, ref):
    UserFactory(
        username="samordnare01",
        role=Role.REGION_COORDINATOR,
        region_id="01",
        hsa_id="SE2321000016-A001",
    )
    p = op_page.page
    op_page.goto("/konto/logga-in/")
    assert p.is_visible("text=Logga in med SITHS")
    assert not p.is_visible("#id_password")  # folded away for break-glass accounts
    op_page.screenshot("oidc-01-login")

    sign_in_at_op(op_page, "anna")
    assert p.url == op_page.base_url + "/rapporter/"
    assert "Rapporter för Region Stockholm" in p.inner_text("h1")
    assert "Regionsamordnare" in p.inner_text("header")
    op_page.screenshot("oidc-02-signed-in")
    assert op_page.console_errors == []
    # Region 01's coordinator, and nothing more: another region is not there.
    assert op_page.goto("/rapporter/region/01/").status == 200
    assert op_page.goto("/rapporter/region/03/").status == 404


@pytest.mark.django_db(transaction=True)
def test_unknown_person_is_refused_with_whom_to_contact(op_page, ref):
    p = op_page.page
    sign_in_at_op(op_page, "okand")
    assert p.url == op_page.base_url + "/konto/okand-anvandare/"
    text = p.inner_text("main")
    assert "Du har inget konto i Rehab" in text
    assert "Olle Okänd" in text
    assert "rehab-support@forsakringskassan.se" in text
    assert "SE2321000016-X999" in text
    op_page.screenshot("oidc-03-unknown-person")
    # Not signed in, and no user was made from the claims.
    op_page.goto("/rapporter/")
    assert "/konto/logga-in/" in p.url
    from rehab.models import User

    assert not User.objects.filter(hsa_id="SE2321000016-X999").exists()
    assert not User.objects.filter(email="olle@example.se").exists()


@pytest.mark.django_db(transaction=True)
def test_approver_via_siths_is_not_asked_for_a_code_and_logout_ends_the_idp_session(op_page, ref):
    UserFactory(username="attestant", role=Role.FK_APPROVER, hsa_id="SE2021005521-B002")
    p = op_page.page
    sign_in_at_op(op_page, "bengt")
    # SITHS is already two factors: straight to the approver's start page.
    assert p.url == op_page.base_url + "/utbetalningar/"
    assert "Attestant" in p.inner_text("header")

    p.click("header button:has-text('Logga ut')")
    p.wait_for_url(op_page.oidc_issuer + "/session/end**")
    op_page.screenshot("oidc-04-idp-logout")
    p.click("button[name=logout]")
    p.wait_for_url(op_page.base_url + "/konto/logga-in/**")
    # Signed out of Rehab ...
    op_page.goto("/utbetalningar/")
    assert "/konto/logga-in/" in p.url
    # ... and of the IdP: signing in again asks for the card again.
    p.click("text=Logga in med SITHS")
    p.wait_for_selector("input[name=login]")
    assert p.url.startswith(op_page.oidc_issuer)
