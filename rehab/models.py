"""The shared domain: regions, population figures, the treatment catalogue,
agreements with their periods and rates, and users with their roles."""

from __future__ import annotations

import datetime
import uuid

import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .bankgiro import validate_bankgiro
from .enums import (
    FK_ROLES,
    REGION_BOUND_ROLES,
    UNIT_ROLES,
    AgeBand,
    Area,
    ConditionKind,
    PayoutModel,
    ProviderType,
    ReportingFrequency,
    Role,
)

# Sorted, so the migration is the same on every run (sets have no fixed order).
REGION_ROLE_VALUES = sorted(r.value for r in REGION_BOUND_ROLES)
UNIT_ROLE_VALUES = sorted(r.value for r in UNIT_ROLES)
SERVICE_USERS_ONLY = _(
    "API-nycklar utfärdas bara för tjänsteanvändare (utan lösenord), aldrig för en person."
)

lan_code_validator = RegexValidator(r"^[0-9]{2}$", _("Länskoden ska vara två siffror, t.ex. 01."))


@pghistory.track()
class Region(models.Model):
    code = models.CharField(
        _("länskod"), max_length=2, primary_key=True, validators=[lan_code_validator]
    )
    name = models.CharField(_("namn"), max_length=100, unique=True)
    active = models.BooleanField(_("aktiv"), default=True)
    bankgiro = models.CharField(
        _("bankgiro"),
        max_length=9,
        blank=True,
        validators=[validate_bankgiro],
        help_text=_(
            "Bankgironumret som utbetalningar till regionen görs till, t.ex. 5050-1055 "
            "(kontrollsiffran prövas). Utan det kan ingen betalfil skapas."
        ),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regioner")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}$"), name="region_code_two_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        from .bankgiro import normalise

        self.bankgiro = normalise(self.bankgiro)


