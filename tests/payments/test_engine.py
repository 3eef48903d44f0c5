"""The payout engine, checked against the worked examples in domain.md §6 to the öre."""

from decimal import Decimal
from fractions import Fraction

import pytest

from payments.engine import (
    ModelAParams,
    ModelBParams,
    ceilings,
    earned_ore,
    quarter_run,
    split_largest_remainder,
    year_end_run,
    year_run,
)
from payments.engine.simulate import simulate
from reporting.fileformat import Row

SEK = 100  # öre per krona

# The spec's three made-up regions A, B, C (here given län-style codes).
A, B, C = "01", "03", "04"
POPULATIONS = {A: 500_000, B: 300_000, C: 200_000}

PARAMS_2012 = ModelAParams(
    frame_ore=10_000_000 * SEK,
    addon_ore=1_000 * SEK,
    rates_ore={
        "MMR1": 25_000 * SEK,
        "MMR2": 45_000 * SEK,
        "KBT": 12_000 * SEK,
        "IPT": 12_000 * SEK,
    },
)

COUNTS = {
    A: {
        1: {"KBT": 100, "MMR1": 20},
        2: {"KBT": 120, "MMR1": 20},
        3: {"KBT": 90},
        4: {"KBT": 80, "MMR2": 5},
    },
    B: {
        1: {"KBT": 150, "MMR2": 30},
        2: {"KBT": 160, "MMR2": 30},
        3: {"KBT": 120, "MMR2": 10},
        4: {"KBT": 100},
    },
    C: {
        1: {"KBT": 10},
        2: {"KBT": 12},
        3: {"KBT": 15, "IPT": 3},
        4: {"KBT": 20},
    },
}

SPEC_PAYOUTS_SEK = {
    1: {A: 1_820_000, B: 3_000_000, C: 130_000},
    2: {A: 2_080_000, B: 0, C: 156_000},
    3: {A: 1_100_000, B: 0, C: 234_000},
    4: {A: 0, B: 0, C: 260_000},
}

MODEL_B_PARAMS = ModelBParams(
    frame_ore=500_000_000 * SEK, bonus_per_contact_ore=3_000 * SEK, bonus_cap_ore=50_000_000 * SEK
)
CONTACTS = {A: 400, B: 250, C: 30}


def run_all_quarters() -> dict[int, dict[str, int]]:
    """Pay Q1..Q4 in turn, each run counting the earlier payouts as already paid."""
    paid = dict.fromkeys(POPULATIONS, 0)
    payouts: dict[int, dict[str, int]] = {}
    for quarter in (1, 2, 3, 4):
        run = quarter_run(PARAMS_2012, POPULATIONS, COUNTS, quarter, paid)
        payouts[quarter] = {region: line.payout_ore for region, line in run.items()}
        for region, line in run.items():
            paid[region] += line.payout_ore
    return payouts


# --------------------------------------------------------------------------- money


def test_split_largest_remainder_parts_sum_to_total():
    assert split_largest_remainder(100, {"01": 1, "03": 1, "04": 1}) == {
        "01": 34,
        "03": 33,
        "04": 33,
    }


def test_split_largest_remainder_gives_leftover_to_largest_remainders():
    # exact shares 58,823,529.41 / 36,764,705.88 / 4,411,764.70: the two öre left go to 03 and 04
    assert split_largest_remainder(100_000_000, {"01": 400, "03": 250, "04": 30}) == {
        "01": 58_823_529,
        "03": 36_764_706,
        "04": 4_411_765,
    }


def test_split_largest_remainder_breaks_ties_by_region_code():
    assert split_largest_remainder(2, {"05": 1, "03": 1, "01": 1}) == {"05": 0, "03": 1, "01": 1}


def test_split_largest_remainder_accepts_decimal_and_fraction_weights():
    assert split_largest_remainder(100, {"01": Decimal("0.5"), "03": Fraction(1, 4)}) == {
        "01": 67,
        "03": 33,
    }


