"""Changes of state in follow-up: loading SKR's published history."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from rehab.models import Region

from .enums import SKR_SOURCE, HistoryMeasure
from .models import PublishedFigure

HISTORY_CSV = Path(__file__).resolve().parent / "data" / "skr_history_2009_2018.csv"
NATIONAL = "ALL"


@dataclass(frozen=True)
class HistoryRow:
    region: str  # län code, or ALL for SKR's printed national total
    year: int
    measure: str
    count: int
    per_1000: Decimal | None


def history_read(path: Path = HISTORY_CSV) -> list[HistoryRow]:
    """SKR's tables 7–8 as published (`region;year;measure;count;per_1000`)."""
    with path.open(encoding="utf-8") as handle:
        return [
            HistoryRow(
                region=row["region"].strip(),
                year=int(row["year"]),
                measure=HistoryMeasure(row["measure"].strip()).value,
                count=int(row["count"]),
                per_1000=Decimal(row["per_1000"]) if row["per_1000"].strip() else None,
            )
            for row in csv.DictReader(handle, delimiter=";")
        ]


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} nya, {self.updated} ändrade, {self.unchanged} oförändrade"


@transaction.atomic
def history_load(*, path: Path = HISTORY_CSV) -> LoadCounts:
    """Load SKR's published history idempotently: a row is created once, updated only
    where the file differs, and a second run writes nothing. Figures are stored as
    printed (no correction of totals or of figures that look wrong).

    Effects: creates or updates PublishedFigure rows; nothing else."""
    counts = LoadCounts()
    regions = set(Region.objects.values_list("code", flat=True))
    existing = {
        (f.region_id or NATIONAL, f.year, f.measure): f for f in PublishedFigure.objects.all()
    }
    for row in history_read(path):
        if row.region != NATIONAL and row.region not in regions:
            raise ValueError(f"Okänd region {row.region} i SKR:s historik.")
        key = (row.region, row.year, row.measure)
        figure = existing.get(key)
        values = {"count": row.count, "per_1000": row.per_1000, "source": SKR_SOURCE}
        if figure is None:
            PublishedFigure.objects.create(
                region_id=None if row.region == NATIONAL else row.region,
                year=row.year,
                measure=row.measure,
                **values,
            )
            counts.created += 1
            continue
        changed = [name for name, value in values.items() if getattr(figure, name) != value]
        if changed:
            for name in changed:
                setattr(figure, name, values[name])
            figure.save(update_fields=changed)
            counts.updated += 1
        else:
            counts.unchanged += 1
    return counts
