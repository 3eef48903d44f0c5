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


def is_yearly(agreement: Agreement) -> bool:
    """Paid once a year (model B), or reported once a year: no quarter to start."""
    return agreement.payout_model == PayoutModel.B or agreement.is_yearly_reporting


def default_period(agreement: Agreement) -> str:
    """The period a run of `agreement` would most likely be started for: the year for
    a yearly agreement; otherwise the first quarter not yet paid in an approved run
    (the year-end redistribution once all four are)."""
    if is_yearly(agreement):
        return "YEAR"
    from .enums import RunKind, RunStatus

    paid = set(
        agreement.payout_runs.filter(kind=RunKind.QUARTER, status=RunStatus.APPROVED).values_list(
            "quarter", flat=True
        )
    )
    return next((f"Q{q}" for q in range(1, 5) if q not in paid), "YEAR")


class StartRunForm(forms.Form):
    agreement = forms.ModelChoiceField(
        label=_("Överenskommelse"),
        queryset=Agreement.objects.order_by("-year"),
        to_field_name="year",
        empty_label=None,
    )
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES)

    def __init__(self, *args: Any, focus: Agreement | None = None, **kwargs: Any) -> None:
        """`focus`: the agreement the page is about (the newest when none is chosen);
        the form starts on it and on the period that fits it."""
        super().__init__(*args, **kwargs)
        self.focus = focus
        if focus is not None:
            self.initial.setdefault("agreement", focus.year)
            self.initial.setdefault("period", default_period(focus))

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
