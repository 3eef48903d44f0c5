"""Benchmark: loading ten years of national history, and the upload confirm step.

    .venv/bin/python bench/bench_import.py [--runs 3] [--years 2011-2020] [--rebuild]

(`DATABASE_URL` names the PostgreSQL server, as for `dev.py`; default
postgres://postgres@127.0.0.1:5432/rehab.)

1. A template database `rehab_bench_import` (created once; `--rebuild` starts
   over): migrated, reference data and the demo users, no reports.
2. A file in the canonical format (CSV) with every active region's report for
   every period of the years (2011–2020 by default: every cell the agreement asks
   for, the demo figures of `load_demo_reports`), written to a temporary directory.
3. Per run, a fresh copy of the template (`CREATE DATABASE … TEMPLATE`) and, in a
   process of its own with the production settings (DEBUG off),
   `manage.py import_reports FILE --user handlaggare --accept` timed from the call
   to its return (parsing, validation, saving, commit): rows/s and queries.
4. The upload confirm step: region 01's coordinator uploads its report for a
   quarter of the demo year, previews it and confirms (`upload_preview` POST),
   through Django's test client; the confirm is timed, `--uploads` times.

Prints one line per measurement; the best of `--runs` is the figure to compare
(the machine is shared: the load average is printed with it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = "rehab_bench_import"
WIDE = "rehab_bench_import_wide"
RUN_DB = "rehab_bench_import_run"
PASSWORD = "rehab-bench-2026"  # noqa: S105 - the bench database's demo users


def say(text: str) -> None:
    print(text, flush=True)


def server_url() -> str:
    return os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rehab")


def db_url(name: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(server_url())._replace(path=f"/{name}"))


def admin_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.encode())


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        return conn.execute(query, (name,)).fetchone() is not None


def child(*args: str, database: str) -> str:
    """Run this script in a process of its own against `database`; its output."""
    env = {
        **os.environ,
        "DATABASE_URL": db_url(database),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "REHAB_PROFILE": "production",
        "ALLOWED_HOSTS": "testserver",
    }
    done = subprocess.run(
        [sys.executable, __file__, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return done.stdout


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


# --------------------------------------------------------------------------- in the child


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fill_template() -> None:
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    call_command(
        "load_demo_data", "--password", PASSWORD, "--i-know-this-is-not-production", verbosity=0
    )


def widen(first: int, last: int) -> None:
    """Every quarter of `first`-`last` with every treatment of 2016: a year whose
    villkor 3 is reported once a year is set quarterly (as an administrator can while
    nobody has reported on it) and 2011-2015 get 2016's treatments (the reference
    data has four before 2016), so that ten years hold 21 regions x 40 quarters x 48
    cells: the ~40,000-row file of issue #12 (tests/reporting/test_import_scale.py
    does the same)."""
    import datetime

    from rehab.enums import ReportingFrequency
    from rehab.models import AgreementTreatment, Condition, ReportingPeriod
    from reporting.validation import included_treatments

    for year in range(first, last + 1):
        if ReportingPeriod.objects.filter(agreement__year=year, quarter__isnull=True).exists():
            condition = Condition.objects.get(agreement__year=year, code="V3")
            condition.frequency = ReportingFrequency.QUARTERLY
            condition.save(update_fields=["frequency"])
            ReportingPeriod.objects.filter(agreement__year=year).delete()
            for quarter in range(1, 5):
                start = datetime.date(year, 3 * quarter - 2, 1)
                end = datetime.date(year + quarter // 4, 3 * quarter % 12 + 1, 1)
                end -= datetime.timedelta(days=1)
                ReportingPeriod.objects.create(
                    agreement=condition.agreement,
                    condition=condition,
                    quarter=quarter,
                    start_date=start,
                    end_date=end,
                    opens_on=end + datetime.timedelta(days=1),
                    deadline=datetime.date(year + 1, 8, 15),
                )
    period_2016 = ReportingPeriod.objects.filter(agreement__year=2016).first()
    assert period_2016 is not None, "no agreement for 2016: run load_reference_data"
    later = included_treatments(period_2016)
    for period in ReportingPeriod.objects.filter(agreement__year__in=range(first, 2016), quarter=1):
        AgreementTreatment.objects.bulk_create(
            AgreementTreatment(agreement_id=period.agreement_id, treatment_id=code)
            for code in sorted(later - included_treatments(period))
        )


def write_file(path: str, first: int, last: int) -> None:
    from bench.data import history_rows

    rows = history_rows(range(first, last + 1))
    lines = ["region;period;item;sex;provider;value"]
    for row in rows:
        period = f"{row.year}Q{row.quarter}" if row.quarter else str(row.year)
        lines.append(f"{row.region};{period};{row.item};{row.sex};{row.provider};{row.value}")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(len(rows))


class QueryCounter:
    """Counts the statements sent (an execute wrapper: no cap, no debug cursor)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def time_import(path: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    from reporting.models import ReportVersion

    out = open(os.devnull, "w")  # noqa: SIM115 - the command's listing is not measured
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        call_command("import_reports", path, "--user", "handlaggare", "--accept", stdout=out)
        seconds = time.perf_counter() - started
    versions = ReportVersion.objects.filter(status="ACCEPTED").count()
    print(f"{seconds} {counter.count} {versions}")


def time_uploads(count: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from rehab.models import Agreement, User

    call_command("collectstatic", "--noinput", verbosity=0)  # the pages use the manifest
    agreement = Agreement.objects.filter(name__startswith="DEMO").order_by("-year").first()
    assert agreement is not None, "the demo agreement is missing"
    user = User.objects.get(username="samordnare01")
    client = Client(secure=True)
    client.force_login(user)
    base = f"/rapporter/01/{agreement.year}/1/"
    template = client.get(base + "mall.csv")
    if template.status_code != 200:
        raise SystemExit(f"template download: {template.status_code}")
    header, *rest = template.content.decode("utf-8-sig").splitlines()
    # The template explains its codes in '#' lines after the data; only data is filled.
    lines = [line for line in rest if line and not line.startswith("#")]
    timings: list[float] = []
    query_counts: list[int] = []
    for attempt in range(count):
        body = "\n".join(
            [header]
            + [
                line.rsplit(";", 1)[0] + f";{(n * 7 + attempt) % 40 + 50}"
                for n, line in enumerate(lines)
            ]
        )
        upload = client.post(
            base + "ladda-upp/",
            {"file": _named(body.encode(), "rapport.csv")},
        )
        if upload.status_code != 302:
            raise SystemExit(f"upload: {upload.status_code} {upload.content[:2000]!r}")
        preview = client.get(base + "ladda-upp/forhandsgranska/")
        if preview.status_code != 200:
            raise SystemExit(f"preview: {preview.status_code}")
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            confirm = client.post(base + "ladda-upp/forhandsgranska/")
            timings.append(time.perf_counter() - started)
        if confirm.status_code != 302 or "ladda-upp" in confirm["Location"]:
            raise SystemExit(f"confirm: {confirm.status_code} {confirm.get('Location')}")
        query_counts.append(len(queries.captured_queries))
    print(f"{len(lines)} {statistics.median(timings)} {min(timings)} {max(query_counts)}")


def _named(data: bytes, name: str) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


# --------------------------------------------------------------------------- main


def measure_imports(template: str, what: str, first: int, last: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = str(Path(directory) / f"historik-{first}-{last}.csv")
        rows = int(child("--child", "file", path, str(first), str(last), database=template))
        size = Path(path).stat().st_size
        say(f"file: {rows} rows, {size / 1e6:.1f} MB, years {first}–{last} ({what})")
        best = 0.0
        for run in range(1, runs + 1):
            admin_sql(
                f'DROP DATABASE IF EXISTS "{RUN_DB}" WITH (FORCE)',
                f'CREATE DATABASE "{RUN_DB}" TEMPLATE "{template}"',
            )
            seconds, queries, versions = child("--child", "import", path, database=RUN_DB).split()
            rate = rows / float(seconds)
            best = max(best, rate)
            say(
                f"  import_reports --accept, run {run}: {float(seconds):.2f} s, "
                f"{rate:,.0f} rows/s, {queries} queries, {versions} reports ({load()})"
            )
        say(f"  best: {best:,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="imports to time (best counts)")
    parser.add_argument("--years", default="2011-2020", help="first-last agreement year")
    parser.add_argument("--uploads", type=int, default=10, help="upload confirms to time")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the template database")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _setup()
        command, *rest = args.child
        if command == "fill":
            fill_template()
        elif command == "widen":
            widen(int(rest[0]), int(rest[1]))
        elif command == "file":
            write_file(rest[0], int(rest[1]), int(rest[2]))
        elif command == "import":
            time_import(rest[0])
        elif command == "uploads":
            time_uploads(int(rest[0]))
        return

    first, last = (int(y) for y in args.years.split("-"))
    if args.rebuild or not database_exists(TEMPLATE):
        say(f"building the template database {TEMPLATE} ...")
        admin_sql(
            f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)', f'CREATE DATABASE "{TEMPLATE}"'
        )
        child("--child", "fill", database=TEMPLATE)
    if args.rebuild or not database_exists(WIDE):
        admin_sql(
            f'DROP DATABASE IF EXISTS "{WIDE}" WITH (FORCE)',
            f'CREATE DATABASE "{WIDE}" TEMPLATE "{TEMPLATE}"',
        )
        child("--child", "widen", str(first), str(last), database=WIDE)
    for template, what in (
        (TEMPLATE, "reference data"),
        (WIDE, "every treatment of 2016 from 2011"),
    ):
        measure_imports(template, what, first, last, args.runs)
    if args.uploads:
        admin_sql(
            f'DROP DATABASE IF EXISTS "{RUN_DB}" WITH (FORCE)',
            f'CREATE DATABASE "{RUN_DB}" TEMPLATE "{TEMPLATE}"',
        )
        cells, median, fastest, queries = child(
            "--child", "uploads", str(args.uploads), database=RUN_DB
        ).split()
        say(
            f"upload confirm ({cells} rows, one report, {args.uploads} times): median "
            f"{float(median) * 1000:.0f} ms = {int(cells) / float(median):,.0f} rows/s, "
            f"best {int(cells) / float(fastest):,.0f} rows/s, {queries} queries ({load()})"
        )
    admin_sql(f'DROP DATABASE IF EXISTS "{RUN_DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
