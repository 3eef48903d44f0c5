"""Model A (agreements 2009–2015): paid per completed treatment series, capped per region.

Spec (domain.md §6, model A), computed cumulatively so that corrections of earlier
quarters flow into the next payout by themselves::

    ceiling(r)      = frame split by population share (largest remainder)
    earned(r, ≤q)   = Σ over quarters ≤ q, treatments t of series(r, t) × (rate(t) + add-on)
    entitled(r, ≤q) = min(earned(r, ≤q), ceiling(r))
    payout(r, q)    = entitled(r, ≤q) − already paid to r   (negative = claw-back)

    year end: unspent = frame − Σ paid;  excess(r) = max(0, earned(r, year) − ceiling(r))
              pot = min(unspent, Σ excess);  redistribution = pot split by excess

All amounts are integer öre.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from payments.engine.money import split_largest_remainder

QUARTERS = (1, 2, 3, 4)

# counts_by_quarter[region][quarter][treatment code] = completed series
CountsByQuarter = Mapping[str, Mapping[int, Mapping[str, int]]]


@dataclass(frozen=True)
class ModelAParams:
    """One agreement year's money: the regions' frame, the add-on and the rate per treatment."""

    frame_ore: int
    addon_ore: int
    rates_ore: Mapping[str, int]

    def __post_init__(self) -> None:
        if self.frame_ore < 0:
            raise ValueError(f"frame_ore is negative: {self.frame_ore}")
        if self.addon_ore < 0:
            raise ValueError(f"addon_ore is negative: {self.addon_ore}")
        for code, rate in self.rates_ore.items():
            if rate < 0:
                raise ValueError(f"rate for {code} is negative: {rate}")
        # Freeze the rates too, so that a params object can be stored with a run.
        object.__setattr__(self, "rates_ore", MappingProxyType(dict(self.rates_ore)))


@dataclass(frozen=True)
class QuarterLine:
    """One region's figures in a quarterly run (cumulative from Q1 up to ``quarter``).

    ``earned_quarter_ore`` is the quarter's own production; ``ceiling_reached`` is
    true once the cumulative production is at or above the ceiling (so also for a
    region whose ceiling is 0).
    """

    region: str
    quarter: int
    ceiling_ore: int
    earned_quarter_ore: int
    earned_cum_ore: int
    entitled_cum_ore: int
    already_paid_ore: int
    payout_ore: int
    ceiling_reached: bool


@dataclass(frozen=True)
class YearEndLine:
    """One region's figures in the year-end redistribution."""

    region: str
    ceiling_ore: int
    earned_year_ore: int
    paid_ore: int
    excess_ore: int
    redistribution_ore: int


@dataclass(frozen=True)
class YearEndResult:
    """The year-end redistribution: per-region lines plus the national unspent money and pot."""

    lines: Mapping[str, YearEndLine]
    unspent_ore: int
    pot_ore: int


def ceilings(frame_ore: int, populations: Mapping[str, int]) -> dict[str, int]:
    """Each region's ceiling: the frame shared by population (largest remainder)."""
    return split_largest_remainder(frame_ore, populations)


def earned_ore(params: ModelAParams, counts: Mapping[str, int]) -> int:
    """What one region earned for the given series per treatment: Σ series × (rate + add-on).

    Raises ``ValueError`` for a treatment the agreement has no rate for, or a
    negative count.
    """
    total = 0
    for code, series in counts.items():
        if code not in params.rates_ore:
            raise ValueError(f"the agreement has no rate for treatment {code!r}")
        if series < 0:
            raise ValueError(f"negative number of series for {code}: {series}")
        total += series * (params.rates_ore[code] + params.addon_ore)
    return total


def _check_quarter(quarter: int) -> None:
    if quarter not in QUARTERS:
        raise ValueError(f"quarter must be 1–4, not {quarter}")


def _check_regions(
    what: str, regions: Mapping[str, object], populations: Mapping[str, int]
) -> None:
    unknown = sorted(set(regions) - set(populations))
    if unknown:
        raise ValueError(f"{what} has regions without a population figure: {', '.join(unknown)}")


def _earned_by_quarter(
    params: ModelAParams, counts_by_quarter: CountsByQuarter, region: str
) -> dict[int, int]:
    by_quarter = counts_by_quarter.get(region, {})
    for quarter in by_quarter:
        _check_quarter(quarter)
    return {quarter: earned_ore(params, by_quarter.get(quarter, {})) for quarter in QUARTERS}


