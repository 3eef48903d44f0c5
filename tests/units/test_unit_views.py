"""The care units' pages as their users use them: who sees what (404 for the rest),
the unit reporter's grid, the coordinator's table and the region grid's breakdown."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rehab.models import CareUnit, ReportingPeriod
from reporting.figures import Figures
from reporting.selectors import figures_of
from reporting.units import latest_version, unit_figures_save

from .test_unit_figures import NORR, PRIVAT, SODER


def period_args(period: ReportingPeriod) -> list[int]:
    """The report address's year (and quarter, for a quarter): 2020 is yearly."""
    year = period.agreement.year
    return [year] if period.quarter is None else [year, period.quarter]


def figures_url(unit, period):
    return reverse("reporting:unit_figures", args=[unit.pk, period.pk])


def test_unit_reporter_files_its_grid_in_the_browser(login, units, period, reporter1):
    client = login(reporter1)
    page = client.get(figures_url(units[0], period))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="KBT:F:PUBLIC"' in html
    assert 'name="KBT:F:PRIVATE"' not in html  # the unit is public: one column to fill
    response = client.post(
        figures_url(units[0], period),
        {
            "version": 0,
            "lock_version": 0,
            "KBT:F:PUBLIC": "1 2",
            "EMPLOYER_CONTACT:F": "3",
            "comment": "",
            "action": "ready",
        },
    )
    assert response.status_code == 302
    version = latest_version("01", period)
    assert figures_of(version).cells() == {"KBT:F:PUBLIC": 12, "EMPLOYER_CONTACT:F": 3}
    assert 'data-unit-state="READY"' in client.get(figures_url(units[0], period)).content.decode()


def test_a_typing_error_saves_nothing_and_keeps_what_was_typed(login, units, period, reporter1):
    response = login(reporter1).post(
        figures_url(units[0], period),
        {"version": 0, "lock_version": 0, "KBT:F:PUBLIC": "tolv", "action": "save"},
    )
    assert response.status_code == 422
    assert "”tolv” är inte ett heltal" in response.content.decode()
    assert latest_version("01", period) is None


@pytest.mark.parametrize(
    "name,args",
    [
        ("reporting:unit_figures", "unit2"),
        ("reporting:unit_page", "unit2only"),
        ("reporting:unit_table", "region01"),
        ("reporting:report", "report01"),
        ("care_units", "units01"),
        ("care_units", "units03"),
        ("payments:region_payouts", None),
    ],
)
def test_unit_reporter_sees_nothing_but_its_own_unit(login, units, period, reporter1, name, args):
    table = {
        "unit2": [units[1].pk, period.pk],
        "unit2only": [units[1].pk],
        "region01": ["01", period.pk],
        "report01": ["01", *period_args(period)],
        "units01": ["01"],
        "units03": ["03"],
        None: [],
    }
    client = login(reporter1)
    response = client.get(reverse(name, args=table[args]))
    assert response.status_code in (403, 404)
    if name == "reporting:report":
        # The region's reports are not a unit reporter's pages: 403 with the reason.
        assert response.status_code == 403
    elif name != "payments:region_payouts":
        assert response.status_code == 404
    assert client.get(reverse("reporting:unit_page", args=[units[0].pk])).status_code == 200


def test_unit_reporter_of_another_region_gets_404(login, units, period, other_coordinator):
    other_unit = CareUnit.objects.create(region_id="03", name="Uppsala VC", provider="PUBLIC")
    from rehab.enums import Role
    from tests.factories import UserFactory

    stranger = UserFactory(
        username="enhet03", role=Role.UNIT_REPORTER, region_id="03", care_unit=other_unit
    )
    client = login(stranger)
    assert client.get(figures_url(units[0], period)).status_code == 404
    assert client.get(reverse("reporting:unit_page", args=[units[0].pk])).status_code == 404
    assert client.get(reverse("care_units", args=["01"])).status_code == 404


def fill(units, period, reporter1, reporter2, coordinator):
    for unit, figures, user in (
        (units[0], NORR, reporter1),
        (units[1], SODER, reporter2),
        (units[2], PRIVAT, coordinator),
    ):
        unit_figures_save(
            unit=unit, period=period, figures=figures, lock_version=0, acting_user=user
        )


