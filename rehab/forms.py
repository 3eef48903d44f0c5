"""Form fields shared by the admin and the pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class KronorField(forms.CharField):
    """Shows an amount stored in integer öre as kronor ("900 000 000,00") and reads
    kronor back into öre. Accepts spaces between thousands and a comma or a point."""

    default_error_messages = {
        "invalid": _("Ange ett belopp i kronor, t.ex. 12 000 eller 193 467,46."),
        "negative": _("Beloppet får inte vara negativt."),
        "too_precise": _("Ange högst två decimaler (öre)."),
    }

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            kronor, ore = divmod(value, 100)
            return f"{kronor},{ore:02d}" if ore else str(kronor)
        return value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        cleaned = text.replace(" ", "").replace("\xa0", "").replace(",", ".")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not amount.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if amount < 0:
            raise ValidationError(self.error_messages["negative"], code="negative")
        ore = amount * 100
        if ore != ore.to_integral_value():
            raise ValidationError(self.error_messages["too_precise"], code="too_precise")
        return int(ore)


def kronor_formfield(db_field: Any, **kwargs: Any) -> KronorField:
    """A KronorField for a model field named *_ore (label says kr instead of öre)."""
    label = str(db_field.verbose_name).replace("(öre)", gettext("(kr)"))
    return KronorField(
        label=label[:1].upper() + label[1:],
        required=not db_field.blank and not db_field.null and not db_field.has_default(),
        help_text=db_field.help_text,
    )


class CareUnitForm(forms.Form):
    """A care unit as the coordinator types it (the service saves it)."""

    name = forms.CharField(label=_("Namn"), max_length=200)
    hsa_id = forms.CharField(label=_("HSA-id (frivilligt)"), max_length=40, required=False)
    provider = forms.ChoiceField(label=_("Vårdgivare"), choices=())
    active_from = forms.DateField(label=_("Aktiv från"), required=False)
    active_to = forms.DateField(label=_("Aktiv till"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .enums import ProviderType

        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = ProviderType.choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("active_from"), data.get("active_to")
        if start and end and start > end:
            self.add_error("active_to", gettext("Aktiv till ligger före aktiv från."))
        return data


class CareUnitImportForm(forms.Form):
    file = forms.FileField(label=_("CSV-fil med enheter"))
