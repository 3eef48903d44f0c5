"""Payout pages: runs per agreement, a run with its lines and explanations, approval,
exports and decisions (FK); a region's payouts; what a draft report would pay."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rehab.dataversion import render_cached
from rehab.enums import REGION_ROLES
from rehab.models import Region
from rehab.pagecache import cached_page
from rehab.permissions import Action, can, require, require_role, role_denied, role_of
from reporting.enums import VersionStatus
from reporting.models import ReportVersion

from . import selectors, services
from .enums import PENDING_STATUSES, ExportKind, RunStatus
from .explanations import explain_line
from .forms import StartRunForm
from .models import PayoutExport, PayoutRun


def _require_national(user: Any) -> None:
    """Pages about every region's money: FK and administrators (users who may view
    payouts and are tied to no region); region users get 403 with the reason."""
    if role_of(user) is not None and (
        not can(user, Action.VIEW_PAYOUTS) or getattr(user, "region_id", None) is not None
    ):
        raise role_denied(user, _("Försäkringskassan och administratörer"))
    require(user, Action.VIEW_PAYOUTS)


def _run(pk: int) -> PayoutRun:
    return get_object_or_404(
        PayoutRun.objects.select_related("agreement", "condition", "started_by", "approved_by"),
        pk=pk,
    )


def _run_url(run: PayoutRun) -> str:
    return reverse("payments:run", args=[run.pk])


@login_required
@require_GET
@cached_page
def runs(request: HttpRequest) -> HttpResponse:
    """FK's list of runs per agreement, with what each agreement has paid of its frame."""
    _require_national(request.user)
    year_param = request.GET.get("ar", "")
    year = int(year_param) if year_param.isascii() and year_param.isdigit() else None
    return _render_runs(request, None, year)


def _focus(year: int | None) -> Any:
    """The agreement the start form is about: the one shown, else the newest."""
    from rehab.models import Agreement

    agreements = Agreement.objects.order_by("-year")
    return (agreements.filter(year=year).first() if year else None) or agreements.first()


