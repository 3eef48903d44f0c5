"""Choices of reporting, and the allowed moves of a report version's status."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rehab.enums import ProviderType


class Sex(models.TextChoices):
    FEMALE = "F", _("Kvinnor")
    MALE = "M", _("Män")


# One definition of public/private: a care unit's kind is the report's column.
Provider = ProviderType


class ExtraKind(models.TextChoices):
    """Figures beside the treatment series: contacts taken (with the patient's
    consent) during treatment, and series given wholly or partly by video."""

    EMPLOYER_CONTACT = "EMPLOYER_CONTACT", _("Kontakter med arbetsgivare")
    AF_CONTACT = "AF_CONTACT", _("Kontakter med Arbetsförmedlingen")
    VIDEO = "VIDEO", _("Behandlingar helt eller delvis via video")


CONTACT_KINDS = (ExtraKind.EMPLOYER_CONTACT, ExtraKind.AF_CONTACT)


class VersionStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Utkast")
    SUBMITTED = "SUBMITTED", _("Inskickad")
    RETURNED = "RETURNED", _("Återsänd")
    ACCEPTED = "ACCEPTED", _("Godkänd")
    SUPERSEDED = "SUPERSEDED", _("Ersatt av rättelse")


# A version moves only along these edges. RETURNED and SUPERSEDED are final for
# that version: a return opens a new draft (a copy), a correction is a new version.
TRANSITIONS: dict[str, frozenset[str]] = {
    VersionStatus.DRAFT: frozenset({VersionStatus.SUBMITTED}),
    VersionStatus.SUBMITTED: frozenset({VersionStatus.ACCEPTED, VersionStatus.RETURNED}),
    VersionStatus.RETURNED: frozenset(),
    VersionStatus.ACCEPTED: frozenset({VersionStatus.SUPERSEDED}),
    VersionStatus.SUPERSEDED: frozenset(),
}

OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.SUBMITTED)


class ReportState(models.TextChoices):
    """What the region's overview shows for a region × period."""

    NOT_STARTED = "NOT_STARTED", _("Ej påbörjad")
    DRAFT = "DRAFT", _("Utkast")
    SUBMITTED = "SUBMITTED", _("Inskickad")
    RETURNED = "RETURNED", _("Återsänd")
    ACCEPTED = "ACCEPTED", _("Godkänd")
    CORRECTING = "CORRECTING", _("Rättelse pågår")


class UnitFiguresStatus(models.TextChoices):
    """A care unit's figures for a period, as the coordinator follows them."""

    DRAFT = "DRAFT", _("Utkast")
    READY = "READY", _("Klar")


class UnitState(models.TextChoices):
    NOT_STARTED = "NOT_STARTED", _("Ej påbörjad")
    DRAFT = "DRAFT", _("Utkast")
    READY = "READY", _("Klar")
    # Not active during the period (the unit's active from/to dates), nothing saved.
    INACTIVE = "INACTIVE", _("Inte aktiv")
