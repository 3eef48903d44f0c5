"""A region (01) with three care units collecting per unit in 2020, two unit
reporters, and the period to report."""

from __future__ import annotations

from typing import Any

import pytest

from rehab.enums import Role
from rehab.models import Agreement, CareUnit, ReportingPeriod, UnitCollection
from tests.factories import UserFactory


def the_period() -> ReportingPeriod:
    """2020's period: the yearly one (villkor 3 2016–2020 is reported once a year)."""
    return (
        ReportingPeriod.objects.select_related("agreement")
        .filter(agreement__year=2020)
        .order_by("-start_date")
        .first()
    )  # type: ignore[return-value]


@pytest.fixture
def period(ref: None) -> ReportingPeriod:
    return the_period()


@pytest.fixture
def units(ref: None) -> list[CareUnit]:
    UnitCollection.objects.create(
        region_id="01", agreement=Agreement.objects.get(year=2020), per_unit=True
    )
    return [
        CareUnit.objects.create(region_id="01", name="Vårdcentralen Norr", provider="PUBLIC"),
        CareUnit.objects.create(
            region_id="01", name="Vårdcentralen Söder", provider="PUBLIC", hsa_id="SE2321-0002"
        ),
        CareUnit.objects.create(region_id="01", name="Privata kliniken", provider="PRIVATE"),
    ]


@pytest.fixture
def reporter1(units: list[CareUnit]) -> Any:
    return UserFactory(
        username="enhet1", role=Role.UNIT_REPORTER, region_id="01", care_unit=units[0]
    )


@pytest.fixture
def reporter2(units: list[CareUnit]) -> Any:
    return UserFactory(
        username="enhet2", role=Role.UNIT_REPORTER, region_id="01", care_unit=units[1]
    )
