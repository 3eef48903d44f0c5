"""One error shape for every API response that is not a success:

    {"error": {"code": "stale_draft", "message": "<Swedish>", "field": null, "details": []}}

`code` is stable and meant for programs; `message` is the Swedish sentence the
browser would show; `field` names the request field the error concerns (or null);
`details` lists the individual problems (invalid fields, or a report's validation
issues with their severity).

Status codes: 400 malformed request, 401 no or bad credentials, 403 not allowed,
404 unknown or outside the caller's regions, 405/406/415 protocol, 409 conflict
with the current state (stale draft, wrong status), 422 the request was understood
but the rules refuse it (validation failed, an Idempotency-Key reused for another
request).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback


class ApiError(exceptions.APIException):
    """An error the API itself raises, with its code, status and field."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int = status.HTTP_400_BAD_REQUEST,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail=message, code=code)
        self.message = message
        self.code = code
        self.status_code = status_code
        self.field = field
        self.details = details or []


# --------------------------------------------------------------------------- schema


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Maskinläsbar kod, t.ex. ”negative”.")
    message = serializers.CharField(help_text="Meddelandet på svenska.")
    field = serializers.CharField(
        allow_null=True,
        help_text=(
            "Fältet det gäller (t.ex. ”series.0.value”), eller för en kontroll av rapporten "
            "dess nyckel: cellen (”KBT:F:PUBLIC”) eller nyckeln som en varning förklaras under."
        ),
    )
    severity = serializers.ChoiceField(
        choices=["error", "warning"],
        allow_null=True,
        help_text="För kontroller av en rapport: fel hindrar inskickning, varningar ska förklaras.",
    )


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    details = ErrorDetailSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


# --------------------------------------------------------------------------- building


def error_body(
    code: str,
    message: str,
    *,
    field: str | None = None,
    details: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": str(message),
            "field": field,
            "details": [
                {
                    "code": str(d.get("code", "")),
                    "message": str(d.get("message", "")),
                    "field": d.get("field"),
                    "severity": d.get("severity"),
                }
                for d in details
            ],
        }
    }


def issue_details(issues: Iterable[Any]) -> list[dict[str, Any]]:
    """A report's validation issues (reporting.validation.Issue) as error details."""
    return [
        {"code": i.code, "message": i.message, "field": i.key, "severity": i.severity}
        for i in issues
    ]


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, Any]]:
    """DRF's nested validation errors as a flat list with dotted field names."""
    out: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for name, value in detail.items():
            field = str(name) if name != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}.{field}" if prefix and field else prefix or field)
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail) for item in detail):
            for item in detail:
                out.append({"code": item.code, "message": str(item), "field": prefix or None})
        else:
            for index, item in enumerate(detail):
                if item:
                    out += _flatten(item, f"{prefix}.{index}" if prefix else str(index))
    elif isinstance(detail, exceptions.ErrorDetail):
        out.append({"code": detail.code, "message": str(detail), "field": prefix or None})
    return out


# Swedish messages of DRF's own exceptions, by DRF's code.
def _drf_message(exc: exceptions.APIException) -> tuple[str, str]:
    if isinstance(exc, exceptions.NotAuthenticated):
        return "not_authenticated", _(
            "Logga in eller ange en API-nyckel: Authorization: Bearer <nyckel>."
        )
    if isinstance(exc, exceptions.AuthenticationFailed):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "authentication_failed"
        return code, str(exc.detail)
    if isinstance(exc, exceptions.PermissionDenied):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "permission_denied"
        if code == "permission_denied":
            return code, _("Du har inte behörighet att göra detta.")
        return code, str(exc.detail)
    if isinstance(exc, exceptions.NotFound):
        return "not_found", _("Finns inte, eller hör inte till dina regioner.")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "method_not_allowed", _("Metoden är inte tillåten här.")
    if isinstance(exc, exceptions.NotAcceptable):
        return "not_acceptable", _("API:et svarar bara med JSON (Accept: application/json).")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return "unsupported_media_type", _(
            "Skicka innehållet som JSON (Content-Type: application/json)."
        )
    if isinstance(exc, exceptions.ParseError):
        return "parse_error", _("Anropets innehåll är inte giltig JSON.")
    if isinstance(exc, exceptions.Throttled):
        if exc.wait:
            return "throttled", _("För många anrop. Försök igen om %(seconds)s sekunder.") % {
                "seconds": int(exc.wait)
            }
        return "throttled", _("För många anrop. Försök igen om en stund.")
    codes = exc.get_codes()
    return (codes if isinstance(codes, str) else "error"), str(exc.detail)


