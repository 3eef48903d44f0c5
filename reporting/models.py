"""A region's report for a period, its versions and their figures.

One `Report` per region × reporting period. Its content lives in numbered
`ReportVersion`s: a draft is edited in place (guarded by `lock_version` for
optimistic locking); once submitted a version is never edited again. A return
by FK marks the version RETURNED and opens a new draft copied from it; a
correction (*rättelse*) of an accepted report is a new version too, and the
accepted one stays in force (`Report.accepted_version`) until FK accepts the
correction. Payouts and statistics read only `Report.accepted_version`.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rehab.models import Region, ReportingPeriod, Treatment

from .enums import OPEN_STATUSES, ExtraKind, Provider, Sex, VersionStatus
from .workflow import WorkflowEvent, frozen_with_version, version_frozen_after_draft

# A report keeps its region and period. Its accepted_version starts empty and may only
# be set to a version of this same report that is ACCEPTED, the previous one SUPERSEDED
# by then; it is never emptied again. With the version's own trigger (SUBMITTED ->
# ACCEPTED -> SUPERSEDED, never back) and at most one ACCEPTED version per report,
# the only way to change it is to accept a submitted version, as report_accept does.
REPORT_GUARD_FUNC = """
IF TG_OP = 'INSERT' THEN
    IF NEW.accepted_version_id IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation',
            MESSAGE = 'report_accepted_version_guarded: a new report has no version in force';
    END IF;
    RETURN NEW;
END IF;
IF (NEW.region_id, NEW.period_id, NEW.created_at)
   IS DISTINCT FROM (OLD.region_id, OLD.period_id, OLD.created_at) THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
        MESSAGE = 'report_accepted_version_guarded: a report keeps its region and period';
END IF;
IF NEW.accepted_version_id IS NOT DISTINCT FROM OLD.accepted_version_id THEN
    RETURN NEW;
END IF;
IF NEW.accepted_version_id IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
        MESSAGE = 'report_accepted_version_guarded: an accepted report keeps a version in force';
END IF;
IF NOT EXISTS (
    SELECT 1 FROM reporting_reportversion
    WHERE id = NEW.accepted_version_id AND report_id = NEW.id AND status = 'ACCEPTED'
) THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
        MESSAGE = 'report_accepted_version_guarded: the version in force must be an '
                  'accepted version of this report';
END IF;
IF OLD.accepted_version_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM reporting_reportversion
    WHERE id = OLD.accepted_version_id AND status = 'SUPERSEDED'
) THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
        MESSAGE = 'report_accepted_version_guarded: the version in force until now '
                  'must be superseded first';
