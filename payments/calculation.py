"""A run's inputs turned into engine calls (plain Python, no Django). Every payout
rule lives in payments/engine; this module only converts the stored snapshot.

`compute(inputs)` turns the JSON snapshot a run keeps in `PayoutRun.inputs` into
one `LineResult` per region, through the engine in payments/engine. The worker
calls it when it computes a run, and anyone can call it again later on the same
snapshot to check that the stored lines are reproduced to the öre.

The snapshot (JSON: quarters are string keys)::

    common:    model "A"/"B", kind, year, params, populations {region: inhabitants},
               population_reference_date, population_age_band,
               versions [{id, region, quarter, number}], counted_runs [run ids]
    QUARTER:   quarter, series {region: {"1": {treatment: n}}}, paid_ore {region: öre}
    YEAR_END:  series, paid_ore (quarterly payouts and earlier year-end settlements of
               the quarters), redistributed_ore {region: öre}
    YEAR (B):  contacts {region: n}, accepted_quarters {region: [1, 2, ...]} (quarterly
               reports) or accepted_year [region, ...] (one yearly report),
               base_paid_ore {region: öre}, bonus_paid_ore {region: öre}
    CONDITION: condition {id, code, title}, instalment "ADVANCE"/"REMAINDER",
               params {frame_ore, advance_share ("0.5000" or null)},
               fulfilments {region: {fulfilled, assessed_on, assessed_by, version_id,
               version_number}}, paid_ore {region: öre} (earlier approved rounds of the
               same condition and instalment); versions [] (no treatment reports)

`paid_ore`, `redistributed_ore`, `base_paid_ore` and `bonus_paid_ore` are what the
approved earlier runs of the agreement paid, so a run pays only the difference
between what the region is entitled to now and what it has had (negative =
claw-back).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from payments.engine.deliverable import DeliverableParams, instalment_run
from payments.engine.model_a import ModelAParams, quarter_run, year_end_settlement
from payments.engine.model_b import ModelBParams, whole_year_accepted, year_settlement

QUARTER = "QUARTER"
YEAR_END = "YEAR_END"
YEAR = "YEAR"
CONDITION = "CONDITION"


@dataclass(frozen=True)
class LineResult:
    """One region's result; `amount_ore` is what the run pays it (negative = claw-back)."""

    region: str
    amount_ore: int
    ceiling_ore: int | None = None
    earned_ore: int | None = None
    entitled_ore: int | None = None
    already_paid_ore: int = 0
    redistribution_ore: int | None = None
    base_ore: int | None = None
    bonus_ore: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """The line as stored (for comparing a recomputation with the stored lines)."""
        return {
            "amount_ore": self.amount_ore,
            "ceiling_ore": self.ceiling_ore,
            "earned_ore": self.earned_ore,
            "entitled_ore": self.entitled_ore,
            "already_paid_ore": self.already_paid_ore,
            "redistribution_ore": self.redistribution_ore,
            "base_ore": self.base_ore,
            "bonus_ore": self.bonus_ore,
            "detail": self.detail,
        }


def model_a_params(inputs: Mapping[str, Any]) -> ModelAParams:
    params = inputs["params"]
    return ModelAParams(
        frame_ore=int(params["frame_ore"]),
        addon_ore=int(params["addon_ore"]),
        rates_ore={code: int(rate) for code, rate in params["rates_ore"].items()},
    )


def model_b_params(inputs: Mapping[str, Any]) -> ModelBParams:
    params = inputs["params"]
    return ModelBParams(
        frame_ore=int(params["frame_ore"]),
        bonus_per_contact_ore=int(params["bonus_per_contact_ore"]),
        bonus_cap_ore=int(params["bonus_cap_ore"]),
    )


def _series(inputs: Mapping[str, Any]) -> dict[str, dict[int, dict[str, int]]]:
    return {
        region: {int(quarter): dict(counts) for quarter, counts in by_quarter.items()}
        for region, by_quarter in inputs.get("series", {}).items()
    }


def _per_region(inputs: Mapping[str, Any], key: str) -> dict[str, int]:
    return {region: int(value) for region, value in inputs.get(key, {}).items()}


def _cumulative_series(
    series: Mapping[str, Mapping[int, Mapping[str, int]]], region: str, up_to: int
) -> dict[str, int]:
    totals: dict[str, int] = {}
    for quarter, counts in series.get(region, {}).items():
        if quarter <= up_to:
            for code, count in counts.items():
                totals[code] = totals.get(code, 0) + count
    return dict(sorted(totals.items()))


def _quarter(inputs: Mapping[str, Any]) -> dict[str, LineResult]:
    params = model_a_params(inputs)
    populations = _per_region(inputs, "populations")
    series = _series(inputs)
    quarter = int(inputs["quarter"])
    paid = _per_region(inputs, "paid_ore")
    lines = quarter_run(params, populations, series, quarter, paid)
    population_total = sum(populations.values())
    return {
        region: LineResult(
            region=region,
            amount_ore=line.payout_ore,
            ceiling_ore=line.ceiling_ore,
            earned_ore=line.earned_cum_ore,
            entitled_ore=line.entitled_cum_ore,
            already_paid_ore=line.already_paid_ore,
            detail={
                "earned_quarter_ore": line.earned_quarter_ore,
                "ceiling_reached": line.ceiling_reached,
                "series": _cumulative_series(series, region, quarter),
                "population": populations[region],
                "population_total": population_total,
            },
        )
        for region, line in lines.items()
    }


