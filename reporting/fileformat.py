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
skipped. The columns may come in any order, but all six must be there.

Every problem found is reported at once in a :class:`FileFormatError`, with a
message in Swedish for the region coordinator who uploaded the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time

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
    """

    line: int
    column: str
    message: str


class FileFormatError(Exception):
    """The file cannot be read; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors: list[RowError] = list(errors)
        super().__init__("\n".join(error.message for error in self.errors))


# --------------------------------------------------------------------------- messages


def _shown(value: str) -> str:
    """A cell value quoted for a message, shortened if it is long."""
    if len(value) > 40:
        value = value[:40] + "…"
    return f'"{value}"'


def _cell_error(line: int, column: str, text: str) -> RowError:
    return RowError(line, column, f"Rad {line}, kolumn {column}: {text}")


def _line_error(line: int, text: str) -> RowError:
    return RowError(line, "", f"Rad {line}: {text}")


def _file_error(text: str) -> RowError:
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
            _line_error(
                line,
                f"rubrikraden saknas. Första raden ska vara {';'.join(COLUMNS)} "
                "(semikolon eller komma mellan kolumnerna).",
            )
        ]
    for index, raw in enumerate(cells):
        name = raw.strip().lower()
        if name == "":
            if any(cell.strip() for cell in cells[index:]):
                errors.append(_line_error(line, f"kolumn {index + 1} saknar rubrik."))
            continue
        if name not in COLUMNS:
            errors.append(
                RowError(
                    line,
                    raw.strip(),
                    f"Rad {line}: okänd kolumn {_shown(raw.strip())}. "
                    f"Kolumnerna ska vara {';'.join(COLUMNS)}.",
                )
            )
        elif name in positions:
            errors.append(RowError(line, name, f"Rad {line}: kolumnen {name} finns två gånger."))
        else:
            positions[name] = index
    for name in COLUMNS:
        if name not in positions:
            errors.append(RowError(line, name, f"Rad {line}: kolumnen {name} saknas."))
    return positions, errors


def _parse_value(line: int, raw: str) -> int | RowError:
    value = raw.strip()
    if value == "":
        return _cell_error(line, "value", "värde saknas.")
    if not _VALUE_RE.fullmatch(value):
        return _cell_error(line, "value", f"{_shown(value)} är inte ett heltal ≥ 0.")
    return int(value.translate(_THOUSANDS_SEPARATORS))


