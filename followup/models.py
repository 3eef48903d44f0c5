"""Published history: the figures SKR printed for years Rehab did not receive as
reports (its report's tables 7 and 8, 2009–2018), kept exactly as published."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rehab.models import Region

from .enums import SKR_SOURCE, HistoryMeasure


class PublishedFigure(models.Model):
    """One count and its per-1,000 figure as SKR printed them for a region (or the
    nation, `region` empty: SKR's printed total, which need not equal the sum of
    its regions). Never corrected: a figure that looks wrong is flagged, not fixed."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="published_figures",
        verbose_name=_("region"),
        help_text=_("Tom = riket, som SKR tryckte det."),
    )
    year = models.PositiveSmallIntegerField(_("år"))
    measure = models.CharField(_("mått"), max_length=8, choices=HistoryMeasure.choices)
    count = models.PositiveIntegerField(_("antal genomförda behandlingar"))
    per_1000 = models.DecimalField(
        _("per 1 000 invånare (publicerat)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    source = models.CharField(_("källa"), max_length=40, default=SKR_SOURCE)

    class Meta:
        ordering = ["year", "measure", "region"]
        verbose_name = _("publicerad uppgift")
        verbose_name_plural = _("publicerad historik")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "measure"],
                nulls_distinct=False,
                name="published_figure_unique",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="published_figure_year"
            ),
            models.CheckConstraint(
                condition=Q(per_1000__gte=0), name="published_figure_rate_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id or 'ALL'} {self.year} {self.measure}: {self.count}"
