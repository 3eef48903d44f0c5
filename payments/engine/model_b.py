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
