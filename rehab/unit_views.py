"""The coordinator's pages to keep the region's care units: the list, a form per
unit, a CSV import (all or nothing) and the choice, per agreement year, to
collect the figures per unit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import CareUnitForm, CareUnitImportForm
from .models import Agreement, CareUnit, Region, UnitCollection
from .permissions import Action, can, require
from .services import CareUnitError, care_unit_save, care_units_import, unit_collection_set


def _region(user: Any, code: str, action: Action) -> Region:
    require(user, action, code)
    return get_object_or_404(Region, code=code)


@login_required
def care_units(request: HttpRequest, region: str) -> HttpResponse:
    """The region's care units and its per-unit collection per agreement year."""
    region_obj = _region(request.user, region, Action.VIEW_UNIT)
    units = list(CareUnit.objects.filter(region=region_obj).order_by("name"))
    chosen = dict(
        UnitCollection.objects.filter(region=region_obj).values_list("agreement_id", "per_unit")
    )
    agreements = [
        {"agreement": a, "per_unit": chosen.get(a.pk, False)}
        for a in Agreement.objects.order_by("-year")[:6]
    ]
    return render(
        request,
        "rehab/care_units.html",
        {
            "region": region_obj,
            "units": units,
            "agreements": agreements,
            "can_manage": can(request.user, Action.MANAGE_UNITS, region_obj),
            "import_form": CareUnitImportForm(),
            "problems": request.session.pop("care_units:problems", []),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def care_unit_edit(request: HttpRequest, region: str, pk: int | None = None) -> HttpResponse:
    """Add a care unit (no pk) or change one."""
    region_obj = _region(request.user, region, Action.MANAGE_UNITS)
    unit = get_object_or_404(CareUnit, pk=pk, region=region_obj) if pk is not None else None
    initial = {}
    if unit is not None:
        initial = {
            "name": unit.name,
            "hsa_id": unit.hsa_id or "",
            "provider": unit.provider,
            "active_from": unit.active_from,
            "active_to": unit.active_to,
        }
    form = CareUnitForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                care_unit_save(
                    region=region_obj,
                    unit=unit,
                    acting_user=request.user,  # type: ignore[arg-type]
                    **form.cleaned_data,
                )
            except CareUnitError as error:
                for problem in error.problems or [error.message]:
                    form.add_error(None, problem)
            else:
                messages.success(request, _("Enheten är sparad."))
                return redirect("care_units", region=region_obj.code)
    return render(
        request,
        "rehab/care_unit_form.html",
        {"region": region_obj, "unit": unit, "form": form},
        status=status,
    )


@login_required
@require_POST
def care_units_upload(request: HttpRequest, region: str) -> HttpResponse:
    """Read care units from a CSV file: all rows or none."""
    region_obj = _region(request.user, region, Action.MANAGE_UNITS)
    form = CareUnitImportForm(request.POST, request.FILES)
    target = reverse("care_units", args=[region_obj.code])
    if not form.is_valid():
        messages.error(request, _("Välj en CSV-fil att läsa in."))
        return redirect(target)
    try:
        units = care_units_import(
            region=region_obj,
            content=form.cleaned_data["file"].read(),
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except CareUnitError as error:
        messages.error(request, error.message)
        request.session["care_units:problems"] = error.problems
        return redirect(target)
    messages.success(request, _("%(n)s enheter lästes in.") % {"n": len(units)})
    return redirect(target)


@login_required
@require_POST
def unit_collection(request: HttpRequest, region: str) -> HttpResponse:
    """Turn per-unit collection on or off for an agreement year."""
    region_obj = _region(request.user, region, Action.MANAGE_UNITS)
    agreement = get_object_or_404(Agreement, pk=request.POST.get("agreement") or 0)
    per_unit = request.POST.get("per_unit") == "1"
    try:
        unit_collection_set(
            region=region_obj,
            agreement=agreement,
            per_unit=per_unit,
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except CareUnitError as error:
        raise Http404 from error
    if per_unit:
        messages.success(
            request,
            _("Regionen samlar in siffror per enhet för %(year)s.") % {"year": agreement.year},
        )
    else:
        messages.success(
            request,
            _("Regionen samlar inte längre in siffror per enhet för %(year)s.")
            % {"year": agreement.year},
        )
    return redirect("care_units", region=region_obj.code)
