"""The coordinator keeps the region's care units: a form, and a CSV import that
reads all rows or none."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from rehab.enums import Role
from rehab.models import CareUnit, UnitCollection, User
from rehab.services import CareUnitError, care_units_import
from tests.factories import UserFactory

GOOD = (
    "namn;hsa_id;vardgivare;aktiv_fran;aktiv_till\n"
    "Vårdcentralen Norr;SE2321000032-1001;offentlig;2019-01-01;\n"
    "Privata kliniken;;privat;;\n"
    "Vårdcentralen Söder;SE2321000032-1002;Offentlig;;2020-06-30\n"
).encode()


def upload(client, content, region="01"):
    return client.post(
        reverse("care_units_upload", args=[region]),
        {"file": SimpleUploadedFile("enheter.csv", content, content_type="text/csv")},
        follow=True,
    )


def test_coordinator_imports_units_from_csv(login, coordinator):
    response = upload(login(coordinator), GOOD)
    assert "3 enheter lästes in." in response.content.decode()
    units = {u.name: u for u in CareUnit.objects.filter(region_id="01")}
    assert sorted(units) == ["Privata kliniken", "Vårdcentralen Norr", "Vårdcentralen Söder"]
    assert units["Privata kliniken"].hsa_id is None
    assert units["Privata kliniken"].provider == "PRIVATE"
    assert str(units["Vårdcentralen Söder"].active_to) == "2020-06-30"
    # Again with a change: the same HSA-id updates the unit, nothing is duplicated.
    upload(login(coordinator), GOOD.replace(b"Norr;", b"Norra;"))
    assert CareUnit.objects.filter(region_id="01").count() == 3
    assert CareUnit.objects.get(hsa_id="SE2321000032-1001").name == "Vårdcentralen Norra"


def test_a_bad_row_reads_nothing_and_says_which_rows(login, coordinator):
    bad = (
        GOOD
        + (
            "Tandläkaren;;kommunal;;\n"
            "Vårdcentralen Norr;;offentlig;2020-13-01;\n"
            "Nya kliniken;SE2321000032-1002;privat;;\n"
        ).encode()
    )
    html = upload(login(coordinator), bad).content.decode()
    assert "Inget lästes in" in html
    assert "Rad 5: vårdgivare ”kommunal” ska vara offentlig eller privat." in html
    assert "Rad 6: aktiv från ”2020-13-01” är inget datum (ÅÅÅÅ-MM-DD)." in html
    assert "Rad 6: namnet ”Vårdcentralen Norr” finns redan på rad 2." in html
    assert "Rad 7: HSA-id ”SE2321000032-1002” finns redan på rad 4." in html
    assert not CareUnit.objects.exists()


def test_hsa_id_is_unique_across_regions(coordinator, other_coordinator):
    care_units_import(region=coordinator.region, content=GOOD, acting_user=coordinator)
    with pytest.raises(CareUnitError) as refused:
        care_units_import(
            region=other_coordinator.region,
            content=b"namn;hsa_id;vardgivare;aktiv_fran;aktiv_till\nX;SE2321000032-1001;privat;;\n",
            acting_user=other_coordinator,
        )
    assert refused.value.problems[0].startswith("Rad 2: HSA-id")
    with pytest.raises(IntegrityError), transaction.atomic():
        CareUnit.objects.create(region_id="03", name="Y", provider="PUBLIC", hsa_id="")


def test_coordinator_adds_a_unit_with_the_form_and_viewer_cannot(login, coordinator, viewer):
    client = login(coordinator)
    response = client.post(
        reverse("care_unit_add", args=["01"]),
        {"name": "VC Öst", "hsa_id": "", "provider": "PUBLIC", "active_from": "", "active_to": ""},
    )
    assert response.status_code == 302
    unit = CareUnit.objects.get(name="VC Öst")
    refused = client.post(
        reverse("care_unit_add", args=["01"]),
        {"name": "VC Öst", "provider": "PUBLIC"},
    )
    assert refused.status_code == 422
    assert "finns redan" in refused.content.decode()
    viewer_client = login(viewer)
    assert viewer_client.get(reverse("care_units", args=["01"])).status_code == 200
    assert viewer_client.get(reverse("care_unit_edit", args=["01", unit.pk])).status_code == 404


def test_coordinator_turns_on_per_unit_collection(login, coordinator, other_coordinator):
    from rehab.models import Agreement

    agreement = Agreement.objects.get(year=2020)
    login(coordinator).post(
        reverse("unit_collection", args=["01"]), {"agreement": agreement.pk, "per_unit": "1"}
    )
    assert UnitCollection.objects.get(region_id="01", agreement=agreement).per_unit is True
    response = login(other_coordinator).post(
        reverse("unit_collection", args=["01"]), {"agreement": agreement.pk, "per_unit": "0"}
    )
    assert response.status_code == 404
    assert UnitCollection.objects.get(region_id="01", agreement=agreement).per_unit is True


def test_unit_reporter_must_have_a_unit_in_its_region(ref):
    unit = CareUnit.objects.create(region_id="01", name="VC", provider="PUBLIC")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="x1", role=Role.UNIT_REPORTER, region_id="01")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="x2", role=Role.UNIT_REPORTER, region_id="03", care_unit=unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="x3", role=Role.REGION_COORDINATOR, region_id="01", care_unit=unit)
    UserFactory(username="x4", role=Role.UNIT_REPORTER, region_id="01", care_unit=unit)
    assert User.objects.filter(care_unit=unit).count() == 1


def test_demo_data_has_a_unit_reporter_for_region_01(ref, client):
    import io

    from django.core.management import call_command

    call_command("load_demo_data", password="demo-lösen-123", stdout=io.StringIO())
    call_command("load_demo_data", password="demo-lösen-123", stdout=io.StringIO())  # idempotent
    reporter = User.objects.get(username="enhet01")
    assert (reporter.role, reporter.region_id) == (Role.UNIT_REPORTER, "01")
    assert reporter.care_unit.name == "Vårdcentralen Demo Norr"
    assert CareUnit.objects.filter(region_id="01").count() == 3
    assert reporter.check_password("demo-lösen-123")
    client.force_login(reporter)
    landing = client.get("/", follow=True)
    assert landing.redirect_chain[-1][0] == reverse(
        "reporting:unit_page", args=[reporter.care_unit_id]
    )
