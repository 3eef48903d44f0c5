"""Care-unit endpoints: /api/v1/units/ (the units the caller may see) and a unit's
figures for a period (GET, PUT the draft, PUT a file of them, POST ready). Same rules
and services as the browser: a unit outside the caller's scope is a 404; a unit
reporter sees and edits only its own unit."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from rehab.api.base import ApiGenericView, ApiListView, InputSerializer
from rehab.api.errors import ApiError
from rehab.models import CareUnit, ReportingPeriod
from rehab.permissions import Action, can_unit, units_scoped

from ..enums import UnitState
from ..units import (
    unit_figures_get,
    unit_figures_mark_ready,
    unit_figures_of,
    unit_figures_save,
    unit_figures_upload,
)
from .serializers import DraftInputSerializer, ExtraCellSerializer, SeriesCellSerializer

TAG = ["Vårdenheter"]


class CareUnitSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id")

    class Meta:
        model = CareUnit
        fields = ["id", "region", "name", "hsa_id", "provider", "active_from", "active_to"]


class UnitFiguresSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    period = serializers.IntegerField()
    state = serializers.ChoiceField(choices=UnitState.choices)
    lock_version = serializers.IntegerField()
    comment = serializers.CharField(allow_blank=True)
    series = SeriesCellSerializer(many=True)
    extras = ExtraCellSerializer(many=True)


class UnitDraftInputSerializer(DraftInputSerializer):
    ready = serializers.BooleanField(
        required=False, default=False, help_text="Markera siffrorna som klara för samordnaren."
    )


class UnitFileInputSerializer(InputSerializer):
    file = serializers.FileField(
        help_text=(
            "Rapportfilen (CSV eller Excel: region;period;item;sex;provider;value), bara "
            "enhetens rader för perioden."
        )
    )
    lock_version = serializers.IntegerField(
        min_value=0, help_text="Enhetens lock_version när du läste den (0 innan något sparats)."
    )


class ReadySerializer(serializers.Serializer):
    lock_version = serializers.IntegerField(min_value=0)


def _unit(request: Request, pk: int, action: Action = Action.VIEW_UNIT) -> CareUnit:
    """The unit if the caller may see it (404 otherwise) and may `action` it (403)."""
    unit = get_object_or_404(
        units_scoped(CareUnit.objects.select_related("region"), request.user), pk=pk
    )
    if not can_unit(request.user, action, unit):
        raise ApiError(
            _("Du har inte behörighet att göra detta."),
            code="permission_denied",
            status_code=status.HTTP_403_FORBIDDEN,
        )
    return unit


def _period(pk: int) -> ReportingPeriod:
    return get_object_or_404(ReportingPeriod.objects.select_related("agreement"), pk=pk)


def _body(unit: CareUnit, period: ReportingPeriod) -> dict[str, Any]:
    uf = unit_figures_get(unit, period)
    figures = unit_figures_of(uf)
    return {
        "unit": unit.pk,
        "period": period.pk,
        "state": (
            uf.status
            if uf is not None
            else UnitState.NOT_STARTED
            if unit.is_active_during(period.start_date, period.end_date)
            else UnitState.INACTIVE
        ),
        "lock_version": uf.lock_version if uf else 0,
        "comment": figures.comment,
        "series": [
            {"treatment": t, "sex": s, "provider": p, "value": v}
            for (t, s, p), v in sorted(figures.series.items())
        ],
        "extras": [
            {"kind": k, "sex": s, "value": v} for (k, s), v in sorted(figures.extras.items())
        ],
    }


@extend_schema_view(get=extend_schema(tags=TAG, summary="Vårdenheterna du får se"))
class UnitList(ApiListView):
    serializer_class = CareUnitSerializer

    def get_queryset(self) -> Any:
        queryset = units_scoped(CareUnit.objects.order_by("region", "name"), self.request.user)
        region = self.request.query_params.get("region")
        return queryset.filter(region_id=region) if region else queryset


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        summary="En enhets siffror för en period",
        description=(
            "Period = periodens id (se /periods/). Tomt och NOT_STARTED innan enheten sparat; "
            "INACTIVE när perioden ligger utanför enhetens aktiv från/till."
        ),
        responses={200: UnitFiguresSerializer},
    ),
    put=extend_schema(
        tags=TAG,
        summary="Spara enhetens siffror (ersätter alla), ev. som klara",
        description=(
            "Bara enhetens egen vårdgivarkolumn (offentlig/privat) får fyllas i. Regionens "
            "utkast räknas om som summan av enheterna. 409 `stale_draft` om lock_version är "
            "gammal, 409 `frozen` när regionens rapport är inskickad, 400 `unit_inactive` "
            "när perioden ligger utanför enhetens aktiv från/till."
        ),
        request=UnitDraftInputSerializer,
        responses={200: UnitFiguresSerializer},
    ),
)
class UnitFiguresDetail(ApiGenericView):
    serializer_class = UnitFiguresSerializer
    error_statuses = {"PUT": (409, 422)}

    def get(self, request: Request, pk: int, period: int) -> Response:
        unit = _unit(request, pk)
        return Response(_body(unit, _period(period)))

    def put(self, request: Request, pk: int, period: int) -> Response:
        unit = _unit(request, pk, Action.EDIT_UNIT_FIGURES)
        period_obj = _period(period)
        serializer = UnitDraftInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit_figures_save(
            unit=unit,
            period=period_obj,
            figures=serializer.figures(),
            lock_version=serializer.validated_data["lock_version"],
            ready=serializer.validated_data["ready"],
            acting_user=request.user,
        )
        return Response(_body(unit, period_obj))


@extend_schema_view(
    post=extend_schema(
        tags=TAG,
        summary="Markera enhetens sparade siffror som klara",
        request=ReadySerializer,
        responses={200: UnitFiguresSerializer},
    )
)
class UnitReadyAction(ApiGenericView):
    serializer_class = UnitFiguresSerializer
    error_statuses = {"POST": (409,)}

    def post(self, request: Request, pk: int, period: int) -> Response:
        unit = _unit(request, pk, Action.EDIT_UNIT_FIGURES)
        period_obj = _period(period)
        serializer = ReadySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit_figures_mark_ready(
            unit=unit,
            period=period_obj,
            lock_version=serializer.validated_data["lock_version"],
            acting_user=request.user,
        )
        return Response(_body(unit, period_obj))


@extend_schema_view(
    put=extend_schema(
        tags=TAG,
        summary="Ladda upp enhetens siffror från fil (ersätter alla)",
        description=(
            "multipart/form-data med `file` och `lock_version`. Samma filformat, gränser "
            "(storlek, antal rader) och meddelanden som uppladdningen i webbläsaren: bara "
            "enhetens rader för perioden och enhetens vårdgivarkolumn. Siffrorna sparas som "
            "utkast och regionens utkast räknas om. 422 `file_refused` med varje problem i "
            "`details` när filen inte kunde läsas in (inget sparades); 409 `stale_draft` "
            "eller `frozen`, 400 `unit_inactive` eller `period_closed` som för PUT av "
            "siffrorna."
        ),
        request={"multipart/form-data": UnitFileInputSerializer},
        responses={200: UnitFiguresSerializer},
    ),
)
class UnitFileUpload(ApiGenericView):
    serializer_class = UnitFiguresSerializer
    parser_classes = [MultiPartParser]
    error_statuses = {"PUT": (409, 422)}

    def put(self, request: Request, pk: int, period: int) -> Response:
        unit = _unit(request, pk, Action.EDIT_UNIT_FIGURES)
        period_obj = _period(period)
        serializer = UnitFileInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        unit_figures_upload(
            unit=unit,
            period=period_obj,
            name=upload.name or "",
            file=upload,
            lock_version=serializer.validated_data["lock_version"],
            acting_user=request.user,
        )
        return Response(_body(unit, period_obj))
