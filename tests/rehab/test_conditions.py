"""Conditions (villkor) as data of an agreement: the reference data of 2016–2020 with
the 2020 supplement's money, dates and requirements, and the admin that corrects them."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from rehab.enums import ConditionKind, ReportingFrequency
from rehab.models import Agreement, Condition, ConditionRequirement, ReportingPeriod
from tests.factories import as_quarterly, report_version

pytestmark = pytest.mark.django_db

MSEK_ORE = 1_000_000 * 100


def conditions_of(year: int) -> dict[str, Condition]:
    return {c.code: c for c in Condition.objects.filter(agreement__year=year)}


def test_2020_conditions_have_the_supplements_money_and_dates(ref):
    c = conditions_of(2020)
    assert list(c) == ["V1", "V2", "V3", "V4", "V5"]
    assert {code: cond.amount_ore // MSEK_ORE for code, cond in c.items()} == {
        "V1": 100,
        "V2": 140,
        "V3": 550,
        "V4": 50,
        "V5": 0,
    }
    for code in ("V1", "V2"):
        assert c[code].kind == ConditionKind.DELIVERABLE
        assert c[code].report_deadline == datetime.date(2020, 12, 11)
        assert c[code].payment_due == datetime.date(2021, 3, 31)
        assert c[code].population_reference_date == datetime.date(2019, 11, 1)
        assert c[code].verified
    v3 = c["V3"]
    assert v3.kind == ConditionKind.TREATMENTS
    assert v3.report_deadline == datetime.date(2021, 8, 15)
    assert v3.payment_due == datetime.date(2021, 9, 15)
    assert Agreement.objects.get(year=2020).treatment_condition == v3
    # V4's dates are not in the supplement: loaded as a guess and marked so.
    assert not c["V4"].verified
    assert "inte avstämt" in c["V4"].source
    assert c["V5"].amount_ore == 0 and c["V5"].verified


def test_2020_requirements_are_the_supplements_texts(ref):
    v1 = list(
        ConditionRequirement.objects.filter(
            condition__agreement__year=2020, condition__code="V1"
        ).values_list("number", "text")
    )
    assert [n for n, _ in v1] == [1, 2]
    assert v1[0][1].startswith("Regionerna ska under 2020 med stöd av SKR och Socialstyrelsen")
    assert "regionalt samarbete med det nationella programområdet" in v1[1][1]
    v2 = list(
        ConditionRequirement.objects.filter(
            condition__agreement__year=2020, condition__code="V2"
        ).values_list("text", flat=True)
    )
    assert len(v2) == 2
    assert "former för kompetensutveckling" in v2[0]
    assert "samordning och stöd" in v2[1]


def test_every_agreement_has_one_treatment_condition_and_its_periods_point_to_it(ref):
    for agreement in Agreement.objects.filter(year__range=(2009, 2020)):
        treatment = agreement.treatment_condition
        assert treatment is not None, agreement.year
        assert agreement.conditions.filter(kind=ConditionKind.TREATMENTS).count() == 1
        assert set(agreement.periods.values_list("condition", flat=True)) == {treatment.pk}
    for year in range(2009, 2016):
        assert conditions_of(year)["RG"].frequency == ReportingFrequency.QUARTERLY
        assert list(conditions_of(year)) == ["RG"]
    assert conditions_of(2012)["RG"].verified  # the 2012 agreement is among the seeds
    assert not conditions_of(2013)["RG"].verified
    for year in range(2016, 2020):
        assert list(conditions_of(year)) == ["V1", "V2", "V3", "V4"]
        assert not any(c.verified for c in conditions_of(year).values())
    # 2017–2018 pay an advance at the start of the year (Region Jämtland's decision).
    assert conditions_of(2017)["V2"].advance_share is not None


def test_reference_data_keeps_an_administrators_verified_correction(ref):
    v4 = Condition.objects.get(agreement__year=2020, code="V4")
    v4.payment_due = datetime.date(2021, 2, 26)
    v4.verified = True
    v4.save()
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    v4.refresh_from_db()
    assert v4.payment_due == datetime.date(2021, 2, 26)
    assert "Villkor: 0 nya, 0 ändrade" in out.getvalue()


def codes_of(year: int) -> list[str]:
    return [p.code for p in ReportingPeriod.objects.filter(agreement__year=year)]


def test_villkor_3_2016_2020_is_yearly_and_model_a_quarterly(ref):
    for year in range(2009, 2016):
        assert codes_of(year) == [f"{year}Q{q}" for q in range(1, 5)]
    for year in range(2016, 2021):
        assert conditions_of(year)["V3"].frequency == ReportingFrequency.YEARLY
        assert codes_of(year) == [str(year)]
        period = ReportingPeriod.objects.get(agreement__year=year)
        assert (period.start_date, period.end_date, period.opens_on) == (
            datetime.date(year, 1, 1),
            datetime.date(year, 12, 31),
            datetime.date(year + 1, 1, 1),
        )
    # 2019's report was postponed to 15 August 2020 (covid).
    assert ReportingPeriod.objects.get(agreement__year=2019).deadline == datetime.date(2020, 8, 15)


def test_loading_again_switches_an_unreported_quarterly_villkor_3_and_keeps_a_reported_one(
    ref, coordinator
):
    """An existing database: 2019 quarterly and nobody has reported on it (it becomes
    yearly); 2018 quarterly with a report (its quarters stay, and the output says so);
    2017 quarterly with a reminder sent about a quarter but no report (stays: the
    reminder refers to the quarter); 2016 quarterly as an administrator verified it
    (stays: the reference data's 2016 is a guess)."""
    from reporting.models import SentNotification

    for year in (2016, 2017, 2018, 2019):
        as_quarterly(year)
    report_version(region="01", year=2018, quarter=2, user=coordinator, status="DRAFT")
    SentNotification.objects.create(
        kind="REMINDER",
        region_id="01",
        period=ReportingPeriod.objects.get(agreement__year=2017, quarter=1),
        recipient="samordnare01@example.se",
        subject="Påminnelse",
    )
    Condition.objects.filter(agreement__year=2016, code="V3").update(verified=True)

    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    lines = out.getvalue().splitlines()
    assert "Villkor V3 2019 rapporteras nu en gång om året." in lines
    assert codes_of(2019) == ["2019"]
    assert conditions_of(2019)["V3"].frequency == ReportingFrequency.YEARLY
    assert (
        "Villkor V3 2018 rapporteras kvartalsvis och har redan rapporter: lämnas "
        "kvartalsvis (referensdatan: en gång om året)."
    ) in lines
    assert codes_of(2018) == ["2018Q1", "2018Q2", "2018Q3", "2018Q4"]
    assert conditions_of(2018)["V3"].frequency == ReportingFrequency.QUARTERLY
    assert (
        "Villkor V3 2017: perioderna används redan (t.ex. av påminnelser) och lämnas kvartalsvis."
    ) in lines
    assert codes_of(2017) == ["2017Q1", "2017Q2", "2017Q3", "2017Q4"]
    assert conditions_of(2017)["V3"].frequency == ReportingFrequency.QUARTERLY
    assert codes_of(2016) == ["2016Q1", "2016Q2", "2016Q3", "2016Q4"]
    assert conditions_of(2016)["V3"].frequency == ReportingFrequency.QUARTERLY
    assert not any("2016" in line for line in lines)

    # Idempotent: a second run switches nothing and changes no period.
    again = io.StringIO()
    call_command("load_reference_data", stdout=again)
    assert "rapporteras nu" not in again.getvalue()
    assert "Perioder: 0 nya, 0 ändrade" in again.getvalue()
    assert codes_of(2019) == ["2019"]


def test_period_code_quarter_and_year(ref):
    q3 = ReportingPeriod.objects.get(agreement__year=2012, quarter=3)
    assert q3.code == "2012Q3"
    assert str(q3) == "2012Q3"
    yearly = ReportingPeriod(agreement=q3.agreement, quarter=None)
    assert yearly.code == "2012"


def test_period_condition_of_another_agreement_is_refused(ref):
    q1 = ReportingPeriod.objects.get(agreement__year=2012, quarter=1)
    other = Agreement.objects.get(year=2013).treatment_condition
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriod.objects.filter(pk=q1.pk).update(condition=other)


def test_condition_advance_share_between_0_and_1(ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        Condition.objects.filter(agreement__year=2020, code="V1").update(advance_share=1)


def test_treatment_condition_needs_a_frequency(ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        Condition.objects.filter(agreement__year=2020, code="V3").update(frequency="")


def test_admin_lists_unverified_conditions_in_kronor(login, admin_user):
    client = login(admin_user)
    html = client.get("/admin/rehab/condition/?verified__exact=0").content.decode()
    rows = html.split("result_list")[-1]
    assert "Utökat elektroniskt informationsutbyte" in rows  # 2020 V4, unverified
    assert "Funktion för koordinering" in rows  # 2016–2019 V2, unverified
    v1 = Condition.objects.get(agreement__year=2020, code="V1")
    change = client.get(f"/admin/rehab/condition/{v1.pk}/change/").content.decode()
    assert 'value="100000000"' in change  # 100 MSEK typed in kronor
    assert "former för kompetensutveckling" not in change  # V1 has its own requirements
    assert "uppföljningsmått i försäkringsmedicin" in change


def test_admin_condition_money_read_only_once_reported(login, admin_user, coordinator):
    v3 = Agreement.objects.get(year=2019).treatment_condition
    client = login(admin_user)
    assert (
        'name="amount_ore"'
        in client.get(f"/admin/rehab/condition/{v3.pk}/change/").content.decode()
    )
    report_version(region="01", year=2019, user=coordinator, status="DRAFT")
    html = client.get(f"/admin/rehab/condition/{v3.pk}/change/").content.decode()
    assert 'name="amount_ore"' not in html
    assert 'name="title"' in html  # the wording may still be corrected
    assert client.get(f"/admin/rehab/condition/{v3.pk}/delete/").status_code == 403


def test_admin_deletes_an_unused_agreement_with_its_conditions(login, admin_user):
    agreement = Agreement.objects.get(year=2013)
    response = login(admin_user).post(
        f"/admin/rehab/agreement/{agreement.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Condition.objects.filter(agreement__year=2013).exists()
    assert not ReportingPeriod.objects.filter(agreement__year=2013).exists()
