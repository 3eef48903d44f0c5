"""Statistics work for a year reported as one yearly period ("2020", quarter empty)
as well as for quarters: figures are summed per agreement year either way."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from followup import selectors, tables
from rehab.models import Agreement, ReportingPeriod
from tests.factories import report_version

pytestmark = pytest.mark.django_db


def make_2019_yearly() -> None:
    agreement = Agreement.objects.get(year=2019)
    quarters = list(ReportingPeriod.objects.filter(agreement=agreement))
    condition = quarters[0].condition
    ReportingPeriod.objects.filter(pk__in=[p.pk for p in quarters]).delete()
    ReportingPeriod.objects.create(
        agreement=agreement,
        condition=condition,
        quarter=None,
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2019, 12, 31),
        opens_on=datetime.date(2020, 1, 1),
        deadline=datetime.date(2020, 8, 15),
    )


def test_a_yearly_period_counts_like_four_quarters(client, coordinator, no_history):
    make_2019_yearly()
    report_version(
        region="01",
        year=2019,
        quarter=None,  # type: ignore[arg-type]
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 12, ("MMR1", "M", "PUBLIC"): 3},
    )
    report_version(
        region="01", year=2018, quarter=1, user=coordinator, series={("KBT", "F", "PUBLIC"): 10}
    )
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
