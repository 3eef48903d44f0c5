"""Payout runs in the database: the worked examples quarter by quarter with approvals,
corrections settled in the next run, missing inputs, four eyes and frozen approved runs.

The compute step is `run_compute`, the very service the Celery task calls (the
real worker is exercised in test_worker.py)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from payments.enums import RunKind, RunStatus
from payments.models import PayoutLine, PayoutRun, RunInputVersion
from payments.services import (
    RunError,
    run_approve,
    run_compute,
    run_discard,
    run_recompute_check,
    run_retry,
    run_start,
)
from rehab.enums import AgeBand
from rehab.models import AgreementTreatment, PopulationFigure
from tests.payments.conftest import (
    BASE_SEK,
    BONUS_SEK,
    CONTACTS,
    EXAMPLE_A_YEAR,
    EXAMPLE_B_YEAR,
    PAYOUTS_SEK,
    REDISTRIBUTION_ORE,
    SEK,
    SERIES,
    A,
    B,
    C,
    accept_contacts,
    accept_series,
)

pytestmark = pytest.mark.django_db


def compute(agreement, quarter, user):
    """Start a run and compute it as the worker does; returns the run."""
    started = run_start(agreement=agreement, quarter=quarter, acting_user=user)
    assert started.created
    run_compute(run_id=started.run.pk)
    started.run.refresh_from_db()
    return started.run


def amounts(run) -> dict[str, int]:
    return dict(run.lines.values_list("region_id", "amount_ore"))


def test_model_a_worked_example_through_runs(example_a, case_officer, approver, coordinator):
    paid_total = 0
    for quarter in (1, 2, 3, 4):
        for region in (A, B, C):
            accept_series(region, EXAMPLE_A_YEAR, quarter, coordinator, SERIES[region][quarter])
        run = compute(example_a, quarter, case_officer)
        assert run.status == RunStatus.CALCULATED
        assert run.kind == RunKind.QUARTER
        expected = {region: sek * SEK for region, sek in PAYOUTS_SEK[quarter].items()}
        assert amounts(run) == expected
        assert run.total_ore == sum(expected.values())
        assert run_recompute_check(run)
        run_approve(run=run, acting_user=approver)
        paid_total += run.total_ore

    year_end = compute(example_a, None, case_officer)
    assert year_end.kind == RunKind.YEAR_END
    assert amounts(year_end) == REDISTRIBUTION_ORE
    assert dict(year_end.lines.values_list("region_id", "redistribution_ore")) == (
        REDISTRIBUTION_ORE
    )
    line_b = year_end.lines.get(region_id=B)
    assert line_b.detail["unspent_ore"] == 1_220_000 * SEK
    assert line_b.detail["excess_ore"] == 7_110_000 * SEK
    assert year_end.lines.get(region_id=A).detail["excess_ore"] == 1_340_000 * SEK
    run_approve(run=year_end, acting_user=approver)
    paid_total += year_end.total_ore
    assert paid_total == 10_000_000 * SEK  # 10,000,000.00 kr to the öre


def test_run_stores_its_inputs_and_versions(example_a, case_officer, coordinator):
    versions = [
        accept_series(region, EXAMPLE_A_YEAR, 1, coordinator, SERIES[region][1])
        for region in (A, B, C)
    ]
    run = compute(example_a, 1, case_officer)
    assert sorted(run.input_versions.values_list("pk", flat=True)) == sorted(v.pk for v in versions)
    assert run.inputs["populations"] == {A: 500_000, B: 300_000, C: 200_000}
    assert run.inputs["params"] == {
        "frame_ore": 10_000_000 * SEK,
        "addon_ore": 1_000 * SEK,
        "rates_ore": {"IPT": 1_200_000, "KBT": 1_200_000, "MMR1": 2_500_000, "MMR2": 4_500_000},
    }
    assert run.inputs["series"][A] == {"1": {"KBT": 100, "MMR1": 20}}
    assert run.inputs["paid_ore"] == {}
    assert run.started_by == case_officer


def test_model_a_correction_is_settled_in_the_next_run(
    example_a, case_officer, approver, coordinator
):
    for region in (A, B, C):
        accept_series(region, EXAMPLE_A_YEAR, 1, coordinator, SERIES[region][1])
    q1 = compute(example_a, 1, case_officer)
    run_approve(run=q1, acting_user=approver)
    assert amounts(q1)[C] == 130_000 * SEK

    # C corrects Q1 from 10 KBT down to 0 and reports nothing in Q2: claw-back.
    accept_series(C, EXAMPLE_A_YEAR, 1, coordinator, {"KBT": 0})
    accept_series(C, EXAMPLE_A_YEAR, 2, coordinator, {"KBT": 0})
    # A corrects Q1 upwards from 100 to 110 KBT: 10 × 13,000 more.
    accept_series(A, EXAMPLE_A_YEAR, 1, coordinator, {"KBT": 110, "MMR1": 20})
    accept_series(A, EXAMPLE_A_YEAR, 2, coordinator, SERIES[A][2])
    accept_series(B, EXAMPLE_A_YEAR, 2, coordinator, SERIES[B][2])
    q2 = compute(example_a, 2, case_officer)
    assert amounts(q2) == {
        A: (2_080_000 + 130_000) * SEK,
        B: 0,
        C: -130_000 * SEK,  # claw-back
    }
    line_c = q2.lines.get(region_id=C)
    assert (line_c.earned_ore, line_c.entitled_ore, line_c.already_paid_ore) == (
        0,
        0,
        130_000 * SEK,
    )


def test_model_a_missing_rates_fail_the_run_with_the_reason(example_a, case_officer, coordinator):
    AgreementTreatment.objects.filter(agreement=example_a, treatment_id__in=["IPT", "MMR2"]).update(
        rate_ore=None
    )
    PopulationFigure.objects.filter(region_id=C, reference_date__year=EXAMPLE_A_YEAR - 1).delete()
    accept_series(A, EXAMPLE_A_YEAR, 1, coordinator, SERIES[A][1])
    run = compute(example_a, 1, case_officer)
    assert run.status == RunStatus.FAILED
    assert run.failure_reason == (
        "Körningen kan inte räknas ut: "
        "Ersättning per behandling saknas i överenskommelsen 2099 för: IPT, MMR2. "
        "Befolkningsuppgift per 2098-12-31 (Hela befolkningen) saknas för: 04 Region Sörmland."
    )
    assert PayoutLine.objects.filter(run=run).count() == 0

    # Fixed by the administrator, the same run is tried again and computes.
    AgreementTreatment.objects.filter(agreement=example_a).update(rate_ore=2_000_000)
    PopulationFigure.objects.create(
        region_id=C,
        reference_date=example_a.population_reference_date,
        age_band=AgeBand.TOTAL,
        population=200_000,
    )
    run_retry(run=run, acting_user=case_officer)
    run_compute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.CALCULATED
    assert run.failure_reason == ""
    assert run.attempts == 1  # counted afresh after a retry; the events keep the history
    assert list(run.events.values_list("action", flat=True)) == [
        "STARTED",
        "CLAIMED",
        "FAILED",
        "RETRIED",
        "CLAIMED",
        "CALCULATED",
    ]


def test_starting_the_same_run_twice_gives_one_run(example_a, case_officer, case_officer_2):
    first = run_start(agreement=example_a, quarter=1, acting_user=case_officer)
    second = run_start(agreement=example_a, quarter=1, acting_user=case_officer_2)
    assert (first.created, second.created) == (True, False)
    assert second.run.pk == first.run.pk
    assert PayoutRun.objects.filter(agreement=example_a).count() == 1


def test_database_allows_one_live_run_per_period(example_a, case_officer):
    run_start(agreement=example_a, quarter=1, acting_user=case_officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutRun.objects.create(
            agreement=example_a, kind=RunKind.QUARTER, quarter=1, started_by=case_officer
        )
    # A year-level run has no quarter; NULLs count as equal here too.
    PayoutRun.objects.create(agreement=example_a, kind=RunKind.YEAR_END, started_by=case_officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutRun.objects.create(
            agreement=example_a, kind=RunKind.YEAR_END, started_by=case_officer
        )


def test_computing_twice_writes_one_set_of_lines(example_a, case_officer, coordinator):
    accept_series(A, EXAMPLE_A_YEAR, 1, coordinator, SERIES[A][1])
    run = run_start(agreement=example_a, quarter=1, acting_user=case_officer).run
    assert run_compute(run_id=run.pk) is not None
    assert run_compute(run_id=run.pk) is None  # a task delivered twice finds nothing to claim
    assert PayoutLine.objects.filter(run=run).count() == 3


def test_four_eyes_refused_by_the_service(example_a, approver, coordinator):
    # An approver who also may not start runs: make the run as if they had started it.
    accept_series(A, EXAMPLE_A_YEAR, 1, coordinator, SERIES[A][1])
    run = PayoutRun.objects.create(
        agreement=example_a, kind=RunKind.QUARTER, quarter=1, started_by=approver
    )
    run_compute(run_id=run.pk)
    with pytest.raises(RunError) as error:
        run_approve(run=run, acting_user=approver)
    assert error.value.code == "four_eyes"
    assert error.value.message == "Den som startade körningen får inte attestera den (fyra ögon)."
    run.refresh_from_db()
    assert run.status == RunStatus.CALCULATED


def test_four_eyes_enforced_by_the_database(example_a, case_officer, coordinator):
    accept_series(A, EXAMPLE_A_YEAR, 1, coordinator, SERIES[A][1])
    run = compute(example_a, 1, case_officer)
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        PayoutRun.objects.filter(pk=run.pk).update(
            status=RunStatus.APPROVED, approved_by=case_officer, approved_at=run.computed_at
        )
    assert "payoutrun_four_eyes" in str(error.value)


def test_approval_refused_to_a_case_officer(example_a, case_officer, case_officer_2, coordinator):
    accept_series(A, EXAMPLE_A_YEAR, 1, coordinator, SERIES[A][1])
    run = compute(example_a, 1, case_officer)
    with pytest.raises(RunError) as error:
        run_approve(run=run, acting_user=case_officer_2)
    assert error.value.code == "not_allowed"


def test_approved_run_cannot_be_changed_by_the_services(
    example_a, case_officer, approver, coordinator
):
    accept_series(A, EXAMPLE_A_YEAR, 1, coordinator, SERIES[A][1])
    run = compute(example_a, 1, case_officer)
    run_approve(run=run, acting_user=approver)
    with pytest.raises(RunError) as error:
        run_discard(run=run, acting_user=case_officer)
    assert error.value.code == "state"
    with pytest.raises(RunError) as error:
        run_approve(run=run, acting_user=approver)
    assert error.value.code == "state"
    with pytest.raises(RunError):
        run_retry(run=run, acting_user=case_officer)
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE payments_payoutrun SET total_ore = 0 WHERE id = %(run)s",
        "UPDATE payments_payoutrun SET status = 'SUPERSEDED' WHERE id = %(run)s",
        "DELETE FROM payments_payoutrun WHERE id = %(run)s",
        "UPDATE payments_payoutline SET amount_ore = 1 WHERE run_id = %(run)s",
        "DELETE FROM payments_payoutline WHERE run_id = %(run)s",
        "DELETE FROM payments_runinputversion WHERE run_id = %(run)s",
        "INSERT INTO payments_payoutline (run_id, region_id, amount_ore, already_paid_ore, detail)"
        " VALUES (%(run)s, '05', 1, 0, '{}')",
    ],
)
def test_approved_run_cannot_be_changed_in_the_database(
    sql, example_a, case_officer, approver, coordinator
):
    accept_series(A, EXAMPLE_A_YEAR, 1, coordinator, SERIES[A][1])
    run = compute(example_a, 1, case_officer)
    run_approve(run=run, acting_user=approver)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"run": run.pk})
    assert amounts(run)[A] == 182_000_000
    assert RunInputVersion.objects.filter(run=run).count() == 1


def test_lines_are_written_only_while_the_run_is_computed(example_a, case_officer):
    run = run_start(agreement=example_a, quarter=1, acting_user=case_officer).run
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutLine.objects.create(run=run, region_id=A, amount_ore=1)


def test_approval_refused_when_another_run_was_approved_since(
    example_a, case_officer, approver, coordinator
):
    accept_series(A, EXAMPLE_A_YEAR, 1, coordinator, SERIES[A][1])
    accept_series(A, EXAMPLE_A_YEAR, 2, coordinator, SERIES[A][2])
    q1 = compute(example_a, 1, case_officer)
    q2 = compute(example_a, 2, case_officer)  # computed before Q1 was approved
    run_approve(run=q1, acting_user=approver)
    with pytest.raises(RunError) as error:
        run_approve(run=q2, acting_user=approver)
    assert error.value.code == "stale_basis"

    # Computed again, it pays only what Q1 did not.
    from payments.services import run_recalculate

    again = run_recalculate(run=q2, acting_user=case_officer).run
    run_compute(run_id=again.pk)
    again.refresh_from_db()
    assert amounts(again)[A] == 2_080_000 * SEK
    run_approve(run=again, acting_user=approver)


def test_year_end_needs_an_approved_fourth_quarter(example_a, case_officer):
    with pytest.raises(RunError) as error:
        run_start(agreement=example_a, quarter=None, acting_user=case_officer)
    assert error.value.message == (
        "Omfördelningen vid årets slut kan göras först när utbetalningen för "
        "kvartal 4 är attesterad."
    )


def test_model_b_worked_example_through_a_run(example_b, case_officer, approver, coordinator):
    for region in (A, B, C):
        for quarter in (1, 2, 3, 4):
            accept_contacts(
                region,
                EXAMPLE_B_YEAR,
                quarter,
                coordinator,
                CONTACTS[region] if quarter == 1 else 0,
            )
    run = compute(example_b, None, case_officer)
    assert run.kind == RunKind.YEAR
    assert dict(run.lines.values_list("region_id", "base_ore")) == {
        region: sek * SEK for region, sek in BASE_SEK.items()
    }
    assert dict(run.lines.values_list("region_id", "bonus_ore")) == {
        region: sek * SEK for region, sek in BONUS_SEK.items()
    }
    assert run.total_ore == (500_000_000 + 2_040_000) * SEK
    run_approve(run=run, acting_user=approver)


def test_model_b_base_waits_for_all_four_quarters(example_b, case_officer, approver, coordinator):
    for region in (A, B, C):
        for quarter in (1, 2, 3, 4):
            if region == C and quarter == 4:
                continue
            accept_contacts(
                region,
                EXAMPLE_B_YEAR,
                quarter,
                coordinator,
                CONTACTS[region] if quarter == 1 else 0,
            )
    first = compute(example_b, None, case_officer)
    assert dict(first.lines.values_list("region_id", "base_ore")) == {
        A: 250_000_000 * SEK,
        B: 150_000_000 * SEK,
        C: 0,
    }
    assert first.lines.get(region_id=C).detail["accepted_quarters"] == [1, 2, 3]
    run_approve(run=first, acting_user=approver)

    accept_contacts(C, EXAMPLE_B_YEAR, 4, coordinator, 10)
    second = compute(example_b, None, case_officer)
    assert second.round == 2
    assert dict(second.lines.values_list("region_id", "base_ore")) == {
        A: 0,
        B: 0,
        C: 100_000_000 * SEK,
    }
    # C's 10 more contacts: 30,000 kr more bonus.
    assert dict(second.lines.values_list("region_id", "bonus_ore")) == {A: 0, B: 0, C: 30_000 * SEK}
    run_approve(run=second, acting_user=approver)


def test_requeue_picks_up_lost_tasks_and_dead_workers(example_a, case_officer):
    import datetime

    from payments.services import runs_requeue_stale

    # Outside a transactional test the on-commit enqueue never happens: a lost task.
    lost = run_start(agreement=example_a, quarter=1, acting_user=case_officer).run
    dead = PayoutRun.objects.create(
        agreement=example_a,
        kind=RunKind.QUARTER,
        quarter=2,
        started_by=case_officer,
        status=RunStatus.RUNNING,
        claimed_at=lost.created_at,
        claim_token="6a2f41a8-1e5c-4a8e-9d8e-3b1f0c9a7e11",
    )
    assert runs_requeue_stale(older_than=datetime.timedelta(hours=1)) == []
    assert sorted(runs_requeue_stale(older_than=datetime.timedelta(0))) == sorted(
        [lost.pk, dead.pk]
    )
    dead.refresh_from_db()
    assert (dead.status, dead.claim_token) == (RunStatus.QUEUED, None)
    # The dead worker's late write would need its claim: the run is computed afresh.
    assert run_compute(run_id=dead.pk) is not None
    dead.refresh_from_db()
    assert dead.status == RunStatus.CALCULATED


def _full_year_approved(agreement, case_officer, approver, coordinator, *, year_end: bool):
    for quarter in (1, 2, 3, 4):
        for region in (A, B, C):
            accept_series(region, EXAMPLE_A_YEAR, quarter, coordinator, SERIES[region][quarter])
        run_approve(run=compute(agreement, quarter, case_officer), acting_user=approver)
    if year_end:
        first = compute(agreement, None, case_officer)
        run_approve(run=first, acting_user=approver)
        return first
    return None


def _paid_in_the_year(agreement) -> int:
    return sum(
        PayoutLine.objects.filter(
            run__agreement=agreement, run__status=RunStatus.APPROVED
        ).values_list("amount_ore", flat=True)
    )


def test_model_a_correction_after_the_year_end_is_settled_in_a_new_round(
    example_a, case_officer, approver, coordinator
):
    first = _full_year_approved(example_a, case_officer, approver, coordinator, year_end=True)
    assert amounts(first) == REDISTRIBUTION_ORE
    # C corrects Q4 from 20 to 30 KBT after the year was settled: 10 × 13,000 more,
    # which C is owed for its own production (it stays under its ceiling).
    accept_series(C, EXAMPLE_A_YEAR, 4, coordinator, {"KBT": 30})
    with pytest.raises(RunError) as refused:
        run_start(agreement=example_a, quarter=4, acting_user=case_officer)
    assert refused.value.code == "wrong_order"

    second = compute(example_a, None, case_officer)
    assert (second.kind, second.round) == (RunKind.YEAR_END, 2)
    # Unspent falls from 1,220,000 to 1,090,000, shared 1,340,000 : 7,110,000.
    assert amounts(second) == {
        A: 17_285_207 - 19_346_746,
        B: 91_714_793 - 102_653_254,
        C: 130_000 * SEK,
    }
    line_c = second.lines.get(region_id=C)
    assert line_c.detail["quarter_settlement_ore"] == 130_000 * SEK
    assert line_c.redistribution_ore == 0
    assert second.lines.get(region_id=A).redistribution_ore == 17_285_207 - 19_346_746
    assert second.lines.get(region_id=B).detail["unspent_ore"] == 1_090_000 * SEK
    assert run_recompute_check(second)
    run_approve(run=second, acting_user=approver)
    assert _paid_in_the_year(example_a) == 10_000_000 * SEK

    # A third round with nothing new pays nothing.
    third = compute(example_a, None, case_officer)
    assert amounts(third) == {A: 0, B: 0, C: 0}


def test_model_a_year_end_settles_a_correction_accepted_after_the_fourth_quarter(
    example_a, case_officer, approver, coordinator
):
    _full_year_approved(example_a, case_officer, approver, coordinator, year_end=False)
    # C corrects Q3 downwards (15 KBT + 3 IPT -> 0) after Q4 was paid: claw-back of
    # 234,000, which is unspent money for the redistribution.
    accept_series(C, EXAMPLE_A_YEAR, 3, coordinator, {"KBT": 0, "IPT": 0})
    year_end = compute(example_a, None, case_officer)
    line_c = year_end.lines.get(region_id=C)
    assert line_c.amount_ore == -234_000 * SEK
    assert line_c.detail["quarter_settlement_ore"] == -234_000 * SEK
    assert line_c.detail["unspent_ore"] == (1_220_000 + 234_000) * SEK
    run_approve(run=year_end, acting_user=approver)
    assert _paid_in_the_year(example_a) == 10_000_000 * SEK


def test_region_ceiling_use_counts_the_year_end_settlement_not_the_redistribution(
    example_a, case_officer, approver, coordinator
):
    from payments.selectors import region_payouts
    from rehab.models import Region

    _full_year_approved(example_a, case_officer, approver, coordinator, year_end=True)
    accept_series(C, EXAMPLE_A_YEAR, 4, coordinator, {"KBT": 30})
    run_approve(run=compute(example_a, None, case_officer), acting_user=approver)
    used = {
        code: [(c.year, c.used_ore, c.ceiling_ore) for c in region_payouts(region).ceilings]
        for code, region in Region.objects.in_bulk([A, C]).items()
    }
    assert used == {
        A: [(EXAMPLE_A_YEAR, 5_000_000 * SEK, 5_000_000 * SEK)],
        C: [(EXAMPLE_A_YEAR, 910_000 * SEK, 2_000_000 * SEK)],
    }


def test_requeue_fails_a_run_whose_worker_keeps_dying(example_a, case_officer, coordinator):
    import datetime

    from payments.services import MAX_COMPUTE_ATTEMPTS, runs_requeue_stale

    for region in (A, B, C):
        accept_series(region, EXAMPLE_A_YEAR, 1, coordinator, SERIES[region][1])
    run = run_start(agreement=example_a, quarter=1, acting_user=case_officer).run
    # What a worker that died right after its claim leaves, the last allowed time.
    PayoutRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        claimed_at=run.created_at,
        claim_token="6a2f41a8-1e5c-4a8e-9d8e-3b1f0c9a7e11",
        attempts=MAX_COMPUTE_ATTEMPTS,
    )
    assert runs_requeue_stale(older_than=datetime.timedelta(0)) == []
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.failure_reason.startswith("Beräkningen avbröts 3 gånger utan att bli klar")
    assert run.events.filter(action="FAILED").count() == 1
    retried = run_retry(run=run, acting_user=case_officer)
    assert (retried.status, retried.attempts) == (RunStatus.QUEUED, 0)
    run_compute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.CALCULATED
