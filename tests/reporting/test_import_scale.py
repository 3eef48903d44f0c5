"""Imports at national scale (issue #12): a ten-year file of some 40,000 rows is
all or nothing and a bad row names itself; an import's queries do not grow with
the number of reports or periods in the file (no timed tests: speed is measured
by bench/bench_import.py)."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rehab.models import AgreementTreatment, DataVersion, Region, ReportingPeriod
from reporting.figures import Figures
from reporting.imports import report_import_file
from reporting.models import Report, ReportEvent, ReportVersion, SeriesCount
from reporting.selectors import figures_of
from reporting.services import (
    ImportItem,
    StaleDraft,
    report_import_drafts,
    report_record_historical_many,
)
from reporting.validation import included_treatments
from tests.factories import as_quarterly

HEADER = "region;period;item;sex;provider;value"
YEARS = range(2011, 2021)


def widen_early_agreements() -> None:
    """Give 2011-2015 the treatments of 2016 (reference data has four before
    2016), and report 2016-2020 by quarter (an administrator may set a year so; the
    reference data has them yearly), so ten years hold 21 regions x 40 quarters x 48
    cells: the issue's 40,000-row file."""
    for year in range(2016, 2021):
        as_quarterly(year)
    later = included_treatments(
        ReportingPeriod.objects.select_related("agreement").get(agreement__year=2016, quarter=1)
    )
    for period in ReportingPeriod.objects.filter(agreement__year__in=range(2011, 2016), quarter=1):
        have = included_treatments(period)
        AgreementTreatment.objects.bulk_create(
            AgreementTreatment(agreement_id=period.agreement_id, treatment_id=code)
            for code in sorted(later - have)
        )


def national_lines(years=YEARS, regions=None) -> list[str]:
    """Every cell of every quarter of `years` for `regions` (default all active),
    with figures that pass every check (contacts and video below the series)."""
    codes = regions or sorted(Region.objects.filter(active=True).values_list("code", flat=True))
    lines = []
    periods = ReportingPeriod.objects.select_related("agreement").filter(
        agreement__year__in=list(years)
    )
    for period in sorted(periods, key=lambda p: (p.agreement.year, p.quarter or 0)):
        label = period.label
        treatments = sorted(included_treatments(period))
        extras = ["EMPLOYER_CONTACT", "AF_CONTACT"]
        if period.agreement.asks_video:
            extras.append("VIDEO")
        for code in codes:
            for treatment in treatments:
                for sex in "FM":
                    for provider in ("PUBLIC", "PRIVATE"):
                        lines.append(f"{code};{label};{treatment};{sex};{provider};50")
            for kind in extras:
                for sex in "FM":
                    lines.append(f"{code};{label};{kind};{sex};;10")
    return lines


def csv_file(lines) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def table_counts() -> dict[str, int]:
    """Rows of every reporting table (their history tables included) and the data
    version: everything an import could touch."""
    counts = {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_app_config("reporting").get_models()
    }
    counts["data version"] = DataVersion.objects.values_list("number", flat=True).first() or 0
    return counts


def test_forty_thousand_rows_with_one_bad_row_change_nothing_and_name_the_row(
    case_officer, tmp_path
):
    widen_early_agreements()
    lines = national_lines()
    assert len(lines) >= 40_000
    middle = len(lines) // 2
    region, period, *_rest = lines[middle].split(";")
    bad = lines.copy()
    bad[middle] = f"{region};{period};XYZ;F;PUBLIC;5"
    path = tmp_path / "historik.csv"
    path.write_bytes(csv_file(bad))
    before = table_counts()
    with pytest.raises(CommandError) as error:
        call_command("import_reports", str(path), "--user", case_officer.username, "--accept")
    line = middle + 2  # the header is line 1
    assert str(error.value) == (
        "Filen lästes inte in; inget sparades.\n"
        f"Rad {line}, kolumn item: XYZ ingår inte i överenskommelsen för {period[:4]}."
    )
    assert table_counts() == before

    # The same file without the bad row: every report and cell saved, in one go.
    path.write_bytes(csv_file(lines))
    out = io.StringIO()
    call_command(
        "import_reports", str(path), "--user", case_officer.username, "--accept", stdout=out
    )
    reports = 21 * 4 * len(YEARS)
    assert (
        out.getvalue().splitlines()[-1] == f"Sparat: {reports} rapporter, {len(lines)} uppgifter."
    )
    assert Report.objects.filter(accepted_version__status="ACCEPTED").count() == reports
    assert ReportVersion.objects.count() == reports
    assert ReportEvent.objects.count() == 3 * reports
    cells = SeriesCount.objects.count() + apps.get_model("reporting", "ExtraCount").objects.count()
    assert cells == len(lines)
    # The history tables saw every row too (pghistory's triggers fire on bulk inserts).
    assert apps.get_model("reporting", "SeriesCountEvent").objects.count() == (
        SeriesCount.objects.count()
    )
    assert table_counts()["data version"] > before["data version"]


