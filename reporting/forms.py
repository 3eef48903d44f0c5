"""Forms of the reporting pages. They validate what the browser sends and hand
plain values to the services; the rules of a report live in reporting/validation.py."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rehab.formatting import format_int, format_size

from .figures import Figures
from .models import TEXT_MAX_LENGTH

MAX_CELL_VALUE = 2_147_483_647  # the database column's limit
_SPACES = re.compile(r"[\s\u00a0\u202f]")


class CellField(forms.Field):
    """One figure: blank = not filled in (None), else a whole number ≥ 0.
    Thousands may be separated by spaces ("1 234")."""

    def to_python(self, value: Any) -> int | None:
        text = _SPACES.sub("", str(value or ""))
        if text == "":
            return None
        # ASCII digits only: "²" and "５" pass isdigit() but are not what was meant.
        if text.startswith("-") and text[1:].isascii() and text[1:].isdigit():
            raise forms.ValidationError(_("Antalet kan inte vara negativt."), code="negative")
        if not (text.isascii() and text.isdigit()):
            raise forms.ValidationError(
                _("”%(value)s” är inte ett heltal. Skriv bara siffror, t.ex. 12.")
                % {"value": str(value).strip()[:20]},
                code="not_whole_number",
            )
        number = int(text)
        if number > MAX_CELL_VALUE:
            raise forms.ValidationError(
                _("Talet är för stort (högst %(max)s).") % {"max": format_int(MAX_CELL_VALUE)},
                code="too_large",
            )
        return number


class ReportForm(forms.Form):
    """The figures of a draft, its comment, the explanations of warnings, and the
    draft's version and lock_version as loaded (for the stale-draft check)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    comment = forms.CharField(
        label=gettext_lazy("Kommentar till Försäkringskassan"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, cell_keys: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cell_keys = list(cell_keys)
        for key in self.cell_keys:
            self.fields[key] = CellField(required=False)

    def figures(self) -> Figures:
        cells = {
            key: self.cleaned_data[key]
            for key in self.cell_keys
            if self.cleaned_data.get(key) is not None
        }
        return Figures.from_cells(cells, comment=self.cleaned_data.get("comment", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(len(text) > TEXT_MAX_LENGTH for text in self.explanations().values()):
            raise forms.ValidationError(
                _("Utkastet sparades inte: en förklaring är för lång (högst %(max)s tecken).")
                % {"max": format_int(TEXT_MAX_LENGTH)},
                code="too_long",
            )
        return cleaned

    def explanations(self) -> dict[str, str]:
        """Warning explanations as typed: the inputs named "explain:<issue key>"."""
        return {
            name.removeprefix("explain:"): value.strip()
            for name, value in self.data.items()
            if name.startswith("explain:") and isinstance(value, str)
        }

    def raw_cells(self) -> dict[str, str]:
        """What the user typed in each cell (shown again when a save is refused)."""
        return {key: str(self.data.get(key, "")) for key in self.cell_keys}

    def cell_errors(self) -> dict[str, list[str]]:
        return {
            key: [str(e) for e in self.errors[key]] for key in self.cell_keys if key in self.errors
        }


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Kommentar till regionen"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Skriv vad regionen ska rätta.")},
    )
    flagged = forms.MultipleChoiceField(required=False, choices=())

    def __init__(self, *args: Any, cell_keys: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["flagged"].choices = [(key, key) for key in cell_keys]  # type: ignore[attr-defined]


class AcceptForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Kommentar (frivillig)"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Skäl till rättelsen"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Vad är fel i den godkända rapporten och varför?"),
        error_messages={"required": gettext_lazy("Skriv varför rapporten behöver rättas.")},
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fil (.xlsx eller .csv)"),
        error_messages={"required": gettext_lazy("Välj en fil att ladda upp.")},
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv,.txt"

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".csv", ".txt")):
            raise forms.ValidationError(
                _("Filtypen stöds inte. Ladda upp en .xlsx- eller .csv-fil.")
            )
        if (upload.size or 0) > self.max_bytes:
            raise forms.ValidationError(
                _("Filen är för stor (%(size)s). Största tillåtna storlek är %(max)s.")
                % {"size": format_size(upload.size), "max": format_size(self.max_bytes)}
            )
        return upload


class InboxFilterForm(forms.Form):
    """The inbox's filters (GET); every field optional."""

    agreement = forms.TypedChoiceField(
        label=gettext_lazy("Överenskommelse"), required=False, coerce=int, empty_value=None
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Kvartal"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", gettext_lazy("Alla")), *[(q, f"Q{q}") for q in range(1, 5)]],
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    late = forms.BooleanField(label=gettext_lazy("Bara sena"), required=False)

    def __init__(
        self,
        *args: Any,
        years: Iterable[int],
        regions: Iterable[tuple[str, str]],
        statuses: Iterable[tuple[str, Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [  # type: ignore[attr-defined]
            ("", _("Alla")),
            *[(y, str(y)) for y in years],
        ]
        self.fields["region"].choices = [("", _("Alla")), *regions]  # type: ignore[attr-defined]
        self.fields["status"].choices = list(statuses)  # type: ignore[attr-defined]