@pghistory.track()
class PopulationFigure(models.Model):
    """Inhabitants of a region on a reference date in an age band, as SCB publishes them."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="population_figures",
        verbose_name=_("region"),
    )
    reference_date = models.DateField(_("referensdatum"))
    age_band = models.CharField(_("åldersgrupp"), max_length=8, choices=AgeBand.choices)
    population = models.PositiveIntegerField(_("antal invånare"))
    source = models.CharField(_("källa"), max_length=200, blank=True)

    class Meta:
        ordering = ["region", "-reference_date", "age_band"]
        verbose_name = _("befolkningsuppgift")
        verbose_name_plural = _("befolkningsuppgifter")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "reference_date", "age_band"], name="population_unique_per_date"
            ),
            models.CheckConstraint(condition=Q(population__gte=0), name="population_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.reference_date} {self.age_band}: {self.population}"


class Treatment(models.Model):
    """One entry of the treatment catalogue (spec §4). What an agreement pays for
    a treatment is data of that agreement (AgreementTreatment), not of the catalogue."""

    code = models.CharField(_("kod"), max_length=12, primary_key=True)
    area = models.CharField(_("område"), max_length=8, choices=Area.choices)
    name = models.CharField(_("namn"), max_length=120)
    name_en = models.CharField(_("namn på engelska"), max_length=120)
    sort_order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        ordering = ["area", "sort_order", "code"]
        verbose_name = _("behandling")
        verbose_name_plural = _("behandlingskatalog")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def display_name(self) -> str:
        """The name in the active interface language: `name_en` when English is active."""
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


@pghistory.track()
class Agreement(models.Model):
    """The agreement (överenskommelse) of one year and the rules its money follows."""

    year = models.PositiveSmallIntegerField(
        _("år"), unique=True, validators=[MinValueValidator(2008), MaxValueValidator(2100)]
    )
    name = models.CharField(_("namn"), max_length=200)
    diary_number = models.CharField(_("diarienummer"), max_length=60, blank=True)
    payout_model = models.CharField(
        _("ersättningsmodell"), max_length=1, choices=PayoutModel.choices
    )
    frame_ore = models.BigIntegerField(_("ram till regionerna (öre)"))
    research_ore = models.BigIntegerField(_("avsatt till forskning m.m. (öre)"), default=0)
    addon_per_series_ore = models.BigIntegerField(
        _("tillägg per behandlad patient (öre)"), default=0
    )
    contact_bonus_per_contact_ore = models.BigIntegerField(
        _("kontaktbonus per kontakt (öre)"), default=0
    )
    contact_bonus_cap_ore = models.BigIntegerField(_("tak för kontaktbonus (öre)"), default=0)
    population_reference_date = models.DateField(
        _("befolkning per"), help_text=_("Vilken befolkningsuppgift som styr pengarna.")
    )
    population_age_band = models.CharField(
        _("åldersgrupp för pengarna"),
        max_length=8,
        choices=AgeBand.choices,
        default=AgeBand.TOTAL,
    )
    statistics_age_band = models.CharField(
        _("åldersgrupp för statistik per 1 000"),
        max_length=8,
        choices=AgeBand.choices,
        default=AgeBand.AGE_16_67,
    )
    asks_video = models.BooleanField(_("frågar efter behandlingar via video"), default=False)
    payment_due = models.DateField(_("utbetalas senast"), null=True, blank=True)
    decision_contact = models.TextField(
        _("kontakt i beslutet"),
        blank=True,
        help_text=_(
            "Vem regionen kontaktar om ett beslut om utbetalning (namn, e-post, telefon). "
            "Tomt: kontakten i inställningen REHAB_DECISION_CONTACT."
        ),
    )
    treatments: models.ManyToManyField[Treatment, AgreementTreatment] = models.ManyToManyField(
        Treatment, through="AgreementTreatment", related_name="agreements"
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("överenskommelse")
        verbose_name_plural = _("överenskommelser")
        constraints = [
            models.CheckConstraint(
                condition=Q(frame_ore__gte=0)
                & Q(research_ore__gte=0)
                & Q(addon_per_series_ore__gte=0)
                & Q(contact_bonus_per_contact_ore__gte=0)
                & Q(contact_bonus_cap_ore__gte=0),
                name="agreement_money_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2008) & Q(year__lte=2100), name="agreement_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.name}"

    @property
    def statistics_reference_date(self) -> datetime.date:
        """The population the statistics per 1,000 divide by is SKR's: inhabitants
        on 1 November of the report year (in `statistics_age_band`), not the figure
        that drives the money (`population_reference_date`)."""
        return datetime.date(int(self.year), 11, 1)

    @property
    def is_quarterly(self) -> bool:
        """Model A pays each quarter in arrears; model B once a year on the year's quarters."""
        return self.payout_model == PayoutModel.A

    @property
    def treatment_condition(self) -> Condition | None:
        """The agreement's TREATMENTS condition (villkor 3 from 2016; the whole
        agreement 2009–2015), or None while none is entered."""
        cached = getattr(self, "_prefetched_objects_cache", {}).get("conditions")
        if cached is not None:
            return next((c for c in cached if c.kind == ConditionKind.TREATMENTS), None)
        return self.conditions.filter(kind=ConditionKind.TREATMENTS).order_by("sort_order").first()

    @property
    def is_yearly_reporting(self) -> bool:
        """True when the treatment report is filed once a year (period code "2020")."""
        condition = self.treatment_condition
        return condition is not None and condition.frequency == ReportingFrequency.YEARLY


