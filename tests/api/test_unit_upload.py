# ruff: noqa: F811  (the care-unit fixtures are imported from tests/units/conftest.py)
"""A unit's figures uploaded as a file through the API (PUT …/figures/<period>/file/):
the browser upload's parser, limits and messages, its permissions (the unit's reporter
and the region's coordinator; another unit is a 404), and the unit's active dates."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from reporting.models import Report, UnitFigures, ValidationSettings
from reporting.selectors import figures_of
from reporting.units import latest_version
from tests.units.conftest import period, reporter1, reporter2, units  # noqa: F401

pytestmark = pytest.mark.django_db

HEADER = "region;period;item;sex;provider;value\n"


def file_path(unit, period):
    return f"/api/v1/units/{unit.pk}/figures/{period.pk}/file/"


def csv_file(period, *lines, name="norr.csv"):
    text = HEADER + "".join(f"01;{period.label};{line}\n" for line in lines)
    return SimpleUploadedFile(name, text.encode())


def put_file(client, unit, period, upload, lock_version=0):
    return client.put(
        file_path(unit, period),
        {"file": upload, "lock_version": lock_version},
        format="multipart",
    )


def test_unit_reporter_uploads_a_csv_and_then_an_xlsx(api, units, period, reporter1):
    client = api(reporter1)
    saved = put_file(
        client, units[0], period, csv_file(period, "KBT;F;PUBLIC;1 234", "EMPLOYER_CONTACT;F;;5")
    )
    assert saved.status_code == 200, saved.json()
    body = saved.json()
    assert (body["state"], body["lock_version"]) == ("DRAFT", 1)
    assert body["series"] == [{"treatment": "KBT", "sex": "F", "provider": "PUBLIC", "value": 1234}]
    assert figures_of(latest_version("01", period)).cells() == {
        "KBT:F:PUBLIC": 1234,
        "EMPLOYER_CONTACT:F": 5,
    }
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["region", "period", "item", "sex", "provider", "value"])
    sheet.append(["01", period.label, "IPT", "M", "PUBLIC", 7])
    out = io.BytesIO()
    workbook.save(out)
    replaced = put_file(
        client, units[0], period, SimpleUploadedFile("norr.xlsx", out.getvalue()), lock_version=1
    )
    assert replaced.status_code == 200, replaced.json()
    assert figures_of(latest_version("01", period)).cells() == {"IPT:M:PUBLIC": 7}


def test_a_bad_file_lists_every_problem_as_the_browser_does_and_saves_nothing(
    api, units, period, reporter1
):
    text = (
        HEADER + f"01;{period.label};KBT;F;PUBLIC;3\n"
        f"03;{period.label};KBT;M;PUBLIC;1\n"
        f"01;{period.label};IPT;M;PRIVATE;2\n"
    )
    refused = put_file(
        api(reporter1), units[0], period, SimpleUploadedFile("norr.csv", text.encode())
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "file_refused"
    assert error["message"] == "Filen lästes inte in: inget sparades."
    assert [d["message"] for d in error["details"]] == [
        "Rad 3: region 03, men enheten hör till 01."
    ]
    # The lines are the unit's, but one is another provider's column: the save's check.
    wrong_column = put_file(
        api(reporter1), units[0], period, csv_file(period, "KBT;F;PUBLIC;3", "IPT;M;PRIVATE;2")
    )
    assert wrong_column.status_code == 422
    details = wrong_column.json()["error"]["details"]
    assert [(d["code"], d["field"]) for d in details] == [("provider_not_units", "IPT:M:PRIVATE")]
    not_a_file = put_file(
        api(reporter1), units[0], period, SimpleUploadedFile("norr.pdf", b"%PDF-1.4")
    )
    assert not_a_file.status_code == 422
    assert not_a_file.json()["error"]["details"][0]["code"] == "file_format"
    assert not Report.objects.exists()
    assert not UnitFigures.objects.exists()


def test_a_units_file_tells_its_format_and_its_lines_problems_in_one_pass(
    api, units, period, reporter1
):
    """A value the parser refuses and a line of another region come back together
    (issue 15: uploads report all errors in one pass), and nothing is saved."""
    text = (
        HEADER + f"01;{period.label};KBT;F;PUBLIC;-1\n"
        f"03;{period.label};KBT;M;PUBLIC;1\n"
        f"01;{period.label};IPT;M;PUBLIC;2\n"
    )
    refused = put_file(
        api(reporter1), units[0], period, SimpleUploadedFile("norr.csv", text.encode())
    )
    assert refused.status_code == 422
    details = refused.json()["error"]["details"]
    assert [d["code"] for d in details] == ["file_format", "file_line"]
    assert details[0]["message"].startswith("Rad 2, kolumn value:")
    assert details[1]["message"] == "Rad 3: region 03, men enheten hör till 01."
    assert not UnitFigures.objects.exists()


def test_the_browser_upload_limits_apply(api, units, period, reporter1):
    settings = ValidationSettings.current()
    settings.max_upload_rows = 2
    settings.save()
    refused = put_file(
        api(reporter1),
        units[0],
        period,
        csv_file(period, "KBT;F;PUBLIC;1", "KBT;M;PUBLIC;1", "IPT;M;PUBLIC;1"),
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "file_refused"
    assert "rader" in refused.json()["error"]["details"][0]["message"]
    assert not UnitFigures.objects.exists()


def test_who_may_upload(api, units, period, reporter1, coordinator, viewer, other_coordinator):
    upload = csv_file(period, "KBT;F;PRIVATE;9")
    # The region's coordinator, for a unit that does not report itself.
    done = put_file(api(coordinator), units[2], period, upload)
    assert done.status_code == 200, done.json()
    # Another unit is a 404 for a unit reporter, as is another region's for a coordinator.
    for client in (api(reporter1), api(other_coordinator)):
        hidden = put_file(client, units[2], period, csv_file(period, "KBT;F;PRIVATE;1"))
        assert hidden.status_code == 404
        assert hidden.json()["error"]["code"] == "not_found"
    # A viewer of the region sees the unit but may not change its figures.
    refused = put_file(api(viewer), units[2], period, csv_file(period, "KBT;F;PRIVATE;1"))
    assert refused.status_code == 403
    assert figures_of(latest_version("01", period)).cells() == {"KBT:F:PRIVATE": 9}


def test_stale_lock_version_and_missing_file(api, units, period, reporter1):
    client = api(reporter1)
    assert put_file(client, units[0], period, csv_file(period, "KBT;F;PUBLIC;1")).status_code == 200
    stale = put_file(client, units[0], period, csv_file(period, "KBT;F;PUBLIC;2"))
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_draft"
    missing = client.put(file_path(units[0], period), {"lock_version": 1}, format="multipart")
    assert missing.status_code == 400
    assert missing.json()["error"]["details"][0]["field"] == "file"
    as_json = client.put(file_path(units[0], period), {"lock_version": 1})
    assert as_json.status_code == 415
    assert figures_of(latest_version("01", period)).cells() == {"KBT:F:PUBLIC": 1}


def test_outside_the_units_active_dates_refused_through_the_api(api, units, period, reporter1):
    units[0].active_to = period.start_date - datetime.timedelta(days=1)
    units[0].save()
    client = api(reporter1)
    assert client.get(f"/api/v1/units/{units[0].pk}/figures/{period.pk}/").json()["state"] == (
        "INACTIVE"
    )
    for response in (
        put_file(client, units[0], period, csv_file(period, "KBT;F;PUBLIC;1")),
        client.put(
            f"/api/v1/units/{units[0].pk}/figures/{period.pk}/",
            {"lock_version": 0, "comment": "", "series": [], "extras": []},
        ),
    ):
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "unit_inactive"
        assert error["message"].startswith(f"Vårdcentralen Norr är inte aktiv under {period.label}")
    assert not Report.objects.exists()


def test_the_upload_is_in_the_schema_as_multipart(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    put = schema["paths"]["/api/v1/units/{id}/figures/{period}/file/"]["put"]
    assert list(put["requestBody"]["content"]) == ["multipart/form-data"]
    body = put["requestBody"]["content"]["multipart/form-data"]["schema"]
    properties = schema["components"]["schemas"][body["$ref"].split("/")[-1]]["properties"]
    assert properties["file"]["format"] == "binary"
    assert sorted(put["responses"]) == ["200", "400", "401", "403", "404", "409", "415", "422"]
