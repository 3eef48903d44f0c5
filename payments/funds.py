"""The region's use of the money it received (*medelsanvändning*).

Reads: `funds_received` (approved payouts of an agreement year to a region),
`funds_current`, `funds_split_proposal` (a chosen amount split by each unit's share
of the completed series, largest remainder, to the öre), `unit_allotments`.
Service: `funds_use_save` (a new version of the account; never an edit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from rehab.models import Agreement, CareUnit, Region, User
from rehab.permissions import Action, can
from reporting.models import UnitSeriesCount

from .engine.money import split_largest_remainder
from .enums import RunStatus
from .models import FundsUse, FundsUseRow, PayoutLine


class FundsError(Exception):
    """A refused account of the use of money: a code, a message, and per-row problems."""

    def __init__(self, message: str, *, code: str = "funds_error", problems: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.code = code
        self.problems = list(problems)


@dataclass(frozen=True)
class FundsRow:
    """A row as entered: `unit_id` or `purpose` (exactly one), and the amount in öre."""

    amount_ore: int
    unit_id: int | None = None
    purpose: str = ""


# --------------------------------------------------------------------------- reads


def funds_received(region: Region | str, agreement: Agreement) -> int:
    """Öre paid to the region under the agreement by approved payout runs (claw-backs
    netted)."""
    code = region.code if isinstance(region, Region) else region
    total = PayoutLine.objects.filter(
        region_id=code, run__agreement=agreement, run__status=RunStatus.APPROVED
    ).aggregate(total=Sum("amount_ore"))["total"]
    return max(int(total or 0), 0)


def funds_current(region: Region | str, agreement: Agreement) -> FundsUse | None:
    """The account in force (the latest version), its rows prefetched with their units."""
    code = region.code if isinstance(region, Region) else region
    return (
        FundsUse.objects.filter(region_id=code, agreement=agreement)
        .select_related("created_by")
        .prefetch_related("rows__unit")
        .order_by("-number")
        .first()
    )


def unit_series(region: Region | str, agreement: Agreement) -> dict[int, int]:
    """{unit id: completed series} of the region's units in the accepted versions of
    the agreement's reports (the units' production of the year)."""
    code = region.code if isinstance(region, Region) else region
    rows = (
        UnitSeriesCount.objects.filter(
            unit_figures__version__report__region_id=code,
            unit_figures__version__report__period__agreement=agreement,
            unit_figures__version__report__accepted_version=F("unit_figures__version"),
        )
        .values("unit_figures__unit")
        .annotate(total=Sum("value"))
    )
    return {row["unit_figures__unit"]: int(row["total"]) for row in rows}


def funds_split_proposal(
    *, region: Region | str, agreement: Agreement, amount_ore: int
) -> dict[int, int]:
    """`amount_ore` split among the region's units by each one's share of the completed
    series of the year (largest remainder: the parts add up to the amount to the öre;
    ties by unit id). Units without series get 0. Raises FundsError "no_series" when no
    unit has any accepted series to share by."""
    series = unit_series(region, agreement)
    if not any(series.values()):
        raise FundsError(
            _("Inga enheter har godkända behandlingar för %(year)s att fördela efter.")
            % {"year": agreement.year},
            code="no_series",
        )
    return proposal_from_series(series, amount_ore)


def proposal_from_series(series: dict[int, int], amount_ore: int) -> dict[int, int]:
    """The arithmetic of the proposal: `amount_ore` split by {unit id: series} with the
    project's largest-remainder helper (ties by unit id, ascending)."""
    parts = split_largest_remainder(amount_ore, {f"{k:012d}": v for k, v in series.items()})
    return {int(key): value for key, value in parts.items()}


@dataclass(frozen=True)
class Allotment:
    year: int
    amount_ore: int
    received_ore: int
    saved_at: object


def unit_allotments(unit: CareUnit) -> list[Allotment]:
    """What the unit was allotted, per agreement year, in the accounts in force."""
    latest = (
        FundsUse.objects.filter(region_id=unit.region_id)
        .order_by("agreement_id", "-number")
        .distinct("agreement_id")
        .values_list("pk", flat=True)
    )
    rows = (
        FundsUseRow.objects.filter(funds_use_id__in=list(latest), unit=unit)
        .values("funds_use__agreement__year", "funds_use__received_ore", "funds_use__created_at")
        .annotate(total=Sum("amount_ore"))
        .order_by("-funds_use__agreement__year")
    )
    return [
        Allotment(
            year=row["funds_use__agreement__year"],
            amount_ore=int(row["total"]),
            received_ore=row["funds_use__received_ore"],
            saved_at=row["funds_use__created_at"],
        )
        for row in rows
    ]


# --------------------------------------------------------------------------- service


