"""What an attached file really is: PDF, DOCX or XLSX, told by its content, not its name.

Used for the attachments of written accounts (återrapportering). A file is taken
only when its content is one of the three kinds AND its name ends with that kind's
extension: a ``.pdf`` name on a Word file, or on anything else, is refused.

* PDF: starts with ``%PDF-1.`` or ``%PDF-2.`` and has the ``%%EOF`` marker near its end.
* DOCX / XLSX: a ZIP (Office Open XML) with ``[Content_Types].xml`` and the main part
  ``word/document.xml`` / ``xl/workbook.xml``. Only the ZIP's central directory is
  read (nothing is decompressed), and it is refused when it announces more members,
  more uncompressed bytes or a higher compression ratio than the limits below (a zip
  bomb), or holds macros (``vbaProject.bin``).

The archive limits are rehab.uploads' (the one place uploaded files are guarded
against zip bombs), with room for documents full of pictures; this module adds
the compression-ratio check and the 20 MB limit per attachment.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from rehab.uploads import FileLimits, UnsafeFileError, check_zip

MAX_ATTACHMENT_BYTES = 20_000_000  # 20 MB per attached file
ATTACHMENT_ZIP_LIMITS = FileLimits(
    max_member_bytes=100_000_000, max_total_bytes=300_000_000, max_members=5_000
)
MAX_ZIP_RATIO = 200  # uncompressed / compressed, per member and in total

PDF = "PDF"
DOCX = "DOCX"
XLSX = "XLSX"

CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx"}
_MAIN_PART = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
_PDF_TAIL = 2048


class FileRefused(ValueError):
    """The file is not taken; ``message`` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # PDF, DOCX or XLSX
    content_type: str
    size: int


def _size_of(stream: IO[bytes]) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _looks_like_pdf(stream: IO[bytes], size: int) -> bool:
    stream.seek(0)
    head = stream.read(8)
    if not (head.startswith(b"%PDF-1.") or head.startswith(b"%PDF-2.")):
        return False
    stream.seek(max(0, size - _PDF_TAIL))
    return b"%%EOF" in stream.read(_PDF_TAIL)


def zip_members_check(archive: zipfile.ZipFile) -> list[str]:
    """The member names of an Office file's ZIP, after checking its central directory
    against the limits. Raises FileRefused for a ZIP that would unpack too far."""
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos)
    too_packed = any(info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1) for info in infos)
    if too_packed or total > MAX_ZIP_RATIO * max(compressed, 1):
        raise FileRefused(_("Filen packas upp till orimligt mycket data och tas inte emot."))
    return [info.filename for info in infos]


def _office_kind(stream: IO[bytes]) -> str | None:
    stream.seek(0)
    if stream.read(4) != b"PK\x03\x04":
        return None
    stream.seek(0)
    try:
        check_zip(stream.read(), limits=ATTACHMENT_ZIP_LIMITS)
    except UnsafeFileError as unsafe:
        raise FileRefused(unsafe.message) from None
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(zip_members_check(archive))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    kinds = [kind for kind, part in _MAIN_PART.items() if part in names]
    if len(kinds) != 1:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise FileRefused(_("Filer med makron tas inte emot."))
    return kinds[0]


def attachment_check(*, name: str, stream: IO[bytes]) -> CheckedFile:
    """The kind of an attached file (PDF, DOCX or XLSX), checked by content.

    Raises FileRefused (nothing stored) for an empty file, a file over 20 MB, content
    that is none of the three, or a name whose extension is not that of the content.
    """
    size = _size_of(stream)
    if size == 0:
        raise FileRefused(_("Filen är tom."))
    if size > MAX_ATTACHMENT_BYTES:
        raise FileRefused(
            _("Filen är för stor: högst %(mb)s MB per fil.")
            % {"mb": MAX_ATTACHMENT_BYTES // 1_000_000}
        )
    kind = PDF if _looks_like_pdf(stream, size) else _office_kind(stream)
    stream.seek(0)
    lowered = name.lower()
    if kind is None:
        raise FileRefused(
            _("Filen ”%(name)s” är inte en PDF-, Word- (DOCX) eller Excelfil (XLSX).")
            % {"name": name}
        )
    if not lowered.endswith(EXTENSIONS[kind]):
        raise FileRefused(
            _(
                "Filen ”%(name)s” innehåller en %(kind)s-fil men har inte ändelsen "
                "%(extension)s. Byt namn på filen eller välj rätt fil."
            )
            % {"name": name, "kind": kind, "extension": EXTENSIONS[kind]}
        )
    return CheckedFile(kind=kind, content_type=CONTENT_TYPES[kind], size=size)
