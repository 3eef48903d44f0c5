"""Each statistics page costs a fixed number of queries: the sums are made by
PostgreSQL, never by loops over reports (1 region and 1 year vs 21 regions and 3 years)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rehab.models import Region
from tests.factories import report_version

pytestmark = pytest.mark.django_db

SERIES = {
    ("KBT", "F", "PUBLIC"): 3,
    ("IPT", "M", "PRIVATE"): 2,
    ("MMR1", "F", "PUBLIC"): 1,
}
EXTRAS = {("EMPLOYER_CONTACT", "F"): 1, ("AF_CONTACT", "M"): 1}


def fill(user, regions: list[str], years: list[int]) -> None:
    """Each year's yearly report (villkor 3 2016–2020) accepted, an accepted
    correction, and an open draft: neither may cost a query more."""
    for year in years:
        for code in regions:
            report_version(region=code, year=year, user=user, series=SERIES, extras=EXTRAS)
            report_version(region=code, year=year, user=user, series=SERIES)
            report_version(region=code, year=year, user=user, series=SERIES, status="DRAFT")


def all_regions() -> list[str]:
    return list(Region.objects.values_list("code", flat=True))


# (url name, kwargs) -> queries, the same at both sizes (the session is read from the
# cache, not counted). The pages read the data version first (with the user for the
# page cache, then one query for the page's figures); here, with the data written in
# the test's own open transaction, they compute their figures (test_statistics_cache:
# the cached case).
PAGES = [
    ("statistics:year", {"year": 2019}, 21),
    ("statistics:charts", {"year": 2019}, 14),
    ("statistics:series", {}, 9),
    ("statistics:year_export", {"year": 2019, "table": "alla", "fmt": "xlsx"}, 19),
    ("statistics:year_export", {"year": 2019, "table": "kon", "fmt": "csv"}, 19),
    ("statistics:series_export", {"table": "alla", "fmt": "xlsx"}, 8),
]


@pytest.mark.parametrize(("name", "kwargs", "queries"), PAGES)
@pytest.mark.parametrize("size", ["small", "large"])
def test_statistics_queries_constant(
    client, case_officer, django_assert_num_queries, name, kwargs, queries, size
):
    if size == "small":
        fill(case_officer, ["01"], [2019])
    else:
        fill(case_officer, all_regions(), [2017, 2018, 2019])
    client.force_login(case_officer)
    url = reverse(name, kwargs=kwargs)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