def quarter_run(
    params: ModelAParams,
    populations: Mapping[str, int],
    counts_by_quarter: CountsByQuarter,
    quarter: int,
    already_paid_ore: Mapping[str, int],
) -> dict[str, QuarterLine]:
    """The quarterly payout for ``quarter``, one line per region in ``populations``.

    ``counts_by_quarter`` holds the current (possibly corrected) figures of every
    quarter; quarters after ``quarter`` are ignored. ``already_paid_ore`` is what each
    region has been paid so far this year (missing = 0). A negative payout is a
    claw-back.
    """
    _check_quarter(quarter)
    _check_regions("counts_by_quarter", counts_by_quarter, populations)
    _check_regions("already_paid_ore", already_paid_ore, populations)
    region_ceilings = ceilings(params.frame_ore, populations)
    lines: dict[str, QuarterLine] = {}
    for region in sorted(populations):
        earned = _earned_by_quarter(params, counts_by_quarter, region)
        earned_cum = sum(earned[q] for q in QUARTERS if q <= quarter)
        ceiling = region_ceilings[region]
        entitled_cum = min(earned_cum, ceiling)
        paid = already_paid_ore.get(region, 0)
        lines[region] = QuarterLine(
            region=region,
            quarter=quarter,
            ceiling_ore=ceiling,
            earned_quarter_ore=earned[quarter],
            earned_cum_ore=earned_cum,
            entitled_cum_ore=entitled_cum,
            already_paid_ore=paid,
            payout_ore=entitled_cum - paid,
            ceiling_reached=earned_cum >= ceiling,
        )
    return lines


def year_end_run(
    params: ModelAParams,
    populations: Mapping[str, int],
    counts_by_quarter: CountsByQuarter,
    paid_ore: Mapping[str, int],
) -> YearEndResult:
    """The year-end redistribution of unspent money to the regions above their ceiling.

    ``paid_ore`` is what each region was paid in the year's quarterly runs (missing
    = 0). The pot is the smaller of the unspent money and the total production
    above the ceilings (never negative); it is shared in proportion to each
    region's excess, so no region gets more than its excess.
    """
    _check_regions("counts_by_quarter", counts_by_quarter, populations)
    _check_regions("paid_ore", paid_ore, populations)
    region_ceilings = ceilings(params.frame_ore, populations)
    earned_year: dict[str, int] = {}
    excess: dict[str, int] = {}
    for region in sorted(populations):
        earned_year[region] = sum(_earned_by_quarter(params, counts_by_quarter, region).values())
        excess[region] = max(0, earned_year[region] - region_ceilings[region])

    unspent = params.frame_ore - sum(paid_ore.get(region, 0) for region in populations)
    pot = max(0, min(unspent, sum(excess.values())))
    redistribution = split_largest_remainder(pot, excess)
    lines = {
        region: YearEndLine(
            region=region,
            ceiling_ore=region_ceilings[region],
            earned_year_ore=earned_year[region],
            paid_ore=paid_ore.get(region, 0),
            excess_ore=excess[region],
            redistribution_ore=redistribution[region],
        )
        for region in sorted(populations)
    }
    return YearEndResult(lines=MappingProxyType(lines), unspent_ore=unspent, pot_ore=pot)


@dataclass(frozen=True)
class YearEndSettledLine:
    """A region's year-end settlement: its quarters settled against the year's final
    figures, plus the redistribution, each minus what earlier rounds paid."""

    line: YearEndLine
    paid_quarters_ore: int
    entitled_quarters_ore: int
    quarter_settlement_ore: int
    redistributed_before_ore: int
    redistribution_now_ore: int

    @property
    def amount_ore(self) -> int:
        return self.quarter_settlement_ore + self.redistribution_now_ore


def year_end_settlement(
    params: ModelAParams,
    populations: Mapping[str, int],
    counts_by_quarter: CountsByQuarter,
    paid_ore: Mapping[str, int],
    redistributed_ore: Mapping[str, int],
) -> tuple[YearEndResult, dict[str, YearEndSettledLine]]:
    """The year-end run. First every region's quarterly money is settled against the
    year's final figures (entitled = min(earned for the year, ceiling), minus what the
    quarterly runs and earlier year-end rounds paid for the quarters: a correction
    accepted after the fourth quarter's run is paid or clawed back here); then the
    unspent money is redistributed, counted after that settlement so it never hands out
    money a region is still owed for its own production; a later round pays the
    difference from what earlier rounds redistributed."""
    figures = year_end_run(params, populations, counts_by_quarter, paid_ore)
    entitled_quarters = {
        region: min(line.earned_year_ore, line.ceiling_ore)
        for region, line in figures.lines.items()
    }
    result = year_end_run(params, populations, counts_by_quarter, entitled_quarters)
    settled: dict[str, YearEndSettledLine] = {}
    for region, line in result.lines.items():
        before = redistributed_ore.get(region, 0)
        paid_before = paid_ore.get(region, 0)
        settled[region] = YearEndSettledLine(
            line=line,
            paid_quarters_ore=paid_before,
            entitled_quarters_ore=entitled_quarters[region],
            quarter_settlement_ore=entitled_quarters[region] - paid_before,
            redistributed_before_ore=before,
            redistribution_now_ore=line.redistribution_ore - before,
        )
    return result, settled
