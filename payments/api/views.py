"""Payout-run endpoints: list and read (with lines, explanations and exports), start
(FK case officer), approve (FK approver, never the one who started it), export and
download. National data: FK and administrators; region users get 404, as on FK's
pages. Every change goes through payments.services, like the browser's forms."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from rehab.api.base import AnyContent, ApiGenericView, ApiListView
from rehab.api.errors import ApiError, register_service_error
from rehab.api.filters import (
    PERIOD,
    YEAR,
    choice_filter,
    period_filter,
    period_lookup,
    year_filter,
)
from rehab.models import Agreement, Region
from rehab.permissions import Action, can, require

from .. import selectors, services
from ..enums import ExportKind, RunKind, RunStatus
from ..models import PayoutExport, PayoutRun
from .serializers import (
    ExportCreateSerializer,
    ExportSerializer,
    RunDetailSerializer,
    RunSerializer,
    RunStartSerializer,
)

TAG = ["Utbetalningar"]

# RunError codes that mean "not now, given the state of things" (409) and "not you" (403).
_CONFLICT_CODES = {"state", "stale_basis", "wrong_order", "conflict"}


def _status_for(exc: Exception) -> int:
    code = getattr(exc, "code", "")
    if isinstance(exc, services.NotAllowed) or code == "four_eyes":
        return status.HTTP_403_FORBIDDEN
    if code in _CONFLICT_CODES:
        return status.HTTP_409_CONFLICT
    return status.HTTP_400_BAD_REQUEST


register_service_error(services.RunError, _status_for)

STATUS = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=RunStatus.values,
    required=False,
    description="Körningens status.",
)
KIND = OpenApiParameter(
    "kind", OpenApiTypes.STR, enum=RunKind.values, required=False, description="Slag av körning."
)


def _require_national(user: Any, action: Action = Action.VIEW_PAYOUTS) -> None:
    """Runs are every region's money: FK and administrators only (region users: 404)."""
    require(user, Action.VIEW_PAYOUTS)
    if getattr(user, "region_id", None) is not None:
        raise Http404
    if not can(user, action):
        raise ApiError(
            _("Du har inte behörighet att göra detta."),
            code="permission_denied",
            status_code=status.HTTP_403_FORBIDDEN,
        )


def _runs() -> QuerySet[PayoutRun]:
    return PayoutRun.objects.select_related("agreement", "started_by", "approved_by")


def _detail(run: PayoutRun) -> dict[str, Any]:
    run = _runs().get(pk=run.pk)
    view = selectors.run_view(run)
    return RunDetailSerializer(run, context={"view_data": view}).data


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        summary="Utbetalningskörningarna (Försäkringskassan)",
        parameters=[YEAR, PERIOD, STATUS, KIND],
    ),
    post=extend_schema(
        tags=TAG,
        summary="Starta en körning (handläggare)",
        description=(
            "Körningen räknas i bakgrunden: svaret har status QUEUED; läs den tills den är "
            "CALCULATED (eller FAILED med orsaken). 201 när den startades nu, 200 när samma "
            "körning redan fanns. 409 `wrong_order` när perioden inte kan betalas nu."
        ),
        request=RunStartSerializer,
        responses={200: RunDetailSerializer, 201: RunDetailSerializer},
    ),
)
class RunList(ApiListView):
    serializer_class = RunSerializer
    error_statuses = {"POST": (404,)}  # region users: runs are not theirs to see

    def get_queryset(self) -> QuerySet[PayoutRun]:
        _require_national(self.request.user)
        qs = _runs()
        year = year_filter(self.request)
        if year is not None:
            qs = qs.filter(agreement__year=year)
        period = period_filter(self.request)
        if period is not None:
            qs = qs.filter(**period_lookup(period))
        wanted = choice_filter(self.request, "status", RunStatus.values)
        if wanted is not None:
            qs = qs.filter(status=wanted)
        kind = choice_filter(self.request, "kind", RunKind.values)
        if kind is not None:
            qs = qs.filter(kind=kind)
        return qs.order_by("-agreement__year", "-created_at", "-pk")

    def post(self, request: Request) -> Response:
        _require_national(request.user, Action.START_RUN)
        serializer = RunStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agreement = Agreement.objects.filter(year=data["year"]).first()
        if agreement is None:
            raise ApiError(
                _("Det finns ingen överenskommelse för %(year)s.") % {"year": data["year"]},
                code="unknown_agreement",
                field="year",
            )
        started = services.run_start(
            agreement=agreement, quarter=data["quarter"], acting_user=request.user
        )
        return Response(
            _detail(started.run),
            status=status.HTTP_201_CREATED if started.created else status.HTTP_200_OK,
        )


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        summary="En körning med rader per region, förklaringar, summor och exporter",
    )
)
class RunDetail(ApiGenericView):
    serializer_class = RunDetailSerializer

    def get(self, request: Request, pk: int) -> Response:
        _require_national(request.user)
        return Response(_detail(get_object_or_404(PayoutRun, pk=pk)))


