"""Where the money goes: the coordinator records the region's use of the money after
a payout is approved, with a proposal split by the units' production; each unit sees
its allotment."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from payments.funds import (
    FundsError,
    FundsRow,
    funds_received,
    funds_split_proposal,
    funds_use_save,
    proposal_from_series,
    unit_allotments,
)
from payments.models import FundsUse, FundsUseRow, PayoutLine, PayoutRun
from rehab.models import Agreement
from reporting.services import report_accept, report_submit
from reporting.units import latest_version, unit_figures_save

from .test_unit_figures import NORR, PRIVAT, SODER

# --------------------------------------------------------------------------- the split


@settings(max_examples=1500, deadline=None)
@given(
    series=st.dictionaries(
        st.integers(min_value=1, max_value=10_000),
        st.integers(min_value=0, max_value=100_000),
        min_size=1,
        max_size=40,
    ).filter(lambda d: any(d.values())),
    amount=st.integers(min_value=0, max_value=10**12),
)
def test_proposal_adds_up_to_the_amount_by_largest_remainder(series, amount):
    parts = proposal_from_series(series, amount)
    assert sum(parts.values()) == amount
    total = sum(series.values())
    exact = {unit: Fraction(amount * n, total) for unit, n in series.items()}
    # Each unit gets the floor or the ceiling of its exact share ...
    for unit, part in parts.items():
        assert exact[unit] - 1 < part < exact[unit] + 1
    # ... and the öre left over after the floors go to the largest remainders
    # (ties: lowest unit id first).
    floors = {unit: int(share) for unit, share in exact.items()}
    leftover = amount - sum(floors.values())
    order = sorted(series, key=lambda u: (-(exact[u] - floors[u]), u))
    assert {u for u in series if parts[u] > floors[u]} == set(order[:leftover])


def test_proposal_example_to_the_ore():
    # 10 000,00 kr by 1 : 1 : 1 -> 3 333,34 to the lowest id, 3 333,33 to the others.
    assert proposal_from_series({7: 5, 3: 5, 9: 5}, 1_000_000) == {
        3: 333_334,
        7: 333_333,
        9: 333_333,
    }


# --------------------------------------------------------------------------- the account


@pytest.fixture
def accepted_and_paid(units, period, reporter1, reporter2, coordinator, case_officer, approver):
    """The three units' figures accepted, and an approved payout of 1 470 000 kr."""
    for unit, figures, user in (
        (units[0], NORR, reporter1),
        (units[1], SODER, reporter2),
        (units[2], PRIVAT, coordinator),
    ):
        unit_figures_save(
            unit=unit, period=period, figures=figures, lock_version=0, acting_user=user
        )
    version = latest_version("01", period)
    report_submit(
        version=version,
        lock_version=version.lock_version,
        explanations={"": "Sent."},
        eligibility_confirmed=True,
        acting_user=coordinator,
    )
    report_accept(version=version, acting_user=case_officer)
    run = PayoutRun.objects.create(
        agreement=period.agreement, kind="YEAR", status="RUNNING", started_by=case_officer
    )
    PayoutLine.objects.create(run=run, region_id="01", amount_ore=147_000_000)
    PayoutRun.objects.filter(pk=run.pk).update(
        status="CALCULATED", total_ore=147_000_000, computed_at=timezone.now()
    )
    PayoutRun.objects.filter(pk=run.pk).update(
        status="APPROVED", approved_by=approver, approved_at=timezone.now()
    )
    return period.agreement


def test_proposal_splits_by_the_units_accepted_series(accepted_and_paid, units):
    # Series: Norr 16, Söder 12, Privata kliniken 26 (54 in all).
    proposal = funds_split_proposal(region="01", agreement=accepted_and_paid, amount_ore=34_000_000)
    assert proposal == {units[0].pk: 10_074_074, units[1].pk: 7_555_556, units[2].pk: 16_370_370}
    assert sum(proposal.values()) == 34_000_000


