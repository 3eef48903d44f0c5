"""manage.py import_reports FILE --user USERNAME [--dry-run] [--accept] [--max-rows N]

Loads a report file in the canonical format (CSV or XLSX) for any regions and
periods in it, all or nothing, with the same validation as an upload. --accept
(administrators and FK users) records each report as submitted and accepted, for
loading earlier years. The file is read on the server, so the upload limits of
ValidationSettings do not apply: up to --max-rows rows (default 200,000; ten
years of national history is some 30,000-40,000) and --max-bytes bytes (default
100 MB).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from rehab.models import User
from reporting.imports import ImportResult, report_import_file
from reporting.services import ReportError

MAX_ROWS = 200_000
MAX_BYTES = 100_000_000
ACTIONS = {"new": "nytt utkast", "update": "utkastet uppdateras", "accept": "godkänd version"}


class Command(BaseCommand):
    help = "Läser in rapporter från en fil i standardformatet (allt eller inget)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV- eller XLSX-fil i standardformatet.")
        parser.add_argument("--user", required=True, help="Användarnamn som inläsningen görs som.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Visa vad som skulle ändras, spara inget."
        )
        parser.add_argument(
            "--accept",
            action="store_true",
            help="Registrera rapporterna som inskickade och godkända (historiska år).",
        )
        parser.add_argument(
            "--max-rows",
            type=int,
            default=MAX_ROWS,
            help=f"Högsta antal rader i filen (standard {MAX_ROWS}).",
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=MAX_BYTES,
            help=f"Största fil i byte (standard {MAX_BYTES}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("sv"):
            self._handle(**options)

    def _handle(self, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"Användaren {options['user']} finns inte.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        try:
            result = report_import_file(
                name=path.name,
                data=path.read_bytes(),
                acting_user=user,
                dry_run=options["dry_run"],
                accept=options["accept"],
                max_rows=options["max_rows"],
                max_bytes=options["max_bytes"],
            )
        except ReportError as error:  # not allowed, or a report changed meanwhile
            raise CommandError(error.message) from error
        if not result.ok:
            raise CommandError(
                "Filen lästes inte in; inget sparades.\n"
                + "\n".join(error.message for error in result.errors)
            )
        self._report(result)

    def _report(self, result: ImportResult) -> None:
        if result.dry_run:
            self.stdout.write("Provkörning: inget sparas.")
        for report in result.reports:
            self.stdout.write(
                f"{report.region} {report.region_name} {report.period}: "
                f"{ACTIONS[report.action]}, version {report.version_number}, "
                f"{len(report.changes)} uppgifter ändras"
            )
            for change in report.changes:
                old = "–" if change.old is None else change.old
                self.stdout.write(f"  {change.key}: {old} -> {change.new}")
            for warning in report.warnings:
                self.stdout.write(f"  Varning: {warning.message}")
        verb = "Skulle ändra" if result.dry_run else "Sparat"
        self.stdout.write(
            f"{verb}: {len(result.reports)} rapporter, {result.changed_cells} uppgifter."
        )
