"""The canonical report file: one line per region × period × item × sex × provider.

::

    region;period;item;sex;provider;value
    01;2019Q1;KBT;F;PUBLIC;123
    01;2019Q1;EMPLOYER_CONTACT;F;;12
    01;2020;KBT;F;PUBLIC;456

* ``region``: län code, exactly two digits ("01"); surrounding whitespace is ignored.
* ``period``: ``YYYYQn`` with n in 1..4 for a quarter, ``YYYY`` for a condition
  reported once a year (villkor 3 from 2016). Which one the agreement wants is
  checked elsewhere.
* ``item``: a treatment code (syntax only: an upper-case identifier such as KBT or
  OTHER_PSY; whether the agreement includes it is checked elsewhere) or one of the
  non-treatment items EMPLOYER_CONTACT, AF_CONTACT, VIDEO. Lower-case input ("kbt")
  is accepted and upper-cased; so is the Q of the period ("2019q1").
* ``sex``: F or M; the Swedish labels K, kvinna, kvinnor, M, man, män are accepted too
  (case-insensitive).
* ``provider``: PUBLIC or PRIVATE (also offentlig, privat; case-insensitive); required
  for treatments and empty for EMPLOYER_CONTACT, AF_CONTACT and VIDEO.
* ``value``: a whole number ≥ 0; spaces, no-break spaces (U+00A0) and narrow no-break
  spaces (U+202F) are allowed as thousands separators ("1 234").

CSV files are UTF-8 with or without BOM, separated by ``;`` or ``,`` (taken from the
header line). XLSX files are read from their first sheet. Fully blank lines are
skipped, and so are comment lines, whose first cell begins with ``#`` (the CSV
template explains its codes in such lines). The columns may come in any order, but
all six must be there.

Every problem found is reported at once (:func:`read_file` returns them with the
lines that could be read; :func:`parse_file` raises :class:`FileFormatError`): the
header's, every line's cells, lines given twice, lines that are not UTF-8 (the rest
of the file is still read). Only a file that cannot be read at all (not a text
file, not an XLSX file, too large, no header line) stops at that. Each message is
rendered in the active language when it is read (:attr:`RowError.message`), so a
file checked in a Swedish session reads in English for an English reader.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any, cast

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext

from rehab.formatting import format_sizes
from rehab.uploads import DEFAULT_LIMITS, FileLimits, UnsafeFileError, xlsx_rows

from . import cells

COLUMNS: tuple[str, ...] = ("region", "period", "item", "sex", "provider", "value")
# The items, sexes and providers of a report's cells (reporting.cells): which of
# them an agreement asks for is checked by validation against the same definition.
NON_TREATMENT_ITEMS: frozenset[str] = frozenset(cells.EXTRA_ITEMS)
CONTACT_ITEMS: frozenset[str] = frozenset(cells.CONTACT_ITEMS)

DEFAULT_MAX_ROWS = 20_000
DEFAULT_MAX_BYTES = 5_000_000

_REGION_RE = re.compile(r"[0-9]{2}")
_PERIOD_RE = re.compile(r"([0-9]{4})(?:Q([1-4]))?")
_ITEM_RE = re.compile(r"[A-Z][A-Z0-9_]*")
_VALUE_RE = re.compile(r"[0-9]+|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+")
_THOUSANDS_SEPARATORS = str.maketrans("", "", " \u00a0\u202f")

_SEXES = {code.lower(): code for code in cells.SEXES} | {
    "k": "F",
    "kvinna": "F",
    "kvinnor": "F",
    "man": "M",
    "män": "M",
}
_PROVIDERS = {code.lower(): code for code in cells.PROVIDERS} | {
    "offentlig": "PUBLIC",
    "privat": "PRIVATE",
}


@dataclass(frozen=True)
class Row:
    """One valid line of a report file. ``provider`` is "" for contacts and video."""

    line: int
    region: str
    year: int
    quarter: int | None  # None: the yearly period
    item: str
    sex: str
    provider: str
    value: int


@dataclass(frozen=True)
class RowError:
    """One problem in a file.

    ``line`` is the line (CSV) or row (XLSX) number, 0 for the file as a whole;
    ``column`` is the header name, or "" for a whole-line or whole-file problem.
    ``text`` is the message: a string, or a lazy one (:func:`lazy_text`) that
    :attr:`message` renders in the language active when it is read. ``code`` names
    the check that failed, where the caller needs to tell them apart.
    """

    line: int
    column: str
    text: str | Promise
    code: str = field(default="", compare=False)

    @property
    def message(self) -> str:
        return str(self.text)


@dataclass(frozen=True)
class Parsed:
    """What :func:`read_file` found: the valid ``rows``, every problem (``errors``,
    in the order of the file) and, for every data line whose region and period could
    be read (valid or not otherwise), ``(line, region, year, quarter)`` in
    ``places``: a caller checks the region and period of every line at once."""

    rows: list[Row]
    errors: list[RowError]
    places: list[tuple[int, str, int, int | None]] = field(default_factory=list)


class FileFormatError(Exception):
    """The file cannot be read; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors: list[RowError] = list(errors)
        super().__init__("\n".join(error.message for error in self.errors))


