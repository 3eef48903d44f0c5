"""Upload instead of typing: the template (XLSX and CSV), the upload, the preview
of what changes, the confirmation, and the refusals with their messages."""

from __future__ import annotations

import io
from html import unescape

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reporting.models import Report, ReportVersion, ValidationSettings
from reporting.selectors import figures_of
from tests.reporting.test_views import draft_with, messages_of, url

pytestmark = pytest.mark.django_db

HEADER = "region;period;item;sex;provider;value\n"


def csv_file(body: str, name: str = "rapport.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + body).encode("utf-8"), content_type="text/csv")


def test_csv_template_has_a_line_per_cell(login, coordinator):
    response = login(coordinator).get(url("template", "csv"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == ('attachment; filename="rapport-01-2020.csv"')
    lines = response.content.decode("utf-8-sig").splitlines()
    lines = lines[: lines.index("")]  # then what the codes mean (issue 15)
    assert lines[0] == "region;period;item;sex;provider;value"
    assert lines[1] == "01;2020;KBT;F;PUBLIC;"
    assert "01;2020;VIDEO;M;;" in lines
    assert len(lines) == 1 + 11 * 4 + 3 * 2  # 11 treatments in 2020, contacts and video


def test_xlsx_template_is_prefilled_with_the_draft(login, coordinator):
    draft_with(coordinator, {"KBT:F:PUBLIC": 12})
    response = login(coordinator).get(url("template", "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["region", "period", "item", "sex", "provider", "value"]
    assert rows[1] == ["01", "2020", "KBT", "F", "PUBLIC", 12]
    assert rows[2] == ["01", "2020", "KBT", "F", "PRIVATE", None]


def test_upload_csv_shows_a_preview_and_saves_only_on_confirm(login, coordinator):
    client = login(coordinator)
    response = client.post(
        url("upload"),
        {"file": csv_file("01;2020;KBT;F;PUBLIC;12\n01;2020;EMPLOYER_CONTACT;F;;2\n")},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url("upload_preview")
    assert Report.objects.count() == 0

    html = client.get(url("upload_preview")).content.decode()
    assert "Filen har 2 rader utan fel. Inget är sparat ännu." in html
    assert "2 siffror ändras i utkastet" in html
    assert (
        '<th scope="row">Kognitiv beteendeterapi (KBT), kvinnor, offentlig</th>'
        '<td class="num">–</td><td class="num">12</td>'
    ) in html
    assert Report.objects.count() == 0

    response = client.post(url("upload_preview"))
    assert response.status_code == 302
    assert response.headers["Location"] == url("report")
    assert messages_of(response) == ["Siffrorna från rapport.csv är sparade i utkastet."]
    cells = figures_of(ReportVersion.objects.get()).cells()
    assert cells == {"KBT:F:PUBLIC": 12, "EMPLOYER_CONTACT:F": 2}
    # The preview is used up.
    assert client.get(url("upload_preview")).headers["Location"] == url("upload")


def test_upload_preview_compares_with_the_current_draft(login, coordinator):
    draft_with(coordinator, {"KBT:F:PUBLIC": 10, "IPT:M:PUBLIC": 4})
    client = login(coordinator)
    client.post(url("upload"), {"file": csv_file("01;2020;KBT;F;PUBLIC;12\n")})
    html = client.get(url("upload_preview")).content.decode()
    assert "1 siffra ändras i utkastet" in html
    assert '<td class="num">10</td><td class="num">12</td><td class="num">+2</td>' in html
    client.post(url("upload_preview"))
    assert figures_of(ReportVersion.objects.get()).cells() == {
        "KBT:F:PUBLIC": 12,
        "IPT:M:PUBLIC": 4,  # cells the file does not mention keep their value
    }


def test_upload_the_filled_in_xlsx_template(login, coordinator):
    client = login(coordinator)
    book = openpyxl.load_workbook(io.BytesIO(client.get(url("template", "xlsx")).content))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        item, sex, provider = row[2].value, row[3].value, row[4].value
        row[5].value = 7 if (item, sex, provider) == ("MMR2", "M", "PRIVATE") else 0
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("ifylld.xlsx", out.getvalue())
    response = client.post(url("upload"), {"file": upload})
    assert response.headers["Location"] == url("upload_preview")
    html = client.get(url("upload_preview")).content.decode()
    assert "Filen har 50 rader utan fel." in html
    assert "Rapporten lämnas in efter sista dag 2021-08-15." in html  # warnings are shown
    client.post(url("upload_preview"))
    cells = figures_of(ReportVersion.objects.get()).cells()
    assert len(cells) == 50
    assert cells["MMR2:M:PRIVATE"] == 7
    assert sum(cells.values()) == 7


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        (
            "rapport.pdf",
            "01;2020;KBT;F;PUBLIC;1\n",
            "Filtypen stöds inte. Ladda upp en .xlsx- eller .csv-fil.",
        ),
        (
            "rapport.csv",
            "01;2020;KBT;F;PUBLIC;tolv\n",
            'Rad 2, kolumn value: "tolv" är inte ett heltal ≥ 0.',
        ),
        (
            "rapport.csv",
            "01;2019;KBT;F;PUBLIC;1\n",
            "Rad 2, kolumn period: 2019, men du laddar upp till 2020.",
        ),
        (
            "rapport.csv",
            "03;2020;KBT;F;PUBLIC;1\n",
            "Rad 2, kolumn region: 03, men du laddar upp till 01.",
        ),
        (
            "rapport.csv",
            "01;2020;KBT;F;PUBLIC;1\n01;2020;AF_CONTACT;F;;5\n",
            "Rad 3, kolumn value: Kontakter med Arbetsförmedlingen (5) är fler än regionens "
            "genomförda behandlingar under perioden (1).",
        ),
    ],
)
def test_upload_refusals_name_row_and_column_and_save_nothing(
    login, coordinator, name, body, message
):
    response = login(coordinator).post(url("upload"), {"file": csv_file(body, name)})
    html = unescape(response.content.decode())
    assert response.status_code == 422
    assert message in html
    assert Report.objects.count() == 0


def test_upload_past_the_size_limit_is_refused(login, coordinator):
    ValidationSettings.objects.create(pk=1, max_upload_bytes=60)
    body = "01;2020;KBT;F;PUBLIC;1\n01;2020;KBT;M;PUBLIC;1\n"
    response = login(coordinator).post(url("upload"), {"file": csv_file(body)})
    assert response.status_code == 422
    assert "Filen är för stor (84\xa0byte). Största tillåtna storlek är 60\xa0byte." in (
        response.content.decode()
    )


def test_upload_limit_said_in_megabytes(login, coordinator):
    """Issue 15: "5 MB", not "5 000 000 byte", in both languages."""
    client = login(coordinator)
    assert "rader och 5\xa0MB." in client.get(url("upload")).content.decode()
    ValidationSettings.objects.create(pk=1, max_upload_bytes=60)
    body = "01;2020;KBT;F;PUBLIC;1\n" * 206  # 4 738 bytes
    refused = client.post(url("upload"), {"file": csv_file(body)}).content.decode()
    assert "Filen är för stor (4,8\xa0kB)." in refused


def test_upload_past_the_row_limit_is_refused(login, coordinator):
    ValidationSettings.objects.create(pk=1, max_upload_rows=2)
    body = "".join(f"01;2020;KBT;{s};{p};1\n" for s in "FM" for p in ("PUBLIC", "PRIVATE"))
    response = login(coordinator).post(url("upload"), {"file": csv_file(body)})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Filen har fler än 2 rader. Dela upp den i flera filer." in html
    assert "Filen har 1 fel. Inget har sparats." in html


def test_upload_without_a_file_says_so(login, coordinator):
    response = login(coordinator).post(url("upload"), {})
    assert response.status_code == 422
    assert "Välj en fil att ladda upp." in response.content.decode()


def test_upload_of_a_submitted_report_is_refused(login, coordinator):
    from tests.reporting.test_views import submitted_with

    submitted_with(coordinator, {"KBT:F:PUBLIC": 1})
    response = login(coordinator).post(
        url("upload"), {"file": csv_file("01;2020;KBT;F;PUBLIC;2\n")}
    )
    assert response.status_code == 422
    assert "är inskickad och granskas av Försäkringskassan" in response.content.decode()


def test_confirm_after_the_draft_changed_shows_the_preview_again(login, coordinator):
    draft_with(coordinator, {"KBT:F:PUBLIC": 10})
    client = login(coordinator)
    client.post(url("upload"), {"file": csv_file("01;2020;KBT;F;PUBLIC;12\n")})
    client.get(url("upload_preview"))
    draft_with(coordinator, {"KBT:F:PUBLIC": 11})  # a colleague saves meanwhile
    response = client.post(url("upload_preview"))
    assert response.headers["Location"] == url("upload_preview")
    assert messages_of(response) == [
        "Utkastet har ändrats sedan du förhandsgranskade filen. Här är vad filen ändrar nu; "
        "bekräfta igen om det stämmer."
    ]
    assert figures_of(ReportVersion.objects.get()).cells() == {"KBT:F:PUBLIC": 11}
    html = client.get(url("upload_preview")).content.decode()
    assert '<td class="num">11</td><td class="num">12</td><td class="num">+1</td>' in html
    client.post(url("upload_preview"))
    assert figures_of(ReportVersion.objects.get()).cells() == {"KBT:F:PUBLIC": 12}