# The domain services' refusals carry `code`, `message` and `field`; each app's API
# module registers its exception base class with a function giving the HTTP status
# (reporting/api.py, payments/api.py). A `result` with errors and warnings (a
# report's validation) becomes the details.
_SERVICE_ERRORS: list[tuple[type[Exception], Callable[[Exception], int]]] = []


def register_service_error(cls: type[Exception], status_for: Callable[[Exception], int]) -> None:
    if all(known is not cls for known, _status in _SERVICE_ERRORS):
        _SERVICE_ERRORS.append((cls, status_for))


def _service_error(exc: Exception) -> tuple[int, dict[str, Any]] | None:
    for cls, status_for in _SERVICE_ERRORS:
        if isinstance(exc, cls):
            result = getattr(exc, "result", None)
            details = issue_details([*result.errors, *result.warnings]) if result else []
            body = error_body(
                str(getattr(exc, "code", "error")),
                str(getattr(exc, "message", exc)),
                field=getattr(exc, "field", None),
                details=details,
            )
            return status_for(exc), body
    return None


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def request_error(exc: SuspiciousOperation) -> ApiError:
    """A request Django refused to read (body over DATA_UPLOAD_MAX_MEMORY_SIZE, too
    many fields or files; any other suspicious request) as an ApiError."""
    if isinstance(exc, RequestDataTooBig):
        return ApiError(
            _("Anropets innehåll är för stort: högst %(size)s.")
            % {"size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)},
            code="request_too_large",
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return ApiError(_("Anropet har för många fält eller filer."), code="too_many_fields")
    return ApiError(_("Anropet kan inte tas emot."), code="bad_request")


def _json(body: dict[str, Any], status_code: int) -> JsonResponse:
    response = JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def api_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Django's 400 (a SuspiciousOperation raised outside an API view's own handling,
    e.g. by a middleware reading the body) for an /api/ address."""
    error = request_error(
        exception if isinstance(exception, SuspiciousOperation) else SuspiciousOperation()
    )
    return _json(error_body(error.code, error.message), error.status_code)


def api_server_error(request: HttpRequest) -> JsonResponse:
    """Django's 500 (a bug; logged by Django) for an /api/ address: no internals."""
    return _json(
        error_body(
            "server_error",
            _("Ett oväntat fel inträffade. Felet är loggat; försök igen om en stund."),
        ),
        status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every refusal in the one shape above. Anything else
    (a bug) is left to Django, which logs it and answers 500 — in this shape too for
    an /api/ address (rehab.views.server_error)."""
    headers: dict[str, str] = {}
    if isinstance(exc, SuspiciousOperation):
        exc = request_error(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, ApiError):
        status_code = exc.status_code
        body = error_body(exc.code, exc.message, field=exc.field, details=exc.details)
    elif isinstance(exc, exceptions.ValidationError):
        status_code = status.HTTP_400_BAD_REQUEST
        details = _flatten(exc.detail)
        body = error_body(
            "invalid",
            _("Uppgifterna i anropet är ogiltiga."),
            field=details[0]["field"] if details else None,
            details=details,
        )
    elif isinstance(exc, exceptions.APIException):
        status_code = exc.status_code
        code, message = _drf_message(exc)
        body = error_body(code, message)
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
    else:
        service = _service_error(exc)
        if service is None:
            return None
        status_code, body = service
    set_rollback()
    return Response(body, status=status_code, headers=headers)
