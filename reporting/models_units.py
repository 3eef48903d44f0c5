"""A care unit's figures for a period (when its region collects them per unit).

They belong to the region's report version, like the version's own cells: the
region's draft is the sum of its units' figures, and once the version is
submitted its unit figures are frozen with it (the same database triggers as the
version's cells). A return or a correction opens a new draft of the region's
report with copies of the unit figures, which can then be changed again.

Imported into reporting.models (Django finds the models there).
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rehab.models import CareUnit, Treatment

from .enums import ExtraKind, Provider, Sex, UnitFiguresStatus
from .models import ReportVersion, figures_frozen
from .workflow import frozen_with_version


def unit_cells_frozen(name: str) -> pgtrigger.Trigger:
    """The figures of a unit change only while the region's version is a draft."""
    return frozen_with_version(
        name,
        version_table="reporting_reportversion",
        via=("reporting_unitfigures", "unit_figures_id"),
        message="a unit's figures of a submitted version are never edited",
    )


@pghistory.track()
class UnitFigures(models.Model):
    """One care unit's figures in one version of its region's report."""

    version = models.ForeignKey(
        ReportVersion,
        on_delete=models.CASCADE,
        related_name="unit_figures",
        verbose_name=_("version"),
    )
    unit = models.ForeignKey(
        CareUnit, on_delete=models.PROTECT, related_name="figures", verbose_name=_("vårdenhet")
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=UnitFiguresStatus.choices,
        default=UnitFiguresStatus.DRAFT,
    )
    comment = models.TextField(_("kommentar från enheten"), blank=True)
    lock_version = models.PositiveIntegerField(
        _("sparningar"), default=0, help_text=_("Ökas vid varje sparning av enhetens siffror.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("senast sparad av"),
    )
    updated_at = models.DateTimeField(_("senast sparad"), auto_now=True)

    class Meta:
        ordering = ["version", "unit__name"]
        verbose_name = _("enhetens siffror")
        verbose_name_plural = _("enheternas siffror")
        constraints = [
            models.UniqueConstraint(fields=["version", "unit"], name="unitfigures_unique_unit"),
            models.CheckConstraint(
                condition=Q(status__in=UnitFiguresStatus.values), name="unitfigures_status_valid"
            ),
        ]
        triggers = [
            figures_frozen("unitfigures_frozen_after_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} v{self.version_id}"


class UnitSeriesCount(models.Model):
    """A unit's completed series for one treatment × sex (× its provider type)."""

    unit_figures = models.ForeignKey(
        UnitFigures, on_delete=models.CASCADE, related_name="series", verbose_name=_("enhet")
    )
    treatment = models.ForeignKey(
        Treatment, on_delete=models.PROTECT, related_name="+", verbose_name=_("behandling")
    )
    sex = models.CharField(_("kön"), max_length=1, choices=Sex.choices)
    provider = models.CharField(_("vårdgivare"), max_length=8, choices=Provider.choices)
    value = models.PositiveIntegerField(_("antal genomförda behandlingar"))

    class Meta:
        verbose_name = _("enhetens antal behandlingar")
        verbose_name_plural = _("enhetens antal behandlingar")
        constraints = [
            models.UniqueConstraint(
                fields=["unit_figures", "treatment", "sex", "provider"],
                name="unitseries_unique_cell",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="unitseries_value_non_negative"),
        ]
        triggers = [
            unit_cells_frozen("unitseries_frozen_after_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.value}"


class UnitExtraCount(models.Model):
    """A unit's contacts with employers/Arbetsförmedlingen and video series, by sex."""

    unit_figures = models.ForeignKey(
        UnitFigures, on_delete=models.CASCADE, related_name="extras", verbose_name=_("enhet")
    )
    kind = models.CharField(_("uppgift"), max_length=16, choices=ExtraKind.choices)
    sex = models.CharField(_("kön"), max_length=1, choices=Sex.choices)
    value = models.PositiveIntegerField(_("antal"))

    class Meta:
        verbose_name = _("enhetens kontakter och video")
        verbose_name_plural = _("enhetens kontakter och video")
        constraints = [
            models.UniqueConstraint(
                fields=["unit_figures", "kind", "sex"], name="unitextra_unique_cell"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="unitextra_value_non_negative"),
        ]
        triggers = [
            unit_cells_frozen("unitextra_frozen_after_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.value}"
