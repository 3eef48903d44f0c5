"""Bankgiro numbers: 7 or 8 digits whose last digit is a Luhn (modulus 10) check
digit, written "NNN-NNNN" or "NNNN-NNNN" (Bankgirot's own format).

A region's bankgiro is kept on the region (the admin validates it here) and goes into
the payment file; the demo data give each region a fictitious, checksum-valid number
(:func:`give_demo_bankgiros`) so exports work in the demo and the tests."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SHAPE = re.compile(r"[0-9]{3,4}-?[0-9]{4}")


def luhn_ok(digits: str) -> bool:
    """True when the last digit of ``digits`` is the Luhn check digit of the rest."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def check_digit(digits: str) -> str:
    """The Luhn check digit to append to ``digits``."""
    return next(d for d in "0123456789" if luhn_ok(digits + d))


def normalise(value: str) -> str:
    """ "50501055", "5050-1055", " 5050 1055 " -> "5050-1055" (digits unchecked)."""
    digits = re.sub(r"[\s-]", "", value or "")
    return f"{digits[:-4]}-{digits[-4:]}" if len(digits) > 4 else digits


def validate_bankgiro(value: str) -> None:
    """Refuse what is not a bankgiro number: its shape, then its check digit."""
    text = normalise(value)
    if not _SHAPE.fullmatch(text):
        raise ValidationError(
            _("Ett bankgironummer har 7 eller 8 siffror, t.ex. 5050-1055."), code="shape"
        )
    if not luhn_ok(text.replace("-", "")):
        raise ValidationError(
            _("Bankgironumret %(value)s stämmer inte: kontrollsiffran är fel."),
            code="checksum",
            params={"value": text},
        )


def demo_bankgiro(region_code: str) -> str:
    """A fictitious, checksum-valid bankgiro for a region in the demo: 999-<code><check>."""
    body = f"999{int(region_code):03d}"
    return normalise(body + check_digit(body))


def give_demo_bankgiros() -> int:
    """Every region without a bankgiro gets its fictitious demo number. Returns how many."""
    from .models import Region

    regions = list(Region.objects.filter(bankgiro=""))
    for region in regions:
        region.bankgiro = demo_bankgiro(region.code)
        region.save(update_fields=["bankgiro"])
    return len(regions)
