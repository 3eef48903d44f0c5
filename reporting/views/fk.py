"""Försäkringskassan's pages: the inbox of reports across regions and the review
of a submitted report (accept, or return with a comment tied to cells)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
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

from rehab.dataversion import render_cached
from rehab.models import Agreement, Region, ReportingPeriod, Treatment
from rehab.pagecache import cached_page
from rehab.permissions import Action, can, require, scope, scoped
from rehab.selectors import period_code

from ..accounts.selectors import accounts_to_assess
from ..cells import agreement_cells
from ..enums import ReportState, VersionStatus
from ..figures import Figures
from ..forms import InboxFilterForm, ReturnForm
from ..models import Report, ReportVersion, ValidationSettings
from ..selectors import figures_of
from ..services import NotAllowed, ReportError, report_accept, report_return
from ..units import unit_breakdown
from .common import STATE_BADGES, days_left_text, report_place
from .grid import build_grid

ALL = "ALL"
MISSING = "MISSING"
STATUS_FILTERS = [
    (ReportState.SUBMITTED.value, gettext_lazy("Att granska")),
    (MISSING, gettext_lazy("Saknas (sista dag passerad eller nära)")),
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
        # As the rows are marked: a submitted version filed late, or the region's
        # draft past the deadline. A correction of an accepted quarter is not late
        # (the version in force was filed), nor is an accepted report.
        qs = qs.filter(latest_status=VersionStatus.SUBMITTED, submitted_late=True) | qs.filter(
            latest_status=VersionStatus.DRAFT, latest_correction=False, period__deadline__lt=today
        )
    return qs


@dataclass(frozen=True)
class MissingRow:
    """A region × period with nothing submitted although the deadline has passed
    or is near; shaped like an inbox row's report for the template."""

    region: Region
    period: ReportingPeriod
    started: bool
    submitted_number: None = None
    submitted_at: None = None

    @property
    def region_id(self) -> str:
        return self.region.code


def _missing_rows(user: Any, filters: dict[str, Any], today: datetime.date) -> list[MissingRow]:
    """Every region × open period whose deadline has passed, or is within the
    reminder window, with no submitted or accepted version: the reports FK has to
    chase. Started drafts count as missing too (`started`). Four queries,
    however many regions and periods."""
    days = ValidationSettings.current().reminder_days
    periods = ReportingPeriod.objects.filter(
        is_closed=False, opens_on__lte=today, deadline__lte=today + datetime.timedelta(days=days)
    ).select_related("agreement")
    if filters.get("agreement"):
        periods = periods.filter(agreement__year=filters["agreement"])
    if filters.get("quarter"):
        periods = periods.filter(quarter=filters["quarter"])
    if filters.get("late"):
        periods = periods.filter(deadline__lt=today)
    regions = scope(user).filter(active=True)
    if filters.get("region"):
        regions = regions.filter(code=filters["region"])
    period_list = list(periods.order_by("deadline", "agreement__year", "quarter"))
    region_list = list(regions.order_by("code"))
    reports = Report.objects.filter(
        period__in=[p.pk for p in period_list], region__in=[r.code for r in region_list]
    )
    done = set(
        reports.filter(
            versions__status__in=[
                VersionStatus.SUBMITTED,
                VersionStatus.ACCEPTED,
                VersionStatus.SUPERSEDED,
            ]
        ).values_list("region_id", "period_id")
    )
    started = set(
        reports.filter(versions__isnull=False).values_list("region_id", "period_id").distinct()
    )
    return [
        MissingRow(region, period, started=(region.code, period.pk) in started)
        for period in period_list
        for region in region_list
        if (region.code, period.pk) not in done
    ]


def _inbox_state(report: Any) -> str:
    if report.latest_status == VersionStatus.DRAFT:
        if report.previous_status == VersionStatus.RETURNED:
            return ReportState.RETURNED
        return ReportState.CORRECTING if report.latest_correction else ReportState.DRAFT
    if report.latest_status == VersionStatus.SUBMITTED:
        return ReportState.SUBMITTED
    return ReportState.ACCEPTED


@login_required
@cached_page
def inbox(request: HttpRequest) -> HttpResponse:
    """Reports across the regions the user may read, to review first. The list is
    computed once per data version, user, filter and day (rehab.dataversion)."""
    require(request.user, Action.VIEW_REPORTS)
    query = sorted(request.GET.lists())
    return render_cached(
        request,
        "reporting/inbox.html",
        name="reporting-inbox",
        vary=[request.user.pk, timezone.localdate(), query],
        body_template="reporting/_inbox_body.html",
        body_context=lambda: _inbox_context(request),
    )


