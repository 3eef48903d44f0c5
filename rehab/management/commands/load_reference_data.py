"""Load the regions with their populations, the treatment catalogue and the
agreements, then each app's own reference data (follow-up: SKR's published
history). Idempotent: a second run finds everything in place and changes nothing.
Money fields of an agreement already used by a report or a run are never touched."""

from __future__ import annotations

from typing import Any

from django.apps import apps as django_apps
from django.core.management.base import BaseCommand
from django.db import transaction

from rehab import reference
from rehab.enums import AgeBand, ConditionKind
from rehab.models import (
    Agreement,
    AgreementTreatment,
    Condition,
    ConditionRequirement,
    PopulationFigure,
    Region,
    ReportingPeriod,
    Treatment,
)
from rehab.selectors import agreement_in_use


class Counter:
    def __init__(self) -> None:
        self.created = 0
        self.updated = 0
        self.unchanged = 0

    def __str__(self) -> str:
        return f"{self.created} nya, {self.updated} ändrade, {self.unchanged} oförändrade"


def upsert(model: Any, counter: Counter, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """Create the row, or update only the fields that differ (so history records
    only real changes and a second run writes nothing)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        counter.created += 1
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        counter.updated += 1
    else:
        counter.unchanged += 1
    return obj


class Command(BaseCommand):
    help = "Läser in regioner, befolkning, behandlingskatalog och överenskommelser (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        regions, populations, treatments = Counter(), Counter(), Counter()
        agreements, periods, rates = Counter(), Counter(), Counter()
        conditions, requirements = Counter(), Counter()

        for row in reference.read_regions():
            region = upsert(Region, regions, {"code": row.code}, {"name": row.name})
            upsert(
                PopulationFigure,
                populations,
                {
                    "region": region,
                    "reference_date": reference.REGIONS_POPULATION_DATE,
                    "age_band": AgeBand.TOTAL,
                },
                {"population": row.population, "source": reference.REGIONS_POPULATION_SOURCE},
            )

        for t in reference.CATALOGUE:
            upsert(
                Treatment,
                treatments,
                {"code": t.code},
                {"area": t.area, "name": t.name, "name_en": t.name_en, "sort_order": t.sort_order},
            )

        for a in reference.AGREEMENTS:
            existing = Agreement.objects.filter(year=a.year).first()
            if existing is not None and agreement_in_use(existing):
                agreements.unchanged += 1
                # Its money and periods stay as they are; conditions it lacks are added
                # (a condition the regions have not reported on yet decides nothing).
                for c in a.conditions:
                    if not existing.conditions.filter(code=c.code).exists() and not (
                        c.kind == ConditionKind.TREATMENTS and existing.treatment_condition
                    ):
                        self._condition(existing, c, conditions, requirements)
                self.stdout.write(f"Överenskommelse {a.year} används redan: lämnas orörd.")
                continue
            agreement = upsert(
                Agreement,
                agreements,
                {"year": a.year},
                {
                    "name": a.name,
                    "diary_number": a.diary_number,
                    "payout_model": a.payout_model,
                    "frame_ore": a.frame_ore,
                    "research_ore": a.research_ore,
                    "addon_per_series_ore": a.addon_per_series_ore,
                    "contact_bonus_per_contact_ore": a.contact_bonus_per_contact_ore,
                    "contact_bonus_cap_ore": a.contact_bonus_cap_ore,
                    "population_reference_date": a.population_reference_date,
                    "population_age_band": AgeBand.TOTAL,
                    "statistics_age_band": a.statistics_age_band,
                    "asks_video": a.asks_video,
                    "payment_due": a.payment_due,
                },
            )
            treatment_condition = None
            for c in a.conditions:
                condition = self._condition(agreement, c, conditions, requirements)
                if c.kind == ConditionKind.TREATMENTS:
                    treatment_condition = condition
            wanted = {p.quarter for p in a.periods()}
            # A condition that changed frequency (quarterly → yearly) loses the periods
            # of the other kind; nobody has reported on them (the agreement is not in use).
            for stale in agreement.periods.all():
                if stale.quarter not in wanted:
                    stale.delete()
                    periods.updated += 1
            for p in a.periods():
                upsert(
                    ReportingPeriod,
                    periods,
                    {"agreement": agreement, "quarter": p.quarter},
                    {
                        "condition": treatment_condition,
                        "start_date": p.start_date,
                        "end_date": p.end_date,
                        "opens_on": p.opens_on,
                        "deadline": p.deadline,
                    },
                )
            for code, rate in a.rates_ore.items():
                existing_rate = AgreementTreatment.objects.filter(
                    agreement=agreement, treatment_id=code
                ).first()
                if existing_rate is not None and rate is None:
                    # An administrator may have entered a rate the reference data does not know.
                    rates.unchanged += 1
                    continue
                upsert(
                    AgreementTreatment,
                    rates,
                    {"agreement": agreement, "treatment_id": code},
                    {"rate_ore": rate},
                )

        for label, counter in (
            ("Regioner", regions),
            ("Befolkningsuppgifter", populations),
            ("Behandlingar", treatments),
            ("Överenskommelser", agreements),
            ("Villkor", conditions),
            ("Krav", requirements),
            ("Perioder", periods),
            ("Ersättningar", rates),
        ):
            self.stdout.write(f"{label}: {counter}")

        # Apps above rehab (follow-up's published history) load their own reference
        # data through their AppConfig, so that rehab imports none of them.
        for config in django_apps.get_app_configs():
            loader = getattr(config, "load_reference_data", None)
            if callable(loader):
                for label, counts in loader():
                    self.stdout.write(f"{label}: {counts}")

    def _condition(
        self,
        agreement: Agreement,
        row: reference.ConditionRow,
        conditions: Counter,
        requirements: Counter,
    ) -> Condition:
        """Create or update one condition and its requirements. A condition an
        administrator has marked verified is theirs: the loader leaves it alone."""
        existing = Condition.objects.filter(agreement=agreement, code=row.code).first()
        if existing is not None and existing.verified and not row.verified:
            conditions.unchanged += 1
            return existing
        condition = upsert(
            Condition,
            conditions,
            {"agreement": agreement, "code": row.code},
            {
                "title": row.title,
                "kind": row.kind,
                "amount_ore": row.amount_ore,
                "frequency": row.frequency,
                "report_deadline": row.report_deadline,
                "payment_due": row.payment_due,
                "population_reference_date": row.population_reference_date,
                "advance_share": row.advance_share,
                "advance_payment_due": row.advance_payment_due,
                "source": row.source,
                "verified": row.verified,
                "sort_order": row.sort_order,
            },
        )
        for number, text in enumerate(row.requirements, start=1):
            upsert(
                ConditionRequirement,
                requirements,
                {"condition": condition, "number": number},
                {"text": text},
            )
        return condition
