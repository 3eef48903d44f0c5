"""The data version: what caches of figures and page parts are keyed by.

Every table of the application's data (regions, population, agreements, reports and
their figures, payout runs, …) has two triggers, installed after each migrate:

- a deferred constraint trigger that, when a transaction that changed any of them
  commits, raises `rehab_dataversion.number` by one (once per transaction, however
  many rows it wrote: it is the last thing the transaction does, so it holds the
  row's lock only while committing);
- a statement trigger that marks the writing transaction "dirty", so a request that
  reads its own uncommitted changes never fills a cache with them.

A cache key holds the epoch and the number (`data_version()`), so an entry is
never read once the data it was computed from has changed: the next request
computes it again, once, and every request after that reads it. A TRUNCATE (the
test suite's flush) creates the row again with a new epoch.

Tables whose writes do not change what any page shows are left out (`IGNORED`):
request bookkeeping (API keys' last use, idempotency records, sessions), the
workers' heartbeat, sent notifications and pghistory's event copies; of the users, only
the columns pages show count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

APPS = ("rehab", "reporting", "payments", "followup")
IGNORED = {
    "rehab.dataversion",
    "rehab.apitoken",
    "rehab.idempotencyrecord",
    "rehab.session",
    "rehab.workerheartbeat",
    "reporting.sentnotification",
}
# Of rehab_user: what pages show (names, role, region); not last_login or passwords.
USER_COLUMNS = ("username", "first_name", "last_name", "role", "region_id", "is_active")
TRIGGER = "rehab_data_version"
DIRTY_TRIGGER = "rehab_data_dirty"
TRUNCATE_TRIGGER = "rehab_data_version_truncate"
TIMEOUT = 60 * 60 * 24  # entries of old versions are never read; Redis drops them

FUNCTIONS = """
CREATE OR REPLACE FUNCTION rehab_data_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('rehab.data_version_txid', true) IS DISTINCT FROM txid_current()::text
  THEN
    PERFORM set_config('rehab.data_version_txid', txid_current()::text, true);
    INSERT INTO rehab_dataversion (id, number, epoch) VALUES (1, 1, gen_random_uuid())
      ON CONFLICT (id) DO UPDATE SET number = rehab_dataversion.number + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION rehab_data_dirty() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('rehab.data_dirty', '1', true);
  RETURN NULL;
END $$;
"""


def tracked_tables() -> dict[str, str]:
    """{table: the UPDATE event clause} of every table whose data pages show."""
    from pghistory.models import Event

    tables: dict[str, str] = {}
    for label in APPS:
        if not apps.is_installed(label):
            continue
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            meta = model._meta
            if meta.label_lower in IGNORED or issubclass(model, Event):
                continue
            if not meta.managed or meta.proxy:
                continue
            update = "UPDATE"
            if meta.label_lower == "rehab.user":
                update = "UPDATE OF " + ", ".join(USER_COLUMNS)
            tables[meta.db_table] = update
    return tables


def drop_triggers(**kwargs: Any) -> None:
    """Before migrating (pre_migrate): no data-version triggers while migrations run.
    A deferred trigger's pending events would forbid a migration to ALTER a table
    whose rows it has just changed; post_migrate installs them again and raises the
    version once for whatever the migrations changed."""
    from django.db import connections

    with connections[kwargs.get("using", "default")].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname IN (%s, %s, %s) AND c.relnamespace = current_schema()::regnamespace",
            [TRIGGER, DIRTY_TRIGGER, TRUNCATE_TRIGGER],
        )
        for table, trigger in cursor.fetchall():
            cursor.execute(
                f"DROP TRIGGER IF EXISTS {trigger} ON {connection.ops.quote_name(table)}"
            )


def install_triggers(**kwargs: Any) -> None:
    """Create the functions and the triggers (post_migrate; idempotent), and raise
    the version: a migration may have changed data."""
    using = kwargs.get("using", "default")
    from django.db import connections

    tables = tracked_tables()
    with connections[using].cursor() as cursor:
        cursor.execute(FUNCTIONS)
        cursor.execute("SELECT 1 FROM pg_tables WHERE tablename = 'rehab_dataversion'")
        if cursor.fetchone():
            cursor.execute(
                "INSERT INTO rehab_dataversion (id, number, epoch) "
                "VALUES (1, 1, gen_random_uuid()) "
                "ON CONFLICT (id) DO UPDATE SET number = rehab_dataversion.number + 1"
            )
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname IN (%s, %s)",
            [TRIGGER, DIRTY_TRIGGER],
        )
        present = set(cursor.fetchall())
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        existing = {row[0] for row in cursor.fetchall()}
        for table, update in sorted(tables.items()):
            if table not in existing:
                continue
            quoted = connection.ops.quote_name(table)
            if (table, TRIGGER) not in present:
                cursor.execute(
                    f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR {update} OR DELETE "
                    f"ON {quoted} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                    "EXECUTE FUNCTION rehab_data_version_bump()"
                )
            if (table, DIRTY_TRIGGER) not in present:
                cursor.execute(
                    f"CREATE TRIGGER {DIRTY_TRIGGER} AFTER INSERT OR {update} OR DELETE "
                    f"OR TRUNCATE ON {quoted} FOR EACH STATEMENT "
                    "EXECUTE FUNCTION rehab_data_dirty()"
                )
        # A TRUNCATE is not seen by row triggers: bump at once (new epoch if the
        # version row itself was truncated).
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [TRUNCATE_TRIGGER],
        )
        truncate_present = {row[0] for row in cursor.fetchall()}
        for table in sorted(set(tables) & existing - truncate_present):
            cursor.execute(
                f"CREATE TRIGGER {TRUNCATE_TRIGGER} AFTER TRUNCATE ON "
                f"{connection.ops.quote_name(table)} FOR EACH STATEMENT "
                "EXECUTE FUNCTION rehab_data_version_bump()"
            )


# The columns of the version (joined as `v`), for a statement that reads it beside
# other rows: `SELECT …, VERSION_COLUMNS FROM … LEFT JOIN rehab_dataversion v ON v.id = 1`.
VERSION_COLUMNS = "v.epoch, v.number, current_setting('rehab.data_dirty', true)"
# Where `rehab.accounts.backends.load_user` leaves the version it read with the user.
USER_ATTRIBUTE = "_rehab_data_version"


def version_of(epoch: Any, number: Any, dirty: Any) -> str | None:
    if dirty == "1":
        return None
    if epoch is None:  # a fresh database: the row comes with the first change
        return "0"
    return f"{epoch}:{number}"


def data_version() -> str | None:
    """`epoch:number` of the committed data, or None when this transaction has
    changed data itself (what it reads is not yet anyone else's). One query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {VERSION_COLUMNS} FROM (SELECT 1) one "  # noqa: S608 (a constant)
            "LEFT JOIN rehab_dataversion v ON v.id = 1"
        )
        return version_of(*cursor.fetchone())