# --------------------------------------------------------------------------- messages


def _render(msgid: str, params: dict[str, Any]) -> str:
    text = gettext(msgid)
    return text % params if params else text


_lazy_render = lazy(_render, str)


def lazy_text(msgid: str, **params: Any) -> Promise:
    """``gettext(msgid) % params``, rendered each time it is read (str()), in the
    language active then. Parameters may be lazy texts too."""
    # django-stubs types lazy()'s result as the result class; it is a Promise.
    return cast(Promise, _lazy_render(msgid, params))


# Call sites read _("…", name=value): makemessages collects the message ids.
_ = lazy_text


def _shown(value: str) -> str:
    """A cell value quoted for a message, shortened if it is long."""
    if len(value) > 40:
        value = value[:40] + "…"
    return f'"{value}"'


def cell_error(line: int, column: str, text: str | Promise, code: str = "") -> RowError:
    """A problem with one cell: "Rad 4, kolumn value: …"."""
    return RowError(
        line,
        column,
        _("Rad %(line)s, kolumn %(column)s: %(text)s", line=line, column=column, text=text),
        code,
    )


def line_error(line: int, text: str | Promise, code: str = "", column: str = "") -> RowError:
    """A problem with a whole line: "Rad 4: …" (``column`` only to sort by)."""
    return RowError(line, column, _("Rad %(line)s: %(text)s", line=line, text=text), code)


def _file_error(text: str | Promise) -> RowError:
    return RowError(0, "", text)


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


# --------------------------------------------------------------------------- validation


def _check_header(line: int, cells: Sequence[str]) -> tuple[dict[str, int], list[RowError]]:
    """Map each column name to its position; report unknown, repeated and missing columns."""
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    if not any(cell.strip().lower() in COLUMNS for cell in cells):
        return positions, [
            line_error(
                line,
                _(
                    "rubrikraden saknas. Första raden ska vara %(columns)s "
                    "(semikolon eller komma mellan kolumnerna).",
                    columns=";".join(COLUMNS),
                ),
                "header",
            )
        ]
    for index, raw in enumerate(cells):
        name = raw.strip().lower()
        if name == "":
            if any(cell.strip() for cell in cells[index:]):
                errors.append(
                    line_error(
                        line, _("kolumn %(number)s saknar rubrik.", number=index + 1), "header"
                    )
                )
            continue
        if name not in COLUMNS:
            errors.append(
                line_error(
                    line,
                    _(
                        "okänd kolumn %(name)s. Kolumnerna ska vara %(columns)s.",
                        name=_shown(raw.strip()),
                        columns=";".join(COLUMNS),
                    ),
                    "header",
                    column=raw.strip(),
                )
            )
        elif name in positions:
            errors.append(
                line_error(
                    line, _("kolumnen %(name)s finns två gånger.", name=name), "header", column=name
                )
            )
        else:
            positions[name] = index
    for name in COLUMNS:
        if name not in positions:
            errors.append(
                line_error(line, _("kolumnen %(name)s saknas.", name=name), "header", column=name)
            )
    return positions, errors


def _parse_value(line: int, raw: str) -> int | RowError:
    value = raw.strip()
    if value == "":
        return cell_error(line, "value", _("värde saknas."), "value")
    if not _VALUE_RE.fullmatch(value):
        return cell_error(
            line, "value", _("%(value)s är inte ett heltal ≥ 0.", value=_shown(value)), "value"
        )
    return int(value.translate(_THOUSANDS_SEPARATORS))


