"""Statistics are computed once per data version and read from the cache after
that: never per request, never stale. These tests commit (transactional_db), as
production does; in a test that has written data in its own open transaction the
pages are computed afresh (rehab.dataversion: a cache is never filled with
uncommitted data)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from rehab.models import DataVersion, Region
from reporting.figures import Figures
from reporting.models import Report
from reporting.services import (
    ValidationFailed,
    report_accept,
    report_save_draft,
    report_start_correction,
    report_submit,
)
from tests.factories import report_version

pytestmark = pytest.mark.django_db(transaction=True)

KBT = ("KBT", "F", "PUBLIC")
PAGES = [
    reverse("statistics:year", kwargs={"year": 2019}),
    reverse("statistics:charts", kwargs={"year": 2019}),
    reverse("statistics:series"),
]
# A cache hit: the user, read with the data version (the session comes from the
# cache, the page from the page cache). Nothing that grows with the data.
HIT_QUERIES = 1


def fill(user, regions: list[str], years: list[int], value: int = 1111) -> None:
    """`value` KBT per quarter: four quarters of a model A year, or the one yearly
    report (villkor 3 2016–2020) with four times `value`."""
    for year in years:
        for code in regions:
            if year >= 2016:
                report_version(region=code, year=year, user=user, series={KBT: 4 * value})
                continue
            for quarter in (1, 2, 3, 4):
                report_version(
                    region=code, year=year, quarter=quarter, user=user, series={KBT: value}
                )


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def number(n: int) -> re.Pattern[str]:
    """n as the pages write it (thousands separated by a space of some kind)."""
    text = f"{n:,}".replace(",", r"\D?")
    return re.compile(rf"(?<![\d]){text}(?![\d])")


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize("path", PAGES)
def test_second_request_reads_the_cache_with_constant_queries(
    client, case_officer, django_assert_num_queries, size, path
):
    if size == "small":
        fill(case_officer, ["01"], [2019])
    else:
        regions = list(Region.objects.values_list("code", flat=True))
        fill(case_officer, regions, [2018, 2019])
    client.force_login(case_officer)
    first = client.get(path)
    assert first.status_code == 200
    with django_assert_num_queries(HIT_QUERIES):
        second = client.get(path)
    assert main(second) == main(first)  # the CSRF token in the header differs


def _correct(report: Report, coordinator, case_officer, value: int) -> None:
    draft = report_start_correction(report=report, reason="Fel i KBT.", acting_user=coordinator)
    draft = report_save_draft(
        version=draft,
        figures=Figures(series={KBT: value}),
        lock_version=draft.lock_version,
        acting_user=coordinator,
    )
    explanations: dict[str, str] = {}
    while True:
        try:
            submitted = report_submit(
                version=draft,
                lock_version=draft.lock_version,
                explanations=explanations,
                eligibility_confirmed=True,
                acting_user=coordinator,
            )
            break
        except ValidationFailed as failed:
            assert not failed.result.errors and not explanations, failed.message
            explanations = {w.key: "Rättat." for w in failed.result.warnings}
    report_accept(version=submitted, acting_user=case_officer)


def test_an_accepted_correction_shows_on_the_next_request(client, coordinator, case_officer):
    fill(coordinator, ["01"], [2019])
    client.force_login(case_officer)
    path = reverse("statistics:year", kwargs={"year": 2019})
    before = main(client.get(path))
    assert number(4444).search(before)  # 4 × 1 111 KBT in 2019
    assert main(client.get(path)) == before  # from the cache
    version_before = DataVersion.objects.get().number

    report = Report.objects.get(region="01", period__agreement__year=2019)
    _correct(report, coordinator, case_officer, 5555)

    assert DataVersion.objects.get().number > version_before
    after = client.get(path).content.decode()
    assert number(5555).search(after)  # the corrected yearly figure
    assert not number(4444).search(after)


def test_a_write_without_services_changes_the_version_too(client, coordinator, case_officer):
    """Any committed change of the data (here straight through the ORM, as the admin
    or a bulk import writes) makes the pages compute again."""
    fill(coordinator, ["01"], [2019])
    client.force_login(case_officer)
    path = reverse("statistics:series")
    assert number(4444).search(client.get(path).content.decode())
    report_version(region="01", year=2019, user=coordinator, series={KBT: 6666})
    assert number(6666).search(client.get(path).content.decode())  # the new accepted version
