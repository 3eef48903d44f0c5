"""API tokens: issued and revoked in the admin, stored hashed, sent as Bearer."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.contrib.messages import get_messages
from rest_framework.test import APIClient

from rehab.api.tokens import api_token_issue, api_token_revoke
from rehab.enums import Role
from rehab.models import ApiToken
from tests.api.conftest import as_service_user
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_api_without_credentials_is_401_with_bearer_challenge(ref):
    response = APIClient().get("/api/v1/regions/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["error"]["code"] == "not_authenticated"


def test_api_with_unknown_token_is_401(ref):
    response = _bearer("rehab_finnsinte").get("/api/v1/regions/")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "invalid_token")


def test_api_token_is_stored_as_sha256_only(coordinator):
    token, secret = api_token_issue(name="VAS", user=as_service_user(coordinator), acting_user=None)
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert secret not in stored


def test_api_token_acts_as_its_user_and_records_last_use(coordinator):
    token, secret = api_token_issue(name="VAS", user=as_service_user(coordinator), acting_user=None)
    assert token.last_used_at is None
    response = _bearer(secret).post(
        "/api/v1/reports/", {"region": "01", "period": "2012Q1"}, format="json"
    )
    assert response.status_code == 201
    token.refresh_from_db()
    assert token.last_used_at is not None
    version = response.json()["versions"][0]
    assert version["number"] == 1
    from reporting.models import ReportVersion

    assert ReportVersion.objects.get().created_by == coordinator


def test_api_revoked_token_is_401(coordinator, admin_user):
    token, secret = api_token_issue(name="VAS", user=as_service_user(coordinator), acting_user=None)
    assert _bearer(secret).get("/api/v1/regions/").status_code == 200
    api_token_revoke(token=token, acting_user=admin_user)
    response = _bearer(secret).get("/api/v1/regions/")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "invalid_token")


def test_api_token_of_inactive_user_is_401(ref):
    user = UserFactory(role=Role.REGION_COORDINATOR, region_id="01", is_active=False)
    _token, secret = api_token_issue(name="VAS", user=as_service_user(user), acting_user=None)
    response = _bearer(secret).get("/api/v1/regions/")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "inactive_user")


def test_api_accepts_the_browser_session(client, viewer):
    client.force_login(viewer)
    response = client.get("/api/v1/regions/")
    assert (response.status_code, response.json()["count"]) == (200, 21)


def test_admin_issues_token_and_shows_secret_once(client, admin_user, coordinator):
    sign_in(client, admin_user)
    response = client.post(
        "/admin/rehab/apitoken/add/",
        {"name": "VAS Region Stockholm", "user": as_service_user(coordinator).pk},
        follow=True,
    )
    assert response.status_code == 200
    texts = [str(m) for m in get_messages(response.wsgi_request)] + [response.content.decode()]
    secrets_shown = {s for text in texts for s in re.findall(r"rehab_[A-Za-z0-9_\-]{43}", text)}
    assert len(secrets_shown) == 1
    secret = secrets_shown.pop()
    token = ApiToken.objects.get()
    assert (token.name, token.user, token.created_by) == (
        "VAS Region Stockholm",
        coordinator,
        admin_user,
    )
    assert _bearer(secret).get("/api/v1/regions/").status_code == 200

    page = client.get(f"/admin/rehab/apitoken/{token.pk}/change/").content.decode()
    assert secret not in page
    assert token.prefix in page


def test_admin_revoke_action(client, admin_user, coordinator):
    token, secret = api_token_issue(name="VAS", user=as_service_user(coordinator), acting_user=None)
    sign_in(client, admin_user)
    response = client.post(
        "/admin/rehab/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert (token.revoked_by, token.revoked_at is not None) == (admin_user, True)
    assert _bearer(secret).get("/api/v1/regions/").status_code == 401
    listing = client.get("/admin/rehab/apitoken/").content.decode()
    assert "VAS" in listing
