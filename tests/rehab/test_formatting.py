"""Numbers the Swedish way."""

from decimal import Decimal

import pytest

from rehab.formatting import format_decimal, format_int, format_kronor, spreadsheet_safe


def test_format_int_groups_thousands_with_space():
    assert format_int(1234567) == "1 234 567"
    assert format_int(999) == "999"
    assert format_int(-1000) == "-1 000"
    assert format_int(None) == "–"


def test_format_kronor_from_ore():
    assert format_kronor(19346746) == "193 467,46"
    assert format_kronor(1_000_000_000) == "10 000 000,00"
    assert format_kronor(-5) == "-0,05"
    assert format_kronor(5, decimal_sep=".") == "0.05"


def test_format_decimal_rounds_half_up():
    assert format_decimal(Decimal("12.25")) == "12,3"
    assert format_decimal(Decimal("1234.04"), 1) == "1 234,0"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://x";"klicka")', '\'=HYPERLINK("http://x";"klicka")'),
        ("+A1*2", "'+A1*2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-1234,50", "-1234,50"),  # a negative amount stays a number
        ("-", "-"),
        ("Region Stockholm", "Region Stockholm"),
        (-5, -5),
    ],
)
def test_spreadsheet_safe_escapes_text_that_would_run_as_a_formula(value, shown):
    assert spreadsheet_safe(value) == shown
