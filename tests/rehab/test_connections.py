"""Connections are bounded: 200 requests from 50 threads at once never have more
connections to the database open than the pool's size (runserver, like the live
server here, serves each request in a thread of its own; each thread opened its own
connection, and under load PostgreSQL's max_connections = 100 ran out)."""

import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.conf import settings
from django.db import connection

COUNT = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


@pytest.mark.django_db(transaction=True)
def test_200_requests_in_50_threads_stay_within_the_pool(live_server):
    db = connection.settings_dict
    watcher = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        autocommit=True,
    )
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            (count,) = watcher.execute(COUNT).fetchone() or (0,)
            peak = max(peak, int(count))
            done.wait(0.002)

    def get(_n: int) -> int:
        url = f"{live_server.url}/healthz"
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - http only
            return int(response.status)

    sampler = threading.Thread(target=watch)
    sampler.start()
    try:
        with ThreadPoolExecutor(max_workers=50) as executor:
            statuses = list(executor.map(get, range(200)))
    finally:
        done.set()
        sampler.join()
        watcher.close()
    assert statuses == [200] * 200
    # The test's own connection (from the same pool) is among them.
    assert peak <= 4, peak  # the pool's default size (DB_POOL_MAX_SIZE)
    assert settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"] == 4
