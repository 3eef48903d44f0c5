"""Report endpoints. Each reads the report through the caller's region scope (404
outside it), checks the action with rehab.permissions (403 when the role may not),
and calls the same service the browser's form calls. Every status change is its own
POST action; no endpoint writes a status field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from rehab.api.base import ApiGenericView, ApiListView, forbidden, numbered, validated
from rehab.api.errors import ApiError, register_service_error
from rehab.api.filters import (
    PERIOD,
    REGION,
    YEAR,
    choice_filter,
    period_filter,
    period_lookup,
    region_filter,
    year_filter,
)
from rehab.dataversion import cache_key, request_data_version
from rehab.models import ReportingPeriod
from rehab.pagecache import LOCAL
from rehab.permissions import Action, can, role_of, scoped
from rehab.selectors import period_missing_message, yearly_by_year

from ..enums import VersionStatus
from ..models import Report, ReportVersion
from ..services import (
    InvalidTransition,
    NotAllowed,
    ReportError,
    StaleDraft,
    ValidationFailed,
    report_accept,
    report_get_or_create,
    report_open_draft,
    report_return,
    report_save_draft,
    report_start_correction,
    report_submit,
)
from ..status import state_of
from ..validation import report_validate
from .serializers import (
    AcceptSerializer,
    CorrectionSerializer,
    DraftInputSerializer,
    ReportCreateSerializer,
    ReportDetailSerializer,
    ReportSerializer,
    ReturnSerializer,
    SubmitSerializer,
    ValidationResultSerializer,
    VersionSerializer,
)

TAG = ["Rapporter"]


def _status_for(exc: Exception) -> int:
    if isinstance(exc, ValidationFailed):
        return status.HTTP_422_UNPROCESSABLE_ENTITY
    if isinstance(exc, StaleDraft | InvalidTransition):
        return status.HTTP_409_CONFLICT
    if isinstance(exc, NotAllowed):
        return status.HTTP_403_FORBIDDEN
    return status.HTTP_400_BAD_REQUEST


register_service_error(ReportError, _status_for)

STATUS = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=VersionStatus.values,
    required=False,
    description="Status på rapportens senaste version.",
)


def _versions_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "versions", queryset=ReportVersion.objects.order_by("number"), to_attr="version_list"
    )


def _with_state(report: Report) -> Report:
    report.state = state_of(report.version_list)  # type: ignore[attr-defined]
    return report


def _reports(user: Any) -> QuerySet[Report]:
    return scoped(
        Report.objects.select_related("region", "period__agreement", "accepted_version"),
        user,
        Action.VIEW_REPORTS,
    ).prefetch_related(_versions_prefetch())


def _report(request: Request, pk: int, action: Action = Action.VIEW_REPORTS) -> Report:
    """The report if the caller may read it (404 otherwise), and may `action` it (403)."""
    report = get_object_or_404(_reports(request.user), pk=pk)
    if not can(request.user, action, report.region_id):
        raise forbidden()
    return _with_state(report)


def _reload(report: Report) -> Report:
    return _with_state(_reports_unscoped().get(pk=report.pk))


def _reports_unscoped() -> QuerySet[Report]:
    return Report.objects.select_related(
        "region", "period__agreement", "accepted_version"
    ).prefetch_related(_versions_prefetch())


def _version_detail(version: ReportVersion) -> dict[str, Any]:
    version = (
        ReportVersion.objects.select_related(
            "created_by", "updated_by", "submitted_by", "decided_by"
        )
        .prefetch_related("series", "extras", "warnings")
        .get(pk=version.pk)
    )
    return VersionSerializer(version).data


def _open_version(report: Report, wanted: str) -> ReportVersion:
    version = next((v for v in report.version_list if v.status == wanted), None)  # type: ignore[attr-defined]
    if version is None:
        if wanted == VersionStatus.DRAFT:
            message = _("Rapporten har inget öppet utkast.")
            code = "no_open_draft"
        else:
            message = _("Rapporten har ingen inskickad version att granska.")
            code = "invalid_transition"
        raise ApiError(message, code=code, status_code=status.HTTP_409_CONFLICT)
    return version


def _reviewed_version(report: Report, number: int) -> ReportVersion:
    version = _open_version(report, VersionStatus.SUBMITTED)
    if version.number != number:
        raise ApiError(
            _("Version %(number)s är inte den inskickade versionen (det är version %(current)s).")
            % {"number": number, "current": version.number},
            code="version_mismatch",
            field="version",
            status_code=status.HTTP_409_CONFLICT,
        )
    return version


# --------------------------------------------------------------------------- list, create


def _kept(name: str, request: Request, vary: tuple[Any, ...], render: Callable[[], bytes]) -> bytes:
    """`render()`'s bytes, once per data version and `vary` (and language), kept in this
    process's store of pages (rehab.pagecache.LOCAL; bounded, and never in Redis, which
    a caller could otherwise grow with every query string). The version is the one
    read with a session's user at the start of the request, without a query of its
    own (a caller with an API key reads it with one:
    rehab.dataversion.request_data_version); a GET has changed nothing since. Rendered
    afresh and kept nowhere while this transaction has changed data."""
    version = request_data_version(request._request)
    if version is None:
        return render()
    key = cache.make_key(cache_key(name, version, vary))  # the cache's prefix, as in tests
    entry = LOCAL.get(key)
    if entry is None:
        entry = (render(), [])
        LOCAL.put(key, entry)
    return entry[0]


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        summary="Rapporterna du får se",
        description="Regionens användare ser bara sin egen regions rapporter.",
        parameters=[YEAR, PERIOD, STATUS, REGION],
    ),
    post=extend_schema(
        tags=TAG,
        summary="Skapa (eller hämta) regionens rapport för ett kvartal och öppna dess utkast",
        description=(
            "Ger 201 när rapporten eller dess utkast skapades nu, 200 när utkastet redan fanns. "
            "409 `no_open_draft` när rapporten är inskickad eller godkänd (en godkänd rapport "
            "ändras med en rättelse)."
        ),
        request=ReportCreateSerializer,
        responses={200: ReportDetailSerializer, 201: ReportDetailSerializer},
    ),
)
class ReportList(ApiListView):
    serializer_class = ReportSerializer

    def get_queryset(self) -> QuerySet[Report]:
        qs = _reports(self.request.user)
        year = year_filter(self.request)
        if year is not None:
            qs = qs.filter(period__agreement__year=year)
        period = period_filter(self.request)
        if period is not None:
            qs = qs.filter(**period_lookup(period, "period__"))
        region = region_filter(self.request)
        if region is not None:
            qs = qs.filter(region_id=region)
        wanted = choice_filter(self.request, "status", VersionStatus.values)
        if wanted is not None:
            latest = ReportVersion.objects.filter(report=OuterRef("pk")).order_by("-number")
            qs = qs.annotate(latest_status=Subquery(latest.values("status")[:1])).filter(
                latest_status=wanted
            )
        return qs.order_by("period__agreement__year", "period__quarter", "region_id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """The page is rendered once per data version, caller's scope (role and
        region), address (filters, page, host of the links) and accepted media type,
        then its JSON is kept and sent as it is (`_kept`): a committed change shows on
        the next request. Authentication, permissions and the throttle run before, as
        for every endpoint (DRF's `initial`)."""

        def render() -> bytes:
            page = self.paginate_queryset(self.get_queryset())
            assert page is not None
            data = self.get_paginated_response(
                ReportSerializer([_with_state(r) for r in page], many=True).data
            ).data
            renderer = request.accepted_renderer
            return renderer.render(data, request.accepted_media_type, self.get_renderer_context())

        user: Any = request.user
        vary = (
            role_of(user),
            user.region_id,
            request.build_absolute_uri(),
            request.accepted_media_type,  # "application/json; indent=2" is indented
        )
        body = _kept("api-report-list-json", request, vary, render)
        # What DRF's Response would send: the renderer's media type, no charset.
        return HttpResponse(body, content_type=request.accepted_renderer.media_type)

    def post(self, request: Request) -> Response:
        data = validated(ReportCreateSerializer, request).validated_data
        if not can(request.user, Action.EDIT_REPORTS, data["region"]):
            raise ApiError(
                _("Du får inte rapportera för region %(region)s.") % {"region": data["region"]},
                code="permission_denied",
                field="region",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        year = int(data["period"][:4])
        quarter = int(data["period"][5]) if len(data["period"]) > 4 else None
        period = ReportingPeriod.objects.filter(**period_lookup((year, quarter))).first()
        if period is None:
            raise ApiError(
                period_missing_message(
                    year=year, quarter=quarter, yearly=yearly_by_year([year]).get(year)
                ),
                code="unknown_period",
                field="period",
            )
        existed = Report.objects.filter(region_id=data["region"], period=period).first()
        had_draft = (
            existed is not None and existed.versions.filter(status=VersionStatus.DRAFT).exists()
        )
        report = report_get_or_create(
            region=data["region"], period=period, acting_user=request.user
        )
        report_open_draft(report=report, acting_user=request.user)
        created = existed is None or not had_draft
        return Response(
            ReportDetailSerializer(_reload(report)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --------------------------------------------------------------------------- read


@extend_schema_view(get=extend_schema(tags=TAG, summary="En rapport med dess versioner"))
class ReportDetail(ApiGenericView):
    serializer_class = ReportDetailSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(ReportDetailSerializer(_report(request, pk)).data)


@extend_schema_view(
    get=extend_schema(tags=TAG, summary="En version med dess siffror och förklarade varningar")
)
class VersionDetail(ApiGenericView):
    serializer_class = VersionSerializer

    def get(self, request: Request, pk: int, number: int) -> Response:
        report = _report(request, pk)
        version = numbered(report.version_list, number)  # type: ignore[attr-defined]
        return Response(_version_detail(version))


# --------------------------------------------------------------------------- draft


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        summary="Rapportens öppna utkast",
        responses={200: VersionSerializer},
    ),
    put=extend_schema(
        tags=TAG,
        summary="Spara utkastets siffror och kommentar",
        description=(
            "Samma celler som formuläret i webbläsaren. Cellerna ersätter utkastets alla celler "
            "(en cell som inte skickas är inte ifylld). `lock_version` ska vara den du läste; "
            "annars 409 `stale_draft` och inget sparas. Värden som inte är heltal ≥ 0 eller "
            "behandlingar som inte ingår ger 422 `validation_failed` med en detalj per cell. "
            "Öppnar version 1 om rapporten inte har någon version än."
        ),
        request=DraftInputSerializer,
        responses={200: VersionSerializer},
    ),
)
class DraftDetail(ApiGenericView):
    serializer_class = VersionSerializer
    error_statuses = {"GET": (409,), "PUT": (409, 422)}

    def get(self, request: Request, pk: int) -> Response:
        report = _report(request, pk)
        return Response(_version_detail(_open_version(report, VersionStatus.DRAFT)))

    def put(self, request: Request, pk: int) -> Response:
        report = _report(request, pk, Action.EDIT_REPORTS)
        serializer = validated(DraftInputSerializer, request)
        draft = report_open_draft(report=report, acting_user=request.user)
        draft = report_save_draft(
            version=draft,
            figures=serializer.figures(),
            lock_version=serializer.validated_data["lock_version"],
            acting_user=request.user,
        )
        return Response(_version_detail(draft))


# --------------------------------------------------------------------------- actions


@extend_schema_view(
    post=extend_schema(
        tags=TAG,
        summary="Kontrollera rapportens öppna version",
        description=(
            "Samma kontroller som i webbläsaren: fel (hindrar inskickning) och varningar (ska "
            "förklaras vid inskickning, under varningens `key`). Ändrar ingenting."
        ),
        request=None,
        responses={200: ValidationResultSerializer},
    )
)
class ValidateAction(ApiGenericView):
    serializer_class = ValidationResultSerializer

    def post(self, request: Request, pk: int) -> Response:
        report = _report(request, pk)
        version = next(
            (
                v
                for v in reversed(report.version_list)  # type: ignore[attr-defined]
                if v.status in (VersionStatus.DRAFT, VersionStatus.SUBMITTED)
            ),
            None,
        )
        if version is None:
            version = _open_version(report, VersionStatus.DRAFT)
        result = report_validate(version=version)
        return Response(
            ValidationResultSerializer(
                {
                    "version": version.number,
                    "ok": result.ok,
                    "errors": result.errors,
                    "warnings": result.warnings,
                }
            ).data
        )


@extend_schema_view(
    post=extend_schema(
        tags=TAG,
        summary="Skicka in utkastet till Försäkringskassan",
        description=(
            "Fel ger 422 `validation_failed`; en varning utan förklaring 422 "
            "`explanation_missing` (alla kontroller i `details`)."
        ),
        request=SubmitSerializer,
        responses={200: VersionSerializer},
    )
)
class SubmitAction(ApiGenericView):
    serializer_class = VersionSerializer

    def post(self, request: Request, pk: int) -> Response:
        report = _report(request, pk, Action.EDIT_REPORTS)
        data = validated(SubmitSerializer, request).validated_data
        version = report_submit(
            version=_open_version(report, VersionStatus.DRAFT),
            lock_version=data["lock_version"],
            explanations=data["explanations"],
            eligibility_confirmed=data["eligibility_confirmed"],
            acting_user=request.user,
        )
        return Response(_version_detail(version))


@extend_schema_view(
    post=extend_schema(
        tags=TAG,
        summary="Godkänn den inskickade versionen (Försäkringskassan)",
        request=AcceptSerializer,
        responses={200: VersionSerializer},
    )
)
class AcceptAction(ApiGenericView):
    serializer_class = VersionSerializer

    def post(self, request: Request, pk: int) -> Response:
        report = _report(request, pk, Action.REVIEW_REPORTS)
        data = validated(AcceptSerializer, request).validated_data
        version = report_accept(
            version=_reviewed_version(report, data["version"]),
            comment=data["comment"],
            acting_user=request.user,
        )
        return Response(_version_detail(version))


@extend_schema_view(
    post=extend_schema(
        tags=TAG,
        summary="Återsänd den inskickade versionen med en kommentar (Försäkringskassan)",
        description="Svaret är det nya utkastet som regionen rättar i.",
        request=ReturnSerializer,
        responses={200: VersionSerializer},
    )
)
class ReturnAction(ApiGenericView):
    serializer_class = VersionSerializer

    def post(self, request: Request, pk: int) -> Response:
        report = _report(request, pk, Action.REVIEW_REPORTS)
        data = validated(ReturnSerializer, request).validated_data
        draft = report_return(
            version=_reviewed_version(report, data["version"]),
            comment=data["comment"],
            flagged_cells=data["flagged_cells"],
            acting_user=request.user,
        )
        return Response(_version_detail(draft))


@extend_schema_view(
    post=extend_schema(
        tags=TAG,
        summary="Påbörja en rättelse av en godkänd rapport",
        description=(
            "Svaret är rättelsens utkast; den godkända versionen gäller tills rättelsen godkänns."
        ),
        request=CorrectionSerializer,
        responses={201: VersionSerializer},
    )
)
class CorrectionAction(ApiGenericView):
    serializer_class = VersionSerializer

    def post(self, request: Request, pk: int) -> Response:
        report = _report(request, pk, Action.EDIT_REPORTS)
        data = validated(CorrectionSerializer, request).validated_data
        draft = report_start_correction(
            report=report, reason=data["reason"], acting_user=request.user
        )
        return Response(_version_detail(draft), status=status.HTTP_201_CREATED)
