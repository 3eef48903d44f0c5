"""The tables of the yearly report (spec §8), built once from the figures and
used alike by the page, the CSV and XLSX exports: what a user downloads is what
the page shows.

A region without an accepted report has no figures: its cells say "saknas"
instead of a zero. A region that has some but not all quarters accepted shows
its figures marked as incomplete, and every table says how many quarters count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from payments.selectors import PaidSums
from rehab.enums import Area
from rehab.models import Agreement, Region
from reporting.enums import VersionStatus

from .arith import per_1000, percent
from .checks import Flags, history_flags
from .enums import SKR_SOURCE, HistoryMeasure
from .selectors import (
    NATIONAL,
    Contacts,
    Population,
    RegionStatus,
    SeriesPoint,
    Summary,
    TimeSeries,
    YearFigures,
)

INT = "int"
DEC1 = "dec1"
PCT = "pct"
KRONOR = "kronor"
TEXT = "text"
SIGNED_INT = "sint"  # a change: shown with its sign (+18, -4)
SIGNED_PCT = "spct"


@dataclass(frozen=True)
class Cell:
    """One figure. `missing` says why there is none (shown instead of a number);
    `partial` marks a figure from a year whose reports are not all accepted."""

    value: int | Decimal | str | None
    kind: str = INT
    missing: str = ""
    partial: bool = False
    source: str = ""  # "SKR": a published figure, not from Rehab's reports
    flag: str = ""  # why a published figure looks wrong (it is shown as published)


@dataclass(frozen=True)
class Column:
    """`heading` names the column everywhere (downloads too); on the page a column
    with a `group` shows under the group's heading as `short`."""

    heading: str
    kind: str = INT
    group: str = ""
    short: str = ""


@dataclass(frozen=True)
class HeaderGroup:
    name: str
    span: int
    column: Column


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: list[Cell]
    css: str = ""


@dataclass
class Table:
    slug: str
    title: str
    label_heading: str
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def compact(self) -> bool:
        """Many columns: the page sets them tighter."""
        return len(self.columns) > 10

    @property
    def grouped(self) -> bool:
        return any(column.group for column in self.columns)

    @property
    def header_groups(self) -> list[HeaderGroup]:
        """Runs of columns under the same group heading (a column without a group
        stands alone), for the first header row."""
        out: list[HeaderGroup] = []
        for column in self.columns:
            if column.group and out and out[-1].name == column.group:
                out[-1] = HeaderGroup(column.group, out[-1].span + 1, out[-1].column)
            else:
                out.append(HeaderGroup(column.group, 1, column))
        return out

    @property
    def all_rows(self) -> list[Row]:
        return self.rows + ([self.total] if self.total else [])

    def pick(self, headings: list[str], *, title: str = "", slug: str = "") -> Table:
        """The same rows with only the columns under `headings` (a chart's data)."""
        index = [c.heading for c in self.columns]
        wanted = [index.index(h) for h in headings]

        def narrow(row: Row) -> Row:
            return Row(row.key, row.label, [row.cells[i] for i in wanted], row.css)

        return Table(
            slug=slug or self.slug,
            title=title or self.title,
            label_heading=self.label_heading,
            columns=[self.columns[i] for i in wanted],
            rows=[narrow(row) for row in self.rows],
            total=narrow(self.total) if self.total else None,
        )

    def column_cells(self, heading: str) -> list[Cell]:
        """The cells under `heading`, rows only (no total)."""
        index = [c.heading for c in self.columns].index(heading)
        return [row.cells[index] for row in self.rows]

    def cell(self, key: str, heading: str) -> Cell:
        """The cell of row `key` (län code, "ALL", year) under `heading`."""
        index = [c.heading for c in self.columns].index(heading)
        return next(row for row in self.all_rows if row.key == key).cells[index]


Values = Callable[[str], list[Cell]]


def _no_report() -> str:
    return _("saknas")


def _no_population() -> str:
    return _("befolkning saknas")


def _status_text(status: RegionStatus) -> str:
    return _("%(n)s av %(of)s") % {"n": len(status.accepted), "of": status.periods}


def _region_css(region: Region, status: RegionStatus, own_region: str | None) -> str:
    classes = []
    if region.code == own_region:
        classes.append("own")
    if not status.complete:
        classes.append("incomplete")
    return " ".join(classes)


