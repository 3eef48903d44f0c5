"""Whole pages from the page cache (rehab.pagecache): the second request of a session
is served without running the view, at one query (the user, read with the data
version),
and is the page the view would render: the requester's own CSRF token and session
time, every committed change at once, never another user's page, never a message
twice. These tests commit (transactional_db), as production does."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rehab.accounts.backends import load_user
from rehab.dataversion import CSRF_PLACEHOLDER
from rehab.models import User
from rehab.pagecache import LOCAL
from tests.factories import report_version

pytestmark = pytest.mark.django_db(transaction=True)

SERIES = {("KBT", "F", "PUBLIC"): 12, ("IPT", "M", "PRIVATE"): 3}
NOON = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=datetime.UTC)


def without_tokens(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def queries_of(client: Client, path: str) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response, len(captured.captured_queries)


@pytest.fixture(autouse=True)
def empty_local_store():
    LOCAL.clear()
    yield
    LOCAL.clear()


def test_the_report_form_comes_from_the_cache_at_one_query(coordinator):
    """The coordinator's form for a draft costs a dozen queries to render; the next
    request of the session is the same page at one, and the page still works: its
    save form carries this session's CSRF token, which the server accepts."""
    report_version(region="01", year=2020, user=coordinator, series=SERIES, status="DRAFT")
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    path = reverse("reporting:report", kwargs={"region": "01", "year": 2020})
    first, rendered = queries_of(client, path)
    assert first.status_code == 200
    second, served = queries_of(client, path)
    assert second.status_code == 200
    assert without_tokens(second) == without_tokens(first)
    assert served == 1 < rendered
    html = second.content.decode()
    assert CSRF_PLACEHOLDER not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    posted = client.post(path, {"csrfmiddlewaretoken": token[1], "version": "x"})
    assert posted.status_code != 403  # the form's own complaint, not a CSRF refusal


def test_the_session_timer_counts_on_a_cached_page(settings, case_officer):
    """data-left is the session's own seconds left at this request, not the time the
    page was first rendered."""
    settings.SESSION_ABSOLUTE_TIMEOUT = 1000
    path = reverse("reporting:inbox")
    with time_machine.travel(NOON, tick=False) as traveller:
        client = Client()
        client.force_login(case_officer)
        client.get(path)  # the session's clock starts
        first = client.get(path)
        traveller.shift(datetime.timedelta(seconds=100))
        second = client.get(path)  # notes the activity in the session
        third, served = queries_of(client, path)
    assert served == 1  # from the cache
    left = [
        int(re.search(r'data-left="(\d+)"', r.content.decode())[1]) for r in (first, second, third)
    ]
    assert left[0] - left[1] == 100
    assert left[2] == left[1]


def test_a_committed_change_shows_on_the_next_request(coordinator, case_officer):
    """A report submitted after the inbox was cached is in the next answer; so is a
    change of the user's own name in the page's header."""
    client = Client()
    client.force_login(case_officer)
    path = reverse("reporting:inbox")
    client.get(path)
    review = reverse("reporting:review", kwargs={"region": "03", "year": 2020})
    assert review not in client.get(path).content.decode()
    report_version(region="03", year=2020, user=coordinator, series=SERIES, status="SUBMITTED")
    assert review in client.get(path).content.decode()
    User.objects.filter(pk=case_officer.pk).update(first_name="Ny", last_name="Namnsson")
    assert "Ny Namnsson" in client.get(path).content.decode()


def test_a_page_is_never_another_users(coordinator, viewer):
    """Two users of one region read the same overview path: each gets a page with
    their own name, from their own cache entry."""
    path = reverse("reporting:overview")
    pages = {}
    for user in (coordinator, viewer, coordinator, viewer):
        client = Client()
        client.force_login(user)
        client.get(path)
        pages.setdefault(user.username, []).append(client.get(path).content.decode())
    for user in (coordinator, viewer):
        for html in pages[user.username]:
            assert user.get_full_name() in html
    assert coordinator.get_full_name() not in "".join(pages[viewer.username])


def test_a_message_is_shown_once_and_never_kept(coordinator, case_officer):
    """FK opens the review of a report that has no submitted version: sent to the
    report with a message. The message is on that page once; the cached page, before
    and after, has none."""
    report_version(region="01", year=2020, user=coordinator, series=SERIES)
    client = Client()
    client.force_login(case_officer)
    page = reverse("reporting:report", kwargs={"region": "01", "year": 2020})
    client.get(page)
    assert "ingen inskickad version" not in client.get(page).content.decode()
    review = reverse("reporting:review", kwargs={"region": "01", "year": 2020})
    shown = client.get(review, follow=True)
    assert shown.redirect_chain[-1][0] == page
    assert "Det finns ingen inskickad version att granska." in shown.content.decode()
    for _ in range(2):
        assert "ingen inskickad version" not in client.get(page).content.decode()


def test_an_admin_flag_changes_the_page_at_once(login, admin_user):
    """is_staff is part of the key: no longer staff, the administrator's next page has
    no link to the admin."""
    client = login(admin_user)
    path = reverse("reporting:inbox")
    client.get(path)
    admin = reverse("admin:index")
    assert f'href="{admin}"' in client.get(path).content.decode()
    User.objects.filter(pk=admin_user.pk).update(is_staff=False)
    assert f'href="{admin}"' not in client.get(path).content.decode()


