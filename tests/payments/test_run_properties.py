"""Properties of runs in the database (Hypothesis): a correction followed by a rerun
pays in total exactly what computing from scratch with the corrected figures pays."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.engine import ModelAParams, ModelBParams, quarter_run, year_run
from payments.enums import RunStatus
from payments.models import PayoutLine
from payments.services import run_approve, run_compute, run_start
from tests.payments.conftest import (
    ADDON_SEK,
    EXAMPLE_A_YEAR,
    EXAMPLE_B_YEAR,
    FRAME_A_ORE,
    POPULATIONS,
    RATES_2012_SEK,
    SEK,
    accept_contacts,
    accept_series,
)

pytestmark = pytest.mark.django_db

REGIONS = sorted(POPULATIONS)
PARAMS_A = ModelAParams(
    frame_ore=FRAME_A_ORE,
    addon_ore=ADDON_SEK * SEK,
    rates_ore={code: rate * SEK for code, rate in RATES_2012_SEK.items()},
)
PARAMS_B = ModelBParams(
    frame_ore=500_000_000 * SEK, bonus_per_contact_ore=3_000 * SEK, bonus_cap_ore=1_000_000 * SEK
)
SLOW = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

counts = st.fixed_dictionaries(
    {"KBT": st.integers(0, 260), "MMR2": st.integers(0, 40), "IPT": st.integers(0, 20)}
)
quarter_figures = st.fixed_dictionaries(dict.fromkeys(REGIONS, counts))


def paid_per_region(agreement) -> dict[str, int]:
    totals = dict.fromkeys(REGIONS, 0)
    for region, amount in PayoutLine.objects.filter(
        run__agreement=agreement, run__status=RunStatus.APPROVED
    ).values_list("region_id", "amount_ore"):
        totals[region] += amount
    return totals


def compute_and_approve(agreement, quarter, case_officer, approver):
    run = run_start(agreement=agreement, quarter=quarter, acting_user=case_officer).run
    run_compute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.CALCULATED, run.failure_reason
    return run_approve(run=run, acting_user=approver)


@SLOW
@given(
    q1=quarter_figures,
    q2=quarter_figures,
    corrected=st.fixed_dictionaries({region: st.none() | counts for region in REGIONS}),
)
def test_model_a_correction_then_rerun_equals_from_scratch(
    example_a, case_officer, approver, coordinator, q1, q2, corrected
):
    with transaction.atomic():
        for region in REGIONS:
            accept_series(region, EXAMPLE_A_YEAR, 1, coordinator, q1[region])
        compute_and_approve(example_a, 1, case_officer, approver)

        # Corrections of Q1 (None = no correction) accepted after Q1 was paid, then Q2.
        final_q1 = {}
        for region in REGIONS:
            final_q1[region] = corrected[region] if corrected[region] is not None else q1[region]
            if corrected[region] is not None:
                accept_series(region, EXAMPLE_A_YEAR, 1, coordinator, corrected[region])
            accept_series(region, EXAMPLE_A_YEAR, 2, coordinator, q2[region])
        compute_and_approve(example_a, 2, case_officer, approver)

        scratch = quarter_run(
            PARAMS_A,
            POPULATIONS,
            {region: {1: final_q1[region], 2: q2[region]} for region in REGIONS},
            2,
            {},
        )
        assert paid_per_region(example_a) == {
            region: line.payout_ore for region, line in scratch.items()
        }
        transaction.set_rollback(True)


contacts = st.integers(0, 200)


@SLOW
@given(
    first=st.fixed_dictionaries(dict.fromkeys(REGIONS, contacts)),
    corrected=st.fixed_dictionaries({region: st.none() | contacts for region in REGIONS}),
    late_region=st.sampled_from([*REGIONS, None]),
)
def test_model_b_correction_then_rerun_equals_from_scratch(
    example_b, case_officer, approver, coordinator, first, corrected, late_region
):
    from rehab.models import Agreement

    with transaction.atomic():
        Agreement.objects.filter(pk=example_b.pk).update(contact_bonus_cap_ore=1_000_000 * SEK)
        example_b.refresh_from_db()
        # One region (maybe) has its Q4 accepted only after the first run.
        for region in REGIONS:
            for quarter in (1, 2, 3, 4):
                if region == late_region and quarter == 4:
                    continue
                accept_contacts(
                    region,
                    EXAMPLE_B_YEAR,
                    quarter,
                    coordinator,
                    first[region] if quarter == 1 else 0,
                )
        compute_and_approve(example_b, None, case_officer, approver)

        final = {}
        for region in REGIONS:
            final[region] = corrected[region] if corrected[region] is not None else first[region]
            if corrected[region] is not None:
                accept_contacts(region, EXAMPLE_B_YEAR, 1, coordinator, corrected[region])
            if region == late_region:
                accept_contacts(region, EXAMPLE_B_YEAR, 4, coordinator, 0)
        compute_and_approve(example_b, None, case_officer, approver)

        scratch = year_run(PARAMS_B, POPULATIONS, final)
        assert paid_per_region(example_b) == {
            region: line.base_ore + line.bonus_ore for region, line in scratch.lines.items()
        }
        transaction.set_rollback(True)


@SLOW
@given(
    q1=quarter_figures,
    q4=quarter_figures,
    corrected=st.fixed_dictionaries({region: st.none() | counts for region in REGIONS}),
)
def test_model_a_correction_after_the_year_end_then_new_round_equals_from_scratch(
    example_a, case_officer, approver, coordinator, q1, q4, corrected
):
    from payments.engine import year_end_run

    with transaction.atomic():
        for quarter, figures in ((1, q1), (4, q4)):
            for region in REGIONS:
                accept_series(region, EXAMPLE_A_YEAR, quarter, coordinator, figures[region])
            compute_and_approve(example_a, quarter, case_officer, approver)
        compute_and_approve(example_a, None, case_officer, approver)

        # Corrections of Q1 accepted after the year was settled, then a new year-end round.
        final_q1 = {}
        for region in REGIONS:
            final_q1[region] = corrected[region] if corrected[region] is not None else q1[region]
            if corrected[region] is not None:
                accept_series(region, EXAMPLE_A_YEAR, 1, coordinator, corrected[region])
        compute_and_approve(example_a, None, case_officer, approver)

        final = {region: {1: final_q1[region], 4: q4[region]} for region in REGIONS}
        entitled = {
            region: line.entitled_cum_ore
            for region, line in quarter_run(PARAMS_A, POPULATIONS, final, 4, {}).items()
        }
        year_end = year_end_run(PARAMS_A, POPULATIONS, final, entitled)
        expected = {
            region: entitled[region] + line.redistribution_ore
            for region, line in year_end.lines.items()
        }
        paid = paid_per_region(example_a)
        assert paid == expected
        assert sum(paid.values()) <= FRAME_A_ORE
        transaction.set_rollback(True)
