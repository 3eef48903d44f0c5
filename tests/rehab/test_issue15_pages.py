"""Issue 15's remaining page promises: the 500 page in the site's layout with the
navigation, in Swedish and English; the page warns minutes before the session
times out; `dev.py` creates the database DATABASE_URL names (README)."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.urls("tests.api.urls_raising")
@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_500_page_is_in_the_site_layout_with_the_navigation_in_both_languages(coordinator):
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    response = client.get("/test-broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Något gick fel hos oss</h1>" in html
    assert 'aria-label="Huvudmeny"' in html
    assert reverse("reporting:overview") in html  # the coordinator's menu
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get("/test-broken/").content.decode()
    assert "<h1>Something went wrong on our side</h1>" in english
    assert 'aria-label="Main menu"' in english
    assert "Något gick fel" not in english


@pytest.mark.django_db
def test_the_page_warns_minutes_before_the_session_times_out(login, coordinator):
    assert 60 <= settings.SESSION_WARNING_SECONDS < settings.SESSION_IDLE_TIMEOUT
    html = login(coordinator).get(reverse("reporting:overview")).content.decode()
    assert f'data-warn="{settings.SESSION_WARNING_SECONDS}"' in html
    assert f'data-idle="{settings.SESSION_IDLE_TIMEOUT}"' in html


@pytest.mark.django_db
def test_dev_py_creates_the_database_database_url_names():
    spec = importlib.util.spec_from_file_location("rehab_dev_script", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    params = connection.get_connection_params()
    name = f"rehab_devpy_{uuid.uuid4().hex[:10]}"
    password = params.get("password")
    url = "postgres://{user}{password}@{host}:{port}/{name}".format(
        user=params.get("user") or "postgres",
        password=f":{password}" if password else "",
        host=params.get("host") or "127.0.0.1",
        port=params.get("port") or 5432,
        name=name,
    )
    server = dict(params, dbname="postgres", autocommit=True)
    server.pop("cursor_factory", None)
    server.pop("context", None)
    try:
        dev.ensure_database(url)
        with psycopg.connect(**server) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            assert found.fetchone() == (1,)
        dev.ensure_database(url)  # again: already there, nothing to do
    finally:
        with psycopg.connect(**server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.django_db
def test_demo_quarters_open_the_day_after_they_end_as_the_readme_says(ref):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from rehab.models import Agreement

    call_command("load_demo_data", password="demo-pass-123456")
    year = timezone.localdate().year
    periods = Agreement.objects.get(year=year).periods.order_by("quarter")
    assert [(p.quarter, p.opens_on) for p in periods] == [
        (1, datetime.date(year, 4, 1)),
        (2, datetime.date(year, 7, 1)),
        (3, datetime.date(year, 10, 1)),
        (4, datetime.date(year + 1, 1, 1)),
    ]
    assert {p.deadline for p in periods} == {datetime.date(year + 1, 8, 15)}


@pytest.mark.django_db
def test_an_administrator_lands_on_the_agreements_with_the_admin_in_the_menu(
    ref, login, admin_user
):
    from django.utils.html import escape

    from rehab.models import Agreement

    response = login(admin_user).get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200  # the start page itself, not a redirect
    assert escape(Agreement.objects.get(year=2020).name) in html  # the agreements listed
    assert f'<a href="{reverse("admin:index")}">Administration</a>' in html
