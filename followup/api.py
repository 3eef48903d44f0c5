"""/api/v1/open/: the open data, read-only, without a key, as JSON or CSV
(`?format=csv` or `Accept: text/csv`), rate limited per client (the API's throttle,
scope "open", rate `settings.API_THROTTLE_RATES["open"]`).

Only what the public statistics pages show: aggregates of accepted report versions,
SKR's published history (source "SKR") and what approved payout runs paid per
region and year. No drafts, versions, comments, runs or care units."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from payments import selectors as payments_selectors
from rehab.api.base import ApiView

from . import open_data, selectors

TAG = ["Öppna data"]


class CsvRenderer(BaseRenderer):
    """A list of flat objects as CSV: UTF-8, comma-separated, a header row, decimals
    with a point (machine-readable; the pages' downloads are the Swedish-Excel CSV)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        rows = data if isinstance(data, list) else [_flatten(data)]
        view = (renderer_context or {}).get("view")
        serializer = getattr(view, "row_serializer", None)
        if rows:
            fields = list(rows[0])
        elif serializer is not None:  # no rows yet: the header alone
            fields = list(serializer().fields)
        else:
            fields = ["detail"]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        return buffer.getvalue().encode("utf-8")


def _flatten(data: Any) -> dict[str, Any]:
    """An error body {"error": {...}} as one CSV row."""
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return {k: v for k, v in data["error"].items() if not isinstance(v, (dict, list))}
    return {"detail": str(data)}


FORMAT = OpenApiParameter(
    name="format",
    type=OpenApiTypes.STR,
    enum=["json", "csv"],
    location=OpenApiParameter.QUERY,
    required=False,
    description="`csv` för CSV (annars JSON, eller enligt `Accept`).",
)

THROTTLE_DESCRIPTION = (
    "Öppet för alla utan nyckel; högst ett visst antal anrop per minut och klient "
    "(429 `throttled` därutöver)."
)


class OpenDataView(ApiView):
    """GET only, no authentication (a key or session is simply not needed), JSON or
    CSV, throttled under the scope "open" (per anonymous address)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, CsvRenderer]
    throttle_scope = "open"  # rehab.api.throttling: per client, settings.API_THROTTLE_RATES
    error_statuses = {"GET": (404, 429)}


class FigureSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="Länskod, eller ALL för riket.")
    measure = serializers.CharField(
        help_text="treatments, sex, provider, contacts, per_1000 (eller history_count, "
        "history_per_1000)."
    )
    key = serializers.CharField(help_text="T.ex. KBT, F, PUBLIC, EMPLOYER, KBT_IPT, KBT_IPT:2015.")
    value = serializers.DecimalField(max_digits=14, decimal_places=1, coerce_to_string=False)


class SeriesSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="Länskod, eller ALL för riket.")
    year = serializers.IntegerField()
    measure = serializers.ChoiceField(choices=["KBT_IPT", "MMR"])
    count = serializers.IntegerField(allow_null=True, help_text="null = saknas.")
    per_1000 = serializers.DecimalField(
        max_digits=8, decimal_places=1, coerce_to_string=False, allow_null=True
    )
    source = serializers.CharField(
        help_text="Rehab (godkända rapporter), SKR (publicerad historik) eller tomt (saknas)."
    )
    complete = serializers.BooleanField(help_text="Alla perioder godkända (SKR: alltid sant).")


class PaidSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    region = serializers.CharField()
    paid_ore = serializers.IntegerField(help_text="Utbetalt i attesterade körningar, öre.")
    contact_bonus_ore = serializers.IntegerField(help_text="Därav kontaktbonus, öre.")


def _responses(serializer: type[serializers.Serializer]) -> dict[Any, Any]:
    return {
        (200, "application/json"): OpenApiResponse(serializer(many=True)),
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Samma rader som CSV."),
    }


def _figures(rows: list[Any]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]


class YearStatistics(OpenDataView):
    row_serializer = FigureSerializer

    @extend_schema(
        tags=TAG,
        summary="Ett års statistik (godkända rapporter), region för region och riket",
        description="Samma rader som `export_statistics --year`. " + THROTTLE_DESCRIPTION,
        parameters=[FORMAT],
        responses=_responses(FigureSerializer),
    )
    def get(self, request: Request, year: int) -> Response:
        agreement = next((a for a in selectors.agreements_with_periods() if a.year == year), None)
        if agreement is None:
            raise Http404
        return Response(_figures(open_data.year_rows(selectors.year_figures(agreement)).rows))


class History(OpenDataView):
    row_serializer = FigureSerializer

    @extend_schema(
        tags=TAG,
        summary="SKR:s publicerade historik (tabell 7–8, 2009–2018), som publicerad",
        description="Samma rader som `export_statistics --history`. Källa: SKR. "
        + THROTTLE_DESCRIPTION,
        parameters=[FORMAT],
        responses=_responses(FigureSerializer),
    )
    def get(self, request: Request) -> Response:
        return Response(_figures(open_data.history_rows(selectors.published_history())))


class Series(OpenDataView):
    row_serializer = SeriesSerializer

    @extend_schema(
        tags=TAG,
        summary="Tidsserien KBT+IPT och MMR per region och år, 2009 till i dag",
        description="Godkända rapporter där de finns, annars SKR:s publicerade siffror "
        "(source SKR); count null = saknas. " + THROTTLE_DESCRIPTION,
        parameters=[FORMAT],
        responses=_responses(SeriesSerializer),
    )
    def get(self, request: Request) -> Response:
        ts = selectors.time_series(selectors.agreements_with_periods())
        return Response(_figures(open_data.series_rows(ts)))


class Paid(OpenDataView):
    row_serializer = PaidSerializer

    @extend_schema(
        tags=TAG,
        summary="Utbetalt per region och år (attesterade körningar)",
        description="Bara attesterade utbetalningskörningar räknas. " + THROTTLE_DESCRIPTION,
        parameters=[FORMAT],
        responses=_responses(PaidSerializer),
    )
    def get(self, request: Request) -> Response:
        years = [int(a.year) for a in selectors.agreements_with_periods()]
        paid = payments_selectors.approved_paid(years=years)
        return Response(_figures(open_data.paid_rows(paid)))
