"""A care unit's figures for a period, when its region collects them per unit.

Services (change state): `unit_figures_save` (a unit reporter or the region's
coordinator enters a unit's figures, optionally marking them ready),
`unit_figures_mark_ready`, and `unit_figures_upload` (the figures from a report
file, for the browser's upload and the API's). Each recomputes the region's report
draft as the sum of its units' figures, through `region_draft_recompute`. Reads:
`unit_figures_get`, `unit_states`, `unit_breakdown`, `unit_figures_of`.

The unit figures belong to the region's open draft version. Once that version is
submitted they are frozen with it (database triggers, see models_units); a return
or a correction copies them into the new draft, where they can change again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rehab.models import CareUnit, ReportingPeriod, User
from rehab.permissions import Action, can_unit
from rehab.selectors import collects_per_unit

from .enums import UnitFiguresStatus, UnitState, VersionStatus
from .figures import Figures, series_key
from .models import (
    Report,
    ReportEvent,
    ReportVersion,
    UnitExtraCount,
    UnitFigures,
    UnitSeriesCount,
    ValidationSettings,
)
from .services import (
    InvalidTransition,
    NotAllowed,
    ReportError,
    StaleDraft,
    ValidationFailed,
    _event,
    _new_version,
    _write_figures,
)
from .validation import (
    ERROR,
    Issue,
    Preloaded,
    ValidationResult,
    catalogue_issues,
    history_warnings,
    preloaded_with,
    value_issues,
)

# --------------------------------------------------------------------------- reads


def unit_figures_of(unit_figures: UnitFigures | None) -> Figures:
    """A unit's figures (uses prefetched "series"/"extras" if done); empty for None."""
    if unit_figures is None:
        return Figures()
    return Figures(
        series={(s.treatment_id, s.sex, s.provider): s.value for s in unit_figures.series.all()},
        extras={(e.kind, e.sex): e.value for e in unit_figures.extras.all()},
        comment=unit_figures.comment,
    )


def latest_version(region: str, period: ReportingPeriod) -> ReportVersion | None:
    """The newest version of the region's report for the period (None: no report yet)."""
    return (
        ReportVersion.objects.filter(report__region_id=region, report__period=period)
        .order_by("-number")
        .first()
    )


def unit_figures_get(unit: CareUnit, period: ReportingPeriod) -> UnitFigures | None:
    """The unit's figures in the newest version of its region's report."""
    version = latest_version(unit.region_id, period)
    if version is None:
        return None
    return (
        UnitFigures.objects.filter(version=version, unit=unit)
        .select_related("updated_by", "version")
        .prefetch_related("series", "extras")
        .first()
    )


@dataclass
class UnitRow:
    """A unit of the region for the period: its state and figures."""

    unit: CareUnit
    state: str
    figures: Figures
    unit_figures: UnitFigures | None
    # Whether the unit was active at some day of the period (an inactive unit is
    # INACTIVE, not "not started"; one with figures saved before its dates changed
    # keeps its DRAFT/READY and is shown as not active).
    active: bool = True

    @property
    def state_label(self) -> str:
        return str(UnitState(self.state).label)

    @property
    def series_total(self) -> int:
        return sum(self.figures.series.values())

    @property
    def contacts_total(self) -> int:
        return sum(v for (kind, _s), v in self.figures.extras.items() if kind != "VIDEO")


def unit_states(region: str, period: ReportingPeriod) -> list[UnitRow]:
    """Every unit of the region, with not started / draft / ready and its figures for
    the period; a unit not active during the period (its active from/to dates) and
    without figures is INACTIVE, so it does not count as not started. A fixed number
    of queries, whatever the number of units."""
    version = latest_version(region, period)
    rows_by_unit: dict[int, UnitFigures] = {}
    if version is not None:
        rows_by_unit = {
            uf.unit_id: uf
            for uf in UnitFigures.objects.filter(version=version)
            .select_related("updated_by")
            .prefetch_related("series", "extras")
        }
    units = list(CareUnit.objects.filter(region_id=region))
    known = {u.pk for u in units}
    missing = [pk for pk in rows_by_unit if pk not in known]
    if missing:
        units += list(CareUnit.objects.filter(pk__in=missing))
    out = []
    for unit in sorted(units, key=lambda u: u.name.lower()):
        uf = rows_by_unit.get(unit.pk)
        active = unit.is_active_during(period.start_date, period.end_date)
        if uf is not None:
            state = UnitState(uf.status)
        else:
            state = UnitState.NOT_STARTED if active else UnitState.INACTIVE
        out.append(
            UnitRow(
                unit=unit,
                state=state,
                figures=unit_figures_of(uf),
                unit_figures=uf,
                active=active,
            )
        )
    return out


