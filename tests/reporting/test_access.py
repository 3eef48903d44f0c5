"""Who may open which reporting page. Every URL of the reporting app, as every
role: a coordinator reads and changes only their own region (another region's
pages are 404, as if they did not exist), a region viewer only reads, FK users
read every region but never type a region's figures, only the case officer
reviews, and an anonymous visitor is sent to the login page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from reporting.enums import VersionStatus
from reporting.models import Report
from tests.factories import report_version

pytestmark = pytest.mark.django_db

ROLES = ["coordinator", "other_coordinator", "viewer", "case_officer", "approver", "admin_user"]
LOGIN = "login"
REPORT = ("01", 2020)


@pytest.fixture
def report(coordinator: Any) -> Report:
    """Region 01's 2020 (yearly): version 1 accepted, version 2 (a correction) submitted."""
    report_version(region="01", year=2020, user=coordinator, series={("KBT", "F", "PUBLIC"): 4})
    report_version(
        region="01",
        year=2020,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 5},
        status="SUBMITTED",
    )
    return Report.objects.get()


def report_url(name: str, *extra: Any) -> str:
    return reverse(f"reporting:{name}", args=(*REPORT, *extra))


# (what, url, {role: expected status}); roles not named get 404. A role a page is
# not for gets 403 with the reason (issue 15); another region's coordinator 404.
READ_ALL = dict.fromkeys(["coordinator", "viewer", "case_officer", "approver", "admin_user"], 200)
NOT_EDITORS = dict.fromkeys(["viewer", "case_officer", "approver", "admin_user"], 403)
NOT_REVIEWERS = dict.fromkeys(
    ["coordinator", "other_coordinator", "viewer", "approver", "admin_user"], 403
)
GET_PAGES = [
    (
        "overview",
        reverse("reporting:overview"),
        {
            "coordinator": 200,
            "other_coordinator": 200,  # their own region's overview
            "viewer": 200,
            "case_officer": 302,  # to the inbox
            "approver": 302,
            "admin_user": 302,
        },
    ),
    ("inbox", reverse("reporting:inbox"), dict.fromkeys(ROLES, 200)),
    ("region overview", reverse("reporting:region_overview", args=["01"]), READ_ALL),
    ("report", report_url("report"), READ_ALL),
    ("history", report_url("history"), READ_ALL),
    ("version", report_url("version", 1), READ_ALL),
    ("compare", report_url("compare", 2), READ_ALL),
    ("template xlsx", report_url("template", "xlsx"), READ_ALL),
    ("template csv", report_url("template", "csv"), READ_ALL),
    ("correction", report_url("correction"), {"coordinator": 200, **NOT_EDITORS}),
    ("review", report_url("review"), {"case_officer": 200, **NOT_REVIEWERS}),
    ("upload", report_url("upload"), {"coordinator": 200, **NOT_EDITORS}),
    ("upload preview", report_url("upload_preview"), {"coordinator": 302, **NOT_EDITORS}),
]