def test_coordinator_records_the_use_and_units_see_their_allotment(
    accepted_and_paid, units, coordinator, reporter1
):
    assert funds_received("01", accepted_and_paid) == 147_000_000
    rows = [
        FundsRow(amount_ore=10_000_000, unit_id=units[0].pk),
        FundsRow(amount_ore=5_000_000, unit_id=units[1].pk),
        FundsRow(amount_ore=19_000_000, purpose="Processledning"),
    ]
    first = funds_use_save(
        region=coordinator.region,
        agreement=accepted_and_paid,
        rows=rows,
        based_on=0,
        acting_user=coordinator,
    )
    assert first.number == 1
    second = funds_use_save(
        region=coordinator.region,
        agreement=accepted_and_paid,
        rows=[*rows[:1], FundsRow(amount_ore=6_000_000, unit_id=units[1].pk), rows[2]],
        based_on=1,
        acting_user=coordinator,
    )
    assert second.number == 2
    assert [(a.year, a.amount_ore) for a in unit_allotments(units[1])] == [
        (accepted_and_paid.year, 6_000_000)
    ]
    # Versions are kept as they were.
    with pytest.raises(IntegrityError), transaction.atomic():
        FundsUseRow.objects.filter(funds_use=first).update(amount_ore=1)
    with pytest.raises(FundsError) as stale:
        funds_use_save(
            region=coordinator.region,
            agreement=accepted_and_paid,
            rows=rows,
            based_on=1,
            acting_user=coordinator,
        )
    assert stale.value.code == "stale"
    with pytest.raises(FundsError) as too_much:
        funds_use_save(
            region=coordinator.region,
            agreement=accepted_and_paid,
            rows=[FundsRow(amount_ore=147_000_001, purpose="Allt")],
            based_on=2,
            acting_user=coordinator,
        )
    assert too_much.value.code == "over_received"
    with pytest.raises(FundsError) as not_allowed:
        funds_use_save(
            region=coordinator.region,
            agreement=accepted_and_paid,
            rows=rows,
            based_on=2,
            acting_user=reporter1,
        )
    assert not_allowed.value.code == "not_allowed"
    assert FundsUse.objects.count() == 2


def test_no_account_before_a_payout_is_approved(units, coordinator):
    with pytest.raises(FundsError) as refused:
        funds_use_save(
            region=coordinator.region,
            agreement=Agreement.objects.get(year=2020),
            rows=[FundsRow(amount_ore=1, purpose="IT-utveckling")],
            based_on=0,
            acting_user=coordinator,
        )
    assert refused.value.code == "nothing_received"


def test_funds_page_proposal_and_save_in_the_browser(
    accepted_and_paid, units, login, coordinator, reporter1, reporter2
):
    client = login(coordinator)
    url = reverse("payments:funds", args=["01", accepted_and_paid.year])
    page = client.get(url).content.decode()
    assert "1\xa0470\xa0000,00&nbsp;kr" in page
    proposed = client.post(
        url, {"action": "propose", "propose_amount": "340 000", "based_on": "0"}
    ).content.decode()
    assert 'value="100740,74"' in proposed
    response = client.post(
        url,
        {
            "action": "save",
            "based_on": "0",
            f"unit-{units[0].pk}": "100740,74",
            f"unit-{units[1].pk}": "75555,56",
            f"unit-{units[2].pk}": "163703,70",
            "purpose-0": "Processledning",
            "purpose-amount-0": "190 000",
            "purpose-1": "",
            "purpose-amount-1": "",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-funds="units">340\xa0000,00&nbsp;kr' in page
    assert 'data-funds="left">940\xa0000,00&nbsp;kr' in page
    own = login(reporter1).get(reverse("payments:unit_funds", args=[units[0].pk]))
    assert "100\xa0740,74" in own.content.decode()
    assert (
        login(reporter1).get(reverse("payments:unit_funds", args=[units[1].pk])).status_code == 404
    )
    assert login(reporter2).get(url).status_code == 404


def test_statistics_show_the_share_passed_on_to_care_units(
    accepted_and_paid, units, coordinator, login, case_officer
):
    from payments.funds import funds_passed_on

    funds_use_save(
        region=coordinator.region,
        agreement=accepted_and_paid,
        rows=[
            FundsRow(amount_ore=34_000_000, unit_id=units[0].pk),
            FundsRow(amount_ore=19_000_000, purpose="Processledning"),
        ],
        based_on=0,
        acting_user=coordinator,
    )
    funds_use_save(
        region=coordinator.region,
        agreement=accepted_and_paid,
        rows=[
            FundsRow(amount_ore=36_750_000, unit_id=units[0].pk),
            FundsRow(amount_ore=19_000_000, purpose="Processledning"),
        ],
        based_on=1,
        acting_user=coordinator,
    )
    (row,) = funds_passed_on(accepted_and_paid)  # the account in force, not version 1
    assert (row.region, row.received_ore, row.to_units_ore) == ("01", 147_000_000, 36_750_000)
    html = login(case_officer).get(reverse("statistics:year", args=[2020])).content.decode()
    assert "Medel vidare till vårdenheterna" in html
    assert "367\xa0500,00" in html
    assert "25,0\xa0%" in html


def test_region_payouts_page_links_to_the_use_of_money(accepted_and_paid, login, coordinator):
    html = login(coordinator).get(reverse("payments:region_payouts")).content.decode()
    assert reverse("payments:funds", args=["01", accepted_and_paid.year]) in html