def _day(value: Any) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def inactive_message(unit: CareUnit, period: ReportingPeriod) -> str | None:
    """Why the unit cannot have figures for the period (its active from/to dates do
    not reach into it), in the active language; None when it was active some day of
    the period."""
    if unit.is_active_during(period.start_date, period.end_date):
        return None
    if unit.active_from and unit.active_to:
        dates = _("aktiv %(start)s–%(end)s") % {
            "start": _day(unit.active_from),
            "end": _day(unit.active_to),
        }
    elif unit.active_from:
        dates = _("aktiv från %(start)s") % {"start": _day(unit.active_from)}
    else:
        dates = _("aktiv till %(end)s") % {"end": _day(unit.active_to)}
    return _(
        "%(unit)s är inte aktiv under %(period)s (%(dates)s): enheten kan inte ha "
        "siffror för perioden. Inget sparades."
    ) % {"unit": unit.name, "period": period.label, "dates": dates}


def unit_key(unit_id: int) -> str:
    """Whose history a unit's is, in :class:`validation.Preloaded` (keyed like a
    region's, but never a region code)."""
    return f"unit:{unit_id}"


def unit_history(region: str, period: ReportingPeriod) -> Preloaded:
    """What the report checks compare with, for each unit of the region: the unit's
    own figures in the region's accepted reports up to the period's year (newest
    first, keyed by :func:`unit_key`; a period where the unit had no figures is not
    part of its history), with the settings, the agreements' treatments and the
    treatments' order and names. Five queries, whatever the number of units."""
    year = period.agreement.year
    totals: dict[tuple[int, int, int | None], dict[str, int]] = defaultdict(dict)
    for unit_id, y, q, treatment, total in (
        UnitSeriesCount.objects.filter(
            unit_figures__version__report__region_id=region,
            unit_figures__version__report__accepted_version=F("unit_figures__version"),
            unit_figures__version__report__period__agreement__year__lte=year,
        )
        .values(
            "unit_figures__unit",
            "unit_figures__version__report__period__agreement__year",
            "unit_figures__version__report__period__quarter",
            "treatment",
        )
        .annotate(total=Sum("value"))
        .values_list(
            "unit_figures__unit",
            "unit_figures__version__report__period__agreement__year",
            "unit_figures__version__report__period__quarter",
            "treatment",
            "total",
        )
    ):
        totals[(unit_id, y, q)][treatment] = total
    accepted: dict[str, list[tuple[int, int | None, int, dict[str, int]]]] = defaultdict(list)
    for unit_id, y, q, agreement_id in (
        UnitFigures.objects.filter(
            version__report__region_id=region,
            version__report__accepted_version=F("version"),
            version__report__period__agreement__year__lte=year,
        )
        .order_by("-version__report__period__agreement__year", "-version__report__period__quarter")
        .values_list(
            "unit_id",
            "version__report__period__agreement__year",
            "version__report__period__quarter",
            "version__report__period__agreement_id",
        )
    ):
        accepted[unit_key(unit_id)].append((y, q, agreement_id, totals.get((unit_id, y, q), {})))
    return preloaded_with(accepted)


def unit_warnings(
    region: str, period: ReportingPeriod, rows: list[UnitRow]
) -> dict[int, list[Issue]]:
    """{unit id: warnings} for the units with figures for the period: the region
    report's warning rules (validation.history_warnings: a move of more than the
    settings' percentage from the same period a year earlier or from the average of
    the recent accepted periods, a drop to zero), each unit against its own history
    (:func:`unit_history`). Messages in the active language. A fixed number of
    queries, whatever the number of units."""
    preloaded = unit_history(region, period)
    out: dict[int, list[Issue]] = {}
    for row in rows:
        if row.unit_figures is None:
            continue
        issues = history_warnings(unit_key(row.unit.pk), period, row.figures, preloaded)
        if issues:
            out[row.unit.pk] = issues
    return out


