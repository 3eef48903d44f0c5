"""`load_reference_data` loads regions, catalogue and agreements, idempotently."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from rehab.enums import AgeBand, Area, PayoutModel
from rehab.models import (
    Agreement,
    AgreementTreatment,
    PopulationFigure,
    Region,
    ReportingPeriod,
    Treatment,
)

pytestmark = pytest.mark.django_db

MODELS = [Region, PopulationFigure, Treatment, Agreement, ReportingPeriod, AgreementTreatment]


def snapshot():
    return {m.__name__: sorted(m.objects.values_list(flat=False)) for m in MODELS}


def test_reference_data_twice_gives_same_rows(ref):
    before = snapshot()
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert snapshot() == before
    assert "Regioner: 0 nya, 0 ändrade, 21 oförändrade" in out.getvalue()


def test_reference_data_21_regions_sum_to_scb_total(ref):
    assert Region.objects.count() == 21
    total = PopulationFigure.objects.filter(
        reference_date=datetime.date(2019, 12, 31), age_band=AgeBand.TOTAL
    ).aggregate(total=Sum("population"))["total"]
    assert total == 10_327_589


def test_reference_data_catalogue_matches_spec(ref):
    assert dict(Treatment.objects.values_list("code", "area")) == {
        "KBT": Area.MENTAL,
        "IKBT": Area.MENTAL,
        "IPT": Area.MENTAL,
        "PDT": Area.MENTAL,
        "EMDR": Area.MENTAL,
        "OTHER_PSY": Area.MENTAL,
        "MMR1": Area.PAIN,
        "MMR2": Area.PAIN,
        "BEHAV": Area.PAIN,
        "ACTIVE": Area.PAIN,
        "OTHER_PAIN": Area.PAIN,
    }


def test_reference_data_agreement_2012_model_a_with_rates(ref):
    a = Agreement.objects.get(year=2012)
    assert a.payout_model == PayoutModel.A
    assert a.frame_ore == 900_000_000_00
    assert a.research_ore == 100_000_000_00
    assert a.addon_per_series_ore == 1_000_00
    assert dict(a.rates.values_list("treatment_id", "rate_ore")) == {
        "MMR1": 25_000_00,
        "MMR2": 45_000_00,
        "KBT": 12_000_00,
        "IPT": 12_000_00,
    }
    assert list(a.periods.values_list("quarter", flat=True)) == [1, 2, 3, 4]


def test_reference_data_agreement_2020_model_b(ref):
    a = Agreement.objects.get(year=2020)
    assert a.payout_model == PayoutModel.B
    assert a.frame_ore == 500_000_000_00
    assert a.contact_bonus_per_contact_ore == 3_000_00
    assert a.contact_bonus_cap_ore == 50_000_000_00
    assert a.population_reference_date == datetime.date(2019, 11, 1)
    assert a.asks_video is True
    assert a.payment_due == datetime.date(2021, 9, 15)
    assert set(a.periods.values_list("deadline", flat=True)) == {datetime.date(2021, 8, 15)}


def test_reference_data_agreement_2019_deadline_after_covid_postponement(ref):
    a = Agreement.objects.get(year=2019)
    assert a.payout_model == PayoutModel.B
    assert a.asks_video is False
    assert set(a.periods.values_list("deadline", flat=True)) == {datetime.date(2020, 8, 15)}


def test_reference_data_frames_by_year(ref):
    frames = {a.year: a.frame_ore // 100_000_000 for a in Agreement.objects.all()}
    assert frames == {
        2009: 560, 2010: 960, 2011: 960, 2012: 900, 2013: 948, 2014: 725, 2015: 712,
        2016: 500, 2017: 500, 2018: 500, 2019: 500, 2020: 500,
    }  # fmt: skip


def test_reference_data_keeps_rate_entered_by_administrator(ref):
    AgreementTreatment.objects.filter(agreement__year=2013, treatment_id="KBT").update(
        rate_ore=11_000_00
    )
    call_command("load_reference_data", stdout=io.StringIO())
    assert (
        AgreementTreatment.objects.get(agreement__year=2013, treatment_id="KBT").rate_ore
        == 11_000_00
    )


def test_load_population_all_or_nothing(ref, tmp_path):
    path = tmp_path / "scb.csv"
    path.write_text("region;population\n01;2 400 000\n99;5\n03;-1\n", encoding="utf-8")
    with pytest.raises(Exception, match="Inget sparades") as excinfo:
        call_command("load_population", str(path), "--date", "2019-11-01")
    assert "Rad 3: okänd region '99'." in str(excinfo.value)
    assert "Rad 4: '-1' är inte ett heltal ≥ 0." in str(excinfo.value)
    assert not PopulationFigure.objects.filter(reference_date=datetime.date(2019, 11, 1)).exists()


def test_load_population_saves_figures(ref, tmp_path):
    path = tmp_path / "scb.csv"
    path.write_text("\ufeffregion,population\n01,2 400 000\n03,380000\n", encoding="utf-8")
    call_command("load_population", str(path), "--date", "2019-11-01", stdout=io.StringIO())
    assert dict(
        PopulationFigure.objects.filter(reference_date=datetime.date(2019, 11, 1)).values_list(
            "region_id", "population"
        )
    ) == {"01": 2_400_000, "03": 380_000}
