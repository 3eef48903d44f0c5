"""Reads of payments: runs per agreement, a run's lines and totals, a region's payouts,
and what a draft report would pay (`payout_preview`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from rehab.enums import PayoutModel
from rehab.models import Agreement, Region
from rehab.selectors import period_code
from reporting.enums import CONTACT_KINDS
from reporting.models import ExtraCount, Report, ReportVersion, SeriesCount
from reporting.selectors import accepted_versions

from . import calculation
from .enums import ExportKind, RunKind, RunStatus
from .explanations import explain_line
from .models import PayoutExport, PayoutLine, PayoutRun
from .run_inputs import InputsMissing, run_inputs_gather


@dataclass(frozen=True)
class AgreementRuns:
    """An agreement's runs and how its frame has been paid out so far."""

    agreement: Agreement
    runs: list[PayoutRun]
    paid_ore: int  # by approved runs

    @property
    def frame_ore(self) -> int:
        return self.agreement.frame_ore

    @property
    def bonus_cap_ore(self) -> int:
        return self.agreement.contact_bonus_cap_ore

    @property
    def remaining_ore(self) -> int:
        """Frame (plus the bonus pot under model B) not yet paid by approved runs."""
        return self.frame_ore + self.bonus_cap_ore - self.paid_ore


def runs_overview(*, year: int | None = None) -> list[AgreementRuns]:
    """Agreements that have runs (or the one of `year`), newest first, each with its
    runs and what approved runs paid. Three queries whatever the number of runs."""
    runs = PayoutRun.objects.select_related("agreement", "started_by", "approved_by").order_by(
        "-agreement__year", "kind", "quarter", "-round", "-pk"
    )
    agreements = Agreement.objects.filter(payout_runs__isnull=False)
    if year is not None:
        runs = runs.filter(agreement__year=year)
        agreements = Agreement.objects.filter(year=year)
    by_agreement: dict[int, list[PayoutRun]] = defaultdict(list)
    for run in runs:
        by_agreement[run.agreement_id].append(run)
    paid = dict(
        PayoutRun.objects.filter(status=RunStatus.APPROVED)
        .values_list("agreement_id")
        .annotate(total=Sum("total_ore"))
        .order_by()
    )
    return [
        AgreementRuns(agreement, by_agreement.get(agreement.pk, []), paid.get(agreement.pk) or 0)
        for agreement in agreements.distinct().order_by("-year")
    ]


@dataclass(frozen=True)
class ExplainedLine:
    line: PayoutLine
    sentences: list[str]


@dataclass(frozen=True)
class Total:
    label: str
    amount_ore: int


@dataclass(frozen=True)
class RunView:
    run: PayoutRun
    lines: list[ExplainedLine]
    totals: list[Total]
    reconciles: bool
    exports: list[PayoutExport]
    events: list[Any]
    basis_changed: bool = False  # reports accepted since the run was calculated


def run_lines(run: PayoutRun, *, regions: Sequence[str] | None = None) -> list[ExplainedLine]:
    """The run's lines (optionally only `regions`) with their explanations."""
    lines = run.lines.select_related("region").order_by("region_id")
    if regions is not None:
        lines = lines.filter(region_id__in=list(regions))
    approver = run.approved_by
    approved_by = (approver.get_full_name() or approver.username) if approver else ""
    return [
        ExplainedLine(line, explain_line(run.inputs, line, approved_by=approved_by))
        for line in lines
    ]


