"""The region's use of the money: /api/v1/funds/{region}/{year}/ (GET the account in
force with received / distributed / left over; POST a new version of the account)
and /api/v1/units/{id}/allotments/ (what a unit was allotted). Same services and
rules as the browser."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from rehab.api.base import ApiGenericView
from rehab.api.errors import ApiError, register_service_error
from rehab.models import Agreement, CareUnit, Region
from rehab.permissions import Action, can, units_scoped

from ..funds import (
    FundsError,
    FundsRow,
    distributed,
    funds_current,
    funds_received,
    funds_use_save,
    unit_allotments,
)

TAG = ["Medelsanvändning"]

_STATUS = {
    "not_allowed": status.HTTP_403_FORBIDDEN,
    "stale": status.HTTP_409_CONFLICT,
    "nothing_received": status.HTTP_409_CONFLICT,
    "invalid_row": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "over_received": status.HTTP_422_UNPROCESSABLE_ENTITY,
}
register_service_error(
    FundsError, lambda exc: _STATUS.get(getattr(exc, "code", ""), status.HTTP_400_BAD_REQUEST)
)


class FundsRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Vårdenhetens id."
    )
    purpose = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="Annat ändamål."
    )
    amount_ore = serializers.IntegerField(min_value=0, help_text="Belopp i öre.")


class FundsInputSerializer(serializers.Serializer):
    based_on = serializers.IntegerField(
        min_value=0, help_text="Versionen du utgick från (0 för ingen); annars 409 stale."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    rows = FundsRowSerializer(many=True)


class FundsSerializer(serializers.Serializer):
    region = serializers.CharField()
    year = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True)
    received_ore = serializers.IntegerField()
    to_units_ore = serializers.IntegerField()
    to_purposes_ore = serializers.IntegerField()
    left_over_ore = serializers.IntegerField()
    rows = FundsRowSerializer(many=True)


class AllotmentSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    amount_ore = serializers.IntegerField()
    received_ore = serializers.IntegerField()


def _body(region: Region, agreement: Agreement) -> dict[str, Any]:
    current = funds_current(region, agreement)
    received = funds_received(region, agreement)
    to_units, to_purposes = distributed(current)
    return {
        "region": region.code,
        "year": agreement.year,
        "version": current.number if current else None,
        "received_ore": received,
        "to_units_ore": to_units,
        "to_purposes_ore": to_purposes,
        "left_over_ore": received - to_units - to_purposes,
        "rows": [
            {"unit": row.unit_id, "purpose": row.purpose, "amount_ore": row.amount_ore}
            for row in (current.rows.all() if current else [])
        ],
    }


@extend_schema_view(
    get=extend_schema(
        tags=TAG, summary="Regionens medelsanvändning för ett år", responses={200: FundsSerializer}
    ),
    post=extend_schema(
        tags=TAG,
        summary="Spara en ny version av medelsanvändningen",
        description=(
            "Varje rad: en vårdenhet (`unit`) eller ett ändamål (`purpose`), och beloppet i "
            "öre. 409 `nothing_received` före en attesterad utbetalning, 409 `stale`, 422 "
            "`invalid_row` / `over_received`."
        ),
        request=FundsInputSerializer,
        responses={201: FundsSerializer},
    ),
)
class FundsDetail(ApiGenericView):
    serializer_class = FundsSerializer
    error_statuses = {"POST": (409, 422)}

    def _place(self, request: Request, region: str, year: int) -> tuple[Region, Agreement]:
        if not can(request.user, Action.VIEW_PAYOUTS, region):
            raise ApiError(_("Hittades inte."), code="not_found", status_code=404)
        return get_object_or_404(Region, code=region), get_object_or_404(Agreement, year=year)

    def get(self, request: Request, region: str, year: int) -> Response:
        return Response(_body(*self._place(request, region, year)))

    def post(self, request: Request, region: str, year: int) -> Response:
        region_obj, agreement = self._place(request, region, year)
        serializer = FundsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        funds_use_save(
            region=region_obj,
            agreement=agreement,
            rows=[
                FundsRow(amount_ore=r["amount_ore"], unit_id=r["unit"], purpose=r["purpose"])
                for r in data["rows"]
            ],
            based_on=data["based_on"],
            note=data["note"],
            acting_user=request.user,
        )
        return Response(_body(region_obj, agreement), status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        summary="Vad en vårdenhet har tilldelats, per år",
        responses={200: AllotmentSerializer(many=True)},
    )
)
class UnitAllotments(ApiGenericView):
    serializer_class = AllotmentSerializer

    def get(self, request: Request, pk: int) -> Response:
        unit = get_object_or_404(units_scoped(CareUnit.objects.all(), request.user), pk=pk)
        return Response(
            [
                {"year": a.year, "amount_ore": a.amount_ore, "received_ore": a.received_ore}
                for a in unit_allotments(unit)
            ]
        )
