"""The start form of a payout run: how many regions have the period's reports
accepted, and a default period that fits the agreement (issue 15)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from payments.services import run_approve
from rehab.models import Agreement
from tests.factories import as_quarterly, report_version
from tests.payments.conftest import EXAMPLE_A_YEAR
from tests.payments.test_views import computed_quarter

pytestmark = pytest.mark.django_db


def selected(html: str, name: str) -> str:
    select = html[html.index(f'name="{name}"') :]
    select = select[: select.index("</select>")]
    match = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    assert match, select
    return match.group(1)


def test_yearly_agreement_starts_on_the_year_and_counts_accepted_regions(
    login, case_officer, coordinator
):
    agreement = Agreement.objects.get(year=2020)
    assert agreement.payout_model == "B"
    # 2020: villkor 3 reported once a year.
    for region in ("01", "03", "04"):
        report_version(region=region, year=2020, user=coordinator)
    report_version(region="05", year=2020, user=coordinator, status="SUBMITTED")
    client = login(case_officer)
    html = client.get(reverse("payments:runs") + "?ar=2020").content.decode()
    assert selected(html, "agreement") == "2020"
    assert selected(html, "period") == "YEAR"
    assert "3 av 21 regioner har godkända rapporter för 2020" in html
    assert "alla fyra kvartalen" not in html
    # A model B year an administrator set to quarters: paid by the year all the same.
    as_quarterly(2019)
    for region in ("01", "03"):
        report_version(region=region, year=2019, quarter=1, user=coordinator)
    for quarter in (1, 2, 3, 4):
        report_version(region="04", year=2019, quarter=quarter, user=coordinator)
    html = client.get(reverse("payments:runs") + "?ar=2019").content.decode()
    assert selected(html, "agreement") == "2019"
    assert selected(html, "period") == "YEAR"  # not "Kvartal 1"
    assert "3 av 21 regioner har godkända rapporter för 2019Q1" in html
    assert "1 av 21 regioner har godkända rapporter för 2019Q2" in html
    assert "1 av 21 regioner har alla fyra kvartalen godkända för 2019" in html


def test_quarterly_agreement_starts_on_the_first_quarter_not_yet_paid(
    login, example_a, case_officer, approver, coordinator
):
    assert example_a.payout_model == "A"
    client = login(case_officer)
    page = reverse("payments:runs") + f"?ar={EXAMPLE_A_YEAR}"
    html = client.get(page).content.decode()
    assert selected(html, "period") == "Q1"
    assert f"0 av 21 regioner har godkända rapporter för {EXAMPLE_A_YEAR}Q1" in html

    run = computed_quarter(example_a, 1, case_officer, coordinator)
    run_approve(run=run, acting_user=approver)
    html = client.get(page).content.decode()
    assert selected(html, "period") == "Q2"
    assert f"3 av 21 regioner har godkända rapporter för {EXAMPLE_A_YEAR}Q1" in html


def test_newest_agreement_is_the_default_focus(login, case_officer):
    newest = Agreement.objects.order_by("-year").first()
    html = login(case_officer).get(reverse("payments:runs")).content.decode()
    assert selected(html, "agreement") == str(newest.year)
    assert f"Godkända rapporter för {newest.year} just nu:" in html
