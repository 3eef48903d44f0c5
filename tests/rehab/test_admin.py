"""The admin freezes what decides money once an agreement is in use."""

import pytest

from rehab.models import Agreement
from tests.factories import report_version

pytestmark = pytest.mark.django_db


def change_page(client, agreement):
    return client.get(f"/admin/rehab/agreement/{agreement.pk}/change/").content.decode()


def test_admin_agreement_money_editable_while_unused(login, admin_user):
    html = change_page(login(admin_user), Agreement.objects.get(year=2019))
    assert 'name="frame_ore"' in html


def test_admin_agreement_money_read_only_once_reported(login, admin_user, coordinator):
    report_version(region="01", year=2019, user=coordinator, status="DRAFT")
    html = change_page(login(admin_user), Agreement.objects.get(year=2019))
    assert 'name="frame_ore"' not in html
    assert "500000000" in html.replace("\xa0", "").replace(" ", "")
    assert 'name="name"' in html  # the name may still be corrected


def test_admin_agreement_cannot_be_deleted_once_reported(login, admin_user, coordinator):
    agreement = Agreement.objects.get(year=2019)
    report_version(region="01", year=2019, user=coordinator, status="DRAFT")
    response = login(admin_user).get(f"/admin/rehab/agreement/{agreement.pk}/delete/")
    assert response.status_code == 403


def test_admin_region_code_read_only(login, admin_user):
    html = login(admin_user).get("/admin/rehab/region/01/change/").content.decode()
    assert 'name="code"' not in html
    assert 'name="name"' in html


def test_admin_search_and_filter_users(login, admin_user, coordinator, case_officer):
    client = login(admin_user)
    html = client.get("/admin/rehab/user/?q=samordnare01").content.decode()
    assert "samordnare01" in html
    assert "handlaggare" not in html.split("result_list")[-1]
    html = client.get("/admin/rehab/user/?role__exact=FK_CASE_OFFICER").content.decode()
    assert "handlaggare" in html


def test_admin_agreement_amounts_typed_in_kronor(login, admin_user):
    agreement = Agreement.objects.get(year=2013)
    client = login(admin_user)
    html = change_page(client, agreement)
    assert 'value="948000000"' in html  # the frame shown in kronor
    assert "Ram till regionerna (kr)" in html


def test_kronor_field_reads_kronor_into_ore():
    from django.core.exceptions import ValidationError

    from rehab.forms import KronorField

    field = KronorField()
    assert field.clean("193 467,46") == 19346746
    assert field.clean("12000") == 1200000
    assert field.prepare_value(19346746) == "193467,46"
    for bad, message in [
        ("12,345", "Ange högst två decimaler (öre)."),
        ("-1", "Beloppet får inte vara negativt."),
        ("tolv", "Ange ett belopp i kronor, t.ex. 12 000 eller 193 467,46."),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            field.clean(bad)
        assert excinfo.value.messages == [message]


def test_admin_condition_list_has_a_filter_for_unverified_figures(login, admin_user):
    """Issue 9: figures loaded as plausible guesses are found through the list filter
    (the sidebar offers it; following it lists only the unverified conditions)."""
    from rehab.models import Condition

    client = login(admin_user)
    html = client.get("/admin/rehab/condition/").content.decode()
    sidebar = html.split('id="changelist-filter"')[1].split("</nav>")[0]
    assert "kontrollerad" in sidebar.lower()
    assert "?verified__exact=0" in sidebar
    listed = client.get("/admin/rehab/condition/?verified__exact=0").context["cl"].result_count
    unverified = Condition.objects.filter(verified=False).count()
    assert listed == unverified > 0
    assert unverified < Condition.objects.count()


def test_admin_frozen_agreement_shows_every_amount_in_kronor(login, admin_user, coordinator):
    """Issue 15: once an agreement is in use its amounts are read only, and were shown
    as stored, in öre, under a heading saying kronor."""
    from rehab.formatting import format_kronor

    agreement = Agreement.objects.get(year=2019)
    report_version(region="01", year=2019, user=coordinator, status="DRAFT")
    html = change_page(login(admin_user), agreement)
    assert f"{format_kronor(agreement.frame_ore)}\xa0kr" in html  # 500 000 000,00 kr
    assert str(agreement.frame_ore) not in html  # not 50000000000 (öre)
    assert "(öre)" not in html
    assert "Ram till regionerna (kr)" in html
    for condition in agreement.conditions.all():
        assert f"{format_kronor(condition.amount_ore)}\xa0kr" in html
    for price in agreement.rates.all():
        assert f"{format_kronor(price.rate_ore)}\xa0kr" in html
