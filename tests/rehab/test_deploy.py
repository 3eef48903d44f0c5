"""Production defaults: HTTPS only (redirect, HSTS for a year and subdomains), the
proxy's X-Forwarded-Proto believed only when TRUST_PROXY_HEADERS says so, and
`check --deploy` clean in the production profile even before collectstatic; the
OpenAPI schema generates without warnings."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' conftest when they run in
        # the same session; a deployment never has it (check --deploy says async.E001).
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("REHAB_PROFILE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
        },
        "REHAB_PROFILE": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "rehab.example.se",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SHOW = (
    "from django.conf import settings as s; import json; print(json.dumps([s.SECURE_SSL_REDIRECT,"
    " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_PROXY_SSL_HEADER]))"
)


def test_production_is_https_only_by_default():
    done = run_manage("shell", "-c", SHOW)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [True, 31_536_000, True, None]


def test_proxy_header_is_believed_only_when_told():
    done = run_manage("shell", "-c", SHOW, TRUST_PROXY_HEADERS="true")
    assert json.loads(done.stdout.strip().splitlines()[-1])[3] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]


def test_check_deploy_in_production_has_no_warnings_without_collected_static(tmp_path):
    # The worktree has no collected static files (.gitignore'd staticfiles/).
    done = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_openapi_schema_validates_without_warnings(tmp_path):
    done = run_manage(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


@pytest.mark.django_db
def test_ssl_redirect_spares_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/konto/logga-in/")
    assert (response.status_code, response.headers["Location"]) == (
        301,
        "https://testserver/konto/logga-in/",
    )
    assert client.get("/healthz").status_code != 301
    assert client.get("/favicon.ico", secure=True).headers["Location"].endswith("favicon.svg")


def test_compose_runs_the_app_as_its_own_role_behind_a_tls_proxy():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        url = services[name]["environment"]["DATABASE_URL"]
        assert url.startswith("postgres://rehab_app:"), name
    assert services["migrate"]["environment"]["DATABASE_URL"].startswith("postgres://rehab:")
    assert "manage.py app_db_role rehab_app" in services["migrate"]["command"][-1]
    # Only the proxy is reachable from outside; it terminates TLS.
    assert "ports" not in services["web"]
    assert services["proxy"]["image"] == "caddy:2"
    assert "${HTTPS_PORT:-443}:443" in services["proxy"]["ports"]
    assert "reverse_proxy web:8000" in services["proxy"]["command"][-1]
    assert services["web"]["environment"]["TRUST_PROXY_HEADERS"] == "true"


@pytest.mark.skipif(
    not shutil.which("docker-compose"), reason="docker-compose not installed (CI installs it)"
)
def test_compose_file_is_valid_and_needs_its_secrets():
    def config(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
            cwd=ROOT,
            env={"PATH": os.environ["PATH"], **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    secrets_ = {"SECRET_KEY": "x", "POSTGRES_PASSWORD": "y", "APP_DB_PASSWORD": "z"}
    done = config(**secrets_)
    assert done.returncode == 0, done.stderr
    for name in secrets_:
        missing = config(**{k: v for k, v in secrets_.items() if k != name})
        assert missing.returncode != 0
        assert f"set {name}" in missing.stderr


def test_readme_says_how_to_deploy_with_a_real_certificate():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Deployment with docker-compose", 1)[1].split("\n## ", 1)[0]
    # Self-signed for a local try-out, and the two ways to a real certificate.
    assert "TLS=internal" in section
    assert "Let's Encrypt" in section
    assert 'TLS="/certs/fullchain.pem /certs/privkey.pem"' in section
    # Migrations as the owner, the app as its own role.
    assert "manage.py app_db_role rehab_app" in section