@pghistory.track()
class Condition(models.Model):
    """A condition (villkor) of an agreement: its own money to the regions, what the
    regions report for it (a treatment report or a written account), when, and when
    FK pays. Data of the agreement, entered in the admin; never code."""

    # CASCADE like the agreement's periods and rates: an agreement may be deleted while
    # nothing uses it; what uses a condition (reports, accounts, runs) PROTECTs it.
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="conditions",
        verbose_name=_("överenskommelse"),
    )
    code = models.CharField(_("kod"), max_length=8, help_text=_("T.ex. V1 … V5."))
    title = models.CharField(_("rubrik"), max_length=300)
    kind = models.CharField(_("slag"), max_length=12, choices=ConditionKind.choices)
    amount_ore = models.BigIntegerField(_("medel till regionerna (öre)"), default=0)
    frequency = models.CharField(
        _("rapporteringsfrekvens"),
        max_length=10,
        choices=ReportingFrequency.choices,
        blank=True,
        help_text=_("Bara för behandlingsrapporter."),
    )
    report_deadline = models.DateField(_("rapporteras senast"), null=True, blank=True)
    payment_due = models.DateField(_("utbetalas senast"), null=True, blank=True)
    population_reference_date = models.DateField(
        _("befolkning per"),
        null=True,
        blank=True,
        help_text=_("Tom = överenskommelsens befolkningsuppgift."),
    )
    population_age_band = models.CharField(
        _("åldersgrupp för pengarna"),
        max_length=8,
        choices=AgeBand.choices,
        default=AgeBand.TOTAL,
    )
    advance_share = models.DecimalField(
        _("andel i förskott"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("T.ex. 0,5000 = 50 % i början av året, resten efter bedömning."),
    )
    advance_payment_due = models.DateField(_("förskott utbetalas senast"), null=True, blank=True)
    source = models.TextField(
        _("källa"), blank=True, help_text=_("Var varje uppgift kommer ifrån.")
    )
    verified = models.BooleanField(
        _("kontrollerad"),
        default=False,
        help_text=_("Ej kontrollerad = rimligt värde inläst, ska stämmas av mot överenskommelsen."),
    )
    sort_order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        ordering = ["agreement__year", "sort_order", "code"]
        verbose_name = _("villkor")
        verbose_name_plural = _("villkor")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="condition_unique_code"),
            models.CheckConstraint(
                condition=Q(amount_ore__gte=0), name="condition_amount_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(advance_share__isnull=True)
                | (Q(advance_share__gt=0) & Q(advance_share__lt=1)),
                name="condition_advance_share_0_1",
            ),
            models.CheckConstraint(
                condition=(Q(kind=ConditionKind.TREATMENTS) & ~Q(frequency=""))
                | (~Q(kind=ConditionKind.TREATMENTS) & Q(frequency="")),
                name="condition_frequency_iff_treatments",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.year} {self.code} {self.title}"

    def clean(self) -> None:
        if self.kind == ConditionKind.TREATMENTS and not self.frequency:
            raise ValidationError(
                {"frequency": _("En behandlingsrapport måste ha en rapporteringsfrekvens.")}
            )
        if self.kind != ConditionKind.TREATMENTS and self.frequency:
            raise ValidationError(
                {"frequency": _("Bara behandlingsrapporter har en rapporteringsfrekvens.")}
            )

    @property
    def is_yearly(self) -> bool:
        return self.frequency == ReportingFrequency.YEARLY

    @property
    def effective_population_date(self) -> datetime.date:
        return self.population_reference_date or self.agreement.population_reference_date


@pghistory.track()
class ConditionRequirement(models.Model):
    """One requirement (krav) of a condition, in the order the agreement lists them."""

    condition = models.ForeignKey(
        Condition,
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("villkor"),
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    text = models.TextField(_("krav"))

    class Meta:
        ordering = ["condition", "number"]
        verbose_name = _("krav")
        verbose_name_plural = _("krav")
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "number"], name="requirement_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.condition.code} krav {self.number}"


@pghistory.track()
class AgreementTreatment(models.Model):
    """A treatment the agreement includes, and its rate per completed series."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="rates", verbose_name=_("överenskommelse")
    )
    treatment = models.ForeignKey(
        Treatment, on_delete=models.PROTECT, related_name="+", verbose_name=_("behandling")
    )
    rate_ore = models.BigIntegerField(
        _("ersättning per genomförd behandling (öre)"),
        null=True,
        blank=True,
        help_text=_("Tom = inte inlagd än. Modell A kan inte räknas ut förrän alla är inlagda."),
    )

    class Meta:
        ordering = ["agreement", "treatment__area", "treatment__sort_order"]
        verbose_name = _("ingående behandling")
        verbose_name_plural = _("ingående behandlingar och ersättningar")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "treatment"], name="agreement_treatment_unique"
            ),
            models.CheckConstraint(condition=Q(rate_ore__gte=0), name="rate_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.year} {self.treatment_id}"


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a calendar quarter."""
    start = datetime.date(year, 3 * quarter - 2, 1)
    end_month_next = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return start, end_month_next - datetime.timedelta(days=1)


