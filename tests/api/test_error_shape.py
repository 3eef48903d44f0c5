# ruff: noqa: F811  (the care-unit fixtures are imported from tests/units/conftest.py)
"""With DEBUG off (production), every API failure answers in the API's JSON error
shape, never an HTML page: a bug (500), a body over DATA_UPLOAD_MAX_MEMORY_SIZE
(413), too many fields, an unknown address under /api/ (404). The browser keeps
its HTML pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.units.conftest import period, reporter1, units  # noqa: F401

pytestmark = [
    pytest.mark.urls("tests.api.urls_raising"),
    pytest.mark.django_db,
]


def error_of(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field", "details"}
    return body["error"]


@override_settings(DEBUG=False)
def test_a_bug_in_an_api_view_is_a_500_in_the_error_shape():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/test-broken/")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error"
    assert "a bug" not in error["message"]  # nothing of the internals


@override_settings(DEBUG=False)
def test_a_browser_page_keeps_its_html_500():
    response = Client(raise_request_exception=False).get("/test-broken/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
@pytest.mark.parametrize("method", ["put", "post", "patch"])
def test_a_body_over_the_limit_is_a_413_in_the_error_shape(method, api, coordinator):
    client = api(coordinator)
    client.raise_request_exception = False
    body = json.dumps({"comment": "x" * 2000})
    response = getattr(client, method)(
        "/api/v1/test-broken/", body, content_type="application/json"
    )
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "request_too_large"
    # Also on a real endpoint, authenticated, before anything is read or stored.
    response = getattr(client, method)("/api/v1/reports/", body, content_type="application/json")
    assert (response.status_code, error_of(response)["code"]) == (413, "request_too_large")


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_within_the_limit_is_read(api, coordinator):
    client = api(coordinator)
    response = client.put(
        "/api/v1/test-broken/", json.dumps({"a": "x" * 500}), content_type="application/json"
    )
    assert (response.status_code, response.json()) == (200, {"received": 1})


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_NUMBER_FIELDS=5, DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_refusals_raised_outside_drf_are_in_the_error_shape_too():
    """A view under /api/ that is no DRF view (Django's own form and upload parsing):
    Django's 400 handler answers in the API's shape."""
    client = Client(raise_request_exception=False)
    form = "&".join(f"f{i}=1" for i in range(20))
    response = client.post(
        "/api/v1/test-form/", form, content_type="application/x-www-form-urlencoded"
    )
    assert (response.status_code, error_of(response)["code"]) == (400, "too_many_fields")
    response = client.post(
        "/api/v1/test-form/", f"f={'x' * 2000}", content_type="application/x-www-form-urlencoded"
    )
    assert (response.status_code, error_of(response)["code"]) == (413, "request_too_large")
    assert "högst" in error_of(response)["message"]
    response = client.post(
        "/api/v1/test-form/", "f=1", content_type="application/x-www-form-urlencoded"
    )
    assert (response.status_code, response.content) == (200, b"1")
    # The browser's pages keep Django's HTML 400.
    response = client.post(
        "/test-broken/", f"f={'x' * 2000}", content_type="application/x-www-form-urlencoded"
    )
    assert not response["Content-Type"].startswith("application/json")


@override_settings(DEBUG=False)
def test_an_unknown_api_address_is_a_404_in_the_error_shape():
    response = Client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.urls("rehab.urls")
@override_settings(DEBUG=False, DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_file_over_the_upload_limit_is_refused_in_the_error_shape(api, units, period, reporter1):
    """The upload size limit (ValidationSettings.max_upload_bytes) through the API's
    multipart upload: 422 in the error shape; the file itself is not held to
    DATA_UPLOAD_MAX_MEMORY_SIZE (only the form's other fields are)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reporting.models import UnitFigures, ValidationSettings

    settings = ValidationSettings.current()
    settings.max_upload_bytes = 2000
    settings.save()
    client = api(reporter1)
    client.raise_request_exception = False
    path = f"/api/v1/units/{units[0].pk}/figures/{period.pk}/file/"
    line = f"01;{period.label};KBT;F;PUBLIC;1\n"
    text = "region;period;item;sex;provider;value\n" + line * 100  # ~3 kB
    response = client.put(
        path,
        {"file": SimpleUploadedFile("norr.csv", text.encode()), "lock_version": 0},
        format="multipart",
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "file_refused"
    assert "stor" in error["details"][0]["message"]
    assert not UnitFigures.objects.exists()
    # Form fields over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 in the shape.
    response = client.put(
        path,
        {"file": SimpleUploadedFile("norr.csv", b"x"), "lock_version": "0" * 2000},
        format="multipart",
    )
    assert (response.status_code, error_of(response)["code"]) == (413, "request_too_large")
