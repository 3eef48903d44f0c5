"""Payout runs of a written-account condition (villkor 1, 2, 4): one run per
condition and instalment (advance, remainder), computed by the Celery worker like
the other runs (payments.services.run_compute), four eyes, frozen once approved.

`condition_run_start` starts one; payments.run_inputs.condition_inputs_gather is
what the worker reads for it (the population figures the condition follows, FK's assessments of
the regions' accounts, and what earlier approved rounds of the same instalment
paid). The arithmetic is payments.engine.deliverable.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rehab.enums import ConditionKind
from rehab.models import Condition, User
from rehab.permissions import Action, can

from .enums import Instalment, RunEventAction, RunKind, RunStatus
from .models import PayoutRun
from .run_inputs import condition_approved_runs
from .services import NotAllowed, RunError, StartedRun, _enqueue, _event


def _live_condition_run(condition: Condition, instalment: str) -> PayoutRun | None:
    return (
        PayoutRun.objects.filter(kind=RunKind.CONDITION, condition=condition, instalment=instalment)
        .exclude(status__in=(RunStatus.FAILED, RunStatus.SUPERSEDED, RunStatus.APPROVED))
        .order_by("-round", "-pk")
        .first()
    )


def condition_run_start(*, condition: Condition, instalment: str, acting_user: User) -> StartedRun:
    """Start the payout run of a written-account condition's instalment.

    Effects: a QUEUED `PayoutRun` (kind CONDITION; round = 1 + the approved runs of
    the same condition and instalment), a STARTED event, the compute task enqueued
    on commit. A live run of the same instalment is returned with `created=False`.
    Refused (`RunError`): a condition that is not a written account, an advance of a
    condition without one, a remainder before the advance is approved."""
    if not can(acting_user, Action.START_RUN):
        raise NotAllowed(_("Du får inte starta utbetalningskörningar."))
    if condition.kind != ConditionKind.DELIVERABLE:
        raise RunError(
            _("Villkoret %(code)s betalas inte efter skriftlig återrapportering.")
            % {"code": condition.code},
            code="wrong_condition",
        )
    if instalment not in Instalment.values:
        raise RunError(_("Okänd delbetalning."), code="wrong_period")
    approved = condition_approved_runs(condition)
    if instalment == Instalment.ADVANCE and condition.advance_share is None:
        raise RunError(
            _("Villkoret %(code)s har inget förskott.") % {"code": condition.code},
            code="no_advance",
        )
    if (
        instalment == Instalment.REMAINDER
        and condition.advance_share is not None
        and not any(run.instalment == Instalment.ADVANCE for run in approved)
    ):
        raise RunError(
            _(
                "Förskottet för villkoret %(code)s ska vara attesterat innan resten "
                "betalas ut (resten är andelen minus förskottet)."
            )
            % {"code": condition.code},
            code="wrong_order",
        )
    existing = _live_condition_run(condition, instalment)
    if existing is not None:
        return StartedRun(existing, created=False)
    round_number = 1 + sum(1 for run in approved if run.instalment == instalment)
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = PayoutRun.objects.create(
                    agreement_id=condition.agreement_id,
                    kind=RunKind.CONDITION,
                    condition=condition,
                    instalment=instalment,
                    round=round_number,
                    started_by=acting_user,
                    queued_at=timezone.now(),
                )
        except IntegrityError:
            existing = _live_condition_run(condition, instalment)
            if existing is None:
                raise RunError(
                    _("Körningen kunde inte startas eftersom en annan just ändrades. Försök igen."),
                    code="conflict",
                ) from None
            return StartedRun(existing, created=False)
        _event(run, RunEventAction.STARTED, acting_user)
        _enqueue(run.pk)
    return StartedRun(run, created=True)
