"""Model B (agreements 2016–2020): frame by population share plus a capped contact bonus.

Spec (domain.md §6, model B)::

    base(r)        = frame split by population share (largest remainder)
    bonus claim(r) = contacts(r) × bonus per contact
    bonus(r)       = bonus claim(r)                          if Σ claims ≤ cap
                   = cap split pro rata to contacts (largest remainder)   otherwise

All amounts are integer öre.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from payments.engine.money import split_largest_remainder


@dataclass(frozen=True)
class ModelBParams:
    """One agreement year's money: the regions' frame and the national contact bonus."""

    frame_ore: int
    bonus_per_contact_ore: int
    bonus_cap_ore: int

    def __post_init__(self) -> None:
        for name in ("frame_ore", "bonus_per_contact_ore", "bonus_cap_ore"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} is negative: {getattr(self, name)}")


@dataclass(frozen=True)
class ModelBLine:
    """One region's base and bonus for the year."""

    region: str
    population: int
    base_ore: int
    contacts: int
    bonus_claim_ore: int
    bonus_ore: int


@dataclass(frozen=True)
class ModelBResult:
    """The year's run: per-region lines and the national bonus figures."""

    lines: Mapping[str, ModelBLine]
    bonus_claims_ore: int
    bonus_ore: int
    bonus_capped: bool


def year_run(
    params: ModelBParams, populations: Mapping[str, int], contacts: Mapping[str, int]
) -> ModelBResult:
    """Base and bonus per region in ``populations`` (a region missing from ``contacts`` has 0).

    Raises ``ValueError`` for contacts of a region without a population figure, or
    a negative number of contacts.
    """
    unknown = sorted(set(contacts) - set(populations))
    if unknown:
        raise ValueError(f"contacts has regions without a population figure: {', '.join(unknown)}")
    region_contacts = {region: contacts.get(region, 0) for region in sorted(populations)}
    for region, count in region_contacts.items():
        if count < 0:
            raise ValueError(f"negative number of contacts for {region}: {count}")

    base = split_largest_remainder(params.frame_ore, populations)
    claims = {
        region: count * params.bonus_per_contact_ore for region, count in region_contacts.items()
    }
    claims_total = sum(claims.values())
    capped = claims_total > params.bonus_cap_ore
    bonus = split_largest_remainder(params.bonus_cap_ore, region_contacts) if capped else claims
    lines = {
        region: ModelBLine(
            region=region,
            population=populations[region],
            base_ore=base[region],
            contacts=region_contacts[region],
            bonus_claim_ore=claims[region],
            bonus_ore=bonus[region],
        )
        for region in sorted(populations)
    }
    return ModelBResult(
        lines=MappingProxyType(lines),
        bonus_claims_ore=claims_total,
        bonus_ore=sum(bonus.values()),
        bonus_capped=capped,
    )


def whole_year_accepted(accepted_quarters: list[int], *, yearly_accepted: bool = False) -> bool:
    """Model B pays the base only once FK has accepted the region's whole year: its one
    yearly report, or (agreements reported quarterly) all four quarters."""
    return yearly_accepted or sorted(accepted_quarters) == [1, 2, 3, 4]


@dataclass(frozen=True)
class SettledLine:
    """A region's year under model B, settled against what earlier runs paid:
    entitled now minus paid before, for base and bonus (negative = claw-back)."""

    line: ModelBLine
    complete: bool
    base_entitled_ore: int
    base_paid_before_ore: int
    bonus_paid_before_ore: int
    base_now_ore: int
    bonus_now_ore: int

    @property
    def amount_ore(self) -> int:
        return self.base_now_ore + self.bonus_now_ore


def year_settlement(
    params: ModelBParams,
    populations: Mapping[str, int],
    contacts: Mapping[str, int],
    complete: Mapping[str, bool],
    base_paid: Mapping[str, int],
    bonus_paid: Mapping[str, int],
) -> tuple[ModelBResult, dict[str, SettledLine]]:
    """The year's run: base (only for a region whose whole year is accepted) and bonus,
    each minus what approved earlier runs of the year paid (the adjustment)."""
    result = year_run(params, populations, contacts)
    settled: dict[str, SettledLine] = {}
    for region, line in result.lines.items():
        is_complete = complete.get(region, False)
        base_entitled = line.base_ore if is_complete else 0
        base_before = base_paid.get(region, 0)
        bonus_before = bonus_paid.get(region, 0)
        settled[region] = SettledLine(
            line=line,
            complete=is_complete,
            base_entitled_ore=base_entitled,
            base_paid_before_ore=base_before,
            bonus_paid_before_ore=bonus_before,
            base_now_ore=base_entitled - base_before,
            bonus_now_ore=line.bonus_ore - bonus_before,
        )
    return result, settled
