"""Gunicorn settings for production (the Dockerfile's CMD), `dev.py up` and
`bench/bench_http.py`: one synchronous worker per core, access log on stdout.

gunicorn reads this file from the working directory by default; the Dockerfile
names it explicitly. GUNICORN_WORKERS overrides the worker count and
GUNICORN_BIND the address (default 0.0.0.0:8000, as in the image).
"""

import os

wsgi_app = "rehab.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
workers = int(os.environ.get("GUNICORN_WORKERS", "0")) or (os.cpu_count() or 1)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
