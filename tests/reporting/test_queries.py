"""The list pages cost the same number of queries however many regions have
reported: the region overview, the report form and FK's inbox, each measured with
1 region's reports and then with all 21 regions' (an N+1 would show as a
difference)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rehab.models import Region
from tests.factories import report_version

pytestmark = pytest.mark.django_db

SERIES = {("KBT", "F", "PUBLIC"): 12, ("IPT", "M", "PRIVATE"): 3, ("MMR1", "F", "PUBLIC"): 2}
EXTRAS = {("EMPLOYER_CONTACT", "F"): 1}


def reports_for(regions: list[str], user: Any) -> None:
    """Per region (yearly reports): 2018 accepted (history for the checks), 2019
    accepted then corrected and submitted again, 2020 submitted, 2017 a draft."""
    for region in regions:
        report_version(region=region, year=2018, user=user, series=SERIES)
        report_version(region=region, year=2019, user=user, series=SERIES)
        report_version(region=region, year=2019, user=user, series=SERIES, status="SUBMITTED")
        report_version(
            region=region,
            year=2020,
            user=user,
            series=SERIES,
            extras=EXTRAS,
            status="SUBMITTED",
        )
        report_version(region=region, year=2017, user=user, series=SERIES, status="DRAFT")


def queries(client: Any, path: str) -> int:
    client.get(path)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def other_regions() -> list[str]:
    return list(Region.objects.exclude(code="01").values_list("code", flat=True))


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("coordinator", reverse("reporting:overview")),
        ("coordinator", reverse("reporting:report", args=("01", 2017))),  # the draft's form
        ("case_officer", reverse("reporting:inbox")),
        ("case_officer", reverse("reporting:inbox") + "?status=ALL"),
        ("case_officer", reverse("reporting:inbox") + "?status=MISSING"),
        ("case_officer", reverse("reporting:inbox") + "?status=MISSING&agreement=2020"),
    ],
)
def test_page_queries_do_not_grow_with_the_number_of_regions(
    request, login, coordinator, django_assert_num_queries, role, path
):
    client = login(request.getfixturevalue(role))
    reports_for(["01"], coordinator)
    with_one_region = queries(client, path)
    reports_for(other_regions(), coordinator)
    assert len(other_regions()) == 20
    client.get(path)
    with django_assert_num_queries(with_one_region):
        response = client.get(path)
    assert response.status_code == 200


def test_inbox_lists_all_21_regions(login, coordinator, case_officer):
    reports_for(["01", *other_regions()], coordinator)
    html = login(case_officer).get(reverse("reporting:inbox")).content.decode()
    assert "42 rapporter" in html  # 2019's correction and 2020 per region, to review


def test_missing_reports_query_count_does_not_grow_with_the_regions(
    login, case_officer, django_assert_num_queries
):
    """1 active region against 21: the same queries, 1 and 21 rows listed."""
    client = login(case_officer)
    path = reverse("reporting:inbox") + "?status=MISSING&agreement=2014&quarter=1"
    Region.objects.exclude(code="01").update(active=False)
    one = queries(client, path)
    assert "1 rapport saknas" in client.get(path).content.decode()
    Region.objects.update(active=True)
    with django_assert_num_queries(one):
        response = client.get(path)
    assert "21 rapporter saknas" in response.content.decode()


def test_review_queries_do_not_grow_with_regions_or_history(
    login, coordinator, case_officer, django_assert_num_queries
):
    """FK's review of region 01's corrected 2020 (version 2 submitted, version 1 in
    force, 2019 accepted): the same queries with only region 01's reports as with
    every region's reports and the rest of region 01's history."""
    client = login(case_officer)
    path = reverse("reporting:review", args=("01", 2020))
    report_version(region="01", year=2019, user=coordinator, series=SERIES)
    report_version(region="01", year=2020, user=coordinator, series=SERIES)
    report_version(
        region="01",
        year=2020,
        user=coordinator,
        series=SERIES,
        extras=EXTRAS,
        status="SUBMITTED",
    )
    small = queries(client, path)
    reports_for(other_regions(), coordinator)
    for year in (2016, 2017, 2018):
        report_version(region="01", year=year, user=coordinator, series=SERIES)
    client.get(path)
    with django_assert_num_queries(small):
        response = client.get(path)
    assert response.status_code == 200
    assert 'name="version" value="2"' in response.content.decode()