def run_totals(run: PayoutRun, lines: Sequence[PayoutLine]) -> tuple[list[Total], bool]:
    """The run's sums, and whether they reconcile with the agreement's frame."""
    inputs = run.inputs
    params = inputs.get("params", {})
    frame = int(params.get("frame_ore", run.agreement.frame_ore))
    amount = sum(line.amount_ore for line in lines)
    before = sum(line.already_paid_ore for line in lines)
    totals = [Total(_("Ram till regionerna"), frame)]
    if run.kind == RunKind.CONDITION:
        shares = sum(int(line.detail.get("share_ore", 0)) for line in lines)
        not_paid = sum(int(line.detail.get("not_paid_ore", 0)) for line in lines)
        entitled = sum(line.entitled_ore or 0 for line in lines)
        totals += [
            Total(_("Summa andelar (= ramen)"), shares),
            Total(
                _("Förskott, alla regioner"),
                sum(int(line.detail.get("advance_ore", 0)) for line in lines),
            ),
            Total(_("Ej utbetalt (villkoret inte uppfyllt)"), not_paid),
            Total(_("Tidigare utbetalt"), before),
            Total(_("Att betala i denna körning"), amount),
        ]
        return totals, shares == frame and before + amount == entitled
    if run.kind == RunKind.QUARTER:
        ceilings = sum(line.ceiling_ore or 0 for line in lines)
        entitled = sum(line.entitled_ore or 0 for line in lines)
        totals += [
            Total(_("Summa tak (= ramen)"), ceilings),
            Total(_("Berättigat hittills i år"), entitled),
            Total(_("Tidigare utbetalt i år"), before),
            Total(_("Att betala i denna körning"), amount),
        ]
        reconciles = ceilings == frame and before + amount == entitled and entitled <= frame
    elif run.kind == RunKind.YEAR_END:
        paid_quarters = sum(int(line.detail.get("paid_quarters_ore", 0)) for line in lines)
        settled = sum(int(line.detail.get("quarter_settlement_ore", 0)) for line in lines)
        entitled = sum(line.entitled_ore or 0 for line in lines)
        totals += [
            Total(_("Utbetalt för kvartalen"), paid_quarters),
            Total(_("Reglering av kvartalen efter rättelser"), settled),
            Total(_("Outnyttjat"), frame - paid_quarters - settled),
            Total(_("Omfördelning"), entitled),
            Total(_("Tidigare omfördelat"), before),
            Total(_("Att betala i denna körning"), amount),
            Total(
                _("Utbetalt under året inklusive omfördelning"),
                paid_quarters + settled + entitled,
            ),
        ]
        reconciles = (
            paid_quarters + settled + entitled <= frame and before + amount - settled == entitled
        )
    else:
        base_share = sum(int(line.detail.get("base_share_ore", 0)) for line in lines)
        base_now = sum(line.base_ore or 0 for line in lines)
        bonus = sum(int(line.detail.get("bonus_entitled_ore", 0)) for line in lines)
        cap = int(params.get("bonus_cap_ore", 0))
        # The lines show the base paid in this run (0 while a region's year is not
        # accepted yet); the shares of the frame are their own row, so the summary's
        # "grundbelopp" is the sum of the lines' grundbelopp.
        totals += [
            Total(_("Regionernas andelar av ramen (= ramen)"), base_share),
            Total(_("Grundbelopp i denna körning"), base_now),
            Total(_("Kontaktbonus, tak"), cap),
            Total(_("Kontaktbonus, alla regioner"), bonus),
            Total(_("Tidigare utbetalt"), before),
            Total(_("Att betala i denna körning"), amount),
        ]
        reconciles = base_share == frame and bonus <= cap
    return totals, reconciles


def run_basis_changed(run: PayoutRun) -> bool:
    """True if the report versions in force for the run's quarters are no longer the
    ones a calculated run counted (a correction or a new report was accepted since):
    approving it pays the old figures, the change is settled in a later run. One query."""
    if run.status != RunStatus.CALCULATED:
        return False
    if run.kind == RunKind.CONDITION:
        from reporting.accounts.selectors import condition_fulfilments

        assert run.condition is not None
        now_ids = sorted(f.version_id for f in condition_fulfilments(run.condition).values())
        counted_ids = sorted(
            int(f["version_id"]) for f in run.inputs.get("fulfilments", {}).values()
        )
        return now_ids != counted_ids
    quarters = None if run.quarter is None else list(range(1, run.quarter + 1))
    now = sorted(ref.version_id for ref in accepted_versions(run.agreement, quarters=quarters))
    counted = sorted(int(version["id"]) for version in run.inputs.get("versions", []))
    return now != counted


def run_view(run: PayoutRun) -> RunView:
    """Everything the run page shows (a fixed number of queries)."""
    lines = run_lines(run)
    totals, reconciles = run_totals(run, [item.line for item in lines])
    exports = list(
        PayoutExport.objects.filter(run=run)
        .select_related("created_by", "region")
        .defer("content")
        .order_by("-created_at", "-pk")
    )
    events = list(run.events.select_related("actor").order_by("at", "pk"))
    return RunView(run, lines, totals, reconciles, exports, events, run_basis_changed(run))


def latest_decision(run: PayoutRun, region: str) -> PayoutExport | None:
    return (
        PayoutExport.objects.filter(run=run, kind=ExportKind.DECISION, region_id=region)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
        .first()
    )


# --------------------------------------------------------------------------- public


@dataclass(frozen=True)
class PaidSums:
    """What approved runs paid a region (or everyone) for an agreement year."""

    amount_ore: int = 0
    bonus_ore: int = 0


