"""The coordinator's unit table flags outliers by the region report's warning rules
(a move from the same period a year earlier, from the recent average, a drop to
zero), each unit against its own accepted history; the flags name the rule, read in
the reader's language, cost a fixed number of queries, and reach the XLSX export."""

from __future__ import annotations

import io

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from rehab.models import CareUnit, ReportingPeriod
from reporting.figures import Figures
from reporting.models import Report, ReportVersion, UnitFigures
from reporting.units import (
    _write_unit_cells,
    latest_version,
    sum_figures,
    unit_figures_save,
    unit_states,
    unit_warnings,
)
from tests.factories import report_version

pytestmark = pytest.mark.django_db


def earlier_periods(period):
    """The periods of the same kind (quarters, or years) before `period`, newest first:
    what the report checks compare with."""
    return list(
        ReportingPeriod.objects.select_related("agreement")
        .filter(start_date__lt=period.start_date, quarter__isnull=period.quarter is None)
        .order_by("-start_date")
    )


def year_before(period):
    return ReportingPeriod.objects.get(
        agreement__year=period.agreement.year - 1, quarter=period.quarter
    )


def accept_with_units(period, per_unit, user):
    """The region's accepted report for `period` with these units' figures (and their
    sum as the region's), straight into the database."""
    version = report_version(
        region="01",
        year=period.agreement.year,
        quarter=period.quarter,
        user=user,
        series=dict(sum_figures(per_unit.values()).series),
        status="DRAFT",
    )
    for unit, figures in per_unit.items():
        _write_unit_cells(UnitFigures.objects.create(version=version, unit=unit), figures)
    now = timezone.now()
    with transaction.atomic():  # as tests.factories.report_version accepts
        ReportVersion.objects.filter(pk=version.pk).update(
            status="SUBMITTED", submitted_by=user, submitted_at=now
        )
        ReportVersion.objects.filter(pk=version.pk).update(
            status="ACCEPTED", decided_by=user, decided_at=now
        )
        Report.objects.filter(pk=version.report_id).update(accepted_version=version)


def kbt(value, provider="PUBLIC"):
    return Figures(series={("KBT", "F", provider): value})


@pytest.fixture
def history(units, period, coordinator):
    """Four earlier accepted periods. Norr's KBT: 40 a year earlier, 120 in the others
    (average 100). Söder's IPT: 30 in the latest. Privata's KBT: 20 a year earlier, 100
    in the others (average 80)."""
    norr, soder, privat = units
    last_year = year_before(period)
    earlier = earlier_periods(period)[:4]
    assert last_year in earlier
    for i, earlier_period in enumerate(earlier):
        is_last_year = earlier_period == last_year
        per_unit = {
            norr: kbt(40 if is_last_year else 120),
            privat: kbt(20 if is_last_year else 100, "PRIVATE"),
        }
        if i == 0:
            per_unit[soder] = Figures(
                series={("IPT", "M", "PUBLIC"): 30, ("KBT", "F", "PUBLIC"): 5}
            )
        accept_with_units(earlier_period, per_unit, coordinator)


def file_now(units, period, coordinator, new_unit=None):
    norr, soder, privat = units
    now = {
        norr: kbt(100),  # +150 % on the year before, on the average of 100
        soder: kbt(5),  # IPT 0 after 30
        privat: kbt(20, "PRIVATE"),  # as the year before, −75 % on the average of 80
    }
    if new_unit is not None:
        now[new_unit] = kbt(500)  # no history: nothing to compare with
    for unit, figures in now.items():
        unit_figures_save(
            unit=unit, period=period, figures=figures, lock_version=0, acting_user=coordinator
        )


def test_each_unit_is_checked_by_the_report_rules_against_its_own_history(
    units, period, coordinator, history
):
    new_unit = CareUnit.objects.create(region_id="01", name="Nya enheten", provider="PUBLIC")
    file_now(units, period, coordinator, new_unit)
    flags = unit_warnings("01", period, unit_states("01", period))
    norr, soder, privat = units
    assert {
        unit_id: [(i.code, i.subject) for i in issues] for unit_id, issues in flags.items()
    } == {
        norr.pk: [("deviation_previous_year", "KBT")],
        soder.pk: [("drop_to_zero", "IPT")],
        privat.pk: [("deviation_recent_average", "KBT")],
    }
    assert flags[norr.pk][0].params["base"] == 40
    assert flags[privat.pk][0].params["base"] == 80
    assert flags[soder.pk][0].params["before"] == 30