@extend_schema_view(
    post=extend_schema(
        tags=TAG,
        summary="Attestera en beräknad körning (attestant, fyra ögon)",
        description=(
            "403 `four_eyes` för den som startade körningen; 409 `state` om den inte är "
            "beräknad, `stale_basis` om andra körningar attesterats sedan den räknades."
        ),
        request=None,
        responses={200: RunDetailSerializer},
    )
)
class ApproveAction(ApiGenericView):
    serializer_class = RunDetailSerializer

    def post(self, request: Request, pk: int) -> Response:
        _require_national(request.user, Action.APPROVE_RUN)
        run = services.run_approve(
            run=get_object_or_404(PayoutRun, pk=pk), acting_user=request.user
        )
        return Response(_detail(run))


@extend_schema_view(
    post=extend_schema(
        tags=TAG,
        summary="Skapa betalfilen (CSV, XLSX) eller en regions beslut ur en attesterad körning",
        description="Filen sparas som den lämnas ut, med SHA-256; hämta den via `download`.",
        request=ExportCreateSerializer,
        responses={201: ExportSerializer},
    )
)
class ExportAction(ApiGenericView):
    serializer_class = ExportSerializer

    def post(self, request: Request, pk: int) -> Response:
        _require_national(request.user, Action.EXPORT_RUN)
        run = get_object_or_404(PayoutRun, pk=pk)
        serializer = ExportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        region = None
        if data["region"] is not None:
            region = Region.objects.filter(code=data["region"]).first()
            if region is None:
                raise ApiError(_("Regionen finns inte."), code="unknown_region", field="region")
        export = services.run_export(
            run=run, kind=data["kind"], region=region, acting_user=request.user
        )
        export = PayoutExport.objects.select_related("created_by").get(pk=export.pk)
        return Response(ExportSerializer(export).data, status=status.HTTP_201_CREATED)


FILE_TYPES = {
    ExportKind.CSV: "text/csv",
    ExportKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportKind.DECISION: "text/html",
}


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        summary="Hämta en export: exakt de byte som lämnades ut",
        description="Rubriken `X-Checksum-SHA256` har filens kontrollsumma.",
        responses={
            (200, media): OpenApiResponse(OpenApiTypes.BINARY, description=str(kind.label))
            for kind, media in FILE_TYPES.items()
        },
    )
)
class ExportDownload(ApiGenericView):
    content_negotiation_class = AnyContent

    def get(self, request: Request, pk: int, export_id: int) -> HttpResponse:
        _require_national(request.user, Action.EXPORT_RUN)
        export = get_object_or_404(PayoutExport, pk=export_id, run_id=pk)
        response = HttpResponse(bytes(export.content), content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["X-Checksum-SHA256"] = export.sha256
        return response
