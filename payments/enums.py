"""Choices of payments, and the allowed moves of a payout run's status."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunKind(models.TextChoices):
    """What a run pays: a quarter or the year-end redistribution (model A), the year (model B)."""

    QUARTER = "QUARTER", _("Kvartal")
    YEAR_END = "YEAR_END", _("Omfördelning vid årets slut")
    YEAR = "YEAR", _("Helår")
    CONDITION = "CONDITION", _("Villkor med skriftlig återrapportering")


class Instalment(models.TextChoices):
    """The part of a written-account condition's money a CONDITION run pays."""

    ADVANCE = "ADVANCE", _("Förskott")
    REMAINDER = "REMAINDER", _("Slutbetalning")


class RunStatus(models.TextChoices):
    QUEUED = "QUEUED", _("I kö")
    RUNNING = "RUNNING", _("Räknas")
    CALCULATED = "CALCULATED", _("Beräknad")
    FAILED = "FAILED", _("Misslyckades")
    APPROVED = "APPROVED", _("Attesterad")
    SUPERSEDED = "SUPERSEDED", _("Ersatt")


# A run moves only along these edges. RUNNING -> QUEUED is the re-queue of a run
# whose worker died; FAILED -> QUEUED is a retry; CALCULATED -> SUPERSEDED discards
# a result (to compute again from newer reports). APPROVED and SUPERSEDED are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.SUPERSEDED}),
    RunStatus.RUNNING: frozenset({RunStatus.CALCULATED, RunStatus.FAILED, RunStatus.QUEUED}),
    RunStatus.CALCULATED: frozenset({RunStatus.APPROVED, RunStatus.SUPERSEDED}),
    RunStatus.FAILED: frozenset({RunStatus.QUEUED, RunStatus.SUPERSEDED}),
    RunStatus.APPROVED: frozenset(),
    RunStatus.SUPERSEDED: frozenset(),
}

# Statuses that still count as "the" run of its agreement, period and kind.
INACTIVE_STATUSES = (RunStatus.FAILED, RunStatus.SUPERSEDED)
# While a run is in one of these, its page polls for progress.
PENDING_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class ExportKind(models.TextChoices):
    CSV = "CSV", _("Betalfil (CSV)")
    XLSX = "XLSX", _("Betalfil (Excel)")
    DECISION = "DECISION", _("Beslut")


class RunEventAction(models.TextChoices):
    STARTED = "STARTED", _("Startad")
    CLAIMED = "CLAIMED", _("Beräkning påbörjad")
    CALCULATED = "CALCULATED", _("Beräknad")
    FAILED = "FAILED", _("Misslyckades")
    REQUEUED = "REQUEUED", _("Lagd i kö igen")
    RETRIED = "RETRIED", _("Försök igen")
    SUPERSEDED = "SUPERSEDED", _("Ersatt")
    APPROVED = "APPROVED", _("Attesterad")
    EXPORTED = "EXPORTED", _("Exporterad")
