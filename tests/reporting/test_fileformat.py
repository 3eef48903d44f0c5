"""The canonical report file: what is read, and what the coordinator is told when it is wrong."""

import io

import openpyxl
import pytest

from reporting.fileformat import FileFormatError, Row, RowError, parse_csv, parse_file, parse_xlsx

HEADER = "region;period;item;sex;provider;value\n"


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode(encoding)


def errors_of(data: bytes, **kwargs: int) -> list[RowError]:
    with pytest.raises(FileFormatError) as caught:
        parse_csv(data, **kwargs)
    return caught.value.errors


def messages_of(data: bytes, **kwargs: int) -> list[str]:
    return [error.message for error in errors_of(data, **kwargs)]


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- good CSV


def test_parse_csv_reads_semicolon_file():
    data = csv_bytes("01;2014Q1;KBT;F;PUBLIC;123", "01;2014Q1;EMPLOYER_CONTACT;F;;12")
    assert parse_csv(data) == [
        Row(
            line=2,
            region="01",
            year=2014,
            quarter=1,
            item="KBT",
            sex="F",
            provider="PUBLIC",
            value=123,
        ),
        Row(
            line=3,
            region="01",
            year=2014,
            quarter=1,
            item="EMPLOYER_CONTACT",
            sex="F",
            provider="",
            value=12,
        ),
    ]


def test_parse_csv_reads_comma_file():
    data = csv_bytes("03,2015Q4,IPT,M,PRIVATE,7", header="region,period,item,sex,provider,value\n")
    assert parse_csv(data) == [Row(2, "03", 2015, 4, "IPT", "M", "PRIVATE", 7)]


def test_parse_csv_reads_file_with_bom_and_crlf():
    data = "\ufeffregion;period;item;sex;provider;value\r\n01;2014Q2;KBT;F;PUBLIC;5\r\n".encode()
    assert parse_csv(data) == [Row(2, "01", 2014, 2, "KBT", "F", "PUBLIC", 5)]


def test_parse_csv_accepts_spaces_as_thousands_separators():
    data = csv_bytes(
        "01;2014Q1;KBT;F;PUBLIC;1 234",
        "01;2014Q1;KBT;M;PUBLIC;1\u00a0234\u00a0567",
        "01;2014Q1;IPT;F;PUBLIC;12\u202f345",
    )
    assert [row.value for row in parse_csv(data)] == [1_234, 1_234_567, 12_345]


def test_parse_csv_accepts_swedish_labels_for_sex_and_provider():
    data = csv_bytes(
        "01;2014Q1;KBT;K;offentlig;1",
        "01;2014Q1;KBT;kvinnor;Privat;2",
        "01;2014Q1;IPT;Man;OFFENTLIG;3",
        "01;2014Q1;IPT;män;privat;4",
        "01;2014Q1;PDT;Kvinna;public;5",
    )
    assert [(row.sex, row.provider) for row in parse_csv(data)] == [
        ("F", "PUBLIC"),
        ("F", "PRIVATE"),
        ("M", "PUBLIC"),
        ("M", "PRIVATE"),
        ("F", "PUBLIC"),
    ]


def test_parse_csv_strips_whitespace_and_skips_blank_lines():
    data = csv_bytes(
        "", " 01 ; 2014Q1 ; KBT ; F ; PUBLIC ; 3 ", ";;;;;", "   ", "01;2014Q1;VIDEO;M;;0"
    )
    assert parse_csv(data) == [
        Row(3, "01", 2014, 1, "KBT", "F", "PUBLIC", 3),
        Row(6, "01", 2014, 1, "VIDEO", "M", "", 0),
    ]


def test_parse_csv_accepts_columns_in_any_order():
    data = csv_bytes("12;F;KBT;2014Q3;01;PUBLIC", header="value;sex;item;period;region;provider\n")
    assert parse_csv(data) == [Row(2, "01", 2014, 3, "KBT", "F", "PUBLIC", 12)]


def test_parse_csv_ignores_trailing_separator():
    data = csv_bytes("01;2014Q1;KBT;F;PUBLIC;3;")
    assert parse_csv(data) == [Row(2, "01", 2014, 1, "KBT", "F", "PUBLIC", 3)]


def test_parse_csv_upper_cases_item_and_period():
    data = csv_bytes("01;2014q1;ikbt;F;PUBLIC;3")
    assert parse_csv(data) == [Row(2, "01", 2014, 1, "IKBT", "F", "PUBLIC", 3)]


def test_parse_csv_same_cell_for_each_sex_and_provider_is_not_a_duplicate():
    data = csv_bytes(
        "01;2014Q1;KBT;F;PUBLIC;1",
        "01;2014Q1;KBT;F;PRIVATE;1",
        "01;2014Q1;KBT;M;PUBLIC;1",
        "01;2014Q2;KBT;F;PUBLIC;1",
        "03;2014Q1;KBT;F;PUBLIC;1",
    )
    assert len(parse_csv(data)) == 5


