"""Reads for the statistics: every sum is computed by PostgreSQL, and a page costs
a fixed number of queries whatever the number of regions, reports and years.

Only the version in force of each report counts (`Report.accepted_version`: the
accepted one, or the accepted correction that superseded it). Drafts, submitted
and returned versions never count. Whether a region has reported is kept apart
from its figures, so that "no accepted report" is never shown as a zero.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, F, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce

from payments import selectors as payments_selectors
from rehab.enums import Area
from rehab.models import Agreement, PopulationFigure, Region, ReportingPeriod, Treatment
from reporting.enums import ExtraKind, Provider, Sex, VersionStatus
from reporting.models import ExtraCount, Report, SeriesCount

from .enums import SKR_SOURCE, HistoryMeasure
from .models import PublishedFigure

# The groups the yearly report follows per 1,000 inhabitants (spec §8).
NATIONAL = "ALL"
KBT_IPT = ("KBT", "IPT")
MMR = ("MMR1", "MMR2")


def agreements_with_periods() -> list[Agreement]:
    """All agreements, oldest first, each with `n_periods` (its number of reporting periods)
    and `n_yearly` (1 when its treatment report is one yearly report, else 0)."""
    return list(
        Agreement.objects.annotate(
            n_periods=Count("periods"),
            n_yearly=Count("periods", filter=Q(periods__quarter__isnull=True)),
        ).order_by("year")
    )


@dataclass(frozen=True)
class RegionStatus:
    """How far a region's reports for a year have come."""

    code: str
    periods: int
    # Quarters accepted/submitted; for a yearly report (None,) once it is.
    accepted: tuple[int | None, ...] = ()
    submitted: tuple[int | None, ...] = ()
    yearly: bool = False

    @property
    def period_keys(self) -> list[int | None]:
        """The periods of the year: [None] for one yearly report, else the quarters."""
        return [None] if self.yearly else list(range(1, self.periods + 1))

    @property
    def has_data(self) -> bool:
        return bool(self.accepted)

    @property
    def complete(self) -> bool:
        return self.periods > 0 and len(self.accepted) >= self.periods

    def quarter_state(self, quarter: int | None) -> str:
        if quarter in self.accepted:
            return VersionStatus.ACCEPTED
        if quarter in self.submitted:
            return VersionStatus.SUBMITTED
        return "MISSING"


@dataclass(frozen=True)
class Summary:
    """A region's (or the nation's) series for a year, summed by PostgreSQL."""

    total: int = 0
    female: int = 0
    male: int = 0
    public: int = 0
    private: int = 0
    kbt_ipt: int = 0
    mmr: int = 0
    mental: int = 0
    pain: int = 0
    mental_female: int = 0
    mental_male: int = 0
    pain_female: int = 0
    pain_male: int = 0


@dataclass(frozen=True)
class Contacts:
    employer: int = 0
    af: int = 0
    video: int = 0  # series given wholly or partly by video (asked from 2020)

    @property
    def total(self) -> int:
        return self.employer + self.af


@dataclass(frozen=True)
class Population:
    """Inhabitants in the statistics age band: per region, and the national sum
    (None unless every listed region has a figure)."""

    by_region: dict[str, int]
    national: int | None


@dataclass
class YearFigures:
    agreement: Agreement
    regions: list[Region]
    treatments: list[Treatment]
    status: dict[str, RegionStatus]
    by_treatment: dict[str, dict[str, int]]
    summary: dict[str, Summary]
    contacts: dict[str, Contacts]
    national_by_treatment: dict[str, int]
    national_summary: Summary
    national_contacts: Contacts
    population: Population
    bonus_ore: dict[str, int] | None
    national_bonus_ore: int | None

    @property
    def year(self) -> int:
        return int(self.agreement.year)

    @property
    def complete_regions(self) -> int:
        return sum(1 for region in self.regions if self.status[region.code].complete)

    @property
    def complete(self) -> bool:
        return self.complete_regions == len(self.regions)


