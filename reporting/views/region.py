"""The report form of a region × quarter: the grid of figures, saving a draft
(with the stale-draft check), the checks before submission and the submission."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rehab.dataversion import cached
from rehab.formatting import format_int
from rehab.kept import TOKEN_PARAM, keep_post, keeps_posted_data, take_kept
from rehab.pagecache import cached_page
from rehab.permissions import Action, can
from rehab.selectors import collects_per_unit

from ..cells import agreement_cells
from ..eligibility import eligibility_points
from ..enums import VersionStatus
from ..figures import Figures
from ..forms import MAX_CELL_VALUE, ReportForm
from ..models import Report, ReportVersion
from ..selectors import figures_of
from ..services import (
    InvalidTransition,
    NotAllowed,
    StaleDraft,
    ValidationFailed,
    report_get_or_create,
    report_open_draft,
    report_save_draft,
    report_submit,
)
from ..units import unit_breakdown
from ..validation import ValidationResult, report_validate
from .common import (
    ReportPlace,
    days_left_text,
    report_place,
    visible_versions,
)
from .grid import build_grid, dom_id
from .versions import version_page

# --------------------------------------------------------------------------- the report


def _login_keeping_figures(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required, except that a form posted after the session expired is kept
    (rehab/kept.py) and put back in the form after signing in again."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            token = keep_post(request)
            messages.warning(
                request,
                _(
                    "Du hade loggats ut, så det du skrev är inte sparat än. Logga in igen: "
                    "dina siffror läggs då tillbaka i formuläret."
                ),
            )
            return redirect_to_login(f"{request.path}?{TOKEN_PARAM}={token}")
        return redirect_to_login(request.get_full_path())

    return wrapper


@keeps_posted_data
@_login_keeping_figures
@require_http_methods(["GET", "POST"])
@cached_page
def report(request: HttpRequest, region: str, year: int, quarter: int | None) -> HttpResponse:
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
        kept = take_kept(request)
        if kept is not None:
            agreement = place.period.agreement
            form = ReportForm(kept, cell_keys=agreement_cells(agreement).keys)
            form.is_valid()
            messages.info(
                request,
                _(
                    "Det du skrev som inte kunde sparas är tillbaka i formuläret. Det är inte "
                    "sparat än: spara utkastet för att behålla det."
                ),
            )
            return _form_page(request, place, versions, form=form)
        return _form_page(request, place, versions)
    visible = visible_versions(request.user, versions)
    if not visible:
        return render(
            request,
            "reporting/not_started.html",
            {
                "place": place,
                "in_progress": bool(versions),
                "period_open": place.period.is_open(),
                "opens_later": timezone.localdate() < place.period.opens_on,
            },
        )
    return version_page(request, place, versions, visible[-1])


def _session_key(version_id: int | None) -> str:
    return f"reporting:explanations:{version_id or 0}"


def _form_page(
    request: HttpRequest,
    place: ReportPlace,
    versions: list[ReportVersion],
    *,
    form: ReportForm | None = None,
    stale: ReportVersion | None = None,
    unexplained: frozenset[str] = frozenset(),
    status: int = 200,
) -> HttpResponse:
    """The editable grid. `form` is a bound form to show again (typed values kept);
    `stale` the draft someone else saved meanwhile (its figures shown beside the
    user's)."""
    agreement = place.period.agreement
    cells = agreement_cells(agreement)
    keys = cells.keys
    draft = versions[-1] if versions else None
    previous = versions[-2] if len(versions) > 1 else None
    returned = (
        previous if previous is not None and previous.status == VersionStatus.RETURNED else None
    )

    values = figures_of(draft).cells() if draft is not None else {}
    result = ValidationResult()
    if draft is not None:
        # The checks read the region's history (a dozen queries): once per data
        # version, draft and day (a check depends on the date), then from the cache.
        checked = draft
        result = cached(
            "report-form-checks",
            (checked.pk, checked.lock_version, timezone.localdate()),
            lambda: report_validate(version=checked, blank_cells=True),
        )
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
    per_unit = collects_per_unit(place.region.code, agreement.pk)
    if per_unit and draft is not None:
        values = figures_of(draft).cells()  # the sum of the units: not typed on this page
    grid = build_grid(
        cells=cells,
        breakdown=unit_breakdown(draft) if per_unit and draft is not None else None,
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
            "missing": w.key in unexplained,
        }
        for i, w in enumerate(result.warnings)
    ]
    error_list = [
        {"message": i.message, "anchor": dom_id(i.subject) if i.subject in keys else ""}
        for i in result.errors
    ]
    error_list += [
        {
            "message": _("Förklara varningen: %(warning)s") % {"warning": w["issue"].message},
            "anchor": w["id"],
        }
        for w in warnings
        if w["missing"]
    ]
    accepted = next((v for v in versions if v.status == VersionStatus.ACCEPTED), None)
    return render(
        request,
        "reporting/report_form.html",
        {
            "place": place,
            "agreement": agreement,
            "period": place.period,
            "eligibility": eligibility_points(place.period),
            "eligibility_confirmed": form.is_bound
            and form.data.get("eligibility_confirmed") == "on",
            "draft": draft,
            "returned": returned,
            "accepted": accepted,
            "form": form,
            "grid": grid,
            "result": result,
            "error_list": error_list,
            "warnings": warnings,
            "stale": stale,
            "per_unit": per_unit,
            "grid_mode": "view" if per_unit else "edit",
            "cell_max": MAX_CELL_VALUE,
            "msg_too_large": _("Talet är för stort (högst %(max)s).")
            % {"max": format_int(MAX_CELL_VALUE)},
            "msg_not_whole": _("”%(value)s” är inte ett heltal. Skriv bara siffror, t.ex. 12."),
            "late": place.period.is_late(),
            "days_left": days_left_text(place.period.deadline, timezone.localdate()),
        },
        status=status,
    )


