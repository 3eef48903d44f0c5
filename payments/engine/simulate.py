"""Run a payout model over canonical report rows, as ``simulate_payouts`` prints it.

The result is a flat list of ``(region, period, component, amount_ore)`` tuples,
sorted by region, then period ("YYYY" before "YYYYQ1"), then component in the
fixed order of :data:`COMPONENT_ORDER`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from payments.engine.model_a import ModelAParams, quarter_run, year_end_run
from payments.engine.model_b import ModelBParams, year_run
from reporting.fileformat import CONTACT_ITEMS, NON_TREATMENT_ITEMS, Row

COMPONENT_ORDER: tuple[str, ...] = (
    "ceiling",
    "earned",
    "entitled",
    "payout",
    "redistribution",
    "base",
    "bonus",
)

SimulationLine = tuple[str, str, str, int]


def _sorted(lines: list[SimulationLine]) -> list[SimulationLine]:
    return sorted(lines, key=lambda line: (line[0], line[1], COMPONENT_ORDER.index(line[2])))


def _simulate_a(
    year: int, params: ModelAParams, populations: Mapping[str, int], rows: list[Row]
) -> list[SimulationLine]:
    # series[region][quarter][treatment], summed over sex and provider
    series: dict[str, dict[int, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    quarters: list[int] = []
    for row in rows:
        if row.quarter is None:
            raise ValueError(f"Modell A räknas per kvartal: rad {row.line} gäller hela året.")
        quarters.append(row.quarter)
        if row.item not in NON_TREATMENT_ITEMS:
            series[row.region][row.quarter][row.item] += row.value
    last_quarter = max(quarters, default=0)

    lines: list[SimulationLine] = []
    paid: dict[str, int] = dict.fromkeys(populations, 0)
    for quarter in range(1, last_quarter + 1):
        run = quarter_run(params, populations, series, quarter, paid)
        for region, line in run.items():
            period = f"{year}Q{quarter}"
            lines.append((region, period, "earned", line.earned_cum_ore))
            lines.append((region, period, "entitled", line.entitled_cum_ore))
            lines.append((region, period, "payout", line.payout_ore))
            paid[region] += line.payout_ore

    year_end = year_end_run(params, populations, series, paid)
    for region, year_line in year_end.lines.items():
        lines.append((region, str(year), "ceiling", year_line.ceiling_ore))
        if last_quarter == 4:
            lines.append((region, str(year), "redistribution", year_line.redistribution_ore))
    return lines


def _simulate_b(
    year: int, params: ModelBParams, populations: Mapping[str, int], rows: list[Row]
) -> list[SimulationLine]:
    contacts: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.item in CONTACT_ITEMS:
            contacts[row.region] += row.value
    result = year_run(params, populations, contacts)
    lines: list[SimulationLine] = []
    for region, line in result.lines.items():
        lines.append((region, str(year), "base", line.base_ore))
        lines.append((region, str(year), "bonus", line.bonus_ore))
    return lines


def simulate(
    *,
    model: str,
    year: int,
    params: ModelAParams | ModelBParams,
    populations: Mapping[str, int],
    rows: Iterable[Row],
) -> list[SimulationLine]:
    """Compute what the year's payouts would be from ``rows``.

    Model A: for every quarter from Q1 up to the last quarter present in the rows,
    per region the cumulative ``earned`` and ``entitled`` and the quarter's
    ``payout`` (each quarter's run counting the earlier simulated payouts as
    already paid), period "YYYYQn"; per region the ``ceiling``, period "YYYY"; and
    when the rows reach Q4, per region the year-end ``redistribution``, period
    "YYYY". Treatment series are summed over sex and provider; contact and video
    rows are ignored.

    Model B: per region ``base`` and ``bonus``, period "YYYY"; contacts are the
    EMPLOYER_CONTACT and AF_CONTACT rows summed over quarters and sexes.

    Every region in ``populations`` appears, even without rows. Raises
    ``ValueError`` for rows of another year, rows of a region without a
    population figure, a treatment without a rate (model A), an unknown model, or
    parameters of the wrong model.
    """
    row_list = list(rows)
    for row in row_list:
        if row.year != year:
            raise ValueError(f"line {row.line}: row of {row.year} in a simulation of {year}")
        if row.region not in populations:
            raise ValueError(f"line {row.line}: region {row.region} has no population figure")
    if model == "A":
        if not isinstance(params, ModelAParams):
            raise ValueError("model A needs ModelAParams")
        return _sorted(_simulate_a(year, params, populations, row_list))
    if model == "B":
        if not isinstance(params, ModelBParams):
            raise ValueError("model B needs ModelBParams")
        return _sorted(_simulate_b(year, params, populations, row_list))
    raise ValueError(f"unknown payout model {model!r} (expected 'A' or 'B')")
