"""Create or update the database role the web app and workers connect as.

Run by the database owner after every `migrate` (docker-compose's `migrate` job does).
The role owns nothing, so it cannot `ALTER TABLE … DISABLE TRIGGER`, and it is no
superuser, so it cannot `SET session_replication_role = replica`: the triggers that
freeze submitted versions and approved runs hold for it. Its grants:

* every table: SELECT, INSERT, UPDATE, DELETE, except
* the audit trail (report events, run events, payout exports and every pghistory
  history table): SELECT and INSERT only; `django_migrations`: SELECT only;
* the sequences: USAGE and SELECT.

pgtrigger lets a session skip a trigger by setting `pgtrigger.ignore`, which any role
may set; the command makes that setting count for nothing when the app role is the
current user (the function is re-created by migrations, hence run after each).
"""

from __future__ import annotations

import os
from typing import Any

import pghistory.models
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

#: Tables the app may only add to (besides every pghistory event table).
APPEND_ONLY_MODELS = (
    "reporting.ReportEvent",
    "reporting.AccountEvent",
    "payments.RunEvent",
    "payments.PayoutExport",
)
READ_ONLY_TABLES = ("django_migrations",)

IGNORE_GUARD = "-- rehab: the app role never skips a trigger"


def append_only_tables() -> list[str]:
    tables = {apps.get_model(label)._meta.db_table for label in APPEND_ONLY_MODELS}
    for model in apps.get_models():
        if issubclass(model, pghistory.models.Event):
            tables.add(model._meta.db_table)
    return sorted(tables)


class Command(BaseCommand):
    help = "Create or update the app's database role (no ownership, only the grants it needs)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("role", help="name of the role, e.g. rehab_app")
        parser.add_argument(
            "--password-env",
            default="APP_DB_PASSWORD",
            help="environment variable holding the role's password (default APP_DB_PASSWORD)",
        )

    def handle(self, *args: Any, role: str, password_env: str, **options: Any) -> None:
        password = os.environ.get(password_env, "")
        if not password:
            raise CommandError(f"Set {password_env} to the app role's password.")
        quote = connection.ops.quote_name
        name = quote(role)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            cursor.execute(
                f"{verb} ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                "NOREPLICATION NOBYPASSRLS PASSWORD %s",
                [password],
            )
            cursor.execute(
                f"GRANT CONNECT ON DATABASE {quote(connection.settings_dict['NAME'])} TO {name}"
            )
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {name}")
            cursor.execute(f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {name}")
            cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {name}")
            cursor.execute(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}"
            )
            for table in append_only_tables():
                cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {quote(table)} FROM {name}")
            for table in READ_ONLY_TABLES:
                cursor.execute(f"REVOKE INSERT, UPDATE, DELETE ON {quote(table)} FROM {name}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}")
            self._guard_trigger_ignore(cursor, role)
        self.stdout.write(
            f"Role {role}: grants set ({len(append_only_tables())} append-only tables)."
        )

    def _guard_trigger_ignore(self, cursor: Any, role: str) -> None:
        cursor.execute(
            "SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n "
            "ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
            "AND p.proname = '_pgtrigger_should_ignore'"
        )
        row = cursor.fetchone()
        if row is None:
            return
        definition: str = row[0]
        if IGNORE_GUARD in definition:
            definition = definition.split(IGNORE_GUARD)[0] + definition.split(IGNORE_GUARD)[2]
        head, begin, body = definition.partition("BEGIN")
        literal = "'" + role.replace("'", "''") + "'"
        guard = (
            f"{IGNORE_GUARD}\n IF current_user = {literal} THEN RETURN FALSE; END IF;"
            f" {IGNORE_GUARD}\n"
        )
        cursor.execute(head + begin + "\n" + guard + body)