# The condition is left out of the history: it is the agreement's treatment condition,
# set once (the data migration filled it for older rows) and frozen once in use.
@pghistory.track(exclude=["condition"])
class ReportingPeriod(models.Model):
    """A period in which the regions report under an agreement's treatment condition,
    with its deadline: a quarter ("2012Q3") or, for a yearly condition, the whole year
    ("2020", quarter empty). Its dates lie inside the agreement's year and its condition
    belongs to the same agreement: a CHECK for the order, a trigger for the rest."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="periods",
        verbose_name=_("överenskommelse"),
    )
    # RESTRICT, not PROTECT: deleting an unused agreement deletes its conditions and
    # periods together; a condition alone cannot be deleted while it has periods.
    condition = models.ForeignKey(
        Condition,
        on_delete=models.RESTRICT,
        related_name="periods",
        verbose_name=_("villkor"),
    )
    quarter = models.PositiveSmallIntegerField(
        _("kvartal"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("Tomt = hela året (årsrapport)."),
    )
    start_date = models.DateField(_("från"))
    end_date = models.DateField(_("till"))
    opens_on = models.DateField(
        _("öppnar för rapportering"), help_text=_("Regionerna kan rapportera från detta datum.")
    )
    deadline = models.DateField(_("sista dag att rapportera"))
    is_closed = models.BooleanField(
        _("stängd"), default=False, help_text=_("En stängd period tar inte emot nya rapporter.")
    )

    class Meta:
        ordering = ["agreement__year", "quarter"]
        verbose_name = _("rapporteringsperiod")
        verbose_name_plural = _("rapporteringsperioder")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "quarter"],
                name="period_unique_quarter",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | (Q(quarter__gte=1) & Q(quarter__lte=4)),
                name="period_quarter_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(start_date__lte=models.F("end_date")), name="period_start_before_end"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="period_within_agreement_year",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                func="""
                IF EXTRACT(YEAR FROM NEW.start_date)::int
                       <> (SELECT year FROM rehab_agreement WHERE id = NEW.agreement_id)
                   OR EXTRACT(YEAR FROM NEW.end_date)::int
                       <> (SELECT year FROM rehab_agreement WHERE id = NEW.agreement_id) THEN
                    RAISE EXCEPTION USING
                        ERRCODE = 'check_violation',
                        MESSAGE = 'period_within_agreement_year: the period lies outside the '
                                  || 'agreement''s year';
                END IF;
                IF (SELECT agreement_id FROM rehab_condition WHERE id = NEW.condition_id)
                       <> NEW.agreement_id THEN
                    RAISE EXCEPTION USING
                        ERRCODE = 'check_violation',
                        MESSAGE = 'period_within_agreement_year: the period''s condition '
                                  || 'belongs to another agreement';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_yearly(self) -> bool:
        return self.quarter is None

    @property
    def code(self) -> str:
        """ "2020" for the yearly period, "2020Q1" for a quarter."""
        if self.quarter is None:
            return str(self.agreement.year)
        return f"{self.agreement.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        return self.code

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.start_date > self.end_date:
            errors["end_date"] = str(_("Periodens slut ligger före dess början."))
        if self.agreement_id and self.start_date and self.end_date:
            year = self.agreement.year
            if self.start_date.year != year or self.end_date.year != year:
                errors["start_date"] = str(
                    _("Perioden måste ligga inom överenskommelsens år %(year)s.") % {"year": year}
                )
        if self.agreement_id and self.condition_id:
            condition = self.condition
            if condition.agreement_id != self.agreement_id:
                errors["condition"] = str(_("Villkoret hör till en annan överenskommelse."))
            elif condition.kind != ConditionKind.TREATMENTS:
                errors["condition"] = str(
                    _("Rapporteringsperioder finns bara för behandlingsrapporter.")
                )
            elif condition.is_yearly and self.quarter is not None:
                errors["quarter"] = str(
                    _("Villkoret rapporteras en gång om året: lämna kvartalet tomt.")
                )
            elif not condition.is_yearly and self.quarter is None:
                errors["quarter"] = str(_("Villkoret rapporteras kvartalsvis: ange kvartal."))
        if errors:
            raise ValidationError(errors)

    def is_open(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.is_closed and self.opens_on <= today

    def is_late(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return today > self.deadline


hsa_id_validator = RegexValidator(
    r"^[A-Za-z0-9-]{3,40}$",
    _("HSA-id består av bokstäver, siffror och bindestreck, t.ex. SE2321000032-1234."),
)


@pghistory.track()
class CareUnit(models.Model):
    """A care unit (*vårdenhet*) of a region: a health centre, a clinic, a private
    provider under contract. With per-unit collection the region's figures are the
    sum of its units' figures."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="care_units", verbose_name=_("region")
    )
    name = models.CharField(_("namn"), max_length=200)
    hsa_id = models.CharField(
        _("HSA-id"),
        max_length=40,
        null=True,
        blank=True,
        unique=True,
        validators=[hsa_id_validator],
        help_text=_("Frivilligt; unikt när det anges."),
    )
    provider = models.CharField(_("vårdgivare"), max_length=8, choices=ProviderType.choices)
    active_from = models.DateField(_("aktiv från"), null=True, blank=True)
    active_to = models.DateField(_("aktiv till"), null=True, blank=True)

    class Meta:
        ordering = ["region", "name"]
        verbose_name = _("vårdenhet")
        verbose_name_plural = _("vårdenheter")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="careunit_unique_name"),
            models.CheckConstraint(
                condition=Q(active_from__isnull=True)
                | Q(active_to__isnull=True)
                | Q(active_from__lte=models.F("active_to")),
                name="careunit_active_from_before_to",
            ),
            models.CheckConstraint(condition=~Q(hsa_id=""), name="careunit_hsa_id_null_not_blank"),
            models.CheckConstraint(
                condition=Q(provider__in=ProviderType.values), name="careunit_provider_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.hsa_id == "":
            self.hsa_id = None
        if self.active_from and self.active_to and self.active_from > self.active_to:
            raise ValidationError({"active_to": _("Aktiv till ligger före aktiv från.")})

    def is_active_during(self, start: datetime.date, end: datetime.date) -> bool:
        """Whether the unit was active at some day of [start, end]."""
        return (self.active_from is None or self.active_from <= end) and (
            self.active_to is None or self.active_to >= start
        )


@pghistory.track()
class UnitCollection(models.Model):
    """A region's choice, per agreement year, to collect the figures per care unit."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="unit_collections", verbose_name=_("region")
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="unit_collections",
        verbose_name=_("överenskommelse"),
    )
    per_unit = models.BooleanField(_("samlar in siffror per enhet"), default=True)

    class Meta:
        ordering = ["region", "agreement__year"]
        verbose_name = _("insamling per enhet")
        verbose_name_plural = _("insamling per enhet")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "agreement"], name="unitcollection_unique_region_agreement"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.agreement_id}: {self.per_unit}"


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who logs in. A region role ties the user to exactly one region;
    an FK role or the administrator role to none."""

    role = models.CharField(_("roll"), max_length=24, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("region"),
    )
    care_unit = models.ForeignKey(
        CareUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("vårdenhet"),
        help_text=_("Enhetsrapportörens enhet (i användarens region)."),
    )

    is_service_user = models.BooleanField(
        _("tjänsteanvändare"),
        default=False,
        help_text=_(
            "Ett system som anropar API:t med en API-nyckel, inte en person. Har inget "
            "lösenord och kan inte logga in i webbläsaren; bara tjänsteanvändare får API-nycklar."
        ),
    )

    #: The API key this user acts through in the current request (set on the request's
    #: user by rehab.api.authentication), None in the browser. Services record it on
    #: the events they write and the four-eyes rule looks at who issued it.
    api_token: ApiToken | None = None

    hsa_id = models.CharField(
        _("HSA-id"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_(
            "Personens HSA-id, t.ex. SE2321000016-1234. Med det loggar personen in med "
            "SITHS och får den här användarens roll och region."
        ),
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        verbose_name = _("användare")
        verbose_name_plural = _("användare")
        constraints = [
            # A service user can never sign in with a password (Django's unusable
            # passwords start with "!"), so a person cannot hold an API key.
            models.CheckConstraint(
                condition=Q(is_service_user=False) | Q(password__startswith="!"),  # noqa: S106
                name="user_service_user_has_no_password",
            ),
            models.CheckConstraint(
                condition=(
                    Q(role__in=REGION_ROLE_VALUES, region__isnull=False)
                    | (~Q(role__in=REGION_ROLE_VALUES) & Q(region__isnull=True))
                ),
                name="user_region_iff_region_role",
            ),
            models.CheckConstraint(
                condition=(
                    Q(role__in=UNIT_ROLE_VALUES, care_unit__isnull=False)
                    | (~Q(role__in=UNIT_ROLE_VALUES) & Q(care_unit__isnull=True))
                ),
                name="user_care_unit_iff_unit_role",
            ),
        ]
        triggers = [
            # An enhetsrapportör's unit lies in the user's region.
            pgtrigger.Trigger(
                name="user_care_unit_in_region",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                func="""
                IF NEW.care_unit_id IS NOT NULL
                   AND (SELECT region_id FROM rehab_careunit WHERE id = NEW.care_unit_id)
                       IS DISTINCT FROM NEW.region_id THEN
                    RAISE EXCEPTION USING ERRCODE = 'check_violation',
                        MESSAGE = 'user_care_unit_in_region: the unit lies in another region';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def clean(self) -> None:
        super().clean()
        unit = self.care_unit if self.care_unit_id is not None else None
        if self.role in REGION_BOUND_ROLES and self.region_id is None:
            if self.role in UNIT_ROLES and unit is not None:
                self.region_id = unit.region_id
            else:
                raise ValidationError({"region": _("En regionroll kräver en region.")})
        if self.role not in REGION_BOUND_ROLES and self.region_id is not None:
            raise ValidationError({"region": _("Endast regionroller har en region.")})
        if self.role in UNIT_ROLES and self.care_unit_id is None:
            raise ValidationError({"care_unit": _("En enhetsrapportör kräver en vårdenhet.")})
        if self.role not in UNIT_ROLES and self.care_unit_id is not None:
            raise ValidationError({"care_unit": _("Endast enhetsrapportörer har en vårdenhet.")})
        if unit is not None and unit.region_id != self.region_id:
            raise ValidationError({"care_unit": _("Enheten ligger i en annan region.")})

    @property
    def is_fk(self) -> bool:
        return self.role in FK_ROLES or self.is_superuser


