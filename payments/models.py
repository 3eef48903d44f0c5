"""Payout runs, their lines per region, the inputs they used, and their exports.

A `PayoutRun` is created (QUEUED) by an FK case officer and computed by a Celery
worker, which claims it (QUEUED -> RUNNING with a fresh `claim_token`) and writes
every `PayoutLine` and `RunInputVersion` in one transaction together with the
status change to CALCULATED. An FK approver who did not start it approves it;
from then on the run, its lines and its inputs never change (database triggers).
"""

from __future__ import annotations

from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from rehab.models import Agreement, Condition, Region
from reporting.models import ReportVersion

from .enums import (
    INACTIVE_STATUSES,
    ExportKind,
    Instalment,
    RunEventAction,
    RunKind,
    RunStatus,
)

# Rows that hang off a run (lines, inputs) are written only while the run is being
# computed, never updated, and kept for good once the run is approved.
CHILD_OF_RUN_FUNC = """
    SELECT status INTO run_status FROM payments_payoutrun
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.run_id ELSE NEW.run_id END;
    IF TG_OP = 'INSERT' AND run_status IS DISTINCT FROM 'RUNNING' THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation',
            MESSAGE = 'run_rows_written_while_running: rows of a run are written only '
                      || 'while it is computed';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation',
            MESSAGE = 'run_rows_never_updated: rows of a run are never edited';
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF run_status = 'APPROVED' THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = 'run_rows_kept_when_approved: an approved run never changes';
        END IF;
        RETURN OLD;
    END IF;
    RETURN NEW;
"""