def test_coordinator_sees_each_units_state_and_the_breakdown(
    login, units, period, reporter1, reporter2, coordinator
):
    unit_figures_save(
        unit=units[0], period=period, figures=NORR, lock_version=0, acting_user=reporter1
    )
    client = login(coordinator)
    table = client.get(reverse("reporting:unit_table", args=["01", period.pk]))
    html = table.content.decode()
    assert "Ej påbörjade: 2 · utkast: 1 · klara: 0" in html
    report = client.get(
        reverse("reporting:report", args=["01", *period_args(period)])
    ).content.decode()
    assert "Vårdcentralen Norr: 10" in report
    assert 'name="KBT:F:PUBLIC"' not in report  # the sum is not typed on the region's page
    xlsx = client.get(reverse("reporting:unit_table_xlsx", args=["01", period.pk]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_coordinator_submits_the_sum_from_the_browser(
    login, units, period, reporter1, reporter2, coordinator
):
    fill(units, period, reporter1, reporter2, coordinator)
    version = latest_version("01", period)
    response = login(coordinator).post(
        reverse("reporting:report", args=["01", *period_args(period)]),
        {
            "version": version.number,
            "lock_version": version.lock_version,
            "comment": "Summan av tre enheter.",
            "explain:": "Sent.",
            # cells no unit filled in are blank: listed at submit, 0 or an explanation
            "explain:blank_cells": "Enheterna gav inte övriga behandlingar.",
            "action": "submit",
            "eligibility_confirmed": "on",
        },
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "SUBMITTED"
    assert figures_of(version).cells()["KBT:F:PUBLIC"] == 17
    assert version.comment == "Summan av tre enheter."


def test_fk_sees_the_unit_breakdown_read_only(
    login, units, period, reporter1, reporter2, coordinator, case_officer
):
    fill(units, period, reporter1, reporter2, coordinator)
    version = latest_version("01", period)
    from reporting.services import report_submit

    report_submit(
        version=version,
        lock_version=version.lock_version,
        explanations={"": "Sent."},
        eligibility_confirmed=True,
        acting_user=coordinator,
    )
    client = login(case_officer)
    review = client.get(
        reverse("reporting:review", args=["01", *period_args(period)])
    ).content.decode()
    assert "Privata kliniken: 20" in review
    unit_page = client.get(figures_url(units[0], period))
    assert unit_page.status_code == 200
    assert 'name="KBT:F:PUBLIC"' not in unit_page.content.decode()
    assert client.post(figures_url(units[0], period), {}).status_code == 404


def add_units(n):
    CareUnit.objects.bulk_create(
        CareUnit(region_id="01", name=f"Enhet {i:03d}", provider="PUBLIC") for i in range(n)
    )


def count(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def fill_many(period, coordinator):
    for unit in CareUnit.objects.filter(region_id="01"):
        figures = Figures(
            series={("KBT", "F", unit.provider): 3, ("IPT", "M", unit.provider): 1},
            extras={("AF_CONTACT", "M"): 1},
        )
        uf = latest_version("01", period)
        lock = 0
        if uf is not None:
            lock = (
                uf.unit_figures.filter(unit=unit).values_list("lock_version", flat=True).first()
                or 0
            )
        unit_figures_save(
            unit=unit, period=period, figures=figures, lock_version=lock, acting_user=coordinator
        )


@pytest.mark.parametrize("page", ["reporting:unit_table", "reporting:report"])
def test_query_counts_do_not_grow_with_the_units(
    login, units, period, coordinator, django_assert_num_queries, page
):
    client = login(coordinator)
    fill_many(period, coordinator)  # 3 units
    args = ["01", period.pk] if page == "reporting:unit_table" else ["01", *period_args(period)]
    path = reverse(page, args=args)
    three = count(client, path)
    add_units(57)
    fill_many(period, coordinator)  # 60 units
    assert CareUnit.objects.filter(region_id="01").count() == 60
    client.get(path)
    with django_assert_num_queries(three):
        response = client.get(path)
    assert "Enhet 056" in response.content.decode()


def test_unit_reporter_uploads_its_figures_from_a_file(login, units, period, reporter1):
    from django.core.files.uploadedfile import SimpleUploadedFile

    label = period.label
    good = (
        "region;period;item;sex;provider;value\n"
        f"01;{label};KBT;F;PUBLIC;1 234\n"
        f"01;{label};EMPLOYER_CONTACT;F;;5\n"
    ).encode()
    client = login(reporter1)
    url = reverse("reporting:unit_upload", args=[units[0].pk, period.pk])
    bad = good + f"03;{label};KBT;M;PUBLIC;1\n01;{label};IPT;M;PRIVATE;2\n".encode()
    refused = client.post(
        url, {"lock_version": 0, "file": SimpleUploadedFile("norr.csv", bad)}, follow=True
    )
    html = refused.content.decode()
    assert "Filen lästes inte in: inget sparades." in html
    assert "Rad 4: region 03, men enheten hör till 01." in html
    assert latest_version("01", period) is None
    client.post(url, {"lock_version": 0, "file": SimpleUploadedFile("norr.csv", good)})
    assert figures_of(latest_version("01", period)).cells() == {
        "KBT:F:PUBLIC": 1234,
        "EMPLOYER_CONTACT:F": 5,
    }
    other = reverse("reporting:unit_upload", args=[units[1].pk, period.pk])
    assert client.post(other, {"file": SimpleUploadedFile("x.csv", good)}).status_code == 404