def _inbox_context(request: HttpRequest) -> dict[str, Any]:
    regions = list(scope(request.user).values_list("code", "name"))
    years = list(Agreement.objects.order_by("-year").values_list("year", flat=True))
    form = InboxFilterForm(
        request.GET or None,
        years=years,
        regions=[(code, f"{code} {name}") for code, name in regions],
        statuses=STATUS_FILTERS,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    if filters.get("status") == MISSING:
        missing = Paginator(_missing_rows(request.user, filters, today), PAGE_SIZE).get_page(
            request.GET.get("sida")
        )
        return _inbox_page(
            request,
            form,
            missing,
            [
                {
                    "report": row,
                    "state": MISSING,
                    "state_label": _("Saknas"),
                    "badge": "missing",
                    "started": row.started,
                    "days": days_left_text(row.period.deadline, today),
                    "late": row.period.deadline < today,
                    "args": (row.region.code, row.period.agreement.year, row.period.quarter),
                }
                for row in missing.object_list
            ],
        )
    page = Paginator(_inbox_queryset(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
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
                else (
                    waiting and state != ReportState.CORRECTING and report.period.deadline < today
                ),
                "args": (report.region_id, report.period.agreement.year, report.period.quarter),
            }
        )
    return _inbox_page(request, form, page, rows)


def _inbox_page(
    request: HttpRequest, form: InboxFilterForm, page: Any, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("sida", None)
    return {
        "form": form,
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "missing": form.is_valid() and form.cleaned_data.get("status") == MISSING,
        "can_review": can(request.user, Action.REVIEW_REPORTS),
        "accounts": accounts_to_assess(request.user),
    }


def _percent(new: int, base: int) -> str:
    change = round((new - base) * 100 / base)
    return ("+" if change > 0 else "−" if change < 0 else "") + f"{abs(change)} %"


def _totals_table(
    treatments: Iterable[Treatment],
    current: Figures,
    previous: Figures | None,
    last_year: Figures | None,
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
                "name": treatment.display_name,
                "value": value,
                "previous": prev_t.get(treatment.code, 0) if prev_t is not None else None,
                "last_year": before,
                "change": _percent(value, before) if before else "–",
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
@cached_page
def review(request: HttpRequest, region: str, year: int, quarter: int | None) -> HttpResponse:
    """FK's review of the submitted version: figures, warnings with the region's
    explanations, the difference against the previous version and the same
    quarter a year earlier; accept, or return with a comment and flagged cells."""
    place = report_place(request.user, region, year, quarter, Action.REVIEW_REPORTS)
    versions = place.versions()
    version = versions[-1] if versions else None
    if version is None or version.status != VersionStatus.SUBMITTED:
        messages.info(request, _("Det finns ingen inskickad version att granska."))
        return redirect(place.url("report"))
    if request.method != "POST":
        # The page as FK reads it: once per data version and version, then from the
        # cache (the figures, history and grid cost a dozen queries).
        return render_cached(
            request,
            "reporting/review.html",
            name="reporting-review",
            vary=[version.pk],
            body_template="reporting/_review_body.html",
            body_context=lambda: _review_context(place, versions, version, None),
            context={"place": place, "period": place.period},
        )
    form = ReturnForm(request.POST, cell_keys=agreement_cells(place.period.agreement).keys)
    user: Any = request.user
    action = request.POST.get("action")
    reviewed = request.POST.get("version")
    if reviewed is not None and reviewed != str(version.number):
        # The page showed another version (returned and submitted again since):
        # a decision applies only to the figures the officer has seen.
        messages.error(
            request,
            _(
                "Rapporten har ändrats sedan du öppnade den: version %(number)s är nu "
                "inskickad. Inget beslut har fattats. Granska version %(number)s."
            )
            % {"number": version.number},
        )
        return redirect(place.url("review"))
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

    return render(
        request,
        "reporting/review.html",
        _review_context(place, versions, version, form),
        status=422,
    )


def _review_context(
    place: Any, versions: list[ReportVersion], version: ReportVersion, form: ReturnForm | None
) -> dict[str, Any]:
    """What the review page shows: `form` is the refused decision shown again, None
    for the page as first read."""
    year, quarter = place.period.agreement.year, place.period.quarter
    cells = agreement_cells(place.period.agreement)
    if form is None:
        form = ReturnForm(None, cell_keys=cells.keys)
    current = figures_of(version)
    previous_version = versions[-2] if len(versions) > 1 else None
    previous = figures_of(previous_version) if previous_version is not None else None
    last_year_report = (
        Report.objects.filter(
            region_id=place.region.code,
            period__agreement__year=year - 1,
            **(
                {"period__quarter__isnull": True}
                if quarter is None
                else {"period__quarter": quarter}
            ),
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
        cells=cells,
        values=current.cells(),
        previous=previous.cells() if previous is not None else None,
        flagged=flagged,
        breakdown=unit_breakdown(version),
    )
    return {
        "place": place,
        "period": place.period,
        "version": version,
        "previous_version": previous_version,
        "last_year_report": last_year_report,
        "last_year_label": period_code(year - 1, quarter),
        "grid": grid,
        "totals": _totals_table(cells.treatments, current, previous, last_year),
        "warnings": list(version.warnings.order_by("pk")),
        "form": form,
    }
