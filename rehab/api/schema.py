"""The OpenAPI schema: drf-spectacular's, plus what every endpoint shares: the error
responses in the one error shape, and the Idempotency-Key header on every POST."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.permissions import AllowAny

from .errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    400: "Felaktigt anrop: ogiltig JSON, ogiltiga fält eller filter (`invalid`, `parse_error`, "
    "`idempotency_key_invalid`, eller en regel som `comment_required`).",
    401: "Ingen, ogiltig eller återkallad API-nyckel (`not_authenticated`, `invalid_token`).",
    403: "Rollen får inte göra detta (`permission_denied`, `not_allowed`).",
    404: "Finns inte, eller hör till en region utanför anroparens (`not_found`).",
    409: "Krockar med nuvarande läge: utkastet har sparats av någon annan (`stale_draft`), "
    "fel status (`invalid_transition`, `no_open_draft`, `version_mismatch`), eller samma "
    "Idempotency-Key pågår (`idempotency_in_progress`).",
    415: "Innehållet är inte JSON (`unsupported_media_type`).",
    422: "Reglerna säger nej: kontrollen av rapporten misslyckades (`validation_failed`, "
    "`explanation_missing`, med detaljerna i `details`), eller samma Idempotency-Key med "
    "ett annat innehåll (`idempotency_key_reused`).",
    429: "För många anrop från samma klient (`throttled`); försök igen om en stund.",
}

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Valfri unik nyckel per anrop (t.ex. ett UUID). Samma nyckel och innehåll igen ger "
        "det första svaret utan att något görs en gång till (svaret har då rubriken "
        "`Idempotent-Replayed: true`); samma nyckel med annat innehåll ger 422."
    ),
)


class ApiAutoSchema(AutoSchema):
    def _error_codes(self) -> list[int]:
        codes: set[int] = set()
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if not public:
            codes |= {401, 403}
        if "{" in self.path:
            codes.add(404)
        if self.method in ("POST", "PUT", "PATCH"):
            codes |= {400, 415}
        if self.method == "POST":
            codes |= {409, 422}
        if self.method == "GET" and self._is_list_view():
            codes.add(400)  # an invalid filter or page
            codes.add(404)  # a page past the end
        codes |= set(getattr(self.view, "error_statuses", {}).get(self.method, ()))
        return sorted(codes)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code in self._error_codes():
            responses.setdefault(
                str(code),
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS.get(code, "")),
                    str(code),
                    direction=direction,
                ),
            )
        return responses

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(IDEMPOTENCY_PARAMETER)
        return parameters


# drf-spectacular's settings for this API (passed to the schema view and the docs page).
SCHEMA_SETTINGS = {
    "TITLE": "Rehab API",
    "DESCRIPTION": (
        "Regionernas rapporter om genomförda behandlingar och Försäkringskassans "
        "utbetalningar. Samma tjänster och regler som i webbläsaren.\n\n"
        "Autentisering: `Authorization: Bearer <API-nyckel>` (nycklar utfärdas av en "
        "administratör) eller inloggning i webbläsaren. Fel har alltid formen "
        '`{"error": {"code", "message", "field", "details"}}`. Varje POST tar emot '
        "rubriken `Idempotency-Key`."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SexEnum": "reporting.enums.Sex",
        "ProviderEnum": "reporting.enums.Provider",
        "ExtraKindEnum": "reporting.enums.ExtraKind",
        "VersionStatusEnum": "reporting.enums.VersionStatus",
        "ReportStateEnum": "reporting.enums.ReportState",
        "AreaEnum": "rehab.enums.Area",
        "AgeBandEnum": "rehab.enums.AgeBand",
        "PayoutModelEnum": "rehab.enums.PayoutModel",
        "SeverityEnum": ["error", "warning"],
        "RunStatusEnum": "payments.enums.RunStatus",
        "RunKindEnum": "payments.enums.RunKind",
        "ExportKindEnum": "payments.enums.ExportKind",
        "UnitStateEnum": "reporting.enums.UnitState",
        "AccountStateEnum": "reporting.accounts.selectors.AccountState",
        "AssessmentOutcomeEnum": "reporting.accounts.models.AssessmentOutcome",
    },
}
