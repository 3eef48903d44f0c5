"""Nothing shown to a signed-in user or an API key is stored by a browser or a proxy."""

import pytest
from rest_framework.test import APIClient

from rehab.api.tokens import api_token_issue
from tests.api.conftest import as_service_user

pytestmark = pytest.mark.django_db


def test_pages_for_a_signed_in_user_are_not_stored(login, coordinator):
    response = login(coordinator).get("/rapporter/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_api_responses_to_a_key_are_not_stored(coordinator):
    _token, secret = api_token_issue(
        name="VAS", user=as_service_user(coordinator), acting_user=None
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.get("/api/v1/reports/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_public_responses_keep_their_own_caching(client, ref):
    response = client.get("/healthz")
    assert "no-store" not in response.get("Cache-Control", "")