def unit_breakdown(version: ReportVersion) -> dict[str, list[tuple[str, int]]]:
    """{cell key: [(unit name, value), …]} of a version's unit figures, by unit name
    (two queries, whatever the number of units)."""
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    series = (
        UnitSeriesCount.objects.filter(unit_figures__version=version)
        .values_list("treatment_id", "sex", "provider", "value", "unit_figures__unit__name")
        .order_by("unit_figures__unit__name")
    )
    for treatment, sex, provider, value, name in series:
        out[series_key(treatment, sex, provider)].append((name, value))
    extras = (
        UnitExtraCount.objects.filter(unit_figures__version=version)
        .values_list("kind", "sex", "value", "unit_figures__unit__name")
        .order_by("unit_figures__unit__name")
    )
    for kind, sex, value, name in extras:
        out[f"{kind}:{sex}"].append((name, value))
    return dict(out)


def sum_figures(parts: Iterable[Figures], *, comment: str = "") -> Figures:
    """The cell-by-cell sum (a cell is present when some part has it)."""
    series: dict[tuple[str, str, str], int] = defaultdict(int)
    extras: dict[tuple[str, str], int] = defaultdict(int)
    for part in parts:
        for cell, value in part.series.items():
            series[cell] += value
        for xcell, value in part.extras.items():
            extras[xcell] += value
    return Figures(series=series, extras=extras, comment=comment)


# --------------------------------------------------------------------------- services


def _write_unit_cells(uf: UnitFigures, figures: Figures) -> None:
    UnitSeriesCount.objects.filter(unit_figures=uf).delete()
    UnitExtraCount.objects.filter(unit_figures=uf).delete()
    UnitSeriesCount.objects.bulk_create(
        UnitSeriesCount(unit_figures=uf, treatment_id=t, sex=s, provider=p, value=v)
        for (t, s, p), v in sorted(figures.series.items())
    )
    UnitExtraCount.objects.bulk_create(
        UnitExtraCount(unit_figures=uf, kind=k, sex=s, value=v)
        for (k, s), v in sorted(figures.extras.items())
    )


def copy_unit_figures(*, source: ReportVersion, target: ReportVersion) -> None:
    """Copy the unit figures of `source` into the new draft `target` (a return or a
    correction opens the units' figures again with the region's draft)."""
    for uf in UnitFigures.objects.filter(version=source).prefetch_related("series", "extras"):
        copy = UnitFigures.objects.create(
            version=target,
            unit_id=uf.unit_id,
            status=uf.status,
            comment=uf.comment,
            lock_version=uf.lock_version,
            updated_by_id=uf.updated_by_id,
        )
        _write_unit_cells(copy, unit_figures_of(uf))


def region_draft_recompute(*, version: ReportVersion, acting_user: User, note: str = "") -> None:
    """Set the region's draft to the sum of its units' figures (the version must be
    a locked DRAFT). Effects: the version's cells replaced, lock_version + 1 (a
    coordinator with the old grid open must reload before submitting), SAVED event."""
    parts = [
        unit_figures_of(uf)
        for uf in UnitFigures.objects.filter(version=version).prefetch_related("series", "extras")
    ]
    total = sum_figures(parts, comment=version.comment)
    _write_figures(version, total)
    version.lock_version += 1
    version.updated_by = acting_user
    version.save(update_fields=["lock_version", "updated_by", "updated_at"])
    _event(version, ReportEvent.Action.SAVED, acting_user, note)


def _open_region_draft(unit: CareUnit, period: ReportingPeriod, acting_user: User) -> ReportVersion:
    """The region's draft for the period, locked; created (version 1) if the region
    has no report yet. Refused (frozen) when the region's report is submitted or
    accepted: the unit figures are part of that version."""
    report, _created = Report.objects.get_or_create(region_id=unit.region_id, period=period)
    report = Report.objects.select_for_update().get(pk=report.pk)
    latest = report.versions.order_by("-number").first()
    if latest is None:
        version = _new_version(report, figures=Figures(), acting_user=acting_user)
        _event(version, ReportEvent.Action.CREATED, acting_user)
        return version
    if latest.status != VersionStatus.DRAFT:
        raise InvalidTransition(
            _(
                "Regionens rapport för %(period)s är inskickad eller godkänd; enheternas "
                "siffror är låsta. Samordnaren kan påbörja en rättelse."
            )
            % {"period": period.label},
            code="frozen",
        )
    return ReportVersion.objects.select_for_update().get(pk=latest.pk)


