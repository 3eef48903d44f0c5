"""The report grid as the templates draw it: the agreement's treatments as rows
grouped by area, woman/man × public/private as columns, with row, area and
column totals, and the contacts/video table beside it.

One structure serves every page that shows figures (the form, a read-only
version, the comparison and FK's review), so they all look alike. The totals
are computed here from the values shown; static/js/report-grid.js recomputes
them in the browser as the coordinator types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rehab.enums import Area

from ..cells import SERIES_COLUMNS, SEXES, AgreementCells
from ..enums import ExtraKind, Provider, Sex
from ..figures import extra_key, series_key


def dom_id(key: str) -> str:
    """The HTML id of a cell's input: "KBT:F:PUBLIC" -> "cell-KBT-F-PUBLIC"."""
    return "cell-" + key.replace(":", "-") if key else "cell-report"


@dataclass
class Cell:
    key: str
    col: str  # "F:PUBLIC" for series, "F" for extras
    label: str  # what a screen reader says for the input
    value: int | None = None  # the figure (saved, or typed and valid)
    raw: str = ""  # what the input shows (the typed text when a save was refused)
    errors: list[str] = field(default_factory=list)
    previous: int | None = None  # the compared figure (previous version, or saved by another)
    compared: bool = False  # a comparison is shown on this page
    flagged: bool = False  # FK's comment concerns this cell
    disabled: bool = False  # not this page's to fill in (a care unit's other provider type)
    breakdown: list[tuple[str, int]] = field(default_factory=list)  # (care unit, value)

    @property
    def dom_id(self) -> str:
        return dom_id(self.key)

    @property
    def changed(self) -> bool:
        return self.compared and (self.previous or 0) != (self.value or 0)


@dataclass
class Total:
    value: int
    area: str = ""
    row: str = ""
    col: str = ""
    previous: int | None = None


@dataclass
class Row:
    code: str
    name: str
    area: str
    cells: list[Cell]
    total: Total
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(cell.changed for cell in self.cells)


@dataclass
class AreaBlock:
    area: str
    label: str
    rows: list[Row]
    totals: list[Total]
    total: Total


@dataclass
class ExtraRow:
    kind: str
    name: str
    cells: list[Cell]
    total: Total


@dataclass
class Grid:
    areas: list[AreaBlock]
    totals: list[Total]
    total: Total
    extras: list[ExtraRow]
    columns: list[tuple[str, str, str]]  # (col, sex label, provider label)

    def cells(self) -> Iterable[Cell]:
        for block in self.areas:
            for row in block.rows:
                yield from row.cells
        for extra in self.extras:
            yield from extra.cells

    @property
    def changed_count(self) -> int:
        return sum(1 for cell in self.cells() if cell.changed)


def build_grid(
    *,
    cells: AgreementCells,
    values: Mapping[str, int],
    raw: Mapping[str, str] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    previous: Mapping[str, int] | None = None,
    flagged: Iterable[str] = (),
    row_warnings: Mapping[str, list[str]] | None = None,
    breakdown: Mapping[str, list[tuple[str, int]]] | None = None,
) -> Grid:
    """The grid of the agreement's `cells` for `values` (cell key -> figure). `raw`
    is the typed text to show instead (a refused save), `previous` a set of figures
    to compare against, `breakdown` each cell's figures per care unit (regions that
    collect per unit)."""
    raw = raw or {}
    per_unit = breakdown or {}
    errors = errors or {}
    row_warnings = row_warnings or {}
    flagged_set = set(flagged)
    compared = previous is not None
    prev = previous or {}
    sex_labels = dict(Sex.choices)
    provider_labels = dict(Provider.choices)

    labels = cells.labels()

    def make_cell(key: str, col: str) -> Cell:
        value = values.get(key)
        return Cell(
            key=key,
            col=col,
            label=labels[key],
            value=value,
            raw=raw[key] if key in raw else ("" if value is None else str(value)),
            errors=list(errors.get(key, [])),
            previous=prev.get(key),
            compared=compared,
            flagged=key in flagged_set,
            breakdown=list(per_unit.get(key, [])),
        )

    def total(some: Iterable[Cell], **where: str) -> Total:
        some = list(some)
        return Total(
            value=sum(c.value or 0 for c in some),
            previous=sum(c.previous or 0 for c in some) if compared else None,
            **where,
        )

    columns = [(f"{s}:{p}", str(sex_labels[s]), str(provider_labels[p])) for s, p in SERIES_COLUMNS]
    area_labels = dict(Area.choices)
    blocks: list[AreaBlock] = []
    for area in Area.values:
        rows: list[Row] = []
        for treatment in (t for t in cells.treatments if t.area == area):
            row_cells = [
                make_cell(series_key(treatment.code, sex, provider), f"{sex}:{provider}")
                for sex, provider in SERIES_COLUMNS
            ]
            rows.append(
                Row(
                    code=treatment.code,
                    name=treatment.display_name,
                    area=area,
                    cells=row_cells,
                    total=total(row_cells, row=treatment.code),
                    warnings=list(row_warnings.get(treatment.code, [])),
                )
            )
        if not rows:
            continue
        area_cells = [cell for row in rows for cell in row.cells]
        blocks.append(
            AreaBlock(
                area=area,
                label=str(area_labels[area]),
                rows=rows,
                totals=[
                    total((c for c in area_cells if c.col == col), area=area, col=col)
                    for col, _s, _p in columns
                ],
                total=total(area_cells, area=area),
            )
        )
    all_cells = [cell for block in blocks for row in block.rows for cell in row.cells]
    kind_labels = dict(ExtraKind.choices)
    extras: list[ExtraRow] = []
    for kind in cells.extra_kinds:
        kind_cells = [make_cell(extra_key(kind, sex), sex) for sex in SEXES]
        extras.append(
            ExtraRow(
                kind=kind,
                name=str(kind_labels[kind]),
                cells=kind_cells,
                total=total(kind_cells, row=kind),
            )
        )
    return Grid(
        areas=blocks,
        totals=[total((c for c in all_cells if c.col == col), col=col) for col, _s, _p in columns],
        total=total(all_cells),
        extras=extras,
        columns=columns,
    )