POSTS = [
    # A submitted report cannot be saved: the coordinator is told so (redirect).
    (
        "save draft",
        report_url("report"),
        {"action": "save", "version": 2, "lock_version": 0},
        {"coordinator": 302, **NOT_EDITORS},
    ),
    (
        "start correction",
        report_url("correction"),
        {"reason": "Fel"},
        {"coordinator": 302, **NOT_EDITORS},
    ),
    (
        "accept",
        report_url("review"),
        {"action": "accept"},
        {"case_officer": 302, **NOT_REVIEWERS},
    ),
    (
        "return",
        report_url("review"),
        {"action": "return", "comment": "Fel"},
        {"case_officer": 302, **NOT_REVIEWERS},
    ),
    ("upload", report_url("upload"), {}, {"coordinator": 422, **NOT_EDITORS}),
    ("confirm upload", report_url("upload_preview"), {}, {"coordinator": 302, **NOT_EDITORS}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("what", "path", "expected"), GET_PAGES, ids=[p[0] for p in GET_PAGES])
def test_get_every_reporting_page_as_every_role(request, login, report, role, what, path, expected):
    response = login(request.getfixturevalue(role)).get(path)
    assert response.status_code == expected.get(role, 404)


@pytest.mark.parametrize(("what", "path", "expected"), GET_PAGES, ids=[p[0] for p in GET_PAGES])
def test_get_every_reporting_page_anonymous_goes_to_login(client, report, what, path, expected):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{reverse(LOGIN)}?next={path}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("what", "path", "data", "expected"), POSTS, ids=[p[0] for p in POSTS])
def test_post_every_reporting_action_as_every_role(
    request, login, report, role, what, path, data, expected
):
    before = list(report.versions.order_by("number").values_list("number", "status"))
    response = login(request.getfixturevalue(role)).post(path, data)
    assert response.status_code == expected.get(role, 404)
    if response.status_code in (403, 404):
        after = list(report.versions.order_by("number").values_list("number", "status"))
        assert after == before  # a refused request changes nothing


@pytest.mark.parametrize(("what", "path", "data", "expected"), POSTS, ids=[p[0] for p in POSTS])
def test_post_every_reporting_action_anonymous_goes_to_login(
    client, report, what, path, data, expected
):
    response = client.post(path, data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse(LOGIN))
    assert report.versions.filter(status=VersionStatus.SUBMITTED).count() == 1


def test_other_regions_report_urls_are_404_for_a_coordinator(login, other_coordinator, report):
    client = login(other_coordinator)
    for name, extra in [("report", ()), ("version", (2,)), ("history", ()), ("upload", ())]:
        assert client.get(report_url(name, *extra)).status_code == 404
    # FK's review is not a coordinator's page in any region: 403 with the reason.
    assert client.get(report_url("review")).status_code == 403


def test_fk_case_officer_cannot_type_figures(login, case_officer):
    response = login(case_officer).post(
        reverse("reporting:report", args=("01", 2020)),
        {"action": "save", "version": 0, "lock_version": 0, "KBT:F:PUBLIC": "5"},
    )
    assert response.status_code == 403  # not a page for FK: the reason is given
    assert Report.objects.count() == 0


def test_unknown_period_or_region_is_404(login, coordinator):
    client = login(coordinator)
    assert client.get(reverse("reporting:report", args=("01", 2030, 1))).status_code == 404
    assert client.get(reverse("reporting:report", args=("01", 2014, 5))).status_code == 404
    # 2020 is reported once a year: it has no quarters.
    assert client.get(reverse("reporting:report", args=("01", 2020, 1))).status_code == 404
    assert client.get(reverse("reporting:template", args=("01", 2020, "pdf"))).status_code == 404


@pytest.mark.parametrize(
    ("role", "path", "reason"),
    [
        (
            "case_officer",
            report_url("upload"),
            "Sidan är för regionernas samordnare. "
            "Du är inloggad som handläggare på Försäkringskassan.",
        ),
        (
            "coordinator",
            report_url("review"),
            "Sidan är för Försäkringskassans handläggare. Du är inloggad som regionsamordnare.",
        ),
        (
            "viewer",
            report_url("correction"),
            "Sidan är för regionernas samordnare. Du är inloggad som läsare i region.",
        ),
    ],
)
def test_a_page_not_for_the_role_says_why(request, login, report, role, path, reason):
    response = login(request.getfixturevalue(role)).get(path)
    html = response.content.decode()
    assert response.status_code == 403
    assert reason in html
    assert "<nav" in html  # in the site's layout


def test_another_regions_report_stays_404_for_a_role_the_page_is_for(login, other_coordinator):
    response = login(other_coordinator).get(report_url("upload"))
    assert response.status_code == 404
    assert "Sidan är för" not in response.content.decode()
