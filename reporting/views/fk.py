"""Försäkringskassan's pages: the inbox of reports across regions and the review
of a submitted report (accept, or return with a comment tied to cells)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rehab.models import Agreement
from rehab.permissions import Action, can, require, scope, scoped

from ..enums import ReportState, VersionStatus
from ..figures import Figures
from ..forms import InboxFilterForm, ReturnForm
from ..models import Report, ReportVersion
from ..selectors import figures_of
from ..services import NotAllowed, ReportError, report_accept, report_return
from .common import STATE_BADGES, report_place
from .grid import agreement_treatments, build_grid, cell_keys

ALL = "ALL"
STATUS_FILTERS = [
    (ReportState.SUBMITTED.value, gettext_lazy("Att granska")),
    (ReportState.RETURNED.value, gettext_lazy("Återsända")),
    (ReportState.DRAFT.value, gettext_lazy("Hos regionen (utkast)")),
    (ReportState.ACCEPTED.value, gettext_lazy("Godkända")),
    (ALL, gettext_lazy("Alla")),
]
PAGE_SIZE = 50


def _inbox_queryset(user: Any, filters: dict[str, Any]) -> QuerySet[Report]:
    versions = ReportVersion.objects.filter(report=OuterRef("pk")).order_by("-number")
    submitted = versions.filter(submitted_at__isnull=False)
    qs = (
        scoped(Report.objects.all(), user, Action.VIEW_REPORTS)
        .select_related("region", "period__agreement")
        .annotate(
            latest_status=Subquery(versions.values("status")[:1]),
            latest_correction=Subquery(versions.values("is_correction")[:1]),
            previous_status=Subquery(versions.values("status")[1:2]),
            submitted_number=Subquery(submitted.values("number")[:1]),
            submitted_at=Subquery(submitted.values("submitted_at")[:1]),
            submitted_late=Subquery(submitted.values("submitted_late")[:1]),
        )
        .filter(latest_status__isnull=False)
    )
    if filters.get("agreement"):
        qs = qs.filter(period__agreement__year=filters["agreement"])
    if filters.get("quarter"):
        qs = qs.filter(period__quarter=filters["quarter"])
    if filters.get("region"):
        qs = qs.filter(region_id=filters["region"])
    status = filters.get("status") or ReportState.SUBMITTED
    if status == ReportState.SUBMITTED:
        qs = qs.filter(latest_status=VersionStatus.SUBMITTED).order_by("submitted_at", "region")
    elif status == ReportState.ACCEPTED:
        qs = qs.filter(latest_status=VersionStatus.ACCEPTED)
    elif status == ReportState.RETURNED:
        qs = qs.filter(latest_status=VersionStatus.DRAFT, previous_status=VersionStatus.RETURNED)
    elif status == ReportState.DRAFT:
        qs = qs.filter(latest_status=VersionStatus.DRAFT)
    if status != ReportState.SUBMITTED:
        qs = qs.order_by("-period__agreement__year", "period__quarter", "region")
    if filters.get("late"):
        today = timezone.localdate()
        qs = qs.filter(submitted_late=True) | qs.filter(
            latest_status=VersionStatus.DRAFT, period__deadline__lt=today
        )
    return qs


def _inbox_state(report: Any) -> str:
    if report.latest_status == VersionStatus.DRAFT:
        if report.previous_status == VersionStatus.RETURNED:
            return ReportState.RETURNED
        return ReportState.CORRECTING if report.latest_correction else ReportState.DRAFT
    if report.latest_status == VersionStatus.SUBMITTED:
        return ReportState.SUBMITTED
    return ReportState.ACCEPTED


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Reports across the regions the user may read, to review first."""
    require(request.user, Action.VIEW_REPORTS)
    regions = list(scope(request.user).values_list("code", "name"))
    years = list(Agreement.objects.order_by("-year").values_list("year", flat=True))
    form = InboxFilterForm(
        request.GET or None,
        years=years,
        regions=[(code, f"{code} {name}") for code, name in regions],
        statuses=STATUS_FILTERS,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(_inbox_queryset(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    today = timezone.localdate()
    rows = []
    for report in page.object_list:
        state = _inbox_state(report)
        waiting = state in (ReportState.DRAFT, ReportState.RETURNED, ReportState.CORRECTING)
        rows.append(
            {
                "report": report,
                "state": state,
                "state_label": ReportState(state).label,
                "badge": STATE_BADGES[ReportState(state)],
                "late": bool(report.submitted_late)
                if state == ReportState.SUBMITTED
                else (waiting and report.period.deadline < today),
                "args": (report.region_id, report.period.agreement.year, report.period.quarter),
            }
        )
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request,
        "reporting/inbox.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "can_review": can(request.user, Action.REVIEW_REPORTS),
        },
    )


def _percent(new: int, base: int) -> str:
    change = round((new - base) * 100 / base)
    return ("+" if change > 0 else "−" if change < 0 else "") + f"{abs(change)} %"


def _totals_table(
    treatments: list[Any], current: Figures, previous: Figures | None, last_year: Figures | None
) -> list[dict[str, Any]]:
    now_t = current.treatment_totals()
    prev_t = previous.treatment_totals() if previous is not None else None
    year_t = last_year.treatment_totals() if last_year is not None else None
    rows = []
    for treatment in treatments:
        value = now_t.get(treatment.code, 0)
        before = year_t.get(treatment.code, 0) if year_t is not None else None
        rows.append(
            {
                "code": treatment.code,
                "name": treatment.name,
                "value": value,
                "previous": prev_t.get(treatment.code, 0) if prev_t is not None else None,
                "last_year": before,
                "change": _percent(value, before) if before else "–",
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, region: str, year: int, quarter: int) -> HttpResponse:
    """FK's review of the submitted version: figures, warnings with the region's
    explanations, the difference against the previous version and the same
    quarter a year earlier; accept, or return with a comment and flagged cells."""
    place = report_place(request.user, region, year, quarter, Action.REVIEW_REPORTS)
    versions = place.versions()
    version = versions[-1] if versions else None
    if version is None or version.status != VersionStatus.SUBMITTED:
        messages.info(request, _("Det finns ingen inskickad version att granska."))
        return redirect(place.url("report"))
    agreement = place.period.agreement
    treatments = agreement_treatments(agreement)
    keys = cell_keys(agreement, treatments)
    form = ReturnForm(request.POST if request.method == "POST" else None, cell_keys=keys)
    if request.method == "POST":
        user: Any = request.user
        action = request.POST.get("action")
        try:
            if action == "accept":
                report_accept(
                    version=version, comment=request.POST.get("comment", ""), acting_user=user
                )
                messages.success(
                    request,
                    _("%(region)s %(period)s version %(number)s är godkänd.")
                    % {
                        "region": place.region.name,
                        "period": place.period.label,
                        "number": version.number,
                    },
                )
                return redirect("reporting:inbox")
            if action == "return" and form.is_valid():
                report_return(
                    version=version,
                    comment=form.cleaned_data["comment"],
                    flagged_cells=form.cleaned_data["flagged"],
                    acting_user=user,
                )
                messages.success(
                    request,
                    _("Rapporten är återsänd till %(region)s med din kommentar.")
                    % {"region": place.region.name},
                )
                return redirect("reporting:inbox")
        except NotAllowed as error:
            raise Http404 from error
        except ReportError as error:
            messages.error(request, error.message)
            return redirect(place.url("review"))
        if action != "return":
            raise Http404
        messages.error(request, _("Rapporten återsändes inte: skriv en kommentar."))

    current = figures_of(version)
    previous_version = versions[-2] if len(versions) > 1 else None
    previous = figures_of(previous_version) if previous_version is not None else None
    last_year_report = (
        Report.objects.filter(
            region_id=place.region.code,
            period__agreement__year=year - 1,
            period__quarter=quarter,
            accepted_version__isnull=False,
        )
        .select_related("accepted_version")
        .first()
    )
    last_year = (
        figures_of(last_year_report.accepted_version)  # type: ignore[arg-type]
        if last_year_report is not None
        else None
    )
    flagged = form.data.getlist("flagged") if form.is_bound else []  # type: ignore[attr-defined]
    grid = build_grid(
        agreement=agreement,
        treatments=treatments,
        values=current.cells(),
        previous=previous.cells() if previous is not None else None,
        flagged=flagged,
    )
    return render(
        request,
        "reporting/review.html",
        {
            "place": place,
            "period": place.period,
            "version": version,
            "previous_version": previous_version,
            "last_year_report": last_year_report,
            "grid": grid,
            "totals": _totals_table(treatments, current, previous, last_year),
            "warnings": list(version.warnings.order_by("pk")),
            "form": form,
        },
        status=422 if form.is_bound else 200,
    )