def test_split_largest_remainder_zero_weight_gets_nothing():
    assert split_largest_remainder(10, {"01": 0, "03": 3}) == {"01": 0, "03": 10}


def test_split_largest_remainder_zero_total_weight_gives_all_zeros():
    assert split_largest_remainder(1_000, {"01": 0, "03": 0}) == {"01": 0, "03": 0}


def test_split_largest_remainder_no_keys_gives_empty_result():
    assert split_largest_remainder(1_000, {}) == {}


def test_split_largest_remainder_rejects_negative_weight():
    with pytest.raises(ValueError, match="negative"):
        split_largest_remainder(100, {"01": 1, "03": -1})


def test_split_largest_remainder_rejects_negative_total():
    with pytest.raises(ValueError, match="negative"):
        split_largest_remainder(-1, {"01": 1})


def test_split_largest_remainder_rejects_float_weight():
    with pytest.raises(TypeError):
        split_largest_remainder(100, {"01": 0.5})  # type: ignore[dict-item]


# --------------------------------------------------------------------------- model A


def test_model_a_ceilings_follow_population_share():
    assert ceilings(PARAMS_2012.frame_ore, POPULATIONS) == {
        A: 5_000_000 * SEK,
        B: 3_000_000 * SEK,
        C: 2_000_000 * SEK,
    }


def test_model_a_earned_is_series_times_rate_plus_addon():
    assert earned_ore(PARAMS_2012, {"KBT": 100, "MMR1": 20}) == 1_820_000 * SEK


def test_model_a_earned_rejects_treatment_without_rate():
    with pytest.raises(ValueError, match="PDT"):
        earned_ore(PARAMS_2012, {"PDT": 1})


def test_model_a_quarter_payouts_match_spec_example():
    payouts = run_all_quarters()
    expected = {
        quarter: {region: sek * SEK for region, sek in by_region.items()}
        for quarter, by_region in SPEC_PAYOUTS_SEK.items()
    }
    assert payouts == expected


def test_model_a_q1_region_b_reaches_its_ceiling():
    line = quarter_run(PARAMS_2012, POPULATIONS, COUNTS, 1, {})[B]
    assert line.earned_quarter_ore == 3_330_000 * SEK
    assert line.earned_cum_ore == 3_330_000 * SEK
    assert line.entitled_cum_ore == 3_000_000 * SEK
    assert line.payout_ore == 3_000_000 * SEK
    assert line.ceiling_reached is True


def test_model_a_q3_region_a_is_paid_up_to_its_ceiling():
    already_paid = {A: 3_900_000 * SEK, B: 3_000_000 * SEK, C: 286_000 * SEK}
    line = quarter_run(PARAMS_2012, POPULATIONS, COUNTS, 3, already_paid)[A]
    assert line.ceiling_ore == 5_000_000 * SEK
    assert line.earned_quarter_ore == 1_170_000 * SEK
    assert line.earned_cum_ore == 5_070_000 * SEK
    assert line.entitled_cum_ore == 5_000_000 * SEK
    assert line.already_paid_ore == 3_900_000 * SEK
    assert line.payout_ore == 1_100_000 * SEK
    assert line.ceiling_reached is True


def test_model_a_quarter_ignores_later_quarters():
    line = quarter_run(PARAMS_2012, POPULATIONS, COUNTS, 2, {C: 130_000 * SEK})[C]
    assert line.earned_cum_ore == 286_000 * SEK
    assert line.payout_ore == 156_000 * SEK
    assert line.ceiling_reached is False


def test_model_a_downward_correction_flows_into_next_payout():
    # C's Q1 (10 KBT, paid 130,000) is corrected to 0 KBT before the Q2 run.
    corrected = {**COUNTS, C: {**COUNTS[C], 1: {"KBT": 0}}}
    line = quarter_run(PARAMS_2012, POPULATIONS, corrected, 2, {C: 130_000 * SEK})[C]
    assert line.entitled_cum_ore == 156_000 * SEK
    assert line.payout_ore == 26_000 * SEK  # 156,000 earned in Q2 less the 130,000 overpaid


