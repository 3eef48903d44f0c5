"""The region's pages: the overview, the report form (draft, validation,
submission), a version read-only, the version history, the comparison of two
versions, and the start of a correction (rättelse)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rehab.enums import REGION_ROLES
from rehab.models import Agreement, Region, ReportingPeriod
from rehab.permissions import Action, can, require, role_of

from ..enums import ReportState, VersionStatus
from ..figures import diff_figures
from ..forms import CorrectionForm, ReportForm
from ..models import Report, ReportVersion
from ..selectors import figures_of
from ..services import (
    InvalidTransition,
    NotAllowed,
    ReportError,
    StaleDraft,
    ValidationFailed,
    report_get_or_create,
    report_open_draft,
    report_save_draft,
    report_start_correction,
    report_submit,
)
from ..validation import ValidationResult, report_validate
from .common import (
    STATE_BADGES,
    ReportPlace,
    days_left_text,
    next_step,
    report_place,
    state_of,
)
from .grid import agreement_treatments, build_grid, cell_keys, dom_id

# --------------------------------------------------------------------------- overview


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Where coordinators and region viewers land: their region's quarters.
    FK users, who read every region, are sent to the inbox."""
    user: Any = request.user
    if role_of(user) not in REGION_ROLES:
        if can(user, Action.VIEW_REPORTS):
            return redirect("reporting:inbox")
        raise Http404
    return _overview(request, user.region_id)


@login_required
def region_overview(request: HttpRequest, region: str) -> HttpResponse:
    """One region's overview, for anyone who may read that region's reports."""
    require(request.user, Action.VIEW_REPORTS, region)
    return _overview(request, region)


def _overview(request: HttpRequest, region_code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=region_code)
    today = timezone.localdate()
    can_edit = can(request.user, Action.EDIT_REPORTS, region)
    periods = list(
        ReportingPeriod.objects.select_related("agreement").order_by("-agreement__year", "quarter")
    )
    reports = {
        report.period_id: report
        for report in Report.objects.filter(region=region).prefetch_related(
            Prefetch("versions", queryset=ReportVersion.objects.order_by("number"))
        )
    }
    by_agreement: dict[int, list[ReportingPeriod]] = defaultdict(list)
    agreements: dict[int, Agreement] = {}
    for period in periods:
        by_agreement[period.agreement_id].append(period)
        agreements[period.agreement_id] = period.agreement
    sections = []
    for agreement_id, agreement_periods in by_agreement.items():
        if all(p.is_closed for p in agreement_periods):
            continue  # not an open agreement any more
        rows: list[dict[str, Any]] = []
        for period in agreement_periods:
            report = reports.get(period.pk)
            versions = list(report.versions.all()) if report else []
            state = state_of(versions)
            needs_work = state in (
                ReportState.NOT_STARTED,
                ReportState.DRAFT,
                ReportState.RETURNED,
                ReportState.CORRECTING,
            )
            rows.append(
                {
                    "period": period,
                    "state": state,
                    "state_label": ReportState(state).label,
                    "badge": STATE_BADGES[state],
                    "version": versions[-1] if versions else None,
                    "next": next_step(state, can_edit=can_edit, period_open=period.is_open(today)),
                    "days_left": days_left_text(period.deadline, today) if needs_work else "",
                    "late": needs_work and period.is_late(today),
                    "url": reverse(
                        "reporting:report",
                        args=(region.code, period.agreement.year, period.quarter),
                    ),
                }
            )
        active = any(
            r["state"] in (ReportState.DRAFT, ReportState.RETURNED, ReportState.CORRECTING)
            for r in rows
        )
        counts: dict[str, int] = defaultdict(int)
        for row in rows:
            counts[str(row["state"])] += 1
        sections.append(
            {
                "agreement": agreements[agreement_id],
                "rows": rows,
                "active": active,
                "counts": [
                    (state.label, STATE_BADGES[state], counts[state])
                    for state in ReportState
                    if counts[state]
                ],
            }
        )
    for index, section in enumerate(sections):
        section["open"] = index == 0 or section["active"]
    return render(
        request,
        "reporting/overview.html",
        {"region": region, "sections": sections, "can_edit": can_edit, "today": today},
    )


# --------------------------------------------------------------------------- the report


