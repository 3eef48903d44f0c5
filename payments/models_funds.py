"""A region's use of the money it received (*medelsanvändning*), per agreement year.

Each save is a new numbered `FundsUse` version with its rows (a care unit, or a
free-text purpose such as "processledning", and an amount in öre); a saved version
is never changed (database triggers) and the latest is the one in force, so every
earlier account stays readable. pghistory records who saved what.

Imported into payments.models (Django finds the models there).
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rehab.models import Agreement, CareUnit, Region

NEVER_CHANGED_FUNC = """
RAISE EXCEPTION USING ERRCODE = 'check_violation',
    MESSAGE = 'funds_use_never_changed: a saved account of the use of money is kept as it is';
"""


@pghistory.track()
class FundsUse(models.Model):
    """One saved version of a region's account of the money of an agreement year."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="funds_uses", verbose_name=_("region")
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="funds_uses",
        verbose_name=_("överenskommelse"),
    )
    number = models.PositiveIntegerField(_("version"))
    received_ore = models.BigIntegerField(_("mottaget (öre)"))
    note = models.TextField(_("kommentar"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sparad av"),
    )
    created_at = models.DateTimeField(_("sparad"), auto_now_add=True)

    class Meta:
        ordering = ["region", "agreement__year", "number"]
        verbose_name = _("medelsanvändning")
        verbose_name_plural = _("medelsanvändning")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "agreement", "number"], name="fundsuse_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(received_ore__gte=0), name="fundsuse_received_non_negative"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="fundsuse_never_changed",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=NEVER_CHANGED_FUNC,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.agreement_id} v{self.number}"


class FundsUseRow(models.Model):
    """Money passed on: to a care unit of the region, or for a purpose in words."""

    funds_use = models.ForeignKey(
        FundsUse, on_delete=models.PROTECT, related_name="rows", verbose_name=_("version")
    )
    position = models.PositiveSmallIntegerField(_("ordning"))
    unit = models.ForeignKey(
        CareUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allotments",
        verbose_name=_("vårdenhet"),
    )
    purpose = models.CharField(_("ändamål"), max_length=200, blank=True)
    amount_ore = models.BigIntegerField(_("belopp (öre)"))

    class Meta:
        ordering = ["funds_use", "position"]
        verbose_name = _("rad i medelsanvändning")
        verbose_name_plural = _("rader i medelsanvändning")
        constraints = [
            models.UniqueConstraint(
                fields=["funds_use", "position"], name="fundsuserow_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(amount_ore__gte=0), name="fundsuserow_amount_non_negative"
            ),
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(purpose=""))
                | (Q(unit__isnull=True) & ~Q(purpose="")),
                name="fundsuserow_unit_or_purpose",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="fundsuserow_never_changed",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=NEVER_CHANGED_FUNC,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id or self.purpose}: {self.amount_ore}"