END IF;
RETURN NEW;
"""


# "ReportEvent" and report.events are the report's own trail: the history is apart.
@pghistory.track(
    model_name="ReportHistory", obj_field=pghistory.ObjForeignKey(related_name="history")
)
class Report(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="reports", verbose_name=_("region")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name=_("period")
    )
    accepted_version = models.OneToOneField(
        "ReportVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gällande godkänd version"),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        ordering = ["period__agreement__year", "period__quarter", "region"]
        verbose_name = _("rapport")
        verbose_name_plural = _("rapporter")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "period"], name="report_unique_region_period"
            ),
        ]
        triggers = [
            # The version in force changes only the way report_accept and a
            # correction's acceptance change it (issue 13: an UPDATE once pointed
            # region 03's report at region 01's draft and changed two payouts).
            pgtrigger.Trigger(
                name="report_accepted_version_guarded",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                func=REPORT_GUARD_FUNC,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.period.label}"


@pghistory.track()
class ReportVersion(models.Model):
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="versions", verbose_name=_("rapport")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    is_correction = models.BooleanField(_("rättelse"), default=False)
    correction_reason = models.TextField(_("skäl till rättelse"), blank=True)
    comment = models.TextField(_("kommentar från regionen"), blank=True)
    lock_version = models.PositiveIntegerField(
        _("sparningar"), default=0, help_text=_("Ökas vid varje sparning av utkastet.")
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("skapad av"),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("senast sparad av"),
    )
    updated_at = models.DateTimeField(_("senast sparad"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("inskickad av"),
    )
    submitted_at = models.DateTimeField(_("inskickad"), null=True, blank=True)
    submitted_late = models.BooleanField(_("inskickad efter sista dag"), default=False)
    eligibility_statement = models.TextField(
        _("vad som räknas"),
        blank=True,
        help_text=_("Texten om vad som räknas som den såg ut när regionen bekräftade den."),
    )
    eligibility_confirmed_at = models.DateTimeField(
        _("bekräftat vad som räknas"), null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("granskad av"),
    )
    decided_at = models.DateTimeField(_("granskad"), null=True, blank=True)
    review_comment = models.TextField(_("Försäkringskassans kommentar"), blank=True)
    flagged_cells = models.JSONField(
        _("markerade celler"),
        default=list,
        blank=True,
        help_text=_('Celler som FK:s kommentar gäller, t.ex. "KBT:F:PUBLIC" eller "AF_CONTACT:M".'),
    )

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("rapportversion")
        verbose_name_plural = _("rapportversioner")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="version_unique_number"),
            # At most one version of a report is being worked on (draft or submitted).
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(status__in=OPEN_STATUSES),
                name="version_one_open_per_report",
            ),
            # One version in force: an accepted version is superseded before the next
            # is accepted.
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(status=VersionStatus.ACCEPTED),
                name="version_one_accepted_per_report",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values), name="version_status_valid"
            ),
        ]
        triggers = [
            # A submitted version is never edited: after DRAFT only FK's decision
            # (once) and the status (along TRANSITIONS) change.
            version_frozen_after_draft(
                "version_frozen_after_draft",
                kept=[
                    "report_id",
                    "number",
                    "is_correction",
                    "correction_reason",
                    "comment",
                    "lock_version",
                    "created_by_id",
                    "created_at",
                    "updated_by_id",
                    "submitted_by_id",
                    "submitted_at",
                    "submitted_late",
                    "eligibility_statement",
                    "eligibility_confirmed_at",
                ],
                decision=["decided_by_id", "decided_at", "review_comment", "flagged_cells"],
                moves={
                    VersionStatus.SUBMITTED: [VersionStatus.ACCEPTED, VersionStatus.RETURNED],
                    VersionStatus.ACCEPTED: [VersionStatus.SUPERSEDED],
                },
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


def figures_frozen(name: str) -> pgtrigger.Trigger:
    """The figures of a report version (its cells, its care units' figures) change
    only while it is a draft."""
    return frozen_with_version(
        name,
        version_table="reporting_reportversion",
        message="figures of a submitted version are never edited",
    )


#: The longest comment, explanation or reason anyone may write, in the browser and the
#: API alike (a text is stored and e-mailed; 200,000 characters was possible).
TEXT_MAX_LENGTH = 5000


@pghistory.track()
class SeriesCount(models.Model):
    """Completed treatment series for one treatment × patient sex × provider type."""

    version = models.ForeignKey(
        ReportVersion, on_delete=models.CASCADE, related_name="series", verbose_name=_("version")
    )
    treatment = models.ForeignKey(
        Treatment, on_delete=models.PROTECT, related_name="+", verbose_name=_("behandling")
    )
    sex = models.CharField(_("kön"), max_length=1, choices=Sex.choices)
    provider = models.CharField(_("vårdgivare"), max_length=8, choices=Provider.choices)
    value = models.PositiveIntegerField(_("antal genomförda behandlingar"))

    class Meta:
        verbose_name = _("antal behandlingar")
        verbose_name_plural = _("antal behandlingar")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "treatment", "sex", "provider"], name="series_unique_cell"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="series_value_non_negative"),
        ]
        triggers = [
            # The figures of a version change only while it is a draft.
            figures_frozen("series_frozen_after_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.treatment_id} {self.sex} {self.provider}: {self.value}"


@pghistory.track()
class ExtraCount(models.Model):
    """Contacts with the employer or Arbetsförmedlingen, and video series, by sex."""

    version = models.ForeignKey(
        ReportVersion, on_delete=models.CASCADE, related_name="extras", verbose_name=_("version")
    )
    kind = models.CharField(_("uppgift"), max_length=16, choices=ExtraKind.choices)
    sex = models.CharField(_("kön"), max_length=1, choices=Sex.choices)
    value = models.PositiveIntegerField(_("antal"))

    class Meta:
        verbose_name = _("kontakter och video")
        verbose_name_plural = _("kontakter och video")
        constraints = [
            models.UniqueConstraint(fields=["version", "kind", "sex"], name="extra_unique_cell"),
            models.CheckConstraint(condition=Q(value__gte=0), name="extra_value_non_negative"),
        ]
        triggers = [
            # The figures of a version change only while it is a draft.
            figures_frozen("extra_frozen_after_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.sex}: {self.value}"


@pghistory.track()
class WarningExplanation(models.Model):
    """A warning raised by validation when the version was submitted, and the
    region's written explanation of it."""

    version = models.ForeignKey(
        ReportVersion, on_delete=models.CASCADE, related_name="warnings", verbose_name=_("version")
    )
    code = models.CharField(_("kod"), max_length=40)
    key = models.CharField(_("gäller"), max_length=60, blank=True)
    message = models.TextField(
        _("varning"), help_text=_("som den lästes när rapporten skickades in")
    )
    params = models.JSONField(_("parametrar"), default=dict, blank=True)
    explanation = models.TextField(_("förklaring"))

    class Meta:
        verbose_name = _("förklarad varning")
        verbose_name_plural = _("förklarade varningar")
        constraints = [
            models.UniqueConstraint(fields=["version", "code", "key"], name="warning_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.key}"

    @property
    def text(self) -> str:
        """The warning in the reader's language, rendered from its code and
        parameters (rows stored before parameters were kept show their message)."""
        if not self.params:
            return self.message
        from .validation import warning_text

        return warning_text(self.code, self.params)


class ReportEvent(WorkflowEvent):
    """Who did what to a report, and when: the report's own audit trail
    (reporting.workflow: the same kind of event as a written account's)."""

    OWNER = "report"
    NOTIFICATION_TASK = "send_report_notification"
    NOTIFICATION_FIELD = "event"

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("rapport")
    )
    version = models.ForeignKey(
        ReportVersion,
        on_delete=models.CASCADE,
        related_name="report_events",
        verbose_name=_("version"),
    )

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")


@pghistory.track()
class ValidationSettings(models.Model):
    """The thresholds of the report checks and the upload limits, one row that an
    administrator edits in the admin. Absent row = the defaults below."""

    SINGLETON_PK = 1

    # One row: its key is always 1 (also for a row added in the admin).
    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    deviation_percent = models.PositiveSmallIntegerField(
        _("avvikelse i procent"),
        default=50,
        help_text=_(
            "Varna när en behandlings antal skiljer sig mer än så här många procent från "
            "samma kvartal året innan eller från regionens genomsnitt de senaste kvartalen."
        ),
    )
    deviation_min_base = models.PositiveIntegerField(
        _("lägsta antal för avvikelsevarning"),
        default=20,
        help_text=_("Ingen avvikelsevarning när både det nya och det jämförda antalet är lägre."),
    )
    recent_quarters = models.PositiveSmallIntegerField(
        _("antal kvartal i genomsnittet"),
        default=4,
        help_text=_("Hur många av regionens senaste godkända kvartal genomsnittet räknas på."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("påminnelse dagar före sista dag"),
        default=7,
        help_text=_("Samordnare påminns när sista dag är högst så här många dagar bort."),
    )
    max_upload_rows = models.PositiveIntegerField(
        _("högsta antal rader i en uppladdad fil"), default=20_000
    )
    max_upload_bytes = models.PositiveIntegerField(
        _("största uppladdade fil (byte)"), default=5_000_000
    )

    class Meta:
        verbose_name = _("inställningar för kontroller")
        verbose_name_plural = _("inställningar för kontroller")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="validation_settings_singleton"),
            models.CheckConstraint(
                condition=Q(recent_quarters__gte=1) & Q(max_upload_rows__gte=1),
                name="validation_settings_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Inställningar för kontroller"))

    @classmethod
    def current(cls) -> ValidationSettings:
        """The row, or an unsaved row with the defaults if the admin has not saved one."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(pk=cls.SINGLETON_PK)


class SentNotification(models.Model):
    """An e-mail sent about reports or written accounts: a status change (one per
    event and recipient) or a deadline reminder (one per period, region and
    recipient, ever). The unique constraints make the tasks that send them safe to
    run twice. A written account's e-mail has `account_event` and no period."""

    class Kind(models.TextChoices):
        SUBMITTED = "SUBMITTED", _("Rapport inskickad")
        RETURNED = "RETURNED", _("Rapport återsänd")
        ACCEPTED = "ACCEPTED", _("Rapport godkänd")
        ASSESSED = "ASSESSED", _("Återrapportering bedömd")
        REMINDER = "REMINDER", _("Påminnelse om sista dag")
        ACCOUNT_REMINDER = "ACCOUNT_REM", _("Påminnelse om återrapportering")

    kind = models.CharField(_("slag"), max_length=12, choices=Kind.choices)
    event = models.ForeignKey(
        ReportEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("händelse"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("period"),
    )
    condition = models.ForeignKey(
        "rehab.Condition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("villkor"),
        help_text=_("För påminnelser om återrapportering."),
    )
    account_event = models.ForeignKey(
        "AccountEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("händelse i återrapportering"),
    )
    recipient = models.EmailField(_("mottagare"))
    subject = models.CharField(_("ämne"), max_length=200)
    sent_at = models.DateTimeField(_("skickat"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "pk"]
        verbose_name = _("skickat meddelande")
        verbose_name_plural = _("skickade meddelanden")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient"],
                condition=Q(event__isnull=False),
                name="notification_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["period", "region", "recipient"],
                condition=Q(kind="REMINDER"),
                name="reminder_once_per_period",
            ),
            models.UniqueConstraint(
                fields=["condition", "region", "recipient"],
                condition=Q(kind="ACCOUNT_REM"),
                name="account_reminder_once_per_condition",
            ),
            models.UniqueConstraint(
                fields=["account_event", "recipient"],
                condition=Q(account_event__isnull=False),
                name="notification_once_per_account_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.recipient} {self.sent_at:%Y-%m-%d %H:%M}"


# Care units' figures (issue 11), in their own module; imported here so Django finds them.
# Written accounts (återrapportering) live in their own module of this app.
from .accounts.models import (  # noqa: E402
    Account,
    AccountAnswer,
    AccountAttachment,
    AccountEvent,
    AccountVersion,
    RequirementAssessment,
)
from .models_units import UnitExtraCount, UnitFigures, UnitSeriesCount  # noqa: E402

__all__ = [
    "Account",
    "AccountAnswer",
    "AccountAttachment",
    "AccountEvent",
    "AccountVersion",
    "ExtraCount",
    "Report",
    "ReportEvent",
    "ReportVersion",
    "RequirementAssessment",
    "SentNotification",
    "SeriesCount",
    "UnitExtraCount",
    "UnitFigures",
    "UnitSeriesCount",
    "ValidationSettings",
    "WarningExplanation",
]
