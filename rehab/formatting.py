"""Numbers on the screen, in the active language's format (Django l10n, formats in
rehab/formats/): Swedish "1 234 567,89", English "1,234,567.89". The Swedish
thousands separator is a no-break space, so a number never wraps inside itself, and
a negative number has one minus sign (U+2212 "−"). Machine-readable exports do not
use these (they write plain digits, see payments/exports.py)."""

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import get_language

MINUS = "\u2212"
NOTHING = "–"


def _signed(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def format_number(value: int | Decimal, places: int | None = None) -> str:
    """``value`` grouped and with the decimal separator of the active language."""
    return _signed(number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True))


def format_int(value: int | None) -> str:
    """1234567 -> "1 234 567" (sv) / "1,234,567" (en); None -> "–"."""
    if value is None:
        return NOTHING
    return format_number(int(value))


def format_kronor(ore: int | None) -> str:
    """123456789 öre -> "1 234 567,89" (sv) / "1,234,567.89" (en)."""
    if ore is None:
        return NOTHING
    return format_number(Decimal(int(ore)).scaleb(-2), 2)


def format_decimal(value: Decimal | float | None, places: int = 1) -> str:
    """Decimal("12.345") -> "12,3" (half up), thousands grouped."""
    if value is None:
        return NOTHING
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return format_number(rounded, places)


def format_percent(share: Decimal | float | None) -> str:
    """0.256 -> "25,6 %" (sv, with a no-break space) / "25.6%" (en)."""
    if share is None:
        return NOTHING
    text = format_decimal(Decimal(str(share)) * 100, 1)
    return text + ("%" if (get_language() or "sv").startswith("en") else "\u00a0%")


def format_size(size: int | None) -> str:
    """A size in bytes as people say it: 5_000_000 -> "5 MB", 1_500_000 -> "1,5 MB",
    20_000 -> "20 kB" (decimal units, as the limits are set), with a no-break space."""
    if size is None:
        return NOTHING
    for unit, step in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= step:
            value = (Decimal(size) / step).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            places = 0 if value == value.to_integral_value() else 1
            return f"{format_number(value, places)}\u00a0{unit}"
    return f"{format_int(size)}\u00a0byte"


def format_sizes(size: int, limit: int) -> tuple[str, str]:
    """A size and the limit it broke, as people say them ("6 MB", "5 MB"); in bytes
    when rounding would make the two read the same ("5 000 001 byte", "5 000 000
    byte"), so the message never says a file of 5 MB is over a limit of 5 MB."""
    shown = format_size(size), format_size(limit)
    if shown[0] == shown[1]:
        return f"{format_int(size)}\u00a0byte", f"{format_int(limit)}\u00a0byte"
    return shown


# A spreadsheet runs text that starts like this as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9 \u00a0]*(?:[.,][0-9]+)?")


def spreadsheet_safe(value: Any) -> Any:
    """``value`` for a CSV or XLSX cell: text that a spreadsheet would run as a formula
    (starting with =, +, -, @, tab or CR) gets a leading apostrophe, so it is shown as
    the text it is. Numbers, and text that is just a number ("-1234,50"), are unchanged."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value.startswith(_FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable[Any]) -> list[Any]:
    """:func:`spreadsheet_safe` for every value of a row."""
    return [spreadsheet_safe(value) for value in values]
