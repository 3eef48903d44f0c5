"""Signing in with a password: Django's ModelBackend, with the signed-in user read on
every request by one plain statement instead of a query built by the ORM.

Every page loads its user from the session's user id. The ORM builds that query
afresh each time (a third of a cached page's time, issue #12); `load_user` runs the
same SELECT of the same columns, and builds the model instance from the row as the
ORM would. The same statement reads the data version (rehab.dataversion), which the
page cache keys the page by (`request_data_version`), so a page served from the
cache costs this one query. Authentication itself (the password check,
django-axes) is unchanged."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import DEFAULT_DB_ALIAS, connections

from rehab.dataversion import USER_ATTRIBUTE, VERSION_COLUMNS, version_of


def load_user(user_id: Any) -> Any:
    """The user with this primary key, or None."""
    model = get_user_model()
    meta = model._meta
    try:
        pk = meta.pk.to_python(user_id)
    except Exception:
        return None
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    fields = [field.attname for field in meta.concrete_fields]
    sql = (  # noqa: S608 (names from the model)
        "SELECT {}, {} FROM {} u LEFT JOIN rehab_dataversion v ON v.id = 1 WHERE u.{} = %s"
    ).format(
        ", ".join("u." + quote(field.column) for field in meta.concrete_fields),
        VERSION_COLUMNS,
        quote(meta.db_table),
        quote(meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    count = len(fields)
    values = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(meta.concrete_fields, row[:count], strict=True)
    ]
    user = model.from_db(DEFAULT_DB_ALIAS, fields, values)
    setattr(user, USER_ATTRIBUTE, version_of(*row[count:]))
    return user


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