def _check_open(unit: CareUnit, period: ReportingPeriod, acting_user: User) -> None:
    if not can_unit(acting_user, Action.EDIT_UNIT_FIGURES, unit):
        raise NotAllowed(_("Du har inte behörighet att göra detta."))
    if not collects_per_unit(unit.region_id, period.agreement_id):
        raise ReportError(
            _("Regionen samlar inte in siffror per enhet för %(year)s.")
            % {"year": period.agreement.year},
            code="not_per_unit",
        )
    inactive = inactive_message(unit, period)
    if inactive is not None:
        raise ReportError(inactive, code="unit_inactive")
    if not period.is_open():
        raise ReportError(
            _("Perioden %(period)s är inte öppen för rapportering.") % {"period": period.label},
            code="period_closed",
        )


def _provider_issues(unit: CareUnit, figures: Figures) -> list[Issue]:
    issues = []
    for treatment, sex, provider in figures.series:
        if provider != unit.provider:
            key = series_key(treatment, sex, provider)
            issues.append(
                Issue(
                    "provider_not_units",
                    key,
                    _("%(unit)s är %(kind)s vårdgivare; rutan %(key)s hör till en annan.")
                    % {"unit": unit.name, "kind": unit.get_provider_display().lower(), "key": key},
                    ERROR,
                    key,
                )
            )
    return issues


@transaction.atomic
def unit_figures_save(
    *,
    unit: CareUnit,
    period: ReportingPeriod,
    figures: Figures,
    lock_version: int,
    acting_user: User,
    ready: bool = False,
) -> UnitFigures:
    """A unit's figures for the period (replacing the ones saved before), as a draft
    or, with `ready`, marked ready for the coordinator.
    Effects: the region's report (and its draft, version 1) created if missing; the
    unit's UnitFigures row and cells in the region's draft; its lock_version + 1;
    the region's draft recomputed as the sum of its units (region_draft_recompute).
    Refused (nothing saved): NotAllowed (not the unit's reporter nor the region's
    coordinator); ReportError "not_per_unit" / "unit_inactive" (the period is outside
    the unit's active from/to dates) / "period_closed"; InvalidTransition
    "frozen" when the region's report is submitted or accepted; StaleDraft when
    `lock_version` is not the unit figures' current one (0 for none yet);
    ValidationFailed for a value that is not a whole number ≥ 0, a treatment not in
    the agreement or a provider column other than the unit's."""
    _check_open(unit, period, acting_user)
    version = _open_region_draft(unit, period, acting_user)
    uf, _created = UnitFigures.objects.get_or_create(version=version, unit=unit)
    uf = (
        UnitFigures.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=uf.pk)
    )
    if uf.lock_version != lock_version:
        who = uf.updated_by.get_full_name() or uf.updated_by.username if uf.updated_by else ""
        raise StaleDraft(
            _(
                "Enhetens siffror har sparats av %(who)s efter att du öppnade dem. Dina "
                "ändringar sparades inte. Ladda om sidan för att se de senaste siffrorna."
            )
            % {"who": who or _("någon annan")}
        )
    issues = value_issues(figures) or catalogue_issues(period, figures)
    issues += _provider_issues(unit, figures)
    if issues:
        raise ValidationFailed(
            _("Siffrorna sparades inte: rätta de markerade uppgifterna."),
            result=ValidationResult(errors=issues),
        )
    _write_unit_cells(uf, figures)
    uf.comment = figures.comment
    uf.status = UnitFiguresStatus.READY if ready else UnitFiguresStatus.DRAFT
    uf.lock_version += 1
    uf.updated_by = acting_user
    uf.save()
    region_draft_recompute(
        version=version,
        acting_user=acting_user,
        note=_("Siffror för %(unit)s sparade.") % {"unit": unit.name},
    )
    return uf


