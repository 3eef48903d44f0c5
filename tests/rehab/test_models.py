"""Single-row rules hold in the database itself, not only in forms."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rehab.enums import AgeBand, Role
from rehab.models import (
    Agreement,
    AgreementTreatment,
    PopulationFigure,
    Region,
    ReportingPeriod,
    User,
)

pytestmark = pytest.mark.django_db


def agreement_2012() -> Agreement:
    return Agreement.objects.get(year=2012)


def test_region_code_is_unique(ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="01", name="Ett annat namn")


def test_region_code_must_be_two_digits(ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="1", name="Utan nolla")


def test_region_code_keeps_leading_zero(ref):
    assert Region.objects.get(code="01").name == "Region Stockholm"


def test_one_agreement_per_year(ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(
            year=2012,
            name="Dubblett",
            payout_model="A",
            frame_ore=1,
            population_reference_date=datetime.date(2011, 12, 31),
        )


@pytest.mark.parametrize(
    "field",
    [
        "frame_ore",
        "research_ore",
        "addon_per_series_ore",
        "contact_bonus_per_contact_ore",
        "contact_bonus_cap_ore",
    ],
)
def test_agreement_money_cannot_be_negative(ref, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(year=2012).update(**{field: -1})


def test_rate_cannot_be_negative(ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementTreatment.objects.filter(agreement__year=2012, treatment_id="KBT").update(
            rate_ore=-100
        )


def test_population_cannot_be_negative(ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        PopulationFigure.objects.filter(region_id="01").update(population=-5)


def test_population_unique_per_region_date_band(ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        PopulationFigure.objects.create(
            region_id="01",
            reference_date=datetime.date(2019, 12, 31),
            age_band=AgeBand.TOTAL,
            population=1,
        )


def test_period_must_lie_inside_agreement_year(ref):
    period = ReportingPeriod.objects.get(agreement__year=2012, quarter=1)
    period.start_date = datetime.date(2011, 12, 1)
    with pytest.raises(IntegrityError, match="period_within_agreement_year"), transaction.atomic():
        period.save()


def test_period_end_of_year_must_lie_inside_agreement_year(ref):
    with pytest.raises(IntegrityError, match="period_within_agreement_year"), transaction.atomic():
        ReportingPeriod.objects.filter(agreement__year=2012, quarter=4).update(
            end_date=datetime.date(2013, 1, 31)
        )


def test_period_clean_explains_year_in_swedish(ref):
    period = ReportingPeriod.objects.get(agreement__year=2012, quarter=1)
    period.start_date = datetime.date(2011, 12, 1)
    with pytest.raises(ValidationError) as excinfo:
        period.clean()
    assert excinfo.value.message_dict["start_date"] == [
        "Perioden måste ligga inom överenskommelsens år 2012."
    ]


def test_period_start_before_end(ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriod.objects.filter(agreement__year=2012, quarter=2).update(
            start_date=datetime.date(2012, 6, 30), end_date=datetime.date(2012, 4, 1)
        )


def test_period_quarter_between_1_and_4(ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriod.objects.filter(agreement__year=2012, quarter=2).update(quarter=5)


def test_one_period_per_quarter(ref):
    q1 = ReportingPeriod.objects.get(agreement__year=2012, quarter=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriod.objects.create(
            agreement=q1.agreement,
            condition=q1.condition,
            quarter=1,
            start_date=q1.start_date,
            end_date=q1.end_date,
            opens_on=q1.opens_on,
            deadline=q1.deadline,
        )


def test_region_role_requires_region(ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="utan-region", role=Role.REGION_COORDINATOR)


def test_fk_role_has_no_region(ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="fk-med-region", role=Role.FK_CASE_OFFICER, region_id="01")


def test_user_clean_explains_missing_region(ref):
    user = User(username="x", role=Role.REGION_VIEWER)
    with pytest.raises(ValidationError) as excinfo:
        user.clean()
    assert excinfo.value.message_dict["region"] == ["En regionroll kräver en region."]


def test_period_open_and_late(ref):
    period = ReportingPeriod.objects.get(agreement__year=2020, quarter=None)  # yearly
    assert period.deadline == datetime.date(2021, 8, 15)
    assert period.is_open(datetime.date(2021, 1, 1))
    assert not period.is_open(datetime.date(2020, 12, 31))
    assert period.is_late(datetime.date(2021, 8, 16))
    assert not period.is_late(datetime.date(2021, 8, 15))
