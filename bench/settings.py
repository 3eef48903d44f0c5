"""Settings for bench/bench_http.py: production settings (DEBUG off, manifest static
files, secure cookies) plus a bare view at /bench/ok/ to compare the pages against.
Never used by the application itself."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
# In production TLS ends at the proxy in front of gunicorn; the bench talks plain
# HTTP to gunicorn itself, so it does not redirect to https.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from rehab.settings import *  # noqa: F403
from rehab.settings import BASE_DIR

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = BASE_DIR / ".data" / "bench-static"
# Payout runs are computed in the bench's own process while filling the database;
# nothing is sent to a shared Redis where another checkout's worker could take it.
CELERY_BROKER_URL = "memory://"