class _YearBuilder:
    """Rows of one year, region by region, with the nation as the total row."""

    def __init__(self, figures: YearFigures, own_region: str | None) -> None:
        self.f = figures
        self.own_region = own_region

    def status_heading(self) -> str:
        # A year reported once (villkor 3 2016–2020) counts reports, not quarters.
        if any(s.yearly for s in self.f.status.values()):
            return _("Godkända rapporter")
        return _("Godkända kvartal")

    def national_status(self) -> Cell:
        return Cell(
            _("%(n)s av %(of)s regioner")
            % {"n": self.f.complete_regions, "of": len(self.f.regions)},
            TEXT,
        )

    def rows(self, values: Values, kinds: list[str]) -> tuple[list[Row], Row]:
        rows = []
        for region in self.f.regions:
            status = self.f.status[region.code]
            cells = [Cell(_status_text(status), TEXT)]
            if status.has_data:
                cells += values(region.code)
            else:
                cells += [Cell(None, kind, _no_report()) for kind in kinds]
            rows.append(
                Row(region.code, region.name, cells, _region_css(region, status, self.own_region))
            )
        if any(self.f.status[region.code].has_data for region in self.f.regions):
            national = values(NATIONAL)
        else:
            national = [Cell(None, kind, _no_report()) for kind in kinds]
        total_cells = [self.national_status(), *national]
        return rows, Row(NATIONAL, _("Riket"), total_cells, "total")

    def table(self, slug: str, title: str, columns: list[Column], values: Values) -> Table:
        rows, total = self.rows(values, [c.kind for c in columns])
        return Table(
            slug=slug,
            title=title,
            label_heading=_("Region"),
            columns=[Column(self.status_heading(), TEXT), *columns],
            rows=rows,
            total=total,
        )

    def summary(self, key: str) -> Summary:
        if key == NATIONAL:
            return self.f.national_summary
        return self.f.summary.get(key, Summary())

    def contacts(self, key: str) -> Contacts:
        if key == NATIONAL:
            return self.f.national_contacts
        return self.f.contacts.get(key, Contacts())

    def by_treatment(self, key: str) -> dict[str, int]:
        if key == NATIONAL:
            return self.f.national_by_treatment
        return self.f.by_treatment.get(key, {})

    def population(self, key: str) -> int | None:
        pop: Population = self.f.population
        return pop.national if key == NATIONAL else pop.by_region.get(key)

    def rate(self, count: int, key: str) -> Cell:
        population = self.population(key)
        if population is None:
            return Cell(None, DEC1, _no_population())
        return Cell(per_1000(count, population), DEC1)


def age_band_label(agreement: Agreement) -> str:
    return str(agreement.get_statistics_age_band_display())


def _area_table(b: _YearBuilder, area: str) -> Table:
    f = b.f
    treatments = [t for t in f.treatments if t.area == area]
    band = age_band_label(f.agreement)
    if area == Area.MENTAL:
        slug, title = (
            "psykisk-ohalsa",
            _("Lindrig och medelsvår psykisk ohälsa: behandlingar per typ"),
        )
        group_heading, group = _("KBT+IPT"), "kbt_ipt"
        area_heading = _("Summa psykisk ohälsa")
    else:
        slug, title = "smarta", _("Långvarig smärta: behandlingar per typ")
        group_heading, group = _("MMR1+MMR2"), "mmr"
        area_heading = _("Summa långvarig smärta")
    rate_heading = _("%(group)s per 1 000 invånare %(band)s") % {
        "group": group_heading,
        "band": band,
    }
    columns = [Column(t.code) for t in treatments] + [
        Column(area_heading),
        Column(group_heading),
        Column(rate_heading, DEC1),
    ]

    def values(key: str) -> list[Cell]:
        counts = b.by_treatment(key)
        summary = b.summary(key)
        group_count = getattr(summary, group)
        return [
            *(Cell(counts.get(t.code, 0)) for t in treatments),
            Cell(summary.mental if area == Area.MENTAL else summary.pain),
            Cell(group_count),
            b.rate(group_count, key),
        ]

    table = b.table(slug, title, columns, values)
    table.notes.append(
        ", ".join(f"{t.code} = {t.display_name}" for t in treatments)
        + ". "
        + _(
            "Per 1 000 invånare: antal × 1 000 / befolkningen %(band)s per %(date)s, "
            "en decimal, avrundat uppåt från 5."
        )
        % {"band": band, "date": f.agreement.statistics_reference_date.isoformat()}
    )
    if f.population.national is None:
        table.notes.append(
            _(
                "Befolkningsuppgift %(band)s per %(date)s saknas för någon region: "
                "riket och de regionerna visas utan per 1 000."
            )
            % {"band": band, "date": f.agreement.statistics_reference_date.isoformat()}
        )
    return table