def _visible_versions(user: Any, versions: list[ReportVersion]) -> list[ReportVersion]:
    """A region's drafts are its own work in progress: FK sees submitted versions."""
    if role_of(user) in REGION_ROLES:
        return versions
    return [v for v in versions if v.status != VersionStatus.DRAFT]


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, region: str, year: int, quarter: int) -> HttpResponse:
    """The report of a region × quarter: the form while there is a draft (or none
    yet) and the user is the region's coordinator; otherwise the latest version,
    read-only."""
    if request.method == "POST":
        return _save(
            request, report_place(request.user, region, year, quarter, Action.EDIT_REPORTS)
        )
    place = report_place(request.user, region, year, quarter)
    versions = place.versions()
    latest = versions[-1] if versions else None
    editable = (
        can(request.user, Action.EDIT_REPORTS, place.region)
        and (latest is None or latest.status == VersionStatus.DRAFT)
        and place.period.is_open()
    )
    if editable:
        return _form_page(request, place, versions)
    visible = _visible_versions(request.user, versions)
    if not visible:
        return render(
            request,
            "reporting/not_started.html",
            {
                "place": place,
                "in_progress": bool(versions),
                "period_open": place.period.is_open(),
            },
        )
    return _version_page(request, place, versions, visible[-1])


def _session_key(version_id: int | None) -> str:
    return f"reporting:explanations:{version_id or 0}"


def _form_page(
    request: HttpRequest,
    place: ReportPlace,
    versions: list[ReportVersion],
    *,
    form: ReportForm | None = None,
    stale: ReportVersion | None = None,
    status: int = 200,
) -> HttpResponse:
    """The editable grid. `form` is a bound form to show again (typed values kept);
    `stale` the draft someone else saved meanwhile (its figures shown beside the
    user's)."""
    agreement = place.period.agreement
    treatments = agreement_treatments(agreement)
    keys = cell_keys(agreement, treatments)
    draft = versions[-1] if versions else None
    previous = versions[-2] if len(versions) > 1 else None
    returned = (
        previous if previous is not None and previous.status == VersionStatus.RETURNED else None
    )

    values = figures_of(draft).cells() if draft is not None else {}
    result = ValidationResult()
    if draft is not None:
        result = report_validate(version=draft)
        if form is not None:
            # Shown again after a refused save: the saved draft's warnings still need
            # explaining, but its errors would sit beside figures that are not saved.
            result = ValidationResult(warnings=result.warnings)
    cell_errors: dict[str, list[str]] = defaultdict(list)
    row_warnings: dict[str, list[str]] = defaultdict(list)
    for issue in result.errors:
        if issue.subject in keys:
            cell_errors[issue.subject].append(issue.message)
    for issue in result.warnings:
        if issue.subject:
            row_warnings[issue.subject].append(issue.message)

    if form is None:
        form = ReportForm(
            initial={
                "version": draft.number if draft else 0,
                "lock_version": draft.lock_version if draft else 0,
                "comment": draft.comment if draft else "",
            },
            cell_keys=keys,
        )
        raw = None
    else:
        raw = form.raw_cells()
        for key, errs in form.cell_errors().items():
            cell_errors[key].extend(errs)
        cleaned = getattr(form, "cleaned_data", {})
        values = {k: cleaned[k] for k in keys if cleaned.get(k) is not None}
    grid = build_grid(
        agreement=agreement,
        treatments=treatments,
        values=values,
        raw=raw,
        errors=cell_errors,
        previous=figures_of(stale).cells() if stale is not None else None,
        flagged=returned.flagged_cells if returned is not None else (),
        row_warnings=row_warnings,
    )
    explanations = request.session.get(_session_key(draft.pk if draft else None), {})
    if form.is_bound:
        explanations = form.explanations()
    warnings = [
        {
            "issue": w,
            "name": f"explain:{w.key}",
            "id": f"explain-{i}",
            "text": explanations.get(w.key, ""),
        }
        for i, w in enumerate(result.warnings)
    ]
    accepted = next((v for v in versions if v.status == VersionStatus.ACCEPTED), None)
    return render(
        request,
        "reporting/report_form.html",
        {
            "place": place,
            "agreement": agreement,
            "period": place.period,
            "draft": draft,
            "returned": returned,
            "accepted": accepted,
            "form": form,
            "grid": grid,
            "result": result,
            "error_list": [
                {"message": i.message, "anchor": dom_id(i.subject) if i.subject in keys else ""}
                for i in result.errors
            ],
            "warnings": warnings,
            "stale": stale,
            "today": timezone.localdate(),
            "late": place.period.is_late(),
            "days_left": days_left_text(place.period.deadline, timezone.localdate()),
        },
        status=status,
    )


