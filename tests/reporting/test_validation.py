"""The checks of a report (spec §5): every error and warning, with its exact message."""

import datetime

import pytest

from rehab.models import Region, ReportingPeriod
from reporting.figures import Figures
from reporting.models import ValidationSettings
from reporting.validation import Issue, report_validate, validate_figures
from tests.factories import report_version

# The yearly 2020 (villkor 3) opens 2021-01-01, deadline 2021-08-15.
OPEN_DAY = datetime.date(2021, 3, 1)
# The deviation checks compare quarters: a model A year's, 2015Q4 (open 2016-01-01,
# deadline 2016-01-31), against 2014Q4 and the quarters before it.
QUARTER_DAY = datetime.date(2016, 1, 15)


def period(year, quarter):
    return ReportingPeriod.objects.select_related("agreement").get(
        agreement__year=year, quarter=quarter
    )


def check(figures, *, user=None, year=2020, quarter=None, region="01", today=OPEN_DAY, **kw):
    return validate_figures(
        region=Region.objects.get(code=region),
        period=period(year, quarter),
        figures=figures,
        user=user,
        today=today,
        **kw,
    )


def qcheck(figures, **kw):
    """check() of 2015Q4, a quarter of a model A year."""
    return check(figures, year=2015, quarter=4, today=QUARTER_DAY, **kw)


def kbt(value, *, sex="F", provider="PUBLIC"):
    return {("KBT", sex, provider): value}


def accepted_kbt(user, **by_quarter):
    """Accepted history for region 01: accepted_kbt(user, q2014_4=100, q2015_1=30, ...)."""
    for name, value in by_quarter.items():
        year, quarter = name[1:].split("_")
        report_version(
            region="01",
            year=int(year),
            quarter=int(quarter),
            user=user,
            series=kbt(value),
        )


def test_validate_clean_report_has_no_issues(coordinator):
    result = check(Figures(series=kbt(10), extras={("EMPLOYER_CONTACT", "F"): 3}), user=coordinator)
    assert result.errors == []
    assert result.warnings == []
    assert result.ok is True


def test_validate_not_whole_number(ref):
    result = check(Figures(series={("KBT", "F", "PUBLIC"): 1.5, ("IPT", "M", "PRIVATE"): "tio"}))
    assert result.errors == [
        Issue(
            "not_whole_number",
            "KBT:F:PUBLIC",
            "KBT, kvinnor, offentlig: ”1.5” är inte ett heltal.",
            "error",
            "KBT:F:PUBLIC",
        ),
        Issue(
            "not_whole_number",
            "IPT:M:PRIVATE",
            "IPT, män, privat: ”tio” är inte ett heltal.",
            "error",
            "IPT:M:PRIVATE",
        ),
    ]
    assert result.ok is False


def test_validate_negative(ref):
    result = check(Figures(extras={("AF_CONTACT", "M"): -3}))
    assert [(i.code, i.key, i.message) for i in result.errors] == [
        (
            "negative",
            "AF_CONTACT:M",
            "Kontakter med Arbetsförmedlingen, män: antalet kan inte vara negativt (\u22123).",
        )
    ]


def test_validate_treatment_not_in_agreement(ref):
    # 2012 (model A) includes KBT, IPT, MMR1 and MMR2 only.
    result = check(Figures(series={("IKBT", "F", "PUBLIC"): 5}), year=2012, quarter=2)
    assert [(i.code, i.key, i.message) for i in result.errors] == [
        (
            "treatment_not_in_agreement",
            "IKBT:F:PUBLIC",
            "IKBT ingår inte i överenskommelsen för 2012.",
        )
    ]


def test_validate_video_only_where_the_agreement_asks(ref):
    figures = Figures(series=kbt(10), extras={("VIDEO", "F"): 2})
    result = check(figures, year=2019, historical=True)
    assert [(i.code, i.key, i.message) for i in result.errors] == [
        (
            "video_not_in_agreement",
            "VIDEO:F",
            "Överenskommelsen för 2019 frågar inte efter behandlingar via video.",
        )
    ]
    assert check(figures, year=2020).errors == []


def test_validate_period_not_yet_open(ref):
    result = check(Figures(series=kbt(10)), today=datetime.date(2020, 12, 31))
    assert [(i.code, i.key, i.message) for i in result.errors] == [
        ("period_not_open", "period", "Perioden 2020 öppnar för rapportering 2021-01-01.")
    ]