def _split_table(b: _YearBuilder, slug: str, title: str, parts: list[tuple[str, str]]) -> Table:
    columns: list[Column] = []
    for heading, _attr in parts:
        columns += [
            Column(heading, group=heading, short=_("Antal")),
            Column(_("%(part)s %%") % {"part": heading}, PCT, group=heading, short="%"),
        ]
    columns.append(Column(_("Summa")))

    def values(key: str) -> list[Cell]:
        summary = b.summary(key)
        cells: list[Cell] = []
        for _heading, attr in parts:
            n = getattr(summary, attr)
            share = percent(n, summary.total)
            cells += [Cell(n), Cell(share, PCT, "" if share is not None else "–")]
        return [*cells, Cell(summary.total)]

    table = b.table(slug, title, columns, values)
    table.notes.append(
        _(
            "Andelar i procent av radens summa, en decimal, avrundat uppåt från 5; "
            "varje andel avrundas för sig, så summan kan bli 99,9 eller 100,1."
        )
    )
    return table


def _contacts_table(b: _YearBuilder) -> Table:
    f = b.f
    columns = [
        Column(_("Kontakter med arbetsgivare")),
        Column(_("Kontakter med Arbetsförmedlingen")),
        Column(_("Summa kontakter")),
    ]
    has_bonus = f.agreement.contact_bonus_per_contact_ore > 0
    with_bonus = has_bonus and f.bonus_ore is not None
    if with_bonus:
        columns.append(Column(_("Utbetald kontaktbonus (kr)"), KRONOR))

    def values(key: str) -> list[Cell]:
        contacts = b.contacts(key)
        cells = [Cell(contacts.employer), Cell(contacts.af), Cell(contacts.total)]
        if with_bonus:
            assert f.bonus_ore is not None
            bonus = f.national_bonus_ore if key == NATIONAL else f.bonus_ore.get(key, 0)
            cells.append(Cell(bonus, KRONOR))
        return cells

    table = b.table(
        "kontakter", _("Kontakter med arbetsgivare och Arbetsförmedlingen"), columns, values
    )
    if with_bonus:
        table.notes.append(
            _("Kontaktbonus: det som utbetalats i attesterade utbetalningar för året.")
        )
    elif not has_bonus:
        table.notes.append(
            _("Överenskommelsen %(year)s har ingen kontaktbonus.") % {"year": f.year}
        )
    else:
        table.notes.append(
            _("Utbetald kontaktbonus visas här när utbetalningarna förs i systemet.")
        )
    return table


def status_table(f: YearFigures, own_region: str | None = None) -> Table:
    """Which quarters of each region count (accepted), await FK, or are missing."""
    labels = {
        VersionStatus.ACCEPTED: _("Godkänd"),
        VersionStatus.SUBMITTED: _("Inskickad, ej granskad"),
        "MISSING": _("Saknas"),
    }
    periods = max((s.periods for s in f.status.values()), default=4)
    yearly = any(s.yearly for s in f.status.values())
    keys: list[int | None] = [None] if yearly else list(range(1, periods + 1))
    columns = [
        Column(_("Årsrapport") if q is None else _("Kvartal %(q)s") % {"q": q}, TEXT) for q in keys
    ]
    columns.append(Column(_("Godkända rapporter") if yearly else _("Godkända kvartal"), TEXT))
    periods = len(keys)
    rows = []
    for region in f.regions:
        status = f.status[region.code]
        cells = [Cell(labels[status.quarter_state(q)], TEXT) for q in keys]
        cells.append(Cell(_status_text(status), TEXT))
        rows.append(Row(region.code, region.name, cells, _region_css(region, status, own_region)))
    missing = len(f.regions) - f.complete_regions
    total = Row(
        NATIONAL,
        _("Riket"),
        [Cell("", TEXT) for _q in range(periods)]
        + [
            Cell(
                _("%(n)s av %(of)s regioner") % {"n": f.complete_regions, "of": len(f.regions)},
                TEXT,
            )
        ],
        "total",
    )
    table = Table("rapporter", _("Rapporter som ingår"), _("Region"), columns, rows, total)
    if missing:
        table.notes.append(
            ngettext(
                "%(n)s region har inte alla årets rapporter godkända: "
                "dess siffror och rikets är ofullständiga.",
                "%(n)s regioner har inte alla årets rapporter godkända: "
                "deras siffror och rikets är ofullständiga.",
                missing,
            )
            % {"n": missing}
        )
    table.notes.append(_("Bara godkända rapportversioner räknas (efter godkända rättelser)."))
    return table