@pghistory.track(obj_field=pghistory.ObjForeignKey(related_name="history"))  # run.events: RunEvent
class PayoutRun(models.Model):
    """One computation of payouts for an agreement and a period."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="payout_runs",
        verbose_name=_("överenskommelse"),
    )
    kind = models.CharField(_("slag"), max_length=10, choices=RunKind.choices)
    quarter = models.PositiveSmallIntegerField(
        _("kvartal"), null=True, blank=True, help_text=_("Endast för kvartalskörningar.")
    )
    condition = models.ForeignKey(
        Condition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payout_runs",
        verbose_name=_("villkor"),
        help_text=_("Endast för körningar av villkor med skriftlig återrapportering."),
    )
    instalment = models.CharField(
        _("delbetalning"), max_length=10, choices=Instalment.choices, blank=True
    )
    round = models.PositiveSmallIntegerField(
        _("omgång"),
        default=1,
        help_text=_(
            "1 för periodens första körning; en senare omgång reglerar vad rättelser "
            "och nya godkännanden ändrat sedan den förra attesterades."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("startad av"),
    )
    created_at = models.DateTimeField(_("startad"), auto_now_add=True)
    queued_at = models.DateTimeField(_("lagd i kö"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("beräkning påbörjad"), null=True, blank=True)
    claim_token = models.UUIDField(_("beräkningens nyckel"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("försök"), default=0)
    computed_at = models.DateTimeField(_("beräknad"), null=True, blank=True)
    failure_reason = models.TextField(_("orsak till fel"), blank=True)

    inputs = models.JSONField(
        _("indata"),
        default=dict,
        blank=True,
        help_text=_(
            "Allt körningen räknade med: parametrar, befolkning, rapportversioner, "
            "antal och tidigare utbetalningar."
        ),
    )
    total_ore = models.BigIntegerField(_("summa att betala (öre)"), null=True, blank=True)
    input_versions: models.ManyToManyField[ReportVersion, RunInputVersion] = models.ManyToManyField(
        ReportVersion,
        through="RunInputVersion",
        related_name="payout_runs",
        verbose_name=_("rapportversioner"),
    )

    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("attesterad av"),
    )
    approved_at = models.DateTimeField(_("attesterad"), null=True, blank=True)

    class Meta:
        ordering = ["-agreement__year", "-created_at", "-pk"]
        verbose_name = _("utbetalningskörning")
        verbose_name_plural = _("utbetalningskörningar")
        constraints = [
            # Exactly once: one live run per agreement, kind, quarter and round.
            models.UniqueConstraint(
                fields=["agreement", "kind", "quarter", "condition", "instalment", "round"],
                condition=~Q(status__in=INACTIVE_STATUSES),
                nulls_distinct=False,
                name="payoutrun_one_live_per_period",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="payoutrun_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind=RunKind.QUARTER) & Q(quarter__gte=1) & Q(quarter__lte=4))
                | (~Q(kind=RunKind.QUARTER) & Q(quarter__isnull=True)),
                name="payoutrun_quarter_iff_quarterly",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=RunKind.CONDITION)
                    & Q(condition__isnull=False)
                    & Q(instalment__in=Instalment.values)
                )
                | (~Q(kind=RunKind.CONDITION) & Q(condition__isnull=True) & Q(instalment="")),
                name="payoutrun_condition_iff_condition_kind",
            ),
            models.CheckConstraint(condition=Q(round__gte=1), name="payoutrun_round_positive"),
            # Four eyes: whoever started a run never approves it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("started_by")),
                name="payoutrun_four_eyes",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=RunStatus.APPROVED)
                    & Q(approved_by__isnull=False)
                    & Q(approved_at__isnull=False)
                )
                | (~Q(status=RunStatus.APPROVED) & Q(approved_by__isnull=True)),
                name="payoutrun_approved_iff_approver",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="payoutrun_frozen_when_approved",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func="""
                IF OLD.status = 'APPROVED' THEN
                    RAISE EXCEPTION USING ERRCODE = 'check_violation',
                        MESSAGE = 'payoutrun_frozen_when_approved: an approved run never changes';
                END IF;
                IF TG_OP = 'DELETE' THEN
                    RETURN OLD;
                END IF;
                IF NEW.status = 'APPROVED' AND (
                    OLD.status <> 'CALCULATED'
                    OR (NEW.agreement_id, NEW.kind, NEW.quarter, NEW.condition_id,
                        NEW.instalment, NEW.round, NEW.started_by_id, NEW.inputs, NEW.total_ore,
                        NEW.computed_at)
                       IS DISTINCT FROM
                       (OLD.agreement_id, OLD.kind, OLD.quarter, OLD.condition_id,
                        OLD.instalment, OLD.round, OLD.started_by_id, OLD.inputs, OLD.total_ore,
                        OLD.computed_at)
                ) THEN
                    RAISE EXCEPTION USING ERRCODE = 'check_violation',
                        MESSAGE = 'payoutrun_frozen_when_approved: only a calculated run is '
                                  || 'approved, as it was calculated';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.year} {self.period_label} #{self.pk}"

    @property
    def period_label(self) -> str:
        """ "2012Q1", "2012" (year-end or model B year), "2020 V2 förskott" (a condition),
        with the round when it is not the first."""
        if self.kind == RunKind.QUARTER:
            label = f"{self.agreement.year}Q{self.quarter}"
        elif self.kind == RunKind.CONDITION and self.condition is not None:
            label = f"{self.agreement.year} {self.condition.code}"
            if self.instalment == Instalment.ADVANCE:
                label += f" {Instalment.ADVANCE.label.lower()}"
        else:
            label = str(self.agreement.year)
        return label if self.round == 1 else f"{label} ({self.round})"

    @property
    def reference(self) -> str:
        """The payment reference printed on files and decisions, e.g. "REHAB-2012Q1-1-17",
        "REHAB-2020V2F-1-18" (advance of villkor 2) or "REHAB-2020V2-1-19"."""
        if self.kind == RunKind.QUARTER:
            period = f"{self.agreement.year}Q{self.quarter}"
        elif self.kind == RunKind.CONDITION and self.condition is not None:
            advance = "F" if self.instalment == Instalment.ADVANCE else ""
            period = f"{self.agreement.year}{self.condition.code}{advance}"
        else:
            period = f"{self.agreement.year}{'SLUT' if self.kind == RunKind.YEAR_END else 'AR'}"
        return f"REHAB-{period}-{self.round}-{self.pk}"


