"""Print one year's statistics as CSV `region;measure;key;value`, one row per figure.

`region` is the län code, or ALL for the nation. Measures and keys:
treatments (treatment code), sex (F, M), provider (PUBLIC, PRIVATE),
contacts (EMPLOYER, AF), per_1000 (KBT_IPT, MMR: one decimal, half up, with a
decimal point). Only accepted report versions count. A region without an
accepted report has no rows (no silent zeros), and neither has a per-1,000
figure without a population: both are listed on stderr.
"""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followup import selectors
from followup.arith import per_1000
from followup.tables import NATIONAL


class Command(BaseCommand):
    help = "Skriver ut årets statistik som CSV (region;measure;key;value)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        agreement = next(
            (a for a in selectors.agreements_with_periods() if a.year == options["year"]), None
        )
        if agreement is None:
            raise CommandError(f"Det finns ingen överenskommelse för {options['year']}.")
        f = selectors.year_figures(agreement)
        writer = csv.writer(self.stdout, delimiter=";", lineterminator="\n")
        writer.writerow(["region", "measure", "key", "value"])
        any_data = False
        for region in f.regions:
            status = f.status[region.code]
            if not status.has_data:
                self.stderr.write(f"{region.code}: inga godkända rapporter för {f.year}.")
                continue
            any_data = True
            if not status.complete:
                self.stderr.write(
                    f"{region.code}: bara {len(status.accepted)} av {status.periods} "
                    f"kvartal godkända för {f.year}."
                )
            self._rows(
                writer,
                f,
                region.code,
                f.by_treatment.get(region.code, {}),
                f.summary.get(region.code, selectors.Summary()),
                f.contacts.get(region.code, selectors.Contacts()),
                f.population.by_region.get(region.code),
            )
        if any_data:
            self._rows(
                writer,
                f,
                NATIONAL,
                f.national_by_treatment,
                f.national_summary,
                f.national_contacts,
                f.population.national,
            )

    def _rows(
        self,
        writer: Any,
        f: selectors.YearFigures,
        code: str,
        by_treatment: dict[str, int],
        summary: selectors.Summary,
        contacts: selectors.Contacts,
        population: int | None,
    ) -> None:
        for treatment in f.treatments:
            writer.writerow(
                [code, "treatments", treatment.code, by_treatment.get(treatment.code, 0)]
            )
        writer.writerow([code, "sex", "F", summary.female])
        writer.writerow([code, "sex", "M", summary.male])
        writer.writerow([code, "provider", "PUBLIC", summary.public])
        writer.writerow([code, "provider", "PRIVATE", summary.private])
        writer.writerow([code, "contacts", "EMPLOYER", contacts.employer])
        writer.writerow([code, "contacts", "AF", contacts.af])
        if population is None:
            self.stderr.write(f"{code}: befolkningsuppgift saknas, inget per 1 000.")
            return
        writer.writerow([code, "per_1000", "KBT_IPT", per_1000(summary.kbt_ipt, population)])
        writer.writerow([code, "per_1000", "MMR", per_1000(summary.mmr, population)])