def year_tables(f: YearFigures, own_region: str | None = None) -> list[Table]:
    """Tables 1–5 of spec §8 for the year, each region with the nation as total."""
    b = _YearBuilder(f, own_region)
    return [
        _area_table(b, Area.MENTAL),
        _area_table(b, Area.PAIN),
        _split_table(
            b, "kon", _("Kvinnor och män"), [(_("Kvinnor"), "female"), (_("Män"), "male")]
        ),
        _split_table(
            b,
            "vardgivare",
            _("Offentliga och privata vårdgivare"),
            [(_("Offentlig"), "public"), (_("Privat"), "private")],
        ),
        _contacts_table(b),
    ]


# ---------------------------------------------------------------- across years


def source_text() -> str:
    """How every table, chart and export names published history."""
    return _("Källa: SKR")


def _years_text(years: list[int]) -> str:
    """[2009, 2013, 2015, 2016, 2017] -> "2009, 2013, 2015–2017"."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and runs[-1][-1] == year - 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def published_years_text(ts: TimeSeries) -> str:
    """The years shown from SKR's published history ("" if none), e.g. "2009, 2013, 2015–2018"."""
    keys = [*(r.code for r in ts.regions), NATIONAL]
    return _years_text(
        [
            year
            for year in ts.years
            if any((p := ts.point(year, key)) is not None and p.published for key in keys)
        ]
    )


def _source_notes(ts: TimeSeries, keys: list[str]) -> list[str]:
    """Which years of these rows are SKR's published figures, and where reports
    replaced published figures (reports win)."""
    notes = []
    published = sorted(
        {
            year
            for year in ts.years
            for key in keys
            if (point := ts.point(year, key)) is not None and point.published
        }
    )
    if published:
        notes.append(
            _(
                "%(source)s: %(years)s är SKR:s publicerade siffror (tabell 7–8 i SKR:s "
                "rapport), visade som publicerade; Rehab har inga rapporter för dem. "
                "Per 1 000 för dessa år är SKR:s egen siffra."
            )
            % {"source": source_text(), "years": _years_text(published)}
        )
    for year in ts.years:
        replaced = [key for key in ts.overridden(year) if key in keys]
        if replaced:
            notes.append(
                _(
                    "%(year)s: godkända rapporter i Rehab ersätter SKR:s publicerade "
                    "siffror för %(n)s (rapporterna gäller)."
                )
                % {"year": year, "n": ", ".join(_key_name(ts, key) for key in replaced)}
            )
    return notes


def _key_name(ts: TimeSeries, key: str) -> str:
    if key == NATIONAL:
        return _("riket")
    return next((r.name for r in ts.regions if r.code == key), key)


def _flag_text(flags: Flags, year: int, key: str, measure: str) -> str:
    return " ".join(flags.get((year, key, measure), []))


def _flag_notes(flags: Flags, ts: TimeSeries, keys: list[str], measures: list[str]) -> list[str]:
    notes = []
    for (_year, key, measure), texts in sorted(flags.items()):
        if key in keys and measure in measures:
            notes.append(
                _("Flaggad publicerad siffra (visas som publicerad), %(who)s %(m)s: %(why)s")
                % {
                    "who": _key_name(ts, key),
                    "m": HistoryMeasure(measure).label,
                    "why": " ".join(texts),
                }
            )
    return notes


