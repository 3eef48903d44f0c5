"""Numbers in the active language's format (Django l10n): no-break spaces, one minus sign."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from rehab.formatting import (
    format_decimal,
    format_int,
    format_kronor,
    format_percent,
    format_size,
    spreadsheet_safe,
)

NBSP = "\u00a0"
MINUS = "\u2212"


def test_format_int_groups_thousands_with_a_no_break_space():
    with translation.override("sv"):
        assert format_int(1234567) == f"1{NBSP}234{NBSP}567"
        assert format_int(999) == "999"
        assert format_int(-1000) == f"{MINUS}1{NBSP}000"
        assert format_int(None) == "–"


def test_format_kronor_from_ore():
    with translation.override("sv"):
        assert format_kronor(19346746) == f"193{NBSP}467,46"
        assert format_kronor(1_000_000_000) == f"10{NBSP}000{NBSP}000,00"
        assert format_kronor(-5) == f"{MINUS}0,05"
        assert format_kronor(-123456789) == f"{MINUS}1{NBSP}234{NBSP}567,89"


def test_english_numbers_in_english_format():
    with translation.override("en"):
        assert format_int(1234567) == "1,234,567"
        assert format_kronor(123456789) == "1,234,567.89"
        assert format_kronor(-5) == f"{MINUS}0.05"
        assert format_decimal(Decimal("1234.04"), 1) == "1,234.0"
        assert format_percent(Decimal("0.256")) == "25.6%"
        assert format_size(5_000_000) == "5 MB".replace(" ", NBSP)


def test_format_decimal_rounds_half_up():
    with translation.override("sv"):
        assert format_decimal(Decimal("12.25")) == "12,3"
        assert format_decimal(Decimal("1234.04"), 1) == f"1{NBSP}234,0"
        assert format_decimal(Decimal("-0.05"), 1) == f"{MINUS}0,1"
        assert format_percent(Decimal("0.256")) == f"25,6{NBSP}%"


def test_sizes_in_megabytes():
    with translation.override("sv"):
        assert format_size(5_000_000) == f"5{NBSP}MB"
        assert format_size(20_000_000) == f"20{NBSP}MB"
        assert format_size(1_500_000) == f"1,5{NBSP}MB"
        assert format_size(2_000) == f"2{NBSP}kB"
        assert format_size(512) == f"512{NBSP}byte"


def test_template_filters_and_separator_tag_follow_the_language():
    template = Template(
        "{% load rehab %}{{ n|num }}|{{ ore|kronor }}|{{ share|percent }}|{{ b|size }}|"
        "{% thousand_separator %}"
    )
    context = Context({"n": -1234567, "ore": 123456789, "share": 0.5, "b": 5_000_000})
    with translation.override("sv"):
        assert template.render(context) == (
            f"{MINUS}1{NBSP}234{NBSP}567|1{NBSP}234{NBSP}567,89|50,0{NBSP}%|5{NBSP}MB|{NBSP}"
        )
    with translation.override("en"):
        assert template.render(context) == (f"{MINUS}1,234,567|1,234,567.89|50.0%|5{NBSP}MB|,")


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


def test_sizes_in_messages_read_as_people_say_them_unless_that_hides_the_difference():
    from rehab.formatting import format_sizes

    assert format_sizes(6_000_000, 5_000_000) == ("6\xa0MB", "5\xa0MB")
    assert format_sizes(1_100_000_000, 25_000_000) == ("1,1\xa0GB", "25\xa0MB")
    # "5 MB, at most 5 MB" would say nothing: the exact bytes instead.
    assert format_sizes(5_000_001, 5_000_000) == (
        "5\xa0000\xa0001\xa0byte",
        "5\xa0000\xa0000\xa0byte",
    )
