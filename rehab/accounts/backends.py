"""Signing in with a password: Django's ModelBackend, with the signed-in user read on
every request by one plain statement instead of a query built by the ORM.

Every page loads its user from the session's user id. The ORM builds that query
afresh each time (a third of a cached page's time, issue #12); `load_user` runs the
same SELECT of the same columns, and builds the model instance from the row as the
ORM would. The same statement reads the data version (rehab.dataversion), which the
page cache keys the page by (`request_data_version`).

Usually the statement is the session's own: the session store reads the session,
its user and the data version together (rehab/accounts/session_store.py) and offers
the user here; Django's authentication then asks `get_user` for the session's user
id, and gets that row without another query. An offer lasts one request and is only
taken for the same id. Authentication itself (the password check, django-axes, the
session's password hash) is unchanged."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections

from rehab.dataversion import USER_ATTRIBUTE, VERSION_COLUMNS, version_of

_OFFERED: ContextVar[Any] = ContextVar("rehab_offered_user", default=None)


def user_columns(alias: str) -> tuple[str, str]:
    """The user's columns (as `alias`) and the data version's (as `v`), for a SELECT
    whose row `user_from_row` reads."""
    meta = get_user_model()._meta
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns = ", ".join(f"{alias}.{quote(field.column)}" for field in meta.concrete_fields)
    return columns, VERSION_COLUMNS


def user_from_row(row: tuple[Any, ...]) -> Any:
    """The user of a row of `user_columns` (None when the user's columns are empty:
    an outer join found nobody), with the data version read beside it."""
    model = get_user_model()
    fields = model._meta.concrete_fields
    count = len(fields)
    if row[0] is None:
        return None
    connection = connections[DEFAULT_DB_ALIAS]
    values = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, row[:count], strict=True)
    ]
    user = model.from_db(DEFAULT_DB_ALIAS, [field.attname for field in fields], values)
    setattr(user, USER_ATTRIBUTE, version_of(*row[count:]))
    return user


def offer_user(user: Any) -> None:
    """This request's session has just read `user`: `load_user` may hand it out once."""
    _OFFERED.set(user)


def _forget_offer(**kwargs: Any) -> None:
    _OFFERED.set(None)


request_started.connect(_forget_offer, dispatch_uid="rehab_forget_offered_user")


def load_user(user_id: Any) -> Any:
    """The user with this primary key, or None."""
    model = get_user_model()
    meta = model._meta
    try:
        pk = meta.pk.to_python(user_id)
    except Exception:
        return None
    offered = _OFFERED.get()
    if offered is not None:
        _OFFERED.set(None)
        if offered.pk == pk:
            return offered
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    columns, version_columns = user_columns("u")
    table, key = quote(meta.db_table), quote(meta.pk.column)
    sql = (
        f"SELECT {columns}, {version_columns} FROM {table} u "  # noqa: S608 (model names)
        f"LEFT JOIN rehab_dataversion v ON v.id = 1 WHERE u.{key} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    return None if row is None else user_from_row(row)


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