def _in_force(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Cells of the version in force of each report (accepted, corrections included)."""
    return qs.filter(version__report__accepted_version=F("version"))


def _summary_sums() -> dict[str, Any]:
    def total(q: Q | None = None) -> Coalesce:
        return Coalesce(Sum("value", filter=q), Value(0))

    return {
        "total": total(),
        "female": total(Q(sex=Sex.FEMALE)),
        "male": total(Q(sex=Sex.MALE)),
        "public": total(Q(provider=Provider.PUBLIC)),
        "private": total(Q(provider=Provider.PRIVATE)),
        "kbt_ipt": total(Q(treatment__in=KBT_IPT)),
        "mmr": total(Q(treatment__in=MMR)),
        "mental": total(Q(treatment__area=Area.MENTAL)),
        "pain": total(Q(treatment__area=Area.PAIN)),
        "mental_female": total(Q(treatment__area=Area.MENTAL, sex=Sex.FEMALE)),
        "mental_male": total(Q(treatment__area=Area.MENTAL, sex=Sex.MALE)),
        "pain_female": total(Q(treatment__area=Area.PAIN, sex=Sex.FEMALE)),
        "pain_male": total(Q(treatment__area=Area.PAIN, sex=Sex.MALE)),
    }


def _contact_sums() -> dict[str, Any]:
    return {
        "employer": Coalesce(Sum("value", filter=Q(kind=ExtraKind.EMPLOYER_CONTACT)), Value(0)),
        "af": Coalesce(Sum("value", filter=Q(kind=ExtraKind.AF_CONTACT)), Value(0)),
        "video": Coalesce(Sum("value", filter=Q(kind=ExtraKind.VIDEO)), Value(0)),
    }


def regions_for(agreements: list[Agreement]) -> list[Region]:
    """The active regions, and any inactive one that reported in one of the agreements."""
    return list(
        Region.objects.filter(
            Q(active=True) | Q(reports__period__agreement__in=[a.pk for a in agreements])
        )
        .distinct()
        .order_by("code")
    )


def region_status(
    agreements: list[Agreement], regions: list[Region]
) -> dict[int, dict[str, RegionStatus]]:
    """{year: {region: RegionStatus}} for the given agreements, in one query."""
    by_pk = {a.pk: a for a in agreements}
    rows = (
        Report.objects.filter(period__agreement__in=list(by_pk))
        .values("period__agreement", "region")
        .annotate(
            accepted=ArrayAgg(
                "period__quarter",
                filter=Q(accepted_version__isnull=False),
                distinct=True,
                default=Value([]),
            ),
            submitted=ArrayAgg(
                "period__quarter",
                filter=Q(versions__status=VersionStatus.SUBMITTED),
                distinct=True,
                default=Value([]),
            ),
        )
    )
    found = {(row["period__agreement"], row["region"]): row for row in rows}
    n_periods = {a.pk: a.n_periods for a in agreements if hasattr(a, "n_periods")}
    n_yearly = {a.pk: a.n_yearly for a in agreements if hasattr(a, "n_yearly")}
    if len(n_periods) < len(agreements) or len(n_yearly) < len(agreements):
        counted = list(
            ReportingPeriod.objects.filter(agreement__in=list(by_pk))
            .values("agreement")
            .annotate(n=Count("pk"), yearly=Count("pk", filter=Q(quarter__isnull=True)))
            .values_list("agreement", "n", "yearly")
        )
        n_periods = {pk: n for pk, n, _y in counted}
        n_yearly = {pk: y for pk, _n, y in counted}
    out: dict[int, dict[str, RegionStatus]] = {}
    for agreement in agreements:
        periods = int(n_periods.get(agreement.pk, 0))
        year_status = {}
        for region in regions:
            row = found.get((agreement.pk, region.code))
            year_status[region.code] = RegionStatus(
                code=region.code,
                periods=periods,
                accepted=tuple(sorted(row["accepted"])) if row else (),
                submitted=tuple(sorted(row["submitted"])) if row else (),
                yearly=bool(n_yearly.get(agreement.pk)),
            )
        out[int(agreement.year)] = year_status
    return out


def populations(agreements: list[Agreement], regions: list[Region]) -> dict[int, Population]:
    """{year: Population} in each agreement's statistics age band on 1 November of
    its year (SKR's definition, `Agreement.statistics_reference_date`), one query
    for all years (national sums by PostgreSQL)."""
    if not agreements:
        return {}
    wanted = reduce(
        or_,
        (
            Q(reference_date=a.statistics_reference_date, age_band=a.statistics_age_band)
            for a in agreements
        ),
    )
    codes = [region.code for region in regions]
    partition = [F("reference_date"), F("age_band")]
    rows = (
        PopulationFigure.objects.filter(wanted, region__in=codes)
        .annotate(
            national=Window(Sum("population"), partition_by=partition),
            regions_with_figure=Window(Count("pk"), partition_by=partition),
        )
        .values_list(
            "reference_date", "age_band", "region", "population", "national", "regions_with_figure"
        )
    )
    by_key: dict[tuple[datetime.date, str], dict[str, int]] = defaultdict(dict)
    national: dict[tuple[datetime.date, str], int | None] = {}
    for date, band, region, population, total, with_figure in rows:
        by_key[(date, band)][region] = population
        national[(date, band)] = total if with_figure == len(codes) else None
    out = {}
    for a in agreements:
        key = (a.statistics_reference_date, a.statistics_age_band)
        out[int(a.year)] = Population(by_region=by_key.get(key, {}), national=national.get(key))
    return out


def _bonus_paid(agreement: Agreement) -> tuple[dict[str, int], int]:
    """The contact bonus paid to each region for the year, and nationally, by the
    payout runs FK has approved."""
    paid = payments_selectors.approved_paid(years=[int(agreement.year)]).get(
        int(agreement.year), {}
    )
    by_region = {code: sums.bonus_ore for code, sums in paid.items()}
    return by_region, sum(by_region.values())


def year_figures(agreement: Agreement) -> YearFigures:
    """Everything the tables of one year (spec §8, tables 1–5) need, from the
    accepted report versions of that year."""
    regions = regions_for([agreement])
    status = region_status([agreement], regions)[int(agreement.year)]
    treatments = list(
        Treatment.objects.filter(agreements=agreement).order_by("area", "sort_order", "code")
    )
    series = _in_force(SeriesCount.objects.filter(version__report__period__agreement=agreement))
    extras = _in_force(ExtraCount.objects.filter(version__report__period__agreement=agreement))

    by_treatment: dict[str, dict[str, int]] = defaultdict(dict)
    for row in series.values("version__report__region", "treatment").annotate(n=Sum("value")):
        by_treatment[row["version__report__region"]][row["treatment"]] = row["n"]
    national_by_treatment = dict(
        series.values("treatment").annotate(n=Sum("value")).values_list("treatment", "n")
    )
    summary = {
        row.pop("version__report__region"): Summary(**row)
        for row in series.values("version__report__region").annotate(**_summary_sums())
    }
    national_summary = Summary(**series.aggregate(**_summary_sums()))
    contacts = {
        row.pop("version__report__region"): Contacts(**row)
        for row in extras.values("version__report__region").annotate(**_contact_sums())
    }
    national_contacts = Contacts(**extras.aggregate(**_contact_sums()))
    population = populations([agreement], regions)[int(agreement.year)]
    bonus = _bonus_paid(agreement) if agreement.contact_bonus_per_contact_ore > 0 else None
    return YearFigures(
        agreement=agreement,
        regions=regions,
        treatments=treatments,
        status=status,
        by_treatment=dict(by_treatment),
        summary=summary,
        contacts=contacts,
        national_by_treatment=national_by_treatment,
        national_summary=national_summary,
        national_contacts=national_contacts,
        population=population,
        bonus_ore=bonus[0] if bonus else None,
        national_bonus_ore=bonus[1] if bonus else None,
    )


@dataclass(frozen=True)
class YearPoint:
    """One region's (or the nation's) KBT+IPT and MMR series in one year."""

    kbt_ipt: int
    mmr: int
    total: int


@dataclass(frozen=True)
class Published:
    """A figure as SKR printed it (count and its per-1,000 figure)."""

    count: int
    per_1000: Decimal | None


REPORTS = "reports"


@dataclass(frozen=True)
class SeriesPoint:
    """What the time series shows for one region (or the nation) in one year: from
    Rehab's accepted reports, or from SKR's published history (`source` "SKR"),
    which has no total and brings its own per-1,000 figures. `overrides` names the
    published figures the reports replaced (a year with both: reports win)."""

    source: str
    kbt_ipt: int | None
    mmr: int | None
    total: int | None
    complete: bool
    kbt_ipt_per_1000: Decimal | None = None
    mmr_per_1000: Decimal | None = None
    overrides: bool = False

    @property
    def published(self) -> bool:
        return self.source == SKR_SOURCE

    def count(self, measure: str) -> int | None:
        return self.kbt_ipt if measure == HistoryMeasure.KBT_IPT else self.mmr

    def published_rate(self, measure: str) -> Decimal | None:
        return self.kbt_ipt_per_1000 if measure == HistoryMeasure.KBT_IPT else self.mmr_per_1000


@dataclass
class TimeSeries:
    agreements: list[Agreement]
    regions: list[Region]
    status: dict[int, dict[str, RegionStatus]]
    by_region: dict[int, dict[str, YearPoint]]
    national: dict[int, YearPoint]
    population: dict[int, Population]
    # {year: {region code or ALL: {measure: Published}}}: SKR's published history.
    history: dict[int, dict[str, dict[str, Published]]] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)

    def region_status(self, year: int, code: str) -> RegionStatus:
        return self.status.get(year, {}).get(code) or RegionStatus(code=code, periods=0)

    def agreement(self, year: int) -> Agreement | None:
        return next((a for a in self.agreements if a.year == year), None)

    def complete_regions(self, year: int) -> int:
        return sum(1 for s in self.status.get(year, {}).values() if s.complete)

    def reporting_regions(self, year: int) -> int:
        return sum(1 for s in self.status.get(year, {}).values() if s.has_data)

    def complete(self, year: int) -> bool:
        return year in self.status and self.complete_regions(year) == len(self.regions)

    def population_of(self, year: int, key: str) -> int | None:
        pop = self.population.get(year)
        if pop is None:
            return None
        return pop.national if key == NATIONAL else pop.by_region.get(key)

    def point(self, year: int, key: str) -> SeriesPoint | None:
        """Reports where a region (for the nation: any region) has an accepted
        report for the year, else SKR's published figures, else None ("saknas")."""
        published = self.history.get(year, {}).get(key, {})
        if key == NATIONAL:
            has_reports = self.reporting_regions(year) > 0
            reported = self.national.get(year, YearPoint(0, 0, 0))
            complete = self.complete(year)
        else:
            status = self.region_status(year, key)
            has_reports = status.has_data
            reported = self.by_region.get(year, {}).get(key, YearPoint(0, 0, 0))
            complete = status.complete
        if has_reports:
            return SeriesPoint(
                REPORTS,
                reported.kbt_ipt,
                reported.mmr,
                reported.total,
                complete,
                overrides=bool(published),
            )
        if published:
            kbt = published.get(HistoryMeasure.KBT_IPT)
            mmr = published.get(HistoryMeasure.MMR)
            return SeriesPoint(
                SKR_SOURCE,
                kbt.count if kbt else None,
                mmr.count if mmr else None,
                None,
                True,
                kbt.per_1000 if kbt else None,
                mmr.per_1000 if mmr else None,
            )
        return None

    def overridden(self, year: int) -> list[str]:
        """Keys (län codes, ALL) whose published figures of `year` reports replace."""
        return [
            key
            for key in [*(r.code for r in self.regions), NATIONAL]
            if (point := self.point(year, key)) is not None and point.overrides
        ]


def published_history(years: list[int] | None = None) -> dict[int, dict[str, dict[str, Published]]]:
    """{year: {region code or ALL: {measure: Published}}}, one query."""
    rows = PublishedFigure.objects.all()
    if years is not None:
        rows = rows.filter(year__in=years)
    out: dict[int, dict[str, dict[str, Published]]] = defaultdict(lambda: defaultdict(dict))
    for region, year, measure, count, rate in rows.values_list(
        "region", "year", "measure", "count", "per_1000"
    ):
        out[year][region or NATIONAL][measure] = Published(count, rate)
    return {year: dict(by_key) for year, by_key in out.items()}


def time_series(agreements: list[Agreement], *, span: bool = True) -> TimeSeries:
    """KBT+IPT, MMR1+MMR2 and all series per region and year and nationally per
    year, for the given agreements (all years held, or a few), joined with SKR's
    published history for the years in between: with `span`, every year from the
    first with data to the last agreement (2009 → today), a year with neither being
    "saknas". Six queries."""
    regions = regions_for(agreements)
    sums = {
        "kbt_ipt": Coalesce(Sum("value", filter=Q(treatment__in=KBT_IPT)), Value(0)),
        "mmr": Coalesce(Sum("value", filter=Q(treatment__in=MMR)), Value(0)),
        "total": Coalesce(Sum("value"), Value(0)),
    }
    series = _in_force(
        SeriesCount.objects.filter(
            version__report__period__agreement__in=[a.pk for a in agreements]
        )
    ).annotate(year=F("version__report__period__agreement__year"))
    by_region: dict[int, dict[str, YearPoint]] = defaultdict(dict)
    for row in series.values("year", "version__report__region").annotate(**sums):
        by_region[row["year"]][row["version__report__region"]] = YearPoint(
            row["kbt_ipt"], row["mmr"], row["total"]
        )
    national = {row.pop("year"): YearPoint(**row) for row in series.values("year").annotate(**sums)}
    agreement_years = sorted(int(a.year) for a in agreements)
    if span:
        history = published_history()
        known = sorted({*agreement_years, *history})
        years = list(range(known[0], known[-1] + 1)) if known else []
    else:
        history = published_history(agreement_years)
        years = agreement_years
    return TimeSeries(
        agreements=agreements,
        regions=regions,
        status=region_status(agreements, regions),
        by_region=dict(by_region),
        national=national,
        population=populations(agreements, regions),
        history=history,
        years=years,
    )
