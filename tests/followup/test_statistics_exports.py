"""Downloads of the statistics (CSV, XLSX) and the export_statistics command:
the same numbers as the page, Swedish headings, no silent zeros."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import report_version
from tests.followup.test_statistics import build_2019, population

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    decoded = text.decode("utf-8")
    assert decoded.startswith("\ufeff")
    return list(csv.reader(io.StringIO(decoded[1:]), delimiter=";"))


def test_csv_export_has_swedish_headings_and_the_page_numbers(client, case_officer):
    build_2019(case_officer)
    client.force_login(case_officer)
    url = reverse("statistics:year_export", kwargs={"year": 2019, "table": "kon", "fmt": "csv"})
    response = client.get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="statistik-2019-kon.csv"'
    rows = csv_rows(response)
    assert rows[0] == [
        "Länskod",
        "Region",
        "Godkända rapporter",
        "Kvinnor",
        "Kvinnor %",
        "Män",
        "Män %",
        "Summa",
    ]
    assert rows[1] == ["01", "Region Stockholm", "1 av 1", "60", "68,2", "28", "31,8", "88"]
    assert rows[2] == ["03", "Region Uppsala", "1 av 1", "49", "12,3", "351", "87,8", "400"]
    assert rows[4] == ["05", "Region Östergötland", "0 av 1"] + ["saknas"] * 5
    assert rows[-1] == ["", "Riket", "3 av 21 regioner", "116", "23,4", "379", "76,6", "495"]
    assert len(rows) == 1 + 21 + 1
    page = client.get(reverse("statistics:year", kwargs={"year": 2019})).content.decode()
    for shown in ("68,2&nbsp;%", "31,8&nbsp;%", "12,3&nbsp;%", "87,8&nbsp;%", "23,4&nbsp;%"):
        assert shown in page


def test_csv_export_headings_are_swedish_in_english_interface(client, case_officer):
    build_2019(case_officer)
    client.force_login(case_officer)
    url = reverse(
        "statistics:year_export", kwargs={"year": 2019, "table": "psykisk-ohalsa", "fmt": "csv"}
    )
    rows = csv_rows(client.get(url, headers={"accept-language": "en"}))
    assert rows[0][-3:] == [
        "Summa psykisk ohälsa",
        "KBT+IPT",
        "KBT+IPT per 1 000 invånare 16–67 år",
    ]
    assert rows[1] == [
        "01",
        "Region Stockholm",
        "1 av 1",
        "60",
        "0",
        "8",
        "4",
        "0",
        "0",
        "72",
        "68",
        "0,3",
    ]
    assert rows[3][-1] == "befolkning saknas"


def test_xlsx_export_holds_every_table_with_numbers(client, case_officer):
    build_2019(case_officer)
    client.force_login(case_officer)
    url = reverse("statistics:year_export", kwargs={"year": 2019, "table": "alla", "fmt": "xlsx"})
    response = client.get(url)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "rapporter",
        "psykisk-ohalsa",
        "smarta",
        "kon",
        "vardgivare",
        "kontakter",
        "forandring",
    ]
    sheet = book["kon"]
    assert sheet["A1"].value == "Kvinnor och män"
    assert [c.value for c in sheet[2]] == [
        "Länskod",
        "Region",
        "Godkända rapporter",
        "Kvinnor",
        "Kvinnor %",
        "Män",
        "Män %",
        "Summa",
    ]
    assert [c.value for c in sheet[3]] == [
        "01",
        "Region Stockholm",
        "1 av 1",
        60,
        68.2,
        28,
        31.8,
        88,
    ]
    assert [c.value for c in sheet[6]][:4] == ["05", "Region Östergötland", "0 av 1", "saknas"]
    assert [c.value for c in sheet[24]] == [
        None,
        "Riket",
        "3 av 21 regioner",
        116,
        23.4,
        379,
        76.6,
        495,
    ]
    assert sheet["E3"].number_format == "0.0"
    mental = book["psykisk-ohalsa"]
    assert [c.value for c in mental[3]][-3:] == [72, 68, 0.3]
    assert [c.value for c in mental[5]][-1] == "befolkning saknas"


def test_single_table_xlsx_and_unknown_table(client, case_officer):
    build_2019(case_officer)
    client.force_login(case_officer)
    url = reverse("statistics:year_export", kwargs={"year": 2019, "table": "smarta", "fmt": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    assert book.sheetnames == ["smarta"]
    assert [c.value for c in book["smarta"][3]][3:] == [12, 4, 0, 0, 0, 16, 16, 0.1]
    for table, fmt in (("okand", "csv"), ("alla", "csv")):
        bad = reverse("statistics:year_export", kwargs={"year": 2019, "table": table, "fmt": fmt})
        assert client.get(bad).status_code == 404


def test_time_series_exports(client, case_officer, no_history):
    build_2019(case_officer)
    client.force_login(case_officer)
    url = reverse("statistics:series_export", kwargs={"table": "tidsserie-kbt-ipt", "fmt": "csv"})
    rows = csv_rows(client.get(url))
    assert rows[0] == ["Länskod", "Region"] + [str(y) for y in range(2009, 2021)]
    assert rows[1] == ["01", "Region Stockholm"] + ["saknas"] * 10 + ["68", "saknas"]
    assert rows[-1] == ["", "Riket"] + ["saknas"] * 10 + ["468", "saknas"]
    url = reverse("statistics:series_export", kwargs={"table": "tidsserie-riket", "fmt": "csv"})
    rows = csv_rows(client.get(url))
    assert rows[0] == [
        "År",
        "KBT+IPT",
        "KBT+IPT per 1 000 invånare",
        "MMR1+MMR2",
        "MMR1+MMR2 per 1 000 invånare",
        "Alla behandlingar",
        "Åldersgrupp per 1 000",
        "Befolkning per 1 november",
        "Källa",
        "Regioner med alla årets rapporter godkända",
    ]
    assert rows[11] == [
        "2019",
        "468",
        "befolkning saknas",
        "23",
        "befolkning saknas",
        "495",
        "16–67 år",
        "befolkning saknas",
        "Godkända rapporter",
        "3 av 21",
    ]
    url = reverse("statistics:series_export", kwargs={"table": "alla", "fmt": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    assert book.sheetnames == [
        "tidsserie-riket",
        "tidsserie-kbt-ipt",
        "tidsserie-kbt-ipt-per-1000",
        "tidsserie-mmr",
        "tidsserie-mmr-per-1000",
    ]


def test_export_statistics_command_output_is_exact(ref, coordinator, capsys):
    report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 40, ("IPT", "M", "PRIVATE"): 3, ("MMR2", "F", "PUBLIC"): 5},
        extras={("EMPLOYER_CONTACT", "F"): 4, ("AF_CONTACT", "M"): 1},
    )
    # The accepted correction replaces the first version's figures; a draft never counts.
    report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={
            ("KBT", "F", "PUBLIC"): 43,
            ("IPT", "M", "PRIVATE"): 25,
            ("MMR2", "F", "PUBLIC"): 5,
        },
        extras={("EMPLOYER_CONTACT", "F"): 4, ("AF_CONTACT", "M"): 1},
    )
    report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 1000},
        status="DRAFT",
    )
    report_version(
        region="03",
        year=2019,
        user=coordinator,
        series={("MMR1", "M", "PUBLIC"): 2},
    )
    population("01", 272_000)
    out = io.StringIO()
    err = io.StringIO()
    call_command("export_statistics", "--year", "2019", stdout=out, stderr=err)
    treatments = [
        "KBT",
        "IKBT",
        "IPT",
        "PDT",
        "EMDR",
        "OTHER_PSY",
        "MMR1",
        "MMR2",
        "BEHAV",
        "ACTIVE",
        "OTHER_PAIN",
    ]
    r01 = {"KBT": 43, "IPT": 25, "MMR2": 5}
    r03 = {"MMR1": 2}
    national = {"KBT": 43, "IPT": 25, "MMR1": 2, "MMR2": 5}

    def block(code, counts, f, m, public, private, employer, af, rates):
        lines = [f"{code};treatments;{t};{counts.get(t, 0)}" for t in treatments]
        lines += [
            f"{code};sex;F;{f}",
            f"{code};sex;M;{m}",
            f"{code};provider;PUBLIC;{public}",
            f"{code};provider;PRIVATE;{private}",
            f"{code};contacts;EMPLOYER;{employer}",
            f"{code};contacts;AF;{af}",
        ]
        return lines + [f"{code};per_1000;{k};{v}" for k, v in rates]

    expected = [
        "region;measure;key;value",
        # KBT+IPT 68 × 1000 / 272 000 = 0.25 -> 0.3 (half up); MMR 5 -> 0.018… -> 0.0
        *block("01", r01, 48, 25, 48, 25, 4, 1, [("KBT_IPT", "0.3"), ("MMR", "0.0")]),
        *block("03", r03, 0, 2, 2, 0, 0, 0, []),
        *block("ALL", national, 48, 27, 50, 25, 4, 1, []),
    ]
    assert out.getvalue() == "\n".join(expected) + "\n"
    messages = err.getvalue()
    assert "04: inga godkända rapporter för 2019." in messages
    assert "01: bara" not in messages  # its yearly report is accepted
    assert "03: befolkningsuppgift saknas, inget per 1 000." in messages


def test_export_statistics_command_unknown_year(ref):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ingen överenskommelse för 2031"):
        call_command("export_statistics", "--year", "2031")


def test_export_statistics_decimal_is_a_point(ref, coordinator):
    report_version(
        region="01", year=2012, quarter=1, user=coordinator, series={("KBT", "F", "PUBLIC"): 1_234}
    )
    import datetime

    population("01", 1_000_000, datetime.date(2012, 11, 1), "16-65")
    out, err = io.StringIO(), io.StringIO()
    call_command("export_statistics", "--year", "2012", stdout=out, stderr=err)
    # 2012 is reported by quarter: one of four is not a whole year.
    assert "01: bara 1 av 4 kvartal godkända för 2012." in err.getvalue()
    lines = out.getvalue().splitlines()
    assert "01;per_1000;KBT_IPT;1.2" in lines
    assert "ALL;treatments;KBT;1234" in lines
    assert Decimal("1.2") == Decimal(lines[lines.index("01;per_1000;KBT_IPT;1.2")].split(";")[3])


def test_one_region_time_series_export(client, viewer, no_history):
    build_2019(viewer)
    client.force_login(viewer)
    page = client.get(reverse("statistics:series") + "?region=01").content.decode()
    url = reverse("statistics:series_export", kwargs={"table": "tidsserie-01", "fmt": "csv"})
    assert url in page
    rows = csv_rows(client.get(url))
    assert rows[0][:3] == ["År", "KBT+IPT", "KBT+IPT per 1 000 invånare"]
    assert rows[11] == [
        "2019",
        "68",
        "0,3",
        "16",
        "0,1",
        "88",
        "16–67 år",
        "272000",
        "Godkända rapporter",
        "1 av 1",
    ]
    assert rows[1] == [
        "2009",
        "saknas",
        "saknas",
        "saknas",
        "saknas",
        "saknas",
        "16–65 år",
        "–",
        "–",
        "0 av 4",
    ]
    bad = reverse("statistics:series_export", kwargs={"table": "tidsserie-99", "fmt": "csv"})
    assert client.get(bad).status_code == 404