def test_validate_period_closed(ref):
    ReportingPeriod.objects.filter(agreement__year=2020).update(is_closed=True)
    result = check(Figures(series=kbt(10)))
    assert [(i.code, i.message) for i in result.errors] == [
        ("period_not_open", "Perioden 2020 är stängd för rapportering.")
    ]


def test_validate_region_not_allowed(other_coordinator, viewer, case_officer):
    expected = [("region_not_allowed", "region", "Du får inte rapportera för Region Stockholm.")]
    for user in (other_coordinator, viewer, case_officer):
        result = check(Figures(series=kbt(10)), user=user)
        assert [(i.code, i.key, i.message) for i in result.errors] == expected


def test_validate_employer_contacts_exceed_series(ref):
    figures = Figures(
        series={("KBT", "F", "PUBLIC"): 6, ("MMR1", "F", "PRIVATE"): 4},
        extras={("EMPLOYER_CONTACT", "F"): 11, ("EMPLOYER_CONTACT", "M"): 0},
    )
    assert [(i.code, i.key, i.message) for i in check(figures).errors] == [
        (
            "employer_contacts_exceed_series",
            "EMPLOYER_CONTACT:F",
            "Kontakter med arbetsgivare (11) är fler än regionens genomförda "
            "behandlingar under perioden (10).",
        )
    ]


def test_validate_contacts_compared_with_total_series_not_per_sex(ref):
    """Spec §5: the region's employer contacts, and its Arbetsförmedlingen contacts,
    each against its total completed series of the period. More contacts for men than
    series for men is fine when the total holds; each kind is checked on its own."""
    figures = Figures(
        series={("KBT", "F", "PUBLIC"): 8, ("KBT", "M", "PUBLIC"): 2},
        extras={
            ("EMPLOYER_CONTACT", "F"): 1,
            ("EMPLOYER_CONTACT", "M"): 9,
            ("AF_CONTACT", "F"): 0,
            ("AF_CONTACT", "M"): 10,
        },
    )
    assert check(figures).errors == []
    over = Figures(
        series=figures.series,
        extras={**figures.extras, ("AF_CONTACT", "F"): 1, ("EMPLOYER_CONTACT", "F"): 2},
    )
    assert [(i.code, i.key, i.message) for i in check(over).errors] == [
        (
            "employer_contacts_exceed_series",
            "EMPLOYER_CONTACT:M",
            "Kontakter med arbetsgivare (11) är fler än regionens genomförda "
            "behandlingar under perioden (10).",
        ),
        (
            "af_contacts_exceed_series",
            "AF_CONTACT:M",
            "Kontakter med Arbetsförmedlingen (11) är fler än regionens genomförda "
            "behandlingar under perioden (10).",
        ),
    ]


def test_validate_af_contacts_exceed_series(ref):
    figures = Figures(series=kbt(1_000, sex="M"), extras={("AF_CONTACT", "M"): 1_001})
    assert [(i.code, i.key, i.message) for i in check(figures).errors] == [
        (
            "af_contacts_exceed_series",
            "AF_CONTACT:M",
            "Kontakter med Arbetsförmedlingen (1\xa0001) är fler än regionens genomförda "
            "behandlingar under perioden (1\xa0000).",
        )
    ]


def test_validate_video_exceeds_series(ref):
    figures = Figures(series=kbt(2), extras={("VIDEO", "F"): 3})
    assert [(i.code, i.key, i.message) for i in check(figures).errors] == [
        (
            "video_exceeds_series",
            "VIDEO:F",
            "Behandlingar via video för kvinnor (3) är fler än "
            "genomförda behandlingar för kvinnor (2).",
        )
    ]


def test_validate_deviation_from_same_quarter_previous_year(coordinator):
    # 100 a year ago; the recent average (100 + 30 + 30 + 30) / 4 = 47.5 is close enough.
    accepted_kbt(coordinator, q2014_4=100, q2015_1=30, q2015_2=30, q2015_3=30)
    result = qcheck(Figures(series=kbt(30)))
    assert result.errors == []
    assert result.warnings == [
        Issue(
            "deviation_previous_year",
            "KBT:deviation_previous_year",
            "Kognitiv beteendeterapi (KBT): 30 genomförda behandlingar jämfört med 100 "
            "samma kvartal året innan (−70 %).",
            "warning",
            "KBT",
        )
    ]


