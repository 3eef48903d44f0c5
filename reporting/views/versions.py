"""A report's versions: one version read-only, the version history, the
comparison of two versions, and the start of a correction (rättelse)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rehab.permissions import Action, can

from ..cells import agreement_cells
from ..enums import VersionStatus
from ..figures import diff_figures
from ..forms import CorrectionForm
from ..models import ReportVersion
from ..selectors import figures_of
from ..services import (
    NotAllowed,
    ReportError,
    report_start_correction,
)
from ..status import state_of
from ..units import unit_breakdown
from .common import (
    ReportPlace,
    report_place,
    visible_versions,
)
from .grid import build_grid

# --------------------------------------------------------------------------- versions


def _version_or_404(
    request: HttpRequest, place: ReportPlace, number: int
) -> tuple[list[ReportVersion], list[ReportVersion], ReportVersion]:
    """(all versions, those the user may see, the one numbered `number`) or 404."""
    versions = place.versions()
    visible = visible_versions(request.user, versions)
    version = next((v for v in visible if v.number == number), None)
    if version is None:
        raise Http404
    return versions, visible, version


@login_required
def version(
    request: HttpRequest, region: str, year: int, quarter: int | None, number: int
) -> HttpResponse:
    place = report_place(request.user, region, year, quarter)
    versions, _visible, version_obj = _version_or_404(request, place, number)
    return version_page(request, place, versions, version_obj)


def version_page(
    request: HttpRequest,
    place: ReportPlace,
    versions: list[ReportVersion],
    version_obj: ReportVersion,
) -> HttpResponse:
    agreement = place.period.agreement
    grid = build_grid(
        cells=agreement_cells(agreement),
        values=figures_of(version_obj).cells(),
        flagged=version_obj.flagged_cells,
        breakdown=unit_breakdown(version_obj),
    )
    state = state_of(versions)
    latest = versions[-1]
    can_edit = can(request.user, Action.EDIT_REPORTS, place.region)
    return render(
        request,
        "reporting/version.html",
        {
            "place": place,
            "agreement": agreement,
            "period": place.period,
            "version": version_obj,
            "is_latest": version_obj.pk == visible_versions(request.user, versions)[-1].pk,
            "grid": grid,
            "warnings": list(version_obj.warnings.order_by("pk")),
            "state": state,
            "can_edit": can_edit,
            "can_correct": can_edit
            and place.report is not None
            and place.report.accepted_version_id is not None
            and latest.status in (VersionStatus.ACCEPTED, VersionStatus.SUPERSEDED),
            "can_review": can(request.user, Action.REVIEW_REPORTS, place.region)
            and version_obj.status == VersionStatus.SUBMITTED,
            "has_draft": can_edit
            and latest.status == VersionStatus.DRAFT
            and place.period.is_open(),
            "in_force": place.report is not None
            and place.report.accepted_version_id == version_obj.pk,
        },
    )


@login_required
def history(request: HttpRequest, region: str, year: int, quarter: int | None) -> HttpResponse:
    place = report_place(request.user, region, year, quarter)
    versions = visible_versions(request.user, place.versions())
    visible_ids = {v.pk for v in versions}
    events = []
    if place.report is not None:
        events = [
            e
            for e in place.report.events.select_related("actor", "version").order_by("at", "pk")
            if e.version_id in visible_ids
        ]
    return render(
        request,
        "reporting/history.html",
        {"place": place, "period": place.period, "versions": versions, "events": events},
    )


@login_required
def compare(
    request: HttpRequest, region: str, year: int, quarter: int | None, number: int
) -> HttpResponse:
    """A version against the one before it (or `?med=<number>`): changed cells marked."""
    place = report_place(request.user, region, year, quarter)
    _all, versions, version_obj = _version_or_404(request, place, number)
    try:
        other_number = int(request.GET.get("med", number - 1))
    except ValueError as error:
        raise Http404 from error
    other = next((v for v in versions if v.number == other_number), None)
    if other is None or other.pk == version_obj.pk:
        raise Http404
    agreement = place.period.agreement
    new = figures_of(version_obj)
    old = figures_of(other)
    grid = build_grid(
        cells=agreement_cells(agreement),
        values=new.cells(),
        previous=old.cells(),
    )
    labels = {cell.key: cell.label for cell in grid.cells()}
    return render(
        request,
        "reporting/compare.html",
        {
            "place": place,
            "period": place.period,
            "version": version_obj,
            "other": other,
            "versions": versions,
            "grid": grid,
            "changes": [
                {"change": c, "label": labels.get(c.key, c.key)} for c in diff_figures(old, new)
            ],
            "comment_changed": old.comment != new.comment,
            "old_comment": old.comment,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def correction(request: HttpRequest, region: str, year: int, quarter: int | None) -> HttpResponse:
    """Start a correction (rättelse) of an accepted report, with a reason."""
    place = report_place(request.user, region, year, quarter, Action.EDIT_REPORTS)
    if place.report is None or place.report.accepted_version_id is None:
        raise Http404
    form = CorrectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            report_start_correction(
                report=place.report,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except NotAllowed as error:
            raise Http404 from error
        except ReportError as error:
            messages.error(request, error.message)
            return redirect(place.url("report"))
        messages.success(
            request,
            _(
                "Rättelsen är påbörjad. Den godkända versionen gäller tills "
                "Försäkringskassan har godkänt rättelsen."
            ),
        )
        return redirect(place.url("report"))
    accepted = place.report.accepted_version
    return render(
        request,
        "reporting/correction.html",
        {"place": place, "period": place.period, "form": form, "accepted": accepted},
        status=422 if form.is_bound else 200,
    )
