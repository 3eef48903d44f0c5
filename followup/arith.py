"""The two roundings of the statistics, exact (integers in, `Decimal` out, never float).

- Percentages: n × 100 / the row's total, one decimal, rounded half up (…,x5 goes
  away from zero). Each share is rounded by itself, so the shares of a row may add
  up to 99,9 or 100,1: that is the rule SKR's tables follow too.
- Per 1,000 inhabitants: count × 1000 / population, one decimal, half up.

A missing denominator (a row total of 0, a population of 0 or none) gives None:
the page then says why instead of showing a number.
"""

from __future__ import annotations

from decimal import Decimal


def ratio_1dp(numerator: int, denominator: int | None, *, scale: int) -> Decimal | None:
    """numerator × scale / denominator to one decimal, half up, computed on integers."""
    if not denominator:
        return None
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    num, den = abs(numerator) * scale * 10, abs(denominator)
    tenths = (2 * num + den) // (2 * den)
    return Decimal(sign * tenths).scaleb(-1)


def percent(part: int, total: int | None) -> Decimal | None:
    """part as a percentage of total, one decimal, half up: percent(1, 8) == Decimal("12.5")."""
    return ratio_1dp(part, total, scale=100)


def per_1000(count: int, population: int | None) -> Decimal | None:
    """count per 1,000 inhabitants, one decimal, half up."""
    return ratio_1dp(count, population, scale=1000)
