"""Numbers the Swedish way: "1 234 567" and "1 234 567,89" (kronor from öre).

Plain spaces separate thousands; templates keep them on one line with CSS
(`white-space: nowrap` on `.num`), so what a user copies is what the spec shows.
"""

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def group_thousands(digits: str) -> str:
    out: list[str] = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return " ".join(out)


def format_int(value: int | None) -> str:
    """1234567 -> "1 234 567"; None -> "–"."""
    if value is None:
        return "–"
    sign = "-" if value < 0 else ""
    return sign + group_thousands(str(abs(int(value))))


def format_kronor(ore: int | None, *, decimal_sep: str = ",") -> str:
    """123456789 öre -> "1 234 567,89"."""
    if ore is None:
        return "–"
    sign = "-" if ore < 0 else ""
    kronor, rest = divmod(abs(int(ore)), 100)
    return f"{sign}{group_thousands(str(kronor))}{decimal_sep}{rest:02d}"


def format_decimal(
    value: Decimal | float | None, places: int = 1, *, decimal_sep: str = ","
) -> str:
    """Decimal("12.345") -> "12,3" (half up), thousands grouped."""
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, frac = str(abs(rounded)).partition(".")
    return sign + group_thousands(whole) + (decimal_sep + frac if places else "")


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