def test_htmx_and_head_requests_run_the_view(coordinator):
    """An htmx request (which may get part of a page) and a HEAD run the view, whatever
    the cache holds for the page."""
    report_version(region="01", year=2020, user=coordinator, series=SERIES, status="DRAFT")
    client = Client()
    client.force_login(coordinator)
    path = reverse("reporting:report", kwargs={"region": "01", "year": 2020})
    client.get(path)
    assert queries_of(client, path)[1] == 1
    with CaptureQueriesContext(connection) as captured:
        client.get(path, headers={"HX-Request": "true"})
    assert len(captured.captured_queries) > 1
    assert client.head(path).status_code == 405  # the view's own answer (GET and POST only)


def test_the_user_is_read_as_the_orm_reads_it(coordinator):
    """`load_user`, the per-request read of the signed-in user, gives the same field
    values as the ORM."""
    orm = User.objects.get(pk=coordinator.pk)
    fast = load_user(coordinator.pk)
    for field in User._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(orm, field.attname), field.name
    assert fast._state.adding is False and fast._state.db == "default"
    assert load_user(10**9) is None
    assert load_user("not a number") is None
    assert timezone.is_aware(fast.date_joined)


def test_a_session_ended_elsewhere_is_signed_out_at_once(coordinator):
    """The session, its user and the data version are read in one statement: a
    session signed out in one browser is no longer accepted from a copy of its cookie,
    even for a page the cache holds."""
    first = Client()
    first.force_login(coordinator)
    path = reverse("reporting:overview")
    first.get(path)
    copy = Client()
    copy.cookies = first.cookies
    assert copy.get(path).status_code == 200  # from the cache, one query
    first.post(reverse("logout"))
    response = copy.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_session_hands_its_user_over_once_and_only_for_its_id(coordinator, viewer):
    """What the session store read is taken by the same user id, once; any other id
    is read from the database."""
    from rehab.accounts.backends import offer_user

    offered = load_user(coordinator.pk)
    offered.first_name = "Erbjuden"
    offer_user(offered)
    other = load_user(viewer.pk)
    assert other.pk == viewer.pk
    assert load_user(coordinator.pk).first_name != "Erbjuden"  # the offer was dropped
    offer_user(offered)
    with CaptureQueriesContext(connection) as captured:
        assert load_user(coordinator.pk) is offered
    assert captured.captured_queries == []
    assert load_user(coordinator.pk) is not offered


def test_the_pages_csrf_token_is_djangos_format_under_a_fresh_mask(rf):
    """`csrf_token` masks the session's secret as Django does: Django unmasks it to
    the same secret, and no two tokens are alike."""
    from django.middleware.csrf import CSRF_SECRET_LENGTH, _unmask_cipher_token

    from rehab.pagecache import csrf_token

    request = rf.get("/")
    secret = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    assert len(secret) == CSRF_SECRET_LENGTH
    request.META["CSRF_COOKIE"] = secret
    tokens = {csrf_token(request) for _ in range(200)}
    assert len(tokens) == 200
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    fresh = rf.get("/")  # no secret yet: Django makes one (and the cookie to send)
    assert len(csrf_token(fresh)) == 2 * CSRF_SECRET_LENGTH
    assert len(fresh.META["CSRF_COOKIE"]) == CSRF_SECRET_LENGTH


def test_the_session_statement_is_planned_once_per_connection(coordinator):
    """PostgreSQL prepares the session's statement on its connection: the requests
    after the first reuse it (planning it cost four times running it)."""
    client = Client()
    client.force_login(coordinator)
    for _ in range(3):
        assert client.get(reverse("reporting:overview")).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE '%FROM \"rehab_session\" s%'"
        )
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert rows[0][0] >= 3


def test_pages_are_kept_in_the_process_never_in_redis(settings, coordinator):
    """Redis is the task queue too: a page per session and query string must not
    grow it. Nothing of the page cache is written there."""
    from django.core.cache import cache

    client = Client()
    client.force_login(coordinator)
    for query in ("", "?a=1", "?a=2"):
        client.get(reverse("reporting:overview") + query)
        client.get(reverse("reporting:overview") + query)
    assert len(LOCAL.entries) == 3
    redis = cache._cache.get_client(None)  # type: ignore[attr-defined]
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert list(redis.scan_iter(match=f"{prefix}:*:page:*")) == []


def test_a_user_made_inactive_is_signed_out_whatever_the_sign_in(coordinator):
    """Password or SITHS (the OIDC backend): an inactive user's next request is
    anonymous, even for a page the cache holds."""
    path = reverse("reporting:overview")
    for backend in ("rehab.accounts.backends.ModelBackend", "rehab.accounts.oidc.OidcBackend"):
        User.objects.filter(pk=coordinator.pk).update(is_active=True)
        client = Client()
        client.force_login(coordinator, backend=backend)
        client.get(path)
        assert client.get(path).status_code == 200
        User.objects.filter(pk=coordinator.pk).update(is_active=False)
        assert client.get(path).status_code == 302, backend


def test_a_migration_under_a_prepared_session_statement_is_survived(coordinator):
    """A column the prepared statement returns changes type under it (another
    connection migrates): the next request still reads its session ("cached plan must
    not change result type" is met by preparing afresh), and so do later ones."""
    import psycopg

    client = Client()
    client.force_login(coordinator)
    path = reverse("reporting:overview")
    for _ in range(2):
        assert client.get(path).status_code == 200
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("ALTER TABLE rehab_session ALTER COLUMN session_data TYPE varchar")
        try:
            for _ in range(3):
                assert client.get(path).status_code == 200
        finally:
            other.execute("ALTER TABLE rehab_session ALTER COLUMN session_data TYPE text")
    assert client.get(path).status_code == 200