def _save(request: HttpRequest, place: ReportPlace) -> HttpResponse:
    """Save the draft, and submit it if asked. Redirects after success; a refused
    save shows the form again with everything the user typed."""
    agreement = place.period.agreement
    keys = agreement_cells(agreement).keys
    form = ReportForm(request.POST, cell_keys=keys)
    submit = request.POST.get("action") == "submit"
    versions = place.versions()
    if not place.period.is_open():
        messages.error(
            request,
            _("Perioden %(period)s är inte öppen för rapportering.")
            % {"period": place.period.label},
        )
        return redirect(place.url("report"))
    if not form.is_valid():
        whole_form = form.non_field_errors()
        messages.error(
            request,
            str(whole_form[0])
            if whole_form
            else _("Utkastet sparades inte: rätta de markerade rutorna."),
        )
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
        if collects_per_unit(place.region.code, agreement.pk):
            # The figures are the sum of the units' (no inputs on the page): only
            # the comment and the explanations come from the form.
            saved = figures_of(draft)
            figures = Figures(series=saved.series, extras=saved.extras, comment=figures.comment)
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
                eligibility_confirmed=form.data.get("eligibility_confirmed") == "on",
                acting_user=user,
                blank_cells_explained=True,
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
        if error.code == "explanation_missing":
            # The figures are saved; the page shows which warnings lack an
            # explanation, each linked from the error summary (nothing is lost).
            explained = form.explanations()
            unexplained = frozenset(
                w.key for w in error.result.warnings if not explained.get(w.key)
            )
            return _form_page(
                request, place, place.versions(), form=form, unexplained=unexplained, status=422
            )
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
    if place.report is None:
        # Two first saves at once: the other request created the report after this
        # one looked for it (this one then found its draft saved): read it now.
        place.report = Report.objects.filter(region=place.region, period=place.period).first()
    versions = place.versions()
    if not versions:
        raise Http404
    current = versions[-1]
    data = request.POST.copy()
    data["version"] = str(current.number)
    data["lock_version"] = str(current.lock_version)
    fresh = ReportForm(data, cell_keys=form.cell_keys)
    fresh.is_valid()
    who = current.updated_by
    if who is None:
        # Nobody has saved this draft: it is a new version (FK returned the report,
        # or a correction was started) made after the user opened the page.
        message = _(
            "Rapporten har ändrats efter att du öppnade den: version %(number)s är nu "
            "utkastet. Dina ändringar sparades inte. Dina siffror visas nedan och "
            "utkastets värde står under varje ruta som skiljer sig. Spara igen om dina "
            "siffror ska gälla."
        ) % {"number": current.number}
    else:
        message = _(
            "%(who)s sparade utkastet %(at)s, efter att du öppnade det. Dina ändringar "
            "sparades inte. Dina siffror visas nedan och det sparade värdet står under "
            "varje ruta som skiljer sig. Spara igen om dina siffror ska gälla."
        ) % {
            "who": who.get_full_name() or who.username,
            "at": timezone.localtime(current.updated_at).strftime("%H:%M"),
        }
    messages.error(request, message)
    return _form_page(request, place, versions, form=fresh, stale=current, status=409)
