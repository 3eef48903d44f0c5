"""Reads of the shared domain."""

from __future__ import annotations

import datetime

from django.apps import apps

from .enums import AgeBand
from .models import Agreement, PopulationFigure


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
