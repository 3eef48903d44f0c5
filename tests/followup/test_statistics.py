"""The yearly statistics (spec §8) from accepted report versions: tables, national
totals, percentages and per-1,000 figures against hand-computed values."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from followup import selectors, tables
from followup.arith import per_1000, percent
from followup.tables import NATIONAL
from rehab.models import Agreement, PopulationFigure
from tests.factories import report_version

pytestmark = pytest.mark.django_db

# 2019's statistics use inhabitants 16–67 on 1 November 2019 (SKR: 1 Nov of the report year).
REF_2019 = datetime.date(2019, 11, 1)

R01_QUARTER = {
    ("KBT", "F", "PUBLIC"): 10,
    ("KBT", "M", "PRIVATE"): 5,
    ("IPT", "F", "PUBLIC"): 2,
    ("PDT", "M", "PUBLIC"): 1,
    ("MMR1", "F", "PUBLIC"): 3,
    ("MMR2", "M", "PUBLIC"): 1,
}
R01_EXTRAS = {("EMPLOYER_CONTACT", "F"): 4, ("AF_CONTACT", "M"): 1}


def population(
    region: str, value: int, date: datetime.date = REF_2019, band: str = "16-67"
) -> None:
    PopulationFigure.objects.create(
        region_id=region, reference_date=date, age_band=band, population=value
    )


def build_2019(user) -> None:
    """2019 is reported once a year (villkor 3). 01: the year's report accepted, four
    times R01_QUARTER. 03: accepted with figures for KBT only. 04: accepted with MMR2
    and a contact, then a correction submitted and not yet reviewed (it does not
    count). The other 18 regions: nothing."""
    report_version(
        region="01",
        year=2019,
        user=user,
        series={cell: 4 * value for cell, value in R01_QUARTER.items()},
        extras={cell: 4 * value for cell, value in R01_EXTRAS.items()},
    )
    report_version(
        region="03",
        year=2019,
        user=user,
        series={("KBT", "F", "PUBLIC"): 49, ("KBT", "M", "PUBLIC"): 351},
    )
    report_version(
        region="04",
        year=2019,
        user=user,
        series={("MMR2", "F", "PRIVATE"): 7},
        extras={("AF_CONTACT", "F"): 2},
    )
    report_version(
        region="04",
        year=2019,
        user=user,
        series={("KBT", "F", "PUBLIC"): 100},
        status="SUBMITTED",
    )
    population("01", 272_000)
    population("03", 160_000)


def year_tables(year: int = 2019) -> dict[str, tables.Table]:
    figures = selectors.year_figures(Agreement.objects.get(year=year))
    return {t.slug: t for t in [tables.status_table(figures), *tables.year_tables(figures)]}


def values(table: tables.Table, key: str) -> list:
    row = next(r for r in table.all_rows if r.key == key)
    return [c.value if c.value is not None else c.missing for c in row.cells]


def test_percent_and_per_1000_round_half_up():
    assert percent(49, 400) == Decimal("12.3")  # 12.25
    assert percent(351, 400) == Decimal("87.8")  # 87.75
    assert percent(1, 3) == Decimal("33.3")
    assert percent(2, 3) == Decimal("66.7")
    assert percent(5, 0) is None
    assert per_1000(68, 272_000) == Decimal("0.3")  # 0.25
    assert per_1000(1, 8_000) == Decimal("0.1")  # 0.125
    assert per_1000(400, 160_000) == Decimal("2.5")
    assert per_1000(3, None) is None
    assert percent(-49, 400) == Decimal("-12.3")


def test_year_mental_table_per_region_and_nation(coordinator):
    build_2019(coordinator)
    t = year_tables()["psykisk-ohalsa"]
    headings = [c.heading for c in t.columns]
    assert headings == [
        "Godkända rapporter",
        "KBT",
        "IKBT",
        "IPT",
        "PDT",
        "EMDR",
        "OTHER_PSY",
        "Summa psykisk ohälsa",
        "KBT+IPT",
        "KBT+IPT per 1 000 invånare 16–67 år",
    ]
    assert values(t, "01") == ["1 av 1", 60, 0, 8, 4, 0, 0, 72, 68, Decimal("0.3")]
    assert values(t, "03") == ["1 av 1", 400, 0, 0, 0, 0, 0, 400, 400, Decimal("2.5")]
    # 04: the accepted version counts, not the submitted correction; no population.
    assert values(t, "04") == ["1 av 1", 0, 0, 0, 0, 0, 0, 0, 0, "befolkning saknas"]
    # A region without an accepted report says so, it is not a zero.
    assert values(t, "05") == ["0 av 1"] + ["saknas"] * 9
    assert values(t, NATIONAL) == [
        "3 av 21 regioner",
        460,
        0,
        8,
        4,
        0,
        0,
        472,
        468,
        "befolkning saknas",
    ]
    assert [r.key for r in t.rows] == [
        "01",
        "03",
        "04",
        "05",
        "06",
        "07",
        "08",
        "09",
        "10",
        "12",
        "13",
        "14",
        "17",
        "18",
        "19",
        "20",
        "21",
        "22",
        "23",
        "24",
        "25",
    ]


def test_year_pain_table(coordinator):
    build_2019(coordinator)
    t = year_tables()["smarta"]
    assert [c.heading for c in t.columns][1:] == [
        "MMR1",
        "MMR2",
        "BEHAV",
        "ACTIVE",
        "OTHER_PAIN",
        "Summa långvarig smärta",
        "MMR1+MMR2",
        "MMR1+MMR2 per 1 000 invånare 16–67 år",
    ]
    # 16 × 1000 / 272 000 = 0.0588… -> 0.1
    assert values(t, "01") == ["1 av 1", 12, 4, 0, 0, 0, 16, 16, Decimal("0.1")]
    assert values(t, "03") == ["1 av 1", 0, 0, 0, 0, 0, 0, 0, Decimal("0.0")]
    assert values(t, "04") == ["1 av 1", 0, 7, 0, 0, 0, 7, 7, "befolkning saknas"]
    assert values(t, NATIONAL) == ["3 av 21 regioner", 12, 11, 0, 0, 0, 23, 23, "befolkning saknas"]


def test_year_sex_and_provider_shares(coordinator):
    build_2019(coordinator)
    sex, provider = year_tables()["kon"], year_tables()["vardgivare"]
    assert [c.heading for c in sex.columns][1:] == ["Kvinnor", "Kvinnor %", "Män", "Män %", "Summa"]
    # 60/88 = 68.18 %, 28/88 = 31.82 %
    assert values(sex, "01") == ["1 av 1", 60, Decimal("68.2"), 28, Decimal("31.8"), 88]
    # 49/400 = 12.25 % -> 12.3 and 351/400 = 87.75 % -> 87.8 (each rounded by itself)
    assert values(sex, "03") == ["1 av 1", 49, Decimal("12.3"), 351, Decimal("87.8"), 400]
    assert values(sex, "05") == ["0 av 1"] + ["saknas"] * 5
    # 116/495 = 23.43 %, 379/495 = 76.57 %
    assert values(sex, NATIONAL) == [
        "3 av 21 regioner",
        116,
        Decimal("23.4"),
        379,
        Decimal("76.6"),
        495,
    ]
    assert values(provider, "01") == ["1 av 1", 68, Decimal("77.3"), 20, Decimal("22.7"), 88]
    assert values(provider, "04") == ["1 av 1", 0, Decimal("0.0"), 7, Decimal("100.0"), 7]
    # 468/495 = 94.545… -> 94.5; 27/495 = 5.4545… -> 5.5
    assert values(provider, NATIONAL) == [
        "3 av 21 regioner",
        468,
        Decimal("94.5"),
        27,
        Decimal("5.5"),
        495,
    ]


def test_year_contacts(coordinator):
    build_2019(coordinator)
    t = year_tables()["kontakter"]
    assert values(t, "01") == ["1 av 1", 16, 4, 20, *values(t, "01")[4:]]
    assert values(t, "04")[:4] == ["1 av 1", 0, 2, 2]
    assert values(t, NATIONAL)[:4] == ["3 av 21 regioner", 16, 6, 22]


def test_year_status_table_says_which_quarters_count(coordinator):
    build_2019(coordinator)
    t = year_tables()["rapporter"]
    assert [c.heading for c in t.columns] == ["Årsrapport", "Godkända rapporter"]
    assert values(t, "01") == ["Godkänd", "1 av 1"]
    # 04's accepted version counts while its correction awaits FK.
    assert values(t, "04") == ["Godkänd", "1 av 1"]
    assert values(t, "05") == ["Saknas", "0 av 1"]
    assert values(t, NATIONAL)[-1] == "3 av 21 regioner"
    report_version(region="05", year=2019, user=coordinator, status="SUBMITTED")
    t = year_tables()["rapporter"]
    assert values(t, "05") == ["Inskickad, ej granskad", "0 av 1"]


def test_national_per_1000_when_every_region_has_a_population(coordinator):
    build_2019(coordinator)
    for code in selectors.Region.objects.exclude(code__in=["01", "03"]).values_list(
        "code", flat=True
    ):
        population(code, 100_000)
    t = year_tables()["psykisk-ohalsa"]
    # 19 × 100 000 + 272 000 + 160 000 = 2 332 000; 468 × 1000 / 2 332 000 = 0.2007 -> 0.2
    assert values(t, NATIONAL)[-1] == Decimal("0.2")
    assert values(t, "04")[-1] == Decimal("0.0")


def test_correction_replaces_figures_and_open_versions_never_count(coordinator):
    report_version(region="01", year=2019, user=coordinator, series={("KBT", "F", "PUBLIC"): 40})
    # A correction submitted but not yet accepted: the accepted version still counts.
    report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 45},
        status="SUBMITTED",
    )
    assert values(year_tables()["psykisk-ohalsa"], "01")[1] == 40


def test_accepted_correction_counts_instead_of_the_original(coordinator):
    report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 40, ("IPT", "M", "PRIVATE"): 3},
    )
    report_version(region="01", year=2019, user=coordinator, series={("KBT", "F", "PUBLIC"): 49})
    t = year_tables()
    assert values(t["psykisk-ohalsa"], "01")[:4] == ["1 av 1", 49, 0, 0]
    assert values(t["kon"], "01") == ["1 av 1", 49, Decimal("100.0"), 0, Decimal("0.0"), 49]
    assert values(t["vardgivare"], NATIONAL)[1:] == [49, Decimal("100.0"), 0, Decimal("0.0"), 49]


def test_returned_and_draft_versions_never_count(coordinator):
    version = report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 40},
        status="SUBMITTED",
    )
    from reporting.models import ReportVersion

    ReportVersion.objects.filter(pk=version.pk).update(status="RETURNED")
    report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 41},
        status="DRAFT",
    )
    t = year_tables()
    assert values(t["psykisk-ohalsa"], "01") == ["0 av 1"] + ["saknas"] * 9
    assert values(t["rapporter"], "01") == ["Saknas", "0 av 1"]
    assert values(t["psykisk-ohalsa"], NATIONAL)[1] == "saknas"


def test_change_against_previous_year(coordinator, no_history):
    build_2019(coordinator)
    report_version(
        region="01",
        year=2018,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 50, ("MMR1", "F", "PUBLIC"): 20},
    )
    agreements = [a for a in selectors.agreements_with_periods() if a.year in (2018, 2019)]
    t = tables.change_table(selectors.time_series(agreements), 2019)
    assert [c.heading for c in t.columns][:4] == [
        "KBT+IPT 2018",
        "KBT+IPT 2019",
        "KBT+IPT förändring",
        "KBT+IPT förändring %",
    ]
    # KBT+IPT 50 -> 68: +18 = +36.0 %; MMR 20 -> 16: -4 = -20.0 %; all 70 -> 88: +25.7 %
    assert values(t, "01") == [
        50,
        68,
        18,
        Decimal("36.0"),
        20,
        16,
        -4,
        Decimal("-20.0"),
        70,
        88,
        18,
        Decimal("25.7"),
    ]
    # Both years are one accepted yearly report: neither is partial.
    assert next(c.partial for c in next(r for r in t.rows if r.key == "01").cells) is False
    assert values(t, "03") == [
        "saknas",
        400,
        "–",
        "–",
        "saknas",
        0,
        "–",
        "–",
        "saknas",
        400,
        "–",
        "–",
    ]
    assert values(t, NATIONAL)[:4] == [50, 468, 418, Decimal("836.0")]


def test_time_series_per_region_and_nation(coordinator, no_history):
    build_2019(coordinator)
    report_version(
        region="01",
        year=2012,
        quarter=2,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 7, ("MMR2", "M", "PUBLIC"): 2},
    )
    population("01", 250_000, datetime.date(2012, 11, 1), "16-65")
    ts = selectors.time_series(selectors.agreements_with_periods())
    assert ts.years == list(range(2009, 2021))
    by_slug = {t.slug: t for t in tables.all_series_tables(ts)}
    kbt = by_slug["tidsserie-kbt-ipt"]
    assert [c.heading for c in kbt.columns] == [str(y) for y in range(2009, 2021)]
    assert values(kbt, "01") == ["saknas"] * 3 + [7] + ["saknas"] * 6 + [68, "saknas"]
    assert values(kbt, NATIONAL)[3] == 7
    assert values(kbt, NATIONAL)[10] == 468
    rate = by_slug["tidsserie-kbt-ipt-per-1000"]
    # 2012: 7 × 1000 / 250 000 (16–65 on 2012-11-01) = 0.028 -> 0.0; 2019: 0.25 -> 0.3
    assert values(rate, "01")[3] == Decimal("0.0")
    assert values(rate, "01")[10] == Decimal("0.3")
    mmr_rate = by_slug["tidsserie-mmr-per-1000"]
    assert values(mmr_rate, "01")[3] == Decimal("0.0")
    national = by_slug["tidsserie-riket"]
    assert values(national, "2019") == [
        468,
        "befolkning saknas",
        23,
        "befolkning saknas",
        495,
        "16–67 år",
        "befolkning saknas",
        "Godkända rapporter",
        "3 av 21",
    ]
    assert values(national, "2012")[0] == 7
    assert values(national, "2012")[-4:] == [
        "16–65 år",
        "befolkning saknas",
        "Godkända rapporter",
        "0 av 21",
    ]
    assert values(national, "2010") == ["saknas"] * 5 + ["16–65 år", "–", "–", "0 av 21"]


def test_year_page_shows_tables_and_missing_regions(client, viewer):
    build_2019(viewer)
    client.force_login(viewer)
    response = client.get(reverse("statistics:year", kwargs={"year": 2019}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bara 3 av 21 regioner har alla årets rapporter godkända" in html
    assert '<tr class="own">' in html  # the viewer's own region (01) stands out
    assert "68,2&nbsp;%" in html
    assert "befolkning saknas" in html


def test_index_redirects_to_latest_year_with_accepted_reports(client, case_officer):
    report_version(region="01", year=2017, user=case_officer, series={("KBT", "F", "PUBLIC"): 1})
    client.force_login(case_officer)
    response = client.get(reverse("statistics:index"))
    assert response["Location"] == reverse("statistics:year", kwargs={"year": 2017})
    response = client.get(reverse("statistics:index") + "?ar=2012")
    assert response["Location"] == reverse("statistics:year", kwargs={"year": 2012})
    # Digits that are not ASCII ("²" gave a 500) mean no year chosen: the latest.
    for odd in ("²", "２０１２"):
        response = client.get(reverse("statistics:index") + f"?ar={odd}")
        assert response["Location"] == reverse("statistics:year", kwargs={"year": 2017})


def test_statistics_are_public_and_unknown_year_is_404(client, case_officer):
    response = client.get(reverse("statistics:year", kwargs={"year": 2019}))
    assert response.status_code == 200
    client.force_login(case_officer)
    assert client.get(reverse("statistics:year", kwargs={"year": 2030})).status_code == 404


@pytest.mark.parametrize(
    "name", ["coordinator", "viewer", "case_officer", "approver", "admin_user"]
)
def test_every_role_sees_statistics(client, login, name, request):
    user = request.getfixturevalue(name)
    login(user)
    for url in (
        reverse("statistics:year", kwargs={"year": 2019}),
        reverse("statistics:charts", kwargs={"year": 2019}),
        reverse("statistics:series"),
    ):
        assert client.get(url).status_code == 200


def test_user_without_role_sees_the_public_statistics(client, ref):
    from tests.factories import UserFactory

    user = UserFactory(username="norole")
    client.force_login(user)
    assert client.get(reverse("statistics:year", kwargs={"year": 2019})).status_code == 200


def test_every_year_2009_to_2020_is_handled(client, case_officer):
    """Historical years loaded with import_reports --accept: any year 2009–2020 works."""
    for year in range(2009, 2021):
        report_version(
            region="01",
            year=year,
            quarter=1 if year < 2016 else None,  # model A years by quarter, then yearly
            user=case_officer,
            series={("KBT", "F", "PUBLIC"): year - 2000, ("MMR1", "M", "PUBLIC"): 1},
        )
    client.force_login(case_officer)
    for year in range(2009, 2021):
        response = client.get(reverse("statistics:year", kwargs={"year": year}))
        assert response.status_code == 200
        assert values(year_tables(year)["psykisk-ohalsa"], "01")[1] == year - 2000
    ts = selectors.time_series(selectors.agreements_with_periods())
    national = tables.series_table(ts)
    assert [values(national, str(y))[0] for y in range(2009, 2021)] == list(range(9, 21))
    assert client.get(reverse("statistics:series")).status_code == 200


def test_model_a_year_has_no_bonus_column(coordinator):
    report_version(
        region="01",
        year=2012,
        quarter=1,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 5},
        extras={("EMPLOYER_CONTACT", "F"): 2},
    )
    t = year_tables(2012)["kontakter"]
    assert [c.heading for c in t.columns] == [
        "Godkända kvartal",
        "Kontakter med arbetsgivare",
        "Kontakter med Arbetsförmedlingen",
        "Summa kontakter",
    ]
    assert values(t, "01") == ["1 av 4", 2, 0, 2]
    assert t.notes == ["Överenskommelsen 2012 har ingen kontaktbonus."]


def test_model_a_year_lists_only_its_treatments(coordinator):
    t = year_tables(2012)
    assert [c.heading for c in t["psykisk-ohalsa"].columns][1:3] == ["KBT", "IPT"]
    assert [c.heading for c in t["smarta"].columns][1:3] == ["MMR1", "MMR2"]
    assert t["psykisk-ohalsa"].columns[-1].heading == "KBT+IPT per 1 000 invånare 16–65 år"


def test_statistics_without_agreements_says_so(client, case_officer):
    Agreement.objects.all().delete()
    client.force_login(case_officer)
    response = client.get(reverse("statistics:index"))
    assert response.status_code == 200
    assert "Det finns inga överenskommelser i systemet" in response.content.decode()