def test_a_bad_value_in_the_middle_of_a_big_file_is_refused_by_the_parser(case_officer):
    lines = national_lines(years=range(2016, 2020))
    middle = len(lines) // 2
    lines[middle] = lines[middle].rsplit(";", 1)[0] + ";-3"
    before = table_counts()
    result = report_import_file(
        name="historik.csv",
        data=csv_file(lines),
        acting_user=case_officer,
        accept=True,
        max_rows=100_000,
    )
    assert [e.message for e in result.errors] == [
        f'Rad {middle + 2}, kolumn value: "-3" är inte ett heltal ≥ 0.'
    ]
    assert table_counts() == before


def import_queries(lines, user, **kw) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = report_import_file(
            name="rapport.csv", data=csv_file(lines), acting_user=user, max_rows=100_000, **kw
        )
    assert result.errors == []
    assert result.saved is True
    return len(queries.captured_queries)


def test_accepted_import_queries_do_not_grow_with_reports_or_periods(case_officer):
    # History to compare with (the checks read it) and reports in force to correct.
    # 2017-2019 are one yearly report each (villkor 3).
    import_queries(national_lines(years=[2017]), case_officer, accept=True)
    small = national_lines([2018], ["01"])
    small += national_lines([2017], ["03"])  # a correction
    large = national_lines(years=[2018, 2019])  # 42 reports
    large += national_lines(years=[2017])  # 21 corrections
    assert import_queries(small, case_officer, accept=True) == import_queries(
        large, case_officer, accept=True
    )
    assert Report.objects.filter(accepted_version__isnull=False).count() == 3 * 21
    corrected = Report.objects.get(region="03", period__agreement__year=2017)
    assert [(v.number, v.status) for v in corrected.versions.order_by("number")] == [
        (1, "SUPERSEDED"),
        (2, "SUPERSEDED"),
        (3, "ACCEPTED"),
    ]
    assert corrected.accepted_version is not None
    assert figures_of(corrected.accepted_version).cells()["KBT:F:PUBLIC"] == 50


def test_draft_import_queries_do_not_grow_with_periods(coordinator):
    # Quarters of the model A years 2014 and 2015.
    today = datetime.date(2021, 3, 1)  # every quarter of 2014 and 2015 open (and late)
    first = [line for line in national_lines(years=[2015], regions=["01"]) if "2015Q1" in line]
    import_queries(first, coordinator, today=today)  # 2015Q1 has a draft now
    small = [line for line in national_lines(years=[2015], regions=["01"]) if "2015Q1" in line]
    small = [line.replace(";50", ";60") for line in small]  # updates the draft
    small += [line for line in national_lines(years=[2015], regions=["01"]) if "2015Q2" in line]
    large = [
        line.replace(";50", ";70") for line in national_lines(years=[2014, 2015], regions=["01"])
    ]
    large = [line for line in large if "2015Q2" not in line] + [
        line for line in national_lines(years=[2015], regions=["01"]) if "2015Q2" in line
    ]
    # small: one draft updated, one created; large: one updated, one unchanged
    # (2015Q2 again), six created.
    assert import_queries(small, coordinator, today=today) == import_queries(
        large, coordinator, today=today
    )
    drafts = ReportVersion.objects.filter(report__region="01", status="DRAFT")
    assert drafts.count() == 8
    q1 = drafts.get(report__period__agreement__year=2015, report__period__quarter=1)
    assert (q1.number, q1.lock_version) == (1, 2)
    assert figures_of(q1).cells()["KBT:F:PUBLIC"] == 70


def test_bulk_services_refuse_a_report_changed_since_the_file_was_checked(
    coordinator, case_officer
):
    """A report that did not exist when the file was checked (so was not locked) and
    was started by someone else before the save: nothing saved, StaleDraft."""
    period = ReportingPeriod.objects.select_related("agreement").get(agreement__year=2020)
    other = ReportingPeriod.objects.select_related("agreement").get(agreement__year=2019)
    figures = Figures(series={("KBT", "F", "PUBLIC"): 5})
    draft = report_import_drafts(
        items=[ImportItem(region="01", period=period, figures=figures, note="först")],
        acting_user=coordinator,
    )[0]
    before = table_counts()
    items = [
        ImportItem(region="01", period=other, figures=figures, note="", expected=[]),
        ImportItem(region="01", period=period, figures=figures, note="", expected=[]),
    ]
    with pytest.raises(StaleDraft) as error:
        report_import_drafts(items=items, acting_user=coordinator)
    assert error.value.message == (
        "Rapporten för 01 2020 ändrades medan filen lästes in. Inget sparades; läs in filen igen."
    )
    with pytest.raises(StaleDraft):
        report_record_historical_many(items=items[1:], acting_user=case_officer)
    assert table_counts() == before
    # As checked (version 1 as it is): saved, the draft's lock version raised.
    fresh = ImportItem(
        region="01", period=period, figures=figures, note="", expected=[1, draft.lock_version]
    )
    saved = report_import_drafts(items=[fresh], acting_user=coordinator)[0]
    assert (saved.pk, saved.lock_version) == (draft.pk, draft.lock_version + 1)