@transaction.atomic
def unit_figures_mark_ready(
    *, unit: CareUnit, period: ReportingPeriod, lock_version: int, acting_user: User
) -> UnitFigures:
    """Mark the unit's saved figures ready (or the unit reporter's "klar").
    Effects: status READY, lock_version + 1. Refused like unit_figures_save, and
    with ReportError "not_started" when the unit has saved nothing."""
    _check_open(unit, period, acting_user)
    version = _open_region_draft(unit, period, acting_user)
    uf = UnitFigures.objects.select_for_update().filter(version=version, unit=unit).first()
    if uf is None:
        raise ReportError(_("Enheten har inte sparat några siffror än."), code="not_started")
    return unit_figures_save(
        unit=unit,
        period=period,
        figures=unit_figures_of(uf),
        lock_version=lock_version,
        acting_user=acting_user,
        ready=True,
    )


def unit_figures_from_rows(
    *, unit: CareUnit, period: ReportingPeriod, rows: Iterable[Any]
) -> tuple[Figures, list[str]]:
    """The unit's figures from the rows of an uploaded report file
    (reporting.fileformat), and a Swedish message per line that does not belong to
    this unit's file (another region or period, a line given twice)."""
    problems: list[str] = []
    series: dict[tuple[str, str, str], int] = {}
    extras: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.region != unit.region_id:
            problems.append(
                _("Rad %(line)s: region %(region)s, men enheten hör till %(own)s.")
                % {"line": row.line, "region": row.region, "own": unit.region_id}
            )
            continue
        if (row.year, row.quarter) != (period.agreement.year, period.quarter):
            problems.append(
                _("Rad %(line)s: en annan period än %(period)s.")
                % {"line": row.line, "period": period.label}
            )
            continue
        if row.provider:
            key3 = (row.item, row.sex, row.provider)
            if key3 in series:
                problems.append(_("Rad %(line)s: raden finns två gånger.") % {"line": row.line})
            series[key3] = row.value
        else:
            key2 = (row.item, row.sex)
            if key2 in extras:
                problems.append(_("Rad %(line)s: raden finns två gånger.") % {"line": row.line})
            extras[key2] = row.value
    return Figures(series=series, extras=extras), problems


class FileRefused(ValidationFailed):
    """An uploaded file of a unit's figures that was not read: `result.errors` lists
    every problem (the file's format, a line that is not this unit's, a value the
    save refuses). Nothing was saved."""

    default_code = "file_refused"


def unit_figures_upload(
    *,
    unit: CareUnit,
    period: ReportingPeriod,
    name: str,
    file: IO[bytes],
    lock_version: int,
    acting_user: User,
) -> UnitFigures:
    """The unit's figures from a report file (the region's file format, this unit's
    lines only), replacing its saved figures as a draft: the browser's upload and the
    API's, with the same parser, limits (ValidationSettings) and messages.
    Refused (nothing saved): like unit_figures_save, checked before the file is read
    (NotAllowed, ReportError "not_per_unit" / "unit_inactive" / "period_closed"), and
    FileRefused listing every problem of the file."""
    from .fileformat import read_file

    _check_open(unit, period, acting_user)
    settings = ValidationSettings.current()
    # One pass: the file's own problems and the lines that are not this unit's
    # (another region or period, a line twice) are told together.
    parsed = read_file(
        name,
        file.read(settings.max_upload_bytes + 1),
        max_rows=settings.max_upload_rows,
        max_bytes=settings.max_upload_bytes,
    )
    figures, lines = unit_figures_from_rows(unit=unit, period=period, rows=parsed.rows)
    problems: list[Issue] = [
        Issue("file_format", "file", e.message, ERROR) for e in parsed.errors
    ] + [Issue("file_line", "file", message, ERROR) for message in lines]
    if not problems:
        try:
            return unit_figures_save(
                unit=unit,
                period=period,
                figures=figures,
                lock_version=lock_version,
                acting_user=acting_user,
            )
        except ValidationFailed as error:
            problems = list(error.result.errors)
    raise FileRefused(
        _("Filen lästes inte in: inget sparades."), result=ValidationResult(errors=problems)
    )