def test_model_a_correction_larger_than_new_production_gives_claw_back():
    corrected = {C: {1: {"KBT": 0}, 2: {"KBT": 4}}}
    line = quarter_run(PARAMS_2012, POPULATIONS, corrected, 2, {C: 130_000 * SEK})[C]
    assert line.payout_ore == -78_000 * SEK  # 52,000 entitled less 130,000 already paid


def test_model_a_region_without_counts_gets_zero_line():
    line = quarter_run(PARAMS_2012, {**POPULATIONS, "05": 0}, COUNTS, 1, {})["05"]
    assert (line.earned_cum_ore, line.entitled_cum_ore, line.payout_ore) == (0, 0, 0)


def test_model_a_quarter_rejects_region_without_population():
    with pytest.raises(ValueError, match="99"):
        quarter_run(PARAMS_2012, POPULATIONS, {"99": {1: {"KBT": 1}}}, 1, {})


def test_model_a_quarter_rejects_quarter_out_of_range():
    with pytest.raises(ValueError, match="quarter"):
        quarter_run(PARAMS_2012, POPULATIONS, COUNTS, 5, {})


def test_model_a_year_end_redistribution_matches_spec_example():
    payouts = run_all_quarters()
    paid = {region: sum(payouts[q][region] for q in payouts) for region in POPULATIONS}
    result = year_end_run(PARAMS_2012, POPULATIONS, COUNTS, paid)

    assert result.unspent_ore == 1_220_000 * SEK
    assert result.pot_ore == 1_220_000 * SEK
    assert result.lines[A].earned_year_ore == 6_340_000 * SEK
    assert result.lines[A].excess_ore == 1_340_000 * SEK
    assert result.lines[B].excess_ore == 7_110_000 * SEK
    assert result.lines[C].excess_ore == 0
    assert result.lines[A].redistribution_ore == 19_346_746  # 193,467.46
    assert result.lines[B].redistribution_ore == 102_653_254  # 1,026,532.54
    assert result.lines[C].redistribution_ore == 0


def test_model_a_everything_paid_adds_up_to_frame():
    payouts = run_all_quarters()
    paid = {region: sum(payouts[q][region] for q in payouts) for region in POPULATIONS}
    result = year_end_run(PARAMS_2012, POPULATIONS, COUNTS, paid)
    total = sum(paid.values()) + sum(line.redistribution_ore for line in result.lines.values())
    assert total == 10_000_000 * SEK


def test_model_a_year_end_pot_limited_by_excess():
    # Only B is over its ceiling, by 29,000; far more is unspent.
    counts = {B: {1: {"KBT": 233}}}  # 233 × 13,000 = 3,029,000
    result = year_end_run(PARAMS_2012, POPULATIONS, counts, {B: 3_000_000 * SEK})
    assert result.unspent_ore == 7_000_000 * SEK
    assert result.pot_ore == 29_000 * SEK
    assert result.lines[B].redistribution_ore == 29_000 * SEK


def test_model_a_year_end_pot_never_negative():
    result = year_end_run(PARAMS_2012, POPULATIONS, COUNTS, {A: 11_000_000 * SEK})
    assert result.unspent_ore == -1_000_000 * SEK
    assert result.pot_ore == 0


# --------------------------------------------------------------------------- model B


def test_model_b_base_and_bonus_match_spec_example():
    result = year_run(MODEL_B_PARAMS, POPULATIONS, CONTACTS)
    assert {r: line.base_ore for r, line in result.lines.items()} == {
        A: 250_000_000 * SEK,
        B: 150_000_000 * SEK,
        C: 100_000_000 * SEK,
    }
    assert {r: line.bonus_ore for r, line in result.lines.items()} == {
        A: 1_200_000 * SEK,
        B: 750_000 * SEK,
        C: 90_000 * SEK,
    }
    assert result.bonus_claims_ore == 2_040_000 * SEK
    assert result.bonus_capped is False


