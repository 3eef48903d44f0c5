"""An uploaded file's problems are told in one pass (the file's own, the region and
period of every line, the report's checks), bounded on the page, rendered in the
reader's language; the template explains every code it contains (issue 15)."""

from __future__ import annotations

import io
from html import unescape

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from reporting import fileformat
from reporting.models import Report, ReportVersion
from reporting.selectors import figures_of
from tests.reporting.test_views import url

pytestmark = pytest.mark.django_db

HEADER = "region;period;item;sex;provider;value\n"


def upload(client, body: bytes, name: str = "rapport.csv"):
    return client.post(url("upload"), {"file": SimpleUploadedFile(name, body)})


def error_items(html: str) -> list[str]:
    summary = html[html.index('class="error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    return [unescape(item.split("</li>")[0]) for item in summary.split("<li>")[1:]]


def test_every_kind_of_problem_is_reported_in_one_pass(login, coordinator):
    body = (
        HEADER
        + "03;2020;KBT;F;PUBLIC;1\n"  # 2: another region
        + "01;2019;KBT;M;PUBLIC;1\n"  # 3: another period
        + "01;2020;IPT;F;PUBLIC;tolv\n"  # 4: not a number
        + "01;2020;IPT;M;PUBLIC;2\n"  # 5
        + "01;2020;IPT;M;PUBLIC;3\n"  # 6: line 5 again
        + "01;2020;KBT;Mä;PUBLIC;1\n"  # 7: not UTF-8 (below)
        + "01;2020;XYZ;F;PUBLIC;1\n"  # 8: not in the agreement
        + "01;2018;KBT;X;PUBLIC;1\n"  # 9: another period and a bad sex
    ).encode()
    body = body.replace("Mä".encode(), "Mä".encode("latin-1"))
    response = upload(login(coordinator), body)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Filen har 8 fel. Inget har sparats." in html
    assert error_items(html) == [
        "Rad 2, kolumn region: 03, men du laddar upp till 01.",
        "Rad 3, kolumn period: 2019, men du laddar upp till 2020.",
        'Rad 4, kolumn value: "tolv" är inte ett heltal ≥ 0.',
        "Rad 6: samma region, period, behandling, kön och utförare finns redan på rad 5.",
        "Rad 7: raden har tecken som inte är UTF-8. Spara filen som CSV UTF-8.",
        "Rad 8, kolumn item: XYZ ingår inte i överenskommelsen för 2020.",
        'Rad 9, kolumn sex: "X" är inte ett giltigt kön (F eller M).',
        "Rad 9, kolumn period: 2018, men du laddar upp till 2020.",
    ]
    assert Report.objects.count() == 0


def test_header_problems_come_with_the_lines_problems(login, coordinator):
    body = (
        "region;period;item;kön;provider;value\n01;2019;KBT;F;PUBLIC;1\n01;2020;IPT;F;PUBLIC;-1\n"
    ).encode()
    html = upload(login(coordinator), body).content.decode()
    items = error_items(html)
    assert (
        'Rad 1: okänd kolumn "kön". Kolumnerna ska vara region;period;item;sex;provider;value.'
        in items
    )
    assert "Rad 1: kolumnen sex saknas." in items
    assert "Rad 2, kolumn period: 2019, men du laddar upp till 2020." in items
    assert 'Rad 3, kolumn value: "-1" är inte ett heltal ≥ 0.' in items


def test_sums_are_not_judged_on_part_of_a_file(login, coordinator):
    """Contacts against series: a refused series line would make them look too many."""
    body = (HEADER + "01;2020;KBT;F;PUBLIC;x\n01;2020;AF_CONTACT;F;;5\n").encode()
    items = error_items(upload(login(coordinator), body).content.decode())
    assert items == ['Rad 2, kolumn value: "x" är inte ett heltal ≥ 0.']


def test_many_errors_are_counted_and_the_first_hundred_shown(login, coordinator):
    body = (HEADER + "".join(f"01;2020;KBT;F;PUBLIC;x{n}\n" for n in range(150))).encode()
    html = upload(login(coordinator), body).content.decode()
    assert "Filen har 150 fel. Inget har sparats." in html
    assert len(error_items(html)) == 100
    assert "… och 50 fel till." in unescape(html)


def test_file_messages_are_rendered_when_read_in_the_readers_language(settings):
    """Made in a Swedish session, read in English: the same error, in English."""
    with translation.override("sv"):
        parsed = fileformat.read_file("tom.csv", HEADER.encode())
    (error,) = parsed.errors
    assert error.message == "Filen innehåller inga rader."
    with translation.override("en"):
        assert error.message == "The file contains no rows."


def test_every_file_message_goes_through_the_catalogue(monkeypatch):
    """Each part of a message (line prefix and text) is looked up when it is read."""
    body = (HEADER + "1;2020Q9;KBT;X;PUBLIC;-1\n01;2020;KBT;F;PUBLIC;1\n" * 2).encode()
    parsed = fileformat.read_file("rapport.csv", body)
    monkeypatch.setattr(fileformat, "gettext", lambda msgid: f"«{msgid}»")
    messages = [error.message for error in parsed.errors]
    assert messages
    for message in messages:
        assert message.startswith("«Rad "), message
        assert message.count("«") >= 2, message  # the text inside too


def test_english_reader_sees_the_upload_page_messages_in_english(login, coordinator):
    client = login(coordinator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = upload(client, HEADER.encode()).content.decode()
    assert "The file contains no rows." in html
    assert "Filen innehåller inga rader." not in html


# --------------------------------------------------------------------------- the template


def agreement_codes() -> dict[str, str]:
    from reporting.cells import agreement_cells
    from tests.reporting.test_views import period

    return {t.code: t.name for t in agreement_cells(period().agreement).treatments}


def test_xlsx_template_explains_every_code_it_contains(login, coordinator):
    response = login(coordinator).get(url("template", "xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    used = {row[2].value for row in book.worksheets[0].iter_rows(min_row=2)}
    sheet = book["Koder"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Kolumn", "Kod", "Betyder"]
    explained = {code: meaning for column, code, meaning in rows[1:] if column == "item"}
    assert set(explained) == used
    for code, name in agreement_codes().items():
        assert explained[code] == name
    assert explained["AF_CONTACT"] == "Kontakter med Arbetsförmedlingen"
    assert ["sex", "F", "Kvinnor"] in rows
    assert ["provider", "PRIVATE", "Privat vårdgivare"] in rows


def test_csv_template_explains_every_code_and_uploads_as_it_is(login, coordinator):
    client = login(coordinator)
    text = client.get(url("template", "csv")).content.decode("utf-8-sig")
    lines = text.splitlines()
    data = [line for line in lines[1:] if line and not line.startswith("#")]
    used = {line.split(";")[2] for line in data}
    comments = [line for line in lines if line.startswith("#")]
    for code in used:
        assert any(line.startswith(f"# item {code} = ") for line in comments), code
    for code, name in agreement_codes().items():
        assert f"# item {code} = {name}" in comments
    assert "# sex M = Män" in comments

    filled = text.replace(";PUBLIC;\r\n", ";PUBLIC;0\r\n").replace(
        ";PRIVATE;\r\n", ";PRIVATE;0\r\n"
    )
    filled = filled.replace(";;\r\n", ";;0\r\n")
    response = upload(client, filled.encode("utf-8"))
    assert response.status_code == 302, unescape(response.content.decode())[-3000:]
    client.post(url("upload_preview"))
    assert sum(figures_of(ReportVersion.objects.get()).cells().values()) == 0


def test_template_codes_are_named_in_the_readers_language(login, coordinator):
    from rehab.models import Treatment

    client = login(coordinator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = client.get(url("template", "csv")).content.decode("utf-8-sig")
    kbt = Treatment.objects.get(code="KBT")
    assert kbt.name_en
    assert f"# item KBT = {kbt.name_en}" in text.splitlines()
