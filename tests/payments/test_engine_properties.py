"""Properties of the payout engine that must hold for any figures, not just the spec's."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from payments.engine import (
    ModelAParams,
    ModelBParams,
    quarter_run,
    split_largest_remainder,
    year_end_run,
    year_run,
)

REGION_CODES = [f"{n:02d}" for n in (1, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 17, 18, 19, 20)]
TREATMENTS = ["KBT", "IPT", "MMR1", "MMR2"]

regions = st.lists(st.sampled_from(REGION_CODES), min_size=1, max_size=5, unique=True)
weights = st.one_of(
    st.integers(min_value=0, max_value=10**9),
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
    st.fractions(min_value=0, max_value=10**6, max_denominator=1000),
)


@st.composite
def populations(draw: st.DrawFn) -> dict[str, int]:
    codes = draw(regions)
    pops = {code: draw(st.integers(min_value=0, max_value=2_500_000)) for code in codes}
    if sum(pops.values()) == 0:
        pops[codes[0]] = 1
    return pops


@st.composite
def model_a_params(draw: st.DrawFn) -> ModelAParams:
    return ModelAParams(
        # Frames of up to 1 billion SEK, often small enough that some regions pass their ceiling.
        frame_ore=draw(
            st.one_of(
                st.integers(min_value=0, max_value=2 * 10**9),
                st.integers(min_value=0, max_value=10**11),
            )
        ),
        addon_ore=draw(st.integers(min_value=0, max_value=200_000)),
        rates_ore={
            code: draw(st.integers(min_value=0, max_value=5_000_000)) for code in TREATMENTS
        },
    )


def quarter_counts() -> st.SearchStrategy[dict[str, int]]:
    """One region's series in one quarter: 0–400 of each treatment (mostly small)."""
    series = st.integers(min_value=0, max_value=400)
    return st.tuples(*(series for _ in TREATMENTS)).map(
        lambda values: dict(zip(TREATMENTS, values, strict=True))
    )


def counts_for(pops: dict[str, int]) -> st.SearchStrategy[dict[str, dict[int, dict[str, int]]]]:
    """Series per region, quarter and treatment for every region in ``pops``.

    Each region gets a scale (0–100 %) so that busy and quiet regions meet in one
    year: some pass their ceiling while others leave money unspent.
    """
    series = st.integers(min_value=0, max_value=400)
    cells = [
        (region, quarter, code)
        for region in pops
        for quarter in (1, 2, 3, 4)
        for code in TREATMENTS
    ]
    scales = st.lists(st.sampled_from([0, 1, 10, 100]), min_size=len(pops), max_size=len(pops))
    values = st.lists(series, min_size=len(cells), max_size=len(cells))

    def build(drawn: tuple[list[int], list[int]]) -> dict[str, dict[int, dict[str, int]]]:
        scale = dict(zip(pops, drawn[0], strict=True))
        counts: dict[str, dict[int, dict[str, int]]] = {
            region: {quarter: {} for quarter in (1, 2, 3, 4)} for region in pops
        }
        for (region, quarter, code), value in zip(cells, drawn[1], strict=True):
            counts[region][quarter][code] = value * scale[region] // 100
        return counts

    return st.tuples(scales, values).map(build)


def pay_quarters(
    params: ModelAParams,
    pops: dict[str, int],
    counts: dict[str, dict[int, dict[str, int]]],
    last_quarter: int,
) -> dict[str, int]:
    """Run Q1..last_quarter in turn and return what each region was paid in total."""
    paid = dict.fromkeys(pops, 0)
    for quarter in range(1, last_quarter + 1):
        for region, line in quarter_run(params, pops, counts, quarter, paid).items():
            paid[region] += line.payout_ore
    return paid


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=10**12),
    shares=st.dictionaries(st.sampled_from(REGION_CODES), weights, min_size=1, max_size=8),
)
def test_split_sums_to_total_and_each_part_is_within_one_ore(
    total: int, shares: dict[str, int | Decimal | Fraction]
) -> None:
    parts = split_largest_remainder(total, shares)
    weight_sum = sum(Fraction(w) for w in shares.values())
    assert parts.keys() == shares.keys()
    if weight_sum == 0:
        assert set(parts.values()) <= {0}
        return
    assert sum(parts.values()) == total
    for key, weight in shares.items():
        exact = total * Fraction(weight) / weight_sum
        assert abs(parts[key] - exact) < 1


