"""Forms of payments: what a case officer chooses to start a run."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rehab.enums import PayoutModel
from rehab.models import Agreement

PERIOD_CHOICES = [
    ("Q1", _("Kvartal 1")),
    ("Q2", _("Kvartal 2")),
    ("Q3", _("Kvartal 3")),
    ("Q4", _("Kvartal 4")),
    ("YEAR", _("Helår (modell B) / slutreglering och omfördelning vid årets slut (modell A)")),
]


class StartRunForm(forms.Form):
    agreement = forms.ModelChoiceField(
        label=_("Överenskommelse"),
        queryset=Agreement.objects.order_by("-year"),
        to_field_name="year",
        empty_label=None,
    )
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        agreement = cleaned.get("agreement")
        period = cleaned.get("period")
        if agreement is None or period is None:
            return cleaned
        if agreement.payout_model == PayoutModel.B and period != "YEAR":
            self.add_error(
                "period",
                _("Överenskommelsen %(year)s betalas en gång om året: välj helår.")
                % {"year": agreement.year},
            )
        cleaned["quarter"] = None if period == "YEAR" else int(period[1])
        return cleaned
