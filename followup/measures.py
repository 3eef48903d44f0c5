"""SKR's other measures, for one year (each a table the page shows beside its chart
and the downloads give as they are):

- change from the year before per treatment and per area (sign, one decimal %);
- women and men per area (mental ill-health and pain apart);
- the share of series given by video (asked from 2020);
- contacts with employer and Arbetsförmedlingen per 100 series;
- the contact bonus paid against its cap, year by year;
- each region's rank among the regions on each per-1,000 measure.

Plain functions from the selectors' structures to tables: no queries here.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from payments.selectors import PaidSums
from rehab.enums import Area
from rehab.models import Agreement

from .arith import per_1000, percent, ratio_1dp
from .selectors import NATIONAL, Summary, YearFigures
from .tables import (
    DEC1,
    INT,
    KRONOR,
    PCT,
    SIGNED_INT,
    SIGNED_PCT,
    TEXT,
    Cell,
    Column,
    Row,
    Table,
    Values,
    age_band_label,
)


def _missing() -> str:
    return _("saknas")


def treatment_change_table(current: YearFigures, previous: YearFigures | None) -> Table:
    """Nationally, per treatment and per area: the year before, the year, the change
    with its sign and the change in % of the year before (one decimal, half up)."""
    year = current.year
    prev = year - 1
    columns = [
        Column(str(prev)),
        Column(str(year)),
        Column(_("Förändring"), SIGNED_INT),
        Column(_("Förändring %"), SIGNED_PCT),
    ]

    has_current = any(s.has_data for s in current.status.values())

    def cells(before: int | None, now: int) -> list[Cell]:
        if not has_current:
            return [
                Cell(before) if before is not None else Cell(None, INT, _missing()),
                Cell(None, INT, _missing()),
                Cell(None, SIGNED_INT, "–"),
                Cell(None, SIGNED_PCT, "–"),
            ]
        if before is None:
            return [
                Cell(None, INT, _missing()),
                Cell(now),
                Cell(None, INT, "–"),
                Cell(None, PCT, "–"),
            ]
        change = percent(now - before, before)
        return [
            Cell(before),
            Cell(now),
            Cell(now - before, SIGNED_INT),
            Cell(change, SIGNED_PCT, "–"),
        ]

    has_prev = previous is not None and any(s.has_data for s in previous.status.values())
    rows = []
    for treatment in current.treatments:
        before = (
            previous.national_by_treatment.get(treatment.code, 0)
            if has_prev and previous is not None
            else None
        )
        rows.append(
            Row(
                treatment.code,
                f"{treatment.code} {treatment.display_name}",
                cells(before, current.national_by_treatment.get(treatment.code, 0)),
            )
        )
    for area, label in ((Area.MENTAL, _("Psykisk ohälsa")), (Area.PAIN, _("Långvarig smärta"))):
        attr = "mental" if area == Area.MENTAL else "pain"
        before = getattr(previous.national_summary, attr) if has_prev and previous else None
        rows.append(
            Row(
                f"area-{attr}",
                label,
                cells(before, getattr(current.national_summary, attr)),
                "total",
            )
        )
    table = Table(
        "forandring-behandling",
        _("Förändring mot föregående år per behandling och område, riket"),
        _("Behandling"),
        columns,
        rows,
    )
    table.notes.append(
        _(
            "Förändring i procent av föregående års antal, med tecken, en decimal, "
            "avrundat uppåt från 5. Bara godkända rapporter; ett år utan dem: ”saknas”."
        )
    )
    return table


def _region_rows(f: YearFigures, values: Values, own: str | None) -> tuple[list[Row], Row]:
    rows = []
    for region in f.regions:
        status = f.status[region.code]
        css = "own" if region.code == own else ""
        rows.append(
            Row(region.code, region.name, values(region.code) if status.has_data else [], css)
        )
    national = values(NATIONAL) if any(s.has_data for s in f.status.values()) else []
    return rows, Row(NATIONAL, _("Riket"), national, "total")


def _fill(rows: list[Row], total: Row, kinds: list[str]) -> tuple[list[Row], Row]:
    """Regions without an accepted report: every cell "saknas"."""

    def filled(row: Row) -> Row:
        if row.cells:
            return row
        return Row(row.key, row.label, [Cell(None, k, _missing()) for k in kinds], row.css)

    return [filled(r) for r in rows], filled(total)


def _summary(f: YearFigures, key: str) -> Summary:
    return f.national_summary if key == NATIONAL else f.summary.get(key, Summary())


def sex_by_area_table(f: YearFigures, own: str | None = None) -> Table:
    """Women and men per area, n and % of the area's series."""
    parts = [
        (_("Psykisk ohälsa"), "mental"),
        (_("Långvarig smärta"), "pain"),
    ]
    columns: list[Column] = []
    for area, _attr in parts:
        for sex in (_("kvinnor"), _("män")):
            heading = f"{area}, {sex}"
            columns += [
                Column(heading, group=area, short=sex.capitalize()),
                Column(f"{heading} %", PCT, group=area, short="%"),
            ]

    def values(key: str) -> list[Cell]:
        s = _summary(f, key)
        out: list[Cell] = []
        for _area, attr in parts:
            total = getattr(s, attr)
            for sex in ("female", "male"):
                n = getattr(s, f"{attr}_{sex}")
                share = percent(n, total)
                out += [Cell(n), Cell(share, PCT, "–")]
        return out

    rows, total = _fill(*_region_rows(f, values, own), [c.kind for c in columns])
    table = Table("kon-omrade", _("Kvinnor och män per område"), _("Region"), columns, rows, total)
    table.notes.append(
        _("Andel i procent av områdets behandlingar, en decimal, avrundat uppåt från 5.")
    )
    return table


