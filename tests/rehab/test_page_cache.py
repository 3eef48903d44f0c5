"""Pages whose main part is computed once per data version (rehab.dataversion):
the next request reads it from the cache at a fixed cost in queries, whatever the
data; any committed change shows on the next request; the cached part carries the
requester's own CSRF token. These tests commit (transactional_db), as production
does."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from rehab.dataversion import CSRF_PLACEHOLDER
from rehab.models import Region
from tests.factories import report_version

pytestmark = pytest.mark.django_db(transaction=True)

SERIES = {("KBT", "F", "PUBLIC"): 12, ("IPT", "M", "PRIVATE"): 3}


def fill(user, regions: list[str]) -> None:
    for code in regions:
        report_version(region=code, year=2019, user=user, series=SERIES)
        report_version(region=code, year=2020, user=user, series=SERIES, status="SUBMITTED")


def main(response) -> str:
    """The page's main part, without CSRF tokens (masked afresh on every request)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html[html.index("<main") : html.index("</main>")]


PAGES = [
    ("coordinator", reverse("reporting:overview")),
    ("case_officer", reverse("reporting:inbox")),
    ("case_officer", reverse("reporting:inbox") + "?status=ALL"),
    ("case_officer", reverse("payments:runs")),
]


@pytest.mark.parametrize(("role", "path"), PAGES)
def test_cached_page_costs_the_same_queries_at_two_sizes(request, client, coordinator, role, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(request.getfixturevalue(role))
    counts = []
    for regions in (["01"], list(Region.objects.values_list("code", flat=True))):
        fill(coordinator, [code for code in regions if code != "01" or not counts])
        first = client.get(path)
        assert first.status_code == 200
        with CaptureQueriesContext(connection) as captured:
            second = client.get(path)
        assert main(second) == main(first)
        counts.append(len(captured.captured_queries))
    # session, user, the data version (+ the region of an overview and its
    # permission check): nothing grows with the data
    assert counts[0] == counts[1] <= 5


def test_a_submitted_report_shows_in_the_inbox_on_the_next_request(
    client, coordinator, case_officer
):
    fill(coordinator, ["01"])
    client.force_login(case_officer)
    path = reverse("reporting:inbox")
    review = reverse("reporting:review", args=("03", 2019))
    assert review not in main(client.get(path))
    report_version(region="03", year=2018, user=coordinator, series=SERIES)
    assert reverse("reporting:review", args=("03", 2018)) not in main(client.get(path))
    assert review not in main(client.get(path))  # from the cache
    report_version(region="03", year=2019, user=coordinator, series=SERIES, status="SUBMITTED")
    assert review in main(client.get(path))


def test_a_cached_form_carries_the_requesters_own_csrf_token(case_officer):
    """The run-start form of the payouts page, served from the cache to a client that
    enforces CSRF: its token is accepted (a 400 for the empty form, not a 403)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(case_officer)
    path = reverse("payments:runs")
    client.get(path)
    html = client.get(path).content.decode()  # from the cache
    assert CSRF_PLACEHOLDER not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    response = client.post(reverse("payments:run_start"), {"csrfmiddlewaretoken": token[1]})
    assert response.status_code == 400
    other = Client(enforce_csrf_checks=True)
    other.force_login(case_officer)
    other.get(path)
    refused = other.post(reverse("payments:run_start"), {"csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403


def test_api_report_list_is_cached_per_scope_and_never_stale(client, coordinator, case_officer):
    """GET /api/v1/reports/: read from the cache at a fixed cost whatever the data,
    per caller's scope (a coordinator never gets FK's list), and a committed change
    is in the next answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = "/api/v1/reports/?year=2019"
    client.force_login(case_officer)
    others = list(Region.objects.exclude(code="01").values_list("code", flat=True))[:5]
    counts = []
    for regions in (["01"], others):
        fill(coordinator, regions)
        first = client.get(path).json()
        with CaptureQueriesContext(connection) as captured:
            second = client.get(path).json()
        assert second == first
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] == 1  # the user, read with the data version
    assert first["count"] == 6  # 2019 is one yearly report per region
    report_version(region=others[0], year=2019, user=coordinator, series=SERIES)
    report_version(region=others[0], year=2019, user=coordinator, series=SERIES, status="SUBMITTED")
    latest = {
        (r["region"], r["period"]): r["latest_version"]["number"]
        for r in client.get(path).json()["results"]
    }
    assert latest[(others[0], "2019")] == 3
    own = Client()
    own.force_login(coordinator)
    answer = own.get(path).json()
    assert answer["count"] == 1
    assert {r["region"] for r in answer["results"]} == {"01"}


def test_review_page_is_read_from_the_cache_and_shows_a_change_at_once(
    client, coordinator, case_officer
):
    """FK's review of a submitted report: the same queries with one region's reports
    as with every region's (the figures, history and grid from the cache), and a
    committed change (here the submitter's name) on the next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(case_officer)
    path = reverse("reporting:review", args=("01", 2020))
    counts = []
    for regions in (["01"], list(Region.objects.values_list("code", flat=True))):
        fill(coordinator, [code for code in regions if code != "01" or not counts])
        first = client.get(path)
        with CaptureQueriesContext(connection) as captured:
            second = client.get(path)
        assert second.status_code == 200
        assert main(second) == main(first)
        counts.append(len(captured.captured_queries))
    # session, user, the report's region, period, report and versions, the data version
    assert counts[0] == counts[1] <= 7
    assert "Godkänn" in main(second)
    name = coordinator.get_full_name() or coordinator.username
    assert name in main(second)
    coordinator.first_name, coordinator.last_name = "Ny", "Namnsson"
    coordinator.save()
    assert "Ny Namnsson" in main(client.get(path))


def test_report_form_checks_are_cached_but_a_saved_draft_is_checked_again(client, coordinator):
    """The report form's checks (the region's history) come from the cache while
    nothing changed; a draft saved with other figures is checked at once."""
    from reporting.models import SeriesCount

    report_version(region="01", year=2019, user=coordinator, series=SERIES)
    report_version(region="01", year=2020, user=coordinator, series=SERIES, status="DRAFT")
    client.force_login(coordinator)
    path = reverse("reporting:report", args=("01", 2020))
    client.get(path)
    first = main(client.get(path))  # from the cache
    assert ": 0 genomförda behandlingar" not in first
    # KBT F public from 12 to 0: the drop-to-zero warning (history of 2019) appears.
    SeriesCount.objects.filter(
        version__report__region_id="01",
        version__report__period__agreement__year=2020,
        treatment_id="KBT",
    ).update(value=0)
    assert ": 0 genomförda behandlingar" in main(client.get(path))
