"""Uploaded files that would take a web worker down are refused, quickly and cheaply.

An XLSX file is a zip archive: the *zip bomb* is a 1.6 MB file whose sheet expands to
1.1 GB; the *dimension bomb* is a 5 kB file whose sheet declares the range
A1:XFD1048576, which a careless reader pads out to 17 billion cells. Both must be
refused with a message in under a second, with the process's memory growing by less
than 50 MB (measured in a fresh Python process, so the test suite's own peak does not
hide it).
"""

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from html import unescape
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rehab.uploads import FileLimits, UnsafeFileError, check_zip, xlsx_rows
from reporting.fileformat import FileFormatError, Row, parse_csv, parse_file
from reporting.models import Report
from tests.reporting.test_views import url

ROOT = Path(__file__).resolve().parents[2]
HEADER: list[object] = ["region", "period", "item", "sex", "provider", "value"]


def xlsx_members(rows: list[list[object]]) -> dict[str, bytes]:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_with_raw_member(
    members: dict[str, bytes], name: str, raw: bytes, crc: int, size: int
) -> bytes:
    """A zip archive of ``members`` plus one already-deflated member (written by hand:
    zipfile cannot take precompressed data, and compressing 1.1 GB takes 20 s)."""
    out = io.BytesIO(zip_of(members))
    with zipfile.ZipFile(out) as archive:
        infos = archive.infolist()
    body = out.getvalue()
    end = body.rfind(b"PK\x05\x06")
    (_, _, _, _, count, cd_size, cd_offset, _) = struct.unpack("<4s4H2LH", body[end : end + 22])
    local = body[:cd_offset]
    central = body[cd_offset : cd_offset + cd_size]
    encoded = name.encode()
    offset = len(local)
    local += struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(raw), size, len(encoded), 0
    )
    local += encoded + raw
    central += (
        struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            len(raw),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + encoded
    )
    assert len(infos) == count
    return (
        local
        + central
        + struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, count + 1, count + 1, len(central), len(local), 0
        )
    )


def deflated_sheet(head: bytes, chunk: bytes, times: int) -> tuple[bytes, int, int]:
    """Raw deflate data for ``head`` then ``chunk`` repeated ``times`` times (each block
    compressed once and repeated), its CRC-32 and its uncompressed size."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head_block = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    return head_block + block * times + b"\x03\x00", crc, len(head) + len(chunk) * times


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    members = xlsx_members([HEADER])
    sheet = members.pop("xl/worksheets/sheet1.xml")
    head, _, _ = sheet.partition(b"</sheetData>")
    # The header row, then 1.1 GB of blank rows (the closing tags are never
    # reached: the reader must stop long before).
    raw, crc, size = deflated_sheet(head, b"<row/>" * (1 << 17), 1400)
    data = zip_with_raw_member(members, "xl/worksheets/sheet1.xml", raw, crc, size)
    assert len(data) < 2_000_000
    path = tmp_path_factory.mktemp("bombs") / "zip-bomb.xlsx"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def dimension_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    members = xlsx_members([HEADER, ["01", "2014Q1", "KBT", "F", "PUBLIC", 5]])
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = sheet.replace(
        b'<dimension ref="A1:F2" />', b'<dimension ref="A1:XFD1048576"/>'
    )
    assert b"XFD1048576" in members["xl/worksheets/sheet1.xml"]
    path = tmp_path_factory.mktemp("bombs") / "dimension-bomb.xlsx"
    path.write_bytes(zip_of(members))
    assert path.stat().st_size < 10_000
    return path


MEASURE = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehab.settings")
os.environ.setdefault("REHAB_PROFILE", "development")
import django
django.setup()
from reporting.models import Report
from tests.reporting.test_views import url
from reporting.fileformat import FileFormatError, parse_file
data = open(sys.argv[1], "rb").read()
try:  # warm up: imports and caches of a normal parse are not growth
    parse_file("warm.xlsx", open(sys.argv[2], "rb").read())
except FileFormatError:
    pass
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    parse_file("upload.xlsx", data, max_bytes=10_000_000)
    messages = []
except FileFormatError as error:
    messages = [e.message for e in error.errors]
elapsed = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "growth_kb": after - before, "messages": messages}))
"""


def measure(path: Path, tmp_path: Path) -> dict[str, Any]:
    normal = tmp_path / "normal.xlsx"
    normal.write_bytes(zip_of(xlsx_members([HEADER, ["01", "2014Q1", "KBT", "F", "PUBLIC", 5]])))
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), str(normal)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_zip_bomb_is_refused_in_under_a_second_without_memory_growth(zip_bomb, tmp_path):
    result = measure(zip_bomb, tmp_path)
    [message] = result["messages"]
    assert str(message).startswith(
        "Filen packas upp till för mycket data (xl/worksheets/sheet1.xml: 1,1\xa0GB"
    )
    assert str(message).endswith("; högst 25\xa0MB per del).")
    assert result["seconds"] < 1.0
    assert result["growth_kb"] < 50 * 1024


def test_dimension_bomb_is_read_without_padding_in_under_a_second(dimension_bomb, tmp_path):
    result = measure(dimension_bomb, tmp_path)
    # Nothing wrong with the one real row: the declared dimension is simply ignored.
    assert result["messages"] == []
    assert result["seconds"] < 1.0
    assert result["growth_kb"] < 50 * 1024
    assert parse_file("bomb.xlsx", dimension_bomb.read_bytes()) == [
        Row(2, "01", 2014, 1, "KBT", "F", "PUBLIC", 5)
    ]


