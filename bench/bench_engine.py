"""Benchmark: the pure payout engine at national scale.

    .venv/bin/python bench/bench_engine.py

Model A for 21 regions × 11 treatments × 4 quarters (each quarter's run and the
year end) and model B for 21 regions, repeated; prints the median time per full
year. No database: this is the arithmetic alone.
"""

from __future__ import annotations

import csv
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from payments.engine import ModelAParams, ModelBParams, quarter_run, year_end_run, year_run

ROOT = Path(__file__).resolve().parents[1]
TREATMENTS = ["KBT", "IKBT", "IPT", "PDT", "EMDR", "OTHER_PSY", "MMR1", "MMR2", "BEHAV", "ACTIVE"]


def populations() -> dict[str, int]:
    with (ROOT / "rehab" / "data" / "regions.csv").open(encoding="utf-8") as handle:
        return {
            row["lan_code"]: int(row["population_2019_12_31"]) for row in csv.DictReader(handle)
        }


def model_a_year(pops: dict[str, int], counts: dict[str, dict[int, dict[str, int]]]) -> int:
    params = ModelAParams(
        frame_ore=900_000_000_00,
        addon_ore=1_000_00,
        rates_ore=dict.fromkeys(TREATMENTS, 1200000),
    )
    paid = dict.fromkeys(pops, 0)
    for quarter in range(1, 5):
        for region, line in quarter_run(params, pops, counts, quarter, paid).items():
            paid[region] += line.payout_ore
    result = year_end_run(params, pops, counts, paid)
    return sum(paid.values()) + sum(line.redistribution_ore for line in result.lines.values())


def main(repeat: int = 50) -> None:
    pops = populations()
    rng = random.Random(2012)
    counts = {
        region: {q: {t: rng.randint(0, 400) for t in TREATMENTS} for q in range(1, 5)}
        for region in pops
    }
    contacts = {region: rng.randint(0, 5000) for region in pops}
    timings_a, timings_b = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        total = model_a_year(pops, counts)
        timings_a.append(time.perf_counter() - start)
        start = time.perf_counter()
        year_run(ModelBParams(500_000_000_00, 3_000_00, 50_000_000_00), pops, contacts)
        timings_b.append(time.perf_counter() - start)
    median_a = statistics.median(timings_a) * 1000
    print(f"model A, 21 regions, 4 quarters + year end: {median_a:.2f} ms (paid {total} öre)")
    print(f"model B, 21 regions: median {statistics.median(timings_b) * 1000:.3f} ms")


if __name__ == "__main__":
    main()
