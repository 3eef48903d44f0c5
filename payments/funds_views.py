"""The region's use of the money (*medelsanvändning*): the coordinator's account per
agreement year (rows to care units or purposes, a proposal split by production),
and each unit's page of what it was allotted."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rehab.forms import KronorField
from rehab.models import Agreement, CareUnit, Region
from rehab.permissions import Action, can, require, require_unit

from .funds import (
    FundsError,
    FundsRow,
    distributed,
    funds_current,
    funds_received,
    funds_split_proposal,
    funds_use_save,
    unit_allotments,
    unit_series,
)

BLANK_PURPOSE_ROWS = 4


def _kronor(text: str) -> int | None:
    """Öre from what was typed in kronor (None for blank); ValidationError otherwise."""
    return KronorField(required=False).clean(text)


def _rows_from_post(
    data: Any, units: list[CareUnit]
) -> tuple[list[FundsRow], dict[str, str], list[str]]:
    """(rows, what was typed by input name, problems) from the posted form. A unit
    row with a blank amount and a purpose row with a blank purpose are left out."""
    rows: list[FundsRow] = []
    typed: dict[str, str] = {}
    problems: list[str] = []
    for unit in units:
        name = f"unit-{unit.pk}"
        typed[name] = data.get(name, "").strip()
        try:
            amount = _kronor(typed[name])
        except ValidationError as error:
            problems.append(f"{unit.name}: {error.messages[0]}")
            continue
        if amount is not None:
            rows.append(FundsRow(amount_ore=amount, unit_id=unit.pk))
    index = 0
    while f"purpose-{index}" in data:
        purpose = data.get(f"purpose-{index}", "").strip()
        amount_text = data.get(f"purpose-amount-{index}", "").strip()
        typed[f"purpose-{index}"], typed[f"purpose-amount-{index}"] = purpose, amount_text
        index += 1
        if not purpose and not amount_text:
            continue
        try:
            amount = _kronor(amount_text)
        except ValidationError as error:
            problems.append(f"{purpose or _('Rad utan ändamål')}: {error.messages[0]}")
            continue
        if not purpose:
            problems.append(_("Ett belopp saknar ändamål."))
            continue
        rows.append(FundsRow(amount_ore=amount or 0, purpose=purpose))
    return rows, typed, problems


def _typed_from_account(funds_use: Any) -> dict[str, str]:
    typed: dict[str, str] = {}
    if funds_use is None:
        return typed
    field = KronorField()
    index = 0
    for row in funds_use.rows.all():
        if row.unit_id is not None:
            typed[f"unit-{row.unit_id}"] = str(field.prepare_value(row.amount_ore))
        else:
            typed[f"purpose-{index}"] = row.purpose
            typed[f"purpose-amount-{index}"] = str(field.prepare_value(row.amount_ore))
            index += 1
    return typed


@login_required
@require_http_methods(["GET", "POST"])
def funds(request: HttpRequest, region: str, year: int) -> HttpResponse:
    """Received, distributed and left over, the account in force, and (for the
    coordinator) the form to record a new version, with a proposal by production."""
    require(request.user, Action.VIEW_PAYOUTS, region)
    region_obj = get_object_or_404(Region, code=region)
    agreement = get_object_or_404(Agreement, year=year)
    can_record = can(request.user, Action.RECORD_FUNDS_USE, region_obj)
    units = list(CareUnit.objects.filter(region=region_obj).order_by("name"))
    current = funds_current(region_obj, agreement)
    received = funds_received(region_obj, agreement)
    typed = _typed_from_account(current)
    problems: list[str] = []
    status = 200
    propose_text = ""
    if request.method == "POST":
        if not can_record:
            require(request.user, Action.RECORD_FUNDS_USE, region_obj)
        rows, typed, problems = _rows_from_post(request.POST, units)
        action = request.POST.get("action")
        status = 422
        if action == "propose":
            propose_text = request.POST.get("propose_amount", "").strip()
            try:
                amount = _kronor(propose_text)
                if amount is None:
                    raise ValidationError(_("Ange beloppet som ska fördelas."))
                proposal = funds_split_proposal(
                    region=region_obj, agreement=agreement, amount_ore=amount
                )
            except ValidationError as error:
                problems = [error.messages[0]]
            except FundsError as error:
                problems = [error.message]
            else:
                field = KronorField()
                for unit in units:
                    typed[f"unit-{unit.pk}"] = str(field.prepare_value(proposal.get(unit.pk, 0)))
                problems = []
                status = 200
                messages.info(
                    request,
                    _(
                        "Förslaget är ifyllt nedan: beloppet fördelat efter varje enhets andel "
                        "av de genomförda behandlingarna. Granska och spara."
                    ),
                )
        elif not problems:
            try:
                funds_use_save(
                    region=region_obj,
                    agreement=agreement,
                    rows=rows,
                    based_on=int(request.POST.get("based_on") or 0),
                    note=request.POST.get("note", ""),
                    acting_user=request.user,  # type: ignore[arg-type]
                )
            except FundsError as error:
                problems = error.problems or [error.message]
                if error.code == "stale":
                    status = 409
            else:
                messages.success(request, _("Medelsanvändningen är sparad."))
                return redirect("payments:funds", region=region_obj.code, year=agreement.year)
        if problems:
            messages.error(request, _("Medelsanvändningen sparades inte."))
    to_units, to_purposes = distributed(current)
    series = unit_series(region_obj, agreement)
    purpose_count = sum(1 for key in typed if key.startswith("purpose-amount-"))
    purpose_rows = [
        {
            "index": i,
            "purpose": typed.get(f"purpose-{i}", ""),
            "amount": typed.get(f"purpose-amount-{i}", ""),
        }
        for i in range(purpose_count + BLANK_PURPOSE_ROWS)
    ]
    return render(
        request,
        "payments/funds.html",
        {
            "region": region_obj,
            "agreement": agreement,
            "current": current,
            "received": received,
            "to_units": to_units,
            "to_purposes": to_purposes,
            "left_over": received - to_units - to_purposes if current else received,
            "unit_rows": [
                {
                    "unit": unit,
                    "series": series.get(unit.pk, 0),
                    "amount": typed.get(f"unit-{unit.pk}", ""),
                }
                for unit in units
            ],
            "purpose_rows": purpose_rows,
            "can_record": can_record and received > 0,
            "problems": problems,
            "propose_text": propose_text,
            "based_on": int(request.POST.get("based_on") or 0)
            if request.method == "POST"
            else (current.number if current else 0),
        },
        status=status,
    )


@login_required
def unit_funds(request: HttpRequest, unit: int) -> HttpResponse:
    """What the unit was allotted by its region, per year."""
    unit_obj = get_object_or_404(CareUnit.objects.select_related("region"), pk=unit)
    require_unit(request.user, Action.VIEW_UNIT, unit_obj)
    return render(
        request,
        "payments/unit_funds.html",
        {"unit": unit_obj, "allotments": unit_allotments(unit_obj)},
    )
