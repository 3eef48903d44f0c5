"""Print one year's statistics as CSV `region;measure;key;value`, one row per figure.

`region` is the län code, or ALL for the nation. Measures and keys:
treatments (treatment code), sex (F, M), provider (PUBLIC, PRIVATE),
contacts (EMPLOYER, AF), per_1000 (KBT_IPT, MMR: one decimal, half up, with a
decimal point). Only accepted report versions count. A region without an
accepted report has no rows (no silent zeros), and neither has a per-1,000
figure without a population: both are listed on stderr.

`--history` prints SKR's published history in the same columns: measure
`history_count` or `history_per_1000`, key `KBT_IPT:2015` (group and year),
values as SKR published them (source: SKR).
"""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followup import open_data, selectors
from rehab.formatting import spreadsheet_row


class Command(BaseCommand):
    help = "Skriver ut årets statistik som CSV (region;measure;key;value)."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--year", type=int)
        which.add_argument(
            "--history", action="store_true", help="SKR:s publicerade historik (Källa: SKR)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        writer = csv.writer(self.stdout, delimiter=";", lineterminator="\n")
        if options["history"]:
            history = selectors.published_history()
            if not history:
                raise CommandError("Ingen publicerad historik är inläst (kör load_reference_data).")
            writer.writerow(["region", "measure", "key", "value"])
            for row in open_data.history_rows(history):
                writer.writerow(spreadsheet_row([row.region, row.measure, row.key, row.value]))
            self.stderr.write("Källa: SKR (publicerade siffror, oförändrade).")
            return
        agreement = next(
            (a for a in selectors.agreements_with_periods() if a.year == options["year"]), None
        )
        if agreement is None:
            raise CommandError(f"Det finns ingen överenskommelse för {options['year']}.")
        result = open_data.year_rows(selectors.year_figures(agreement))
        writer.writerow(["region", "measure", "key", "value"])
        for row in result.rows:
            writer.writerow(spreadsheet_row([row.region, row.measure, row.key, row.value]))
        for note in result.notes:
            self.stderr.write(note)
