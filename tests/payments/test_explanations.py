"""Explanations of a region's amount, in words and numbers, from the run's own inputs;
and the draft preview under model B."""

from __future__ import annotations

import pytest

from payments.explanations import explain_line
from payments.selectors import payout_preview, run_totals
from payments.services import run_approve, run_compute, run_start
from rehab.models import Agreement
from tests.factories import report_version
from tests.payments.conftest import (
    CONTACTS,
    EXAMPLE_A_YEAR,
    EXAMPLE_B_YEAR,
    SEK,
    SERIES,
    A,
    B,
    C,
    accept_contacts,
    accept_series,
)

pytestmark = pytest.mark.django_db


def computed(agreement, quarter, user):
    run = run_start(agreement=agreement, quarter=quarter, acting_user=user).run
    run_compute(run_id=run.pk)
    run.refresh_from_db()
    return run


def sentences(run, region):
    return explain_line(run.inputs, run.lines.get(region_id=region))


def test_model_b_explains_base_share_and_a_base_that_waits(example_b, case_officer, coordinator):
    for region in (A, B, C):
        for quarter in (1, 2, 3, 4):
            if region == C and quarter > 2:
                continue
            accept_contacts(
                region,
                EXAMPLE_B_YEAR,
                quarter,
                coordinator,
                CONTACTS[region] if quarter == 1 else 0,
            )
    run = computed(example_b, None, case_officer)
    assert sentences(run, C) == [
        "Grundbelopp: ramen 500\xa0000\xa0000,00\xa0kr fördelad efter befolkning, 200\xa0000 av 1\xa0000\xa0000 "  # noqa: E501 (no-break spaces)
        "invånare (20,0\xa0%) = 100\xa0000\xa0000,00\xa0kr.",
        "Grundbeloppet betalas ut i en senare körning, när Försäkringskassan har godkänt "
        "regionens rapporter för alla fyra kvartal (godkända nu: Q1, Q2).",
        "Kontaktbonus: 30 behandlingar med kontakt med arbetsgivare eller Arbetsförmedlingen × "
        "3\xa0000,00\xa0kr = 90\xa0000,00\xa0kr.",
        "Att betala nu: grundbelopp 0,00\xa0kr + kontaktbonus 90\xa0000,00\xa0kr = 90\xa0000,00\xa0kr.",  # noqa: E501 (no-break spaces)
    ]


def test_model_b_explains_a_capped_bonus(example_b, case_officer, coordinator):
    Agreement.objects.filter(pk=example_b.pk).update(contact_bonus_cap_ore=1_000_000 * SEK)
    for region in (A, B, C):
        for quarter in (1, 2, 3, 4):
            accept_contacts(
                region,
                EXAMPLE_B_YEAR,
                quarter,
                coordinator,
                CONTACTS[region] if quarter == 1 else 0,
            )
    run = computed(example_b, None, case_officer)
    assert (
        "Alla regioners anspråk, 2\xa0040\xa0000,00\xa0kr, överstiger taket 1\xa0000\xa0000,00\xa0kr; taket "  # noqa: E501 (no-break spaces)
        "fördelas efter andel kontakter, 400 av 680 (58,8\xa0%) = 588\xa0235,29\xa0kr."
    ) in sentences(run, A)


def test_model_a_year_end_explains_the_redistribution(
    example_a, case_officer, approver, coordinator
):
    for quarter in (1, 2, 3, 4):
        for region in (A, B, C):
            accept_series(region, EXAMPLE_A_YEAR, quarter, coordinator, SERIES[region][quarter])
        run_approve(run=computed(example_a, quarter, case_officer), acting_user=approver)
    year_end = computed(example_a, None, case_officer)
    explained_b = sentences(year_end, B)
    assert explained_b[1] == (
        "Outnyttjade medel: ramen 10\xa0000\xa0000,00\xa0kr − ersättning för årets kvartal "
        "8\xa0780\xa0000,00\xa0kr = 1\xa0220\xa0000,00\xa0kr. Produktion över taken, alla regioner: "  # noqa: E501 (no-break spaces)
        "8\xa0450\xa0000,00\xa0kr. Att fördela: det lägsta av de två = 1\xa0220\xa0000,00\xa0kr."
    )
    assert explained_b[2] == (
        "Regionens produktion över taket: 10\xa0110\xa0000,00\xa0kr − 3\xa0000\xa0000,00\xa0kr = 7\xa0110\xa0000,00\xa0kr, "  # noqa: E501 (no-break spaces)
        "84,1\xa0% av all produktion över taken; dess del av omfördelningen: 1\xa0026\xa0532,54\xa0kr."  # noqa: E501 (no-break spaces)
    )
    assert sentences(year_end, C)[-1] == (
        "Regionen producerade inte över sitt tak och får ingen omfördelning."
    )


