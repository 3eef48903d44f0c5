"""Messages a user reads, in English for an English reader (issue 15): the file
checks' value, duplicate and encoding errors, the 403 reason, and the upload
template's explanation of its codes. These go through the English catalogue, so a
msgid left untranslated shows here as Swedish."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from reporting import fileformat
from tests.reporting.test_access import report, report_url  # noqa: F401 (fixture)
from tests.reporting.test_views import url

pytestmark = pytest.mark.django_db

HEADER = "region;period;item;sex;provider;value\n"


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def test_file_value_duplicate_and_encoding_errors_read_in_english():
    body = (
        HEADER.encode()
        + b"01;2020;KBT;F;PUBLIC;-1\n"
        + b"01;2020;KBT;M;PUBLIC;3\n"
        + b"01;2020;KBT;M;PUBLIC;4\n"
        + "01;2020;IPT;F;PUBLIC;2\n".encode("latin-1")
        + b"01;2020;PDT;F;PUBLIC;\xe5\n"
    )
    with translation.override("sv"):
        parsed = fileformat.read_file("rapport.csv", body)
    with translation.override("en"):
        messages = "\n".join(str(error.message) for error in parsed.errors)
    assert 'Row 2, column value: "-1" is not a whole number ≥ 0.' in messages
    assert "the same region, period, treatment, sex and provider are already on row 3" in (messages)
    assert "characters that are not UTF-8" in messages
    for swedish in ("Rad ", "heltal", "finns redan", "tecken som"):
        assert swedish not in messages


def test_a_page_not_for_the_role_says_why_in_english(login, report, coordinator):  # noqa: F811
    response = english(login(coordinator)).get(report_url("review"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "This page is for Försäkringskassan&#x27;s case officers." in html
    assert "You are signed in as" in html
    assert "Sidan är för" not in html


def test_upload_template_explains_its_codes_in_english(login, coordinator):
    response = english(login(coordinator)).get(url("template", "xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Codes"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Column"
    assert ["provider", "PRIVATE", "Private care provider"] in rows
    assert ["sex", "F", "Women"] in rows