def video_table(f: YearFigures, own: str | None = None) -> Table | None:
    """Share of series given wholly or partly by video (the agreement asks from 2020)."""
    if not f.agreement.asks_video:
        return None
    columns = [
        Column(_("Behandlingar via video")),
        Column(_("Alla behandlingar")),
        Column(_("Andel via video %"), PCT),
    ]

    def values(key: str) -> list[Cell]:
        video = (f.national_contacts if key == NATIONAL else f.contacts.get(key)) or None
        n = video.video if video else 0
        total = _summary(f, key).total
        return [Cell(n), Cell(total), Cell(percent(n, total), PCT, "–")]

    rows, total = _fill(*_region_rows(f, values, own), [c.kind for c in columns])
    table = Table("video", _("Behandlingar via video"), _("Region"), columns, rows, total)
    table.notes.append(_("Frågas från överenskommelsen 2020."))
    return table


def contacts_per_100_table(f: YearFigures, own: str | None = None) -> Table:
    """Contacts with employer and Arbetsförmedlingen per 100 series."""
    columns = [
        Column(_("Kontakter")),
        Column(_("Alla behandlingar")),
        Column(_("Kontakter per 100 behandlingar"), DEC1),
    ]

    def values(key: str) -> list[Cell]:
        contacts = f.national_contacts if key == NATIONAL else f.contacts.get(key)
        n = contacts.total if contacts else 0
        total = _summary(f, key).total
        return [Cell(n), Cell(total), Cell(ratio_1dp(n, total, scale=100), DEC1, "–")]

    rows, total = _fill(*_region_rows(f, values, own), [c.kind for c in columns])
    table = Table(
        "kontakter-per-100",
        _("Kontakter per 100 behandlingar"),
        _("Region"),
        columns,
        rows,
        total,
    )
    table.notes.append(_("Kontakter × 100 / behandlingar, en decimal, avrundat uppåt från 5."))
    return table


def bonus_cap_table(agreements: list[Agreement], paid: dict[int, dict[str, PaidSums]]) -> Table:
    """The contact bonus paid (approved runs) against its cap, year by year."""
    columns = [
        Column(_("Utbetald kontaktbonus (kr)"), KRONOR),
        Column(_("Tak för kontaktbonus (kr)"), KRONOR),
        Column(_("Andel av taket %"), PCT),
    ]
    rows = []
    for agreement in agreements:
        cap = int(agreement.contact_bonus_cap_ore)
        if cap <= 0:
            continue
        year = int(agreement.year)
        if year in paid:
            bonus = sum(s.bonus_ore for s in paid[year].values())
            cells = [Cell(bonus, KRONOR), Cell(cap, KRONOR), Cell(percent(bonus, cap), PCT)]
        else:
            cells = [
                Cell(None, KRONOR, _("ej utbetalt")),
                Cell(cap, KRONOR),
                Cell(None, PCT, "–"),
            ]
        rows.append(Row(str(year), str(year), cells))
    table = Table(
        "kontaktbonus-tak", _("Kontaktbonus mot taket, år för år"), _("År"), columns, rows
    )
    table.notes.append(
        _(
            "Utbetalt enligt attesterade utbetalningskörningar; ”ej utbetalt” = ingen "
            "attesterad körning."
        )
    )
    return table


def _ranks(values: dict[str, Decimal]) -> dict[str, int]:
    """Competition ranking, highest first: equal values share a rank (1, 2, 2, 4)."""
    ordered = sorted(values.values(), reverse=True)
    return {key: ordered.index(value) + 1 for key, value in values.items()}


def rank_table(f: YearFigures, own: str | None = None) -> Table:
    """Each region's per-1,000 figures and its rank among the regions with one."""
    band = age_band_label(f.agreement)
    measures = [(_("KBT+IPT"), "kbt_ipt"), (_("MMR1+MMR2"), "mmr")]
    rates: dict[str, dict[str, Decimal]] = {}
    for _label, attr in measures:
        rates[attr] = {}
        for region in f.regions:
            if not f.status[region.code].has_data:
                continue
            rate = per_1000(
                getattr(_summary(f, region.code), attr), f.population.by_region.get(region.code)
            )
            if rate is not None:
                rates[attr][region.code] = rate
    ranks = {attr: _ranks(by_region) for attr, by_region in rates.items()}
    columns: list[Column] = []
    for label, _attr in measures:
        heading = _("%(group)s per 1 000 invånare %(band)s") % {"group": label, "band": band}
        columns += [
            Column(heading, DEC1, group=label, short=_("Per 1 000")),
            Column(
                _("%(group)s placering") % {"group": label}, TEXT, group=label, short=_("Plats")
            ),
        ]
    rows = []
    for region in f.regions:
        cells: list[Cell] = []
        for _label, attr in measures:
            rate = rates[attr].get(region.code)
            if rate is None:
                why = _("saknas") if not f.status[region.code].has_data else _("befolkning saknas")
                cells += [Cell(None, DEC1, why), Cell(None, TEXT, "–")]
            else:
                n = len(rates[attr])
                cells += [
                    Cell(rate, DEC1),
                    Cell(_("%(rank)s av %(n)s") % {"rank": ranks[attr][region.code], "n": n}, TEXT),
                ]
        rows.append(Row(region.code, region.name, cells, "own" if region.code == own else ""))
    table = Table(
        "placering", _("Regionernas placering per 1 000 invånare"), _("Region"), columns, rows
    )
    table.notes.append(
        _(
            "Plats 1 = flest behandlingar per 1 000 invånare. Lika värden delar plats. "
            "Bara regioner med godkänd rapport och befolkningsuppgift rangordnas."
        )
    )
    return table