def _count_cell(point: SeriesPoint | None, measure: str, flags: Flags, year: int, key: str) -> Cell:
    if point is None:
        return Cell(None, INT, _no_report())
    value = point.count(measure)
    if value is None:
        return Cell(None, INT, _no_report())
    if point.published:
        return Cell(value, INT, source=SKR_SOURCE, flag=_flag_text(flags, year, key, measure))
    return Cell(value, partial=not point.complete)


def _rate_of(
    ts: TimeSeries, point: SeriesPoint | None, measure: str, flags: Flags, year: int, key: str
) -> Cell:
    if point is None or point.count(measure) is None:
        return Cell(None, DEC1, _no_report())
    if point.published:
        rate = point.published_rate(measure)
        if rate is None:
            return Cell(None, DEC1, _no_population())
        return Cell(rate, DEC1, source=SKR_SOURCE, flag=_flag_text(flags, year, key, measure))
    count = point.count(measure)
    assert count is not None
    return _rate_cell(count, ts.population_of(year, key), not point.complete)


def _change_cells(
    previous: SeriesPoint | None, current: SeriesPoint | None, attr: str
) -> list[Cell]:
    """A year before, the year, the change and the change in % of the year before.
    A figure from a year not fully accepted is marked partial, and so is a change
    computed from one; a published figure says its source."""

    def value(point: SeriesPoint | None) -> int | None:
        return getattr(point, attr) if point is not None else None

    def cell(point: SeriesPoint | None) -> Cell:
        v = value(point)
        if point is None or v is None:
            return Cell(None, INT, _no_report())
        if point.published:
            return Cell(v, INT, source=SKR_SOURCE)
        return Cell(v, partial=not point.complete)

    prev, cur = value(previous), value(current)
    cells = [cell(previous), cell(current)]
    if prev is None or cur is None or previous is None or current is None:
        return [*cells, Cell(None, INT, "–"), Cell(None, PCT, "–")]
    partial = not (previous.complete and current.complete)
    change_pct = percent(cur - prev, prev)
    return [
        *cells,
        Cell(cur - prev, INT, partial=partial),
        Cell(change_pct, PCT, "–", partial) if change_pct is not None else Cell(None, PCT, "–"),
    ]


def change_table(ts: TimeSeries, year: int, own_region: str | None = None) -> Table:
    """Spec §8.7: KBT+IPT, MMR1+MMR2 and all series against the year before (the
    year before may be SKR's published history)."""
    prev = year - 1
    groups = [(_("KBT+IPT"), "kbt_ipt"), (_("MMR1+MMR2"), "mmr"), (_("Alla behandlingar"), "total")]
    columns: list[Column] = []
    for heading, _attr in groups:
        columns += [
            Column(f"{heading} {prev}", group=heading, short=str(prev)),
            Column(f"{heading} {year}", group=heading, short=str(year)),
            Column(_("%(g)s förändring") % {"g": heading}, group=heading, short=_("Ändring")),
            Column(
                _("%(g)s förändring %%") % {"g": heading},
                PCT,
                group=heading,
                short=_("Ändring %"),
            ),
        ]
    has_prev = prev in ts.status or prev in ts.history

    def cells_for(key: str) -> list[Cell]:
        current = ts.point(year, key)
        previous = ts.point(prev, key) if has_prev else None
        out: list[Cell] = []
        for _heading, attr in groups:
            out += _change_cells(previous, current, attr)
        return out

    rows = []
    for region in ts.regions:
        status = ts.region_status(year, region.code)
        rows.append(
            Row(
                region.code,
                region.name,
                cells_for(region.code),
                _region_css(region, status, own_region),
            )
        )
    table = Table(
        "forandring",
        _("Förändring mot föregående år"),
        _("Region"),
        columns,
        rows,
        Row(NATIONAL, _("Riket"), cells_for(NATIONAL), "total"),
    )
    if not has_prev:
        table.notes.append(
            _("Det finns ingen överenskommelse för %(year)s att jämföra med.") % {"year": prev}
        )
    table.notes.extend(
        n for n in _source_notes(ts, [*(r.code for r in ts.regions), NATIONAL]) if str(prev) in n
    )
    table.notes.append(
        _(
            "Förändring i procent av föregående års antal, en decimal, avrundat uppåt från 5. "
            "* = inte alla årets rapporter är godkända."
        )
    )
    return table


