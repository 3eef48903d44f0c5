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
        "Godkända demorapporter: 147 nya",
        "Utkast: 01 2020Q4",
        "Inskickad: 03 2020Q4",
    ]
    accepted = Report.objects.filter(accepted_version__isnull=False)
    assert accepted.count() == 21 * 7
    assert sorted(set(accepted.values_list("period__agreement__year", "period__quarter"))) == [
        (2019, 1), (2019, 2), (2019, 3), (2019, 4), (2020, 1), (2020, 2), (2020, 3),
    ]  # fmt: skip
    current = ReportVersion.objects.filter(
        report__period__agreement__year=2020, report__period__quarter=4
    ).order_by("report__region")
    assert [(v.report.region_id, v.status) for v in current] == [
        ("01", "DRAFT"),
        ("03", "SUBMITTED"),
    ]
    draft = current[0]
    assert {treatment for treatment, _s, _p in figures_of(draft).series} == {"KBT", "IKBT", "IPT"}
    # Stockholm is larger than Gotland, and both report every quarter.
    stockholm = figures_of(
        accepted.get(region="01", period__quarter=1, period__agreement__year=2019).accepted_version
    )
    gotland = figures_of(
        accepted.get(region="09", period__quarter=1, period__agreement__year=2019).accepted_version
    )
    assert stockholm.total_series > 10 * gotland.total_series > 0

    cells = SeriesCount.objects.count()
    assert run("load_demo_reports").splitlines() == ["Godkända demorapporter: inga nya"]
    assert SeriesCount.objects.count() == cells
    assert Report.objects.filter(accepted_version__isnull=False).count() == 147