def _render_runs(
    request: HttpRequest, form: StartRunForm | None, year: int | None, status: int = 200
) -> HttpResponse:
    from rehab.models import Agreement

    can_start = can(request.user, Action.START_RUN)

    def body_context() -> dict[str, Any]:
        # Built here, so a cached page costs no query for it (the body is cached per
        # data version: the default period and the counts follow the data).
        shown = form
        if shown is None and can_start:
            shown = StartRunForm(focus=_focus(year))
        focus = shown.focus if shown is not None else None
        return {
            "overview": selectors.runs_overview(year=year),
            "form": shown,
            "accepted_regions": selectors.accepted_regions(focus) if focus is not None else [],
            "focus": focus,
            "year": year,
            "years": list(Agreement.objects.order_by("-year").values_list("year", flat=True)),
        }

    if form is not None and form.is_bound:  # a refused start, with its errors: not cached
        body = render_to_string("payments/_runs_body.html", body_context(), request)
        return render(request, "payments/runs.html", {"body": mark_safe(body)}, status=status)  # noqa: S308
    return render_cached(
        request,
        "payments/runs.html",
        name="payments-runs",
        vary=[request.user.pk, year],
        body_template="payments/_runs_body.html",
        body_context=body_context,
        status=status,
    )


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Action.START_RUN)
    require(request.user, Action.START_RUN)
    form = StartRunForm(request.POST)
    if not form.is_valid():
        form.focus = form.cleaned_data.get("agreement") or _focus(None)
        return _render_runs(request, form, None, status=400)
    try:
        started = services.run_start(
            agreement=form.cleaned_data["agreement"],
            quarter=form.cleaned_data["quarter"],
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except services.NotAllowed:
        raise Http404 from None
    except services.RunError as error:
        messages.error(request, error.message)
        return redirect("payments:runs")
    if started.created:
        messages.success(request, _("Körningen är startad och räknas i bakgrunden."))
    else:
        messages.warning(request, _("Det finns redan en körning för perioden; här är den."))
    return redirect(_run_url(started.run))


@login_required
@require_GET
@cached_page
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_national(request.user)
    user = request.user
    title_run = _run(pk)  # 404, and the page's title (a run's period never changes)

    def body_context() -> dict[str, Any]:
        run = _run(pk)  # read again: the body is cached under the data version read first
        return {
            "view": selectors.run_view(run),
            "run": run,
            "pending": run.status in PENDING_STATUSES,
            "can_start": can(user, Action.START_RUN),
            "can_approve": can(user, Action.APPROVE_RUN)
            and run.status == RunStatus.CALCULATED
            and run.started_by_id != user.pk,
            "is_starter": run.started_by_id == user.pk,
            "can_export": can(user, Action.EXPORT_RUN) and run.status == RunStatus.APPROVED,
            "export_kinds": ExportKind,
        }

    return render_cached(
        request,
        "payments/run_detail.html",
        name="payments-run",
        vary=[user.pk, pk],
        body_template="payments/_run_detail_body.html",
        body_context=body_context,
        context={"run": title_run},
    )


@login_required
@require_GET
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's progress (htmx polls it every 2 s while queued or running); once the
    run is done, the page reloads itself to show the result."""
    _require_national(request.user)
    run = _run(pk)
    response = render(
        request,
        "payments/_run_status.html",
        {"run": run, "pending": run.status in PENDING_STATUSES},
    )
    if run.status not in PENDING_STATUSES and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def _act(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    run = _run(pk)
    try:
        result = action(run=run, acting_user=request.user)
    except services.NotAllowed:
        raise Http404 from None
    except services.RunError as error:
        messages.error(request, error.message)
        return redirect(_run_url(run))
    messages.success(request, done)
    target = getattr(result, "run", result)
    return redirect(_run_url(target if isinstance(target, PayoutRun) else run))


@login_required
@require_POST
def run_approve(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Action.APPROVE_RUN)
    require(request.user, Action.APPROVE_RUN)
    return _act(request, pk, services.run_approve, _("Körningen är attesterad."))


@login_required
@require_POST
def run_retry(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Action.START_RUN)
    require(request.user, Action.START_RUN)
    return _act(request, pk, services.run_retry, _("Körningen räknas igen."))


@login_required
@require_POST
def run_recalculate(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Action.START_RUN)
    require(request.user, Action.START_RUN)
    return _act(
        request, pk, services.run_recalculate, _("En ny körning är startad med dagens underlag.")
    )


@login_required
@require_POST
def run_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the payment file (CSV or XLSX) or the decisions for every region."""
    require_role(request.user, Action.EXPORT_RUN)
    require(request.user, Action.EXPORT_RUN)
    _require_national(request.user)
    run = _run(pk)
    kind = request.POST.get("kind", "")
    try:
        if kind == ExportKind.DECISION:
            regions = Region.objects.filter(payout_lines__run=run).order_by("code")
            exports = [
                services.run_export(
                    run=run,
                    kind=kind,
                    region=region,
                    acting_user=request.user,  # type: ignore[arg-type]
                )
                for region in regions
            ]
            messages.success(
                request,
                _("Beslut för %(count)s regioner är utfärdade.") % {"count": len(exports)},
            )
        else:
            made_before = PayoutExport.objects.filter(run=run, kind=kind).exists()
            export = services.run_export(
                run=run,
                kind=kind,
                acting_user=request.user,  # type: ignore[arg-type]
            )
            if made_before:
                messages.warning(
                    request,
                    _(
                        "%(file)s är redan skapad (SHA-256 %(sum)s); en körning får bara en "
                        "betalfil av varje slag, så att ingenting betalas två gånger."
                    )
                    % {"file": export.filename, "sum": export.sha256},
                )
            else:
                messages.success(
                    request,
                    _("%(file)s är skapad, SHA-256 %(sum)s.")
                    % {"file": export.filename, "sum": export.sha256},
                )
    except services.NotAllowed:
        raise Http404 from None
    except services.RunError as error:
        messages.error(request, error.message)
    return redirect(_run_url(run))


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The exact bytes of a recorded export (their SHA-256 in a header too)."""
    export = get_object_or_404(PayoutExport.objects.select_related("run"), pk=pk)
    if export.kind == ExportKind.DECISION:
        require(request.user, Action.VIEW_PAYOUTS, export.region_id)
    else:
        require_role(request.user, Action.EXPORT_RUN)
        require(request.user, Action.EXPORT_RUN)
    response = HttpResponse(bytes(export.content), content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Checksum-SHA256"] = export.sha256
    return response


@login_required
@require_GET
def decision(request: HttpRequest, pk: int, region: str) -> HttpResponse:
    """A region's decision on an approved run, printable. Region users see their own
    region's issued decisions only."""
    require(request.user, Action.VIEW_PAYOUTS, region)
    run = _run(pk)
    the_region = get_object_or_404(Region, code=region)
    if run.status != RunStatus.APPROVED or not run.lines.filter(region=the_region).exists():
        raise Http404
    issued = selectors.latest_decision(run, region)
    national = getattr(request.user, "region_id", None) is None
    if issued is None and not national:
        raise Http404
    if issued is not None:
        body = bytes(issued.content).decode("utf-8")
    else:
        from .exports import decision_html

        body = decision_html(run, the_region)[2].decode("utf-8")
    return render(
        request,
        "payments/decision.html",
        {
            "run": run,
            "region": the_region,
            # The body is our own template's output, stored byte for byte.
            "body": mark_safe(body),  # noqa: S308
            "issued": issued,
            "can_export": can(request.user, Action.EXPORT_RUN),
        },
    )


@login_required
@require_GET
def region_payouts(request: HttpRequest) -> HttpResponse:
    """A region's payouts per period and, under model A, how much of its ceiling is
    used this year. Region users see their own region; FK chooses one (?region=01)."""
    require(request.user, Action.VIEW_PAYOUTS)
    own = getattr(request.user, "region_id", None)
    code = own or request.GET.get("region", "")
    regions = None
    payouts = None
    if code:
        require(request.user, Action.VIEW_PAYOUTS, code)
        region = get_object_or_404(Region, code=code)
        payouts = selectors.region_payouts(region)
    else:
        regions = list(Region.objects.order_by("code"))
    explained = (
        [(line, explain_line(line.run.inputs, line)) for line in payouts.lines] if payouts else []
    )
    return render(
        request,
        "payments/region_payouts.html",
        {"payouts": payouts, "explained": explained, "regions": regions, "own": own},
    )


@login_required
@require_GET
def preview(request: HttpRequest, version_id: int) -> HttpResponse:
    """What a report version (typically a draft) would pay under the current rules;
    an htmx request gets just the table."""
    version = get_object_or_404(
        ReportVersion.objects.select_related("report__period__agreement", "report__region"),
        pk=version_id,
    )
    region = version.report.region_id
    require(request.user, Action.VIEW_REPORTS, region)
    require(request.user, Action.VIEW_PAYOUTS, region)
    if version.status == VersionStatus.DRAFT and role_of(request.user) not in REGION_ROLES:
        # A region's draft is its own work in progress: FK sees submitted versions only.
        raise Http404
    result = selectors.payout_preview(version=version)
    template = (
        "payments/_preview.html" if request.headers.get("HX-Request") else ("payments/preview.html")
    )
    return render(request, template, {"result": result, "version": version})