def test_validate_deviation_from_recent_average(coordinator):
    # Same as a year ago (40), but the last four accepted quarters average 85.
    accepted_kbt(coordinator, q2014_4=40, q2015_1=100, q2015_2=100, q2015_3=100)
    result = qcheck(Figures(series=kbt(40)))
    assert [(i.code, i.key, i.message) for i in result.warnings] == [
        (
            "deviation_recent_average",
            "KBT:deviation_recent_average",
            "Kognitiv beteendeterapi (KBT): 40 genomförda behandlingar jämfört med i "
            "genomsnitt 85 "
            "de senaste 4 godkända kvartalen (−53 %).",
        )
    ]


def test_validate_deviation_both_ways_and_upwards(coordinator):
    # The real example: 1 304 series one year, 14 the next; and a jump upwards.
    accepted_kbt(coordinator, q2014_4=1_304)
    result = qcheck(Figures(series=kbt(14)))
    assert [i.code for i in result.warnings] == [
        "deviation_previous_year",
        "deviation_recent_average",
    ]
    assert result.warnings[0].message == (
        "Kognitiv beteendeterapi (KBT): 14 genomförda behandlingar jämfört med 1\xa0304 "
        "samma kvartal året innan (−99 %)."
    )
    up = qcheck(Figures(series=kbt(3_000)))
    assert up.warnings[0].message == (
        "Kognitiv beteendeterapi (KBT): 3\xa0000 genomförda behandlingar jämfört med 1\xa0304 "
        "samma kvartal året innan (+130 %)."
    )


def test_validate_no_deviation_warning_below_min_base(coordinator):
    accepted_kbt(coordinator, q2014_4=19)
    assert qcheck(Figures(series=kbt(2))).warnings == []
    # One of the two at or above the base is enough to warn.
    assert [i.code for i in qcheck(Figures(series=kbt(60))).warnings] == [
        "deviation_previous_year",
        "deviation_recent_average",
    ]


def test_validate_thresholds_are_settings(coordinator):
    accepted_kbt(coordinator, q2014_4=100, q2015_1=30, q2015_2=30, q2015_3=30)
    ValidationSettings.objects.create(deviation_percent=80)
    assert qcheck(Figures(series=kbt(30))).warnings == []
    ValidationSettings.objects.filter(pk=1).update(deviation_percent=50, deviation_min_base=200)
    assert qcheck(Figures(series=kbt(30))).warnings == []
    ValidationSettings.objects.filter(pk=1).update(deviation_min_base=20, recent_quarters=1)
    # Only 2015Q3 (30) in the average now; the year-ago warning stays.
    assert [i.code for i in qcheck(Figures(series=kbt(30))).warnings] == ["deviation_previous_year"]


def test_validate_drop_to_zero(coordinator):
    accepted_kbt(coordinator, q2014_4=40, q2015_3=25)
    result = qcheck(Figures(series={("IPT", "F", "PUBLIC"): 3}))
    # Warned once as a drop to zero, not also as deviations.
    assert result.warnings == [
        Issue(
            "drop_to_zero",
            "KBT:drop_to_zero",
            "Kognitiv beteendeterapi (KBT): 0 genomförda behandlingar, men 25 under 2015Q3.",
            "warning",
            "KBT",
        )
    ]


def test_validate_late_filing(ref):
    result = check(Figures(series=kbt(10)), today=datetime.date(2021, 8, 16))
    assert result.warnings == [
        Issue("late_filing", "", "Rapporten lämnas in efter sista dag 2021-08-15.", "warning")
    ]
    assert check(Figures(series=kbt(10)), today=datetime.date(2021, 8, 15)).warnings == []


def test_validate_historical_skips_period_and_deadline_rules(ref):
    result = check(Figures(series=kbt(10)), today=datetime.date(2030, 1, 1), year=2020)
    assert [i.code for i in result.issues] == ["late_filing"]
    historical = check(Figures(series=kbt(10)), today=datetime.date(2020, 1, 1), historical=True)
    assert historical.issues == []


@pytest.mark.parametrize("status", ["DRAFT", "SUBMITTED"])
def test_report_validate_reads_the_version(coordinator, status):
    version = report_version(
        region="01",
        year=2020,
        user=coordinator,
        series=kbt(5),
        extras={("AF_CONTACT", "F"): 6},
        status=status,
    )
    result = report_validate(version=version, today=OPEN_DAY)
    assert [i.code for i in result.errors] == ["af_contacts_exceed_series"]
