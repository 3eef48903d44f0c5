"""Query-string filters shared by the list endpoints, with their schema parameters.
An invalid value is a 400 naming the parameter."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from .errors import ApiError

PERIOD_RE = re.compile(r"^(\d{4})(?:Q([1-4]))?$")
REGION_RE = re.compile(r"^[0-9]{2}$")

YEAR = OpenApiParameter(
    "year", OpenApiTypes.INT, description="Överenskommelsens år, t.ex. 2020.", required=False
)
PERIOD = OpenApiParameter(
    "period",
    OpenApiTypes.STR,
    description="Period: ett kvartal, t.ex. ”2012Q1”, eller ett helt år, t.ex. ”2020”.",
    required=False,
    pattern=PERIOD_RE.pattern,
)
REGION = OpenApiParameter(
    "region",
    OpenApiTypes.STR,
    description="Länskod, t.ex. ”01”.",
    required=False,
    pattern=REGION_RE.pattern,
)


def _invalid(name: str, message: str) -> ApiError:
    return ApiError(message, code="invalid_filter", field=name)


def year_filter(request: Request, name: str = "year") -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or not 1000 <= int(value) <= 9999:
        raise _invalid(name, _("Ange året med fyra siffror, t.ex. 2020."))
    return int(value)


def period_filter(request: Request, name: str = "period") -> tuple[int, int | None] | None:
    """(year, quarter) of "2012Q1", (year, None) of the yearly period "2020"."""
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    match = PERIOD_RE.match(value)
    if match is None:
        raise _invalid(
            name, _("Ange perioden som ett kvartal, t.ex. 2012Q1, eller ett helt år, t.ex. 2020.")
        )
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


def period_lookup(period: tuple[int, int | None], prefix: str = "") -> dict[str, object]:
    """Filter arguments for a (year, quarter) from `period_filter` on a queryset whose
    reporting period is reached through `prefix` (e.g. "period__")."""
    year, quarter = period
    if quarter is None:
        return {f"{prefix}agreement__year": year, f"{prefix}quarter__isnull": True}
    return {f"{prefix}agreement__year": year, f"{prefix}quarter": quarter}


def region_filter(request: Request, name: str = "region") -> str | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if not REGION_RE.match(value):
        raise _invalid(name, _("Ange regionens länskod med två siffror, t.ex. 01."))
    return value


def choice_filter(request: Request, name: str, choices: list[str]) -> str | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if value not in choices:
        raise _invalid(
            name, _("Okänt värde. Tillåtna: %(choices)s.") % {"choices": ", ".join(choices)}
        )
    return value
