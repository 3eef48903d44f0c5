"""The admin: thresholds are editable settings; reports and versions are read only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rehab.models import Region, ReportingPeriod
from reporting.figures import Figures
from reporting.models import ValidationSettings
from reporting.validation import validate_figures
from tests.factories import report_version

pytestmark = pytest.mark.django_db

SETTINGS_FORM = {
    "deviation_percent": "80",
    "deviation_min_base": "10",
    "recent_quarters": "2",
    "reminder_days": "5",
    "max_upload_rows": "500",
    "max_upload_bytes": "100000",
}


def test_admin_edits_the_thresholds(login, admin_user, coordinator):
    client = login(admin_user)
    # No row yet: the list goes to the add form, which shows the defaults.
    response = client.get("/admin/reporting/validationsettings/")
    assert response.url == "/admin/reporting/validationsettings/add/"
    assert 'name="deviation_percent" value="50"' in client.get(response.url).content.decode()
    response = client.post("/admin/reporting/validationsettings/add/", SETTINGS_FORM)
    assert response.status_code == 302
    settings = ValidationSettings.current()
    assert (
        settings.pk,
        settings.deviation_percent,
        settings.deviation_min_base,
        settings.recent_quarters,
        settings.reminder_days,
        settings.max_upload_rows,
        settings.max_upload_bytes,
    ) == (1, 80, 10, 2, 5, 500, 100_000)
    # Only one row: no second add, no delete; the list goes to the row.
    assert client.get("/admin/reporting/validationsettings/add/").status_code == 403
    assert client.get("/admin/reporting/validationsettings/1/delete/").status_code == 403
    assert (
        client.get("/admin/reporting/validationsettings/").url
        == "/admin/reporting/validationsettings/1/change/"
    )
    # The checks follow the new threshold: 100 -> 30 (−70 %) no longer warns at 80 %.
    # Quarters of a model A year: 2015Q4 against the same quarter a year before.
    report_version(
        region="01", year=2014, quarter=4, user=coordinator, series={("KBT", "F", "PUBLIC"): 100}
    )
    result = validate_figures(
        region=Region.objects.get(code="01"),
        period=ReportingPeriod.objects.get(agreement__year=2015, quarter=4),
        figures=Figures(series={("KBT", "F", "PUBLIC"): 30}),
        user=coordinator,
    )
    assert [w.code for w in result.warnings if w.code != "late_filing"] == []
    client.post(
        "/admin/reporting/validationsettings/1/change/",
        {**SETTINGS_FORM, "deviation_percent": "60"},
    )
    assert ValidationSettings.current().deviation_percent == 60


def test_admin_thresholds_must_be_sensible(login, admin_user):
    client = login(admin_user)
    response = client.post(
        "/admin/reporting/validationsettings/add/", {**SETTINGS_FORM, "recent_quarters": "0"}
    )
    assert response.status_code == 200
    assert ValidationSettings.objects.count() == 0


def test_admin_versions_are_read_only(login, admin_user, coordinator):
    version = report_version(
        region="01", year=2019, user=coordinator, series={("KBT", "F", "PUBLIC"): 12}
    )
    client = login(admin_user)
    response = client.get(f"/admin/reporting/reportversion/{version.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="comment"' not in html
    assert "KBT" in html
    assert (
        client.post(f"/admin/reporting/reportversion/{version.pk}/change/", {}).status_code == 403
    )
    assert client.get(f"/admin/reporting/reportversion/{version.pk}/delete/").status_code == 403
    assert client.get("/admin/reporting/report/add/").status_code == 403


def test_admin_report_lists_for_non_admins_are_closed(login, coordinator):
    response = login(coordinator).get("/admin/reporting/report/")
    assert response.status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/admin/reporting/report/",
        "/admin/reporting/reportversion/",
        "/admin/reporting/reportevent/",
        "/admin/reporting/sentnotification/",
    ],
)
def test_admin_lists_query_count_does_not_grow(login, admin_user, coordinator, path):
    from reporting.models import ReportEvent, SentNotification

    client = login(admin_user)

    def add(quarters):
        for quarter in quarters:
            version = report_version(region="01", year=2014, quarter=quarter, user=coordinator)
            event = ReportEvent.objects.create(
                report=version.report, version=version, action="SUBMITTED", actor=coordinator
            )
            SentNotification.objects.create(
                kind="SUBMITTED",
                event=event,
                region_id="01",
                period=version.report.period,
                recipient="fk@example.se",
                subject="x",
            )

    add([1])
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    add([2, 3, 4])
    with CaptureQueriesContext(connection) as large:
        assert client.get(path).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
