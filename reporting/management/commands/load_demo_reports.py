"""Demo reports (idempotent; run after load_demo_data). Villkor 3 is reported once a
year from 2016, so: an accepted yearly report "2019" for all 21 regions and "2020"
for the other 19, a half-filled draft of region 01's 2020 report and a submitted
2020 report for region 03.

The figures are made up but plausible and always the same: each region's counts
follow its population with a small variation seeded by region and period. Never
run this against a production database.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rehab.enums import AgeBand
from rehab.models import PopulationFigure, Region, ReportingPeriod, User
from reporting.enums import ExtraKind, Provider, Sex
from reporting.figures import ExtraCell, Figures, SeriesCell
from reporting.fileformat import Row
from reporting.imports import report_import
from reporting.models import Report
from reporting.services import (
    ValidationFailed,
    report_get_or_create,
    report_open_draft,
    report_save_draft,
    report_submit,
)
from reporting.validation import included_treatments

# Regions whose current report is not accepted: 01 has a draft, 03 has submitted.
IN_PROGRESS = ("01", "03")


def demo_plan(
    periods: Iterable[tuple[int, int | None]],
) -> tuple[list[tuple[int, int | None]], tuple[int, int | None]]:
    """The periods to fill with accepted reports, and the current one (01's draft,
    03's submission). Yearly villkor 3: 2019 and 2020 (2020 for the other regions);
    a database loaded while 2019/2020 were still reported by quarter keeps them so:
    2019Q1–2020Q3, current 2020Q4."""
    if (2020, None) in set(periods):
        return [(2019, None), (2020, None)], (2020, None)
    return [(2019, 1), (2019, 2), (2019, 3), (2019, 4), (2020, 1), (2020, 2), (2020, 3)], (2020, 4)


# The day the demo's current reports were filed (the 2020 report is open, before its
# deadline 2021-08-15).
FILED_ON = datetime.date(2021, 2, 15)

# Completed series per inhabitant and quarter, and the share of women.
PER_INHABITANT = {
    "KBT": (0.00120, 0.70),
    "IKBT": (0.00040, 0.72),
    "IPT": (0.00015, 0.75),
    "PDT": (0.00010, 0.74),
    "EMDR": (0.00005, 0.78),
    "OTHER_PSY": (0.00020, 0.70),
    "MMR1": (0.00020, 0.66),
    "MMR2": (0.00005, 0.64),
    "BEHAV": (0.00004, 0.65),
    "ACTIVE": (0.00010, 0.60),
    "OTHER_PAIN": (0.00006, 0.62),
}
SEASON = {1: 1.0, 2: 1.05, 3: 0.8, 4: 1.1}
DEMO_EXPLANATION = "Demouppgift: förklaringen är påhittad."
EXPLANATIONS = {
    "drop_to_zero": "Den enda terapeuten med EMDR-utbildning slutade i september (demouppgift).",
}


def demo_figures(code: str, population: int, period: ReportingPeriod) -> Figures:
    """Plausible, deterministic figures for a region and period."""
    year, quarter = period.agreement.year, period.quarter
    rng = random.Random(f"{code}-{year}-{quarter}")
    private_share = random.Random(code).uniform(0.1, 0.4)
    series: dict[SeriesCell, int] = {}
    for treatment in sorted(included_treatments(period)):
        rate, women = PER_INHABITANT[treatment]
        season = SEASON[quarter] if quarter is not None else sum(SEASON.values())
        total = population * rate * season * rng.uniform(0.85, 1.15)
        if year == 2020 and quarter in (2, None):
            total *= 0.85 if quarter == 2 else 0.96  # covid spring
        for sex, sex_share in ((Sex.FEMALE, women), (Sex.MALE, 1 - women)):
            for provider, provider_share in (
                (Provider.PUBLIC, 1 - private_share),
                (Provider.PRIVATE, private_share),
            ):
                series[(treatment, sex, provider)] = round(total * sex_share * provider_share)
    figures = Figures(series=series)
    by_sex = figures.series_by_sex()
    extras: dict[ExtraCell, int] = {}
    for sx in Sex.values:
        extras[(ExtraKind.EMPLOYER_CONTACT, sx)] = round(by_sex[sx] * rng.uniform(0.06, 0.1))
        extras[(ExtraKind.AF_CONTACT, sx)] = round(by_sex[sx] * rng.uniform(0.02, 0.04))
        if period.agreement.asks_video:
            video_share = 0.08 if quarter == 1 else 0.25
            share = video_share * rng.uniform(0.8, 1.2)
            extras[(ExtraKind.VIDEO, sx)] = round(by_sex[sx] * share)
    return Figures(series=series, extras=extras)


def _rows(code: str, period: ReportingPeriod, figures: Figures, start: int) -> list[Row]:
    year, quarter = period.agreement.year, period.quarter
    rows = [
        Row(start + n, code, year, quarter, treatment, sex, provider, value)
        for n, ((treatment, sex, provider), value) in enumerate(sorted(figures.series.items()))
    ]
    start += len(rows)
    rows += [
        Row(start + n, code, year, quarter, kind, sex, "", value)
        for n, ((kind, sex), value) in enumerate(sorted(figures.extras.items()))
    ]
    return rows


def demo_users(usernames: list[str]) -> dict[str, User]:
    """The demo users by name; CommandError naming those missing."""
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    missing = sorted(set(usernames) - set(users))
    if missing:
        raise CommandError(
            "Demoanvändarna saknas (" + ", ".join(missing) + "). Kör load_demo_data först."
        )
    return users


class Command(BaseCommand):
    help = "Skapar demorapporter för 2019–2020 (idempotent; kör efter load_demo_data)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        users = demo_users(DEMO_USERNAMES)
        populations = dict(
            PopulationFigure.objects.filter(age_band=AgeBand.TOTAL)
            .order_by("region", "-reference_date")
            .distinct("region")
            .values_list("region", "population")
        )
        periods = {
            (p.agreement.year, p.quarter): p
            for p in ReportingPeriod.objects.select_related("agreement").filter(
                agreement__year__in=[2019, 2020]
            )
        }
        history, current = demo_plan(periods)
        started = set(
            Report.objects.filter(versions__isnull=False, period__agreement__year__in=[2019, 2020])
            .values_list("region", "period__agreement__year", "period__quarter")
            .distinct()
        )
        rows: list[Row] = []
        for region in Region.objects.filter(active=True).order_by("code"):
            if region.code not in populations:
                continue
            for year, quarter in history:
                if (region.code, year, quarter) in started:
                    continue
                if (year, quarter) == current and region.code in IN_PROGRESS:
                    continue
                period = periods[(year, quarter)]
                figures = demo_figures(region.code, populations[region.code], period)
                rows += _rows(region.code, period, figures, len(rows) + 2)
        if rows:
            result = report_import(
                rows=rows, acting_user=users["handlaggare"], accept=True, today=FILED_ON
            )
            if result.errors:
                raise CommandError("\n".join(e.message for e in result.errors))
            self.stdout.write(f"Godkända demorapporter: {len(result.reports)} nya")
        else:
            self.stdout.write("Godkända demorapporter: inga nya")

        period = periods[current]
        if ("01", *current) not in started:
            self._draft(users["samordnare01"], period, populations["01"])
            self.stdout.write(f"Utkast: 01 {period.code}")
        if ("03", *current) not in started:
            self._submitted(users["samordnare03"], period, populations["03"])
            self.stdout.write(f"Inskickad: 03 {period.code}")

    def _draft(self, user: User, period: ReportingPeriod, population: int) -> None:
        """Half filled in: the mental-health treatments only."""
        full = demo_figures("01", population, period)
        half = Figures(
            series={
                cell: value
                for cell, value in full.series.items()
                if cell[0] in ("KBT", "IKBT", "IPT")
            },
            comment="Smärtbehandlingarna kommer nästa vecka.",
        )
        report = report_get_or_create(region="01", period=period, acting_user=user)
        version = report_open_draft(report=report, acting_user=user)
        report_save_draft(version=version, figures=half, lock_version=0, acting_user=user)

    def _submitted(self, user: User, period: ReportingPeriod, population: int) -> None:
        figures = demo_figures("03", population, period)
        # EMDR drops to zero, so FK's review has a warning and its explanation to read.
        series = {cell: 0 if cell[0] == "EMDR" else v for cell, v in figures.series.items()}
        figures = Figures(series=series, extras=figures.extras, comment="Fullständig rapport.")
        report = report_get_or_create(region="03", period=period, acting_user=user)
        version = report_open_draft(report=report, acting_user=user)
        version = report_save_draft(
            version=version, figures=figures, lock_version=0, acting_user=user
        )
        explanations: dict[str, str] = {}
        while True:
            try:
                report_submit(
                    version=version,
                    lock_version=version.lock_version,
                    explanations=explanations,
                    eligibility_confirmed=True,
                    acting_user=user,
                    today=FILED_ON,
                )
                return
            except ValidationFailed as failed:
                if failed.result.errors or explanations:
                    raise CommandError(failed.message) from failed
                explanations = {
                    w.key: EXPLANATIONS.get(w.code, DEMO_EXPLANATION)
                    for w in failed.result.warnings
                }


DEMO_USERNAMES = ["handlaggare", "samordnare01", "samordnare03"]