def test_model_b_capped_bonus_is_shared_pro_rata_to_contacts():
    params = ModelBParams(
        frame_ore=500_000_000 * SEK,
        bonus_per_contact_ore=3_000 * SEK,
        bonus_cap_ore=1_000_000 * SEK,
    )
    result = year_run(params, POPULATIONS, CONTACTS)
    assert {r: line.bonus_ore for r, line in result.lines.items()} == {
        A: 58_823_529,  # 588,235.29
        B: 36_764_706,  # 367,647.06
        C: 4_411_765,  # 44,117.65
    }
    assert {r: line.bonus_claim_ore for r, line in result.lines.items()} == {
        A: 1_200_000 * SEK,
        B: 750_000 * SEK,
        C: 90_000 * SEK,
    }
    assert result.bonus_capped is True
    assert result.bonus_ore == 1_000_000 * SEK


def test_model_b_region_without_contacts_gets_base_only():
    result = year_run(MODEL_B_PARAMS, POPULATIONS, {A: 1})
    assert (result.lines[C].contacts, result.lines[C].bonus_ore) == (0, 0)
    assert result.lines[C].base_ore == 100_000_000 * SEK


def test_model_b_rejects_contacts_of_unknown_region():
    with pytest.raises(ValueError, match="99"):
        year_run(MODEL_B_PARAMS, POPULATIONS, {"99": 1})


# --------------------------------------------------------------------------- simulate


def canonical_rows_model_a(year: int = 2012) -> list[Row]:
    """The spec's model A example as report rows, spread over sexes and providers."""
    rows: list[Row] = []
    for region, by_quarter in COUNTS.items():
        for quarter, counts in by_quarter.items():
            for item, series in counts.items():
                women = series // 2
                rows.append(Row(0, region, year, quarter, item, "F", "PUBLIC", women - 1))
                rows.append(Row(0, region, year, quarter, item, "F", "PRIVATE", 1))
                rows.append(Row(0, region, year, quarter, item, "M", "PUBLIC", series - women))
            rows.append(Row(0, region, year, quarter, "EMPLOYER_CONTACT", "F", "", 7))
    return rows


def test_simulate_model_a_reproduces_spec_payouts():
    result = simulate(
        model="A",
        year=2012,
        params=PARAMS_2012,
        populations=POPULATIONS,
        rows=canonical_rows_model_a(),
    )
    payouts = {
        (region, period): amount
        for region, period, component, amount in result
        if component == "payout"
    }
    expected = {
        (region, f"2012Q{quarter}"): sek * SEK
        for quarter, by_region in SPEC_PAYOUTS_SEK.items()
        for region, sek in by_region.items()
    }
    assert payouts == expected


def test_simulate_model_a_lists_components_in_fixed_order():
    result = simulate(
        model="A",
        year=2012,
        params=PARAMS_2012,
        populations=POPULATIONS,
        rows=canonical_rows_model_a(),
    )
    assert result[:14] == [
        (A, "2012", "ceiling", 5_000_000 * SEK),
        (A, "2012", "redistribution", 19_346_746),
        (A, "2012Q1", "earned", 1_820_000 * SEK),
        (A, "2012Q1", "entitled", 1_820_000 * SEK),
        (A, "2012Q1", "payout", 1_820_000 * SEK),
        (A, "2012Q2", "earned", 3_900_000 * SEK),
        (A, "2012Q2", "entitled", 3_900_000 * SEK),
        (A, "2012Q2", "payout", 2_080_000 * SEK),
        (A, "2012Q3", "earned", 5_070_000 * SEK),
        (A, "2012Q3", "entitled", 5_000_000 * SEK),
        (A, "2012Q3", "payout", 1_100_000 * SEK),
        (A, "2012Q4", "earned", 6_340_000 * SEK),
        (A, "2012Q4", "entitled", 5_000_000 * SEK),
        (A, "2012Q4", "payout", 0),
    ]
    assert len(result) == 3 * 14


