"""Written-account endpoints (/api/v1/accounts/…), with the report endpoints' rules:
an account outside the caller's region scope is a 404, an action the role may not
take a 403, and every change goes through the service the browser's form calls
(reporting.accounts.services). A region's drafts are its own: FK sees the submitted
versions and their attachments only (as in the browser)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
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

from rehab.api.base import (
    AnyContent,
    ApiGenericView,
    ApiListView,
    forbidden,
    numbered,
    validated,
)
from rehab.api.errors import ApiError
from rehab.api.filters import REGION, YEAR, region_filter, year_filter
from rehab.enums import ConditionKind
from rehab.models import Condition
from rehab.permissions import Action, can, scoped

from ..accounts.models import Account, AccountAttachment, AccountVersion
from ..accounts.selectors import account_state
from ..accounts.services import (
    AccountError,
    RequirementDecision,
    account_assess,
    account_get_or_create,
    account_open_draft,
    account_save_draft,
    account_submit,
)
from ..accounts.views import attachment_response
from ..enums import VersionStatus
from ..filecheck import CONTENT_TYPES
from ..workflow import visible_versions
from .account_serializers import (
    AccountCreateSerializer,
    AccountDetailSerializer,
    AccountSerializer,
    AccountSubmitSerializer,
    AccountVersionSerializer,
    AssessSerializer,
    AttachmentSerializer,
    DraftAnswersSerializer,
)

TAG = ["Återrapportering"]

CONDITION = OpenApiParameter(
    "condition", OpenApiTypes.STR, description="Villkorets kod, t.ex. ”V2”.", required=False
)

# The services name the browser form's fields ("answer_2", "outcome_2"); the API's
# are "answers.2", "decisions.2.outcome" and "decisions.2.comment".
_FORM_FIELD = re.compile(r"^(answer|outcome|comment)_(\d+)$")


def _api_field(field: str | None) -> str | None:
    match = _FORM_FIELD.match(field or "")
    if match is None:
        return field
    name, number = match.groups()
    return f"answers.{number}" if name == "answer" else f"decisions.{number}.{name}"


def _renamed(error: AccountError) -> AccountError:
    return AccountError(error.message, code=error.code, field=_api_field(error.field))


def _accounts(user: Any) -> QuerySet[Account]:
    return scoped(
        Account.objects.select_related("region", "condition__agreement", "assessed_version"),
        user,
        Action.VIEW_REPORTS,
    ).prefetch_related(
        Prefetch(
            "versions", queryset=AccountVersion.objects.order_by("number"), to_attr="version_list"
        )
    )


def _with_state(account: Account, user: Any) -> Account:
    versions = account.version_list  # type: ignore[attr-defined]
    account.state = account_state(versions)  # type: ignore[attr-defined]
    account.visible = visible_versions(user, versions)  # type: ignore[attr-defined]
    return account


def _account(request: Request, pk: int, action: Action = Action.VIEW_REPORTS) -> Account:
    """The account if the caller may read it (404 otherwise), and may `action` it (403)."""
    account = get_object_or_404(_accounts(request.user), pk=pk)
    if not can(request.user, action, account.region_id):
        raise forbidden()
    return _with_state(account, request.user)


def _version_detail(version: AccountVersion) -> dict[str, Any]:
    version = (
        AccountVersion.objects.select_related(
            "created_by", "updated_by", "submitted_by", "decided_by"
        )
        .prefetch_related(
            "answers__requirement",
            "attachments__uploaded_by",
            "attachments__version",
            "assessments__requirement",
            "assessments__assessed_by",
        )
        .get(pk=version.pk)
    )
    return AccountVersionSerializer(version).data


def _latest(account: Account, wanted: str) -> AccountVersion:
    versions = account.version_list  # type: ignore[attr-defined]
    latest = versions[-1] if versions else None
    if latest is None or latest.status != wanted:
        if wanted == VersionStatus.DRAFT:
            message, code = _("Redovisningen har inget öppet utkast."), "no_open_draft"
        else:
            message = _("Redovisningen har ingen inskickad version att bedöma.")
            code = "invalid_transition"
        raise ApiError(message, code=code, status_code=status.HTTP_409_CONFLICT)
    return latest


# --------------------------------------------------------------------------- list, create


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        summary="De återrapporteringar du får se",
        description="Regionens användare ser bara sin egen regions redovisningar.",
        parameters=[YEAR, CONDITION, REGION],
    ),
    post=extend_schema(
        tags=TAG,
        summary="Skapa (eller hämta) regionens redovisning av ett villkor och öppna utkastet",
        description=(
            "Ger 201 när redovisningen eller dess utkast skapades nu, 200 när utkastet redan "
            "fanns. 409 `no_open_draft` när redovisningen är inskickad eller bedömd; 400 "
            "`not_deliverable` för ett villkor som inte redovisas skriftligt."
        ),
        request=AccountCreateSerializer,
        responses={200: AccountDetailSerializer, 201: AccountDetailSerializer},
    ),
)
class AccountList(ApiListView):
    serializer_class = AccountSerializer

    def get_queryset(self) -> QuerySet[Account]:
        qs = _accounts(self.request.user)
        year = year_filter(self.request)
        if year is not None:
            qs = qs.filter(condition__agreement__year=year)
        code = self.request.query_params.get("condition")
        if code:
            qs = qs.filter(condition__code=code)
        region = region_filter(self.request)
        if region is not None:
            qs = qs.filter(region_id=region)
        return qs.order_by("condition__agreement__year", "condition__sort_order", "region_id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        accounts = [_with_state(a, request.user) for a in page]
        return self.get_paginated_response(AccountSerializer(accounts, many=True).data)

    def post(self, request: Request) -> Response:
        data = validated(AccountCreateSerializer, request).validated_data
        if not can(request.user, Action.EDIT_REPORTS, data["region"]):
            raise ApiError(
                _("Du får inte rapportera för region %(region)s.") % {"region": data["region"]},
                code="permission_denied",
                field="region",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        condition = Condition.objects.filter(
            agreement__year=data["year"], code=data["condition"]
        ).first()
        if condition is None:
            raise ApiError(
                _("Överenskommelsen %(year)s har inget villkor %(code)s.")
                % {"year": data["year"], "code": data["condition"]},
                code="unknown_condition",
                field="condition",
            )
        if condition.kind != ConditionKind.DELIVERABLE:
            raise ApiError(
                _("Villkoret %(code)s redovisas inte skriftligt.") % {"code": condition.code},
                code="not_deliverable",
                field="condition",
            )
        existed = Account.objects.filter(region_id=data["region"], condition=condition).first()
        had_draft = (
            existed is not None and existed.versions.filter(status=VersionStatus.DRAFT).exists()
        )
        account = account_get_or_create(
            region=data["region"], condition=condition, acting_user=request.user
        )
        account_open_draft(account=account, acting_user=request.user)
        reloaded = _with_state(_accounts(request.user).get(pk=account.pk), request.user)
        return Response(
            AccountDetailSerializer(reloaded).data,
            status=status.HTTP_200_OK if had_draft else status.HTTP_201_CREATED,
        )


# --------------------------------------------------------------------------- read


@extend_schema_view(
    get=extend_schema(tags=TAG, summary="En redovisning med villkorets krav och versionerna")
)
class AccountDetail(ApiGenericView):
    serializer_class = AccountDetailSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(AccountDetailSerializer(_account(request, pk)).data)


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        summary="En version: svaren, bilagorna och Försäkringskassans bedömning per krav",
        description="Regionens utkast syns bara för regionen (404 för andra).",
    )
)
class AccountVersionDetail(ApiGenericView):
    serializer_class = AccountVersionSerializer

    def get(self, request: Request, pk: int, number: int) -> Response:
        account = _account(request, pk)
        version = numbered(account.visible, number)  # type: ignore[attr-defined]
        return Response(_version_detail(version))


# --------------------------------------------------------------------------- draft


@extend_schema_view(
    get=extend_schema(tags=TAG, summary="Redovisningens öppna utkast"),
    put=extend_schema(
        tags=TAG,
        summary="Spara svaren i utkastet",
        description=(
            "`lock_version` ska vara den du läste; annars 409 `stale_draft` och inget sparas. "
            "Ett krav som villkoret inte har ger 400 `unknown_requirement`."
        ),
        request=DraftAnswersSerializer,
    ),
)
class AccountDraftDetail(ApiGenericView):
    serializer_class = AccountVersionSerializer
    error_statuses = {"GET": (409,), "PUT": (409,)}

    def get(self, request: Request, pk: int) -> Response:
        account = _account(request, pk, Action.EDIT_REPORTS)
        return Response(_version_detail(_latest(account, VersionStatus.DRAFT)))

    def put(self, request: Request, pk: int) -> Response:
        account = _account(request, pk, Action.EDIT_REPORTS)
        data = validated(DraftAnswersSerializer, request).validated_data
        draft = account_open_draft(account=account, acting_user=request.user)
        try:
            draft = account_save_draft(
                version=draft,
                answers=data["answers"],
                lock_version=data["lock_version"],
                acting_user=request.user,
            )
        except AccountError as error:
            raise _renamed(error) from None
        return Response(_version_detail(draft))


# --------------------------------------------------------------------------- actions


@extend_schema_view(
    post=extend_schema(
        tags=TAG,
        summary="Skicka in utkastet till Försäkringskassan",
        description=(
            "Varje krav ska vara besvarat (annars 400 `answer_missing`, fältet "
            "`answers.<krav>`); efter villkorets sista dag krävs `late_explanation` "
            "(400 `explanation_missing`)."
        ),
        request=AccountSubmitSerializer,
    )
)
class AccountSubmitAction(ApiGenericView):
    serializer_class = AccountVersionSerializer

    def post(self, request: Request, pk: int) -> Response:
        account = _account(request, pk, Action.EDIT_REPORTS)
        data = validated(AccountSubmitSerializer, request).validated_data
        try:
            version = account_submit(
                version=_latest(account, VersionStatus.DRAFT),
                lock_version=data["lock_version"],
                answers=data.get("answers"),
                late_explanation=data["late_explanation"],
                acting_user=request.user,
            )
        except AccountError as error:
            raise _renamed(error) from None
        return Response(_version_detail(version))


@extend_schema_view(
    post=extend_schema(
        tags=TAG,
        summary="Bedöm varje krav i den inskickade versionen (Försäkringskassan)",
        description=(
            "Uppfyllt (FULFILLED), inte uppfyllt (NOT_FULFILLED, med motivering) eller "
            "återsänt för komplettering (RETURNED, med kommentar). Är något krav återsänt "
            "blir versionen återsänd och regionen får ett nytt utkast; annars är "
            "redovisningen bedömd, och villkoret uppfyllt när varje krav är det. Svaret är "
            "den bedömda versionen."
        ),
        request=AssessSerializer,
    )
)
class AccountAssessAction(ApiGenericView):
    serializer_class = AccountVersionSerializer

    def post(self, request: Request, pk: int) -> Response:
        account = _account(request, pk, Action.REVIEW_REPORTS)
        data = validated(AssessSerializer, request).validated_data
        version = _latest(account, VersionStatus.SUBMITTED)
        if version.number != data["version"]:
            raise ApiError(
                _(
                    "Version %(number)s är inte den inskickade versionen "
                    "(det är version %(current)s)."
                )
                % {"number": data["version"], "current": version.number},
                code="version_mismatch",
                field="version",
                status_code=status.HTTP_409_CONFLICT,
            )
        decisions = {
            number: RequirementDecision(outcome=d["outcome"], comment=d["comment"])
            for number, d in data["decisions"].items()
        }
        try:
            account_assess(version=version, decisions=decisions, acting_user=request.user)
        except AccountError as error:
            raise _renamed(error) from None
        return Response(_version_detail(version))


# --------------------------------------------------------------------------- attachments


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        summary="Bilagorna du får se (alla versioner)",
        description="Försäkringskassan ser bilagorna i inskickade versioner.",
        responses={200: AttachmentSerializer(many=True)},
    )
)
class AccountAttachmentList(ApiGenericView):
    serializer_class = AttachmentSerializer
    pagination_class = None  # an account's attachments are few: one plain list

    def get(self, request: Request, pk: int) -> Response:
        account = _account(request, pk)
        attachments = (
            AccountAttachment.objects.filter(version__in=account.visible)  # type: ignore[attr-defined]
            .select_related("version", "uploaded_by")
            .order_by("version__number", "uploaded_at", "pk")
        )
        return Response(AttachmentSerializer(attachments, many=True).data)


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        summary="Hämta en bilaga",
        description="Samma åtkomst som i webbläsaren: 404 utanför dina regioner.",
        responses={
            (200, media): OpenApiResponse(OpenApiTypes.BINARY, description=kind)
            for kind, media in CONTENT_TYPES.items()
        },
    )
)
class AccountAttachmentDownload(ApiGenericView):
    content_negotiation_class = AnyContent

    def get(self, request: Request, pk: int, attachment: int) -> FileResponse:
        account = _account(request, pk)
        found = get_object_or_404(
            AccountAttachment,
            pk=attachment,
            version__in=account.visible,  # type: ignore[attr-defined]
        )
        return attachment_response(found)
