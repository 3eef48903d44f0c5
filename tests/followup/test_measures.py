"""SKR's other measures (the "Fler mått" page): change per treatment and area with
its sign, women and men per area, video share, contacts per 100 series, the bonus
against its cap and each region's rank, against hand-computed values."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from followup import measures, selectors
from payments.selectors import PaidSums
from rehab.models import PopulationFigure
from tests.factories import report_version

pytestmark = pytest.mark.django_db


def figures(year: int) -> selectors.YearFigures:
    agreement = next(a for a in selectors.agreements_with_periods() if a.year == year)
    return selectors.year_figures(agreement)


def values(table, key: str) -> list:
    row = next(r for r in table.all_rows if r.key == key)
    return [c.value if c.value is not None else c.missing for c in row.cells]


@pytest.fixture
def two_years(coordinator) -> None:
    """01: 2018 KBT 40, MMR1 16; 2019 KBT 41 (women), IPT 8 (men), MMR1 13 (men),
    9 contacts. 03: 2019 KBT 10. 04: 2019 KBT 5 and no population figure."""
    report_version(
        region="01",
        year=2018,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 40, ("MMR1", "F", "PUBLIC"): 16},
    )
    report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={
            ("KBT", "F", "PUBLIC"): 41,
            ("IPT", "M", "PUBLIC"): 8,
            ("MMR1", "M", "PUBLIC"): 13,
        },
        extras={("EMPLOYER_CONTACT", "F"): 7, ("AF_CONTACT", "M"): 2},
    )
    report_version(region="03", year=2019, user=coordinator, series={("KBT", "F", "PUBLIC"): 10})
    report_version(region="04", year=2019, user=coordinator, series={("KBT", "M", "PUBLIC"): 5})
    for region, population in (("01", 20_000), ("03", 10_000)):
        PopulationFigure.objects.create(
            region_id=region,
            reference_date=datetime.date(2019, 11, 1),
            age_band="16-67",
            population=population,
        )


def test_change_per_treatment_and_area_with_sign(two_years):
    t = measures.treatment_change_table(figures(2019), figures(2018))
    assert [c.heading for c in t.columns] == ["2018", "2019", "Förändring", "Förändring %"]
    # KBT 40 -> 56 (41 + 10 + 5): +16 = +40.0 %
    assert values(t, "KBT") == [40, 56, 16, Decimal("40.0")]
    assert values(t, "IPT") == [0, 8, 8, "–"]  # no percentage of nothing
    # MMR1 16 -> 13: -3 = -18.75 % -> -18.8 (half away from zero)
    assert values(t, "MMR1") == [16, 13, -3, Decimal("-18.8")]
    # Mental ill-health 40 -> 64: +24 = +60.0 %; pain as MMR1.
    assert values(t, "area-mental") == [40, 64, 24, Decimal("60.0")]
    assert values(t, "area-pain") == [16, 13, -3, Decimal("-18.8")]


def test_sex_per_area(two_years):
    t = measures.sex_by_area_table(figures(2019))
    # 01 mental: women 41 of 49 = 83.67 -> 83.7 %, men 8 = 16.33 -> 16.3 %; pain: men 13.
    assert values(t, "01") == [
        41,
        Decimal("83.7"),
        8,
        Decimal("16.3"),
        0,
        Decimal("0.0"),
        13,
        Decimal("100.0"),
    ]
    assert values(t, "05") == ["saknas"] * 8  # no accepted report: never zeros
    # Riket: women 41 + 10 = 51 of 64 = 79.69 -> 79.7 %, men 13 = 20.31 -> 20.3 %
    assert values(t, "ALL")[:4] == [51, Decimal("79.7"), 13, Decimal("20.3")]


def test_contacts_per_100_and_rank(two_years):
    f = figures(2019)
    contacts = measures.contacts_per_100_table(f)
    # 9 contacts × 100 / 62 series = 14.516 -> 14.5
    assert values(contacts, "01") == [9, 62, Decimal("14.5")]
    assert values(contacts, "03") == [0, 10, Decimal("0.0")]
    rank = measures.rank_table(f)
    # KBT+IPT: 01 49 × 1000 / 20 000 = 2.45 -> 2.5; 03 10 / 10 000 -> 1.0.
    # MMR: 01 13 / 20 000 = 0.65 -> 0.7; 03 0.0.
    assert values(rank, "01") == [Decimal("2.5"), "1 av 2", Decimal("0.7"), "1 av 2"]
    assert values(rank, "03") == [Decimal("1.0"), "2 av 2", Decimal("0.0"), "2 av 2"]
    assert values(rank, "04") == ["befolkning saknas", "–", "befolkning saknas", "–"]
    assert values(rank, "05") == ["saknas", "–", "saknas", "–"]


def test_ranks_share_a_place_when_equal():
    assert measures._ranks({"a": Decimal("2.0"), "b": Decimal("3.1"), "c": Decimal("2.0")}) == {
        "b": 1,
        "a": 2,
        "c": 2,
    }


def test_video_share_from_2020(ref, coordinator):
    assert measures.video_table(figures(2019)) is None  # not asked before 2020
    report_version(
        region="01",
        year=2020,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 30},
        extras={("VIDEO", "F"): 6},
    )
    t = measures.video_table(figures(2020))
    assert t is not None
    assert values(t, "01") == [6, 30, Decimal("20.0")]


def test_bonus_against_its_cap(ref):
    agreements = selectors.agreements_with_periods()
    t = measures.bonus_cap_table(agreements, {2019: {"01": PaidSums(1_000_000_00, 12_500_000_00)}})
    assert [r.key for r in t.rows] == ["2016", "2017", "2018", "2019", "2020"]  # model B
    # 12.5 MSEK of a 50 MSEK cap = 25.0 %
    assert values(t, "2019") == [12_500_000_00, 50_000_000_00, Decimal("25.0")]
    assert values(t, "2018") == ["ej utbetalt", 50_000_000_00, "–"]


def test_measures_page_and_export_show_the_sign(client, two_years):
    html = client.get(reverse("statistics:measures", kwargs={"year": 2019})).content.decode()
    assert "+40,0&nbsp;%" in html
    assert "\u221218,8&nbsp;%" in html  # one minus sign (issue 15)
    assert html.count('class="chart"') >= 6  # every measure has its chart beside its table
    url = reverse(
        "statistics:measures_export",
        kwargs={"year": 2019, "table": "forandring-behandling", "fmt": "csv"},
    )
    lines = client.get(url).content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Behandling;2018;2019;Förändring;Förändring %"
    assert "MMR1 Multimodal rehabilitering nivå 1 (MMR1);16;13;-3;-18,8" in lines
    assert lines[1] == "KBT Kognitiv beteendeterapi (KBT);40;56;+16;+40,0"
