"""The SVG chart geometry (plain Python): round axis steps, bars to scale with
missing values last and labelled, lines broken where a year is missing."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.urls import reverse

from followup.charts import bar_chart, line_chart, nice_step
from tests.factories import report_version
from tests.followup.test_statistics import build_2019


def test_nice_step_is_round():
    assert nice_step(Decimal("4.0")) == Decimal("1")
    assert nice_step(Decimal("1.3")) == Decimal("0.5")
    assert nice_step(6001) == Decimal("2E+3")
    assert nice_step(0) == Decimal("1")


def test_bar_chart_sorts_scales_and_labels_missing():
    chart = bar_chart(
        "KBT+IPT",
        [("A", Decimal("1.0"), ""), ("B", None, ""), ("C", Decimal("4.0"), "own")],
    )
    assert [bar.label for bar in chart.bars] == ["C", "A", "B"]
    assert [bar.value_text for bar in chart.bars] == ["4,0", "1,0", "saknas"]
    assert [bar.missing for bar in chart.bars] == [False, False, True]
    # The axis ends at 4, so C fills the plot and A a quarter of it.
    assert [bar.width for bar in chart.bars] == ["420.0", "105.0", "0.0"]
    assert [tick.label for tick in chart.ticks] == ["0", "1", "2", "3", "4"]


def test_line_chart_breaks_at_missing_years_and_marks_partial():
    chart = line_chart(
        "Riket",
        [2017, 2018, 2019, 2020],
        [("KBT+IPT", "s1", [10, None, 30, 40])],
        partial=[[False, False, False, True]],
        partial_text="ofullständigt",
    )
    (line,) = chart.lines
    assert len(line.segments) == 2
    assert len(line.segments[0].split()) == 1
    assert len(line.segments[1].split()) == 2
    assert [p.title for p in line.points] == [
        "KBT+IPT 2017: 10",
        "KBT+IPT 2019: 30",
        "KBT+IPT 2020: 40 (ofullständigt)",
    ]
    assert [p.partial for p in line.points] == [False, False, True]
    assert [t.label for t in chart.x_ticks] == ["2017", "2018", "2019", "2020"]
    assert chart.title == "Riket"


def test_line_chart_has_one_step_per_year_and_years_without_data_are_a_gap():
    # 2021-2025 had no agreement: 2026 is not drawn right after 2020.
    chart = line_chart("Riket", [2019, 2020, 2026], [("KBT", "s1", [10, 20, 30])])
    assert [t.label for t in chart.x_ticks] == [str(y) for y in range(2019, 2027)]
    xs = [float(t.pos) for t in chart.x_ticks]
    steps = [b - a for a, b in itertools.pairwise(xs)]
    assert max(steps) - min(steps) <= 0.11  # evenly spaced years (positions have 1 decimal)
    (line,) = chart.lines
    assert [len(segment.split()) for segment in line.segments] == [2, 1]
    assert [p.x for p in line.points] == [
        chart.x_ticks[0].pos,
        chart.x_ticks[1].pos,
        chart.x_ticks[7].pos,
    ]


@pytest.mark.django_db
def test_charts_page_in_english_uses_a_decimal_point(client, case_officer):
    build_2019(case_officer)
    client.force_login(case_officer)
    url = reverse("statistics:charts", kwargs={"year": 2019})
    html = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert ">0.3</text>" in html  # Region Stockholm: 0.25 -> 0.3
    assert ">2.5</text>" in html
    html = client.get(url).content.decode()
    assert ">0,3</text>" in html
    assert 'style="' not in html and "<style" not in html


@pytest.mark.django_db
def test_series_page_charts_a_chosen_region(client, viewer):
    # One quarter of a model A year: an incomplete year; 2018 is one yearly report.
    report_version(
        region="03", year=2014, quarter=1, user=viewer, series={("KBT", "F", "PUBLIC"): 12}
    )
    report_version(region="03", year=2018, user=viewer, series={("KBT", "F", "PUBLIC"): 30})
    client.force_login(viewer)
    html = client.get(reverse("statistics:series") + "?region=03").content.decode()
    assert "Region Uppsala: antal genomförda behandlingar per år" in html
    assert "<title>KBT+IPT 2014: 12 (ofullständigt)</title>" in html
    assert "<title>KBT+IPT 2018: 30</title>" in html
    html = client.get(reverse("statistics:series") + "?region=xx").content.decode()
    assert "Riket: antal genomförda behandlingar per år" in html
