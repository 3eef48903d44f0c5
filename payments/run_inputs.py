"""Reads for a payout run: everything a run computes from, gathered from the database
(`run_inputs_gather`), and the problems that stop it (`InputsMissing`). Services
(start, compute) and selectors (the draft preview) both read through here, so neither
imports the other."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from rehab.enums import PayoutModel
from rehab.models import Agreement, AgreementTreatment, Condition, Region
from rehab.selectors import agreement_populations, populations_for
from reporting.accounts.selectors import condition_fulfilments
from reporting.enums import CONTACT_KINDS
from reporting.models import ExtraCount, SeriesCount
from reporting.selectors import accepted_versions

from .enums import RunKind, RunStatus
from .models import PayoutLine, PayoutRun


class InputsMissing(Exception):
    """A run cannot be computed: figures or rates are missing. `problems` in Swedish."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def _region_names(codes: Iterable[str]) -> str:
    names = dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))
    return ", ".join(f"{code} {names.get(code, '')}".strip() for code in sorted(codes))


def agreement_params_snapshot(agreement: Agreement, problems: list[str]) -> dict[str, Any]:
    if agreement.payout_model == PayoutModel.B:
        return {
            "frame_ore": agreement.frame_ore,
            "bonus_per_contact_ore": agreement.contact_bonus_per_contact_ore,
            "bonus_cap_ore": agreement.contact_bonus_cap_ore,
        }
    rates = dict(
        AgreementTreatment.objects.filter(agreement=agreement).values_list(
            "treatment_id", "rate_ore"
        )
    )
    missing = sorted(code for code, rate in rates.items() if rate is None)
    if not rates:
        problems.append(
            _("Överenskommelsen %(year)s har inga behandlingar med ersättning inlagda.")
            % {"year": agreement.year}
        )
    elif missing:
        problems.append(
            _("Ersättning per behandling saknas i överenskommelsen %(year)s för: %(codes)s.")
            % {"year": agreement.year, "codes": ", ".join(missing)}
        )
    return {
        "frame_ore": agreement.frame_ore,
        "addon_ore": agreement.addon_per_series_ore,
        "rates_ore": {code: rate for code, rate in sorted(rates.items()) if rate is not None},
    }


def _populations(agreement: Agreement, problems: list[str]) -> dict[str, int]:
    populations = agreement_populations(agreement)
    active = set(Region.objects.filter(active=True).values_list("code", flat=True))
    lacking = sorted(active - set(populations))
    date = agreement.population_reference_date.isoformat()
    band = agreement.get_population_age_band_display()
    if not populations:
        problems.append(
            _("Befolkningsuppgifter per %(date)s (%(band)s) saknas för alla regioner.")
            % {"date": date, "band": band}
        )
    elif lacking:
        problems.append(
            _("Befolkningsuppgift per %(date)s (%(band)s) saknas för: %(regions)s.")
            % {"date": date, "band": band, "regions": _region_names(lacking)}
        )
    return dict(sorted(populations.items()))


def _approved_amounts(agreement: Agreement) -> tuple[list[int], dict[str, dict[str, int]]]:
    """The approved runs of the agreement and what they paid, per kind of sum and region,
    read in one statement (so the run ids and the sums are of the same moment)."""
    rows = (
        PayoutLine.objects.filter(run__agreement=agreement, run__status=RunStatus.APPROVED)
        .exclude(run__kind=RunKind.CONDITION)  # a condition's runs pay their own money
        .values_list(
            "run_id",
            "run__kind",
            "region_id",
            "amount_ore",
            "redistribution_ore",
            "base_ore",
            "bonus_ore",
        )
    )
    run_ids: set[int] = set()
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for run_id, kind, region, amount, redistribution, base, bonus in rows:
        run_ids.add(run_id)
        if kind == RunKind.QUARTER:
            sums["paid_ore"][region] += amount
        elif kind == RunKind.YEAR_END:
            # A year-end line pays the redistribution (difference) plus any settlement
            # of the quarters; the settlement counts as paid for the quarters.
            sums["redistributed_ore"][region] += redistribution or 0
            sums["paid_ore"][region] += amount - (redistribution or 0)
        else:
            sums["base_paid_ore"][region] += base or 0
            sums["bonus_paid_ore"][region] += bonus or 0
    return sorted(run_ids), {key: dict(sorted(value.items())) for key, value in sums.items()}


