"""Template filters for numbers and money in the active language's format (Django
l10n through rehab.formatting: "1 234 567,89" with no-break spaces in Swedish,
"1,234,567.89" in English, "−" for a negative number)."""

from decimal import Decimal

from django import template
from django.utils.formats import get_format

from rehab import formatting

register = template.Library()


@register.filter
def num(value: int | None) -> str:
    """{{ 1234567|num }} -> 1 234 567"""
    return formatting.format_int(value)


@register.filter
def kronor(ore: int | None) -> str:
    """{{ 123456789|kronor }} -> 1 234 567,89 (from öre)"""
    return formatting.format_kronor(ore)


@register.filter
def dec1(value: Decimal | float | None) -> str:
    """{{ 12.34|dec1 }} -> 12,3"""
    return formatting.format_decimal(value, 1)


@register.filter
def percent(share: Decimal | float | None) -> str:
    """{{ 0.256|percent }} -> 25,6 % (a share between 0 and 1)"""
    return formatting.format_percent(share)


@register.filter
def size(value: int | None) -> str:
    """{{ 5000000|size }} -> 5 MB"""
    return formatting.format_size(value)


@register.filter
def column_label(col: str) -> str:
    """A grid column as its headings say it: "F:PUBLIC" -> "Kvinnor, offentlig", "M" ->
    "Män" (shown beside each cell when the grid is stacked on a narrow screen)."""
    from reporting.enums import Provider, Sex

    sex, _, provider = str(col).partition(":")
    label = str(dict(Sex.choices).get(sex, sex))
    if provider:
        label += ", " + str(dict(Provider.choices).get(provider, provider)).lower()
    return label


@register.simple_tag
def thousand_separator() -> str:
    """The active language's thousands separator, for scripts that format numbers the
    way the server does (the grid's live totals read it from a data attribute)."""
    return str(get_format("THOUSAND_SEPARATOR", use_l10n=True))


@register.simple_tag
def report_url(name: str, region: str, year: int, quarter: int | None, *extra: object) -> str:
    """{% report_url 'report' code year quarter %}: a report page's address, for a
    quarter (…/2012/3/) or, with quarter None, the yearly report (…/2020/)."""
    from reporting.views.common import report_url as url

    return url(name, region, year, quarter, *extra)
