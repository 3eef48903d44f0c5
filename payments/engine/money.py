"""Money helpers for the payout engine.

All amounts are integer öre. Shares and rates are exact (``int``, ``Decimal`` or
``Fraction``), never ``float``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

Weight = int | Decimal | Fraction


def _exact(key: str, weight: Weight) -> Fraction:
    if isinstance(weight, bool) or not isinstance(weight, int | Decimal | Fraction):
        raise TypeError(
            f"weight for {key!r} must be int, Decimal or Fraction, not {type(weight).__name__}"
        )
    if isinstance(weight, Decimal) and not weight.is_finite():
        raise ValueError(f"weight for {key!r} is not a finite number: {weight}")
    exact = Fraction(weight)
    if exact < 0:
        raise ValueError(f"weight for {key!r} is negative: {weight}")
    return exact


def split_largest_remainder(total_ore: int, weights: Mapping[str, Weight]) -> dict[str, int]:
    """Share ``total_ore`` among the keys of ``weights`` in proportion to the weights.

    Largest-remainder method: every key first gets the floor of its exact share
    ``total_ore * weight / sum(weights)``; the öre left over are then handed out one
    each to the keys with the largest fractional remainders, ties broken by key
    ascending (for regions: by län code). The parts add up to ``total_ore`` exactly,
    and every part is within one öre of its exact share (it is the floor or the
    ceiling of it), so a key with weight 0 always gets 0.

    If the weights add up to zero (or there are no keys) there is nothing to share
    in proportion to: every key gets 0 and the parts do NOT add up to the total.
    Callers that need the whole to be paid out must make sure some weight is
    positive.

    Raises ``ValueError`` for a negative total or a negative weight and
    ``TypeError`` for a weight that is not exact (``float``, ``bool``, ...).
    """
    if isinstance(total_ore, bool) or not isinstance(total_ore, int):
        raise TypeError(f"total_ore must be an int, not {type(total_ore).__name__}")
    if total_ore < 0:
        raise ValueError(f"total_ore is negative: {total_ore}")
    exact_weights = {key: _exact(key, weight) for key, weight in weights.items()}
    weight_sum = sum(exact_weights.values(), Fraction(0))
    if weight_sum == 0:
        return dict.fromkeys(exact_weights, 0)

    parts: dict[str, int] = {}
    remainders: dict[str, Fraction] = {}
    for key, weight in exact_weights.items():
        share = total_ore * weight / weight_sum
        floor = share.numerator // share.denominator
        parts[key] = floor
        remainders[key] = share - floor

    leftover = total_ore - sum(parts.values())
    by_remainder = sorted(remainders, key=lambda key: (-remainders[key], key))
    for key in by_remainder[:leftover]:
        parts[key] += 1
    return parts
