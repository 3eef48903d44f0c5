"""The spec's worked examples (domain.md §6) as data, and agreements to run them on.

The spec's three made-up regions A, B, C (500,000 / 300,000 / 200,000 inhabitants)
are played by the real regions 01, 03 and 04, with population figures on a
reference date of their own; every other region is set inactive for the test, so
the examples' frames are shared among exactly these three.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from rehab.enums import AgeBand, ConditionKind, PayoutModel, ReportingFrequency
from rehab.models import (
    Agreement,
    AgreementTreatment,
    Condition,
    PopulationFigure,
    Region,
    ReportingPeriod,
    quarter_bounds,
)
from tests.factories import report_version

SEK = 100
A, B, C = "01", "03", "04"
POPULATIONS = {A: 500_000, B: 300_000, C: 200_000}

RATES_2012_SEK = {"MMR1": 25_000, "MMR2": 45_000, "KBT": 12_000, "IPT": 12_000}
ADDON_SEK = 1_000

# series[region][quarter] = {treatment: completed series}
SERIES = {
    A: {
        1: {"KBT": 100, "MMR1": 20},
        2: {"KBT": 120, "MMR1": 20},
        3: {"KBT": 90},
        4: {"KBT": 80, "MMR2": 5},
    },
    B: {
        1: {"KBT": 150, "MMR2": 30},
        2: {"KBT": 160, "MMR2": 30},
        3: {"KBT": 120, "MMR2": 10},
        4: {"KBT": 100},
    },
    C: {1: {"KBT": 10}, 2: {"KBT": 12}, 3: {"KBT": 15, "IPT": 3}, 4: {"KBT": 20}},
}

PAYOUTS_SEK = {
    1: {A: 1_820_000, B: 3_000_000, C: 130_000},
    2: {A: 2_080_000, B: 0, C: 156_000},
    3: {A: 1_100_000, B: 0, C: 234_000},
    4: {A: 0, B: 0, C: 260_000},
}
CEILINGS_SEK = {A: 5_000_000, B: 3_000_000, C: 2_000_000}
REDISTRIBUTION_ORE = {A: 19_346_746, B: 102_653_254, C: 0}
FRAME_A_ORE = 10_000_000 * SEK

CONTACTS = {A: 400, B: 250, C: 30}
BASE_SEK = {A: 250_000_000, B: 150_000_000, C: 100_000_000}
BONUS_SEK = {A: 1_200_000, B: 750_000, C: 90_000}
BONUS_CAPPED_ORE = {A: 58_823_529, B: 36_764_706, C: 4_411_765}

EXAMPLE_A_YEAR = 2099
EXAMPLE_B_YEAR = 2098


def make_agreement(
    year: int, model: str, *, frame_ore: int, bonus_cap_ore: int = 50_000_000 * SEK
) -> Agreement:
    """An agreement of `year` with its four periods; its population figures are the
    spec's, on 31 December of the year before, for A, B and C."""
    reference_date = datetime.date(year - 1, 12, 31)
    agreement = Agreement.objects.create(
        year=year,
        name=f"Räkneexempel {year}",
        payout_model=model,
        frame_ore=frame_ore,
        addon_per_series_ore=ADDON_SEK * SEK if model == PayoutModel.A else 0,
        contact_bonus_per_contact_ore=3_000 * SEK if model == PayoutModel.B else 0,
        contact_bonus_cap_ore=bonus_cap_ore if model == PayoutModel.B else 0,
        population_reference_date=reference_date,
        population_age_band=AgeBand.TOTAL,
    )
    for code, rate in RATES_2012_SEK.items():
        AgreementTreatment.objects.create(
            agreement=agreement,
            treatment_id=code,
            rate_ore=rate * SEK if model == PayoutModel.A else None,
        )
    condition = Condition.objects.create(
        agreement=agreement,
        code="V3" if model == PayoutModel.B else "RG",
        title="Behandlingar",
        kind=ConditionKind.TREATMENTS,
        amount_ore=frame_ore + (bonus_cap_ore if model == PayoutModel.B else 0),
        frequency=ReportingFrequency.QUARTERLY,
    )
    for quarter in (1, 2, 3, 4):
        start, end = quarter_bounds(year, quarter)
        ReportingPeriod.objects.create(
            agreement=agreement,
            condition=condition,
            quarter=quarter,
            start_date=start,
            end_date=end,
            opens_on=start,
            deadline=end,
        )
    for code, population in POPULATIONS.items():
        PopulationFigure.objects.create(
            region_id=code,
            reference_date=reference_date,
            age_band=AgeBand.TOTAL,
            population=population,
        )
    Region.objects.exclude(code__in=POPULATIONS).update(active=False)
    return agreement


def accept_series(region: str, year: int, quarter: int, user: Any, counts: dict[str, int]) -> Any:
    """An accepted report of `counts` series (all women, public care, for simplicity)."""
    return report_version(
        region=region,
        year=year,
        quarter=quarter,
        user=user,
        series={(code, "F", "PUBLIC"): n for code, n in counts.items()},
    )


def accept_contacts(region: str, year: int, quarter: int, user: Any, contacts: int) -> Any:
    """An accepted model-B report with `contacts` employer contacts (split over sexes)."""
    return report_version(
        region=region,
        year=year,
        quarter=quarter,
        user=user,
        series={("KBT", "F", "PUBLIC"): contacts + 5},
        extras={
            ("EMPLOYER_CONTACT", "F"): contacts // 2,
            ("EMPLOYER_CONTACT", "M"): contacts - contacts // 2,
        },
    )


@pytest.fixture
def example_a(ref: None) -> Agreement:
    """The model A worked example's agreement: frame 10,000,000, the 2012 rates."""
    return make_agreement(EXAMPLE_A_YEAR, PayoutModel.A, frame_ore=FRAME_A_ORE)


@pytest.fixture
def example_b(ref: None) -> Agreement:
    """The model B worked example's agreement: frame 500,000,000, bonus 3,000, cap 50 M."""
    return make_agreement(EXAMPLE_B_YEAR, PayoutModel.B, frame_ore=500_000_000 * SEK)