@pghistory.track()
class PayoutLine(models.Model):
    """One region's result in a run. `amount_ore` is what this run pays the region
    (negative = claw-back); the other amounts are the components behind it."""

    run = models.ForeignKey(
        PayoutRun, on_delete=models.CASCADE, related_name="lines", verbose_name=_("körning")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="payout_lines", verbose_name=_("region")
    )
    amount_ore = models.BigIntegerField(_("att betala (öre)"))
    ceiling_ore = models.BigIntegerField(_("tak (öre)"), null=True, blank=True)
    earned_ore = models.BigIntegerField(_("intjänat (öre)"), null=True, blank=True)
    entitled_ore = models.BigIntegerField(_("berättigat (öre)"), null=True, blank=True)
    already_paid_ore = models.BigIntegerField(_("tidigare utbetalt (öre)"), default=0)
    redistribution_ore = models.BigIntegerField(_("omfördelning (öre)"), null=True, blank=True)
    base_ore = models.BigIntegerField(_("grundbelopp (öre)"), null=True, blank=True)
    bonus_ore = models.BigIntegerField(_("kontaktbonus (öre)"), null=True, blank=True)
    detail = models.JSONField(_("underlag"), default=dict, blank=True)

    class Meta:
        ordering = ["run", "region"]
        verbose_name = _("utbetalningsrad")
        verbose_name_plural = _("utbetalningsrader")
        constraints = [
            models.UniqueConstraint(fields=["run", "region"], name="payoutline_one_per_region"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="payoutline_frozen",
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                declare=[("run_status", "text")],
                func=CHILD_OF_RUN_FUNC,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.region_id}: {self.amount_ore}"

    @property
    def ceiling_used_share(self) -> Decimal | None:
        """How much of the ceiling the entitled amount uses, 0–1 (model A; shown with
        the |percent filter), None without a ceiling."""
        if not self.ceiling_ore or self.entitled_ore is None:
            return None
        return Decimal(self.entitled_ore) / self.ceiling_ore


class RunInputVersion(models.Model):
    """A report version a run counted (the accepted version of a report at that moment)."""

    run = models.ForeignKey(
        PayoutRun, on_delete=models.CASCADE, related_name="+", verbose_name=_("körning")
    )
    version = models.ForeignKey(
        ReportVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version")
    )

    class Meta:
        verbose_name = _("använd rapportversion")
        verbose_name_plural = _("använda rapportversioner")
        constraints = [
            models.UniqueConstraint(fields=["run", "version"], name="runinput_unique"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="runinput_frozen",
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                declare=[("run_status", "text")],
                func=CHILD_OF_RUN_FUNC,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} v{self.version_id}"


@pghistory.track()
class PayoutExport(models.Model):
    """A payment file or a decision made from an approved run: who, when, and the
    SHA-256 of exactly the bytes handed out (kept, so a download can be repeated)."""

    run = models.ForeignKey(
        PayoutRun, on_delete=models.PROTECT, related_name="exports", verbose_name=_("körning")
    )
    kind = models.CharField(_("slag"), max_length=10, choices=ExportKind.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    filename = models.CharField(_("filnamn"), max_length=120)
    content_type = models.CharField(_("innehållstyp"), max_length=100)
    content = models.BinaryField(_("innehåll"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("exporterad av"),
    )
    created_at = models.DateTimeField(_("exporterad"), auto_now_add=True)

    class Meta:
        ordering = ["run", "-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exporter")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ExportKind.values), name="payoutexport_kind_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind=ExportKind.DECISION) & Q(region__isnull=False))
                | (~Q(kind=ExportKind.DECISION) & Q(region__isnull=True)),
                name="payoutexport_region_iff_decision",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="payoutexport_of_approved_run_kept",
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func="""
                IF TG_OP = 'INSERT' THEN
                    IF (SELECT status FROM payments_payoutrun WHERE id = NEW.run_id)
                       IS DISTINCT FROM 'APPROVED' THEN
                        RAISE EXCEPTION USING ERRCODE = 'check_violation',
                            MESSAGE = 'payoutexport_of_approved_run: only approved runs '
                                      || 'are exported';
                    END IF;
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION USING ERRCODE = 'check_violation',
                    MESSAGE = 'payoutexport_kept: an export record is never changed';
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"


class RunEvent(models.Model):
    """What happened to a run, by whom (empty for the worker), and when."""

    run = models.ForeignKey(
        PayoutRun, on_delete=models.CASCADE, related_name="events", verbose_name=_("körning")
    )
    action = models.CharField(_("händelse"), max_length=12, choices=RunEventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("av"),
    )
    api_token = models.ForeignKey(
        "rehab.ApiToken",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("med API-nyckel"),
        help_text=_("Nyckeln som användes, om händelsen kom via API:t."),
    )
    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True)
    note = models.TextField(_("anteckning"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        # Append-only: an event is never changed or removed (also no grant for the
        # app's database role; see `manage.py app_db_role`).
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


# The regions' use of the money (issue 11), in its own module; imported here so Django finds them.
from .models_funds import FundsUse, FundsUseRow  # noqa: E402

__all__ = [
    "FundsUse",
    "FundsUseRow",
    "PayoutExport",
    "PayoutLine",
    "PayoutRun",
    "RunEvent",
    "RunInputVersion",
]
