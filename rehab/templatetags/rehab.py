"""Template filters for numbers and money in Swedish format."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language

from rehab import formatting

register = template.Library()


def _sep() -> str:
    return "." if (get_language() or "sv").startswith("en") else ","


@register.filter
def num(value: int | None) -> str:
    """{{ 1234567|num }} -> 1 234 567"""
    return formatting.format_int(value)


@register.filter
def kronor(ore: int | None) -> str:
    """{{ 123456789|kronor }} -> 1 234 567,89 (from öre)"""
    return formatting.format_kronor(ore, decimal_sep=_sep())


@register.filter
def dec1(value: Decimal | float | None) -> str:
    """{{ 12.34|dec1 }} -> 12,3"""
    return formatting.format_decimal(value, 1, decimal_sep=_sep())


@register.filter
def percent(share: Decimal | float | None) -> str:
    """{{ 0.256|percent }} -> 25,6 % (a share between 0 and 1)"""
    if share is None:
        return "–"
    return formatting.format_decimal(Decimal(str(share)) * 100, 1, decimal_sep=_sep()) + " %"


@register.simple_tag
def report_url(name: str, region: str, year: int, quarter: int | None, *extra: object) -> str:
    """{% report_url 'report' code year quarter %}: a report page's address, for a
    quarter (…/2012/3/) or, with quarter None, the yearly report (…/2020/)."""
    from reporting.views.common import report_url as url

    return url(name, region, year, quarter, *extra)