def test_the_table_names_the_rule_in_the_readers_language(
    login, units, period, coordinator, history
):
    file_now(units, period, coordinator)
    client = login(coordinator)
    url = reverse("reporting:unit_table", args=["01", period.pk])
    swedish = client.get(url).content.decode()
    assert 'data-rule="deviation_previous_year"' in swedish
    assert 'data-rule="deviation_recent_average"' in swedish
    assert 'data-rule="drop_to_zero"' in swedish
    assert "Kognitiv beteendeterapi (KBT): 100 genomförda behandlingar jämfört med 40" in swedish
    assert "Interpersonell psykoterapi (IPT): 0 genomförda behandlingar, men 30 under" in swedish
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    assert "Interpersonal psychotherapy (IPT): 0 completed treatments, but 30 in" in english
    assert "): 20 completed treatments" in english  # Privata's, against the average
    assert "genomförda behandlingar" not in english


def xlsx_rows(client, period, sort="name"):
    response = client.get(
        reverse("reporting:unit_table_xlsx", args=["01", period.pk]) + f"?sort={sort}"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="enheter-01-{period.label}.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_xlsx_export_content(login, units, period, coordinator, history):
    CareUnit.objects.create(
        region_id="01", name='=HYPERLINK("http://x.example","klicka")', provider="PUBLIC"
    )
    file_now(units, period, coordinator)
    sheet, rows = xlsx_rows(login(coordinator), period)
    assert sheet.title == period.label
    assert rows[0] == [
        "Enhet",
        "HSA-id",
        "Vårdgivare",
        "Status",
        "Genomförda behandlingar",
        "Andel av regionen",
        "Kontakter",
        "Avvikelser",
    ]
    assert [cell.font.bold for cell in sheet[1]] == [True] * 8
    by_name = {row[0]: row for row in rows[1:]}
    # The unit name that a spreadsheet would run as a formula is plain text.
    formula = by_name['\'=HYPERLINK("http://x.example","klicka")']
    assert formula[3] == "Ej påbörjad"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    norr = by_name["Vårdcentralen Norr"]
    assert norr[:5] == ["Vårdcentralen Norr", None, "Offentlig", "Utkast", 100]  # no HSA-id
    assert norr[5] == pytest.approx(100 / 125)
    assert sheet.cell(row=rows.index(norr) + 1, column=6).number_format == "0.0%"
    assert norr[6] == 0
    assert norr[7] == (
        "Kognitiv beteendeterapi (KBT): 100 genomförda behandlingar jämfört med 40 "
        + ("samma kvartal året innan (+150 %)." if period.quarter else "året innan (+150 %).")
    )
    soder = by_name["Vårdcentralen Söder"]
    assert soder[1] == "SE2321-0002"
    assert soder[7].startswith("Interpersonell psykoterapi (IPT): 0 genomförda behandlingar")
    assert by_name["Privata kliniken"][2] == "Privat"
    assert by_name["Privata kliniken"][7].endswith("(−75 %).")
    assert [row[0] for row in rows[1:]] == sorted(by_name, key=str.lower)


def count(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_flagging_costs_the_same_queries_for_3_and_60_units(login, units, period, coordinator):
    earlier = earlier_periods(period)
    accept_with_units(earlier[0], {unit: kbt(30, unit.provider) for unit in units}, coordinator)
    for unit in units:
        unit_figures_save(
            unit=unit,
            period=period,
            figures=kbt(3, unit.provider),
            lock_version=0,
            acting_user=coordinator,
        )
    client = login(coordinator)
    path = reverse("reporting:unit_table", args=["01", period.pk])
    three, html = count(client, path)
    assert html.count('class="has-warning"') == 3
    more = CareUnit.objects.bulk_create(
        CareUnit(region_id="01", name=f"Enhet {i:03d}", provider="PUBLIC") for i in range(57)
    )
    # The new units' history is in another accepted period: still the same queries.
    accept_with_units(earlier[1], {unit: kbt(30) for unit in more}, coordinator)
    for unit in more:
        unit_figures_save(
            unit=unit, period=period, figures=kbt(3), lock_version=0, acting_user=coordinator
        )
    sixty, html = count(client, path)
    assert html.count('class="has-warning"') == 60
    assert sixty == three
    assert latest_version("01", period).unit_figures.count() == 60
