"""Written accounts (återrapportering) of a region for a DELIVERABLE condition.

One `Account` per region × condition. Its content lives in numbered
`AccountVersion`s that move through the same statuses as treatment-report
versions (reporting.enums.VersionStatus and TRANSITIONS): a DRAFT is edited in
place (guarded by `lock_version`), then SUBMITTED; FK's case officer assesses
each requirement (`RequirementAssessment`) and either returns the version
(RETURNED, and a new draft copied from it) or closes it as assessed (ACCEPTED,
shown as "Bedömd"), fulfilled when every requirement is. Submitted versions,
their answers, attachments and assessments are never edited (database triggers).
Attachments are stored outside the web root (settings.PRIVATE_MEDIA_ROOT) and
served only through a view that checks the region scope.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from rehab.models import Condition, ConditionRequirement, Region

from ..enums import OPEN_STATUSES, VersionStatus
from ..workflow import WorkflowEvent, frozen_with_version, version_frozen_after_draft


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT, which no web server serves: they
    have no URL and are handed out only by views that check permissions."""

    @cached_property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @cached_property
    def base_url(self) -> str | None:  # type: ignore[override]
        return None


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _private_storage


class AssessmentOutcome(models.TextChoices):
    FULFILLED = "FULFILLED", _("Uppfyllt")
    NOT_FULFILLED = "NOT_FULFILLED", _("Inte uppfyllt")
    RETURNED = "RETURNED", _("Återsänt för komplettering")


class Account(models.Model):
    """A region's written account for a condition (one per region × condition)."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("region")
    )
    condition = models.ForeignKey(
        Condition, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("villkor")
    )
    assessed_version = models.OneToOneField(
        "AccountVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bedömd version"),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        ordering = ["condition", "region"]
        verbose_name = _("återrapportering")
        verbose_name_plural = _("återrapporteringar")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "condition"], name="account_unique_region_condition"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.condition.agreement.year} {self.condition.code}"


def content_frozen(name: str) -> pgtrigger.Trigger:
    """Answers and attachments of a version change only while it is a draft."""
    return frozen_with_version(
        name,
        version_table="reporting_accountversion",
        message="a submitted account is never edited",
    )


@pghistory.track()
class AccountVersion(models.Model):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="versions", verbose_name=_("redovisning")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    lock_version = models.PositiveIntegerField(_("sparningar"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    updated_at = models.DateTimeField(_("senast sparad"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("inskickad"), null=True, blank=True)
    submitted_late = models.BooleanField(_("inskickad efter sista dag"), default=False)
    late_explanation = models.TextField(_("förklaring till sen inskickning"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("bedömd av"),
    )
    decided_at = models.DateTimeField(_("bedömd"), null=True, blank=True)
    fulfilled = models.BooleanField(
        _("villkoret uppfyllt"),
        null=True,
        blank=True,
        help_text=_("Sätts när Försäkringskassan har bedömt varje krav."),
    )

    class Meta:
        ordering = ["account", "number"]
        verbose_name = _("version av återrapportering")
        verbose_name_plural = _("versioner av återrapportering")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "number"], name="account_version_unique_number"
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=OPEN_STATUSES),
                name="account_version_one_open",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values), name="account_version_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(fulfilled__isnull=True) | Q(status=VersionStatus.ACCEPTED),
                name="account_version_fulfilled_iff_assessed",
            ),
        ]
        triggers = [
            # A submitted version is never edited: after DRAFT only FK's assessment
            # (once) and the status change; an assessed version is final.
            version_frozen_after_draft(
                "account_version_frozen_after_draft",
                kept=[
                    "account_id",
                    "number",
                    "lock_version",
                    "created_by_id",
                    "created_at",
                    "updated_by_id",
                    "submitted_by_id",
                    "submitted_at",
                    "submitted_late",
                    "late_explanation",
                ],
                decision=["decided_by_id", "decided_at", "fulfilled"],
                moves={VersionStatus.SUBMITTED: [VersionStatus.ACCEPTED, VersionStatus.RETURNED]},
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} v{self.number} ({self.get_status_display()})"

    # The treatment reports' status function (reporting.status.state_of) reads this.
    is_correction = False

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class AccountAnswer(models.Model):
    """The region's answer to one requirement, in plain text (paragraphs, no HTML)."""

    version = models.ForeignKey(
        AccountVersion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("version")
    )
    requirement = models.ForeignKey(
        ConditionRequirement, on_delete=models.PROTECT, related_name="+", verbose_name=_("krav")
    )
    text = models.TextField(_("svar"), blank=True)

    class Meta:
        ordering = ["version", "requirement__number"]
        verbose_name = _("svar på krav")
        verbose_name_plural = _("svar på krav")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "requirement"], name="account_answer_unique"
            ),
        ]
        triggers = [
            content_frozen("account_answer_frozen_after_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.version} krav {self.requirement.number}"


class AccountAttachment(models.Model):
    """A file attached to a version (PDF, DOCX or XLSX, checked by content). A new
    draft refers to the same stored file; files are never overwritten."""

    version = models.ForeignKey(
        AccountVersion,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("version"),
    )
    file = models.FileField(_("fil"), storage=private_storage, upload_to="accounts/%Y/%m/")
    name = models.CharField(_("filnamn"), max_length=200)
    kind = models.CharField(_("filtyp"), max_length=4)
    content_type = models.CharField(_("innehållstyp"), max_length=100)
    size = models.PositiveIntegerField(_("storlek (byte)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uppladdad"))

    class Meta:
        ordering = ["version", "uploaded_at", "pk"]
        verbose_name = _("bilaga")
        verbose_name_plural = _("bilagor")
        triggers = [
            content_frozen("account_attachment_frozen_after_draft"),
        ]

    def __str__(self) -> str:
        return self.name


class RequirementAssessment(models.Model):
    """FK's assessment of one requirement in a submitted version: fulfilled, not
    fulfilled (with a reason) or returned for completion (with a comment)."""

    version = models.ForeignKey(
        AccountVersion,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("version"),
    )
    requirement = models.ForeignKey(
        ConditionRequirement, on_delete=models.PROTECT, related_name="+", verbose_name=_("krav")
    )
    outcome = models.CharField(_("bedömning"), max_length=16, choices=AssessmentOutcome.choices)
    comment = models.TextField(_("motivering"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("bedömd"))

    class Meta:
        ordering = ["version", "requirement__number"]
        verbose_name = _("bedömning av krav")
        verbose_name_plural = _("bedömningar av krav")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "requirement"], name="assessment_unique_requirement"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=AssessmentOutcome.values),
                name="assessment_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome=AssessmentOutcome.FULFILLED) | ~Q(comment=""),
                name="assessment_reason_unless_fulfilled",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="assessment_never_changed",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func="""
                RAISE EXCEPTION USING ERRCODE = 'check_violation',
                    MESSAGE = 'assessment_kept: an assessment is never changed';
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} krav {self.requirement.number}: {self.outcome}"


class AccountEvent(WorkflowEvent):
    """Who did what to a written account, and when: the account's own trail, the
    same kind of event as a report's (reporting.workflow)."""

    OWNER = "account"
    NOTIFICATION_TASK = "send_account_notification"
    NOTIFICATION_FIELD = "account_event"

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="events", verbose_name=_("redovisning")
    )
    version = models.ForeignKey(
        AccountVersion,
        on_delete=models.CASCADE,
        related_name="account_events",
        verbose_name=_("version"),
    )

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("händelse i återrapportering")
        verbose_name_plural = _("händelser i återrapportering")