def _parse_row(line: int, cells: dict[str, str]) -> Row | list[RowError]:
    """Validate one line's cells (already picked out by column name)."""
    errors: list[RowError] = []

    region = cells["region"].strip()
    if not _REGION_RE.fullmatch(region):
        errors.append(
            _cell_error(
                line,
                "region",
                f'{_shown(region)} är inte en länskod med två siffror (t.ex. "01").'
                if region
                else "länskod saknas.",
            )
        )

    period = cells["period"].strip().upper()
    period_match = _PERIOD_RE.fullmatch(period)
    if period_match is None:
        errors.append(
            _cell_error(
                line,
                "period",
                f"{_shown(cells['period'].strip())} är inte en period på formen ÅÅÅÅQn "
                'eller ÅÅÅÅ (t.ex. "2012Q1" för ett kvartal, "2020" för ett helt år).'
                if period
                else "period saknas.",
            )
        )

    item = cells["item"].strip().upper()
    item_ok = _ITEM_RE.fullmatch(item) is not None
    if not item_ok:
        errors.append(
            _cell_error(
                line,
                "item",
                f"{_shown(cells['item'].strip())} är inte en giltig kod för behandling "
                "eller kontakt (t.ex. KBT eller EMPLOYER_CONTACT)."
                if item
                else "behandling eller kontakt saknas.",
            )
        )

    raw_sex = cells["sex"].strip()
    sex = _SEXES.get(raw_sex.lower(), "")
    if not sex:
        errors.append(
            _cell_error(
                line,
                "sex",
                f"{_shown(raw_sex)} är inte ett giltigt kön (F eller M)."
                if raw_sex
                else "kön saknas (F eller M).",
            )
        )

    raw_provider = cells["provider"].strip()
    provider = ""
    if item_ok and item in NON_TREATMENT_ITEMS:
        if raw_provider:
            errors.append(
                _cell_error(
                    line, "provider", f"ska vara tom för {item}, inte {_shown(raw_provider)}."
                )
            )
    elif raw_provider:
        provider = _PROVIDERS.get(raw_provider.lower(), "")
        if not provider:
            errors.append(
                _cell_error(
                    line,
                    "provider",
                    f"{_shown(raw_provider)} är inte en giltig utförare (PUBLIC eller PRIVATE).",
                )
            )
    elif item_ok:
        errors.append(_cell_error(line, "provider", "utförare saknas (PUBLIC eller PRIVATE)."))

    value = _parse_value(line, cells["value"])
    if isinstance(value, RowError):
        errors.append(value)

    if errors or period_match is None or isinstance(value, RowError):
        return errors
    return Row(
        line=line,
        region=region,
        year=int(period_match.group(1)),
        quarter=int(period_match.group(2)) if period_match.group(2) else None,
        item=item,
        sex=sex,
        provider=provider,
        value=value,
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


def _parse_lines(lines: Iterable[tuple[int, list[str]]], max_rows: int) -> list[Row]:
    """Shared by CSV and XLSX: ``lines`` yields (line number, cells) for non-blank lines."""
    errors: list[RowError] = []
    rows: list[Row] = []
    iterator = _stop_at_unreadable(lines, errors)
    header = next(iterator, None)
    if header is None:
        raise FileFormatError(errors or [_file_error("Filen innehåller inga rader.")])
    header_line, header_cells = header
    positions, header_errors = _check_header(header_line, header_cells)
    if header_errors:
        raise FileFormatError(header_errors)
    width = max(positions.values()) + 1

    seen: dict[tuple[str, int, int | None, str, str, str], int] = {}
    data_rows = 0
    for line, raw_cells in iterator:
        data_rows += 1
        if data_rows > max_rows:
            errors.append(
                _file_error(
                    f"Filen har fler än {_thousands(max_rows)} rader. Dela upp den i flera filer."
                )
            )
            break
        cells = list(raw_cells)
        # Trailing empty cells (a separator at the end of the line) are harmless.
        while len(cells) > width and cells[-1].strip() == "":
            cells.pop()
        if len(cells) != width:
            errors.append(
                _line_error(line, f"raden har {len(cells)} kolumner men rubrikraden har {width}.")
            )
            continue
        parsed = _parse_row(line, {name: cells[index] for name, index in positions.items()})
        if isinstance(parsed, list):
            errors.extend(parsed)
            continue
        key = (parsed.region, parsed.year, parsed.quarter, parsed.item, parsed.sex, parsed.provider)
        if key in seen:
            errors.append(
                _line_error(
                    line,
                    "samma region, period, behandling, kön och utförare finns redan "
                    f"på rad {seen[key]}.",
                )
            )
            continue
        seen[key] = line
        rows.append(parsed)

    if data_rows == 0 and not errors:
        errors.append(_file_error("Filen innehåller inga rader."))
    if errors:
        raise FileFormatError(errors)
    return rows


# --------------------------------------------------------------------------- limits


def _read_limits(max_rows: int) -> FileLimits:
    """Rows *read* (blank ones too) may be the header, ``max_rows`` data rows and as
    many blank ones again; columns as :data:`rehab.uploads.DEFAULT_LIMITS` says."""
    return replace(DEFAULT_LIMITS, max_rows_read=2 * max_rows + 1)


# --------------------------------------------------------------------------- CSV


def _sniff_delimiter(text: str) -> str:
    for header_line in text.splitlines():
        if header_line.strip(" \t\u00a0;,"):
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
                    _line_error(
                        first_line, "raden kan inte läsas som CSV (kontrollera citattecknen)."
                    )
                ]
            ) from error
        records += 1
        if records > limits.max_rows_read:
            raise FileFormatError(
                [
                    _file_error(
                        f"Filen har fler än {_thousands(limits.max_rows_read)} rader "
                        "(tomma rader räknas med)."
                    )
                ]
            )
        if len(cells) > limits.max_columns:
            raise FileFormatError(
                [_line_error(first_line, f"raden har fler än {limits.max_columns} kolumner.")]
            )
        if any(cell.strip(" \t\u00a0\u202f") for cell in cells):
            yield first_line, cells


def parse_csv(data: bytes, *, max_rows: int = DEFAULT_MAX_ROWS) -> list[Row]:
    """Read a CSV report file (UTF-8, ``;`` or ``,``); raise :class:`FileFormatError`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad_line = data.count(b"\n", 0, error.start) + 1
        raise FileFormatError(
            [
                _file_error(
                    "Filen är inte UTF-8-kodad text (första felet på rad "
                    f"{bad_line}). Spara den som CSV UTF-8."
                )
            ]
        ) from error
    if "\x00" in text:
        raise FileFormatError([_file_error("Filen är inte en textfil (innehåller nolltecken).")])
    return _parse_lines(_csv_lines(text, _sniff_delimiter(text), _read_limits(max_rows)), max_rows)


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
            [_file_error("Filen kan inte läsas som en Excel-fil (.xlsx).")]
        ) from error


def parse_xlsx(data: bytes, *, max_rows: int = DEFAULT_MAX_ROWS) -> list[Row]:
    """Read an XLSX report file (first sheet); raise :class:`FileFormatError`."""
    return _parse_lines(_xlsx_lines(data, max_rows), max_rows)


# --------------------------------------------------------------------------- any file


def parse_file(
    name: str,
    data: bytes,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Row]:
    """Read an uploaded report file, choosing the format by the name's extension.

    ``.csv`` and ``.txt`` are read as CSV, ``.xlsx`` as Excel. Raises
    :class:`FileFormatError` listing every problem found.
    """
    if len(data) > max_bytes:
        raise FileFormatError(
            [
                _file_error(
                    f"Filen är för stor ({_thousands(len(data))} byte). "
                    f"Största tillåtna storlek är {_thousands(max_bytes)} byte."
                )
            ]
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in ("csv", "txt"):
        return parse_csv(data, max_rows=max_rows)
    if extension == "xlsx":
        return parse_xlsx(data, max_rows=max_rows)
    raise FileFormatError(
        [_file_error("Filtypen stöds inte. Ladda upp en .csv-, .txt- eller .xlsx-fil.")]
    )