@transaction.atomic
def funds_use_save(
    *,
    region: Region,
    agreement: Agreement,
    rows: Sequence[FundsRow],
    based_on: int,
    acting_user: User,
    note: str = "",
) -> FundsUse:
    """Record the region's use of the money of the agreement year: a NEW version
    (number + 1) with `rows`; earlier versions stay as they were.
    Effects: FundsUse and FundsUseRow rows (pghistory records the FundsUse).
    Refused (nothing saved), with FundsError: without the right (code "not_allowed");
    before any approved payout ("nothing_received"); when `based_on` (the version
    number the user started from, 0 for none) is not the latest ("stale"); for a row
    with neither or both of unit and purpose, a unit of another region, or a
    negative amount ("invalid_row", one problem per row); when the rows add up to
    more than received ("over_received")."""
    if not can(acting_user, Action.RECORD_FUNDS_USE, region):
        raise FundsError(_("Du har inte behörighet att göra detta."), code="not_allowed")
    # One account at a time per region and year: lock the region's row.
    Region.objects.select_for_update().get(pk=region.pk)
    received = funds_received(region, agreement)
    if received == 0:
        raise FundsError(
            _("Regionen har inga attesterade utbetalningar för %(year)s än.")
            % {"year": agreement.year},
            code="nothing_received",
        )
    latest = (
        FundsUse.objects.filter(region=region, agreement=agreement)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    )
    if latest != based_on:
        raise FundsError(
            _(
                "Medelsanvändningen har sparats av någon annan efter att du öppnade den (nu "
                "version %(number)s). Dina ändringar sparades inte. Ladda om sidan."
            )
            % {"number": latest},
            code="stale",
        )
    units = set(CareUnit.objects.filter(region=region).values_list("pk", flat=True))
    problems = []
    for number, row in enumerate(rows, start=1):
        if (row.unit_id is None) == (not row.purpose.strip()):
            problems.append(
                _("Rad %(n)s: ange antingen en enhet eller ett ändamål.") % {"n": number}
            )
        elif row.unit_id is not None and row.unit_id not in units:
            problems.append(_("Rad %(n)s: enheten hör inte till regionen.") % {"n": number})
        if row.amount_ore < 0:
            problems.append(_("Rad %(n)s: beloppet får inte vara negativt.") % {"n": number})
    if problems:
        raise FundsError(
            _("Medelsanvändningen sparades inte: rätta raderna."),
            code="invalid_row",
            problems=problems,
        )
    total = sum(row.amount_ore for row in rows)
    if total > received:
        from rehab.formatting import format_kronor

        raise FundsError(
            _(
                "Raderna blir %(total)s kr, mer än de %(received)s kr regionen har fått för "
                "%(year)s."
            )
            % {
                "total": format_kronor(total),
                "received": format_kronor(received),
                "year": agreement.year,
            },
            code="over_received",
        )
    funds_use = FundsUse.objects.create(
        region=region,
        agreement=agreement,
        number=latest + 1,
        received_ore=received,
        note=note.strip(),
        created_by=acting_user,
    )
    FundsUseRow.objects.bulk_create(
        FundsUseRow(
            funds_use=funds_use,
            position=position,
            unit_id=row.unit_id,
            purpose="" if row.unit_id is not None else row.purpose.strip(),
            amount_ore=row.amount_ore,
        )
        for position, row in enumerate(rows, start=1)
    )
    return funds_use


def distributed(funds_use: FundsUse | None) -> tuple[int, int]:
    """(öre to care units, öre to other purposes) of an account."""
    if funds_use is None:
        return 0, 0
    out: dict[bool, int] = defaultdict(int)
    for row in funds_use.rows.all():
        out[row.unit_id is not None] += row.amount_ore
    return out[True], out[False]


@dataclass(frozen=True)
class PassedOn:
    """A region's recorded use of the money of a year: how much went to care units."""

    region: str
    region_name: str
    received_ore: int
    to_units_ore: int

    @property
    def share(self) -> float | None:
        return self.to_units_ore / self.received_ore if self.received_ore else None


def funds_passed_on(agreement: Agreement) -> list[PassedOn]:
    """Per region that has recorded its use of the agreement year's money (the account
    in force), the share passed on to care units. Two queries."""
    latest = list(
        FundsUse.objects.filter(agreement=agreement)
        .order_by("region_id", "-number")
        .distinct("region_id")
        .values_list("pk", flat=True)
    )
    rows = (
        FundsUse.objects.filter(pk__in=latest)
        .select_related("region")
        .annotate(to_units=Sum("rows__amount_ore", filter=Q(rows__unit__isnull=False)))
        .order_by("region_id")
    )
    return [
        PassedOn(
            region=fu.region_id,
            region_name=fu.region.name,
            received_ore=fu.received_ore,
            to_units_ore=int(fu.to_units or 0),
        )
        for fu in rows
    ]