def request_data_version(request: HttpRequest) -> str | None:
    """The data version as this request's signed-in user was read with it, at the
    start of the request (no query), else `data_version()`. For the page cache's key:
    a GET has changed nothing between reading its user and choosing its page."""
    user = getattr(request, "user", None)
    if user is not None and hasattr(user, USER_ATTRIBUTE):
        return getattr(user, USER_ATTRIBUTE)
    return data_version()


def cache_key(name: str, version: str, vary: Iterable[object]) -> str:
    parts = "\x1f".join(str(part) for part in (get_language() or "", *vary))
    digest = hashlib.sha256(parts.encode()).hexdigest()[:32]
    # The database's name too: checkouts that share one Redis never share entries.
    return f"dv:{connection.settings_dict['NAME']}:{name}:{version}:{digest}"


def cached(name: str, vary: Iterable[object], compute: Callable[[], Any]) -> Any:
    """`compute()`'s value, computed once per data version (and `vary`, and the
    language), then read from the cache. Computed afresh and not stored when this
    transaction has changed data itself."""
    version = data_version()
    if version is None:
        return compute()
    key = cache_key(name, version, vary)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def cached_html(name: str, vary: Iterable[object], render: Callable[[], str]) -> SafeString:
    """A rendered page part, once per data version (see `cached`)."""
    return mark_safe(cached(name, vary, lambda: str(render())))  # noqa: S308 (rendered by templates)


# A page part is cached without the request's CSRF token (which is per visitor): it
# is rendered with this placeholder, put back on every request. Derived from the
# secret key, so no text a user types can carry it (and be given the reader's token).
CSRF_PLACEHOLDER = "rehab-csrf-" + salted_hmac("rehab.csrf-placeholder", "1").hexdigest()[:32]
FILLING_PAGE = "_rehab_filling_page"


def filling_page(request: HttpRequest | None) -> bool:
    """True while the request renders a whole page for the page cache
    (rehab.pagecache): its CSRF token and session time stay placeholders, put in
    on the way out."""
    return bool(getattr(request, FILLING_PAGE, False))


def set_filling_page(request: HttpRequest, value: bool) -> None:
    setattr(request, FILLING_PAGE, value)


def render_cached(
    request: HttpRequest,
    template: str,
    *,
    name: str,
    vary: Iterable[object],
    body_template: str,
    body_context: Callable[[], dict[str, Any]],
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `template` (a page whose content is `{{ body }}`) with `body_template`
    rendered from `body_context()` once per data version, `vary` and language. `vary`
    must hold everything the body depends on besides the data: the user (or what of
    the user it shows), query parameters, the date."""

    def render_body() -> str:
        values = {**body_context(), "csrf_token": CSRF_PLACEHOLDER}
        return render_to_string(body_template, values, request)

    body = cached_html(name, vary, render_body)
    if CSRF_PLACEHOLDER in body and not filling_page(request):
        body = mark_safe(body.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308
    return render(request, template, {**(context or {}), "body": body}, status=status)
