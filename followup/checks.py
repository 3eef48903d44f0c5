"""Plausibility flags for published figures. SKR's figures stay as published: a
check only marks a figure and says why, it never changes it.

- A national total SKR printed that differs from the sum of its 21 regions.
- A count far from the same region's neighbouring years, at most two years away
  (under a quarter of the smaller neighbour or over four times the larger).
- A per-1,000 figure that does not fit its count: the population it implies
  (count × 1 000 / figure) is compared with the region's usual one (the median over
  its published figures); allowing for the one-decimal rounding (±0,05) and 15 %
  for population change and the 16–65/16–67 switch, anything further is flagged.
"""

from __future__ import annotations

from decimal import Decimal
from statistics import median

from django.utils.translation import gettext as _

from rehab.formatting import format_decimal, format_int

from .enums import HistoryMeasure
from .selectors import NATIONAL, TimeSeries

Flags = dict[tuple[int, str, str], list[str]]


def _add(flags: Flags, key: tuple[int, str, str], text: str) -> None:
    flags.setdefault(key, []).append(text)


def history_flags(ts: TimeSeries) -> Flags:
    """{(year, region code or ALL, measure): [why the published figure looks wrong]}."""
    flags: Flags = {}
    codes = [region.code for region in ts.regions]
    measures = list(HistoryMeasure.values)
    for year in ts.years:
        published = ts.history.get(year, {})
        for measure in measures:
            national = published.get(NATIONAL, {}).get(measure)
            regional = [published.get(code, {}).get(measure) for code in codes]
            if national is None or any(p is None for p in regional):
                continue
            summed = sum(p.count for p in regional if p is not None)
            if summed != national.count:
                _add(
                    flags,
                    (year, NATIONAL, measure),
                    _("SKR:s riket %(printed)s är inte summan av regionerna (%(sum)s).")
                    % {"printed": format_int(national.count), "sum": format_int(summed)},
                )
    for key in [*codes, NATIONAL]:
        for measure in measures:
            _neighbour_flags(flags, ts, key, measure)
            _rate_flags(flags, ts, key, measure)
    return flags


def _neighbour_flags(flags: Flags, ts: TimeSeries, key: str, measure: str) -> None:
    values: list[tuple[int, int, bool]] = []
    for year in ts.years:
        point = ts.point(year, key)
        if point is not None and (count := point.count(measure)) is not None:
            values.append((year, count, point.published))
    for i, (year, count, published) in enumerate(values):
        if not published:
            continue
        neighbours = [
            v[1]
            for v in values[max(i - 1, 0) : i] + values[i + 1 : i + 2]
            if abs(v[0] - year) <= 2  # years far apart may differ for real
        ]
        if not neighbours:
            continue
        if 4 * count < min(neighbours) or count > 4 * max(neighbours):
            _add(
                flags,
                (year, key, measure),
                _("%(year)s: %(count)s ligger långt från grannåren (%(neighbours)s).")
                % {
                    "year": year,
                    "count": format_int(count),
                    "neighbours": ", ".join(format_int(n) for n in neighbours),
                },
            )


def _rate_flags(flags: Flags, ts: TimeSeries, key: str, measure: str) -> None:
    published = [
        (year, p)
        for year in ts.years
        if (p := ts.history.get(year, {}).get(key, {}).get(measure)) is not None
        and p.per_1000
        and p.count
    ]
    implied = [Decimal(p.count) * 1000 / p.per_1000 for _year, p in published if p.per_1000]
    if len(implied) < 3:
        return
    usual = median(implied)
    for year, p in published:
        assert p.per_1000 is not None
        expected = Decimal(p.count) * 1000 / usual
        if abs(expected - p.per_1000) > Decimal("0.05") + Decimal("0.15") * expected:
            _add(
                flags,
                (year, key, measure),
                _(
                    "%(year)s: %(rate)s per 1 000 stämmer inte med antalet "
                    "(väntat omkring %(expected)s)."
                )
                % {
                    "year": year,
                    "rate": format_decimal(p.per_1000),
                    "expected": format_decimal(expected),
                },
            )
