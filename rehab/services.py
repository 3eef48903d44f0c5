"""Services of the shared domain (they change state)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .enums import ProviderType
from .models import Agreement, CareUnit, Region, UnitCollection, User, WorkerHeartbeat


def worker_heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    """Record that the worker on `hostname` is alive: upserts one row per host
    and counts the beats."""
    now = timezone.now()
    beat, created = WorkerHeartbeat.objects.get_or_create(
        hostname=hostname, defaults={"seen_at": now, "beats": 1}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=beat.pk).update(seen_at=now, beats=F("beats") + 1)
        beat.refresh_from_db()
    return beat


# --------------------------------------------------------------------------- care units


class CareUnitError(Exception):
    """A refused change of care units: a message per problem (CSV: per row)."""

    def __init__(self, message: str, *, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def _require_units(user: User, region: Region | str) -> None:
    from .permissions import Action, can

    if not can(user, Action.MANAGE_UNITS, region):
        raise CareUnitError(_("Du har inte behörighet att ändra regionens vårdenheter."))


def _unit_problems(unit: CareUnit) -> list[str]:
    """The unit's field and uniqueness errors, as Swedish sentences."""
    try:
        unit.full_clean()
    except ValidationError as error:
        out = []
        labels = {f.name: str(f.verbose_name) for f in CareUnit._meta.fields}
        for field, messages in error.message_dict.items():
            label = labels.get(field, "")
            out += [f"{label}: {m}" if label else m for m in messages]
        return out
    return []


@transaction.atomic
def care_unit_save(
    *,
    region: Region,
    acting_user: User,
    unit: CareUnit | None = None,
    name: str,
    provider: str,
    hsa_id: str | None = None,
    active_from: datetime.date | None = None,
    active_to: datetime.date | None = None,
) -> CareUnit:
    """Create (unit=None) or change a care unit of `region`.
    Effects: the CareUnit row (its history in pghistory). Refused with CareUnitError
    (nothing saved) without the right to manage the region's units or for invalid
    fields (a name or HSA-id already used)."""
    _require_units(acting_user, region)
    if unit is not None and unit.region_id != region.code:
        raise CareUnitError(_("Enheten hör inte till regionen."))
    unit = unit or CareUnit(region=region)
    unit.name = name.strip()
    unit.provider = provider
    unit.hsa_id = (hsa_id or "").strip() or None
    unit.active_from = active_from
    unit.active_to = active_to
    problems = _unit_problems(unit)
    if problems:
        raise CareUnitError(_("Enheten sparades inte."), problems=problems)
    unit.save()
    return unit


CSV_COLUMNS = ("namn", "hsa_id", "vardgivare", "aktiv_fran", "aktiv_till")
_PROVIDER_WORDS = {
    "offentlig": ProviderType.PUBLIC,
    "public": ProviderType.PUBLIC,
    "privat": ProviderType.PRIVATE,
    "private": ProviderType.PRIVATE,
}


def _csv_date(text: str) -> datetime.date | None:
    text = text.strip()
    if not text:
        return None
    return datetime.date.fromisoformat(text)


@transaction.atomic
def care_units_import(*, region: Region, content: bytes, acting_user: User) -> list[CareUnit]:
    """Read a region's care units from CSV (`namn;hsa_id;vardgivare;aktiv_fran;aktiv_till`,
    a header row first, `;` or `,` between fields, UTF-8). A row updates the unit with
    the same HSA-id, else the one with the same name, else adds a unit.
    All or nothing: any bad row raises CareUnitError with one message per bad row
    ("Rad 3: …") and nothing is saved.
    Effects: CareUnit rows created or changed (history in pghistory)."""
    import csv
    import io

    _require_units(acting_user, region)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CareUnitError(_("Filen är inte UTF-8-kodad text.")) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CareUnitError(_("Filen är tom."))
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [
        h.strip().lower().replace("å", "a").replace("ä", "a").replace("-", "_") for h in rows[0]
    ]
    if header[: len(CSV_COLUMNS)] != list(CSV_COLUMNS):
        raise CareUnitError(
            _("Första raden ska vara kolumnnamnen %(columns)s.")
            % {"columns": ";".join(CSV_COLUMNS)}
        )
    existing = list(CareUnit.objects.filter(region=region))
    by_hsa = {u.hsa_id: u for u in existing if u.hsa_id}
    by_name = {u.name.lower(): u for u in existing}
    problems: list[str] = []
    units: list[CareUnit] = []
    seen_names: dict[str, int] = {}
    seen_hsa: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(field.strip() for field in row):
            continue
        row = [*row, *[""] * (len(CSV_COLUMNS) - len(row))]
        name, hsa, provider_text, from_text, to_text = (f.strip() for f in row[:5])
        row_problems: list[str] = []
        provider = _PROVIDER_WORDS.get(provider_text.lower())
        if provider is None:
            row_problems.append(
                _("vårdgivare ”%(value)s” ska vara offentlig eller privat.")
                % {"value": provider_text}
            )
        dates: list[datetime.date | None] = []
        for label, value in ((_("aktiv från"), from_text), (_("aktiv till"), to_text)):
            try:
                dates.append(_csv_date(value))
            except ValueError:
                dates.append(None)
                row_problems.append(
                    _("%(label)s ”%(value)s” är inget datum (ÅÅÅÅ-MM-DD).")
                    % {"label": label, "value": value}
                )
        if name.lower() in seen_names:
            row_problems.append(
                _("namnet ”%(name)s” finns redan på rad %(row)s.")
                % {"name": name, "row": seen_names[name.lower()]}
            )
        if hsa and hsa in seen_hsa:
            row_problems.append(
                _("HSA-id ”%(hsa)s” finns redan på rad %(row)s.")
                % {"hsa": hsa, "row": seen_hsa[hsa]}
            )
        seen_names[name.lower()] = number
        if hsa:
            seen_hsa[hsa] = number
        unit = (
            (by_hsa.get(hsa) if hsa else None)
            or by_name.get(name.lower())
            or CareUnit(region=region)
        )
        unit.name, unit.hsa_id, unit.provider = name, hsa or None, provider or ""
        unit.active_from, unit.active_to = dates
        if not row_problems:
            row_problems = _unit_problems(unit)
        problems += [
            _("Rad %(row)s: %(problem)s") % {"row": number, "problem": p} for p in row_problems
        ]
        units.append(unit)
    if not units and not problems:
        raise CareUnitError(_("Filen innehåller inga enheter."))
    if problems:
        raise CareUnitError(
            _("Inget lästes in: rätta raderna nedan och ladda upp filen igen."), problems=problems
        )
    for unit in units:
        unit.save()
    return units


@transaction.atomic
def unit_collection_set(
    *, region: Region, agreement: Agreement, per_unit: bool, acting_user: User
) -> UnitCollection:
    """Whether `region` collects its figures per care unit in `agreement`'s year.
    Effects: the UnitCollection row (history in pghistory)."""
    _require_units(acting_user, region)
    row, _created = UnitCollection.objects.select_for_update().get_or_create(
        region=region, agreement=agreement, defaults={"per_unit": per_unit}
    )
    if row.per_unit != per_unit:
        row.per_unit = per_unit
        row.save(update_fields=["per_unit"])
    return row