def test_blank_rows_count_towards_the_rows_read(tmp_path):
    # 41 blank rows after the header is more than 2 × 20 + 1 rows read: refused at once,
    # however many more the sheet declares.
    members = xlsx_members([HEADER])
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"</sheetData>", b"".join(b'<row r="%d"/>' % n for n in range(2, 60)) + b"</sheetData>"
    )
    with pytest.raises(FileFormatError) as caught:
        parse_file("blank.xlsx", zip_of(members), max_rows=20)
    assert [e.message for e in caught.value.errors] == [
        "Filen har fler än 41 rader (tomma rader räknas med)."
    ]


def test_a_row_far_below_counts_every_row_above_it():
    members = xlsx_members([HEADER])
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"</sheetData>",
        b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )
    with pytest.raises(FileFormatError) as caught:
        parse_file("far.xlsx", zip_of(members))
    assert [e.message for e in caught.value.errors] == [
        "Filen har fler än 40\xa0001 rader (tomma rader räknas med)."
    ]


def test_a_cell_beyond_the_column_limit_is_refused():
    members = xlsx_members([HEADER, ["01", "2014Q1", "KBT", "F", "PUBLIC", 5]])
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"</row></sheetData>", b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    with pytest.raises(FileFormatError) as caught:
        parse_file("wide.xlsx", zip_of(members))
    assert [e.message for e in caught.value.errors] == ["Rad 2 har celler i fler än 50 kolumner."]


def test_csv_counts_blank_lines_and_columns_too():
    data = ("region;period;item;sex;provider;value\n" + "\n" * 100).encode()
    with pytest.raises(FileFormatError) as caught:
        parse_csv(data, max_rows=20)
    assert [e.message for e in caught.value.errors] == [
        "Filen har fler än 41 rader (tomma rader räknas med)."
    ]
    data = ("region;period;item;sex;provider;value\n" + ";" * 100_000 + "\n").encode()
    with pytest.raises(FileFormatError) as caught:
        parse_csv(data)
    assert [e.message for e in caught.value.errors] == ["Rad 2: raden har fler än 50 kolumner."]


def test_check_zip_limits_members_and_total():
    data = zip_of({f"part{n}.xml": b"x" * 1000 for n in range(5)})
    check_zip(data, limits=FileLimits(max_total_bytes=5000, max_members=5))
    with pytest.raises(UnsafeFileError) as caught:
        check_zip(data, limits=FileLimits(max_total_bytes=4999))
    assert caught.value.message == (
        "Filen packas upp till för mycket data (5\xa0000\xa0byte; högst 4\xa0999\xa0byte)."
    )
    with pytest.raises(UnsafeFileError) as caught:
        check_zip(data, limits=FileLimits(max_members=4))
    assert caught.value.message == "Filen innehåller för många delar (5; högst 4)."
    with pytest.raises(UnsafeFileError):
        list(xlsx_rows(data, limits=FileLimits(max_member_bytes=999)))


@pytest.mark.django_db
def test_upload_page_refuses_the_zip_bomb_with_a_message(login, coordinator, zip_bomb):
    upload = SimpleUploadedFile("rapport.xlsx", zip_bomb.read_bytes())
    response = login(coordinator).post(url("upload"), {"file": upload})
    html = unescape(response.content.decode())
    assert response.status_code == 422
    assert "Filen packas upp till för mycket data (xl/worksheets/sheet1.xml: 1,1\xa0GB" in html
    assert Report.objects.count() == 0


WEB = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehab.settings")
os.environ.setdefault("REHAB_PROFILE", "development")
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import setup_test_environment
from rehab.models import User
from tests.reporting.test_views import url
setup_test_environment()
client = Client()
client.force_login(User.objects.get(username=sys.argv[3]))
def post(path):
    data = open(path, "rb").read()
    return client.post(url("upload"), {"file": SimpleUploadedFile("rapport.xlsx", data)})
post(sys.argv[2])  # warm up: a normal upload's imports, templates and caches
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
response = post(sys.argv[1])
elapsed = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "growth_kb": after - before,
                  "status": response.status_code, "html": response.content.decode()}))
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bomb", ["zip_bomb", "dimension_bomb"])
def test_the_web_worker_refuses_a_bomb_in_under_a_second_without_memory_growth(
    bomb, request, coordinator, tmp_path
):
    """The whole request as a web worker serves it (middleware, the upload view, the
    parser, the page with the message), in a fresh process against this test's
    (committed) database."""
    from django.db import connection

    path = request.getfixturevalue(bomb)
    normal = tmp_path / "normal.xlsx"
    normal.write_bytes(zip_of(xlsx_members([HEADER, ["01", "2014Q1", "KBT", "F", "PUBLIC", 5]])))
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
    }
    done = subprocess.run(
        [sys.executable, "-c", WEB, str(path), str(normal), coordinator.username],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["seconds"] < 1.0
    assert result["growth_kb"] < 50 * 1024
    html = unescape(result["html"])
    if bomb == "zip_bomb":
        assert result["status"] == 422
        assert "Filen packas upp till för mycket data (xl/worksheets/sheet1.xml: 1,1\xa0GB" in html
        assert Report.objects.count() == 0
    else:
        # The declared dimension is ignored: the one real row is read (and refused for
        # its period, the page being 2020's), no "too many rows", no padding.
        assert result["status"] == 422
        assert "Rad 2, kolumn period: 2014Q1, men du laddar upp till 2020." in html
        assert "fler än" not in html
