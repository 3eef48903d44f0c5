"""Written-account conditions (villkor 1, 2, 4 from 2016): population share if fulfilled.

Spec (issue 9; domain.md §9)::

    share(r)      = frame split by population share over ALL regions (largest remainder)
    advance pot   = frame × advance_share, rounded half up to the öre       (0 without advance)
    advance(r)    = the advance pot split by share(r) (largest remainder)
    remainder(r)  = share(r) − advance(r)
    advance run:    every region is paid advance(r)
    remainder run:  a fulfilled region is paid remainder(r); a region that has not
                    fulfilled the condition is paid 0 and remainder(r) is shown as
                    "ej utbetalt" (not paid, and not redistributed to the others)

So advance(r) + remainder(r) = share(r) for every region, Σ share(r) = frame,
Σ advance(r) = the advance pot, and the advance stays paid to a region that does not
fulfil the condition. advance(r) ≤ share(r) always: it is the floor or the ceiling of
share(r) × advance_share, and share(r) is a whole number of öre above that.

All amounts are integer öre; the advance share is an exact ``Decimal`` or
``Fraction`` strictly between 0 and 1.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

from payments.engine.money import split_largest_remainder

ADVANCE = "ADVANCE"
REMAINDER = "REMAINDER"
INSTALMENTS = (ADVANCE, REMAINDER)


@dataclass(frozen=True)
class DeliverableParams:
    """A condition's money: the frame to the regions and the optional advance share."""

    frame_ore: int
    advance_share: Decimal | Fraction | None = None

    def __post_init__(self) -> None:
        if isinstance(self.frame_ore, bool) or not isinstance(self.frame_ore, int):
            raise TypeError(f"frame_ore must be an int, not {type(self.frame_ore).__name__}")
        if self.frame_ore < 0:
            raise ValueError(f"frame_ore is negative: {self.frame_ore}")
        share = self.advance_share
        if share is None:
            return
        if not isinstance(share, Decimal | Fraction):
            raise TypeError(
                f"advance_share must be Decimal or Fraction, not {type(share).__name__}"
            )
        if isinstance(share, Decimal) and not share.is_finite():
            raise ValueError(f"advance_share is not a finite number: {share}")
        if not 0 < Fraction(share) < 1:
            raise ValueError(f"advance_share must be between 0 and 1 (exclusive): {share}")


@dataclass(frozen=True)
class DeliverableLine:
    """One region's figures for one instalment of a written-account condition.

    ``share_ore`` is the region's whole share of the frame, ``advance_ore`` and
    ``remainder_ore`` the two instalments it is made of, ``payout_ore`` what this
    run pays and ``not_paid_ore`` what it does not pay because the condition is not
    fulfilled (*ej utbetalt*; only in a remainder run)."""

    region: str
    population: int
    share_ore: int
    advance_ore: int
    remainder_ore: int
    fulfilled: bool | None
    payout_ore: int
    not_paid_ore: int


@dataclass(frozen=True)
class DeliverableResult:
    instalment: str
    lines: Mapping[str, DeliverableLine]
    frame_ore: int
    population_total: int
    payout_ore: int
    not_paid_ore: int


def _round_half_up(value: Fraction) -> int:
    return int((value * 2 + 1) // 2)


def advance_pot(frame_ore: int, advance_share: Decimal | Fraction | None) -> int:
    """The whole advance: ``frame × advance_share`` rounded half up to the öre (0 when
    the condition pays no advance)."""
    if advance_share is None:
        return 0
    return _round_half_up(frame_ore * Fraction(advance_share))


def advances(
    frame_ore: int, share: Mapping[str, int], advance_share: Decimal | Fraction | None
) -> dict[str, int]:
    """Each region's advance: the advance pot split by the regions' shares (largest
    remainder), so the advances add up to the pot and none exceeds its share."""
    return split_largest_remainder(advance_pot(frame_ore, advance_share), share)


def shares(frame_ore: int, populations: Mapping[str, int]) -> dict[str, int]:
    """Each region's share of the frame by population (largest remainder, ties by
    region code). Raises ``ValueError`` when no region has inhabitants (the frame
    could not be shared) or a population is negative."""
    for region, population in populations.items():
        if isinstance(population, bool) or not isinstance(population, int):
            raise TypeError(f"population of {region} must be an int")
        if population < 0:
            raise ValueError(f"negative population for {region}: {population}")
    if frame_ore > 0 and sum(populations.values()) == 0:
        raise ValueError("no region has a population figure above 0: the frame cannot be shared")
    return split_largest_remainder(frame_ore, populations)


def instalment_run(
    params: DeliverableParams,
    populations: Mapping[str, int],
    *,
    instalment: str,
    fulfilled: Collection[str] = (),
) -> DeliverableResult:
    """The lines of one instalment for every region in ``populations``.

    ``instalment`` is ADVANCE (everyone is paid the advance; ``fulfilled`` is not
    used) or REMAINDER (a region in ``fulfilled`` is paid its share less the advance,
    any other region 0 with that amount as not paid). A condition without an advance
    share has only a REMAINDER run, which is then the whole share.

    Raises ``ValueError`` for an unknown instalment, an ADVANCE run of a condition
    without an advance share, or a fulfilled region without a population figure.
    """
    if instalment not in INSTALMENTS:
        raise ValueError(f"unknown instalment {instalment!r}")
    if instalment == ADVANCE and params.advance_share is None:
        raise ValueError("the condition pays no advance")
    unknown = sorted(set(fulfilled) - set(populations))
    if unknown:
        raise ValueError(f"fulfilled regions without a population figure: {', '.join(unknown)}")
    share = shares(params.frame_ore, populations)
    advance_by_region = advances(params.frame_ore, share, params.advance_share)
    lines: dict[str, DeliverableLine] = {}
    for region in sorted(populations):
        advance = advance_by_region[region]
        remainder = share[region] - advance
        if instalment == ADVANCE:
            is_fulfilled = None
            payout, not_paid = advance, 0
        else:
            is_fulfilled = region in fulfilled
            payout, not_paid = (remainder, 0) if is_fulfilled else (0, remainder)
        lines[region] = DeliverableLine(
            region=region,
            population=populations[region],
            share_ore=share[region],
            advance_ore=advance,
            remainder_ore=remainder,
            fulfilled=is_fulfilled,
            payout_ore=payout,
            not_paid_ore=not_paid,
        )
    return DeliverableResult(
        instalment=instalment,
        lines=MappingProxyType(lines),
        frame_ore=params.frame_ore,
        population_total=sum(populations.values()),
        payout_ore=sum(line.payout_ore for line in lines.values()),
        not_paid_ore=sum(line.not_paid_ore for line in lines.values()),
    )
