"""Choices of the shared domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.TextChoices):
    MENTAL = "MENTAL", _("Lindrig och medelsvår psykisk ohälsa")
    PAIN = "PAIN", _("Långvarig smärta")


class AgeBand(models.TextChoices):
    TOTAL = "TOTAL", _("Hela befolkningen")
    AGE_16_67 = "16-67", _("16–67 år")
    AGE_16_65 = "16-65", _("16–65 år")


class PayoutModel(models.TextChoices):
    A = "A", _("A: per behandling, tak efter befolkningsandel, omfördelning vid årets slut")
    B = "B", _("B: ram efter befolkningsandel plus kontaktbonus")


class Role(models.TextChoices):
    REGION_COORDINATOR = "REGION_COORDINATOR", _("Regionsamordnare")
    REGION_VIEWER = "REGION_VIEWER", _("Läsare i region")
    FK_CASE_OFFICER = "FK_CASE_OFFICER", _("Handläggare på Försäkringskassan")
    FK_APPROVER = "FK_APPROVER", _("Attestant på Försäkringskassan")
    ADMINISTRATOR = "ADMINISTRATOR", _("Administratör")
    UNIT_REPORTER = "UNIT_REPORTER", _("Enhetsrapportör")


REGION_ROLES = frozenset({Role.REGION_COORDINATOR, Role.REGION_VIEWER})
# Roles tied to one care unit (and through it to the unit's region).
UNIT_ROLES = frozenset({Role.UNIT_REPORTER})
# Every role that belongs to a region: the user row names the region.
REGION_BOUND_ROLES = REGION_ROLES | UNIT_ROLES
FK_ROLES = frozenset({Role.FK_CASE_OFFICER, Role.FK_APPROVER, Role.ADMINISTRATOR})


class ConditionKind(models.TextChoices):
    TREATMENTS = "TREATMENTS", _("Behandlingsrapport")
    DELIVERABLE = "DELIVERABLE", _("Skriftlig återrapportering")


class ReportingFrequency(models.TextChoices):
    YEARLY = "YEARLY", _("En gång om året")
    QUARTERLY = "QUARTERLY", _("Kvartalsvis")


class ProviderType(models.TextChoices):
    """Public or private provider: a report's column, and the kind of a care unit."""

    PUBLIC = "PUBLIC", _("Offentlig")
    PRIVATE = "PRIVATE", _("Privat")
