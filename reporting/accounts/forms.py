"""Forms of written accounts: the answers to a condition's requirements, an
attachment, and FK's assessment of each requirement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rehab.models import ConditionRequirement

from ..filecheck import MAX_ATTACHMENT_BYTES
from .models import AssessmentOutcome


class AccountForm(forms.Form):
    """One plain-text answer per requirement (field ``answer_<number>``)."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    late_explanation = forms.CharField(
        label=_("Förklaring till att redovisningen skickas in efter sista dag"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, requirements: Sequence[ConditionRequirement], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.requirements = list(requirements)
        for requirement in self.requirements:
            self.fields[f"answer_{requirement.number}"] = forms.CharField(
                label=_("Svar på krav %(number)s") % {"number": requirement.number},
                required=False,
                max_length=50_000,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 8}),
            )

    def answers(self) -> dict[int, str]:
        return {
            r.number: self.cleaned_data.get(f"answer_{r.number}") or "" for r in self.requirements
        }

    def answer_fields(self) -> list[tuple[ConditionRequirement, forms.BoundField]]:
        return [(r, self[f"answer_{r.number}"]) for r in self.requirements]


class AttachForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    file = forms.FileField(
        label=_("Bilaga (PDF, Word eller Excel, högst %(mb)s MB)")
        % {"mb": MAX_ATTACHMENT_BYTES // 1_000_000},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx"}),
    )


class AssessForm(forms.Form):
    """FK's decision per requirement: ``outcome_<n>`` and ``comment_<n>``."""

    def __init__(
        self, *args: Any, requirements: Sequence[ConditionRequirement], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.requirements = list(requirements)
        for requirement in self.requirements:
            self.fields[f"outcome_{requirement.number}"] = forms.ChoiceField(
                label=_("Bedömning av krav %(number)s") % {"number": requirement.number},
                choices=AssessmentOutcome.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Välj en bedömning.")},
            )
            self.fields[f"comment_{requirement.number}"] = forms.CharField(
                label=_("Motivering eller vad som ska kompletteras"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def rows(self) -> list[tuple[ConditionRequirement, forms.BoundField, forms.BoundField]]:
        return [
            (r, self[f"outcome_{r.number}"], self[f"comment_{r.number}"]) for r in self.requirements
        ]
