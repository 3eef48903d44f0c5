"""The statistics pages and their SVG charts in a real browser, under the strict
CSP: they render, with no console errors; screenshots land in test-artifacts/."""

from __future__ import annotations

import pytest

from rehab.models import Agreement, PopulationFigure, Region
from tests.factories import TEST_PASSWORD, report_version

YEARS = range(2014, 2021)


def fill_years(user) -> None:
    """Every region reports 2014–2020 with figures that vary by region and year;
    region 25 has nothing for 2019 and region 24 nothing accepted for 2020. 2014 and
    2015 are reported by quarter, 2016-2020 once a year (villkor 3)."""
    regions = list(Region.objects.order_by("code").values_list("code", flat=True))
    for year in YEARS:
        agreement = Agreement.objects.get(year=year)
        for index, code in enumerate(regions):
            PopulationFigure.objects.get_or_create(
                region_id=code,
                reference_date=agreement.statistics_reference_date,
                age_band=agreement.statistics_age_band,
                defaults={"population": 60_000 + 37_000 * ((index * 7) % 21)},
            )
            if code == "25" and year == 2019:
                continue
            if year >= 2016:
                # Villkor 3 is one yearly report: the four quarters' figures summed.
                # Region 24 has not had its 2020 report accepted.
                if code == "24" and year == 2020:
                    continue
                series: dict = {}
                extras: dict = {}
                for quarter in (1, 2, 3, 4):
                    quarter_series, quarter_extras = figures(index, year, quarter)
                    for cell, value in quarter_series.items():
                        series[cell] = series.get(cell, 0) + value
                    for cell, value in quarter_extras.items():
                        extras[cell] = extras.get(cell, 0) + value
                report_version(region=code, year=year, user=user, series=series, extras=extras)
                continue
            for quarter in (1, 2, 3, 4):
                quarter_series, quarter_extras = figures(index, year, quarter)
                report_version(
                    region=code,
                    year=year,
                    quarter=quarter,
                    user=user,
                    series=quarter_series,
                    extras=quarter_extras,
                )


def figures(index: int, year: int, quarter: int) -> tuple[dict, dict]:
    base = 20 + (index * 13 + year * 3 + quarter) % 40
    return (
        {
            ("KBT", "F", "PUBLIC"): base,
            ("KBT", "M", "PRIVATE"): base // 3,
            ("IPT", "F", "PUBLIC"): base // 5,
            ("MMR1", "F", "PUBLIC"): base // 4 + (year - 2014),
            ("MMR2", "M", "PUBLIC"): base // 8,
        },
        {("EMPLOYER_CONTACT", "F"): base // 6, ("AF_CONTACT", "M"): 1},
    )


@pytest.mark.django_db(transaction=True)
def test_statistics_pages_render_in_browser(page, ref, viewer):
    fill_years(viewer)
    page.login("lasare01", TEST_PASSWORD)

    page.goto("/statistik/")
    assert page.page.url.endswith("/statistik/2020/")
    html = page.page.content()
    assert "Statistik 2020" in html
    assert "Bara 20 av 21 regioner har alla årets rapporter godkända" in html
    assert page.page.locator("table").count() >= 7
    shot = page.screenshot("statistics-year-2020")
    page.page.screenshot(path=str(shot.with_name("statistics-year-2020-top.png")))

    page.page.select_option("#stat-year", "2019")
    page.page.click(".year-picker button")
    page.page.wait_for_load_state()
    assert page.page.url.endswith("/statistik/2019/")
    assert "Region Västerbotten" in page.page.content()
    shot = page.screenshot("statistics-year-2019")
    for section in ("psykisk-ohalsa", "kon", "forandring"):
        page.page.locator(f"#{section}").screenshot(
            path=str(shot.with_name(f"statistics-2019-{section}.png"))
        )

    page.goto("/statistik/2019/diagram/")
    assert page.page.locator("svg.bar-chart").count() == 2
    assert page.page.locator("svg.bar-chart rect.bar").count() == 2 * 21  # 20 regions + Riket
    assert page.page.locator("table.chart-data").count() == 2
    page.screenshot("statistics-charts-2019")
    page.page.locator("figure.chart").first.screenshot(
        path=str(page.screenshot("statistics-charts-2019").with_name("statistics-bar-chart.png"))
    )

    page.goto("/statistik/tidsserie/")
    assert page.page.locator("svg.line-chart").count() == 2
    assert page.page.locator("svg.line-chart > title").all_text_contents() == [
        "Riket: antal genomförda behandlingar per år",
        "Riket: behandlingar per 1 000 invånare per år",
    ]
    # 2019 and 2020 are incomplete (regions 24 and 25): hollow points.
    assert page.page.locator("svg.line-chart circle.dot.partial").count() == 2 * 2 * 2
    # 2014–2020 from reports, 2009 and 2013 from SKR's published history (reports win
    # over SKR's 2015–2018); 2010–2012 have neither.
    assert page.page.locator("svg.line-chart circle.dot").count() == 2 * 2 * 12 - 2 * 2 * 3
    assert page.page.locator("svg.line-chart circle.dot.published").count() == 2 * 2 * 2
    page.screenshot("statistics-series")
    page.page.locator("figure.chart").first.screenshot(
        path=str(page.screenshot("statistics-series").with_name("statistics-line-chart.png"))
    )

    page.page.select_option("#scope", "01")
    page.page.click(".scope-picker button")
    page.page.wait_for_load_state()
    assert "Region Stockholm år för år" in page.page.content()
    assert page.page.locator("svg.line-chart circle.dot.partial").count() == 0
    width = page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280  # nothing sticks out to the side
    page.screenshot("statistics-series-01")

    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_public_statistics_without_logging_in(page, ref, viewer):
    """Anyone reads the statistics (no login): the year, its charts, the series
    from 2009 with SKR's history marked, the paid amounts; no console errors."""
    fill_years(viewer)
    page.goto("/statistik/")
    assert page.page.url.endswith("/statistik/2020/")
    assert "Logga in" in page.page.content()  # not logged in
    assert page.page.locator("table").count() >= 7

    page.goto("/statistik/tidsserie/")
    html = page.page.content()
    assert "Källa: SKR för 2009, 2013" in html
    assert page.page.locator("svg.line-chart circle.dot.published").count() == 2 * 2 * 2
    kbt = page.page.locator("#tidsserie-kbt-ipt")
    assert "2009 (Källa: SKR)" in kbt.inner_text()
    assert "2\xa0487" in kbt.locator("tbody tr").first.inner_text()  # Stockholm 2009, as published
    page.screenshot("statistics-public-series")

    page.goto("/statistik/2019/diagram/")
    assert page.page.locator("svg.bar-chart").count() == 2
    page.goto("/statistik/utbetalt/")
    assert "Ingen utbetalningskörning är attesterad" in page.page.content()
    page.goto("/utbetalningar/")
    assert "/konto/logga-in/" in page.page.url  # nothing else became public
    assert page.console_errors == []