def _year_end(inputs: Mapping[str, Any]) -> dict[str, LineResult]:
    """Model A's year-end settlement (rules in engine.model_a.year_end_settlement)."""
    params = model_a_params(inputs)
    populations = _per_region(inputs, "populations")
    series = _series(inputs)
    result, settled = year_end_settlement(
        params,
        populations,
        series,
        _per_region(inputs, "paid_ore"),
        _per_region(inputs, "redistributed_ore"),
    )
    excess_total = sum(line.excess_ore for line in result.lines.values())
    population_total = sum(populations.values())
    return {
        region: LineResult(
            region=region,
            amount_ore=s.amount_ore,
            ceiling_ore=s.line.ceiling_ore,
            earned_ore=s.line.earned_year_ore,
            entitled_ore=s.line.redistribution_ore,
            already_paid_ore=s.redistributed_before_ore,
            redistribution_ore=s.redistribution_now_ore,
            detail={
                "series": _cumulative_series(series, region, 4),
                "paid_quarters_ore": s.paid_quarters_ore,
                "entitled_quarters_ore": s.entitled_quarters_ore,
                "quarter_settlement_ore": s.quarter_settlement_ore,
                "excess_ore": s.line.excess_ore,
                "excess_total_ore": excess_total,
                "unspent_ore": result.unspent_ore,
                "pot_ore": result.pot_ore,
                "population": populations[region],
                "population_total": population_total,
            },
        )
        for region, s in settled.items()
    }


def _year(inputs: Mapping[str, Any]) -> dict[str, LineResult]:
    """Model B's year (rules in engine.model_b.year_settlement). `accepted_year` lists
    the regions whose one yearly report is accepted (yearly conditions);
    `accepted_quarters` the accepted quarters (agreements reported quarterly)."""
    params = model_b_params(inputs)
    populations = _per_region(inputs, "populations")
    contacts = _per_region(inputs, "contacts")
    accepted = {
        region: sorted(int(q) for q in quarters)
        for region, quarters in inputs.get("accepted_quarters", {}).items()
    }
    accepted_year = set(inputs.get("accepted_year", []))
    complete = {
        region: whole_year_accepted(
            accepted.get(region, []), yearly_accepted=region in accepted_year
        )
        for region in populations
    }
    result, settled = year_settlement(
        params,
        populations,
        contacts,
        complete,
        _per_region(inputs, "base_paid_ore"),
        _per_region(inputs, "bonus_paid_ore"),
    )
    population_total = sum(populations.values())
    contacts_total = sum(line.contacts for line in result.lines.values())
    out: dict[str, LineResult] = {}
    for region, s in settled.items():
        line = s.line
        out[region] = LineResult(
            region=region,
            amount_ore=s.amount_ore,
            entitled_ore=s.base_entitled_ore + line.bonus_ore,
            already_paid_ore=s.base_paid_before_ore + s.bonus_paid_before_ore,
            base_ore=s.base_now_ore,
            bonus_ore=s.bonus_now_ore,
            detail={
                "population": line.population,
                "population_total": population_total,
                "accepted_quarters": accepted.get(region, []),
                "accepted_year": region in accepted_year,
                "complete": s.complete,
                "base_share_ore": line.base_ore,
                "base_entitled_ore": s.base_entitled_ore,
                "base_paid_before_ore": s.base_paid_before_ore,
                "contacts": line.contacts,
                "contacts_total": contacts_total,
                "bonus_claim_ore": line.bonus_claim_ore,
                "bonus_claims_total_ore": result.bonus_claims_ore,
                "bonus_capped": result.bonus_capped,
                "bonus_entitled_ore": line.bonus_ore,
                "bonus_paid_before_ore": s.bonus_paid_before_ore,
            },
        )
    return out


def deliverable_params(inputs: Mapping[str, Any]) -> DeliverableParams:
    params = inputs["params"]
    share = params.get("advance_share")
    return DeliverableParams(
        frame_ore=int(params["frame_ore"]),
        advance_share=Decimal(share) if share is not None else None,
    )


def _condition(inputs: Mapping[str, Any]) -> dict[str, LineResult]:
    """A written-account condition's instalment: population share if fulfilled."""
    params = deliverable_params(inputs)
    populations = _per_region(inputs, "populations")
    fulfilments = inputs.get("fulfilments", {})
    fulfilled = {region for region, f in fulfilments.items() if f.get("fulfilled")}
    paid = _per_region(inputs, "paid_ore")
    result = instalment_run(
        params, populations, instalment=str(inputs["instalment"]), fulfilled=fulfilled
    )
    out: dict[str, LineResult] = {}
    for region, line in result.lines.items():
        paid_before = paid.get(region, 0)
        out[region] = LineResult(
            region=region,
            amount_ore=line.payout_ore - paid_before,
            entitled_ore=line.payout_ore,
            already_paid_ore=paid_before,
            base_ore=line.share_ore,
            detail={
                "population": line.population,
                "population_total": result.population_total,
                "share_ore": line.share_ore,
                "advance_ore": line.advance_ore,
                "remainder_ore": line.remainder_ore,
                "fulfilled": line.fulfilled,
                "not_paid_ore": line.not_paid_ore,
                "assessment": fulfilments.get(region),
            },
        )
    return out


def compute(inputs: Mapping[str, Any]) -> dict[str, LineResult]:
    """Every region's line from a run's input snapshot. Raises ``ValueError`` for a
    snapshot the engine rejects (e.g. a treatment without a rate)."""
    kind = inputs.get("kind")
    if kind == QUARTER:
        return _quarter(inputs)
    if kind == YEAR_END:
        return _year_end(inputs)
    if kind == YEAR:
        return _year(inputs)
    if kind == CONDITION:
        return _condition(inputs)
    raise ValueError(f"unknown run kind {kind!r}")
