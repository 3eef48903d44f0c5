"""Attachments are taken as PDF, DOCX or XLSX by their content, never by their name."""

import io
import zipfile

import openpyxl
import pytest

from reporting.filecheck import (
    DOCX,
    MAX_ATTACHMENT_BYTES,
    PDF,
    XLSX,
    FileRefused,
    attachment_check,
)

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def docx_bytes(*, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["krav", "svar"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def check(name: str, data: bytes) -> str:
    return attachment_check(name=name, stream=io.BytesIO(data)).kind


def test_the_three_kinds_are_recognised_by_content() -> None:
    assert check("redovisning.pdf", PDF_BYTES) == PDF
    assert check("Redovisning V2.DOCX", docx_bytes()) == DOCX
    assert check("bilaga.xlsx", xlsx_bytes()) == XLSX
    checked = attachment_check(name="a.pdf", stream=io.BytesIO(PDF_BYTES))
    assert (checked.content_type, checked.size) == ("application/pdf", len(PDF_BYTES))


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",
        b"MZ\x90\x00 an executable",
        b"%PDF-1.4 but cut off before the end marker",
        b"PK\x03\x04 not really a zip",
        docx_bytes()[:-40],
    ],
    ids=["html", "exe", "truncated-pdf", "fake-zip", "broken-docx"],
)
def test_a_pdf_name_with_other_content_is_refused(data: bytes) -> None:
    with pytest.raises(FileRefused, match="inte en PDF-, Word- \\(DOCX\\) eller Excelfil"):
        check("redovisning.pdf", data)


def test_content_of_another_kind_than_the_name_is_refused() -> None:
    message = r"”redovisning\.pdf” innehåller en DOCX-fil men har inte ändelsen \.docx"
    with pytest.raises(FileRefused, match=message):
        check("redovisning.pdf", docx_bytes())
    message = r"”tabell\.xlsx” innehåller en PDF-fil men har inte ändelsen \.pdf"
    with pytest.raises(FileRefused, match=message):
        check("tabell.xlsx", PDF_BYTES)
    with pytest.raises(FileRefused, match="innehåller en XLSX-fil"):
        check("tabell.docx", xlsx_bytes())


def test_a_plain_zip_is_not_an_office_file() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", b"hej")
    with pytest.raises(FileRefused, match="inte en PDF"):
        check("notes.docx", buffer.getvalue())


def test_empty_and_too_large_files_are_refused() -> None:
    with pytest.raises(FileRefused, match="tom"):
        check("a.pdf", b"")
    too_big = PDF_BYTES + b" " * (MAX_ATTACHMENT_BYTES - len(PDF_BYTES) + 1)
    with pytest.raises(FileRefused, match="högst 20 MB"):
        check("a.pdf", too_big)
    exactly = PDF_BYTES[:-7] + b" " * (MAX_ATTACHMENT_BYTES - len(PDF_BYTES)) + b"%%EOF\n\n"
    assert len(exactly) == MAX_ATTACHMENT_BYTES
    assert check("a.pdf", exactly) == PDF


def test_a_zip_bomb_is_refused_without_unpacking_it() -> None:
    bomb = docx_bytes(extra={"word/media/zeros.bin": b"\0" * 20_000_000})
    assert len(bomb) < 100_000
    with pytest.raises(FileRefused, match="orimligt mycket data"):
        check("bomb.docx", bomb)


def test_office_files_with_macros_are_refused() -> None:
    with pytest.raises(FileRefused, match="makron"):
        check("makro.docx", docx_bytes(extra={"word/vbaProject.bin": b"x" * 100}))


def test_an_archive_of_too_many_parts_is_refused_by_the_shared_upload_limits() -> None:
    parts = {f"word/media/p{n}.xml": b"" for n in range(5_001)}
    with pytest.raises(FileRefused, match="för många delar"):
        check("många.docx", docx_bytes(extra=parts))
