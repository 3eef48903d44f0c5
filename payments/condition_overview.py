"""Reads for the overview of an agreement year's conditions: FK's table of
conditions × regions (status, deadlines, payment dates, runs, warnings) and a
region's list of the year's conditions with what is due next. A fixed number of
queries whatever the number of accounts, reports and runs."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rehab.enums import ConditionKind
from rehab.formatting import format_int
from rehab.models import Agreement, Condition, Region
from reporting.accounts.selectors import AccountState, account_states
from reporting.enums import VersionStatus
from reporting.models import ReportVersion

from .enums import Instalment, RunKind, RunStatus
from .models import PayoutLine, PayoutRun

WARNING_DAYS = 14


@dataclass(frozen=True)
class Cell:
    region: Region
    state: str  # AccountState value, or "" for a treatment condition
    label: str


@dataclass
class ConditionRow:
    condition: Condition
    cells: list[Cell]
    runs: list[PayoutRun] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_deliverable(self) -> bool:
        return self.condition.kind == ConditionKind.DELIVERABLE

    def approved(self, instalment: str) -> bool:
        return any(r.status == RunStatus.APPROVED and r.instalment == instalment for r in self.runs)


def _due_warning(
    due: datetime.date | None, approved: bool, today: datetime.date, what: str
) -> str | None:
    if due is None or approved:
        return None
    days = (due - today).days
    if days > WARNING_DAYS:
        return None
    if days < 0:
        return _(
            "%(what)s skulle ha betalats ut senast %(due)s och körningen är inte attesterad."
        ) % {
            "what": what,
            "due": due.isoformat(),
        }
    return ngettext(
        "%(what)s ska betalas ut senast %(due)s (om %(n)s dag) och körningen är inte attesterad.",
        "%(what)s ska betalas ut senast %(due)s (om %(n)s dagar) och körningen är inte attesterad.",
        days,
    ) % {"what": what, "due": due.isoformat(), "n": format_int(days)}


def _treatment_labels(conditions: list[Condition]) -> dict[tuple[int, str], str]:
    """Per treatment condition × region: how many of its periods FK has accepted."""
    periods: dict[int, int] = defaultdict(int)
    for condition in conditions:
        periods[condition.pk] = len(condition.periods.all())
    accepted: dict[tuple[int, str], int] = defaultdict(int)
    for condition_id, region in ReportVersion.objects.filter(
        report__period__condition__in=conditions,
        status=VersionStatus.ACCEPTED,
    ).values_list("report__period__condition_id", "report__region_id"):
        accepted[(condition_id, region)] += 1
    labels: dict[tuple[int, str], str] = {}
    for (condition_id, region), count in accepted.items():
        total = periods[condition_id]
        labels[(condition_id, region)] = (
            _("Godkänd")
            if count >= total
            else _("%(n)s av %(total)s perioder godkända") % {"n": count, "total": total}
        )
    return labels


def _paid_regions(conditions: list[Condition]) -> set[tuple[int, str]]:
    """Condition × region pairs an approved run has paid the condition's share to
    (the remainder, or the whole when the condition has no advance)."""
    return {
        (condition_id, region)
        for condition_id, region in PayoutLine.objects.filter(
            run__kind=RunKind.CONDITION,
            run__status=RunStatus.APPROVED,
            run__instalment=Instalment.REMAINDER,
            run__condition__in=conditions,
            entitled_ore__gt=0,
        ).values_list("run__condition_id", "region_id")
    }


def year_conditions(
    agreement: Agreement, *, regions: list[Region], today: datetime.date
) -> list[ConditionRow]:
    """The agreement's conditions, each with a cell per region in `regions` and its
    runs, and warnings for payments due within 14 days whose run is not approved."""
    conditions = list(
        Condition.objects.filter(agreement=agreement)
        .select_related("agreement")
        .prefetch_related("periods")
        .order_by("sort_order", "code")
    )
    deliverables = [c for c in conditions if c.kind == ConditionKind.DELIVERABLE]
    treatments = [c for c in conditions if c.kind == ConditionKind.TREATMENTS]
    states = account_states(deliverables) if deliverables else {}
    paid = _paid_regions(deliverables) if deliverables else set()
    treatment_labels = _treatment_labels(treatments) if treatments else {}
    runs: dict[int | None, list[PayoutRun]] = defaultdict(list)
    for run in (
        PayoutRun.objects.filter(agreement=agreement)
        .select_related("agreement", "condition", "approved_by")
        .order_by("-created_at", "-pk")
    ):
        runs[run.condition_id].append(run)
    rows = []
    for condition in conditions:
        cells = []
        for region in regions:
            key = (condition.pk, region.code)
            if condition.kind == ConditionKind.DELIVERABLE:
                state = (
                    AccountState.PAID if key in paid else states.get(key, AccountState.NOT_STARTED)
                )
                cells.append(Cell(region, str(state), str(AccountState(state).label)))
            else:
                cells.append(Cell(region, "", treatment_labels.get(key, _("Ingen godkänd"))))
        row = ConditionRow(condition, cells)
        if condition.kind == ConditionKind.DELIVERABLE:
            row.runs = runs.get(condition.pk, [])
            warnings = [
                _due_warning(
                    condition.advance_payment_due,
                    row.approved(Instalment.ADVANCE),
                    today,
                    _("Förskottet för %(code)s") % {"code": condition.code},
                )
                if condition.advance_share is not None
                else None,
                _due_warning(
                    condition.payment_due,
                    row.approved(Instalment.REMAINDER),
                    today,
                    _("Villkor %(code)s") % {"code": condition.code},
                ),
            ]
            row.warnings = [w for w in warnings if w]
        else:
            row.runs = runs.get(None, [])
        rows.append(row)
    return rows


def _treatment_next_step(condition: Condition, region: Region) -> tuple[str, datetime.date | None]:
    """What the region has to do next for a treatment condition: the first period
    (by deadline) with no report accepted or waiting for FK, and its deadline."""
    periods = sorted(condition.periods.all(), key=lambda p: (p.deadline, p.start_date))
    latest: dict[int, str] = {}
    accepted: set[int] = set()
    for period_id, status in (
        ReportVersion.objects.filter(report__region=region, report__period__condition=condition)
        .order_by("report__period_id", "number")
        .values_list("report__period_id", "status")
    ):
        latest[period_id] = status
        if status in (VersionStatus.ACCEPTED, VersionStatus.SUPERSEDED):
            accepted.add(period_id)
    waiting = False
    for period in periods:
        if period.pk in accepted:
            continue
        if latest.get(period.pk) == VersionStatus.SUBMITTED:
            waiting = True
            continue
        return (
            _("Lämna behandlingsrapporten för %(period)s senast %(date)s.")
            % {"period": period.code, "date": period.deadline.isoformat()},
            period.deadline,
        )
    if waiting:
        return _("Väntar på Försäkringskassans granskning."), None
    if not periods:
        return _("Inga rapporteringsperioder inlagda."), None
    due = condition.payment_due or condition.agreement.payment_due
    if due:
        return _("Alla rapporter godkända. Utbetalas senast %(date)s.") % {
            "date": due.isoformat()
        }, due
    return _("Alla rapporter godkända."), None


@dataclass(frozen=True)
class RegionCondition:
    condition: Condition
    state: str
    label: str
    next_step: str
    due: datetime.date | None


def region_conditions(
    agreement: Agreement, *, region: Region, today: datetime.date
) -> list[RegionCondition]:
    """Every condition of the year for one region, with its status and what is due next."""
    rows = year_conditions(agreement, regions=[region], today=today)
    out = []
    for row in rows:
        condition = row.condition
        cell = row.cells[0]
        if condition.kind != ConditionKind.DELIVERABLE:
            step, treatment_due = _treatment_next_step(condition, region)
            out.append(RegionCondition(condition, cell.state, cell.label, step, treatment_due))
            continue
        deadline = condition.report_deadline
        due: datetime.date | None
        if cell.state in (AccountState.NOT_STARTED, AccountState.DRAFT):
            due = deadline
            step = (
                _("Lämna återrapporteringen senast %(date)s.") % {"date": deadline.isoformat()}
                if deadline
                else _("Lämna återrapporteringen.")
            )
        elif cell.state == AccountState.RETURNED:
            due, step = deadline, _("Komplettera redovisningen och skicka in den igen.")
        elif cell.state == AccountState.SUBMITTED:
            due, step = None, _("Väntar på Försäkringskassans bedömning.")
        elif cell.state == AccountState.FULFILLED:
            due = condition.payment_due
            step = (
                _("Uppfyllt. Utbetalas senast %(date)s.") % {"date": due.isoformat()}
                if due
                else _("Uppfyllt. Väntar på utbetalning.")
            )
        elif cell.state == AccountState.NOT_FULFILLED:
            due, step = None, _("Inte uppfyllt: resten av andelen betalas inte ut.")
        else:
            due, step = None, _("Utbetald.")
        out.append(RegionCondition(condition, cell.state, cell.label, step, due))
    return out
