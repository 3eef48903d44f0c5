"""Benchmark: the key pages served the way production serves them, against a bare view.

    python3 dev.py test -k nothing      # once, creates .venv (or any dev.py command)
    apt-get install -y wrk              # Debian's load generator (optional, see below)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rehab .venv/bin/python bench/bench_http.py

What it does:

1. Creates its own database (the server of DATABASE_URL, database `rehab_bench`, or
   BENCH_DATABASE_URL) and fills it once, through the project's services: reference
   data, the demo users, every region's reports for every quarter of 2011–2020, all
   accepted (the bulk import path), a draft and a submitted report for the review
   and report form pages, and a year of payout runs (2012: four quarters and the
   year-end, model A; 2019: the year, model B), computed and approved. A second run
   reuses it (`--rebuild` starts over).
2. Collects the static files and starts gunicorn exactly as production does
   (`gunicorn --config gunicorn.conf.py`: one worker per core, DEBUG off), with
   `bench.settings`, which adds only a bare view at /bench/ok/ that returns "ok".
   One difference: the API's read rate (API_THROTTLE_READ, 600 a minute per user in
   production) is 100000000/s, so that one user's 50 connections measure the API
   page and not its 429s; the throttle still does its cache read and write per
   request (BENCH_API_THROTTLE_READ sets another rate).
3. Logs in the roles the pages need, then drives each page with 50 concurrent
   connections for a fixed time (`--seconds`, default 5) with wrk, or, when wrk is
   not installed, with an asyncio client of its own (it says so).
4. Prints per page: requests/s, p50 and p95 latency, queries per request (counted
   in-process with the same session) and the ratio to the bare view, which is
   measured first and last (the ratio uses the mean of the two). A page that
   answered anything but 2xx under load says how many times, and is named again
   below the table: its figures measure those answers, not the page.

The load generator runs on the same machine as the server, as in the measurements
of issue #12; on a shared machine the figures move with the other load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
BARE = "/bench/ok/"
# The API's read rate for the bench's server only (see main); BENCH_API_THROTTLE_READ
# overrides it.
THROTTLE_READ = "100000000/s"
PASSWORD = "rehab-demo-2026"  # noqa: S105 (the demo accounts' password, as dev.py)

# (label, user or None for anonymous, path; {run} and {year} filled in below)
PAGES = [
    ("login", None, "/konto/logga-in/"),
    ("region overview", "samordnare01", "/rapporter/"),
    ("report form (grid)", "samordnare01", "/rapporter/01/{year}/1/"),
    ("FK inbox", "handlaggare", "/rapporter/inkorg/"),
    ("review", "handlaggare", "/rapporter/03/{year}/1/granska/"),
    ("payouts overview", "handlaggare", "/utbetalningar/"),
    ("run detail", "handlaggare", "/utbetalningar/korningar/{run}/"),
    ("statistics year", "handlaggare", "/statistik/2019/"),
    # The same page as the public reads it, signed out (issue #12: "read by everyone
    # when the figures are published").
    ("public statistics", None, "/statistik/2019/"),
    ("time series", "handlaggare", "/statistik/tidsserie/"),
    ("charts", "handlaggare", "/statistik/2019/diagram/"),
    ("API list", "handlaggare", "/api/v1/reports/?year=2019"),
]


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# --------------------------------------------------------------------------- database


def bench_database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    base = urllib.parse.urlsplit(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rehab")
    )
    return urllib.parse.urlunsplit(base._replace(path="/rehab_bench"))


def create_database(url: str, *, rebuild: bool) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if rebuild:
            say(f"dropping database {name}")
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def fill() -> None:
    """Fill the bench database once (idempotent: skipped when the runs exist)."""
    from django.core.management import call_command
    from django.db import transaction

    from bench.data import YEARS, history_rows
    from payments.enums import RunStatus
    from payments.models import PayoutRun
    from payments.services import run_approve, run_compute, run_start
    from rehab.models import Agreement, User
    from reporting.imports import report_import

    call_command("migrate", "--noinput", verbosity=0)
    if PayoutRun.objects.filter(status=RunStatus.APPROVED).count() >= 6:
        say("bench database already filled")
        return
    started = time.perf_counter()
    with transaction.atomic():
        call_command("load_reference_data", verbosity=0)
        call_command(
            "load_demo_data", "--password", PASSWORD, "--i-know-this-is-not-production", verbosity=0
        )
        officer = User.objects.get(username="handlaggare")
        approver = User.objects.get(username="attestant")
        rows = history_rows(YEARS, skip=[("01", 2020, None), ("03", 2020, None)])
        say(f"importing {len(rows)} rows (2011–2020, all accepted) ...")
        result = report_import(rows=rows, acting_user=officer, accept=True)
        if result.errors:
            raise SystemExit("\n".join(f"{e.line}: {e.message}" for e in result.errors[:20]))
        # The demo's draft (01) and submitted report (03) for 2020 and the demo year.
        call_command("load_demo_reports", verbosity=0)
        _current_year_reports()
        for year, quarters in ((2012, [1, 2, 3, 4, None]), (2019, [None])):
            agreement = Agreement.objects.get(year=year)
            for quarter in quarters:
                run = run_start(agreement=agreement, quarter=quarter, acting_user=officer).run
                computed = run_compute(run_id=run.pk)
                if computed is None or computed.status != RunStatus.CALCULATED:
                    reason = computed.failure_reason if computed else "not claimed"
                    raise SystemExit(f"payout run {year} Q{quarter}: {reason}")
                run_approve(run=computed, acting_user=approver)
    say(f"filled in {time.perf_counter() - started:.0f} s")


def _current_year_reports() -> None:
    """A draft of region 01 and a submitted report of region 03 for the demo year's
    first quarter: the report form and FK's review of the pages measured."""
    from rehab.models import ReportingPeriod, UnitCollection, User
    from reporting.management.commands.load_demo_reports import demo_figures
    from reporting.services import (
        ValidationFailed,
        report_get_or_create,
        report_open_draft,
        report_save_draft,
        report_submit,
    )

    period = ReportingPeriod.objects.get(agreement__year=bench_year(), quarter=1)
    # The demo data has region 01 collect per care unit in the demo year (its report
    # is then the units' sum); the bench measures the region's own report form.
    UnitCollection.objects.filter(region_id="01", agreement=period.agreement_id).delete()
    for code, population, submit in (("01", 2_400_000, False), ("03", 390_000, True)):
        user = User.objects.get(username=f"samordnare{code}")
        report = report_get_or_create(region=code, period=period, acting_user=user)
        version = report_open_draft(report=report, acting_user=user)
        version = report_save_draft(
            version=version,
            figures=demo_figures(code, population, period),
            lock_version=version.lock_version,
            acting_user=user,
        )
        explanations: dict[str, str] = {}
        while submit:
            try:
                report_submit(
                    version=version,
                    lock_version=version.lock_version,
                    explanations=explanations,
                    eligibility_confirmed=True,
                    acting_user=user,
                )
                break
            except ValidationFailed as failed:
                if failed.result.errors or explanations:
                    raise
                explanations = {w.key: "Benchmarkdata." for w in failed.result.warnings}


