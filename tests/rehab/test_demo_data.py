"""`load_demo_data`: demo users for every role, a demo agreement for this year, idempotent."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rehab.enums import Role
from rehab.models import Agreement, PopulationFigure, User
from rehab.selectors import agreement_populations

pytestmark = pytest.mark.django_db


def load() -> str:
    out = io.StringIO()
    call_command("load_demo_data", "--password", "demo-lösen-1", stdout=out)
    return out.getvalue()


def test_demo_data_creates_a_user_for_every_role(ref):
    load()
    roles = dict(User.objects.values_list("username", "role"))
    assert {
        roles["samordnare01"],
        roles["lasare01"],
        roles["handlaggare"],
        roles["attestant"],
        roles["admin"],
    } == {
        Role.REGION_COORDINATOR,
        Role.REGION_VIEWER,
        Role.FK_CASE_OFFICER,
        Role.FK_APPROVER,
        Role.ADMINISTRATOR,
    }
    assert User.objects.get(username="samordnare03").region_id == "03"
    assert User.objects.get(username="admin").check_password("demo-lösen-1")


def test_demo_data_twice_changes_nothing(ref):
    load()
    counts = (User.objects.count(), Agreement.objects.count(), PopulationFigure.objects.count())
    second = load()
    assert (
        User.objects.count(),
        Agreement.objects.count(),
        PopulationFigure.objects.count(),
    ) == counts
    assert "Demobefolkning: 0 nya uppgifter" in second


def test_demo_agreement_for_this_year_is_open_and_payable(ref):
    load()
    year = timezone.localdate().year
    agreement = Agreement.objects.get(year=year)
    assert agreement.name.startswith(f"DEMO {year}")
    assert set(agreement.periods.values_list("deadline", flat=True)) == {
        datetime.date(year + 1, 8, 15)
    }
    # As the README says: by quarter (unlike 2020), each opening the day after it ends.
    assert not agreement.is_yearly_reporting
    assert list(agreement.periods.order_by("quarter").values_list("quarter", "opens_on")) == [
        (1, datetime.date(year, 4, 1)),
        (2, datetime.date(year, 7, 1)),
        (3, datetime.date(year, 10, 1)),
        (4, datetime.date(year + 1, 1, 1)),
    ]
    assert len(agreement_populations(agreement)) == 21


def test_demo_data_refuses_outside_the_development_profile(ref, settings):
    settings.DEVELOPMENT = False
    with pytest.raises(CommandError) as error:
        load()
    assert "körs bara i utvecklingsprofilen" in str(error.value)
    assert not User.objects.filter(username="samordnare01").exists()
    call_command(
        "load_demo_data",
        "--password",
        "demo-lösen-1",
        "--i-know-this-is-not-production",
        stdout=io.StringIO(),
    )
    assert User.objects.filter(username="samordnare01").exists()


def test_demo_approver_and_admin_have_the_authenticator_dev_py_prints(ref, client):
    """`dev.py up` gives the demo approver and admin a known TOTP key, and
    `dev.py totp` prints the code an app with that key shows: the demo is usable."""
    import base64

    import dev

    call_command(
        "load_demo_data",
        "--password",
        "demo-lösen-1",
        "--totp-key",
        base64.b32decode(dev.DEMO_TOTP_SECRET).hex(),
        stdout=io.StringIO(),
    )
    code, _valid = dev.totp_now(dev.DEMO_TOTP_SECRET)
    response = client.post(
        "/konto/logga-in/", {"username": "attestant", "password": "demo-lösen-1"}
    )
    assert client.get(response["Location"])["Location"].startswith("/konto/tvastegsverifiering/")
    verified = client.post("/konto/tvastegsverifiering/", {"code": code, "next": "/"})
    assert verified["Location"] == "/"
    assert not User.objects.get(username="samordnare01").totpdevice_set.exists()
