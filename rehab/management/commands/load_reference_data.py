"""Load the regions with their populations, the treatment catalogue and the
agreements, then each app's own reference data (follow-up: SKR's published
history). Idempotent: a second run finds everything in place and changes nothing.
Money fields of an agreement already used by a report or a run are never touched."""

from __future__ import annotations

from typing import Any

from django.apps import apps as django_apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import ProtectedError

from rehab import reference
from rehab.enums import AgeBand, ConditionKind, ReportingFrequency
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
                # Its treatment report still follows the reference data's frequency
                # while nobody has reported on it (a run of a written-account
                # condition decides nothing about the treatment report).
                self._frequency(existing, a, periods, in_use=True)
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
            for c in a.conditions:
                self._condition(agreement, c, conditions, requirements)
            self._frequency(agreement, a, periods, in_use=False)
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

    def _frequency(
        self, agreement: Agreement, row: reference.AgreementRow, periods: Counter, *, in_use: bool
    ) -> None:
        """Give the treatment condition the reference data's frequency, with its
        periods. A condition that already has reports (or a payout run) of the other
        kind keeps its frequency and periods, and the output says so: the reports
        filed and paid are never moved. So does one an administrator has verified
        while the reference data is a guess. An agreement in use keeps its periods."""
        condition = agreement.treatment_condition
        wanted = row.treatment_condition
        if condition is None:
            return
        frequency = condition.frequency
        if frequency != wanted.frequency and not (condition.verified and not wanted.verified):
            blocker = self._frequency_blocker(agreement)
            if blocker:
                kept = str(condition.get_frequency_display()).lower()
                self.stdout.write(
                    f"Villkor {condition.code} {agreement.year} rapporteras {kept} och har "
                    f"redan {blocker}: lämnas {kept} (referensdatan: "
                    f"{str(ReportingFrequency(wanted.frequency).label).lower()})."
                )
            else:
                try:
                    with transaction.atomic():
                        self._replace_periods(agreement, condition, row, wanted.frequency)
                except ProtectedError:
                    condition.refresh_from_db()  # the switch was rolled back
                    self.stdout.write(
                        f"Villkor {condition.code} {agreement.year}: perioderna används redan "
                        f"(t.ex. av påminnelser) och lämnas "
                        f"{str(condition.get_frequency_display()).lower()}."
                    )
                else:
                    periods.updated += 1
                    self.stdout.write(
                        f"Villkor {condition.code} {agreement.year} rapporteras nu "
                        f"{str(ReportingFrequency(wanted.frequency).label).lower()}."
                    )
                    frequency = wanted.frequency
        if in_use:
            return
        for p in row.periods(frequency):
            upsert(
                ReportingPeriod,
                periods,
                {"agreement": agreement, "quarter": p.quarter},
                {
                    "condition": condition,
                    "start_date": p.start_date,
                    "end_date": p.end_date,
                    "opens_on": p.opens_on,
                    "deadline": p.deadline,
                },
            )

    @staticmethod
    def _frequency_blocker(agreement: Agreement) -> str:
        """What keeps the treatment condition's frequency: reports on its periods or
        a payout run of them (apps above rehab looked up by label, as in selectors)."""
        for label, lookup, what in (
            ("reporting.Report", {"period__agreement": agreement}, "rapporter"),
            (
                "payments.PayoutRun",
                {"agreement": agreement, "condition__isnull": True},
                "utbetalningskörningar",
            ),
        ):
            try:
                model = django_apps.get_model(label)
            except LookupError:
                continue
            if model._default_manager.filter(**lookup).exists():
                return what
        return ""

    @staticmethod
    def _replace_periods(
        agreement: Agreement,
        condition: Condition,
        row: reference.AgreementRow,
        frequency: str,
    ) -> None:
        """Switch the condition to `frequency`: its periods of the other kind go (a
        reference to one, say a reminder, raises ProtectedError and undoes it all)."""
        condition.frequency = frequency
        condition.save(update_fields=["frequency"])
        agreement.periods.filter(quarter__isnull=frequency != ReportingFrequency.YEARLY).delete()
        for p in row.periods(frequency):
            ReportingPeriod.objects.update_or_create(
                agreement=agreement,
                quarter=p.quarter,
                defaults={
                    "condition": condition,
                    "start_date": p.start_date,
                    "end_date": p.end_date,
                    "opens_on": p.opens_on,
                    "deadline": p.deadline,
                },
            )

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
        # A treatment condition's frequency decides its periods: `_frequency` changes
        # the two together, or neither.
        frequency = existing.frequency if existing is not None else row.frequency
        condition = upsert(
            Condition,
            conditions,
            {"agreement": agreement, "code": row.code},
            {
                "title": row.title,
                "kind": row.kind,
                "amount_ore": row.amount_ore,
                "frequency": frequency,
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
