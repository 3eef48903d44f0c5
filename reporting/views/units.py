"""Care units' pages: a unit's figures for a period (the unit reporter's grid, or
the coordinator's for a unit that does not report itself), the coordinator's table
of all units for a period (sortable, outliers flagged, XLSX), and a unit's own page
with its figures over time beside the region's.

Every page finds the unit through `rehab.permissions.require_unit`: a unit the user
may not see is a 404."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rehab.enums import Role
from rehab.formatting import spreadsheet_row
from rehab.models import CareUnit, Region, ReportingPeriod
from rehab.permissions import Action, can, can_unit, require, require_unit, role_of
from rehab.selectors import collects_per_unit

from ..cells import agreement_cells
from ..enums import Sex, UnitState, VersionStatus
from ..figures import Figures
from ..forms import ReportForm
from ..models import Report, UnitFigures
from ..services import InvalidTransition, NotAllowed, ReportError, StaleDraft, ValidationFailed
from ..units import (
    FileRefused,
    inactive_message,
    latest_version,
    unit_figures_get,
    unit_figures_mark_ready,
    unit_figures_of,
    unit_figures_save,
    unit_figures_upload,
    unit_states,
    unit_warnings,
)
from .grid import build_grid, dom_id


def _unit(user: Any, pk: int, action: Action = Action.VIEW_UNIT) -> CareUnit:
    unit = get_object_or_404(CareUnit.objects.select_related("region"), pk=pk)
    require_unit(user, action, unit)
    return unit


def _period(pk: int) -> ReportingPeriod:
    return get_object_or_404(ReportingPeriod.objects.select_related("agreement"), pk=pk)


@login_required
def my_unit(request: HttpRequest) -> HttpResponse:
    """The unit reporter's start page: its unit's page."""
    unit_id = getattr(request.user, "care_unit_id", None)
    if unit_id is None:
        raise Http404
    return redirect("reporting:unit_page", unit=unit_id)


# --------------------------------------------------------------------------- the grid


@login_required
@require_http_methods(["GET", "POST"])
def unit_figures(request: HttpRequest, unit: int, period: int) -> HttpResponse:
    """A unit's figures for a period: the grid with the unit's provider column to fill
    in while the region's report is a draft; read-only otherwise."""
    unit_obj = _unit(request.user, unit)
    period_obj = _period(period)
    if not collects_per_unit(unit_obj.region_id, period_obj.agreement_id):
        raise Http404
    agreement = period_obj.agreement
    cells = agreement_cells(agreement)
    keys = [k for k in cells.keys if len(k.split(":")) == 2 or k.endswith(f":{unit_obj.provider}")]
    uf = unit_figures_get(unit_obj, period_obj)
    version = latest_version(unit_obj.region_id, period_obj)
    frozen = version is not None and version.status != VersionStatus.DRAFT
    inactive = inactive_message(unit_obj, period_obj)
    may_post = (
        can_unit(request.user, Action.EDIT_UNIT_FIGURES, unit_obj)
        and not frozen
        and period_obj.is_open()
    )
    # Outside the unit's active dates the grid is read-only; a post (a form opened
    # before the dates changed) is refused by the service with its message.
    editable = may_post and inactive is None
    form = None
    status = 200
    errors: dict[str, list[str]] = defaultdict(list)
    if request.method == "POST":
        if not may_post:
            raise Http404
        form = ReportForm(request.POST, cell_keys=keys)
        status = 422
        if not form.is_valid():
            messages.error(request, _("Siffrorna sparades inte: rätta de markerade rutorna."))
            for key, errs in form.cell_errors().items():
                errors[key] += errs
        else:
            try:
                unit_figures_save(
                    unit=unit_obj,
                    period=period_obj,
                    figures=form.figures(),
                    lock_version=form.cleaned_data["lock_version"],
                    acting_user=request.user,  # type: ignore[arg-type]
                    ready=request.POST.get("action") == "ready",
                )
            except NotAllowed as error:
                raise Http404 from error
            except StaleDraft as error:
                messages.error(request, error.message)
                status = 409
            except ValidationFailed as error:
                messages.error(request, error.message)
                for issue in error.result.errors:
                    errors[issue.subject].append(issue.message)
            except (InvalidTransition, ReportError) as error:
                messages.error(request, error.message)
                return redirect("reporting:unit_figures", unit=unit_obj.pk, period=period_obj.pk)
            else:
                if request.POST.get("action") == "ready":
                    messages.success(request, _("Siffrorna är sparade och markerade som klara."))
                else:
                    messages.success(request, _("Siffrorna är sparade som utkast."))
                return redirect("reporting:unit_figures", unit=unit_obj.pk, period=period_obj.pk)
    values = unit_figures_of(uf).cells()
    raw = None
    if form is not None:
        raw = form.raw_cells()
        cleaned = getattr(form, "cleaned_data", {})
        values = {k: cleaned[k] for k in keys if cleaned.get(k) is not None}
    grid = build_grid(cells=cells, values=values, raw=raw, errors=errors)
    for cell in grid.cells():
        if cell.key not in keys:
            cell.disabled = True
    if form is None:
        form = ReportForm(
            initial={
                "version": 0,
                "lock_version": uf.lock_version if uf else 0,
                "comment": uf.comment if uf else "",
            },
            cell_keys=keys,
        )
    return render(
        request,
        "reporting/unit_figures.html",
        {
            "unit": unit_obj,
            "period": period_obj,
            "uf": uf,
            "state": (
                UnitState(uf.status)
                if uf is not None
                else UnitState.NOT_STARTED
                if inactive is None
                else UnitState.INACTIVE
            ),
            "inactive": inactive,
            "grid": grid,
            "form": form,
            "editable": editable,
            "frozen": frozen,
            "error_anchors": [dom_id(k) for k in errors],
            "can_see_region": can(request.user, Action.VIEW_REPORTS, unit_obj.region_id),
        },
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def unit_upload(request: HttpRequest, unit: int, period: int) -> HttpResponse:
    """The unit's figures from a report file (the region's file format, this unit's
    lines): they replace the unit's saved figures, as a draft. Nothing is saved when
    a line is wrong; every problem is listed."""
    unit_obj = _unit(request.user, unit, Action.EDIT_UNIT_FIGURES)
    period_obj = _period(period)
    target = redirect("reporting:unit_figures", unit=unit_obj.pk, period=period_obj.pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Välj en fil att ladda upp."))
        return target
    problems: list[str] = []
    try:
        unit_figures_upload(
            unit=unit_obj,
            period=period_obj,
            name=upload.name or "",
            file=upload,
            lock_version=int(request.POST.get("lock_version") or 0),
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except NotAllowed as error:
        raise Http404 from error
    except FileRefused as error:
        problems = [issue.message for issue in error.result.errors]
    except ReportError as error:
        problems = [error.message]
    if problems:
        messages.error(request, _("Filen lästes inte in: inget sparades."))
        for problem in problems[:50]:
            messages.error(request, problem)
        return target
    messages.success(request, _("Filen är inläst och sparad som utkast."))
    return target


@login_required
@require_http_methods(["POST"])
def unit_ready(request: HttpRequest, unit: int, period: int) -> HttpResponse:
    """Mark a unit's saved figures ready without changing them."""
    unit_obj = _unit(request.user, unit, Action.EDIT_UNIT_FIGURES)
    period_obj = _period(period)
    try:
        unit_figures_mark_ready(
            unit=unit_obj,
            period=period_obj,
            lock_version=int(request.POST.get("lock_version") or 0),
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except NotAllowed as error:
        raise Http404 from error
    except ReportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Enhetens siffror är markerade som klara."))
    return redirect("reporting:unit_figures", unit=unit_obj.pk, period=period_obj.pk)


# --------------------------------------------------------------------------- the table


SORTS = {
    "name": lambda r: r["row"].unit.name.lower(),
    "state": lambda r: r["row"].state,
    "series": lambda r: r["row"].series_total,
    "contacts": lambda r: r["row"].contacts_total,
    "share": lambda r: r["row"].series_total,
    "flags": lambda r: len(r["flags"]),
}


def _table(request: HttpRequest, region: str, period: int) -> dict[str, Any]:
    require(request.user, Action.VIEW_REPORTS, region)
    region_obj = get_object_or_404(Region, code=region)
    period_obj = _period(period)
    rows = unit_states(region_obj.code, period_obj)
    flags = unit_warnings(region_obj.code, period_obj, rows)
    total = sum(r.series_total for r in rows)
    entries = [
        {
            "row": r,
            "flags": flags.get(r.unit.pk, []),
            "share": (r.series_total / total) if total else None,
        }
        for r in rows
    ]
    sort = request.GET.get("sort", "name")
    key = SORTS.get(sort.lstrip("-"), SORTS["name"])
    entries.sort(key=key, reverse=sort.startswith("-"))
    return {
        "region": region_obj,
        "period": period_obj,
        "entries": entries,
        "total": total,
        "sort": sort,
        "per_unit": collects_per_unit(region_obj.code, period_obj.agreement_id),
        "counts": {state: sum(1 for r in rows if r.state == state) for state in UnitState.values},
    }


@login_required
def unit_table(request: HttpRequest, region: str, period: int) -> HttpResponse:
    """The coordinator's (and FK's, read-only) table of the region's units for a period."""
    context = _table(request, region, period)
    context["can_edit"] = can(request.user, Action.EDIT_UNIT_FIGURES, region)
    context["state_labels"] = dict(UnitState.choices)
    return render(request, "reporting/unit_table.html", context)


@login_required
def unit_table_xlsx(request: HttpRequest, region: str, period: int) -> HttpResponse:
    """The same table as an Excel file."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    context = _table(request, region, period)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = context["period"].label[:31]
    header = [
        _("Enhet"),
        _("HSA-id"),
        _("Vårdgivare"),
        _("Status"),
        _("Genomförda behandlingar"),
        _("Andel av regionen"),
        _("Kontakter"),
        _("Avvikelser"),
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in context["entries"]:
        row = entry["row"]
        sheet.append(
            spreadsheet_row(
                [
                    row.unit.name,
                    row.unit.hsa_id or "",
                    str(row.unit.get_provider_display()),
                    row.state_label,
                    row.series_total,
                    float(entry["share"]) if entry["share"] is not None else None,
                    row.contacts_total,
                    " ".join(issue.message for issue in entry["flags"]),
                ]
            )
        )
        sheet.cell(row=sheet.max_row, column=6).number_format = "0.0%"
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"enheter-{context['region'].code}-{context['period'].label}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --------------------------------------------------------------------------- feedback


@login_required
def unit_page(request: HttpRequest, unit: int) -> HttpResponse:
    """A unit's own page: its figures per period and treatment over time beside the
    region's total and its share, its contacts, and what it was allotted."""
    unit_obj = _unit(request.user, unit)
    reports = list(
        Report.objects.filter(region_id=unit_obj.region_id)
        .select_related("period__agreement", "accepted_version")
        .prefetch_related(
            Prefetch(
                "accepted_version__unit_figures",
                queryset=UnitFigures.objects.filter(unit=unit_obj).prefetch_related(
                    "series", "extras"
                ),
                to_attr="mine",
            ),
            "accepted_version__series",
        )
        .order_by("-period__start_date")
    )
    history = []
    for report in reports:
        accepted = report.accepted_version
        if accepted is None or not accepted.mine:  # type: ignore[attr-defined]
            continue
        mine = unit_figures_of(accepted.mine[0])  # type: ignore[attr-defined]
        region_totals = Figures(
            series={(s.treatment_id, s.sex, s.provider): s.value for s in accepted.series.all()}
        ).treatment_totals()
        unit_totals = mine.treatment_totals()
        treatments = []
        for code in sorted(set(region_totals) | set(unit_totals)):
            region_total = region_totals.get(code, 0)
            own = unit_totals.get(code, 0)
            if not (region_total or own):
                continue
            treatments.append(
                {
                    "code": code,
                    "unit": own,
                    "region": region_total,
                    "share": own / region_total if region_total else None,
                }
            )
        contacts = {
            kind: sum(v for (k, _s), v in mine.extras.items() if k == kind)
            for kind in ("EMPLOYER_CONTACT", "AF_CONTACT")
        }
        total_unit = sum(unit_totals.values())
        total_region = sum(region_totals.values())
        history.append(
            {
                "period": report.period,
                "treatments": treatments,
                "unit_total": total_unit,
                "region_total": total_region,
                "share": total_unit / total_region if total_region else None,
                "contacts": contacts,
            }
        )
    open_periods = [
        p
        for p in ReportingPeriod.objects.filter(
            agreement__unit_collections__region_id=unit_obj.region_id,
            agreement__unit_collections__per_unit=True,
        )
        .select_related("agreement")
        .order_by("-start_date")
        if p.is_open() and unit_obj.is_active_during(p.start_date, p.end_date)
    ]
    return render(
        request,
        "reporting/unit_page.html",
        {
            "unit": unit_obj,
            "history": history,
            "open_periods": open_periods,
            "is_reporter": role_of(request.user) == Role.UNIT_REPORTER,
            "sexes": Sex.choices,
        },
    )
