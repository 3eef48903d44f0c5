"""Services of payments: start, compute, approve, retry, discard and export payout runs.

Exactly once, end to end:

* `run_start` inserts the run (QUEUED) under a partial unique constraint (one live
  run per agreement, kind, quarter and round), so two starts of the same run give
  one run; the compute task is enqueued with `transaction.on_commit`.
* `run_compute` (the worker) claims the run with a conditional UPDATE
  QUEUED -> RUNNING and a fresh claim token, and writes every line and input row in
  one transaction together with the status change to CALCULATED, and only if it
  still holds the claim. A task delivered twice finds nothing to claim; a worker
  that dies leaves no lines (its transaction never commits).
* `runs_requeue_stale` (periodic) puts runs whose worker died back in the queue.
* `run_approve` checks four eyes (also a CHECK in the database) and that the run
  was computed against the approved runs that exist now, so two runs computed on
  the same basis can never both be paid.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from rehab.enums import PayoutModel
from rehab.models import Agreement, Region, User
from rehab.permissions import Action, can

from . import calculation
from .enums import ExportKind, RunEventAction, RunKind, RunStatus
from .models import PayoutExport, PayoutLine, PayoutRun, RunEvent, RunInputVersion
from .run_inputs import InputsMissing, condition_approved_runs, run_inputs_gather

log = logging.getLogger(__name__)

# A run whose worker has been lost this many times fails instead of being queued again.
MAX_COMPUTE_ATTEMPTS = 3


class RunError(Exception):
    """A payout action that cannot be done; `message` is plain Swedish for the user."""

    code = "run_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotAllowed(RunError):
    """The user may not do this (views turn it into 404)."""

    code = "not_allowed"


@dataclass(frozen=True)
class StartedRun:
    run: PayoutRun
    created: bool


def _event(run: PayoutRun | int, action: str, actor: User | None = None, note: str = "") -> None:
    run_id = run if isinstance(run, int) else run.pk
    RunEvent.objects.create(
        run_id=run_id,
        action=action,
        actor=actor,
        api_token=getattr(actor, "api_token", None),
        note=note,
    )


def _enqueue(run_id: int) -> None:
    from .tasks import compute_run

    # robust: the run is committed by then; if the broker is down the error is logged
    # and the run stays QUEUED until requeue_stale_runs sends it again (no 500).
    transaction.on_commit(lambda: compute_run.delay(run_id), robust=True)


def _kind_for(agreement: Agreement, quarter: int | None) -> RunKind:
    if agreement.payout_model == PayoutModel.A:
        return RunKind.QUARTER if quarter is not None else RunKind.YEAR_END
    if quarter is not None:
        raise RunError(
            _("Överenskommelsen %(year)s betalas en gång om året, inte per kvartal.")
            % {"year": agreement.year},
            code="wrong_period",
        )
    return RunKind.YEAR


def _order_problem(
    agreement: Agreement, kind: str, quarter: int | None, approved: Iterable[PayoutRun]
) -> str | None:
    """Why a run of this kind and quarter may not be paid after the approved runs, if so."""
    approved = list(approved)
    if kind == RunKind.QUARTER:
        assert quarter is not None
        if any(run.kind == RunKind.YEAR_END for run in approved):
            return _(
                "Året %(year)s är redan slutreglerat (omfördelningen är attesterad); "
                "inga fler kvartalskörningar kan göras. Rättelser som godkänts därefter "
                "regleras i en ny omgång av slutregleringen: starta en körning för året "
                "utan kvartal."
            ) % {"year": agreement.year}
        later = sorted(
            {run.quarter for run in approved if run.kind == RunKind.QUARTER}
            - set(range(1, quarter + 1)),
            key=lambda q: q or 0,
        )
        if later:
            return _(
                "Kvartal %(later)s är redan attesterat; en körning för kvartal %(quarter)s "
                "kan inte göras efter det. Rättelser regleras i nästa kvartals körning."
            ) % {"later": later[-1], "quarter": quarter}
    if kind == RunKind.YEAR_END and not any(
        run.kind == RunKind.QUARTER and run.quarter == 4 for run in approved
    ):
        return _(
            "Omfördelningen vid årets slut kan göras först när utbetalningen för "
            "kvartal 4 är attesterad."
        )
    return None


def _approved_runs(agreement: Agreement) -> list[PayoutRun]:
    """The approved treatment-report runs of the agreement (a written-account
    condition's runs pay their own money: payments.condition_runs)."""
    return list(
        PayoutRun.objects.filter(agreement=agreement, status=RunStatus.APPROVED)
        .exclude(kind=RunKind.CONDITION)
        .only("pk", "kind", "quarter", "round")
    )


def _live_run(agreement: Agreement, kind: str, quarter: int | None) -> PayoutRun | None:
    return (
        PayoutRun.objects.filter(agreement=agreement, kind=kind, quarter=quarter)
        .exclude(status__in=(RunStatus.FAILED, RunStatus.SUPERSEDED, RunStatus.APPROVED))
        .order_by("-round", "-pk")
        .first()
    )


def run_start(*, agreement: Agreement, quarter: int | None, acting_user: User) -> StartedRun:
    """Start a payout run for `agreement`: a quarter (model A) or, with `quarter=None`,
    the year-end redistribution (model A) or the year (model B).

    Effects: a QUEUED `PayoutRun` (round = 1 + the approved runs of the same period),
    a STARTED event, and the compute task enqueued on commit. If the same run is
    already queued, running or calculated (also when two starts race), that run is
    returned with `created=False` and nothing else happens. Raises `NotAllowed`
    unless the user may start runs, `RunError` when the period cannot be paid now.
    """
    if not can(acting_user, Action.START_RUN):
        raise NotAllowed(_("Du får inte starta utbetalningskörningar."))
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise RunError(_("Kvartalet ska vara 1–4."), code="wrong_period")
    kind = _kind_for(agreement, quarter)
    approved = _approved_runs(agreement)
    problem = _order_problem(agreement, kind, quarter, approved)
    existing = _live_run(agreement, kind, quarter)
    if existing is not None:
        return StartedRun(existing, created=False)
    if problem:
        raise RunError(problem, code="wrong_order")
    round_number = 1 + sum(1 for run in approved if run.kind == kind and run.quarter == quarter)
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = PayoutRun.objects.create(
                    agreement=agreement,
                    kind=kind,
                    quarter=quarter,
                    round=round_number,
                    started_by=acting_user,
                    queued_at=timezone.now(),
                )
        except IntegrityError:
            existing = _live_run(agreement, kind, quarter)
            if existing is None:
                raise RunError(
                    _("Körningen kunde inte startas eftersom en annan just ändrades. Försök igen."),
                    code="conflict",
                ) from None
            return StartedRun(existing, created=False)
        _event(run, RunEventAction.STARTED, acting_user)
        _enqueue(run.pk)
    return StartedRun(run, created=True)


# --------------------------------------------------------------------------- compute


def _fail(run_id: int, token: uuid.UUID, reason: str) -> None:
    with transaction.atomic():
        failed = PayoutRun.objects.filter(
            pk=run_id, status=RunStatus.RUNNING, claim_token=token
        ).update(status=RunStatus.FAILED, failure_reason=reason)
        if failed:
            _event(run_id, RunEventAction.FAILED, note=reason)


def run_compute(*, run_id: int) -> PayoutRun | None:
    """Compute a queued run (called by the Celery task; safe to call twice).

    Effects: claims the run (QUEUED -> RUNNING, a new claim token, attempts + 1); then
    in ONE transaction, only if the claim still holds, writes a `PayoutLine` per
    region and a `RunInputVersion` per report version used, stores the input
    snapshot and total and sets CALCULATED. Missing figures or rates, or any error,
    set FAILED with the reason. Returns the run, or None when there was nothing to
    claim (already claimed, calculated, or discarded).
    """
    token = uuid.uuid4()
    now = timezone.now()
    claimed = PayoutRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        log.info("payout run %s: nothing to claim", run_id)
        return None
    _event(run_id, RunEventAction.CLAIMED)
    run = PayoutRun.objects.select_related("agreement", "condition__agreement").get(pk=run_id)
    try:
        inputs = run_inputs_gather(run)
        results = calculation.compute(inputs)
    except InputsMissing as missing:
        reason = _("Körningen kan inte räknas ut: %(problems)s") % {
            "problems": " ".join(missing.problems)
        }
        _fail(run_id, token, reason)
        return PayoutRun.objects.get(pk=run_id)
    except Exception as error:
        log.exception("payout run %s failed", run_id)
        _fail(run_id, token, _("Tekniskt fel vid beräkningen: %(error)s") % {"error": error})
        return PayoutRun.objects.get(pk=run_id)

    with transaction.atomic():
        locked = (
            PayoutRun.objects.select_for_update()
            .filter(pk=run_id, status=RunStatus.RUNNING, claim_token=token)
            .first()
        )
        if locked is None:
            log.warning("payout run %s: claim lost before writing; another worker has it", run_id)
            return None
        PayoutLine.objects.bulk_create(
            PayoutLine(run_id=run_id, region_id=region, **result.values())
            for region, result in sorted(results.items())
        )
        RunInputVersion.objects.bulk_create(
            RunInputVersion(run_id=run_id, version_id=version["id"])
            for version in inputs["versions"]
        )
        delay = float(getattr(settings, "PAYMENTS_COMPUTE_DELAY_SECONDS", 0) or 0)
        if delay > 0:
            # Test hook (0 in production): the lines are written but not committed.
            time.sleep(delay)
        locked.status = RunStatus.CALCULATED
        locked.inputs = inputs
        locked.total_ore = sum(result.amount_ore for result in results.values())
        locked.computed_at = timezone.now()
        locked.failure_reason = ""
        locked.save(
            update_fields=["status", "inputs", "total_ore", "computed_at", "failure_reason"]
        )
        _event(run_id, RunEventAction.CALCULATED)
    return locked


def run_recompute_check(run: PayoutRun) -> bool:
    """True if computing again from the run's stored inputs gives exactly its stored
    lines (every component, to the öre)."""
    if run.status not in (RunStatus.CALCULATED, RunStatus.APPROVED):
        return False
    expected = {
        region: result.values() for region, result in calculation.compute(run.inputs).items()
    }
    names = list(calculation.LineResult(region="", amount_ore=0).values())
    stored = {
        line.region_id: {name: getattr(line, name) for name in names} for line in run.lines.all()
    }
    return stored == expected


def runs_requeue_stale(*, older_than: datetime.timedelta | None = None) -> list[int]:
    """Put runs that were left behind back to work.

    A RUNNING run claimed longer ago than `older_than` (default
    settings.PAYMENTS_STALE_RUN_SECONDS) had its worker die: after
    MAX_COMPUTE_ATTEMPTS claims it is set FAILED with the reason (a FAILED event);
    otherwise it goes back to QUEUED
    (its claim token cleared, so a late write of the old worker is refused) with a
    REQUEUED event. Those and QUEUED runs waiting longer than `older_than` (their
    task was lost) get their compute task enqueued again. Returns the run ids enqueued.
    """
    if older_than is None:
        older_than = datetime.timedelta(seconds=settings.PAYMENTS_STALE_RUN_SECONDS)
    now = timezone.now()
    limit = now - older_than
    enqueued: list[int] = []
    with transaction.atomic():
        # A run whose computation has been cut off MAX_COMPUTE_ATTEMPTS times would die
        # the same way again: it fails with the reason, so FK sees it and can retry.
        for run_id, attempts in PayoutRun.objects.filter(
            status=RunStatus.RUNNING, claimed_at__lte=limit, attempts__gte=MAX_COMPUTE_ATTEMPTS
        ).values_list("pk", "attempts"):
            reason = _(
                "Beräkningen avbröts %(attempts)s gånger utan att bli klar (bakgrundsarbetaren "
                "stoppades eller tog för lång tid). Kontakta driften om det händer igen."
            ) % {"attempts": attempts}
            if PayoutRun.objects.filter(
                pk=run_id, status=RunStatus.RUNNING, claimed_at__lte=limit
            ).update(status=RunStatus.FAILED, claim_token=None, failure_reason=reason):
                _event(run_id, RunEventAction.FAILED, note=reason)
        for run_id in PayoutRun.objects.filter(
            status=RunStatus.RUNNING, claimed_at__lte=limit
        ).values_list("pk", flat=True):
            if PayoutRun.objects.filter(
                pk=run_id, status=RunStatus.RUNNING, claimed_at__lte=limit
            ).update(status=RunStatus.QUEUED, claim_token=None, queued_at=now):
                _event(
                    run_id, RunEventAction.REQUEUED, note=_("Beräkningen avbröts; lagd i kö igen.")
                )
                enqueued.append(run_id)
        for run_id in PayoutRun.objects.filter(
            status=RunStatus.QUEUED, queued_at__lte=limit
        ).values_list("pk", flat=True):
            if run_id not in enqueued:
                PayoutRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(queued_at=now)
                enqueued.append(run_id)
        for run_id in enqueued:
            _enqueue(run_id)
    return enqueued


def run_retry(*, run: PayoutRun, acting_user: User) -> PayoutRun:
    """Try a FAILED run again. Effects: FAILED -> QUEUED (reason and attempts cleared), a RETRIED
    event, the compute task enqueued on commit. Raises `RunError` if the run is not
    failed or another live run of the same period exists."""
    if not can(acting_user, Action.START_RUN):
        raise NotAllowed(_("Du får inte starta utbetalningskörningar."))
    try:
        with transaction.atomic():
            retried = PayoutRun.objects.filter(pk=run.pk, status=RunStatus.FAILED).update(
                status=RunStatus.QUEUED, failure_reason="", queued_at=timezone.now(), attempts=0
            )
            if not retried:
                raise RunError(_("Bara en misslyckad körning kan försökas igen."), code="state")
            _event(run, RunEventAction.RETRIED, acting_user, note=run.failure_reason)
            _enqueue(run.pk)
    except IntegrityError:
        raise RunError(
            _("En annan körning för samma period finns redan."), code="conflict"
        ) from None
    run.refresh_from_db()
    return run


def run_discard(*, run: PayoutRun, acting_user: User) -> PayoutRun:
    """Set a calculated or failed run aside (SUPERSEDED), e.g. to compute again from
    newer reports. Effects: status SUPERSEDED, a SUPERSEDED event. An approved run is
    never discarded."""
    if not can(acting_user, Action.START_RUN):
        raise NotAllowed(_("Du får inte starta utbetalningskörningar."))
    with transaction.atomic():
        discarded = PayoutRun.objects.filter(
            pk=run.pk, status__in=(RunStatus.CALCULATED, RunStatus.FAILED)
        ).update(status=RunStatus.SUPERSEDED)
        if not discarded:
            raise RunError(
                _("Bara en beräknad eller misslyckad körning kan läggas åt sidan."), code="state"
            )
        _event(run, RunEventAction.SUPERSEDED, acting_user)
    run.refresh_from_db()
    return run


def run_recalculate(*, run: PayoutRun, acting_user: User) -> StartedRun:
    """Discard a calculated or failed run and start the same period again, in one
    transaction (see `run_discard` and `run_start`)."""
    with transaction.atomic():
        run_discard(run=run, acting_user=acting_user)
        if run.kind == RunKind.CONDITION:
            from .condition_runs import condition_run_start

            assert run.condition is not None
            return condition_run_start(
                condition=run.condition, instalment=run.instalment, acting_user=acting_user
            )
        return run_start(agreement=run.agreement, quarter=run.quarter, acting_user=acting_user)


def _same_person_on_both_sides(run: PayoutRun, approver: User) -> bool:
    """Four eyes, API keys included: the people behind the start (the starter and, if
    it came through an API key, whoever issued that key) and behind the approval (the
    approver and the issuer of the key it comes through) must not overlap. So an
    administrator who issued two keys cannot start with one and approve with the other."""
    started = (
        RunEvent.objects.filter(run=run, action=RunEventAction.STARTED)
        .select_related("api_token")
        .first()
    )
    start_token = started.api_token if started is not None else None
    starters: set[int | None] = {run.started_by_id}
    if start_token is not None:
        starters.add(start_token.created_by_id)
    approvers: set[int | None] = {approver.pk}
    if approver.api_token is not None:
        approvers.add(approver.api_token.created_by_id)
    return bool((starters & approvers) - {None})


def run_approve(*, run: PayoutRun, acting_user: User) -> PayoutRun:
    """Approve (attest) a calculated run.

    Effects: status APPROVED, approved_by/approved_at, an APPROVED event. Refused
    (`RunError`) for the user who started the run (four eyes; also a CHECK in the
    database) and for anyone who issued the API key it was started with or whose
    key the starter issued, for a run that is not CALCULATED, and for a run computed before
    another run of the agreement was approved (it must be computed again, or the
    same money would be paid twice). Approvals of one agreement are serialised by a
    lock on the agreement.
    """
    if not can(acting_user, Action.APPROVE_RUN):
        raise NotAllowed(_("Du får inte attestera utbetalningskörningar."))
    with transaction.atomic():
        Agreement.objects.select_for_update().get(pk=run.agreement_id)
        locked = PayoutRun.objects.select_for_update().select_related("agreement").get(pk=run.pk)
        if _same_person_on_both_sides(locked, acting_user):
            raise RunError(
                _("Den som startade körningen får inte attestera den (fyra ögon)."),
                code="four_eyes",
            )
        if locked.status != RunStatus.CALCULATED:
            raise RunError(
                _("Bara en beräknad körning kan attesteras (den är %(status)s).")
                % {"status": locked.get_status_display().lower()},
                code="state",
            )
        if locked.kind == RunKind.CONDITION:
            assert locked.condition is not None
            approved = condition_approved_runs(locked.condition)
        else:
            approved = _approved_runs(locked.agreement)
        if sorted(r.pk for r in approved) != sorted(locked.inputs.get("counted_runs", [])):
            raise RunError(
                _(
                    "Andra körningar för överenskommelsen har attesterats sedan den här "
                    "räknades ut. Räkna om den innan den attesteras."
                ),
                code="stale_basis",
            )
        problem = (
            None
            if locked.kind == RunKind.CONDITION
            else _order_problem(locked.agreement, locked.kind, locked.quarter, approved)
        )
        if problem:
            raise RunError(problem, code="wrong_order")
        locked.status = RunStatus.APPROVED
        locked.approved_by = acting_user
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        _event(locked, RunEventAction.APPROVED, acting_user)
    return locked


# --------------------------------------------------------------------------- exports


def run_export(
    *, run: PayoutRun, kind: str, acting_user: User, region: Region | None = None
) -> PayoutExport:
    """Export an approved run: the payment file (CSV or XLSX) or a region's decision.

    Effects: a `PayoutExport` row keeping the exact bytes, their SHA-256, who and
    when, and an EXPORTED event. Made once: if the run already has this export (kind,
    and region for a decision), that one is returned and nothing is written, so a run
    never has two payment files that could both be paid (exports of one run are
    serialised by a lock on the run). Raises `NotAllowed` without the export right and
    `RunError` for a run that is not approved, or (payment file) when a region of the
    run has no bankgiro: the message names the regions."""
    from . import exports

    if not can(acting_user, Action.EXPORT_RUN):
        raise NotAllowed(_("Du får inte exportera utbetalningar."))
    if run.status != RunStatus.APPROVED:
        raise RunError(_("Bara en attesterad körning kan exporteras."), code="state")
    if kind in (ExportKind.CSV, ExportKind.XLSX):
        try:
            exports.check_bankgiros(run)
        except exports.MissingBankgiro as missing:
            raise RunError(str(missing), code="bankgiro") from None
    if kind == ExportKind.CSV:
        filename, content_type, content = exports.payment_file_csv(run)
    elif kind == ExportKind.XLSX:
        filename, content_type, content = exports.payment_file_xlsx(run)
    elif kind == ExportKind.DECISION:
        if region is None:
            raise RunError(_("Ange vilken regions beslut som ska skapas."), code="region")
        filename, content_type, content = exports.decision_html(run, region)
    else:
        raise RunError(_("Okänt exportformat."), code="kind")
    with transaction.atomic():
        PayoutRun.objects.select_for_update().filter(pk=run.pk).first()
        existing = (
            PayoutExport.objects.filter(
                run=run, kind=kind, region=region if kind == ExportKind.DECISION else None
            )
            .order_by("created_at", "pk")
            .first()
        )
        if existing is not None:
            return existing
        export = PayoutExport.objects.create(
            run=run,
            kind=kind,
            region=region if kind == ExportKind.DECISION else None,
            filename=filename,
            content_type=content_type,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            created_by=acting_user,
        )
        _event(run, RunEventAction.EXPORTED, acting_user, note=f"{filename} {export.sha256}")
    return export