def test_claw_back_is_said_in_words(example_a, case_officer, approver, coordinator):
    accept_series(C, EXAMPLE_A_YEAR, 1, coordinator, {"KBT": 10})
    run_approve(run=computed(example_a, 1, case_officer), acting_user=approver)
    accept_series(C, EXAMPLE_A_YEAR, 1, coordinator, {"KBT": 4})
    q2 = computed(example_a, 2, case_officer)
    assert sentences(q2, C)[-3:] == [
        "Tidigare utbetalt i år: 130\xa0000,00\xa0kr. Att betala nu: 52\xa0000,00\xa0kr − 130\xa0000,00\xa0kr = "  # noqa: E501 (no-break spaces)
        "\u221278\xa0000,00\xa0kr.",
        "Av beloppet är \u221278\xa0000,00\xa0kr en justering för tidigare kvartal (rättelser som "
        "godkänts efter förra utbetalningen) och 0,00\xa0kr avser kvartal 2.",
        "Regionen har fått 78\xa0000,00\xa0kr för mycket; det återkrävs (återkrav).",
    ]


def test_preview_model_b_counts_the_draft_quarter_as_accepted(example_b, case_officer, coordinator):
    for region in (A, B, C):
        for quarter in (1, 2, 3):
            accept_contacts(
                region,
                EXAMPLE_B_YEAR,
                quarter,
                coordinator,
                CONTACTS[region] if quarter == 1 else 0,
            )
    draft = report_version(
        region=A,
        year=EXAMPLE_B_YEAR,
        quarter=4,
        user=coordinator,
        extras={("AF_CONTACT", "F"): 20},
        status="DRAFT",
    )
    result = payout_preview(version=draft)
    assert result.ok
    rows = {row.label: (row.current_ore, row.with_draft_ore) for row in result.rows}
    assert rows == {
        "Grundbelopp": (0, 250_000_000 * SEK),
        "Kontaktbonus": (1_200_000 * SEK, 1_260_000 * SEK),
        "Att betala": (1_200_000 * SEK, 251_260_000 * SEK),
    }


def test_preview_of_a_correction_replaces_the_accepted_figures(
    example_a, case_officer, coordinator
):
    for region in (A, B, C):
        accept_series(region, EXAMPLE_A_YEAR, 1, coordinator, SERIES[region][1])
    correction = report_version(
        region=C,
        year=EXAMPLE_A_YEAR,
        quarter=1,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 12},
        status="DRAFT",
    )
    result = payout_preview(version=correction)
    payout = result.rows[-1]
    assert (payout.current_ore, payout.with_draft_ore, payout.change_ore) == (
        130_000 * SEK,
        156_000 * SEK,
        26_000 * SEK,
    )


def test_preview_says_what_is_missing(ref, coordinator):
    draft = report_version(
        region="01",
        year=2013,
        quarter=1,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 3},
        status="DRAFT",
    )
    result = payout_preview(version=draft)
    assert not result.ok
    assert (
        "Ersättning per behandling saknas i överenskommelsen 2013 för: IPT, KBT, MMR1, MMR2."
        in result.problems
    )


def test_model_b_run_summary_equals_the_sum_of_its_lines(example_b, case_officer, coordinator):
    # Region C's year is not accepted: its base waits, so the lines' base is 0 for C.
    for region in (A, B, C):
        for quarter in (1, 2, 3, 4):
            if region == C and quarter > 2:
                continue
            accept_contacts(
                region,
                EXAMPLE_B_YEAR,
                quarter,
                coordinator,
                CONTACTS[region] if quarter == 1 else 0,
            )
    run = computed(example_b, None, case_officer)
    lines = list(run.lines.all())
    totals = {str(t.label): t.amount_ore for t in run_totals(run, lines)[0]}
    assert totals["Grundbelopp i denna körning"] == sum(line.base_ore or 0 for line in lines)
    assert totals["Regionernas andelar av ramen (= ramen)"] == 500_000_000 * SEK
    assert totals["Grundbelopp i denna körning"] < totals["Regionernas andelar av ramen (= ramen)"]
    assert "Summa grundbelopp (= ramen)" not in totals