@dataclass(frozen=True)
class _Line:
    """One data line as far as it could be read: the row if every cell is valid, the
    problems, and (region, year, quarter) if those two cells are valid."""

    row: Row | None
    errors: list[RowError]
    place: tuple[str, int, int | None] | None


def _parse_row(line: int, cells: dict[str, str]) -> _Line:
    """Validate one line's cells (already picked out by column name). A column the
    header lacks is not in ``cells``: the rest are still checked."""
    errors: list[RowError] = []

    region = cells.get("region", "").strip()
    region_ok = "region" in cells and _REGION_RE.fullmatch(region) is not None
    if "region" in cells and not region_ok:
        errors.append(
            cell_error(
                line,
                "region",
                _(
                    '%(value)s är inte en länskod med två siffror (t.ex. "01").',
                    value=_shown(region),
                )
                if region
                else _("länskod saknas."),
                "region",
            )
        )

    period = cells.get("period", "").strip().upper()
    period_match = _PERIOD_RE.fullmatch(period) if "period" in cells else None
    if "period" in cells and period_match is None:
        errors.append(
            cell_error(
                line,
                "period",
                _(
                    "%(value)s är inte en period på formen ÅÅÅÅQn eller ÅÅÅÅ "
                    '(t.ex. "2012Q1" för ett kvartal, "2020" för ett helt år).',
                    value=_shown(cells["period"].strip()),
                )
                if period
                else _("period saknas."),
                "period",
            )
        )

    item = cells.get("item", "").strip().upper()
    item_ok = "item" in cells and _ITEM_RE.fullmatch(item) is not None
    if "item" in cells and not item_ok:
        errors.append(
            cell_error(
                line,
                "item",
                _(
                    "%(value)s är inte en giltig kod för behandling eller kontakt "
                    "(t.ex. KBT eller EMPLOYER_CONTACT).",
                    value=_shown(cells["item"].strip()),
                )
                if item
                else _("behandling eller kontakt saknas."),
                "item",
            )
        )

    raw_sex = cells.get("sex", "").strip()
    sex = _SEXES.get(raw_sex.lower(), "")
    if "sex" in cells and not sex:
        errors.append(
            cell_error(
                line,
                "sex",
                _("%(value)s är inte ett giltigt kön (F eller M).", value=_shown(raw_sex))
                if raw_sex
                else _("kön saknas (F eller M)."),
                "sex",
            )
        )

    raw_provider = cells.get("provider", "").strip()
    provider = ""
    if "provider" not in cells:
        pass  # no provider column: the header check has already said so, once
    elif item_ok and item in NON_TREATMENT_ITEMS:
        if raw_provider:
            errors.append(
                cell_error(
                    line,
                    "provider",
                    _(
                        "ska vara tom för %(item)s, inte %(value)s.",
                        item=item,
                        value=_shown(raw_provider),
                    ),
                    "provider",
                )
            )
    elif raw_provider:
        provider = _PROVIDERS.get(raw_provider.lower(), "")
        if not provider:
            errors.append(
                cell_error(
                    line,
                    "provider",
                    _(
                        "%(value)s är inte en giltig utförare (PUBLIC eller PRIVATE).",
                        value=_shown(raw_provider),
                    ),
                    "provider",
                )
            )
    elif item_ok:
        errors.append(
            cell_error(line, "provider", _("utförare saknas (PUBLIC eller PRIVATE)."), "provider")
        )

    value: int | RowError | None = None
    if "value" in cells:
        value = _parse_value(line, cells["value"])
        if isinstance(value, RowError):
            errors.append(value)

    place = None
    if region_ok and period_match is not None:
        quarter = int(period_match.group(2)) if period_match.group(2) else None
        place = (region, int(period_match.group(1)), quarter)
    if errors or place is None or len(cells) < len(COLUMNS) or not isinstance(value, int):
        return _Line(None, errors, place)
    return _Line(
        Row(
            line=line,
            region=place[0],
            year=place[1],
            quarter=place[2],
            item=item,
            sex=sex,
            provider=provider,
            value=value,
        ),
        errors,
        place,
    )


def _stop_at_unreadable(
    lines: Iterable[tuple[int, list[str]]], errors: list[RowError]
) -> Iterator[tuple[int, list[str]]]:
    """Pass ``lines`` on; if reading fails half-way, record why and stop there.

    The errors already found in the lines before stay in ``errors`` and are
    reported together with the reason the rest could not be read.
    """
    try:
        yield from lines
    except FileFormatError as error:
        errors.extend(error.errors)