def _save(request: HttpRequest, place: ReportPlace) -> HttpResponse:
    """Save the draft, and submit it if asked. Redirects after success; a refused
    save shows the form again with everything the user typed."""
    agreement = place.period.agreement
    keys = cell_keys(agreement, agreement_treatments(agreement))
    form = ReportForm(request.POST, cell_keys=keys)
    submit = request.POST.get("action") == "submit"
    versions = place.versions()
    if not form.is_valid():
        messages.error(request, _("Utkastet sparades inte: rätta de markerade rutorna."))
        return _form_page(request, place, versions, form=form, status=422)
    user: Any = request.user
    try:
        report = place.report or report_get_or_create(
            region=place.region, period=place.period, acting_user=user
        )
        draft = report_open_draft(report=report, acting_user=user)
        request.session[_session_key(draft.pk)] = form.explanations()
        if draft.number != (form.cleaned_data["version"] or 1):
            raise StaleDraft(
                _(
                    "Rapporten har ändrats efter att du öppnade den (nu version %(number)s). "
                    "Dina ändringar sparades inte."
                )
                % {"number": draft.number}
            )
        figures = form.figures()
        lock = form.cleaned_data["lock_version"]
        unchanged = (
            lock == draft.lock_version
            and figures.cells() == figures_of(draft).cells()
            and figures.comment == draft.comment
        )
        if not unchanged:
            draft = report_save_draft(
                version=draft, figures=figures, lock_version=lock, acting_user=user
            )
        if submit:
            report_submit(
                version=draft,
                lock_version=draft.lock_version,
                explanations=form.explanations(),
                acting_user=user,
            )
            request.session.pop(_session_key(draft.pk), None)
            messages.success(request, _("Rapporten är inskickad till Försäkringskassan."))
            return redirect(place.url("version", draft.number))
    except NotAllowed as error:
        raise Http404 from error
    except StaleDraft:
        return _stale(request, place, form)
    except ValidationFailed as error:
        messages.error(request, error.message)
        if not submit:
            return _form_page(request, place, versions, form=form, status=422)
        return redirect(place.url("report") + "#kontroll")
    except InvalidTransition as error:
        messages.error(request, error.message)
        return redirect(place.url("report"))
    messages.success(request, _("Utkastet är sparat."))
    return redirect(place.url("report"))


def _stale(request: HttpRequest, place: ReportPlace, form: ReportForm) -> HttpResponse:
    """Someone saved the draft after this user loaded it: nothing was saved. Show
    the user's figures again, with the saved ones beside each cell that differs,
    and the current lock_version so that saving again replaces them deliberately."""
    versions = place.versions()
    current = versions[-1]
    data = request.POST.copy()
    data["version"] = str(current.number)
    data["lock_version"] = str(current.lock_version)
    fresh = ReportForm(data, cell_keys=form.cell_keys)
    fresh.is_valid()
    who = current.updated_by or current.created_by
    messages.error(
        request,
        _(
            "%(who)s sparade utkastet %(at)s, efter att du öppnade det. Dina ändringar "
            "sparades inte. Dina siffror visas nedan och det sparade värdet står under "
            "varje ruta som skiljer sig. Spara igen om dina siffror ska gälla."
        )
        % {
            "who": who.get_full_name() or who.username,
            "at": timezone.localtime(current.updated_at).strftime("%H:%M"),
        },
    )
    return _form_page(request, place, versions, form=fresh, stale=current, status=409)


# --------------------------------------------------------------------------- versions


def _version_or_404(
    request: HttpRequest, place: ReportPlace, number: int
) -> tuple[list[ReportVersion], list[ReportVersion], ReportVersion]:
    """(all versions, those the user may see, the one numbered `number`) or 404."""
    versions = place.versions()
    visible = _visible_versions(request.user, versions)
    version = next((v for v in visible if v.number == number), None)
    if version is None:
        raise Http404
    return versions, visible, version


@login_required
def version(
    request: HttpRequest, region: str, year: int, quarter: int, number: int
) -> HttpResponse:
    place = report_place(request.user, region, year, quarter)
    versions, _visible, version_obj = _version_or_404(request, place, number)
    return _version_page(request, place, versions, version_obj)


def _version_page(
    request: HttpRequest,
    place: ReportPlace,
    versions: list[ReportVersion],
    version_obj: ReportVersion,
) -> HttpResponse:
    agreement = place.period.agreement
    treatments = agreement_treatments(agreement)
    grid = build_grid(
        agreement=agreement,
        treatments=treatments,
        values=figures_of(version_obj).cells(),
        flagged=version_obj.flagged_cells,
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
            "is_latest": version_obj.pk == latest.pk,
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
            "has_draft": can_edit and latest.status == VersionStatus.DRAFT,
            "in_force": place.report is not None
            and place.report.accepted_version_id == version_obj.pk,
        },
    )


@login_required
def history(request: HttpRequest, region: str, year: int, quarter: int) -> HttpResponse:
    place = report_place(request.user, region, year, quarter)
    versions = _visible_versions(request.user, place.versions())
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
    request: HttpRequest, region: str, year: int, quarter: int, number: int
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
        agreement=agreement,
        treatments=agreement_treatments(agreement),
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
def correction(request: HttpRequest, region: str, year: int, quarter: int) -> HttpResponse:
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
