"""A region's bankgiro (issue 15): checked by its Luhn digit, kept per region in the
admin, fictitious but valid in the demo data."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from rehab.bankgiro import demo_bankgiro, luhn_ok, normalise, validate_bankgiro
from rehab.models import Region


@pytest.mark.parametrize("number", ["5050-1055", "50501055", "991-2346", "5402-9681"])
def test_valid_bankgiros(number):
    validate_bankgiro(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [("5050-1056", "checksum"), ("5050 1054", "checksum"), ("12-345", "shape"), ("abc", "shape")],
)
def test_wrong_bankgiros_are_refused_with_a_reason(number, code):
    with pytest.raises(ValidationError) as refused:
        validate_bankgiro(number)
    assert refused.value.code == code


def test_normalise_and_demo_numbers():
    assert normalise(" 5050 1055 ") == "5050-1055"
    assert normalise("9912346") == "991-2346"
    numbers = {demo_bankgiro(f"{code:02d}") for code in range(1, 26)}
    assert len(numbers) == 25
    assert all(luhn_ok(n.replace("-", "")) for n in numbers)


@pytest.mark.django_db
def test_admin_keeps_a_regions_bankgiro_and_refuses_a_wrong_one(login, admin_user):
    client = login(admin_user)
    url = "/admin/rehab/region/03/change/"
    form = {
        "name": "Region Uppsala",
        "active": "on",
        "bankgiro": "5050-1056",
        "population_figures-TOTAL_FORMS": "0",
        "population_figures-INITIAL_FORMS": "0",
    }
    before = Region.objects.get(code="03").bankgiro
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "kontrollsiffran är fel" in refused.content.decode()
    assert Region.objects.get(code="03").bankgiro == before
    assert client.post(url, {**form, "bankgiro": "50501055"}).status_code == 302
    assert Region.objects.get(code="03").bankgiro == "5050-1055"
    listing = client.get("/admin/rehab/region/").content.decode()
    assert "5050-1055" in listing