def _is_comment(cells: Sequence[str]) -> bool:
    first = next((cell.strip() for cell in cells if cell.strip()), "")
    return first.startswith("#")


def _unreadable_text(cells: Sequence[str]) -> bool:
    """The line had bytes that are not UTF-8 (decoded as U+FFFD, see parse_csv)."""
    return any("\ufffd" in cell for cell in cells)


def _read_lines(
    lines: Iterable[tuple[int, list[str]]], max_rows: int, *, replaced: bool = False
) -> Parsed:
    """Shared by CSV and XLSX: ``lines`` yields (line number, cells) for non-blank
    lines. ``replaced``: the text was decoded with U+FFFD for bytes that are not
    UTF-8; such lines are reported as not UTF-8 and not checked further."""
    errors: list[RowError] = []
    rows: list[Row] = []
    places: list[tuple[int, str, int, int | None]] = []
    iterator = (
        (line, cells)
        for line, cells in _stop_at_unreadable(lines, errors)
        if not _is_comment(cells)
    )
    header = next(iterator, None)
    if header is None:
        return Parsed([], errors or [_file_error(_("Filen innehåller inga rader."))])
    header_line, header_cells = header
    positions, header_errors = _check_header(header_line, header_cells)
    errors.extend(header_errors)
    if not positions:  # no header line at all: the lines cannot be read
        return Parsed([], errors)
    if header_errors:
        # The columns that are there are still checked, line by line.
        named = [i for i, cell in enumerate(header_cells) if cell.strip()]
        width = max(named) + 1
    else:
        width = max(positions.values()) + 1

    seen: dict[tuple[str, int, int | None, str, str, str], int] = {}
    data_rows = 0
    for line, raw_cells in iterator:
        data_rows += 1
        if data_rows > max_rows:
            errors.append(
                _file_error(
                    _(
                        "Filen har fler än %(max)s rader. Dela upp den i flera filer.",
                        max=_thousands(max_rows),
                    )
                )
            )
            break
        if replaced and _unreadable_text(raw_cells):
            errors.append(
                line_error(
                    line,
                    _("raden har tecken som inte är UTF-8. Spara filen som CSV UTF-8."),
                    "encoding",
                )
            )
            continue
        cells = list(raw_cells)
        # Trailing empty cells (a separator at the end of the line) are harmless.
        while len(cells) > width and cells[-1].strip() == "":
            cells.pop()
        if len(cells) != width:
            errors.append(
                line_error(
                    line,
                    _(
                        "raden har %(count)s kolumner men rubrikraden har %(width)s.",
                        count=len(cells),
                        width=width,
                    ),
                    "columns",
                )
            )
            continue
        parsed = _parse_row(line, {name: cells[index] for name, index in positions.items()})
        errors.extend(parsed.errors)
        if parsed.place is not None:
            places.append((line, *parsed.place))
        if parsed.row is None:
            continue
        row = parsed.row
        key = (row.region, row.year, row.quarter, row.item, row.sex, row.provider)
        if key in seen:
            errors.append(
                line_error(
                    line,
                    _(
                        "samma region, period, behandling, kön och utförare finns redan "
                        "på rad %(first)s.",
                        first=seen[key],
                    ),
                    "duplicate",
                )
            )
            continue
        seen[key] = line
        rows.append(row)

    if data_rows == 0 and not errors:
        errors.append(_file_error(_("Filen innehåller inga rader.")))
    return Parsed(rows, errors, places)


def _parse_lines(lines: Iterable[tuple[int, list[str]]], max_rows: int) -> list[Row]:
    return _raise_or_rows(_read_lines(lines, max_rows))


def _raise_or_rows(parsed: Parsed) -> list[Row]:
    if parsed.errors:
        raise FileFormatError(parsed.errors)
    return parsed.rows


# --------------------------------------------------------------------------- limits


def _read_limits(max_rows: int) -> FileLimits:
    """Rows *read* (blank ones too) may be the header, ``max_rows`` data rows and as
    many blank ones again; columns as :data:`rehab.uploads.DEFAULT_LIMITS` says."""
    return replace(DEFAULT_LIMITS, max_rows_read=2 * max_rows + 1)


# --------------------------------------------------------------------------- CSV


