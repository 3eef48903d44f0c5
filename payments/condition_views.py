"""The conditions of an agreement year: FK's overview (conditions × regions, runs,
warnings) with the start of a written-account condition's payout run, and a
region's list of the year's conditions with what is due next."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rehab.enums import ConditionKind
from rehab.models import Agreement, Condition, Region
from rehab.permissions import Action, can, require

from . import services
from .condition_overview import region_conditions, year_conditions
from .condition_runs import condition_run_start
from .enums import Instalment
from .views import _require_national


@login_required
@require_GET
def conditions_home(request: HttpRequest) -> HttpResponse:
    """The latest agreement year that has written-account conditions: FK's overview,
    or the region's own list for a region user."""
    year = (
        Condition.objects.filter(kind=ConditionKind.DELIVERABLE)
        .order_by("-agreement__year")
        .values_list("agreement__year", flat=True)
        .first()
    )
    if year is None:
        raise Http404
    region = getattr(request.user, "region_id", None)
    if region is not None:
        return redirect("payments:conditions_region", region=region, year=year)
    _require_national(request.user)
    return redirect("payments:conditions_year", year=year)


@login_required
@require_GET
def conditions_year(request: HttpRequest, year: int) -> HttpResponse:
    """FK's overview of an agreement year: every condition × region."""
    _require_national(request.user)
    agreement = get_object_or_404(Agreement, year=year)
    regions = list(Region.objects.filter(active=True).order_by("code"))
    rows = year_conditions(agreement, regions=regions, today=timezone.localdate())
    return render(
        request,
        "payments/conditions_year.html",
        {
            "agreement": agreement,
            "regions": regions,
            "rows": rows,
            "can_start": can(request.user, Action.START_RUN),
            "instalments": Instalment,
            "years": list(Agreement.objects.order_by("-year").values_list("year", flat=True)),
        },
    )


@login_required
@require_GET
def conditions_region(request: HttpRequest, region: str, year: int) -> HttpResponse:
    """A region's conditions of the year with what is due next (own region only)."""
    require(request.user, Action.VIEW_REPORTS, region)
    region_obj = get_object_or_404(Region, code=region)
    agreement = get_object_or_404(Agreement, year=year)
    return render(
        request,
        "payments/conditions_region.html",
        {
            "agreement": agreement,
            "region": region_obj,
            "rows": region_conditions(agreement, region=region_obj, today=timezone.localdate()),
            "can_edit": can(request.user, Action.EDIT_REPORTS, region_obj),
        },
    )


@login_required
@require_POST
def condition_run(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Start the payout run of a written-account condition's instalment."""
    require(request.user, Action.START_RUN)
    condition = get_object_or_404(
        Condition, agreement__year=year, code=code, kind=ConditionKind.DELIVERABLE
    )
    instalment = request.POST.get("instalment", "")
    try:
        started = condition_run_start(
            condition=condition,
            instalment=instalment,
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except services.NotAllowed:
        raise Http404 from None
    except services.RunError as error:
        messages.error(request, error.message)
        return redirect("payments:conditions_year", year=year)
    if started.created:
        messages.success(request, _("Körningen är startad och räknas i bakgrunden."))
    else:
        messages.warning(request, _("Det finns redan en körning för villkoret; här är den."))
    return redirect(reverse("payments:run", args=[started.run.pk]))
