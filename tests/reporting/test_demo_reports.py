"""The demo reports: what `dev.py up` loads after the demo users."""

import io

import pytest
from django.core.management import CommandError, call_command

from reporting.models import Report, ReportVersion, SeriesCount
from reporting.selectors import figures_of

pytestmark = pytest.mark.django_db


def run(name, *args):
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_demo_reports_need_the_demo_users(ref):
    with pytest.raises(CommandError) as error:
        run("load_demo_reports")
    assert str(error.value) == (
        "Demoanvändarna saknas (handlaggare, samordnare01, samordnare03). Kör load_demo_data först."
    )


def test_demo_reports_loaded_once(ref):
    run("load_demo_data", "--password", "demo-lösen-123")
    assert run("load_demo_reports").splitlines() == [
        "Godkända demorapporter: 40 nya",
        "Utkast: 01 2020",
        "Inskickad: 03 2020",
    ]
    # Villkor 3 is reported once a year: 2019 for all 21 regions, 2020 for the other 19.
    accepted = Report.objects.filter(accepted_version__isnull=False)
    assert accepted.count() == 21 + 19
    assert sorted(set(accepted.values_list("period__agreement__year", "period__quarter"))) == [
        (2019, None),
        (2020, None),
    ]
    current = ReportVersion.objects.filter(
        report__period__agreement__year=2020, report__region__in=["01", "03"]
    ).order_by("report__region")
    assert [(v.report.region_id, v.status) for v in current] == [
        ("01", "DRAFT"),
        ("03", "SUBMITTED"),
    ]
    draft = current[0]
    assert {treatment for treatment, _s, _p in figures_of(draft).series} == {"KBT", "IKBT", "IPT"}
    # Stockholm is larger than Gotland, and both report every year.
    stockholm = figures_of(accepted.get(region="01", period__agreement__year=2019).accepted_version)
    gotland = figures_of(accepted.get(region="09", period__agreement__year=2019).accepted_version)
    assert stockholm.total_series > 10 * gotland.total_series > 0

    cells = SeriesCount.objects.count()
    assert run("load_demo_reports").splitlines() == ["Godkända demorapporter: inga nya"]
    assert SeriesCount.objects.count() == cells
    assert Report.objects.filter(accepted_version__isnull=False).count() == 40