def _sniff_delimiter(text: str) -> str:
    for header_line in text.splitlines():
        stripped = header_line.strip(" \t\u00a0;,")
        if stripped and not stripped.startswith("#"):
            return ";" if header_line.count(";") >= header_line.count(",") else ","
    return ";"


def _csv_lines(text: str, delimiter: str, limits: FileLimits) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = 0
    while True:
        first_line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileFormatError(
                [
                    line_error(
                        first_line,
                        _("raden kan inte läsas som CSV (kontrollera citattecknen)."),
                        "csv",
                    )
                ]
            ) from error
        records += 1
        if records > limits.max_rows_read:
            raise FileFormatError(
                [
                    _file_error(
                        _(
                            "Filen har fler än %(max)s rader (tomma rader räknas med).",
                            max=_thousands(limits.max_rows_read),
                        )
                    )
                ]
            )
        if len(cells) > limits.max_columns:
            raise FileFormatError(
                [
                    line_error(
                        first_line,
                        _("raden har fler än %(max)s kolumner.", max=limits.max_columns),
                        "columns",
                    )
                ]
            )
        if any(cell.strip(" \t\u00a0\u202f") for cell in cells):
            yield first_line, cells


def _read_csv(data: bytes, max_rows: int) -> Parsed:
    replaced = False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Read on: the lines with bytes that are not UTF-8 are reported one by one,
        # together with every other problem of the file.
        text = data.decode("utf-8-sig", errors="replace")
        replaced = True
    if "\x00" in text:
        return Parsed([], [_file_error(_("Filen är inte en textfil (innehåller nolltecken)."))])
    return _read_lines(
        _csv_lines(text, _sniff_delimiter(text), _read_limits(max_rows)),
        max_rows,
        replaced=replaced,
    )


def parse_csv(data: bytes, *, max_rows: int = DEFAULT_MAX_ROWS) -> list[Row]:
    """Read a CSV report file (UTF-8, ``;`` or ``,``); raise :class:`FileFormatError`."""
    return _raise_or_rows(_read_csv(data, max_rows))


# --------------------------------------------------------------------------- XLSX


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "SANT" if value else "FALSKT"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _xlsx_lines(data: bytes, max_rows: int) -> Iterator[tuple[int, list[str]]]:
    try:
        for line, values in xlsx_rows(data, limits=_read_limits(max_rows)):
            cells = [_cell_text(value) for value in values]
            if any(cell.strip(" \t\u00a0\u202f") for cell in cells):
                yield line, cells
    except UnsafeFileError as error:
        raise FileFormatError([_file_error(error.message)]) from error
    except Exception as error:  # zipfile, XML and openpyxl errors alike: not a usable xlsx
        raise FileFormatError(
            [_file_error(_("Filen kan inte läsas som en Excel-fil (.xlsx)."))]
        ) from error


def parse_xlsx(data: bytes, *, max_rows: int = DEFAULT_MAX_ROWS) -> list[Row]:
    """Read an XLSX report file (first sheet); raise :class:`FileFormatError`."""
    return _parse_lines(_xlsx_lines(data, max_rows), max_rows)


# --------------------------------------------------------------------------- any file


def read_file(
    name: str,
    data: bytes,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Parsed:
    """Read an uploaded report file, choosing the format by the name's extension
    (``.csv`` and ``.txt`` as CSV, ``.xlsx`` as Excel): the valid rows, every problem
    found and where each line's region and period could be read. Never raises for
    the file's content."""
    if len(data) > max_bytes:
        return Parsed(
            [],
            [
                _file_error(
                    _(
                        "Filen är för stor (%(size)s). Största tillåtna storlek är %(max)s.",
                        size=format_sizes(len(data), max_bytes)[0],
                        max=format_sizes(len(data), max_bytes)[1],
                    )
                )
            ],
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in ("csv", "txt"):
        return _read_csv(data, max_rows)
    if extension == "xlsx":
        return _read_lines(_xlsx_lines(data, max_rows), max_rows)
    return Parsed(
        [],
        [_file_error(_("Filtypen stöds inte. Ladda upp en .csv-, .txt- eller .xlsx-fil."))],
    )


def parse_file(
    name: str,
    data: bytes,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Row]:
    """Read an uploaded report file (see :func:`read_file`). Raises
    :class:`FileFormatError` listing every problem found."""
    return _raise_or_rows(read_file(name, data, max_rows=max_rows, max_bytes=max_bytes))
