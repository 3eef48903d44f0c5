"""`Idempotency-Key` on POST: the same key and body return the first response
without acting again; the same key with another body is refused (422,
`idempotency_key_reused`).

How it stays exactly-once under races: every POST runs in one transaction. With a
key, the first statement inserts an IdempotencyRecord (unique per caller and key).
A second request with the same key blocks on that unique index until the first
request's transaction ends; if the first committed, the insert fails and the second
returns the stored response; if it rolled back, the second goes ahead. The action
and its record commit together or not at all.

Only successful (2xx) responses are kept. A refused request (4xx) is rolled back
whole, changed nothing, and may be sent again with the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from rehab.models import IdempotencyRecord

from .errors import ApiError

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    text = f"{request.method} {request.path}\n{body}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


def _replay(record: IdempotencyRecord) -> Response:
    headers = {REPLAYED_HEADER: "true"}
    if record.location:
        headers["Location"] = record.location
    return Response(record.response_body, status=record.status_code, headers=headers)


def run_post(
    request: Request, call: Callable[[], Response], on_error: Callable[[Exception], Response]
) -> Response:
    """Run a POST handler (`call`) in one transaction, honouring the Idempotency-Key.
    `on_error` turns a refusal into its error response (the view's handle_exception)."""
    key = request.headers.get(HEADER)
    with transaction.atomic():
        record: IdempotencyRecord | None = None
        if key is not None:
            if not _valid_key(key):
                raise ApiError(
                    _("Idempotency-Key ska vara 1–255 synliga ASCII-tecken, t.ex. ett UUID."),
                    code="idempotency_key_invalid",
                    field=HEADER,
                )
            fingerprint = _fingerprint(request)
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=request.user,
                        key=key,
                        method=request.method or "POST",
                        path=request.path[:500],
                        request_hash=fingerprint,
                    )
            except IntegrityError:
                existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
                if existing is None or existing.status_code is None:
                    raise ApiError(
                        _("Ett anrop med samma Idempotency-Key pågår. Försök igen."),
                        code="idempotency_in_progress",
                        status_code=status.HTTP_409_CONFLICT,
                        field=HEADER,
                    ) from None
                if existing.request_hash != fingerprint:
                    raise ApiError(
                        _(
                            "Idempotency-Key har redan använts för ett annat anrop. "
                            "Använd en ny nyckel för varje nytt anrop."
                        ),
                        code="idempotency_key_reused",
                        status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
                        field=HEADER,
                    ) from None
                return _replay(existing)
        try:
            response = call()
        except Exception as exc:
            response = on_error(exc)
        if not status.is_success(response.status_code):
            # A refusal changes nothing: not the action's first steps, not the record.
            transaction.set_rollback(True)
            return response
        if record is not None:
            record.status_code = response.status_code
            record.response_body = _json_safe(response.data)
            record.location = str(response.headers.get("Location", ""))[:500]
            record.save(update_fields=["status_code", "response_body", "location"])
        return response


def _json_safe(data: Any) -> Any:
    return json.loads(JSONRenderer().render(data)) if data is not None else None
