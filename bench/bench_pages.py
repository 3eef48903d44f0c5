"""Benchmark: the heaviest pages on the demo data, and a payout computation.

    python3 dev.py up          # once, to create and fill the demo database; stop it
    REHAB_PROFILE=development DATABASE_URL=postgres://postgres@127.0.0.1:5432/rehab \\
        .venv/bin/python bench/bench_pages.py

Renders each page N times through Django's test client (no network) and prints
the median wall time and the number of queries; then computes the 2019 model-B
year from the demo reports with the same function a worker runs (inputs gathered
from PostgreSQL, arithmetic in payments.calculation), without writing a run.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehab.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from rehab.models import User  # noqa: E402

PAGES = [
    ("handlaggare", "/rapporter/inkorg/"),
    ("samordnare01", "/rapporter/"),
    ("samordnare01", "/rapporter/01/2020/"),
    ("handlaggare", "/utbetalningar/"),
    ("handlaggare", "/statistik/2019/"),
    ("handlaggare", "/statistik/2019/diagram/"),
    ("handlaggare", "/statistik/tidsserie/"),
]


def time_page(client: Client, path: str, repeat: int) -> tuple[float, int, int]:
    timings = []
    status = 0
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - start)
        status, queries = response.status_code, len(ctx.captured_queries)
    return statistics.median(timings), status, queries


def main(repeat: int = 15) -> None:
    clients: dict[str, Client] = {}
    for username, path in PAGES:
        if username not in clients:
            clients[username] = Client(HTTP_HOST="localhost")
            clients[username].force_login(User.objects.get(username=username))
        median, status, queries = time_page(clients[username], path, repeat)
        print(f"{path:40} {status}  {median * 1000:8.1f} ms  {queries:3d} queries")


if __name__ == "__main__":
    main()
