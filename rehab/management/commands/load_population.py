"""Load SCB population figures for one reference date and age band from a CSV
file `region;population` (län code; inhabitants). All or nothing."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from rehab.enums import AgeBand
from rehab.models import PopulationFigure, Region


class Command(BaseCommand):
    help = "Läser in befolkningsuppgifter (CSV region;population) för ett datum och en åldersgrupp."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--date", required=True, type=datetime.date.fromisoformat)
        parser.add_argument("--age-band", default=AgeBand.TOTAL, choices=AgeBand.values)
        parser.add_argument("--source", default="SCB")

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["file"].read_text(encoding="utf-8-sig")
        dialect = ";" if text.splitlines()[0].count(";") else ","
        rows = list(csv.DictReader(io.StringIO(text), delimiter=dialect))
        known = set(Region.objects.values_list("code", flat=True))
        errors, parsed = [], []
        for line, row in enumerate(rows, start=2):
            code = (row.get("region") or "").strip()
            raw = (row.get("population") or "").replace(" ", "").replace("\xa0", "")
            if code not in known:
                errors.append(f"Rad {line}: okänd region {code!r}.")
            elif not raw.isdigit():
                errors.append(f"Rad {line}: {row.get('population')!r} är inte ett heltal ≥ 0.")
            else:
                parsed.append((code, int(raw)))
        if errors:
            raise CommandError("Inget sparades.\n" + "\n".join(errors))
        with transaction.atomic():
            for code, population in parsed:
                PopulationFigure.objects.update_or_create(
                    region_id=code,
                    reference_date=options["date"],
                    age_band=options["age_band"],
                    defaults={"population": population, "source": options["source"]},
                )
        self.stdout.write(f"{len(parsed)} befolkningsuppgifter per {options['date']} sparade.")
