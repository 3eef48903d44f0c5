"""Reference data: the treatment catalogue (spec §4) and the agreements by year
(spec §6). `manage.py load_reference_data` loads it; running it again changes nothing."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .enums import AgeBand, Area, PayoutModel

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
        "KBT", Area.MENTAL, "Kognitiv beteendeterapi (KBT)", "Cognitive behavioural therapy", 10
    ),
    TreatmentRow("IKBT", Area.MENTAL, "Internetbaserad KBT (I-KBT)", "Internet-based CBT", 20),
    TreatmentRow(
        "IPT", Area.MENTAL, "Interpersonell psykoterapi (IPT)", "Interpersonal psychotherapy", 30
    ),
    TreatmentRow(
        "PDT",
        Area.MENTAL,
        "Korttids psykodynamisk terapi (PDT)",
        "Short-term psychodynamic therapy",
        40,
    ),
    TreatmentRow("EMDR", Area.MENTAL, "EMDR", "Eye movement desensitization and reprocessing", 50),
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
        "Multimodal rehabilitation level 1",
        10,
    ),
    TreatmentRow(
        "MMR2",
        Area.PAIN,
        "Multimodal rehabilitering nivå 2 (MMR2)",
        "Multimodal rehabilitation level 2",
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
    quarter: int
    start_date: datetime.date
    end_date: datetime.date
    opens_on: datetime.date
    deadline: datetime.date


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

    def periods(self) -> list[PeriodRow]:
        from .models import quarter_bounds

        rows = []
        for q in range(1, 5):
            start, end = quarter_bounds(self.year, q)
            opens = end + datetime.timedelta(days=1)
            # Model A pays quarterly in arrears: report within a month of the quarter's end.
            deadline = self.yearly_deadline or opens + datetime.timedelta(days=30)
            rows.append(PeriodRow(q, start, end, opens, deadline))
        return rows


def _model_a(
    year: int, frame_msek: int, research_msek: int, rates: Mapping[str, int], addon: int | None
) -> AgreementRow:
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
    )


def _model_b(
    year: int, deadline: datetime.date, payment_due: datetime.date | None, diary: str = ""
) -> AgreementRow:
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
