"""Reference data: the treatment catalogue (spec §4) and the agreements by year
(spec §6). `manage.py load_reference_data` loads it; running it again changes nothing."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .enums import AgeBand, Area, ConditionKind, PayoutModel, ReportingFrequency

DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_CSV = DATA_DIR / "regions.csv"
REGIONS_POPULATION_DATE = datetime.date(2019, 12, 31)
REGIONS_POPULATION_SOURCE = "SCB, folkmängd 31 december 2019"

MSEK = 1_000_000 * 100  # öre in a million kronor
SEK = 100


@dataclass(frozen=True)
class TreatmentRow:
    code: str
    area: str
    name: str
    name_en: str
    sort_order: int


CATALOGUE = [
    TreatmentRow(
        "KBT",
        Area.MENTAL,
        "Kognitiv beteendeterapi (KBT)",
        "Cognitive behavioural therapy (KBT)",
        10,
    ),
    TreatmentRow(
        "IKBT", Area.MENTAL, "Internetbaserad KBT (I-KBT)", "Internet-based CBT (I-KBT)", 20
    ),
    TreatmentRow(
        "IPT",
        Area.MENTAL,
        "Interpersonell psykoterapi (IPT)",
        "Interpersonal psychotherapy (IPT)",
        30,
    ),
    TreatmentRow(
        "PDT",
        Area.MENTAL,
        "Korttids psykodynamisk terapi (PDT)",
        "Short-term psychodynamic therapy (PDT)",
        40,
    ),
    TreatmentRow(
        "EMDR", Area.MENTAL, "EMDR", "Eye movement desensitization and reprocessing (EMDR)", 50
    ),
    TreatmentRow(
        "OTHER_PSY",
        Area.MENTAL,
        "Annan psykologisk behandling",
        "Other psychological treatment",
        60,
    ),
    TreatmentRow(
        "MMR1",
        Area.PAIN,
        "Multimodal rehabilitering nivå 1 (MMR1)",
        "Multimodal rehabilitation level 1 (MMR1)",
        10,
    ),
    TreatmentRow(
        "MMR2",
        Area.PAIN,
        "Multimodal rehabilitering nivå 2 (MMR2)",
        "Multimodal rehabilitation level 2 (MMR2)",
        20,
    ),
    TreatmentRow(
        "BEHAV",
        Area.PAIN,
        "Beteendemedicinskt behandlingsprogram",
        "Behavioural-medicine treatment programme",
        30,
    ),
    TreatmentRow(
        "ACTIVE",
        Area.PAIN,
        "Aktiv specifik träning (fysioterapeut)",
        "Active specific exercise",
        40,
    ),
    TreatmentRow("OTHER_PAIN", Area.PAIN, "Annan smärtbehandling", "Other pain treatment", 50),
]

MODEL_A_TREATMENTS = ("KBT", "IPT", "MMR1", "MMR2")
MODEL_B_TREATMENTS = tuple(t.code for t in CATALOGUE)


@dataclass(frozen=True)
class PeriodRow:
    quarter: int | None  # None = the yearly period
    start_date: datetime.date
    end_date: datetime.date
    opens_on: datetime.date
    deadline: datetime.date


@dataclass(frozen=True)
class ConditionRow:
    """A condition (villkor) as reference data. `verified` is False when a figure is
    not in the agreement texts we hold: `source` then says which one is a guess."""

    code: str
    title: str
    kind: str
    amount_ore: int
    frequency: str = ""
    report_deadline: datetime.date | None = None
    payment_due: datetime.date | None = None
    population_reference_date: datetime.date | None = None
    advance_share: Decimal | None = None
    advance_payment_due: datetime.date | None = None
    source: str = ""
    verified: bool = False
    sort_order: int = 0
    requirements: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgreementRow:
    year: int
    name: str
    diary_number: str
    payout_model: str
    frame_ore: int
    research_ore: int
    addon_per_series_ore: int
    contact_bonus_per_contact_ore: int
    contact_bonus_cap_ore: int
    population_reference_date: datetime.date
    statistics_age_band: str
    asks_video: bool
    payment_due: datetime.date | None
    rates_ore: dict[str, int | None] = field(default_factory=dict)
    yearly_deadline: datetime.date | None = None
    conditions: tuple[ConditionRow, ...] = ()

    @property
    def treatment_condition(self) -> ConditionRow:
        return next(c for c in self.conditions if c.kind == ConditionKind.TREATMENTS)

    def periods(self, frequency: str | None = None) -> list[PeriodRow]:
        """The treatment condition's periods: by its frequency in the reference data,
        or by `frequency` (the one the database keeps, when it differs)."""
        from .models import quarter_bounds

        if (frequency or self.treatment_condition.frequency) == ReportingFrequency.YEARLY:
            # One report for the whole year, filed after it has ended.
            return [
                PeriodRow(
                    None,
                    datetime.date(self.year, 1, 1),
                    datetime.date(self.year, 12, 31),
                    datetime.date(self.year + 1, 1, 1),
                    self.yearly_deadline or datetime.date(self.year + 1, 8, 15),
                )
            ]
        rows = []
        for q in range(1, 5):
            start, end = quarter_bounds(self.year, q)
            opens = end + datetime.timedelta(days=1)
            # Model A pays quarterly in arrears: report within a month of the quarter's end.
            deadline = self.yearly_deadline or opens + datetime.timedelta(days=30)
            rows.append(PeriodRow(q, start, end, opens, deadline))
        return rows


SEED_2012 = "överenskommelsen om rehabiliteringsgarantin 2012 (S2011/11163/SF)"
SEED_2020 = "tilläggsöverenskommelsen 2020 (bilaga till regeringsbeslut 2020-06-17 nr II:4)"
SEED_JAMTLAND = "Region Jämtland Härjedalens beslut om överenskommelsen 2017–2018"
GUESS = "rimligt värde, inte avstämt mot överenskommelsen"

# Villkor 3 2016–2020 is reported once a year (the agreements say so); model A years
# 2009–2015 stay quarterly. `load_reference_data` leaves a condition that already has
# reports of the other kind as it is (and says so).
V3_FREQUENCY = ReportingFrequency.YEARLY

TITLE_RG = "Rehabiliteringsgarantin"
TITLE_V1 = "Ledning och styrning i försäkringsmedicin"
TITLE_V2 = "Funktion för koordinering"
TITLE_V3 = "Insatser för lindrig och medelsvår psykisk ohälsa och långvarig smärta"
TITLE_V4 = "Utökat elektroniskt informationsutbyte"
TITLE_V5 = "Utvecklingsmedel för stöd till rätt sjukskrivning"

# The requirements (krav) of 2020 as the supplement words them, one paragraph each.
REQUIREMENTS_2020_V1 = (
    "Regionerna ska under 2020 med stöd av SKR och Socialstyrelsen, och i samverkan med det "
    "nationella programområdet för rehabilitering, habilitering och försäkringsmedicin, påbörja "
    "utveckling av uppföljningsmått i försäkringsmedicin.",
    "Ett regionalt samarbete med det nationella programområdet för rehabilitering, habilitering "
    "och försäkringsmedicin ska ha inletts vad gäller ledning och styrning i försäkringsmedicin.",
)
REQUIREMENTS_2020_V2 = (
    "Regionerna ska ha påbörjat planering av former för kompetensutveckling så att den personal "
    "som utför koordineringsinsatser har de kunskaper som krävs för uppdraget.",
    "Regionerna ska också ha påbörjat planering av former för samordning och stöd för den "
    "personal som ansvarar för utförandet av koordineringsinsatser.",
)
REQUIREMENTS_2020_V4 = (
    "Regionerna ska planera insatser för ökad användning av framtagna tjänster och stödfunktioner.",
    "Regionerna ska planera insatser som behövs för att kunna förbereda prioriterade insatser "
    "utifrån det som anges i delvillkoren 1-4.",
)


def _model_a(
    year: int, frame_msek: int, research_msek: int, rates: Mapping[str, int], addon: int | None
) -> AgreementRow:
    if year == 2012:
        source, verified = f"Ram 900 MSEK, kvartalsvis i efterskott: {SEED_2012}.", True
    else:
        source, verified = (
            f"Ram {frame_msek} MSEK enligt projektets tabell över år (spec §6); "
            f"{GUESS}. Kvartalsvis som rehabiliteringsgarantin 2012.",
            False,
        )
    condition = ConditionRow(
        code="RG",
        title=TITLE_RG,
        kind=ConditionKind.TREATMENTS,
        amount_ore=frame_msek * MSEK,
        frequency=ReportingFrequency.QUARTERLY,
        source=source,
        verified=verified,
        sort_order=1,
    )
    return AgreementRow(
        year=year,
        name=f"Rehabiliteringsgarantin {year}",
        diary_number="S2011/11163/SF" if year == 2012 else "",
        payout_model=PayoutModel.A,
        frame_ore=frame_msek * MSEK,
        research_ore=research_msek * MSEK,
        addon_per_series_ore=(addon or 0) * SEK,
        contact_bonus_per_contact_ore=0,
        contact_bonus_cap_ore=0,
        population_reference_date=datetime.date(year - 1, 12, 31),
        statistics_age_band=AgeBand.AGE_16_65,
        asks_video=False,
        payment_due=None,
        rates_ore={
            code: (rates[code] * SEK if code in rates else None) for code in MODEL_A_TREATMENTS
        },
        conditions=(condition,),
    )


def _conditions_2016_2019(year: int, deadline: datetime.date) -> tuple[ConditionRow, ...]:
    """2016–2019: villkor 3 from the project's spec (500 MSEK + at most 50 MSEK contacts,
    one yearly report); the written-account conditions with plausible money and dates,
    all marked unverified. 2017–2018 pay part at the start of the year and the rest
    after assessment (Region Jämtland's decision); the share is a guess."""
    advance = Decimal("0.5000") if year in (2017, 2018) else None
    advance_due = datetime.date(year, 3, 31) if advance else None
    advance_note = (
        f" Förskott i början av året och resten efter bedömning: {SEED_JAMTLAND}; "
        f"andelen 50 % och datumet är {GUESS}."
        if advance
        else ""
    )
    deliverable_dates = (datetime.date(year, 12, 15), datetime.date(year + 1, 3, 31))
    rows = [
        ConditionRow(
            code="V1",
            title=TITLE_V1,
            kind=ConditionKind.DELIVERABLE,
            amount_ore=100 * MSEK,
            report_deadline=deliverable_dates[0],
            payment_due=deliverable_dates[1],
            advance_share=advance,
            advance_payment_due=advance_due,
            source=f"Belopp och datum: {GUESS} (som 2020).{advance_note}",
            sort_order=1,
        ),
        ConditionRow(
            code="V2",
            title=TITLE_V2,
            kind=ConditionKind.DELIVERABLE,
            amount_ore=140 * MSEK,
            report_deadline=deliverable_dates[0],
            payment_due=deliverable_dates[1],
            advance_share=advance,
            advance_payment_due=advance_due,
            source=f"Belopp och datum: {GUESS} (som 2020).{advance_note}",
            sort_order=2,
        ),
        ConditionRow(
            code="V3",
            title=TITLE_V3,
            kind=ConditionKind.TREATMENTS,
            amount_ore=550 * MSEK,
            frequency=V3_FREQUENCY,
            report_deadline=deadline,
            payment_due=datetime.date(deadline.year, 9, 15),
            source=(
                "500 MSEK efter befolkningsandel + högst 50 MSEK för kontakter, en årsrapport "
                f"(spec §6; 500 MSEK per år också i {SEED_JAMTLAND}). Sista rapportdag "
                f"enligt spec §6; utbetalningsdatum: {GUESS}."
            ),
            sort_order=3,
        ),
        ConditionRow(
            code="V4",
            title=TITLE_V4,
            kind=ConditionKind.DELIVERABLE,
            amount_ore=50 * MSEK,
            report_deadline=deliverable_dates[0],
            payment_due=deliverable_dates[1],
            advance_share=advance,
            advance_payment_due=advance_due,
            source=f"Belopp och datum: {GUESS} (som 2020).{advance_note}",
            sort_order=4,
        ),
    ]
    return tuple(rows)


def _conditions_2020() -> tuple[ConditionRow, ...]:
    population = datetime.date(2019, 11, 1)
    return (
        ConditionRow(
            code="V1",
            title=TITLE_V1,
            kind=ConditionKind.DELIVERABLE,
            amount_ore=100 * MSEK,
            report_deadline=datetime.date(2020, 12, 11),
            payment_due=datetime.date(2021, 3, 31),
            population_reference_date=population,
            source=(
                f"100 MSEK till regionerna, återrapport senast 2020-12-11, utbetalning senast "
                f"2021-03-31, befolkning per 2019-11-01, kraven: {SEED_2020}."
            ),
            verified=True,
            sort_order=1,
            requirements=REQUIREMENTS_2020_V1,
        ),
        ConditionRow(
            code="V2",
            title=TITLE_V2,
            kind=ConditionKind.DELIVERABLE,
            amount_ore=140 * MSEK,
            report_deadline=datetime.date(2020, 12, 11),
            payment_due=datetime.date(2021, 3, 31),
            population_reference_date=population,
            source=(
                f"140 MSEK till regionerna, återrapport senast 2020-12-11, utbetalning senast "
                f"2021-03-31, befolkning per 2019-11-01, kraven: {SEED_2020}."
            ),
            verified=True,
            sort_order=2,
            requirements=REQUIREMENTS_2020_V2,
        ),
        ConditionRow(
            code="V3",
            title=TITLE_V3,
            kind=ConditionKind.TREATMENTS,
            amount_ore=550 * MSEK,
            frequency=V3_FREQUENCY,
            report_deadline=datetime.date(2021, 8, 15),
            payment_due=datetime.date(2021, 9, 15),
            population_reference_date=population,
            source=(
                "550 MSEK (500 MSEK efter befolkningsandel + högst 50 MSEK för kontakter med "
                "arbetsgivare/Arbetsförmedlingen), en årsrapport senast 2021-08-15, utbetalning "
                f"senast 2021-09-15: {SEED_2020}."
            ),
            verified=True,
            sort_order=3,
        ),
        ConditionRow(
            code="V4",
            title=TITLE_V4,
            kind=ConditionKind.DELIVERABLE,
            amount_ore=50 * MSEK,
            report_deadline=datetime.date(2020, 12, 11),
            payment_due=datetime.date(2021, 3, 31),
            population_reference_date=population,
            source=(
                f"50 MSEK till regionerna och kraven: {SEED_2020}. Datumen står i den "
                f"ursprungliga överenskommelsen, som vi inte har: {GUESS} (som villkor 1 och 2)."
            ),
            sort_order=4,
            requirements=REQUIREMENTS_2020_V4,
        ),
        ConditionRow(
            code="V5",
            title=TITLE_V5,
            kind=ConditionKind.DELIVERABLE,
            amount_ore=0,
            source=(
                "Inga medel till regionerna (9,5 MSEK till SKR och 1,5 MSEK till "
                f"Socialstyrelsen): {SEED_2020}."
            ),
            verified=True,
            sort_order=5,
        ),
    )


def _model_b(
    year: int, deadline: datetime.date, payment_due: datetime.date | None, diary: str = ""
) -> AgreementRow:
    conditions = _conditions_2020() if year == 2020 else _conditions_2016_2019(year, deadline)
    return AgreementRow(
        year=year,
        name=f"En kvalitetssäker och effektiv sjukskrivnings- och rehabiliteringsprocess {year}",
        diary_number=diary,
        payout_model=PayoutModel.B,
        frame_ore=500 * MSEK,
        research_ore=0,
        addon_per_series_ore=0,
        contact_bonus_per_contact_ore=3_000 * SEK,
        contact_bonus_cap_ore=50 * MSEK,
        population_reference_date=datetime.date(year - 1, 11, 1),
        statistics_age_band=AgeBand.AGE_16_65 if year < 2017 else AgeBand.AGE_16_67,
        asks_video=year >= 2020,
        payment_due=payment_due,
        rates_ore=dict.fromkeys(MODEL_B_TREATMENTS),
        yearly_deadline=deadline,
        conditions=conditions,
    )


RATES_2012 = {"MMR1": 25_000, "MMR2": 45_000, "KBT": 12_000, "IPT": 12_000}

AGREEMENTS = [
    _model_a(2009, 560, 0, {}, None),
    _model_a(2010, 960, 0, {}, None),
    _model_a(2011, 960, 0, {}, None),
    _model_a(2012, 900, 100, RATES_2012, 1_000),
    _model_a(2013, 948, 52, {}, None),
    _model_a(2014, 725, 25, {}, None),
    _model_a(2015, 712, 38, {}, None),
    _model_b(2016, datetime.date(2017, 8, 15), None),
    _model_b(2017, datetime.date(2018, 8, 15), None),
    _model_b(2018, datetime.date(2019, 8, 15), None),
    # 2019: the report was postponed to 15 August 2020 because of covid.
    _model_b(2019, datetime.date(2020, 8, 15), None),
    _model_b(2020, datetime.date(2021, 8, 15), datetime.date(2021, 9, 15), "S2019/05301/SF"),
]


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    population: int


def read_regions(path: Path = REGIONS_CSV) -> list[RegionRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            RegionRow(row["lan_code"], row["name"], int(row["population_2019_12_31"]))
            for row in csv.DictReader(handle)
        ]
