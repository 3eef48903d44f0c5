"""Sessions in the database, read together with their user and the data version.

Django's database session engine, on the model `rehab.models.Session`, which keeps
the signed-in user's id beside the session data. Loading a session is one statement
that also reads the user's row and the data version (rehab.dataversion); the user is
handed to `rehab.accounts.backends.load_user`, which Django's authentication then
asks for that user on the same request, so a signed-in request reads its session,
its user and the data version in one round trip (issue #12). Everything else —
signing, expiry, saving, cycling the key on sign-in, deleting on sign-out — is
Django's own.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections
from django.utils import timezone

from .backends import offer_user, user_columns, user_from_row


class _PreparedCursor(psycopg.Cursor[Any]):
    """A cursor that binds parameters on the server and prepares its statements."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=True)


def prepared_cursor(connection: Any) -> Any:
    """A cursor (counted and wrapped as Django's own) whose statement PostgreSQL
    prepares once per connection: planning the session's three-table statement
    costs it four times what running it does, on every request otherwise."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = _PreparedCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls) -> Any:
        from rehab.models import Session

        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        session = super().create_model_instance(data)
        try:
            session.user_id = int(data.get(SESSION_KEY))  # type: ignore[arg-type,attr-defined]
        except (TypeError, ValueError):
            session.user_id = None  # type: ignore[attr-defined]
        return session

    def _get_session_from_db(self) -> Any:
        if self.session_key is None:
            return None
        model = self.model
        users = get_user_model()._meta
        connection = connections[DEFAULT_DB_ALIAS]
        quote = connection.ops.quote_name
        columns, version_columns = user_columns("u")
        sessions = quote(model._meta.db_table)
        table, key = quote(users.db_table), quote(users.pk.column)
        sql = (
            "SELECT s.session_key, s.session_data, s.expire_date, "  # noqa: S608 (model names)
            f"{columns}, {version_columns} FROM {sessions} s "
            f"LEFT JOIN {table} u ON u.{key} = s.user_id "
            "LEFT JOIN rehab_dataversion v ON v.id = 1 "
            "WHERE s.session_key = %s AND s.expire_date > %s"
        )
        params: list[Any] = [self.session_key, timezone.now()]
        try:
            with prepared_cursor(connection) as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
        except NotSupportedError as error:
            # "cached plan must not change result type": a migration changed a column
            # this connection's prepared statement returns. Forget the connection's
            # prepared statements (psycopg too, which watches for DEALLOCATE ALL) and
            # read once more; a new statement is prepared next time.
            if "cached plan" not in str(error) or not connection.get_autocommit():
                raise
            with connection.cursor() as cursor:
                cursor.execute("DEALLOCATE ALL")
                cursor.execute(sql, params)
                row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        session = model(session_key=row[0], session_data=row[1], expire_date=row[2])
        user = user_from_row(row[3:])
        if user is not None:
            offer_user(user)
        return session
