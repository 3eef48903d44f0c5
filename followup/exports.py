"""Downloads of the statistics tables as CSV and XLSX, with Swedish headings.

The files hold exactly the cells of the tables the page shows
(`followup.tables`). CSV: UTF-8 with BOM, semicolon-separated and a
decimal comma, as Swedish Excel opens it; whole numbers without thousands
separators; kronor with two decimals. XLSX: one sheet per table, numbers as
numbers. A figure that does not exist is written as the page words it
("saknas", "befolkning saknas"), never as 0.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from followup.tables import DEC1, INT, KRONOR, PCT, SIGNED_INT, SIGNED_PCT, Cell, Table
from rehab.formatting import spreadsheet_row, spreadsheet_safe

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_NUMBER_FORMATS = {
    INT: "0",
    DEC1: "0.0",
    PCT: "0.0",
    KRONOR: "#,##0.00",
    SIGNED_INT: "+0;-0;0",
    SIGNED_PCT: "+0.0;-0.0;0.0",
}


def _has_region_code(table: Table) -> bool:
    return any(row.key.isdigit() and len(row.key) == 2 for row in table.rows)


def headings(table: Table) -> list[str]:
    first = ["Länskod"] if _has_region_code(table) else []
    return spreadsheet_row([*first, table.label_heading, *(c.heading for c in table.columns)])


def _csv_value(cell: Cell) -> str:
    if cell.value is None:
        return cell.missing
    if cell.kind == KRONOR:
        return str((Decimal(int(cell.value)) / 100).quantize(Decimal("0.01"))).replace(".", ",")
    if cell.kind in (SIGNED_INT, SIGNED_PCT) and isinstance(cell.value, (int, Decimal)):
        sign = "+" if cell.value > 0 else ""
        return sign + str(cell.value).replace(".", ",")
    if isinstance(cell.value, Decimal):
        return str(cell.value).replace(".", ",")
    return str(spreadsheet_safe(str(cell.value)))


def _xlsx_value(cell: Cell) -> int | Decimal | str:
    if cell.value is None:
        return cell.missing
    if cell.kind == KRONOR:
        return (Decimal(int(cell.value)) / 100).quantize(Decimal("0.01"))
    return spreadsheet_safe(cell.value)


def table_rows(table: Table) -> list[list[Cell]]:
    """The rows of the table with its label (and län code) as text cells first."""
    with_code = _has_region_code(table)
    out = []
    for row in table.all_rows:
        first = [Cell(row.key if row.key.isdigit() else "", "text")] if with_code else []
        out.append([*first, Cell(row.label, "text"), *row.cells])
    return out


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headings(table))
    for cells in table_rows(table):
        writer.writerow([_csv_value(cell) for cell in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def tables_xlsx(tables: list[Table]) -> bytes:
    """A workbook with one sheet per table: title, headings, rows, notes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(title=table.slug[:31])
        sheet.append([spreadsheet_safe(table.title)])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(headings(table))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for cells in table_rows(table):
            sheet.append([_xlsx_value(cell) for cell in cells])
            for target, cell in zip(sheet[sheet.max_row], cells, strict=True):
                if cell.value is not None and cell.kind in _NUMBER_FORMATS:
                    target.number_format = _NUMBER_FORMATS[cell.kind]
        if table.total is not None:
            for target in sheet[sheet.max_row]:
                target.font = Font(bold=True)
        if table.notes:
            sheet.append([])
        for note in table.notes:
            sheet.append([note])
        sheet.column_dimensions["A"].width = 12
        sheet.column_dimensions["B"].width = 26
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