def test_simulate_model_a_redistribution_only_with_q4():
    rows = [row for row in canonical_rows_model_a() if row.quarter <= 2]
    result = simulate(model="A", year=2012, params=PARAMS_2012, populations=POPULATIONS, rows=rows)
    assert [line for line in result if line[0] == C] == [
        (C, "2012", "ceiling", 2_000_000 * SEK),
        (C, "2012Q1", "earned", 130_000 * SEK),
        (C, "2012Q1", "entitled", 130_000 * SEK),
        (C, "2012Q1", "payout", 130_000 * SEK),
        (C, "2012Q2", "earned", 286_000 * SEK),
        (C, "2012Q2", "entitled", 286_000 * SEK),
        (C, "2012Q2", "payout", 156_000 * SEK),
    ]


def test_simulate_model_a_fills_quarters_before_the_last_present():
    rows = [Row(2, C, 2012, 2, "KBT", "F", "PUBLIC", 1)]
    result = simulate(model="A", year=2012, params=PARAMS_2012, populations={C: 1}, rows=rows)
    assert result == [
        (C, "2012", "ceiling", 10_000_000 * SEK),
        (C, "2012Q1", "earned", 0),
        (C, "2012Q1", "entitled", 0),
        (C, "2012Q1", "payout", 0),
        (C, "2012Q2", "earned", 13_000 * SEK),
        (C, "2012Q2", "entitled", 13_000 * SEK),
        (C, "2012Q2", "payout", 13_000 * SEK),
    ]


def test_simulate_model_b_reproduces_spec_example():
    rows = [
        Row(2, A, 2020, 1, "EMPLOYER_CONTACT", "F", "", 300),
        Row(3, A, 2020, 3, "AF_CONTACT", "M", "", 100),
        Row(4, B, 2020, 2, "EMPLOYER_CONTACT", "F", "", 125),
        Row(5, B, 2020, 2, "EMPLOYER_CONTACT", "M", "", 125),
        Row(6, C, 2020, 4, "AF_CONTACT", "F", "", 30),
        Row(7, C, 2020, 4, "KBT", "F", "PUBLIC", 500),
        Row(8, C, 2020, 4, "VIDEO", "F", "", 50),
    ]
    result = simulate(
        model="B", year=2020, params=MODEL_B_PARAMS, populations=POPULATIONS, rows=rows
    )
    assert result == [
        (A, "2020", "base", 250_000_000 * SEK),
        (A, "2020", "bonus", 1_200_000 * SEK),
        (B, "2020", "base", 150_000_000 * SEK),
        (B, "2020", "bonus", 750_000 * SEK),
        (C, "2020", "base", 100_000_000 * SEK),
        (C, "2020", "bonus", 90_000 * SEK),
    ]


def test_simulate_lists_regions_without_rows():
    result = simulate(model="B", year=2020, params=MODEL_B_PARAMS, populations=POPULATIONS, rows=[])
    assert [(region, component) for region, _, component, _ in result] == [
        (A, "base"),
        (A, "bonus"),
        (B, "base"),
        (B, "bonus"),
        (C, "base"),
        (C, "bonus"),
    ]


def test_simulate_rejects_rows_of_another_year():
    with pytest.raises(ValueError, match="2011"):
        simulate(
            model="A",
            year=2012,
            params=PARAMS_2012,
            populations=POPULATIONS,
            rows=[Row(2, A, 2011, 1, "KBT", "F", "PUBLIC", 1)],
        )


def test_simulate_rejects_unknown_model():
    with pytest.raises(ValueError, match="C"):
        simulate(model="C", year=2012, params=PARAMS_2012, populations=POPULATIONS, rows=[])
