"""The cells of an agreement, defined once: which treatments (in the grid's order,
with their areas), which sexes and providers, which contact items and whether
video is asked for, and every cell key these make.

The report grid, the upload template, validation (treatments outside the
agreement, blank cells, the grid's order of warnings) and the file parser (which
items, sexes and providers a line may name) all read this module, so they
cannot disagree about what a report contains.

Build it with :func:`agreement_cells` (one query) and pass it on; it is frozen.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from .enums import CONTACT_KINDS, ExtraKind, Provider, Sex
from .figures import extra_key, series_key

if TYPE_CHECKING:  # the constants are read by the file parser, which needs no models
    from rehab.models import Agreement, Treatment

SEXES: tuple[str, ...] = (Sex.FEMALE.value, Sex.MALE.value)
PROVIDERS: tuple[str, ...] = (Provider.PUBLIC.value, Provider.PRIVATE.value)
# The grid's columns of a treatment row: woman/man × public/private.
SERIES_COLUMNS: tuple[tuple[str, str], ...] = tuple((s, p) for s in SEXES for p in PROVIDERS)
# Asked of every agreement; VIDEO only where the agreement asks for it.
CONTACT_ITEMS: tuple[str, ...] = tuple(kind.value for kind in CONTACT_KINDS)
VIDEO_ITEM: str = ExtraKind.VIDEO.value
# Items counted by sex only (no provider): what a file line may name besides a treatment.
EXTRA_ITEMS: tuple[str, ...] = (*CONTACT_ITEMS, VIDEO_ITEM)


@dataclass(frozen=True)
class AgreementCells:
    """What a report under one agreement contains."""

    year: int
    treatments: tuple[Treatment, ...]  # in the grid's order: area, catalogue order, code
    asks_video: bool

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """The agreement's treatment codes in the grid's order."""
        return tuple(t.code for t in self.treatments)

    @cached_property
    def included(self) -> frozenset[str]:
        return frozenset(self.codes)

    @cached_property
    def extra_kinds(self) -> tuple[str, ...]:
        """Contacts, and video where the agreement asks for it."""
        return (*CONTACT_ITEMS, VIDEO_ITEM) if self.asks_video else CONTACT_ITEMS

    def series(self) -> Iterator[tuple[str, str, str]]:
        """(treatment, sex, provider) of every series cell, in the grid's order."""
        for code in self.codes:
            for sex, provider in SERIES_COLUMNS:
                yield code, sex, provider

    def extras(self) -> Iterator[tuple[str, str]]:
        """(kind, sex) of every contact/video cell, in the grid's order."""
        for kind in self.extra_kinds:
            for sex in SEXES:
                yield kind, sex

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """Every cell key of the report, in the grid's order (series, then extras)."""
        return tuple(
            [series_key(*cell) for cell in self.series()]
            + [extra_key(*cell) for cell in self.extras()]
        )

    def labels(self) -> dict[str, str]:
        """Cell key -> what the grid's input is called ("KBT, kvinnor, offentlig")."""
        sexes = dict(Sex.choices)
        providers = dict(Provider.choices)
        kinds = dict(ExtraKind.choices)
        labels: dict[str, str] = {}
        for treatment in self.treatments:
            for sex, provider in SERIES_COLUMNS:
                labels[series_key(treatment.code, sex, provider)] = (
                    f"{treatment.display_name}, {str(sexes[sex]).lower()}, "
                    f"{str(providers[provider]).lower()}"
                )
        for kind, sex in self.extras():
            labels[extra_key(kind, sex)] = f"{kinds[kind]}, {str(sexes[sex]).lower()}"
        return labels

    def order(self, codes: Iterable[str]) -> list[str]:
        """`codes` in the grid's order; codes the agreement lacks last, by code."""
        wanted = set(codes)
        ordered = [code for code in self.codes if code in wanted]
        return ordered + sorted(wanted - set(ordered))


def agreement_cells(agreement: Agreement) -> AgreementCells:
    """The cells of `agreement` (one query: its treatments)."""
    treatments = tuple(
        rate.treatment
        for rate in agreement.rates.select_related("treatment").order_by(
            "treatment__area", "treatment__sort_order", "treatment__code"
        )
    )
    return AgreementCells(
        year=agreement.year, treatments=treatments, asks_video=agreement.asks_video
    )
