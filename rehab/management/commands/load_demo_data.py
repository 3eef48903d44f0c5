"""Demo users for every role, and the population figures the demo agreements
need. Idempotent. Never run this against a production database: it creates
accounts with a known password."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from rehab import reference
from rehab.accounts.mfa import mfa_required
from rehab.bankgiro import give_demo_bankgiros
from rehab.enums import AgeBand, ProviderType, ReportingFrequency, Role
from rehab.models import (
    Agreement,
    AgreementTreatment,
    CareUnit,
    Condition,
    PopulationFigure,
    Region,
    ReportingPeriod,
    UnitCollection,
    User,
    quarter_bounds,
)

DEMO_USERS = [
    ("samordnare01", "Sara", "Lind", Role.REGION_COORDINATOR, "01"),
    ("samordnare03", "Johan", "Berg", Role.REGION_COORDINATOR, "03"),
    ("lasare01", "Lena", "Holm", Role.REGION_VIEWER, "01"),
    ("handlaggare", "Karin", "Ek", Role.FK_CASE_OFFICER, None),
    ("handlaggare2", "Omar", "Sund", Role.FK_CASE_OFFICER, None),
    ("attestant", "Per", "Strand", Role.FK_APPROVER, None),
    ("admin", "Anna", "Admin", Role.ADMINISTRATOR, None),
    ("enhet01", "Elin", "Norr", Role.UNIT_REPORTER, "01"),
]

# Care units of region 01, which collects per unit in the demo year; `enhet01`
# reports for the first one.
DEMO_UNITS = [
    ("Vårdcentralen Demo Norr", "SE2321000016-DEMO1", ProviderType.PUBLIC),
    ("Vårdcentralen Demo Söder", "SE2321000016-DEMO2", ProviderType.PUBLIC),
    ("Demokliniken (privat)", None, ProviderType.PRIVATE),
]

DEMO_SOURCE = "DEMO: kopia av SCB:s folkmängd 2019-12-31, inte den officiella uppgiften"
# Share of inhabitants aged 16–67 / 16–65, for demo statistics only.
DEMO_WORKING_AGE = {AgeBand.AGE_16_67: 0.64, AgeBand.AGE_16_65: 0.62}


class Command(BaseCommand):
    help = "Skapar demoanvändare för alla roller och demobefolkning (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", required=True, help="Lösenord för alla demokonton.")
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            help="Kör även utanför utvecklingsprofilen (t.ex. på en testserver).",
        )
        parser.add_argument(
            "--totp-key",
            default="",
            help=(
                "Hex-nyckel för demokontonas autentiseringsapp (attestant, admin: de loggar in "
                "i två steg). Utan den sätter de upp en app vid första inloggningen."
            ),
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        # Demo accounts share one known password: never in production by accident.
        if not settings.DEVELOPMENT and not options["i_know_this_is_not_production"]:
            raise CommandError(
                "load_demo_data skapar konton med ett känt lösenord och körs bara i "
                "utvecklingsprofilen (REHAB_PROFILE=development), eller med "
                "--i-know-this-is-not-production."
            )
        units = [
            CareUnit.objects.update_or_create(
                region_id="01", name=name, defaults={"hsa_id": hsa_id, "provider": provider}
            )[0]
            for name, hsa_id, provider in DEMO_UNITS
        ]
        for username, first, last, role, region_code in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username)
                user.set_password(options["password"])
            user.first_name, user.last_name = first, last
            user.email = f"{username}@example.se"
            user.role = role
            user.region_id = region_code
            user.care_unit = units[0] if role == Role.UNIT_REPORTER else None
            user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
            user.save()
            if options["totp_key"] and mfa_required(user):
                TOTPDevice.objects.update_or_create(
                    user=user,
                    name="Demo",
                    defaults={"key": options["totp_key"], "confirmed": True},
                )
        self.stdout.write(f"Demoanvändare: {len(DEMO_USERS)}")
        # Fictitious, checksum-valid bankgiro numbers so the demo's payment files can be made.
        self.stdout.write(f"Bankgiro (påhittade) till regioner: {give_demo_bankgiros()}")
        self._demo_agreement()
        UnitCollection.objects.get_or_create(
            region_id="01",
            agreement=Agreement.objects.get(year=timezone.localdate().year),
            defaults={"per_unit": True},
        )
        self._demo_populations()

    def _demo_agreement(self) -> None:
        """The real agreements end with 2020, so every demo report would be years
        late. A demo agreement for the current year, with 2020's money and rules but
        reported by quarter (2020 itself is yearly, and a yearly period would only
        open next year), lets a coordinator try filing before a deadline."""
        year = timezone.localdate().year
        if Agreement.objects.filter(year=year).exists():
            return
        rules = next(a for a in reference.AGREEMENTS if a.year == 2020)
        agreement = Agreement.objects.create(
            year=year,
            name=f"DEMO {year}: samma regler som 2020 (ingen verklig överenskommelse)",
            diary_number="DEMO",
            payout_model=rules.payout_model,
            frame_ore=rules.frame_ore,
            contact_bonus_per_contact_ore=rules.contact_bonus_per_contact_ore,
            contact_bonus_cap_ore=rules.contact_bonus_cap_ore,
            population_reference_date=datetime.date(year - 1, 11, 1),
            statistics_age_band=AgeBand.AGE_16_67,
            asks_video=True,
        )
        deadline = datetime.date(year + 1, 8, 15)
        v3 = rules.treatment_condition
        condition = Condition.objects.create(
            agreement=agreement,
            code=v3.code,
            title=v3.title,
            kind=v3.kind,
            amount_ore=v3.amount_ore,
            frequency=ReportingFrequency.QUARTERLY,
            report_deadline=deadline,
            source=(
                "DEMO: samma pengar och regler som 2020 men per kvartal (2020 rapporteras "
                "en gång om året), så att det finns öppna perioder att prova rapportering på."
            ),
            sort_order=v3.sort_order,
        )
        for q in range(1, 5):
            start, end = quarter_bounds(year, q)
            ReportingPeriod.objects.create(
                agreement=agreement,
                condition=condition,
                quarter=q,
                start_date=start,
                end_date=end,
                opens_on=end + datetime.timedelta(days=1),
                deadline=deadline,
            )
        AgreementTreatment.objects.bulk_create(
            AgreementTreatment(agreement=agreement, treatment_id=code) for code in rules.rates_ore
        )
        self.stdout.write(f"Demoöverenskommelse {year} skapad")

    def _demo_populations(self) -> None:
        """Each agreement names the population figure its money follows (e.g. 1 Nov
        2019). Real figures come from SCB through `load_population`; for the demo,
        the 2019-12-31 file stands in for every date that has none."""
        base = dict(
            PopulationFigure.objects.filter(
                reference_date=datetime.date(2019, 12, 31), age_band=AgeBand.TOTAL
            ).values_list("region_id", "population")
        )
        wanted: set[tuple[datetime.date, str]] = set()
        for agreement in Agreement.objects.all():
            wanted.add((agreement.population_reference_date, agreement.population_age_band))
            wanted.add((agreement.statistics_reference_date, agreement.statistics_age_band))
        created = 0
        for date, band in sorted(wanted):
            for region in Region.objects.all():
                if region.code not in base:
                    continue
                population = base[region.code]
                if band != AgeBand.TOTAL:
                    population = round(population * DEMO_WORKING_AGE[AgeBand(band)])
                _, was_created = PopulationFigure.objects.get_or_create(
                    region=region,
                    reference_date=date,
                    age_band=band,
                    defaults={"population": population, "source": DEMO_SOURCE},
                )
                created += was_created
        self.stdout.write(f"Demobefolkning: {created} nya uppgifter")
