"""Statistics work for a year reported as one yearly period (villkor 3 2016–2020:
"2019", quarter empty) as well as for quarters (model A years, tested in
test_statistics): figures are summed per agreement year either way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from followup import selectors, tables
from tests.factories import report_version

pytestmark = pytest.mark.django_db


def test_a_yearly_period_counts_like_four_quarters(client, coordinator, no_history):
    report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 12, ("MMR1", "M", "PUBLIC"): 3},
    )
    report_version(region="01", year=2018, user=coordinator, series={("KBT", "F", "PUBLIC"): 10})
    agreements = selectors.agreements_with_periods()
    figures = selectors.year_figures(next(a for a in agreements if a.year == 2019))
    status = tables.status_table(figures)
    assert [c.heading for c in status.columns] == ["Årsrapport", "Godkända rapporter"]
    row = next(r for r in status.rows if r.key == "01")
    assert [c.value for c in row.cells] == ["Godkänd", "1 av 1"]
    assert figures.status["01"].complete
    mental = tables.year_tables(figures)[0]
    assert next(r for r in mental.rows if r.key == "01").cells[-2].value == 12  # KBT+IPT
    ts = selectors.time_series(agreements)
    point = ts.point(2019, "01")
    assert point is not None and (point.kbt_ipt, point.mmr, point.complete) == (12, 3, True)
    change = tables.change_table(ts, 2019)
    assert [c.value for c in next(r for r in change.rows if r.key == "01").cells][:3] == [
        10,
        12,
        2,
    ]
    for name in ("statistics:year", "statistics:charts", "statistics:measures"):
        assert client.get(reverse(name, kwargs={"year": 2019})).status_code == 200
