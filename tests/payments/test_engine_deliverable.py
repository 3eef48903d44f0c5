"""The rule of a written-account condition: its frame by population share over all
regions, paid to a region only when FK has assessed the condition fulfilled, with
an optional advance paid to everyone and deducted from the remainder."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.engine import (
    ADVANCE,
    REMAINDER,
    DeliverableParams,
    advance_pot,
    advances,
    deliverable_shares,
    instalment_run,
)

MSEK = 1_000_000 * 100

# SCB, folkmängd 31 december 2019 (the repository's rehab/data/regions.csv).
POPULATIONS = {
    "01": 2377081,
    "03": 383713,
    "04": 297540,
    "05": 465495,
    "06": 363599,
    "07": 201469,
    "08": 245446,
    "09": 59686,
    "10": 159606,
    "12": 1377827,
    "13": 333848,
    "14": 1725881,
    "17": 282414,
    "18": 304805,
    "19": 275845,
    "20": 287966,
    "21": 287382,
    "22": 245347,
    "23": 130810,
    "24": 271736,
    "25": 250093,
}
FULFILLED_19 = set(POPULATIONS) - {"09", "23"}


def test_v2_frame_shared_over_all_21_regions_and_two_unfulfilled_get_nothing() -> None:
    result = instalment_run(
        DeliverableParams(frame_ore=140 * MSEK),
        POPULATIONS,
        instalment=REMAINDER,
        fulfilled=FULFILLED_19,
    )
    lines = result.lines
    assert len(lines) == 21
    assert sum(line.share_ore for line in lines.values()) == 140 * MSEK
    # Hand-checked: Stockholm 140 000 000,00 kr × 2 377 081 / 10 327 589 inhabitants
    # = 32 223 526,7108… kr; the fraction .08 öre is too small for a leftover öre.
    assert lines["01"].share_ore == 3_222_352_671
    assert lines["01"].payout_ore == 3_222_352_671
    assert lines["01"].fulfilled is True
    # Uppsala: 383 713 / 10 327 589 × 140 000 000,00 kr = 5 201 583,835… kr: rounded up
    # by the largest remainder (.53 öre is among the 9 largest fractions).
    assert lines["03"].share_ore == 520_158_384
    # Gotland and Jämtland Härjedalen have not fulfilled: 0 paid, share not paid.
    assert lines["09"].share_ore == 80_909_881
    assert (lines["09"].payout_ore, lines["09"].not_paid_ore) == (0, 80_909_881)
    assert lines["09"].fulfilled is False
    assert (lines["23"].payout_ore, lines["23"].not_paid_ore) == (0, 177_325_027)
    # Not redistributed: what the others get is exactly their share.
    for code in FULFILLED_19:
        assert lines[code].payout_ore == lines[code].share_ore
    assert result.not_paid_ore == 80_909_881 + 177_325_027
    assert result.payout_ore == 140 * MSEK - result.not_paid_ore
    assert result.population_total == 10_327_589


def test_advance_paid_to_every_region_and_deducted_from_the_remainder() -> None:
    params = DeliverableParams(frame_ore=140 * MSEK, advance_share=Decimal("0.5000"))
    advance = instalment_run(params, POPULATIONS, instalment=ADVANCE)
    remainder = instalment_run(params, POPULATIONS, instalment=REMAINDER, fulfilled=FULFILLED_19)
    # Stockholm: half of 3 222 352 671 öre is 1 611 176 335,5 -> rounded half up.
    assert advance.lines["01"].payout_ore == 1_611_176_336
    assert remainder.lines["01"].payout_ore == 1_611_176_335
    for code in FULFILLED_19:
        both = advance.lines[code].payout_ore + remainder.lines[code].payout_ore
        assert both == remainder.lines[code].share_ore
    # Gotland did not fulfil: the advance stays paid, the remainder run pays 0.
    assert advance.lines["09"].payout_ore == 40_454_941
    assert remainder.lines["09"].payout_ore == 0
    assert remainder.lines["09"].not_paid_ore == 80_909_881 - 40_454_941
    assert advance.lines["09"].fulfilled is None
    total = advance.payout_ore + remainder.payout_ore + remainder.not_paid_ore
    assert total == 140 * MSEK


def test_no_advance_means_the_remainder_is_the_whole_share() -> None:
    params = DeliverableParams(frame_ore=1000)
    result = instalment_run(params, {"01": 1, "03": 1, "04": 1}, instalment=REMAINDER)
    assert [line.advance_ore for line in result.lines.values()] == [0, 0, 0]
    assert [line.share_ore for line in result.lines.values()] == [334, 333, 333]
    assert [line.not_paid_ore for line in result.lines.values()] == [334, 333, 333]
    with pytest.raises(ValueError, match="no advance"):
        instalment_run(params, {"01": 1}, instalment=ADVANCE)


def test_ties_of_the_largest_remainder_go_to_the_lowest_region_code() -> None:
    result = instalment_run(
        DeliverableParams(frame_ore=2),
        {"25": 1, "03": 1, "01": 1},
        instalment=REMAINDER,
        fulfilled={"01", "03", "25"},
    )
    assert {code: line.payout_ore for code, line in result.lines.items()} == {
        "01": 1,
        "03": 1,
        "25": 0,
    }


def test_the_advance_pot_is_rounded_half_up_and_shared_by_the_shares() -> None:
    assert advance_pot(3, Decimal("0.5")) == 2
    assert advance_pot(101, Fraction(1, 3)) == 34
    assert advance_pot(500, None) == 0
    # 2 öre of advance over three shares of 1 öre: largest remainder, ties by code.
    assert advances(3, {"01": 1, "03": 1, "04": 1}, Decimal("0.5")) == {"01": 1, "03": 1, "04": 0}
    # Never above a region's share, even at 99,99 %.
    assert advances(1, {"01": 1}, Decimal("0.9999")) == {"01": 1}
    assert advances(1, {"01": 1}, Decimal("0.0001")) == {"01": 0}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"frame_ore": -1}, ValueError),
        ({"frame_ore": 1.5}, TypeError),
        ({"frame_ore": 100, "advance_share": Decimal("0")}, ValueError),
        ({"frame_ore": 100, "advance_share": Decimal("1")}, ValueError),
        ({"frame_ore": 100, "advance_share": Decimal("NaN")}, ValueError),
        ({"frame_ore": 100, "advance_share": 0.5}, TypeError),
    ],
)
def test_params_refuse_impossible_money(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        DeliverableParams(**kwargs)


def test_run_refuses_bad_inputs() -> None:
    params = DeliverableParams(frame_ore=100)
    with pytest.raises(ValueError, match="unknown instalment"):
        instalment_run(params, {"01": 1}, instalment="BONUS")
    with pytest.raises(ValueError, match="without a population figure: 03"):
        instalment_run(params, {"01": 1}, instalment=REMAINDER, fulfilled={"03"})
    with pytest.raises(ValueError, match="cannot be shared"):
        instalment_run(params, {"01": 0, "03": 0}, instalment=REMAINDER)
    with pytest.raises(ValueError, match="negative population"):
        deliverable_shares(100, {"01": -1})


def test_zero_frame_with_no_population_pays_nothing() -> None:
    result = instalment_run(DeliverableParams(frame_ore=0), {"01": 0}, instalment=REMAINDER)
    assert result.lines["01"].share_ore == 0


REGION_CODES = sorted(POPULATIONS)


@st.composite
def condition_cases(draw: st.DrawFn) -> tuple[DeliverableParams, dict[str, int], set[str]]:
    codes = draw(st.lists(st.sampled_from(REGION_CODES), min_size=1, max_size=21, unique=True))
    pops = {code: draw(st.integers(min_value=0, max_value=2_500_000)) for code in codes}
    if sum(pops.values()) == 0:
        pops[codes[0]] = 1
    advance = draw(
        st.one_of(
            st.none(),
            st.decimals(min_value="0.0001", max_value="0.9999", places=4),
        )
    )
    frame = draw(st.integers(min_value=0, max_value=10**12))
    fulfilled = set(draw(st.lists(st.sampled_from(codes), unique=True)))
    return DeliverableParams(frame_ore=frame, advance_share=advance), pops, fulfilled


# The machine running the suite is shared: generation may be slow, never wrong.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(condition_cases())
def test_parts_add_up_to_the_frame_and_instalments_to_each_share(
    case: tuple[DeliverableParams, dict[str, int], set[str]],
) -> None:
    params, pops, fulfilled = case
    remainder = instalment_run(params, pops, instalment=REMAINDER, fulfilled=fulfilled)
    # Shares over all regions add up to the frame to the öre, before any zeroing.
    assert sum(line.share_ore for line in remainder.lines.values()) == params.frame_ore
    advance_paid = dict.fromkeys(pops, 0)
    if params.advance_share is not None:
        advance = instalment_run(params, pops, instalment=ADVANCE)
        advance_paid = {code: line.payout_ore for code, line in advance.lines.items()}
        # The advances add up to the advance pot to the öre.
        assert advance.payout_ore == advance_pot(params.frame_ore, params.advance_share)
    for code, line in remainder.lines.items():
        assert 0 <= line.advance_ore <= line.share_ore
        assert advance_paid[code] == line.advance_ore
        assert line.advance_ore + line.remainder_ore == line.share_ore
        assert line.payout_ore + line.not_paid_ore == line.remainder_ore
        if code in fulfilled:
            # A fulfilled region has its whole share: advance + remainder.
            assert advance_paid[code] + line.payout_ore == line.share_ore
            assert line.not_paid_ore == 0
        else:
            assert line.payout_ore == 0
        # Each share is within one öre of its exact population share.
        exact = Fraction(params.frame_ore * pops[code], sum(pops.values()))
        assert abs(line.share_ore - exact) < 1
    paid = sum(advance_paid.values()) + remainder.payout_ore
    assert paid + remainder.not_paid_ore == params.frame_ore
