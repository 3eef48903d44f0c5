"""Loading report files: all or nothing, errors by line and column, a preview,
and the import_reports command (with --dry-run and --accept)."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from reporting.figures import CellChange, Figures
from reporting.imports import report_import_file
from reporting.models import (
    ExtraCount,
    Report,
    ReportEvent,
    ReportVersion,
    SeriesCount,
    ValidationSettings,
    WarningExplanation,
)
from reporting.selectors import figures_of
from reporting.services import NotAllowed
from tests.factories import report_version

OPEN_DAY = datetime.date(2021, 3, 1)  # the yearly 2020 open, before its deadline
HEADER = "region;period;item;sex;provider;value"
GOOD_LINES = [
    "01;2020;KBT;F;PUBLIC;120",
    "01;2020;KBT;M;PRIVATE;1 040",
    "01;2020;MMR1;F;PUBLIC;30",
    "01;2020;EMPLOYER_CONTACT;F;;12",
    "01;2020;AF_CONTACT;M;;4",
]
GOOD_FIGURES = Figures(
    series={
        ("KBT", "F", "PUBLIC"): 120,
        ("KBT", "M", "PRIVATE"): 1040,
        ("MMR1", "F", "PUBLIC"): 30,
    },
    extras={("EMPLOYER_CONTACT", "F"): 12, ("AF_CONTACT", "M"): 4},
)


def csv_file(*lines, header=HEADER):
    return ("\n".join([header, *lines]) + "\n").encode()


def xlsx_file(*rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["region", "period", "item", "sex", "provider", "value"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Report, ReportVersion, SeriesCount, ExtraCount, ReportEvent)
    }


def load(data, user, name="rapport.csv", **kw):
    kw.setdefault("today", OPEN_DAY)
    return report_import_file(name=name, data=data, acting_user=user, **kw)


def messages(result):
    return [error.message for error in result.errors]


def refused(data, user, expected, name="rapport.csv"):
    """The file is refused with exactly these messages and nothing is saved."""
    before = counts()
    result = load(data, user, name=name)
    assert messages(result) == expected
    assert result.saved is False
    assert counts() == before


# --------------------------------------------------------------------------- good files


def test_import_good_csv_creates_a_draft(coordinator):
    result = load(csv_file(*GOOD_LINES), coordinator)
    assert result.errors == []
    assert result.saved is True
    version = ReportVersion.objects.get(report__region="01", report__period__agreement__year=2020)
    assert (version.number, version.status, version.created_by) == (1, "DRAFT", coordinator)
    assert figures_of(version) == GOOD_FIGURES
    [change] = result.changes
    assert (change.region, change.period, change.action, change.version_id) == (
        "01",
        "2020",
        "new",
        version.pk,
    )
    assert len(change.changes) == 5
    assert list(version.report.events.values_list("action", "note")) == [
        ("CREATED", ""),
        ("IMPORTED", "Inläst från fil: 5 uppgifter ändrade."),
    ]


def test_import_good_xlsx_updates_the_current_draft(coordinator):
    draft = report_version(
        region="01",
        year=2020,
        user=coordinator,
        status="DRAFT",
        series={("KBT", "F", "PUBLIC"): 100, ("IPT", "F", "PUBLIC"): 9},
    )
    data = xlsx_file(
        ("01", "2020", "KBT", "F", "PUBLIC", 120),
        ("01", "2020", "KBT", "M", "PRIVATE", 1040),
        ("01", "2020", "MMR1", "F", "PUBLIC", 30),
        ("01", "2020", "EMPLOYER_CONTACT", "F", None, 12),
        ("01", "2020", "AF_CONTACT", "M", None, 4),
    )
    result = load(data, coordinator, name="rapport.xlsx")
    assert result.errors == []
    draft.refresh_from_db()
    assert draft.lock_version == 1
    # The file's cells are laid over the draft; IPT, not in the file, stays.
    assert figures_of(draft).cells() == {**GOOD_FIGURES.cells(), "IPT:F:PUBLIC": 9}
    assert ReportVersion.objects.filter(report=draft.report).count() == 1
    assert result.changes[0].action == "update"
    assert result.changes[0].changes[:2] == [
        CellChange("KBT:F:PUBLIC", 100, 120),
        CellChange("KBT:M:PRIVATE", None, 1040),
    ]


def test_import_preview_shows_changes_against_the_draft_and_saves_nothing(coordinator):
    report_version(
        region="01",
        year=2020,
        user=coordinator,
        status="DRAFT",
        series={("KBT", "F", "PUBLIC"): 120, ("MMR1", "F", "PUBLIC"): 25},
    )
    before = counts()
    result = load(csv_file(*GOOD_LINES), coordinator, dry_run=True)
    assert (result.ok, result.saved, result.dry_run) == (True, False, True)
    assert result.changes[0].changes == [
        CellChange("KBT:M:PRIVATE", None, 1040),
        CellChange("MMR1:F:PUBLIC", 25, 30),
        CellChange("AF_CONTACT:M", None, 4),
        CellChange("EMPLOYER_CONTACT:F", None, 12),
    ]
    assert counts() == before


def test_import_shows_warnings_without_refusing(coordinator):
    report_version(region="01", year=2019, user=coordinator, series={("IPT", "M", "PUBLIC"): 40})
    result = load(csv_file(*GOOD_LINES), coordinator)
    assert result.saved is True
    assert [w.message for w in result.changes[0].warnings] == [
        "Interpersonell psykoterapi (IPT): 0 genomförda behandlingar, men 40 under 2019."
    ]


# --------------------------------------------------------------------------- refused files


def test_import_refuses_bad_code(coordinator):
    refused(
        csv_file(GOOD_LINES[0], "01;2020;XYZ;F;PUBLIC;5"),
        coordinator,
        ["Rad 3, kolumn item: XYZ ingår inte i överenskommelsen för 2020."],
    )


def test_import_refuses_treatment_not_in_that_years_agreement(coordinator):
    refused(
        csv_file("01;2012Q1;KBT;F;PUBLIC;5", "01;2012Q1;IKBT;F;PUBLIC;5"),
        coordinator,
        ["Rad 3, kolumn item: IKBT ingår inte i överenskommelsen för 2012."],
    )


def test_import_refuses_negative_number(coordinator):
    refused(
        csv_file(GOOD_LINES[0], "01;2020;IPT;F;PUBLIC;-5"),
        coordinator,
        ['Rad 3, kolumn value: "-5" är inte ett heltal ≥ 0.'],
    )


def test_import_refuses_text_in_number_cell(coordinator):
    refused(
        xlsx_file(("01", "2020", "KBT", "F", "PUBLIC", "tio")),
        coordinator,
        ['Rad 2, kolumn value: "tio" är inte ett heltal ≥ 0.'],
        name="rapport.xlsx",
    )


def test_import_refuses_unknown_region(coordinator):
    refused(
        csv_file(*GOOD_LINES, "99;2020;KBT;F;PUBLIC;5"),
        coordinator,
        ["Rad 7, kolumn region: det finns ingen region med länskod 99."],
    )


def test_import_refuses_region_the_user_does_not_belong_to(coordinator):
    # The good rows of region 01 in the same file are not saved either.
    refused(
        csv_file(*GOOD_LINES, "03;2020;KBT;F;PUBLIC;5", "03;2020;KBT;M;PUBLIC;5"),
        coordinator,
        ["Rad 7, kolumn region: du får inte rapportera för Region Uppsala."],
    )


def test_import_refuses_unknown_period(coordinator):
    refused(
        csv_file("01;2031Q1;KBT;F;PUBLIC;5"),
        coordinator,
        ["Rad 2, kolumn period: det finns ingen rapporteringsperiod 2031Q1."],
    )


def test_import_refuses_duplicate_row(coordinator):
    refused(
        csv_file(*GOOD_LINES, "01;2020;kbt;K;offentlig;7"),
        coordinator,
        [
            "Rad 7: samma region, period, behandling, kön och utförare finns redan på rad 2.",
        ],
    )


def test_import_refuses_empty_file(coordinator):
    refused(b"", coordinator, ["Filen innehåller inga rader."])
    refused(csv_file(), coordinator, ["Filen innehåller inga rader."])


def test_import_refuses_too_many_rows(coordinator):
    lines = [
        f"{region:02d};{year}Q{quarter};{item};{sex};{provider};1"
        for region in range(1, 26)
        for year in range(2009, 2021)
        for quarter in (1, 2, 3, 4)
        for item in ("KBT", "IPT", "MMR1", "MMR2", "PDT", "EMDR")
        for sex in "FM"
        for provider in ("PUBLIC", "PRIVATE")
    ][:20_001]
    refused(
        csv_file(*lines),
        coordinator,
        ["Filen har fler än 20 000 rader. Dela upp den i flera filer."],
    )


def test_import_limits_are_settings(coordinator):
    ValidationSettings.objects.create(max_upload_bytes=100, max_upload_rows=2)
    data = csv_file(*GOOD_LINES)
    refused(
        data,
        coordinator,
        [f"Filen är för stor ({len(data)}\xa0byte). Största tillåtna storlek är 100\xa0byte."],
    )
    ValidationSettings.objects.update(max_upload_bytes=5_000_000)
    refused(data, coordinator, ["Filen har fler än 2 rader. Dela upp den i flera filer."])


def test_import_refuses_contacts_above_series_naming_the_line(coordinator):
    refused(
        csv_file("01;2020;KBT;M;PUBLIC;3", "01;2020;AF_CONTACT;M;;4"),
        coordinator,
        [
            "Rad 3, kolumn value: Kontakter med Arbetsförmedlingen (4) är fler än regionens "
            "genomförda behandlingar under perioden (3)."
        ],
    )


def test_import_refuses_a_submitted_report_and_a_period_not_open(coordinator):
    report_version(region="01", year=2019, user=coordinator, status="SUBMITTED")
    refused(
        csv_file("01;2019;KBT;F;PUBLIC;5"),
        coordinator,
        [
            "Rad 2: rapporten för Region Stockholm 2019 är inskickad och granskas av "
            "Försäkringskassan; den kan inte ändras nu."
        ],
    )
    before = counts()
    result = load(csv_file("01;2020;KBT;F;PUBLIC;5"), coordinator, today=datetime.date(2020, 6, 1))
    assert messages(result) == [
        "Rad 2, kolumn period: Perioden 2020 öppnar för rapportering 2021-01-01."
    ]
    assert counts() == before


def test_import_lists_every_error_of_every_report(coordinator):
    refused(
        csv_file(
            "01;2020;XYZ;F;PUBLIC;5",
            "01;2019;KBT;F;PUBLIC;3",
            "01;2019;EMPLOYER_CONTACT;F;;9",
        ),
        coordinator,
        [
            "Rad 2, kolumn item: XYZ ingår inte i överenskommelsen för 2020.",
            "Rad 4, kolumn value: Kontakter med arbetsgivare (9) är fler än regionens "
            "genomförda behandlingar under perioden (3).",
        ],
    )


def test_import_by_fk_without_accept_is_refused(case_officer):
    refused(
        csv_file(*GOOD_LINES),
        case_officer,
        ["Rad 2, kolumn region: du får inte rapportera för Region Stockholm."],
    )


# --------------------------------------------------------------------------- accept


def test_import_accept_records_accepted_versions(case_officer):
    result = load(
        csv_file("01;2019;KBT;F;PUBLIC;50", "03;2019;KBT;F;PUBLIC;7"),
        case_officer,
        accept=True,
        today=datetime.date(2026, 1, 1),  # long after the deadline: no matter
    )
    assert result.errors == []
    reports = Report.objects.filter(period__agreement__year=2019).order_by("region")
    assert [(r.region_id, r.accepted_version.status) for r in reports] == [
        ("01", "ACCEPTED"),
        ("03", "ACCEPTED"),
    ]
    version = reports[0].accepted_version
    assert (version.submitted_by, version.decided_by, version.submitted_late) == (
        case_officer,
        case_officer,
        False,
    )
    assert figures_of(version).cells() == {"KBT:F:PUBLIC": 50}
    assert list(version.report_events.values_list("action", flat=True)) == [
        "IMPORTED",
        "SUBMITTED",
        "ACCEPTED",
    ]
    assert version.report_events.last().note == (
        "Inläst som historisk uppgift och godkänd vid inläsningen: reglerna för öppen period "
        "och sista dag tillämpades inte, och varningar behövde ingen förklaring."
    )


def test_import_accept_again_supersedes_and_warnings_need_no_explanation(case_officer, coordinator):
    report_version(region="01", year=2018, user=coordinator, series={("KBT", "F", "PUBLIC"): 500})
    report_version(region="01", year=2019, user=coordinator, series={("KBT", "F", "PUBLIC"): 400})
    result = load(csv_file("01;2019;KBT;F;PUBLIC;40"), case_officer, accept=True)
    assert result.errors == []
    report = Report.objects.get(region="01", period__agreement__year=2019)
    assert [(v.number, v.status) for v in report.versions.order_by("number")] == [
        (1, "SUPERSEDED"),
        (2, "ACCEPTED"),
    ]
    assert report.accepted_version.is_correction is True
    assert list(
        WarningExplanation.objects.filter(version=report.accepted_version).values_list(
            "code", flat=True
        )
    ) == ["deviation_previous_year", "deviation_recent_average"]


def test_import_accept_refused_for_a_coordinator(coordinator):
    before = counts()
    with pytest.raises(NotAllowed) as error:
        load(csv_file("01;2019;KBT;F;PUBLIC;50"), coordinator, accept=True)
    assert error.value.message == "Du får inte läsa in godkända rapporter."
    assert counts() == before


# --------------------------------------------------------------------------- the command


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_reports", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_command_dry_run_prints_changes_and_saves_nothing(coordinator, tmp_path):
    path = tmp_path / "2020.csv"
    path.write_bytes(csv_file(*GOOD_LINES[:2]))
    before = counts()
    output = run(str(path), "--user", "samordnare01", "--dry-run")
    assert output.splitlines() == [
        "Provkörning: inget sparas.",
        "01 Region Stockholm 2020: nytt utkast, version 1, 2 uppgifter ändras",
        "  KBT:F:PUBLIC: – -> 120",
        "  KBT:M:PRIVATE: – -> 1040",
        "  Varning: Rapporten lämnas in efter sista dag 2021-08-15.",
        "Skulle ändra: 1 rapporter, 2 uppgifter.",
    ]
    assert counts() == before
    output = run(str(path), "--user", "samordnare01")
    assert output.splitlines()[-1] == "Sparat: 1 rapporter, 2 uppgifter."
    assert SeriesCount.objects.filter(version__report__region="01").count() == 2


def test_command_refuses_a_bad_file_and_saves_nothing(coordinator, tmp_path):
    path = tmp_path / "fel.csv"
    path.write_bytes(csv_file(GOOD_LINES[0], "01;2020;KBT;M;PUBLIC;-1"))
    before = counts()
    with pytest.raises(CommandError) as error:
        run(str(path), "--user", "samordnare01")
    assert str(error.value) == (
        'Filen lästes inte in; inget sparades.\nRad 3, kolumn value: "-1" är inte ett heltal ≥ 0.'
    )
    assert counts() == before


def test_command_accept_by_fk_and_refused_for_coordinator(coordinator, case_officer, tmp_path):
    path = tmp_path / "2018-2019.xlsx"
    path.write_bytes(
        xlsx_file(
            ("01", "2018", "KBT", "F", "PUBLIC", 50),
            ("01", "2019", "KBT", "F", "PUBLIC", 55),
        )
    )
    before = counts()
    with pytest.raises(CommandError) as error:
        run(str(path), "--user", "samordnare01", "--accept")
    assert str(error.value) == "Du får inte läsa in godkända rapporter."
    assert counts() == before
    output = run(str(path), "--user", "handlaggare", "--accept")
    assert output.splitlines()[-1] == "Sparat: 2 rapporter, 2 uppgifter."
    assert sorted(
        Report.objects.filter(region="01", accepted_version__isnull=False).values_list(
            "period__agreement__year", "accepted_version__status"
        )
    ) == [(2018, "ACCEPTED"), (2019, "ACCEPTED")]