@settings(max_examples=200, deadline=None)
@given(data=st.data(), params=model_a_params(), pops=populations())
def test_model_a_entitled_never_exceeds_ceiling(
    data: st.DataObject, params: ModelAParams, pops: dict[str, int]
) -> None:
    counts = data.draw(counts_for(pops))
    paid = dict.fromkeys(pops, 0)
    for quarter in (1, 2, 3, 4):
        for region, line in quarter_run(params, pops, counts, quarter, paid).items():
            assert line.entitled_cum_ore <= line.ceiling_ore
            assert line.entitled_cum_ore == min(line.earned_cum_ore, line.ceiling_ore)
            paid[region] += line.payout_ore
            assert paid[region] == line.entitled_cum_ore


@settings(max_examples=200, deadline=None)
@given(data=st.data(), params=model_a_params(), pops=populations())
def test_model_a_redistribution_within_excess_and_total_within_frame(
    data: st.DataObject, params: ModelAParams, pops: dict[str, int]
) -> None:
    counts = data.draw(counts_for(pops))
    paid = pay_quarters(params, pops, counts, 4)
    result = year_end_run(params, pops, counts, paid)
    for line in result.lines.values():
        assert 0 <= line.redistribution_ore <= line.excess_ore
    redistributed = sum(line.redistribution_ore for line in result.lines.values())
    assert redistributed == result.pot_ore
    assert sum(paid.values()) + redistributed <= params.frame_ore


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    params=model_a_params(),
    pops=populations(),
    next_quarter=st.integers(min_value=2, max_value=4),
)
def test_model_a_correction_settles_in_next_quarter(
    data: st.DataObject, params: ModelAParams, pops: dict[str, int], next_quarter: int
) -> None:
    original = data.draw(counts_for(pops))
    corrected_quarter = data.draw(st.integers(min_value=1, max_value=next_quarter - 1))
    corrected_region = data.draw(st.sampled_from(sorted(pops)))
    corrected = {region: dict(by_quarter) for region, by_quarter in original.items()}
    corrected[corrected_region][corrected_quarter] = data.draw(quarter_counts())

    # Paid so far from the original figures, then the next run on the corrected ones.
    paid = pay_quarters(params, pops, original, next_quarter - 1)
    run = quarter_run(params, pops, corrected, next_quarter, paid)
    settled = {region: paid[region] + line.payout_ore for region, line in run.items()}

    assert settled == pay_quarters(params, pops, corrected, next_quarter)


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    pops=populations(),
    frame=st.integers(min_value=0, max_value=10**11),
    per_contact=st.integers(min_value=0, max_value=1_000_000),
    cap=st.integers(min_value=0, max_value=10**10),
)
def test_model_b_base_sums_to_frame_and_bonus_within_cap(
    data: st.DataObject, pops: dict[str, int], frame: int, per_contact: int, cap: int
) -> None:
    contacts = {region: data.draw(st.integers(min_value=0, max_value=20_000)) for region in pops}
    params = ModelBParams(frame_ore=frame, bonus_per_contact_ore=per_contact, bonus_cap_ore=cap)
    result = year_run(params, pops, contacts)
    assert sum(line.base_ore for line in result.lines.values()) == frame
    bonus_total = sum(line.bonus_ore for line in result.lines.values())
    assert bonus_total == result.bonus_ore
    assert bonus_total <= cap
    for line in result.lines.values():
        assert 0 <= line.bonus_ore <= line.bonus_claim_ore
    if result.bonus_capped:
        assert bonus_total == cap
    else:
        assert bonus_total == result.bonus_claims_ore