# --------------------------------------------------------------------------- bad CSV


def test_parse_csv_rejects_negative_value():
    data = csv_bytes(
        "01;2014Q1;KBT;F;PUBLIC;1", "01;2014Q1;KBT;M;PUBLIC;2", "01;2014Q1;IPT;F;PUBLIC;-3"
    )
    assert errors_of(data) == [
        RowError(4, "value", 'Rad 4, kolumn value: "-3" är inte ett heltal ≥ 0.')
    ]


def test_parse_csv_rejects_non_integer_values():
    data = csv_bytes(
        "01;2014Q1;KBT;F;PUBLIC;2,5",
        "01;2014Q1;KBT;M;PUBLIC;12 34",
        "01;2014Q1;IPT;F;PUBLIC;tre",
        "01;2014Q1;IPT;M;PUBLIC;",
    )
    assert messages_of(data) == [
        'Rad 2, kolumn value: "2,5" är inte ett heltal ≥ 0.',
        'Rad 3, kolumn value: "12 34" är inte ett heltal ≥ 0.',
        'Rad 4, kolumn value: "tre" är inte ett heltal ≥ 0.',
        "Rad 5, kolumn value: värde saknas.",
    ]


def test_parse_csv_rejects_region_that_is_not_two_digits():
    data = csv_bytes(
        "1;2014Q1;KBT;F;PUBLIC;1", "AB;2014Q1;KBT;M;PUBLIC;1", ";2014Q1;IPT;F;PUBLIC;1"
    )
    assert messages_of(data) == [
        'Rad 2, kolumn region: "1" är inte en länskod med två siffror (t.ex. "01").',
        'Rad 3, kolumn region: "AB" är inte en länskod med två siffror (t.ex. "01").',
        "Rad 4, kolumn region: länskod saknas.",
    ]


def test_parse_csv_rejects_bad_period():
    data = csv_bytes("01;2014Q5;KBT;F;PUBLIC;1", "01;2014-1;KBT;M;PUBLIC;1")
    assert messages_of(data) == [
        'Rad 2, kolumn period: "2014Q5" är inte en period på formen ÅÅÅÅQn eller ÅÅÅÅ '
        '(t.ex. "2012Q1" för ett kvartal, "2020" för ett helt år).',
        'Rad 3, kolumn period: "2014-1" är inte en period på formen ÅÅÅÅQn eller ÅÅÅÅ '
        '(t.ex. "2012Q1" för ett kvartal, "2020" för ett helt år).',
    ]


def test_parse_csv_reads_a_yearly_period():
    rows = parse_csv(csv_bytes("01;2020;KBT;F;PUBLIC;4"))
    assert [(r.year, r.quarter) for r in rows] == [(2020, None)]


def test_parse_csv_rejects_bad_item():
    data = csv_bytes("01;2014Q1;K B T;F;PUBLIC;1", "01;2014Q1;;M;PUBLIC;1")
    assert messages_of(data) == [
        'Rad 2, kolumn item: "K B T" är inte en giltig kod för behandling eller kontakt '
        "(t.ex. KBT eller EMPLOYER_CONTACT).",
        "Rad 3, kolumn item: behandling eller kontakt saknas.",
    ]


def test_parse_csv_rejects_bad_sex():
    data = csv_bytes("01;2014Q1;KBT;X;PUBLIC;1", "01;2014Q1;KBT;;PUBLIC;1")
    assert messages_of(data) == [
        'Rad 2, kolumn sex: "X" är inte ett giltigt kön (F eller M).',
        "Rad 3, kolumn sex: kön saknas (F eller M).",
    ]


def test_parse_csv_rejects_bad_provider():
    data = csv_bytes("01;2014Q1;KBT;F;kommunal;1")
    assert messages_of(data) == [
        'Rad 2, kolumn provider: "kommunal" är inte en giltig utförare (PUBLIC eller PRIVATE).'
    ]


def test_parse_csv_requires_provider_for_treatments():
    data = csv_bytes("01;2014Q1;KBT;F;;1")
    assert messages_of(data) == ["Rad 2, kolumn provider: utförare saknas (PUBLIC eller PRIVATE)."]


def test_parse_csv_requires_empty_provider_for_contacts_and_video():
    data = csv_bytes(
        "01;2014Q1;EMPLOYER_CONTACT;F;PUBLIC;1",
        "01;2014Q1;AF_CONTACT;F;PRIVATE;1",
        "01;2014Q1;VIDEO;F;PUBLIC;1",
    )
    assert messages_of(data) == [
        'Rad 2, kolumn provider: ska vara tom för EMPLOYER_CONTACT, inte "PUBLIC".',
        'Rad 3, kolumn provider: ska vara tom för AF_CONTACT, inte "PRIVATE".',
        'Rad 4, kolumn provider: ska vara tom för VIDEO, inte "PUBLIC".',
    ]


