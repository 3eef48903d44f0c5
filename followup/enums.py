from django.db import models
from django.utils.translation import gettext_lazy as _


class HistoryMeasure(models.TextChoices):
    """The two groups SKR's tables 7 and 8 follow year by year."""

    KBT_IPT = "KBT_IPT", _("KBT+IPT")
    MMR = "MMR", _("MMR1+MMR2")


# Where a published figure comes from, as every table, chart and export names it.
SKR_SOURCE = "SKR"
