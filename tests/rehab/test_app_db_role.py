"""The app's database role (`manage.py app_db_role`) owns nothing and may only add to
the audit trail: connected as that role, switching the triggers off, rewriting an
event and deleting history all fail, and pgtrigger's "ignore" setting is of no use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import InternalError, ProgrammingError, connection, transaction

from reporting.models import ReportEvent
from tests.factories import report_version

PASSWORD = "app-role-test-password"


@pytest.fixture
def app_role(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    role = f"{connection.settings_dict['NAME']}_app"
    monkeypatch.setenv("APP_DB_PASSWORD", PASSWORD)
    call_command("app_db_role", role)
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {connection.ops.quote_name(role)}")
        cursor.execute(f"DROP ROLE {connection.ops.quote_name(role)}")


def connect_as(role: str) -> psycopg.Connection[Any]:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=role,
        password=PASSWORD,
        autocommit=True,
    )


def refused(db: psycopg.Connection[Any], statement: str) -> str:
    with pytest.raises(psycopg.Error) as error:
        db.execute(statement)
    return str(error.value)


def test_app_role_cannot_switch_triggers_off_or_rewrite_the_audit_trail(app_role, coordinator):
    version = report_version(region="01", year=2012, quarter=1, user=coordinator)
    ReportEvent.objects.create(
        report_id=version.report_id, version=version, action="ACCEPTED", actor=coordinator
    )
    with connect_as(app_role) as db:
        # It does its ordinary work ...
        assert db.execute("SELECT count(*) FROM reporting_reportevent").fetchone() == (1,)
        # ... but cannot switch the freeze triggers off ...
        assert "must be owner" in refused(
            db, "ALTER TABLE reporting_reportversion DISABLE TRIGGER ALL"
        )
        assert "permission denied" in refused(db, "SET session_replication_role = replica")
        # ... rewrite an event, delete history or create tables of its own.
        assert "permission denied" in refused(db, "UPDATE reporting_reportevent SET note = 'x'")
        assert "permission denied" in refused(db, "DELETE FROM reporting_reportevent")
        assert "permission denied" in refused(db, "DELETE FROM reporting_reportversionevent")
        assert "permission denied" in refused(db, "UPDATE payments_runevent SET note = 'x'")
        assert "permission denied" in refused(db, "DELETE FROM django_migrations")
        assert "permission denied" in refused(db, "CREATE TABLE mine (id int)")
    assert ReportEvent.objects.get().note == ""


def test_history_and_events_refuse_update_and_delete_even_for_the_owner(db, coordinator):
    version = report_version(
        region="01", year=2012, quarter=1, user=coordinator, series={("KBT", "F", "PUBLIC"): 3}
    )
    ReportEvent.objects.create(
        report_id=version.report_id, version=version, action="ACCEPTED", actor=coordinator
    )
    statements = [
        "UPDATE reporting_reportevent SET note = 'x'",
        "DELETE FROM reporting_reportevent",
        "UPDATE reporting_reportversionevent SET pgh_label = 'x'",
        "DELETE FROM reporting_seriescountevent",
    ]
    outcomes = {}
    for statement in statements:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
                outcomes[statement] = f"changed {cursor.rowcount} rows"
        except (InternalError, ProgrammingError) as error:
            outcomes[statement] = "refused" if "Cannot" in str(error) else str(error)
    assert outcomes == dict.fromkeys(statements, "refused")
    assert ReportEvent.objects.get().note == ""


def test_pgtrigger_ignore_does_not_help_the_app_role(app_role, coordinator):
    version = report_version(region="01", year=2012, quarter=1, user=coordinator)
    ReportEvent.objects.create(
        report_id=version.report_id, version=version, action="ACCEPTED", actor=coordinator
    )
    name = connection.ops.quote_name(app_role)
    with connection.cursor() as cursor:
        # Even were it granted UPDATE, the append-only trigger would still hold for it.
        cursor.execute(f"GRANT UPDATE ON reporting_reportevent TO {name}")
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'reporting_reportevent'::regclass "
            "AND tgname LIKE 'pgtrigger_append_only%%'"
        )
        (trigger,) = cursor.fetchone()
    with connect_as(app_role) as db:
        db.execute(f"SET pgtrigger.ignore = '{{{trigger}}}'")
        assert "append_only" in refused(db, "UPDATE reporting_reportevent SET note = 'x'")
    assert ReportEvent.objects.get().note == ""