def _band_text(ts: TimeSeries, year: int) -> str:
    agreement = ts.agreement(year)
    if agreement is not None:
        return age_band_label(agreement)
    return _("16–65 år") if year < 2017 else _("16–67 år")


def series_table(
    ts: TimeSeries, key: str = NATIONAL, name: str = "", flags: Flags | None = None
) -> Table:
    """One region (or the nation) year by year: counts and per 1,000 (spec §8.6),
    each year from reports or SKR's published history, with the population figure
    the per-1,000 figures divide by (or that it is missing)."""
    flags = history_flags(ts) if flags is None else flags
    columns = [
        Column(_("KBT+IPT")),
        Column(_("KBT+IPT per 1 000 invånare"), DEC1),
        Column(_("MMR1+MMR2")),
        Column(_("MMR1+MMR2 per 1 000 invånare"), DEC1),
        Column(_("Alla behandlingar")),
        Column(_("Åldersgrupp per 1 000"), TEXT),
        Column(_("Befolkning per 1 november"), INT),
        Column(_("Källa"), TEXT),
    ]
    if key == NATIONAL:
        columns.append(Column(_("Regioner med alla årets rapporter godkända"), TEXT))
    else:
        columns.append(Column(_("Godkända kvartal"), TEXT))
    rows = []
    for year in ts.years:
        point = ts.point(year, key)
        has_agreement = year in ts.status
        if not has_agreement:
            reported = Cell(None, TEXT, "–")
        elif key == NATIONAL:
            reported = Cell(
                _("%(n)s av %(of)s") % {"n": ts.complete_regions(year), "of": len(ts.regions)},
                TEXT,
            )
        else:
            reported = Cell(_status_text(ts.region_status(year, key)), TEXT)
        kbt, mmr = HistoryMeasure.KBT_IPT, HistoryMeasure.MMR
        cells = [
            _count_cell(point, kbt, flags, year, key),
            _rate_of(ts, point, kbt, flags, year, key),
            _count_cell(point, mmr, flags, year, key),
            _rate_of(ts, point, mmr, flags, year, key),
        ]
        if point is None or point.total is None:
            cells.append(Cell(None, INT, _no_report() if point is None else "–"))
        else:
            cells.append(Cell(point.total, partial=not point.complete))
        cells.append(Cell(_band_text(ts, year), TEXT))
        if point is not None and point.published:
            cells.append(Cell(None, INT, _("SKR:s siffra")))
            cells.append(Cell(source_text(), TEXT))
        elif point is None:
            cells.append(Cell(None, INT, "–"))
            cells.append(Cell(None, TEXT, "–"))
        else:
            population = ts.population_of(year, key)
            cells.append(Cell(population, INT, _no_population()))
            text = _("Godkända rapporter")
            if point.overrides:
                text = _("Godkända rapporter (ersätter SKR:s siffra)")
            cells.append(Cell(text, TEXT))
        complete = point is None or point.complete
        rows.append(Row(str(year), str(year), [*cells, reported], "" if complete else "incomplete"))
    if key == NATIONAL:
        slug, title = "tidsserie-riket", _("Riket år för år")
    else:
        slug, title = f"tidsserie-{key}", _("%(region)s år för år") % {"region": name}
    table = Table(slug, title, _("År"), columns, rows)
    table.notes += _source_notes(ts, [key])
    table.notes += _flag_notes(flags, ts, [key], list(HistoryMeasure.values))
    table.notes.append(
        _(
            "Per 1 000 invånare (Rehabs egna år): antal × 1 000 / invånarna i åldersgruppen "
            "per 1 november samma år (SKR:s definition: 16–65 år till 2016, 16–67 år från "
            "2017), en decimal, avrundat uppåt från 5. ”befolkning saknas” = ingen sådan "
            "befolkningsuppgift finns i systemet."
        )
    )
    return table


def _rate_cell(count: int, population: int | None, partial: bool) -> Cell:
    if population is None:
        return Cell(None, DEC1, _no_population())
    return Cell(per_1000(count, population), DEC1, partial=partial)