def test_parse_csv_reports_every_bad_cell_of_every_row():
    data = csv_bytes(
        "1;2014Q9;KBT;X;PUBLIC;-1", "01;2014Q1;KBT;F;PUBLIC;1", "01;2014Q1;IPT;F;PUBLIC;x"
    )
    assert [(error.line, error.column) for error in errors_of(data)] == [
        (2, "region"),
        (2, "period"),
        (2, "sex"),
        (2, "value"),
        (4, "value"),
    ]


def test_parse_csv_rejects_duplicate_rows_naming_both_lines():
    data = csv_bytes(
        "01;2014Q1;KBT;F;PUBLIC;1",
        "01;2014Q1;KBT;M;PUBLIC;1",
        "01;2014Q1;KBT;kvinna;offentlig;2",
    )
    assert errors_of(data) == [
        RowError(
            4,
            "",
            "Rad 4: samma region, period, behandling, kön och utförare finns redan på rad 2.",
        )
    ]


def test_parse_csv_rejects_wrong_column_count():
    data = csv_bytes("01;2014Q1;KBT;F;1", "01;2014Q1;KBT;F;PUBLIC;1;2")
    assert errors_of(data) == [
        RowError(2, "", "Rad 2: raden har 5 kolumner men rubrikraden har 6."),
        RowError(3, "", "Rad 3: raden har 7 kolumner men rubrikraden har 6."),
    ]


def test_parse_csv_rejects_missing_and_unknown_header_columns():
    data = csv_bytes("01;2014Q1;KBT;F;1", header="region;period;item;kön;value\n")
    assert errors_of(data) == [
        RowError(
            1,
            "kön",
            'Rad 1: okänd kolumn "kön". Kolumnerna ska vara region;period;item;sex;provider;value.',
        ),
        RowError(1, "sex", "Rad 1: kolumnen sex saknas."),
        RowError(1, "provider", "Rad 1: kolumnen provider saknas."),
    ]


def test_parse_csv_rejects_file_without_header_line():
    data = b"01;2014Q1;KBT;F;PUBLIC;1\n01;2014Q1;KBT;M;PUBLIC;1\n"
    assert errors_of(data) == [
        RowError(
            1,
            "",
            "Rad 1: rubrikraden saknas. Första raden ska vara "
            "region;period;item;sex;provider;value (semikolon eller komma mellan kolumnerna).",
        )
    ]


def test_parse_csv_rejects_repeated_header_column():
    data = csv_bytes(header="region;period;item;sex;provider;value;value\n")
    assert messages_of(data) == ["Rad 1: kolumnen value finns två gånger."]


def test_parse_csv_rejects_file_without_data_rows():
    assert errors_of(csv_bytes()) == [RowError(0, "", "Filen innehåller inga rader.")]
    assert messages_of(b"") == ["Filen innehåller inga rader."]
    assert messages_of(b"\n  \n") == ["Filen innehåller inga rader."]


def test_parse_csv_rejects_too_many_rows():
    data = csv_bytes(
        "01;2014Q1;KBT;F;PUBLIC;1", "01;2014Q1;KBT;M;PUBLIC;1", "01;2014Q1;IPT;F;PUBLIC;1"
    )
    assert messages_of(data, max_rows=2) == [
        "Filen har fler än 2 rader. Dela upp den i flera filer."
    ]
    assert len(parse_csv(data, max_rows=3)) == 3


def test_parse_csv_rejects_bytes_that_are_not_utf8_line_by_line_with_the_other_errors():
    data = csv_bytes(
        "01;2014Q1;KBT;F;PUBLIC;x",
        "01;2014Q1;KBT;M;PUBLIC;1 234",
        "01;2014Q1;IPT;F;PUBLIC;1",
        "01;2014Q1;IPT;M;PUBLIC;-2",
    ).replace(b"KBT;M", "KBT;Mä".encode("latin-1"))
    assert messages_of(data) == [
        'Rad 2, kolumn value: "x" är inte ett heltal ≥ 0.',
        "Rad 3: raden har tecken som inte är UTF-8. Spara filen som CSV UTF-8.",
        'Rad 5, kolumn value: "-2" är inte ett heltal ≥ 0.',
    ]


def test_parse_csv_rejects_broken_quoting_after_reporting_earlier_errors():
    data = csv_bytes("01;2014Q1;KBT;F;PUBLIC;-1", '01;2014Q1;"KBT"x;M;PUBLIC;1')
    assert messages_of(data) == [
        'Rad 2, kolumn value: "-1" är inte ett heltal ≥ 0.',
        "Rad 3: raden kan inte läsas som CSV (kontrollera citattecknen).",
    ]


