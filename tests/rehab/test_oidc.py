"""OpenID Connect configuration and matching, without a browser (the whole sign-in
against a real OP is tests/browser/test_oidc.py): the login page offers SITHS only
when configured; people are matched to existing active users by HSA-id (or e-mail
where configured), never created; with OIDC on, the password form is for
administrators' break-glass accounts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from rehab.accounts.oidc import OidcBackend
from rehab.enums import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

OP = "https://idp.example.se/oidc"


@pytest.fixture
def oidc_on(settings):
    settings.OIDC_RP_CLIENT_ID = "rehab"
    settings.OIDC_RP_CLIENT_SECRET = "hemligt"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{OP}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{OP}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{OP}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{OP}/jwks"


def backend():
    request = RequestFactory().get("/oidc/callback/")
    request.session = SessionStore()
    instance = OidcBackend()
    instance.request = request
    return instance


def test_without_oidc_the_login_page_is_the_password_form(client):
    html = client.get("/konto/logga-in/").content.decode()
    assert "Logga in med SITHS" not in html
    assert 'id="id_password"' in html
    assert client.get("/oidc/authenticate/").status_code == 404


def test_with_oidc_the_login_page_offers_siths_and_sends_to_the_idp_with_pkce(client, oidc_on):
    html = client.get("/konto/logga-in/").content.decode()
    assert "Logga in med SITHS" in html
    response = client.get("/oidc/authenticate/?next=/rapporter/")
    url = urlsplit(response["Location"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{OP}/authorize"
    assert query["client_id"] == ["rehab"]
    assert query["scope"] == ["openid profile email"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]


def test_with_oidc_password_sign_in_is_for_administrators_only(
    client, oidc_on, coordinator, admin_user
):
    refused = client.post(
        "/konto/logga-in/", {"username": "samordnare01", "password": TEST_PASSWORD}
    )
    assert refused.status_code == 200
    assert "Logga in med SITHS" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    allowed = client.post("/konto/logga-in/", {"username": "admin", "password": TEST_PASSWORD})
    assert allowed.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)


def test_person_is_matched_by_hsa_id_to_an_active_user(ref, oidc_on):
    user = UserFactory(
        username="samordnare01",
        role=Role.REGION_COORDINATOR,
        region_id="01",
        hsa_id="SE2321000016-A001",
    )
    UserFactory(username="inaktiv", is_active=False, hsa_id="SE2321000016-Z000")
    claims = {"sub": "x", "employeeHsaId": "SE2321000016-A001", "email": "other@example.se"}
    assert list(backend().filter_users_by_claims(claims)) == [user]
    assert list(backend().filter_users_by_claims({"employeeHsaId": "SE2321000016-Z000"})) == []


def test_email_matches_only_where_configured(ref, oidc_on, settings):
    user = UserFactory(username="handlaggare", role=Role.FK_CASE_OFFICER, email="K.L@fk.se")
    claims = {"employeeHsaId": "SE2021005521-0001", "email": "k.l@fk.se"}
    assert list(backend().filter_users_by_claims(claims)) == []
    settings.OIDC_MATCH_EMAIL = True
    assert list(backend().filter_users_by_claims(claims)) == [user]


def test_unknown_person_is_noted_for_the_refusal_page_and_never_created(ref, oidc_on):
    instance = backend()
    claims = {"name": "Olle Okänd", "employeeHsaId": "SE2321000016-X999"}
    assert list(instance.filter_users_by_claims(claims)) == []
    assert instance.request.session["rehab_oidc_refused"]["hsa_id"] == "SE2321000016-X999"
    with pytest.raises(ImproperlyConfigured):
        instance.create_user(claims)
    assert instance.verify_claims({"email": "x@example.se"}) is False  # no HSA-id


def test_user_admin_has_the_hsa_id(login, admin_user):
    html = login(admin_user).get(f"/admin/rehab/user/{admin_user.pk}/change/").content.decode()
    assert 'name="hsa_id"' in html