def _year_heading(ts: TimeSeries, year: int, keys: list[str]) -> str:
    points = [ts.point(year, key) for key in keys]
    published = [p for p in points if p is not None and p.published]
    if not published:
        return str(year)
    if len(published) == len([p for p in points if p is not None]):
        return f"{year} ({source_text()})"
    return _("%(year)s (%(source)s där rapport saknas)") % {
        "year": year,
        "source": source_text(),
    }


def region_series_tables(
    ts: TimeSeries, own_region: str | None = None, flags: Flags | None = None
) -> list[Table]:
    """Per region and year: KBT+IPT and MMR1+MMR2, counts and per 1,000 (spec §8.6;
    SKR's tables 7 and 8), joined with SKR's published history."""
    flags = history_flags(ts) if flags is None else flags
    kbt, mmr = HistoryMeasure.KBT_IPT, HistoryMeasure.MMR
    specs = [
        ("tidsserie-kbt-ipt", _("KBT+IPT per region och år"), kbt, False),
        (
            "tidsserie-kbt-ipt-per-1000",
            _("KBT+IPT per 1 000 invånare per region och år"),
            kbt,
            True,
        ),
        ("tidsserie-mmr", _("MMR1+MMR2 per region och år"), mmr, False),
        (
            "tidsserie-mmr-per-1000",
            _("MMR1+MMR2 per 1 000 invånare per region och år"),
            mmr,
            True,
        ),
    ]
    keys = [*(r.code for r in ts.regions), NATIONAL]
    headings = {year: _year_heading(ts, year, keys) for year in ts.years}
    source_notes = _source_notes(ts, keys)
    tables = []
    for slug, title, measure, rate in specs:
        columns = [Column(headings[year], DEC1 if rate else INT) for year in ts.years]

        def cells_for(key: str, measure: str = measure, rate: bool = rate) -> list[Cell]:
            cells = []
            for year in ts.years:
                point = ts.point(year, key)
                if rate:
                    cells.append(_rate_of(ts, point, measure, flags, year, key))
                else:
                    cells.append(_count_cell(point, measure, flags, year, key))
            return cells

        rows = [
            Row(
                region.code,
                region.name,
                cells_for(region.code),
                "own" if region.code == own_region else "",
            )
            for region in ts.regions
        ]
        table = Table(
            slug,
            title,
            _("Region"),
            columns,
            rows,
            Row(NATIONAL, _("Riket"), cells_for(NATIONAL), "total"),
        )
        table.notes += source_notes
        table.notes += _flag_notes(flags, ts, keys, [measure])
        tables.append(table)
    return tables


def all_series_tables(ts: TimeSeries, own_region: str | None = None) -> list[Table]:
    flags = history_flags(ts)
    return [series_table(ts, flags=flags), *region_series_tables(ts, own_region, flags)]


def paid_table(
    regions: list[Region],
    years: list[int],
    paid: dict[int, dict[str, PaidSums]],
    own_region: str | None = None,
) -> Table:
    """What FK's approved payout runs paid each region per agreement year (public
    once approved, as FK publishes it). A year without an approved run: "ej utbetalt"."""
    years = [year for year in years if year in paid]
    columns = [Column(str(year), KRONOR) for year in years]

    def cells(key: str) -> list[Cell]:
        out = []
        for year in years:
            if key == NATIONAL:
                out.append(Cell(sum(s.amount_ore for s in paid[year].values()), KRONOR))
            elif key in paid[year]:
                out.append(Cell(paid[year][key].amount_ore, KRONOR))
            else:
                out.append(Cell(0, KRONOR))
        return out

    rows = [
        Row(r.code, r.name, cells(r.code), "own" if r.code == own_region else "") for r in regions
    ]
    table = Table(
        "utbetalt",
        _("Utbetalt per region och år (kr)"),
        _("Region"),
        columns,
        rows,
        Row(NATIONAL, _("Riket"), cells(NATIONAL), "total") if years else None,
    )
    table.notes.append(
        _(
            "Bara attesterade utbetalningskörningar räknas (kvartal, årsavstämning, "
            "modell B:s år), summerade per överenskommelseår. Ett år utan attesterad "
            "körning visas inte."
        )
    )
    return table
