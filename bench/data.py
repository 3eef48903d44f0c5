"""Realistic national data for the benchmarks: every region's report for every
quarter of ten agreement years (2011–2020), with the demo figures of
`load_demo_reports` (population-proportional, deterministic)."""

from __future__ import annotations

from collections.abc import Iterable

from rehab.enums import AgeBand
from rehab.models import PopulationFigure, Region, ReportingPeriod
from reporting.fileformat import Row
from reporting.management.commands.load_demo_reports import _rows, demo_figures

YEARS = tuple(range(2011, 2021))


def history_rows(
    years: Iterable[int] = YEARS, skip: Iterable[tuple[str, int, int | None]] = ()
) -> list[Row]:
    """Rows of a file with every active region's report for every period of `years`
    (except the (region, year, quarter) in `skip`), numbered as lines 2, 3, …"""
    skipped = set(skip)
    populations = dict(
        PopulationFigure.objects.filter(age_band=AgeBand.TOTAL)
        .order_by("region", "-reference_date")
        .distinct("region")
        .values_list("region", "population")
    )
    periods = ReportingPeriod.objects.select_related("agreement").filter(
        agreement__year__in=list(years)
    )
    regions = list(
        Region.objects.filter(active=True, code__in=populations).values_list("code", flat=True)
    )
    rows: list[Row] = []
    for period in sorted(periods, key=lambda p: (p.agreement.year, p.quarter)):
        for code in sorted(regions):
            if (code, period.agreement.year, period.quarter) in skipped:
                continue
            figures = demo_figures(code, populations[code], period)
            rows += _rows(code, period, figures, len(rows) + 2)
    return rows