def run_inputs_gather(run: PayoutRun) -> dict[str, Any]:
    """Everything `run` computes from, read from the database now (see
    payments/calculation.py for the shape). Raises `InputsMissing` listing every
    missing population figure or rate, and report figures the agreement cannot pay."""
    if run.kind == RunKind.CONDITION:
        return condition_inputs_gather(run)
    agreement = run.agreement
    problems: list[str] = []
    params = agreement_params_snapshot(agreement, problems)
    populations = _populations(agreement, problems)
    # A quarter's run reads the quarters up to it; a year's run every period of the
    # year (its four quarters, or the one yearly period).
    quarters = None if run.quarter is None else list(range(1, run.quarter + 1))
    versions = accepted_versions(agreement, quarters=quarters)
    version_ids = [ref.version_id for ref in versions]
    inputs: dict[str, Any] = {
        "model": agreement.payout_model,
        "kind": run.kind,
        "year": agreement.year,
        "params": params,
        "populations": populations,
        "population_reference_date": agreement.population_reference_date.isoformat(),
        "population_age_band": agreement.population_age_band,
        "versions": [
            {
                "id": ref.version_id,
                "region": ref.region,
                "quarter": ref.quarter,
                "number": ref.number,
            }
            for ref in versions
        ],
    }
    if run.quarter is not None:
        inputs["quarter"] = run.quarter
    counted_runs, paid = _approved_amounts(agreement)
    inputs["counted_runs"] = counted_runs

    without_population = sorted({ref.region for ref in versions} - set(populations))
    if populations and without_population:
        problems.append(
            _("Regioner med godkända rapporter saknar befolkningsuppgift: %(regions)s.")
            % {"regions": _region_names(without_population)}
        )

    if agreement.payout_model == PayoutModel.A:
        series: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for region, quarter, code, total in (
            SeriesCount.objects.filter(version_id__in=version_ids)
            .values_list("version__report__region", "version__report__period__quarter", "treatment")
            .annotate(total=Sum("value"))
            .order_by("version__report__region", "version__report__period__quarter", "treatment")
        ):
            if total:
                series[region][str(quarter)][code] = total
        unpaid = sorted(
            {
                code
                for by_quarter in series.values()
                for counts in by_quarter.values()
                for code in counts
            }
            - set(
                AgreementTreatment.objects.filter(agreement=agreement).values_list(
                    "treatment_id", flat=True
                )
            )
        )
        if unpaid:
            problems.append(
                _(
                    "Godkända rapporter innehåller behandlingar som överenskommelsen "
                    "inte ersätter: %(codes)s."
                )
                % {"codes": ", ".join(unpaid)}
            )
        inputs["series"] = {region: dict(by_q) for region, by_q in sorted(series.items())}
        inputs["paid_ore"] = paid.get("paid_ore", {})
        if run.kind == RunKind.YEAR_END:
            inputs["redistributed_ore"] = paid.get("redistributed_ore", {})
    else:
        contacts: dict[str, int] = defaultdict(int)
        for region, total in (
            ExtraCount.objects.filter(version_id__in=version_ids, kind__in=CONTACT_KINDS)
            .values_list("version__report__region")
            .annotate(total=Sum("value"))
            .order_by("version__report__region")
        ):
            contacts[region] += total
        accepted_quarters: dict[str, list[int]] = defaultdict(list)
        accepted_year: set[str] = set()
        for ref in versions:
            if ref.quarter is None:
                accepted_year.add(ref.region)
            else:
                accepted_quarters[ref.region].append(ref.quarter)
        inputs["contacts"] = dict(sorted(contacts.items()))
        inputs["accepted_quarters"] = {
            region: sorted(quarters) for region, quarters in sorted(accepted_quarters.items())
        }
        if accepted_year:
            inputs["accepted_year"] = sorted(accepted_year)
        inputs["base_paid_ore"] = paid.get("base_paid_ore", {})
        inputs["bonus_paid_ore"] = paid.get("bonus_paid_ore", {})
    if problems:
        raise InputsMissing(problems)
    return inputs


# --------------------------------------------------------------------------- conditions


def condition_approved_runs(condition: Condition) -> list[PayoutRun]:
    return list(
        PayoutRun.objects.filter(
            kind=RunKind.CONDITION, condition=condition, status=RunStatus.APPROVED
        ).only("pk", "instalment", "round")
    )


def condition_inputs_gather(run: PayoutRun) -> dict[str, Any]:
    """Everything a CONDITION run computes from (shape in payments/calculation.py).
    Raises `InputsMissing` when population figures are missing for active regions."""
    condition = run.condition
    assert condition is not None
    problems: list[str] = []
    date = condition.effective_population_date
    populations = dict(
        sorted(populations_for(reference_date=date, age_band=condition.population_age_band).items())
    )
    active = set(Region.objects.filter(active=True).values_list("code", flat=True))
    lacking = sorted(active - set(populations))
    band = condition.get_population_age_band_display()
    if not populations or lacking:
        names = dict(Region.objects.filter(code__in=lacking).values_list("code", "name"))
        problems.append(
            _("Befolkningsuppgift per %(date)s (%(band)s) saknas för: %(regions)s.")
            % {
                "date": date.isoformat(),
                "band": band,
                "regions": ", ".join(f"{code} {names.get(code, '')}".strip() for code in lacking)
                or _("alla regioner"),
            }
        )
    fulfilments = {
        region: {
            "fulfilled": f.fulfilled,
            "assessed_on": f.assessed_on.isoformat(),
            "assessed_by": f.assessed_by,
            "version_id": f.version_id,
            "version_number": f.version_number,
        }
        for region, f in condition_fulfilments(condition).items()
    }
    approved = condition_approved_runs(condition)
    paid: dict[str, int] = defaultdict(int)
    for region, total in (
        PayoutLine.objects.filter(
            run__in=[r.pk for r in approved if r.instalment == run.instalment]
        )
        .values_list("region_id")
        .annotate(total=Sum("amount_ore"))
        .order_by("region_id")
    ):
        paid[region] += total
    if problems:
        raise InputsMissing(problems)
    return {
        "model": "CONDITION",
        "kind": RunKind.CONDITION,
        "year": condition.agreement.year,
        "condition": {"id": condition.pk, "code": condition.code, "title": condition.title},
        "instalment": run.instalment,
        "params": {
            "frame_ore": condition.amount_ore,
            "advance_share": str(condition.advance_share)
            if condition.advance_share is not None
            else None,
        },
        "populations": populations,
        "population_reference_date": date.isoformat(),
        "population_age_band": condition.population_age_band,
        "fulfilments": fulfilments,
        "paid_ore": dict(sorted(paid.items())),
        "versions": [],
        "counted_runs": sorted(r.pk for r in approved),
    }
