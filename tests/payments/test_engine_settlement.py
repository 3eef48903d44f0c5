"""The settlement rules in the pure engine: model B's "whole year accepted" and the
adjustment against earlier runs; model A's year-end settlement."""

from payments.engine import (
    ModelAParams,
    ModelBParams,
    whole_year_accepted,
    year_end_settlement,
    year_settlement,
)

POP = {"01": 500_000, "03": 300_000, "04": 200_000}


def test_whole_year_accepted_by_one_yearly_report_or_four_quarters():
    assert whole_year_accepted([], yearly_accepted=True)
    assert whole_year_accepted([4, 2, 3, 1])
    assert not whole_year_accepted([1, 2, 3])
    assert not whole_year_accepted([])


def test_year_settlement_pays_base_only_for_a_complete_year_and_deducts_earlier_runs():
    params = ModelBParams(frame_ore=1_000_000, bonus_per_contact_ore=100, bonus_cap_ore=10_000)
    _result, lines = year_settlement(
        params,
        POP,
        {"01": 10, "03": 5},
        {"01": True, "03": False, "04": True},
        {"04": 200_000},
        {"01": 400},
    )
    assert (lines["01"].base_now_ore, lines["01"].bonus_now_ore) == (500_000, 600)
    assert (lines["03"].base_now_ore, lines["03"].bonus_now_ore) == (0, 500)
    assert lines["04"].amount_ore == 0  # already paid in full
    assert not lines["03"].complete


def test_year_end_settlement_adds_settlement_and_redistribution():
    params = ModelAParams(frame_ore=1_000_000, rates_ore={"KBT": 100_000}, addon_ore=0)
    series = {"01": {1: {"KBT": 10}}, "03": {1: {"KBT": 1}}, "04": {}}
    result, lines = year_end_settlement(params, POP, series, {"01": 500_000, "03": 100_000}, {})
    # 01 earned 1 000 000 over a ceiling of 500 000: the unspent 400 000 goes to it.
    assert lines["01"].quarter_settlement_ore == 0
    assert lines["01"].redistribution_now_ore == 400_000
    assert lines["03"].amount_ore == 0
    assert result.pot_ore == 400_000
    assert sum(line.amount_ore for line in lines.values()) + 600_000 == 1_000_000
