"""Reading uploaded files without letting them take the server down.

Every file the app opens that a user sent (report files, attachments to written
accounts) goes through here. An XLSX or DOCX file is a zip archive: a file of a
few kilobytes can expand to gigabytes (a *zip bomb*), and a sheet can declare
a dimension of a million rows × 16,384 columns that a careless reader pads
out cell by cell (a *dimension bomb*). The defences:

* :func:`check_zip` reads only the archive's directory and refuses it when a
  member, or all of them together, would expand past a limit, or when it has
  too many members. Python's :mod:`zipfile` stops reading a member at its
  declared size (and fails the CRC check if the data was longer), so the
  declared sizes are a real bound for everything read through it afterwards.
* :func:`xlsx_rows` streams the first sheet with openpyxl's read-only mode,
  ignores the declared dimension (so nothing is padded), and counts every row
  it *reads*, blank or not, and the columns of every row.

Both raise :class:`UnsafeFileError` with a Swedish message for the person who
uploaded the file, in well under a second for any bomb.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .formatting import format_int, format_sizes


@dataclass(frozen=True)
class FileLimits:
    """How much an uploaded file may hold once unpacked."""

    #: Largest uncompressed size of one zip member (a worksheet, shared strings, a picture).
    max_member_bytes: int = 25_000_000
    #: Largest uncompressed size of all members together.
    max_total_bytes: int = 50_000_000
    #: Most members an archive may have.
    max_members: int = 1_000
    #: Most rows a sheet may have, counting blank rows (they are read too).
    max_rows_read: int = 50_000
    #: Most columns any row of a sheet may reach (cells that are present, even empty).
    max_columns: int = 50


DEFAULT_LIMITS = FileLimits()


class UnsafeFileError(Exception):
    """The file would unpack or expand beyond the limits; ``message`` says why (Swedish)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def check_zip(data: bytes, *, limits: FileLimits = DEFAULT_LIMITS) -> None:
    """Refuse a zip archive (XLSX, DOCX) that would unpack beyond ``limits``.

    Reads the central directory only; nothing is decompressed. A file that is
    not a zip archive at all is left for the caller's own reader to reject.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    if len(members) > limits.max_members:
        raise UnsafeFileError(
            _("Filen innehåller för många delar (%(count)s; högst %(max)s).")
            % {"count": format_int(len(members)), "max": format_int(limits.max_members)}
        )
    total = 0
    for member in members:
        if member.file_size > limits.max_member_bytes:
            raise UnsafeFileError(
                _(
                    "Filen packas upp till för mycket data (%(name)s: %(size)s; "
                    "högst %(max)s per del)."
                )
                % dict(
                    zip(
                        ("size", "max"),
                        format_sizes(member.file_size, limits.max_member_bytes),
                        strict=True,
                    ),
                    name=member.filename[:60],
                )
            )
        total += member.file_size
    if total > limits.max_total_bytes:
        raise UnsafeFileError(
            _("Filen packas upp till för mycket data (%(size)s; högst %(max)s).")
            % dict(zip(("size", "max"), format_sizes(total, limits.max_total_bytes), strict=True))
        )


def xlsx_rows(
    data: bytes, *, limits: FileLimits = DEFAULT_LIMITS
) -> Iterator[tuple[int, tuple[object, ...]]]:
    """Yield (row number, cell values) for every row of the first sheet, blank ones too.

    Checks the archive with :func:`check_zip` first. Raises
    :class:`UnsafeFileError` as soon as a row beyond ``limits.max_rows_read`` or
    a cell beyond ``limits.max_columns`` is met; any other problem reading the
    file is raised as it comes (the caller reports it as an unreadable file).
    """
    import openpyxl  # imported here so that CSV-only users do not pay for it

    check_zip(data, limits=limits)
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        # The declared <dimension> is the file's word, not a fact: without this,
        # read-only mode pads every row (and the sheet) out to it.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > limits.max_rows_read:
                raise UnsafeFileError(
                    _("Filen har fler än %(max)s rader (tomma rader räknas med).")
                    % {"max": format_int(limits.max_rows_read)}
                )
            if len(values) > limits.max_columns:
                raise UnsafeFileError(
                    _("Rad %(line)s har celler i fler än %(max)s kolumner.")
                    % {"line": format_int(number), "max": format_int(limits.max_columns)}
                )
            yield number, values
    finally:
        workbook.close()