def bench_year() -> int:
    from rehab.models import Agreement

    year = Agreement.objects.order_by("-year").values_list("year", flat=True).first()
    assert year is not None
    return year


# --------------------------------------------------------------------------- sessions


@dataclass
class Page:
    label: str
    path: str
    cookie: str  # Cookie header ("" for anonymous)
    queries: int
    status: int


def prepare_pages(selected: set[str] | None) -> list[Page]:
    """Log in the roles, resolve the paths, count each page's queries in-process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from payments.models import PayoutRun
    from rehab.models import User

    run = PayoutRun.objects.filter(agreement__year=2019).order_by("-pk").values_list("pk")[0][0]
    year = bench_year()
    clients: dict[str | None, Client] = {}
    pages = [Page("bare view", BARE, "", 0, 0)]
    for label, username, template in PAGES:
        if selected and label not in selected:
            continue
        if username not in clients:
            client = Client(HTTP_HOST="127.0.0.1")
            if username:
                client.force_login(User.objects.get(username=username))
            client.get("/konto/logga-in/")  # a CSRF cookie, as a browser has
            clients[username] = client
        client = clients[username]
        path = template.format(run=run, year=year)
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
        pages.append(
            Page(label, path, cookie, len(captured.captured_queries), response.status_code)
        )
    return pages


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}")
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{BARE}", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()}")
        time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer:\n{log.read_text()}")


# --------------------------------------------------------------------------- load


@dataclass
class Result:
    rps: float
    p50_ms: float
    p95_ms: float
    bad: int  # non-2xx responses and socket errors


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95),
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def run_wrk(url: str, cookie: str, seconds: float, connections: int, threads: int) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "60s"]
        command += ["-s", script.name]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    match = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+)$", output, re.M)
    if match is None:
        raise SystemExit(f"wrk said:\n{output}")
    requests, duration_us, p50, p95, bad = (int(g) for g in match.groups())
    return Result(requests / (duration_us / 1e6), p50 / 1000, p95 / 1000, bad)


async def _client(
    host: str, port: int, request: bytes, until: float, latencies: list[float], bad: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < until:
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
            if length:
                await reader.readexactly(int(length.group(1)))
            else:  # chunked
                while True:
                    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            latencies.append(time.perf_counter() - start)
            if not 200 <= status < 300:
                bad.append(status)
            if re.search(rb"\r\nconnection: *close", head, re.I):
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


def run_asyncio(url: str, cookie: str, seconds: float, connections: int) -> Result:
    """The fallback load generator: keep-alive HTTP/1.1 connections, each sending
    its next request when the previous answer is read (as wrk does)."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    head = f"GET {target} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
    if cookie:
        head += f"Cookie: {cookie}\r\n"
    request = (head + "\r\n").encode()
    latencies: list[float] = []
    bad: list[int] = []

    async def drive() -> float:
        start = time.perf_counter()
        until = start + seconds
        assert parts.hostname and parts.port
        await asyncio.gather(
            *(
                _client(parts.hostname, parts.port, request, until, latencies, bad)
                for _ in range(connections)
            )
        )
        return time.perf_counter() - start

    elapsed = asyncio.run(drive())
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(len(latencies) / elapsed, cuts[49] * 1000, cuts[94] * 1000, len(bad))


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="per page (default 5)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--page", action="append", help="only this page (label); repeatable")
    parser.add_argument("--rebuild", action="store_true", help="fill the database afresh")
    parser.add_argument("--client", choices=["auto", "wrk", "asyncio"], default="auto")
    args = parser.parse_args()

    url = bench_database_url()
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        REHAB_PROFILE="production",
        # One user's 50 connections far exceed the API's read rate (600 a minute per
        # user): the API page would measure its 429s. The bench (its server and its
        # in-process query count) gets a rate it never reaches; the throttle still reads
        # and writes its history in the cache on every request, as in production. Per
        # second, not per minute: DRF keeps one timestamp per request within the period,
        # so per minute the history would hold every request of the run (thousands,
        # unpickled and pickled again on each request), per second the last
        # second's (a thousand or two; a user at the production limit has 600).
        API_THROTTLE_READ=os.environ.get("BENCH_API_THROTTLE_READ", THROTTLE_READ),
    )
    os.environ.update(env)
    create_database(url, rebuild=args.rebuild)

    import django

    django.setup()
    from django.core.management import call_command

    fill()
    call_command("collectstatic", "--noinput", verbosity=0)
    pages = prepare_pages(set(args.page) if args.page else None)
    for page in pages[1:]:
        if page.status != 200:
            raise SystemExit(f"{page.label} {page.path}: status {page.status} in-process")

    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "asyncio"
        if client == "asyncio":
            say("wrk not found (Debian: apt-get install -y wrk); using the asyncio client")
    cores = os.cpu_count() or 1
    say(
        f"gunicorn with {cores} workers (one per core), {args.connections} connections, "
        f"{args.seconds:g} s per page, load generator: {client}"
    )
    port = free_port()
    log = ROOT / ".data" / "bench-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    env["GUNICORN_ACCESS_LOG"] = "-"
    server = start_gunicorn(env, port, log)
    results: dict[str, Result] = {}
    try:
        for page in [*pages, pages[0]]:
            url_ = f"http://127.0.0.1:{port}{page.path}"
            for _ in range(3):  # warm every worker
                request = urllib.request.Request(url_, headers={"Cookie": page.cookie})
                with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                    answer.read()
            if client == "wrk":
                result = run_wrk(url_, page.cookie, args.seconds, args.connections, cores)
            else:
                result = run_asyncio(url_, page.cookie, args.seconds, args.connections)
            if page.label in results:  # the bare view again, last
                first = results[page.label]
                results["bare view (end)"] = result
                bare = (first.rps + result.rps) / 2
            else:
                results[page.label] = result
    finally:
        server.terminate()
        server.wait(timeout=30)

    print()
    heading = ("page", "path", "req/s", "p50 ms", "p95 ms", "queries", "ratio")
    print("{:20} {:32} {:>7} {:>7} {:>7} {:>7} {:>6}".format(*heading))
    queries = {page.label: page.queries for page in pages}
    paths = {page.label: page.path for page in pages}
    for label, result in results.items():
        flag = f"  ({result.bad} not 2xx or failed)" if result.bad else ""
        print(
            f"{label:20} {paths.get(label, BARE)[:32]:32} {result.rps:7.0f} {result.p50_ms:7.0f} "
            f"{result.p95_ms:7.0f} {queries.get(label, 0):7d} {result.rps / bare:6.0%}{flag}"
        )
    print(f"\nratio = requests/s of the page / {bare:.0f} (the bare view, mean of first and last)")
    failed = [label for label, result in results.items() if result.bad]
    if failed:
        print(
            f"NOT MEASURED: {', '.join(failed)}: answers other than 2xx (or failed"
            " connections), so the figures are not the page's own; gunicorn's access log"
            f" has the statuses: {log}"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
