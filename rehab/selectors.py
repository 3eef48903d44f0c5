"""Reads of the shared domain."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db.models import Q

from .enums import AgeBand
from .models import Agreement, CareUnit, Condition, PopulationFigure, Region, UnitCollection


def agreement_in_use(agreement: Agreement) -> bool:
    """True once any report or payout run refers to the agreement: from then on
    the figures that decide money must not change."""
    for label, lookup in (
        ("reporting.Report", "period__agreement"),
        ("payments.PayoutRun", "agreement"),
    ):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if model._default_manager.filter(**{lookup: agreement}).exists():
            return True
    return False


# Models outside this app that refer to a condition and freeze its money once a row
# exists: (app label.model, lookup to the condition). Apps that add such models
# (written accounts, deliverable runs) append to this list in their AppConfig.ready.
CONDITION_USERS: list[tuple[str, str]] = [
    ("reporting.Report", "period__condition"),
]


def condition_in_use(condition: Condition) -> bool:
    """True once anything decided by the condition's figures exists: a report on it,
    a payout run of its agreement, or a row registered in CONDITION_USERS."""
    if agreement_in_use(condition.agreement):
        return True
    for label, lookup in CONDITION_USERS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if model._default_manager.filter(**{lookup: condition}).exists():
            return True
    return False


def populations_for(
    *, reference_date: datetime.date, age_band: str = AgeBand.TOTAL, active_only: bool = True
) -> dict[str, int]:
    """{län code: inhabitants} on a reference date in an age band."""
    qs = PopulationFigure.objects.filter(reference_date=reference_date, age_band=age_band)
    if active_only:
        qs = qs.filter(region__active=True)
    return dict(qs.values_list("region_id", "population"))


def agreement_populations(agreement: Agreement) -> dict[str, int]:
    """The population figure that drives the agreement's money, per region."""
    return populations_for(
        reference_date=agreement.population_reference_date,
        age_band=agreement.population_age_band,
    )


def collects_per_unit(region: Region | str, agreement: Agreement | int) -> bool:
    """Whether the region collects its figures per care unit in the agreement's year."""
    code = region.code if isinstance(region, Region) else region
    agreement_id = agreement.pk if isinstance(agreement, Agreement) else agreement
    return UnitCollection.objects.filter(
        region_id=code, agreement_id=agreement_id, per_unit=True
    ).exists()


def units_active_during(region: Region | str, start: datetime.date, end: datetime.date) -> Any:
    """The region's care units active at some day of [start, end], by name."""
    code = region.code if isinstance(region, Region) else region
    return (
        CareUnit.objects.filter(region_id=code)
        .filter(Q(active_from__isnull=True) | Q(active_from__lte=end))
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=start))
        .order_by("name")
    )


def period_code(year: int, quarter: int | None) -> str:
    """ "2020" for the yearly period, "2020Q1" for a quarter."""
    return str(year) if quarter is None else f"{year}Q{quarter}"


def period_missing_message(*, year: int, quarter: int | None, yearly: bool | None) -> str:
    """Why there is no reporting period `year`/`quarter`, in Swedish. `yearly` is how
    the agreement of that year reports (None: no agreement or no periods that year),
    so a quarter asked of a yearly condition (or the year of a quarterly one) gets a
    message that says which period to use."""
    from django.utils.translation import gettext as _

    code = period_code(year, quarter)
    if yearly is True and quarter is not None:
        return _(
            "Behandlingsrapporten för %(year)s lämnas en gång om året: använd perioden "
            "%(year)s, inte %(code)s."
        ) % {"year": year, "code": code}
    if yearly is False and quarter is None:
        return _(
            "Behandlingsrapporten för %(year)s lämnas per kvartal: ange kvartalet, t.ex. "
            "%(year)sQ1, inte %(year)s."
        ) % {"year": year}
    return _("det finns ingen rapporteringsperiod %(period)s.") % {"period": code}


def yearly_by_year(years: Iterable[int]) -> dict[int, bool]:
    """{year: True if its treatment report is yearly} for the years that have periods."""
    from .models import ReportingPeriod

    out: dict[int, bool] = {}
    for year, quarter in ReportingPeriod.objects.filter(
        agreement__year__in=list(years)
    ).values_list("agreement__year", "quarter"):
        out[year] = quarter is None
    return out