def approved_paid(*, years: Sequence[int]) -> dict[int, dict[str, PaidSums]]:
    """{year: {region: PaidSums}} summed over the approved runs of each agreement
    year (quarters, year-end rounds, a model B year), one query. A year with no
    approved run is absent; a region an approved run did not pay is absent too.
    These figures are public once approved (FK publishes them)."""
    rows = (
        PayoutLine.objects.filter(run__status=RunStatus.APPROVED, run__agreement__year__in=years)
        .values("run__agreement__year", "region")
        .annotate(
            amount=Coalesce(Sum("amount_ore"), 0),
            bonus=Coalesce(Sum("bonus_ore"), 0),
        )
        .order_by()
    )
    out: dict[int, dict[str, PaidSums]] = defaultdict(dict)
    for row in rows:
        out[int(row["run__agreement__year"])][row["region"]] = PaidSums(
            int(row["amount"]), int(row["bonus"])
        )
    return dict(out)


# --------------------------------------------------------------------------- region


@dataclass(frozen=True)
class CeilingUse:
    year: int
    ceiling_ore: int
    used_ore: int

    @property
    def remaining_ore(self) -> int:
        return self.ceiling_ore - self.used_ore

    @property
    def share(self) -> Decimal:
        """How much of the ceiling is used, 0–1 (shown with the |percent filter)."""
        return Decimal(self.used_ore) / self.ceiling_ore if self.ceiling_ore else Decimal(0)


@dataclass(frozen=True)
class RegionPayouts:
    region: Region
    lines: list[PayoutLine]
    ceilings: list[CeilingUse] = field(default_factory=list)
    decided_runs: frozenset[int] = frozenset()  # runs with an issued decision for the region

    @property
    def total_ore(self) -> int:
        return sum(line.amount_ore for line in self.lines)


def region_payouts(region: Region) -> RegionPayouts:
    """A region's approved payouts, newest year first, and under model A how much of
    each year's ceiling its quarterly payouts have used. Three queries."""
    lines = list(
        PayoutLine.objects.filter(region=region, run__status=RunStatus.APPROVED)
        .select_related("run__agreement")
        .order_by("-run__agreement__year", "run__kind", "run__quarter", "run__round", "run_id")
    )
    ceilings = [
        CeilingUse(
            year=row["run__agreement__year"], ceiling_ore=row["ceiling"], used_ore=row["used"]
        )
        for row in PayoutLine.objects.filter(
            region=region,
            run__status=RunStatus.APPROVED,
            run__kind__in=(RunKind.QUARTER, RunKind.YEAR_END),
            run__agreement__payout_model=PayoutModel.A,
        )
        .values("run__agreement__year")
        # The quarterly payouts plus the year-end's settlement of the quarters (its
        # amount less the redistribution, which is paid above the ceiling).
        .annotate(
            used=Sum(F("amount_ore") - Coalesce(F("redistribution_ore"), 0)),
            ceiling=Max("ceiling_ore"),
        )
        .order_by("-run__agreement__year")
    ]
    decided = frozenset(
        PayoutExport.objects.filter(region=region, kind=ExportKind.DECISION).values_list(
            "run_id", flat=True
        )
    )
    return RegionPayouts(region, lines, ceilings, decided)


# --------------------------------------------------------------------------- preview


@dataclass(frozen=True)
class PreviewRow:
    label: str
    current_ore: int | None
    with_draft_ore: int | None

    @property
    def change_ore(self) -> int | None:
        if self.current_ore is None or self.with_draft_ore is None:
            return None
        return self.with_draft_ore - self.current_ore


@dataclass(frozen=True)
class PreviewResult:
    """What a draft would pay under the current rules, against what the accepted
    figures pay now, for the draft's region (model A: the quarter's run; model B:
    the year's run). `problems` (Swedish) say why there are no numbers."""

    region: str
    year: int
    quarter: int | None
    model: str
    rows: list[PreviewRow]
    sentences: list[str]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _draft_series(version: ReportVersion) -> dict[str, int]:
    totals: dict[str, int] = {}
    for code, total in (
        SeriesCount.objects.filter(version=version)
        .values_list("treatment")
        .annotate(total=Sum("value"))
        .order_by("treatment")
    ):
        if total:
            totals[code] = total
    return totals


def _contacts(version_id: int | None) -> int:
    if version_id is None:
        return 0
    return (
        ExtraCount.objects.filter(version_id=version_id, kind__in=CONTACT_KINDS).aggregate(
            total=Sum("value")
        )["total"]
        or 0
    )


