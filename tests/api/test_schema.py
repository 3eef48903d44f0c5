"""The OpenAPI schema describes the API exactly: schemathesis sends generated
requests (valid and invalid) to every operation through the WSGI app, with a
token, and checks there is no server error and every response (status code,
content type, body, headers) is one the schema declares. Also: the schema and the
documentation page are served, and the page keeps the site's strict CSP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from payments.models import PayoutRun
from rehab.models import Agreement, Condition
from reporting.accounts.services import account_get_or_create, account_open_draft
from tests.factories import report_version

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES = 3


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[Any]:
    """The WSGI app, called in this thread inside the test's transaction: Django must
    not close the connection at the end of each request (as its test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _exercise(
    schema: Any,
    token: str,
    path_parameters: dict[str, Any],
    modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
) -> int:
    """Every operation (with path_parameters given: those that take one of them),
    with valid and invalid requests; returns how many requests were sent."""
    sent = 0
    unsatisfiable: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        fixed = {k: v for k, v in path_parameters.items() if "{" + k + "}" in operation.path}
        if path_parameters and not fixed:
            continue
        for mode in modes:
            strategy = operation.as_strategy(
                generation_mode=mode, headers=headers, path_parameters=fixed
            )

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                nonlocal sent
                response = case.call()
                case.validate_response(response, checks=CHECKS)
                sent += 1

            try:
                run()
            except Unsatisfiable:
                # Nothing about this operation can be made invalid (e.g. no parameters
                # and no body besides the fixed ones): there is no negative case.
                assert mode == GenerationMode.NEGATIVE, operation.path
                unsatisfiable.append(f"{operation.method} {operation.path}")
    return sent


@pytest.mark.django_db
def test_schema_conformance_generated_requests(
    wsgi_in_test_transaction, token_for, coordinator, case_officer, approver
):
    draft = report_version(region="01", year=2012, quarter=1, user=coordinator, status="DRAFT")
    submitted = report_version(
        region="01", year=2012, quarter=2, user=coordinator, status="SUBMITTED"
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_in_test_transaction)
    # Random requests everywhere; then on objects that exist, as the region and as FK.
    sent = _exercise(schema, token_for(coordinator), {})
    positive = (GenerationMode.POSITIVE,)
    sent += _exercise(
        schema, token_for(coordinator), {"id": draft.report_id, "year": 2012}, positive
    )
    sent += _exercise(
        schema, token_for(case_officer), {"id": submitted.report_id, "number": 1}, positive
    )
    # A written account's draft, as its region (answers, submit, attachments).
    account = account_get_or_create(
        region="01",
        condition=Condition.objects.get(agreement__year=2020, code="V2"),
        acting_user=coordinator,
    )
    account_open_draft(account=account, acting_user=coordinator)
    sent += _exercise(
        schema, token_for(coordinator), {"id": account.pk, "number": 1, "attachment": 1}, positive
    )
    run = PayoutRun.objects.create(
        agreement=Agreement.objects.get(year=2012),
        kind="QUARTER",
        quarter=1,
        started_by=case_officer,
    )
    sent += _exercise(schema, token_for(approver), {"id": run.pk, "export_id": 1}, positive)
    assert sent > 150


@pytest.mark.django_db
def test_schema_served_as_openapi_3(client):
    response = client.get("/api/v1/schema/?format=json")
    schema = response.json()
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/reports/{id}/submit/" in schema["paths"]
    submit = schema["paths"]["/api/v1/reports/{id}/submit/"]["post"]
    assert sorted(submit["responses"]) == ["200", "400", "401", "403", "404", "409", "415", "422"]
    assert submit["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "Idempotency-Key" in [p["name"] for p in submit["parameters"]]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_docs_page_renders_every_operation_under_the_strict_csp(client):
    response = client.get("/api/v1/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith(
        "default-src 'self'; script-src 'self'; style-src 'self'"
    )
    schema = client.get("/api/v1/schema/?format=json").json()
    for path, item in schema["paths"].items():
        for method in item:
            assert f'id="{item[method]["operationId"]}"' in html, (method, path)
    assert 'id="schema-DraftInputRequest"' in html
    assert "<script>" not in html and "style=" not in html and "<style" not in html
