"""A report version's figures as plain values, and the cell keys used everywhere.

Cell keys: ``"<TREATMENT>:<SEX>:<PROVIDER>"`` for treatment series (``"KBT:F:PUBLIC"``)
and ``"<KIND>:<SEX>"`` for contacts and video (``"AF_CONTACT:M"``). Forms, FK's
flagged cells, validation issues, the API and the upload preview all use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .enums import ExtraKind, Provider, Sex

SeriesCell = tuple[str, str, str]  # (treatment code, sex, provider)
ExtraCell = tuple[str, str]  # (ExtraKind value, sex)


def series_key(treatment: str, sex: str, provider: str) -> str:
    return f"{treatment}:{sex}:{provider}"


def extra_key(kind: str, sex: str) -> str:
    return f"{kind}:{sex}"


def parse_key(key: str) -> SeriesCell | ExtraCell:
    """``"KBT:F:PUBLIC"`` -> ("KBT", "F", "PUBLIC"); ``"AF_CONTACT:M"`` -> ("AF_CONTACT", "M").
    Raises ValueError for anything else."""
    parts = tuple(key.split(":"))
    if len(parts) == 3 and parts[1] in Sex.values and parts[2] in Provider.values:
        return parts[0], parts[1], parts[2]
    if len(parts) == 2 and parts[0] in ExtraKind.values and parts[1] in Sex.values:
        return parts[0], parts[1]
    raise ValueError(f"not a cell key: {key!r}")


@dataclass(frozen=True)
class Figures:
    """What a region reports for a period.

    ``series`` maps (treatment, sex, provider) to completed series, ``extras`` maps
    (ExtraKind value, sex) to a count. A cell absent from the mapping is not filled
    in (a draft may be half-filled); at submission an absent cell counts as 0.
    """

    series: Mapping[SeriesCell, int] = field(default_factory=dict)
    extras: Mapping[ExtraCell, int] = field(default_factory=dict)
    comment: str = ""

    def __post_init__(self) -> None:
        # Frozen all the way down: nobody changes a Figures after it is made.
        object.__setattr__(self, "series", MappingProxyType(dict(self.series)))
        object.__setattr__(self, "extras", MappingProxyType(dict(self.extras)))

    def cells(self) -> dict[str, int]:
        """Every filled-in cell by its key."""
        out = {series_key(*cell): value for cell, value in self.series.items()}
        out.update({extra_key(*cell): value for cell, value in self.extras.items()})
        return out

    @classmethod
    def from_cells(cls, cells: Mapping[str, int], *, comment: str = "") -> Figures:
        """The inverse of :meth:`cells`; raises ValueError for a malformed key."""
        series: dict[SeriesCell, int] = {}
        extras: dict[ExtraCell, int] = {}
        for key, value in cells.items():
            parsed = parse_key(key)
            if len(parsed) == 3:
                series[parsed] = value
            else:
                extras[parsed] = value
        return cls(series=series, extras=extras, comment=comment)

    def treatment_totals(self) -> dict[str, int]:
        """Completed series per treatment, over sex and provider (filled-in cells only)."""
        out: dict[str, int] = {}
        for (treatment, _sex, _provider), value in self.series.items():
            out[treatment] = out.get(treatment, 0) + value
        return out

    def series_by_sex(self) -> dict[str, int]:
        out = dict.fromkeys(Sex.values, 0)
        for (_treatment, sex, _provider), value in self.series.items():
            out[sex] = out.get(sex, 0) + value
        return out

    @property
    def total_series(self) -> int:
        return sum(self.series.values())


@dataclass(frozen=True)
class CellChange:
    """One cell that differs between two versions (None = not filled in)."""

    key: str
    old: int | None
    new: int | None

    @property
    def delta(self) -> int:
        return (self.new or 0) - (self.old or 0)


def diff_figures(old: Figures | None, new: Figures) -> list[CellChange]:
    """The cells whose value differs between ``old`` and ``new``, in key order
    (series first, then extras). ``old`` None compares against an empty report."""
    old_cells = old.cells() if old is not None else {}
    new_cells = new.cells()
    keys = sorted(set(old_cells) | set(new_cells), key=lambda k: (k.count(":") != 2, k))
    return [
        CellChange(key, old_cells.get(key), new_cells.get(key))
        for key in keys
        if old_cells.get(key) != new_cells.get(key)
    ]
