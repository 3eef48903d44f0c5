"""The statistics are public, as SKR's report is: every statistics page, chart,
download and open-data endpoint answers an anonymous visitor, and every other URL
of the site still refuses one (a walk over the whole URL configuration)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from followup import tables
from payments.services import run_approve, run_compute, run_start
from rehab.enums import PayoutModel
from tests.factories import report_version
from tests.followup.test_statistics import build_2019
from tests.payments.conftest import (
    BONUS_SEK,
    CONTACTS,
    EXAMPLE_B_YEAR,
    SEK,
    A,
    B,
    C,
    accept_contacts,
    make_agreement,
)

pytestmark = pytest.mark.django_db

YEAR_TABLES = [
    "rapporter",
    "psykisk-ohalsa",
    "smarta",
    "kon",
    "vardgivare",
    "kontakter",
    "forandring",
]
MEASURE_TABLES = [
    "forandring-behandling",
    "kon-omrade",
    "kontakter-per-100",
    "kontaktbonus-tak",
    "placering",
]
SERIES_TABLES = [
    "tidsserie-riket",
    "tidsserie-kbt-ipt",
    "tidsserie-kbt-ipt-per-1000",
    "tidsserie-mmr",
    "tidsserie-mmr-per-1000",
    "tidsserie-01",
]


def public_urls() -> list[str]:
    urls = [
        reverse("statistics:year", kwargs={"year": 2019}),
        reverse("statistics:charts", kwargs={"year": 2019}),
        reverse("statistics:series"),
        reverse("statistics:series") + "?region=01",
        reverse("statistics:paid"),
        reverse("statistics:measures", kwargs={"year": 2019}),
        reverse("statistics:measures", kwargs={"year": 2020}),
        reverse("statistics:paid_export", kwargs={"fmt": "csv"}),
        reverse("statistics:paid_export", kwargs={"fmt": "xlsx"}),
        reverse("statistics:year_export", kwargs={"year": 2019, "table": "alla", "fmt": "xlsx"}),
        reverse("statistics:series_export", kwargs={"table": "alla", "fmt": "xlsx"}),
        reverse("api:open-year", kwargs={"year": 2019}),
        reverse("api:open-year", kwargs={"year": 2019}) + "?format=csv",
        reverse("api:open-history"),
        reverse("api:open-history") + "?format=csv",
        reverse("api:open-series"),
        reverse("api:open-series") + "?format=csv",
        reverse("api:open-paid"),
        reverse("api:open-paid") + "?format=csv",
    ]
    for slug in YEAR_TABLES:
        for fmt in ("csv", "xlsx"):
            urls.append(
                reverse("statistics:year_export", kwargs={"year": 2019, "table": slug, "fmt": fmt})
            )
    for slug in MEASURE_TABLES:
        for fmt in ("csv", "xlsx"):
            urls.append(
                reverse(
                    "statistics:measures_export", kwargs={"year": 2019, "table": slug, "fmt": fmt}
                )
            )
    for slug in SERIES_TABLES:
        for fmt in ("csv", "xlsx"):
            urls.append(reverse("statistics:series_export", kwargs={"table": slug, "fmt": fmt}))
    return urls


@pytest.fixture
def open_rate(settings: Any) -> None:
    """A roomy rate for tests that call the open API many times."""
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "open": "1000/min"}


def test_anonymous_gets_every_statistics_page_chart_export_and_open_endpoint(
    client, coordinator, open_rate
):
    build_2019(coordinator)
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
    index = client.get(reverse("statistics:index"))
    assert index["Location"] == reverse("statistics:year", kwargs={"year": 2019})


def test_public_pages_show_accepted_reports_only(client, coordinator, open_rate):
    build_2019(coordinator)  # 04 has a submitted quarter and a draft: neither counts
    report_version(
        region="05",
        year=2019,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 999_999},
        status="SUBMITTED",
    )
    html = client.get(reverse("statistics:year", kwargs={"year": 2019})).content.decode()
    assert "999\xa0999" not in html
    rows = json.loads(client.get(reverse("api:open-year", kwargs={"year": 2019})).content)
    assert {row["region"] for row in rows} == {"01", "03", "04", "ALL"}
    assert not any(row["value"] == 999_999 for row in rows)


# A sample value for each URL parameter, so that every pattern can be requested.
SAMPLE = {
    "region": "01",
    "code": "01",
    "year": 2019,
    "quarter": 1,
    "number": 1,
    "pk": 1,
    "version_id": 1,
    "export_id": 1,
    "fmt": "csv",
    "table": "kon",
}
# Public by design: the statistics section and the open data (this issue), and what
# was public before: login, language switch, health check, favicon, the API's schema
# and documentation and its JSON 404 for unknown paths.
PUBLIC = {
    "login",
    "set_language",
    "healthz",
    None,  # favicon.ico
    "api:schema",
    "api:docs",
    "api:not-found",
    # Signing in (rehab/accounts): reset a forgotten password, the IdP's pages (404
    # while OIDC is off), the page for a person without a user, the session timer.
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "oidc_authentication_init",
    "oidc_authentication_callback",
    "oidc_logout",
    "accounts:oidc_refused",
    "accounts:session",
}


def walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> list[tuple[str | None, Any]]:
    out: list[tuple[str | None, Any]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns == "admin":
                out.append(("admin:index", None))
                continue
            out += walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            out.append((name, p))
    return out


def url_of(name: str | None, pattern: Any) -> str:
    if name is None:
        return "/favicon.ico"
    if name == "api:not-found":
        return "/api/v1/nothing-here/"
    converters = pattern.pattern.converters if pattern else {}
    # A parameter this list does not know (a new app's): 1 for a number, else "01".
    kwargs = {
        k: SAMPLE.get(k, 1 if type(c).__name__ == "IntConverter" else "01")
        for k, c in converters.items()
    }
    if name == "statistics:series_export":
        kwargs["table"] = "tidsserie-riket"
    if name == "statistics:measures_export":
        kwargs["table"] = "placering"
    return reverse(name, kwargs=kwargs)


def test_every_other_url_refuses_an_anonymous_visitor(client, coordinator, case_officer, open_rate):
    """The URL walk: all named URLs of the site. Statistics and open data answer
    200; every other page sends the visitor to log in (302), and the API says 401."""
    build_2019(coordinator)
    seen_public = 0
    for name, pattern in walk(get_resolver().url_patterns):
        url = url_of(name, pattern)
        if (name or "").startswith("statistics:") or (name or "").startswith("api:open-"):
            response = client.get(url, follow=True)  # the index redirects to a year
            assert response.status_code == 200, url
            seen_public += 1
            continue
        response = client.get(url)
        if name in PUBLIC:
            assert response.status_code in (200, 301, 302, 404, 405), url
        elif url.startswith("/api/"):
            assert response.status_code == 401, url
        elif response.status_code == 405:  # POST only (log out): nothing to read
            assert name == "logout", url
        else:
            assert response.status_code == 302, url
            assert "logga-in" in response["Location"] or "/admin/login/" in response["Location"], (
                url
            )
    assert seen_public == 14  # 10 statistics pages and downloads, 4 open endpoints


def test_paid_amounts_are_public_once_the_run_is_approved(
    client, ref, coordinator, case_officer, approver, open_rate
):
    agreement = make_agreement(EXAMPLE_B_YEAR, PayoutModel.B, frame_ore=500_000_000 * SEK)
    for region in (A, B, C):
        for quarter in (1, 2, 3, 4):
            accept_contacts(
                region,
                EXAMPLE_B_YEAR,
                quarter,
                coordinator,
                CONTACTS[region] if quarter == 1 else 0,
            )
    run = run_start(agreement=agreement, quarter=None, acting_user=case_officer).run
    run_compute(run_id=run.pk)
    run.refresh_from_db()
    # Calculated, not approved: nothing is public.
    assert json.loads(client.get(reverse("api:open-paid")).content) == []
    assert (
        "Ingen utbetalningskörning är attesterad"
        in client.get(reverse("statistics:paid")).content.decode()
    )
    run_approve(run=run, acting_user=approver)
    run.refresh_from_db()
    rows = json.loads(client.get(reverse("api:open-paid")).content)
    by_region = {row["region"]: row for row in rows}
    assert by_region[A]["contact_bonus_ore"] == BONUS_SEK[A] * SEK
    assert sum(row["paid_ore"] for row in rows) == run.total_ore
    text = client.get(reverse("statistics:paid_export", kwargs={"fmt": "csv"})).content
    data = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert data[0] == ["Länskod", "Region", str(EXAMPLE_B_YEAR)]
    total = tables.Cell(run.total_ore, tables.KRONOR)
    assert data[-1][1:] == ["Riket", f"{total.value // 100},{total.value % 100:02d}"]


def test_open_api_is_rate_limited(client, ref, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "open": "3/min"}
    url = reverse("api:open-history")
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    body = json.loads(client.get(url).content)
    assert body["error"]["code"] == "throttled"


def test_open_api_in_the_openapi_schema(client):
    schema = json.loads(client.get(reverse("api:schema") + "?format=json").content)
    for path in (
        "/api/v1/open/statistics/{year}/",
        "/api/v1/open/history/",
        "/api/v1/open/series/",
        "/api/v1/open/paid/",
    ):
        get = schema["paths"][path]["get"]
        assert get["security"] == [{}] or "security" not in get or get["security"] == []
        assert set(get["responses"]["200"]["content"]) == {"application/json", "text/csv"}
        assert "429" in get["responses"]
        assert "401" not in get["responses"]