class WorkerHeartbeat(models.Model):
    """Written by a Celery worker on a schedule, so operations can see the
    background jobs are alive (shown on the admin's start page)."""

    hostname = models.CharField(_("värd"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("senast sedd"))
    beats = models.PositiveBigIntegerField(_("antal"), default=0)

    class Meta:
        verbose_name = _("bakgrundsarbetare")
        verbose_name_plural = _("bakgrundsarbetare")

    def __str__(self) -> str:
        return f"{self.hostname} {self.seen_at:%Y-%m-%d %H:%M}"


class DataVersion(models.Model):
    """One row: a number raised when a transaction that changed the application's
    data commits (triggers installed by rehab.dataversion), and a random epoch that
    is new whenever the row is created again. Caches of figures and page parts are
    keyed by both, so they are never read after the data they came from changed."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    number = models.BigIntegerField(default=0)
    epoch = models.UUIDField(default=uuid.uuid4)

    class Meta:
        verbose_name = _("dataversion")
        verbose_name_plural = _("dataversion")

    def __str__(self) -> str:
        return f"{self.epoch}:{self.number}"


@pghistory.track(exclude=["last_used_at"])
class ApiToken(models.Model):
    """A named key with which a region's or FK's own system calls the API. It acts as
    `user` (a service user with the role and region the system needs), so every
    permission rule applies to it unchanged. Only the SHA-256 of the secret is kept;
    the secret is shown once, when an administrator issues it."""

    name = models.CharField(
        _("namn"),
        max_length=100,
        help_text=_("Vilket system nyckeln är till, t.ex. ”VAS Region Stockholm”."),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        limit_choices_to={"is_service_user": True},
        verbose_name=_("agerar som"),
        help_text=_("Tjänsteanvändaren vars roll och region nyckeln har."),
    )
    prefix = models.CharField(
        _("början av nyckeln"), max_length=16, help_text=_("För att känna igen nyckeln.")
    )
    key_hash = models.CharField(_("SHA-256 av nyckeln"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("utfärdad"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utfärdad av"),
    )
    last_used_at = models.DateTimeField(_("senast använd"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("återkallad av"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")
        constraints = [
            models.CheckConstraint(
                condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="apitoken_hash_is_sha256"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def clean(self) -> None:
        super().clean()
        if self.user_id is not None and not self.user.is_service_user:
            raise ValidationError({"user": SERVICE_USERS_ONLY})

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an `Idempotency-Key`, per caller, so a
    repeated request returns it instead of acting again. The unique constraint makes
    two simultaneous requests with the same key act once: the second waits for the
    first's transaction and then finds its record."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("anropare")
    )
    key = models.CharField(_("nyckel"), max_length=255)
    method = models.CharField(_("metod"), max_length=8)
    path = models.CharField(_("sökväg"), max_length=500)
    request_hash = models.CharField(_("SHA-256 av anropet"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("statuskod"), null=True, blank=True)
    response_body = models.JSONField(_("svar"), null=True, blank=True)
    location = models.CharField(_("Location"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("tidpunkt"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("idempotent anrop")
        verbose_name_plural = _("idempotenta anrop")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class Session(AbstractBaseSession):
    """A browser's session: Django's session table with the signed-in user's id beside
    the data, so that one statement reads the session, its user and the data version
    at the start of a request (rehab/accounts/session_store.py, issue #12)."""

    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        db_table = "rehab_session"
        verbose_name = _("session")
        verbose_name_plural = _("sessioner")

    @classmethod
    def get_session_store_class(cls) -> type:
        from rehab.accounts.session_store import SessionStore

        return SessionStore
