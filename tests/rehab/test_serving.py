"""How the app is served: gunicorn with one worker per core (production image,
`dev.py up`, the HTTP benchmark), and the benchmark's bare view only in its settings."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_runs_one_worker_per_core(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == os.cpu_count()
    assert config["wsgi_app"] == "rehab.wsgi:application"
    assert config["bind"] == ["0.0.0.0:8000"]


def test_gunicorn_workers_and_address_can_be_set(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:9000")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 5
    assert config["bind"] == ["127.0.0.1:9000"]


def test_the_image_starts_gunicorn_with_that_configuration():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "--config", "gunicorn.conf.py"]' in dockerfile


def test_the_bare_view_exists_only_in_the_bench_settings():
    assert resolve("/bench/ok/", urlconf="bench.urls").url_name == "bench-ok"
    with pytest.raises(Resolver404):
        resolve("/bench/ok/")