# --------------------------------------------------------------------------- XLSX


def test_parse_xlsx_reads_first_sheet():
    data = xlsx_bytes(
        [
            ["region", "period", "item", "sex", "provider", "value"],
            ["01", "2014Q1", "KBT", "F", "PUBLIC", 123],
            [None, None, None, None, None, None],
            ["01", "2014Q1", "EMPLOYER_CONTACT", "kvinna", None, 12.0],
            ["14", "2014Q1", "IKBT", "M", "privat", "1\xa0234"],
        ]
    )
    assert parse_xlsx(data) == [
        Row(2, "01", 2014, 1, "KBT", "F", "PUBLIC", 123),
        Row(4, "01", 2014, 1, "EMPLOYER_CONTACT", "F", "", 12),
        Row(5, "14", 2014, 1, "IKBT", "M", "PRIVATE", 1_234),
    ]


def test_parse_xlsx_rejects_fractional_and_negative_numbers():
    data = xlsx_bytes(
        [
            ["region", "period", "item", "sex", "provider", "value"],
            ["01", "2014Q1", "KBT", "F", "PUBLIC", 2.5],
            ["01", "2014Q1", "KBT", "M", "PUBLIC", -3],
        ]
    )
    with pytest.raises(FileFormatError) as caught:
        parse_xlsx(data)
    assert [error.message for error in caught.value.errors] == [
        'Rad 2, kolumn value: "2.5" är inte ett heltal ≥ 0.',
        'Rad 3, kolumn value: "-3" är inte ett heltal ≥ 0.',
    ]


def test_parse_xlsx_rejects_region_stored_as_number_without_leading_zero():
    data = xlsx_bytes(
        [
            ["region", "period", "item", "sex", "provider", "value"],
            [1, "2014Q1", "KBT", "F", "PUBLIC", 1],
        ]
    )
    with pytest.raises(FileFormatError) as caught:
        parse_xlsx(data)
    assert [error.message for error in caught.value.errors] == [
        'Rad 2, kolumn region: "1" är inte en länskod med två siffror (t.ex. "01").'
    ]


def test_parse_xlsx_rejects_bytes_that_are_not_xlsx():
    with pytest.raises(FileFormatError) as caught:
        parse_xlsx(b"region;period;item;sex;provider;value\n")
    assert caught.value.errors == [
        RowError(0, "", "Filen kan inte läsas som en Excel-fil (.xlsx).")
    ]


def test_parse_xlsx_rejects_empty_sheet():
    with pytest.raises(FileFormatError) as caught:
        parse_xlsx(xlsx_bytes([]))
    assert [error.message for error in caught.value.errors] == ["Filen innehåller inga rader."]


# --------------------------------------------------------------------------- parse_file


def test_parse_file_chooses_format_by_extension():
    csv_data = csv_bytes("01;2014Q1;KBT;F;PUBLIC;1")
    xlsx_data = xlsx_bytes(
        [
            ["region", "period", "item", "sex", "provider", "value"],
            ["01", "2014Q1", "KBT", "F", "PUBLIC", 1],
        ]
    )
    expected = [Row(2, "01", 2014, 1, "KBT", "F", "PUBLIC", 1)]
    assert parse_file("rapport.csv", csv_data) == expected
    assert parse_file("rapport.TXT", csv_data) == expected
    assert parse_file("Rapport 2014.xlsx", xlsx_data) == expected


def test_parse_file_rejects_unknown_extension():
    with pytest.raises(FileFormatError) as caught:
        parse_file("rapport.xls", b"anything")
    assert [error.message for error in caught.value.errors] == [
        "Filtypen stöds inte. Ladda upp en .csv-, .txt- eller .xlsx-fil."
    ]


def test_parse_file_rejects_too_large_file():
    with pytest.raises(FileFormatError) as caught:
        parse_file("rapport.csv", b"x" * 1_001, max_bytes=1_000)
    assert [error.message for error in caught.value.errors] == [
        "Filen är för stor (1\xa0001\xa0byte). Största tillåtna storlek är 1\xa0000\xa0byte."
    ]


def test_parse_file_passes_row_limit_on():
    data = csv_bytes("01;2014Q1;KBT;F;PUBLIC;1", "01;2014Q1;KBT;M;PUBLIC;1")
    with pytest.raises(FileFormatError) as caught:
        parse_file("rapport.csv", data, max_rows=1)
    assert [error.message for error in caught.value.errors] == [
        "Filen har fler än 1 rader. Dela upp den i flera filer."
    ]


def test_file_format_error_message_lists_all_errors():
    error = FileFormatError([RowError(2, "value", "Första."), RowError(3, "", "Andra.")])
    assert str(error) == "Första.\nAndra."
