"""API fixtures: a token per named user, and a client that sends it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from rehab.api.tokens import api_token_issue


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The API tests log in with tokens and force_login, never by password: a fast
    hasher keeps the many users they create cheap."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def as_service_user(user: Any) -> Any:
    """Make `user` a service user (no password), the only kind that may hold API keys."""
    if not user.is_service_user:
        user.is_service_user = True
        user.set_unusable_password()
        user.save(update_fields=["is_service_user", "password"])
    return user


@pytest.fixture
def token_for() -> Callable[..., str]:
    """token_for(user, name=...) -> a new token's secret. The API tests act as the
    named users of the test suite turned into service users (API keys are only for
    service users); they sign in to the browser with force_login, never a password."""

    def _issue(user: Any, name: str = "") -> str:
        as_service_user(user)
        _token, secret = api_token_issue(
            name=name or f"System {user.username}", user=user, acting_user=None
        )
        return secret

    return _issue


@pytest.fixture
def api(token_for: Callable[..., str]) -> Callable[..., APIClient]:
    """api(user) -> a client authenticated with a fresh token of `user` (JSON by default);
    api() -> a client without credentials."""

    def _client(user: Any = None) -> APIClient:
        client = APIClient()
        client.default_format = "json"
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return client

    return _client
