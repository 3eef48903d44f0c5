"""The figures of the open data (the `export_statistics` command and
/api/v1/open/): plain rows built from the selectors' structures, no queries here.

Year rows are `region;measure;key;value` (the command's exact format): treatments
(treatment code), sex (F, M), provider (PUBLIC, PRIVATE), contacts (EMPLOYER, AF),
per_1000 (KBT_IPT, MMR). Only accepted report versions count; a region without an
accepted report has no rows (no silent zeros), nor has a per-1,000 figure without
a population: both are listed in `notes`. History rows are SKR's published figures
(measure history_count / history_per_1000, key `KBT_IPT:2015`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from payments.selectors import PaidSums

from .arith import per_1000
from .enums import SKR_SOURCE, HistoryMeasure
from .selectors import NATIONAL, Contacts, Published, Summary, TimeSeries, YearFigures

Value = int | Decimal


@dataclass(frozen=True)
class FigureRow:
    region: str
    measure: str
    key: str
    value: Value


@dataclass
class YearRows:
    rows: list[FigureRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _region_rows(
    out: YearRows,
    f: YearFigures,
    code: str,
    by_treatment: dict[str, int],
    summary: Summary,
    contacts: Contacts,
    population: int | None,
) -> None:
    rows = out.rows
    for treatment in f.treatments:
        rows.append(
            FigureRow(code, "treatments", treatment.code, by_treatment.get(treatment.code, 0))
        )
    rows += [
        FigureRow(code, "sex", "F", summary.female),
        FigureRow(code, "sex", "M", summary.male),
        FigureRow(code, "provider", "PUBLIC", summary.public),
        FigureRow(code, "provider", "PRIVATE", summary.private),
        FigureRow(code, "contacts", "EMPLOYER", contacts.employer),
        FigureRow(code, "contacts", "AF", contacts.af),
    ]
    kbt, mmr = per_1000(summary.kbt_ipt, population), per_1000(summary.mmr, population)
    if population is None or kbt is None or mmr is None:
        out.notes.append(f"{code}: befolkningsuppgift saknas, inget per 1 000.")
        return
    rows += [FigureRow(code, "per_1000", "KBT_IPT", kbt), FigureRow(code, "per_1000", "MMR", mmr)]


def year_rows(f: YearFigures) -> YearRows:
    """One year's figures, region by region (län order) and the nation (ALL) last."""
    out = YearRows()
    any_data = False
    for region in f.regions:
        status = f.status[region.code]
        if not status.has_data:
            out.notes.append(f"{region.code}: inga godkända rapporter för {f.year}.")
            continue
        any_data = True
        if not status.complete:
            out.notes.append(
                f"{region.code}: bara {len(status.accepted)} av {status.periods} "
                f"kvartal godkända för {f.year}."
            )
        _region_rows(
            out,
            f,
            region.code,
            f.by_treatment.get(region.code, {}),
            f.summary.get(region.code, Summary()),
            f.contacts.get(region.code, Contacts()),
            f.population.by_region.get(region.code),
        )
    if any_data:
        _region_rows(
            out,
            f,
            NATIONAL,
            f.national_by_treatment,
            f.national_summary,
            f.national_contacts,
            f.population.national,
        )
    return out


def _key_order(key: str) -> tuple[bool, str]:
    """Regions by län code, the nation (ALL) last."""
    return (key == NATIONAL, key)


def history_rows(history: dict[int, dict[str, dict[str, Published]]]) -> list[FigureRow]:
    """SKR's published figures as `region;measure;key;value` rows, region by region."""
    rows = []
    keys = sorted({key for by_key in history.values() for key in by_key}, key=_key_order)
    for key in keys:
        for measure in HistoryMeasure.values:
            for year in sorted(history):
                figure = history[year].get(key, {}).get(measure)
                if figure is None:
                    continue
                rows.append(FigureRow(key, "history_count", f"{measure}:{year}", figure.count))
                if figure.per_1000 is not None:
                    rows.append(
                        FigureRow(key, "history_per_1000", f"{measure}:{year}", figure.per_1000)
                    )
    return rows


@dataclass(frozen=True)
class SeriesRow:
    """One region's (or the nation's) figure of a measure in a year of the time
    series: from Rehab's accepted reports or SKR's published history; `count`
    None = no data ("saknas")."""

    region: str
    year: int
    measure: str
    count: int | None
    per_1000: Decimal | None
    source: str  # "Rehab", "SKR" or "" (no data)
    complete: bool


REHAB_SOURCE = "Rehab"


def series_rows(ts: TimeSeries) -> list[SeriesRow]:
    rows = []
    for key in [*(r.code for r in ts.regions), NATIONAL]:
        for measure in HistoryMeasure.values:
            for year in ts.years:
                point = ts.point(year, key)
                count = point.count(measure) if point is not None else None
                if point is None or count is None:
                    rows.append(SeriesRow(key, year, measure, None, None, "", False))
                elif point.published:
                    rows.append(
                        SeriesRow(
                            key,
                            year,
                            measure,
                            count,
                            point.published_rate(measure),
                            SKR_SOURCE,
                            True,
                        )
                    )
                else:
                    rate = per_1000(count, ts.population_of(year, key))
                    rows.append(
                        SeriesRow(key, year, measure, count, rate, REHAB_SOURCE, point.complete)
                    )
    return rows


@dataclass(frozen=True)
class PaidRow:
    """What FK's approved payout runs paid a region for an agreement year (public
    once approved); öre, integers."""

    year: int
    region: str
    paid_ore: int
    contact_bonus_ore: int


def paid_rows(paid: dict[int, dict[str, PaidSums]]) -> list[PaidRow]:
    return [
        PaidRow(year, region, sums.amount_ore, sums.bonus_ore)
        for year in sorted(paid)
        for region, sums in sorted(paid[year].items())
    ]