def payout_preview(*, version: ReportVersion) -> PreviewResult:
    """Run the payout engine with `version`'s figures in place of the accepted ones
    for its region and quarter (everything else as accepted now, earlier approved
    runs as paid) and compare the region's line with what it gets today."""

    report = version.report
    agreement = report.period.agreement
    quarter = report.period.quarter
    region = report.region_id
    model = agreement.payout_model
    hypothetical = PayoutRun(
        agreement=agreement,
        kind=RunKind.QUARTER if model == PayoutModel.A else RunKind.YEAR,
        quarter=quarter if model == PayoutModel.A else None,
    )
    try:
        current = run_inputs_gather(hypothetical)
    except InputsMissing as missing:
        return PreviewResult(region, agreement.year, quarter, model, [], [], missing.problems)

    draft = {**current}
    if model == PayoutModel.A:
        series = {r: dict(by_q) for r, by_q in current["series"].items()}
        series.setdefault(region, {})[str(quarter)] = _draft_series(version)
        unpaid = sorted(set(series[region][str(quarter)]) - set(current["params"]["rates_ore"]))
        if unpaid:
            return PreviewResult(
                region,
                agreement.year,
                quarter,
                model,
                [],
                [],
                [
                    _("Utkastet har behandlingar som överenskommelsen inte ersätter: %(codes)s.")
                    % {"codes": ", ".join(unpaid)}
                ],
            )
        draft["series"] = series
    else:
        contacts = dict(current["contacts"])
        # The accepted version of this report (if any) gives way to the draft.
        contacts[region] = (
            contacts.get(region, 0) - _contacts(report.accepted_version_id) + _contacts(version.pk)
        )
        draft["contacts"] = contacts
        if quarter is None:
            # The yearly report: accepting it accepts the region's whole year.
            draft["accepted_year"] = sorted(set(current.get("accepted_year", [])) | {region})
        else:
            accepted = {r: list(q) for r, q in current["accepted_quarters"].items()}
            accepted[region] = sorted(set(accepted.get(region, [])) | {quarter})
            draft["accepted_quarters"] = accepted

    now_line = calculation.compute(current).get(region)
    draft_line = calculation.compute(draft).get(region)
    if now_line is None or draft_line is None:
        return PreviewResult(
            region,
            agreement.year,
            quarter,
            model,
            [],
            [],
            [_("Regionen saknar befolkningsuppgift för överenskommelsen.")],
        )
    if model == PayoutModel.A:
        rows = [
            PreviewRow(_("Intjänat hittills i år"), now_line.earned_ore, draft_line.earned_ore),
            PreviewRow(_("Tak"), now_line.ceiling_ore, draft_line.ceiling_ore),
            PreviewRow(_("Berättigat"), now_line.entitled_ore, draft_line.entitled_ore),
            PreviewRow(
                _("Tidigare utbetalt"), now_line.already_paid_ore, draft_line.already_paid_ore
            ),
            PreviewRow(
                _("Utbetalning för kvartal %(quarter)s") % {"quarter": quarter},
                now_line.amount_ore,
                draft_line.amount_ore,
            ),
        ]
    else:
        rows = [
            PreviewRow(_("Grundbelopp"), now_line.base_ore, draft_line.base_ore),
            PreviewRow(_("Kontaktbonus"), now_line.bonus_ore, draft_line.bonus_ore),
            PreviewRow(_("Att betala"), now_line.amount_ore, draft_line.amount_ore),
        ]
    return PreviewResult(
        region, agreement.year, quarter, model, rows, explain_line(draft, draft_line), []
    )


def accepted_regions(agreement: Agreement) -> list[dict[str, Any]]:
    """How many regions have the agreement's reports accepted, per reporting period,
    and for a year reported by quarter how many have all four: what a run started
    now would pay from (the start form shows it). Two queries."""
    total = Region.objects.count()
    accepted = Report.objects.filter(period__agreement=agreement, accepted_version__isnull=False)
    per_period = dict(
        accepted.values_list("period__quarter").annotate(n=Count("region", distinct=True))
    )
    periods = sorted(
        agreement.periods.values_list("quarter", flat=True), key=lambda q: (q is not None, q or 0)
    )
    rows = [
        {
            "period": period_code(agreement.year, quarter),
            "accepted": per_period.get(quarter, 0),
            "total": total,
            "whole_year": False,
        }
        for quarter in periods
    ]
    quarters = [q for q in periods if q is not None]
    if len(quarters) == 4:
        complete = (
            accepted.filter(period__quarter__isnull=False)
            .values("region")
            .annotate(n=Count("period", distinct=True))
            .filter(n=4)
            .count()
        )
        rows.append(
            {
                "period": str(agreement.year),
                "accepted": complete,
                "total": total,
                "whole_year": True,
            }
        )
    return rows
