"""Loading report files (canonical format, reporting/fileformat.py) into reports.

All or nothing: the rows may cover any regions and periods; if anything is wrong
with any of them, nothing is saved and every problem is listed, each naming its
line and column. The figures of the file are laid over the report's current draft
(cells the file does not mention keep their value), and the result goes through
the same validation as a submission: errors refuse the file, warnings are shown.

A dry run does everything except saving, so its `changes` are the upload preview.

With `accept` (an administrator or FK user loading earlier years) each report gets
a new version recorded as submitted and accepted at once, superseding the version
in force; period-open and late-filing rules do not apply, warnings need no
explanation (the version's events and warning rows say so) and no e-mail is sent.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rehab.models import Region, ReportingPeriod, User
from rehab.permissions import Action, can
from rehab.selectors import period_code, period_missing_message, yearly_by_year

from . import fileformat
from .enums import VersionStatus
from .figures import CellChange, ExtraCell, Figures, SeriesCell, diff_figures, extra_key, series_key
from .models import Report, ReportVersion, ValidationSettings
from .selectors import figures_of_many
from .services import (
    ImportItem,
    NotAllowed,
    StaleDraft,
    report_import_drafts,
    report_record_historical_many,
)
from .validation import Issue, preload, validate_figures

RowError = fileformat.RowError

ITEM_COLUMN_CODES = {"treatment_not_in_agreement", "video_not_in_agreement"}


@dataclass(frozen=True)
class ReportChange:
    """What loading the file does to one region's report for one period."""

    region: str
    region_name: str
    period: str  # "2020Q4"
    action: str  # "new" (no draft yet), "update" (the current draft), "accept"
    version_number: int  # the version that gets the figures
    changes: list[CellChange]
    warnings: list[Issue]
    report_id: int | None = None
    version_id: int | None = None  # set once saved


@dataclass
class ImportResult:
    reports: list[ReportChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    accept: bool = False
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> list[ReportChange]:
        """Per report, the cells that change (the upload preview)."""
        return self.reports

    @property
    def changed_cells(self) -> int:
        return sum(len(report.changes) for report in self.reports)


@dataclass
class _Group:
    region: str
    year: int
    quarter: int | None
    rows: list[fileformat.Row] = field(default_factory=list)

    @property
    def first_line(self) -> int:
        return self.rows[0].line

    @property
    def label(self) -> str:
        return period_code(self.year, self.quarter)

    def figures_over(self, base: Figures | None) -> Figures:
        series: dict[SeriesCell, int] = dict(base.series) if base else {}
        extras: dict[ExtraCell, int] = dict(base.extras) if base else {}
        for row in self.rows:
            if row.item in fileformat.NON_TREATMENT_ITEMS:
                extras[(row.item, row.sex)] = row.value
            else:
                series[(row.item, row.sex, row.provider)] = row.value
        return Figures(series=series, extras=extras, comment=base.comment if base else "")

    def line_of(self) -> dict[str, int]:
        out = {}
        for row in self.rows:
            if row.item in fileformat.NON_TREATMENT_ITEMS:
                out[extra_key(row.item, row.sex)] = row.line
            else:
                out[series_key(row.item, row.sex, row.provider)] = row.line
        return out


_Plan = tuple[_Group, Region, ReportingPeriod, Report | None, ReportVersion | None]


def _located(group: _Group, issue: Issue) -> RowError:
    """An issue of a report as an error of the file, at the line and column it concerns."""
    if issue.key in ("region", "period"):
        line, column = group.first_line, issue.key
    else:
        line = group.line_of().get(issue.key, 0)
        column = "item" if issue.code in ITEM_COLUMN_CODES else "value"
        if not line:
            # The cell comes from the draft; the file's figures clash with it.
            line, column = group.first_line, ""
    if column:
        return fileformat.cell_error(line, column, issue.message, issue.code)
    return fileformat.line_error(line, issue.message, issue.code)


def _group_error(group: _Group, column: str, message: str) -> RowError:
    line = group.first_line
    if column:
        return fileformat.cell_error(line, column, message)
    return fileformat.line_error(line, message)


def report_import(
    *,
    rows: Sequence[fileformat.Row],
    acting_user: User,
    dry_run: bool = False,
    accept: bool = False,
    today: datetime.date | None = None,
    expect_drafts: Mapping[tuple[str, int, int | None], Sequence[int]] | None = None,
) -> ImportResult:
    """Load parsed report rows, all or nothing.
    Effects (unless dry_run or any error): per region × period, the draft created or
    updated (lock_version + 1) with an IMPORTED event; with `accept`, a new version
    recorded SUBMITTED and ACCEPTED (events IMPORTED, SUBMITTED, ACCEPTED), the
    previous one in force SUPERSEDED. `accept` needs Action.IMPORT_ACCEPTED (else
    NotAllowed). Returns the changes per report and the errors (line and column).
    `expect_drafts` {(region, year, quarter): [draft number, lock_version] or [] for
    no draft}: what a preview was computed against; checked with the rows locked,
    StaleDraft (nothing saved) if a report's draft is no longer that one."""
    if accept and not can(acting_user, Action.IMPORT_ACCEPTED):
        raise NotAllowed(_("Du får inte läsa in godkända rapporter."))
    today = today or timezone.localdate()
    result = ImportResult(dry_run=dry_run, accept=accept)
    groups: dict[tuple[str, int, int | None], _Group] = {}
    for row in sorted(rows, key=lambda r: r.line):
        key = (row.region, row.year, row.quarter)
        groups.setdefault(key, _Group(*key)).rows.append(row)
    if not groups:
        result.errors.append(RowError(0, "", _("Filen innehåller inga rader.")))
        return result
    regions = Region.objects.in_bulk({g.region for g in groups.values()})
    periods = {
        (p.agreement.year, p.quarter): p
        for p in ReportingPeriod.objects.select_related("agreement").filter(
            agreement__year__in={g.year for g in groups.values()}
        )
    }
    with transaction.atomic():
        plans: list[
            tuple[_Group, Region, ReportingPeriod, Report | None, ReportVersion | None]
        ] = []
        yearly = yearly_by_year({g.year for g in groups.values()})
        reports, latest_of = _locked_reports(
            {(g.region, p.pk) for g in groups.values() if (p := periods.get((g.year, g.quarter)))}
        )
        for group in sorted(groups.values(), key=lambda g: (g.year, g.quarter or 0, g.region)):
            region = regions.get(group.region)
            period = periods.get((group.year, group.quarter))
            if region is None:
                result.errors.append(
                    _group_error(
                        group,
                        "region",
                        _("det finns ingen region med länskod %(code)s.") % {"code": group.region},
                    )
                )
            if period is None:
                result.errors.append(
                    _group_error(
                        group,
                        "period",
                        period_missing_message(
                            year=group.year, quarter=group.quarter, yearly=yearly.get(group.year)
                        ),
                    )
                )
            if region is None or period is None:
                continue
            if not accept and not can(acting_user, Action.EDIT_REPORTS, region):
                result.errors.append(
                    _group_error(
                        group,
                        "region",
                        _("du får inte rapportera för %(region)s.") % {"region": region.name},
                    )
                )
                continue
            report = reports.get((region.code, period.pk))
            latest = latest_of.get(report.pk) if report else None
            key = (group.region, group.year, group.quarter)
            if expect_drafts is not None and key in expect_drafts:
                now_state = (
                    [latest.number, latest.lock_version]
                    if latest is not None and latest.status == VersionStatus.DRAFT
                    else []
                )
                if list(expect_drafts[key]) != now_state:
                    raise StaleDraft(
                        _(
                            "Utkastet för %(region)s %(period)s har ändrats sedan filen "
                            "förhandsgranskades. Inget sparades."
                        )
                        % {"region": region.name, "period": group.label}
                    )
            problem = _state_problem(latest, accept)
            if problem:
                result.errors.append(
                    _group_error(
                        group,
                        "",
                        _("rapporten för %(region)s %(period)s %(problem)s")
                        % {"region": region.name, "period": group.label, "problem": problem},
                    )
                )
                continue
            plans.append((group, region, period, report, latest))

        to_save: list[tuple[int, Figures, list[Issue]]] = []
        base_versions = _base_versions(plans, accept)
        base_figures = figures_of_many(v for v in base_versions.values() if v is not None)
        # What every report's checks read (settings, treatments, the regions' accepted
        # history), read once: the queries do not grow with the number of reports.
        preloaded = preload(
            {r.code for _g, r, _p, _rep, _l in plans}, [p for *_x, p, _rep, _l in plans]
        )
        for group, region, period, report, latest in plans:
            base_version = base_versions[(region.code, period.pk)]
            base = base_figures[base_version.pk] if base_version is not None else None
            figures = group.figures_over(base)
            checked = validate_figures(
                region=region,
                period=period,
                figures=figures,
                user=None if accept else acting_user,
                today=today,
                historical=accept,
                preloaded=preloaded,
            )
            result.errors.extend(_located(group, issue) for issue in checked.errors)
            if accept:
                action, number = "accept", (latest.number + 1 if latest else 1)
            elif latest is None:
                action, number = "new", 1
            else:
                action, number = "update", latest.number
            to_save.append((len(result.reports), figures, checked.warnings))
            result.reports.append(
                ReportChange(
                    region=region.code,
                    region_name=region.name,
                    period=group.label,
                    action=action,
                    version_number=number,
                    changes=diff_figures(base, figures),
                    warnings=checked.warnings,
                    report_id=report.pk if report else None,
                )
            )
        result.errors.sort(key=lambda e: (e.line, e.column))
        if result.errors or dry_run:
            return result
        items = [
            ImportItem(
                region=region.code,
                period=period,
                figures=figures,
                warnings=warnings,
                note=_("Inläst från fil: %(count)s uppgifter ändrade.")
                % {"count": len(result.reports[index].changes)},
                # A report created or changed by someone else since it was read
                # above (it did not exist, so was not locked) refuses the file.
                expected=[latest.number, latest.lock_version] if latest is not None else [],
            )
            for (index, figures, warnings), (_group, region, period, _report, latest) in zip(
                to_save, plans, strict=True
            )
        ]
        # Through the public services, all reports at once (bulk writes).
        if accept:
            versions = report_record_historical_many(items=items, acting_user=acting_user)
        else:
            versions = report_import_drafts(items=items, acting_user=acting_user)
        for (index, _figures, _warnings), version in zip(to_save, versions, strict=True):
            result.reports[index] = _with_version(result.reports[index], version)
    result.saved = not dry_run
    return result


def _locked_reports(
    pairs: set[tuple[str, int]],
) -> tuple[dict[tuple[str, int], Report], dict[int, ReportVersion]]:
    """The existing reports of (region, period id) `pairs` and each one's latest
    version, locked, in two queries."""
    regions = {region for region, _period in pairs}
    periods = {period for _region, period in pairs}
    reports = {
        (r.region_id, r.period_id): r
        for r in Report.objects.select_for_update().filter(
            region_id__in=regions, period_id__in=periods
        )
        if (r.region_id, r.period_id) in pairs
    }
    latest: dict[int, ReportVersion] = {}
    for version in ReportVersion.objects.select_for_update().filter(
        report_id__in=[r.pk for r in reports.values()]
    ):
        current = latest.get(version.report_id)
        if current is None or version.number > current.number:
            latest[version.report_id] = version
    return reports, latest


def _base_versions(plans: list[_Plan], accept: bool) -> dict[tuple[str, int], ReportVersion | None]:
    """The version each report's file figures are laid over: the one in force (accept)
    or the latest (the draft); one query."""
    in_force = {
        version.pk: version
        for version in ReportVersion.objects.filter(
            pk__in=[
                report.accepted_version_id
                for _g, _r, _p, report, _l in plans
                if accept and report is not None and report.accepted_version_id
            ]
        )
    }
    out: dict[tuple[str, int], ReportVersion | None] = {}
    for _group, region, period, report, latest in plans:
        if accept:
            out[(region.code, period.pk)] = (
                in_force.get(report.accepted_version_id)
                if report is not None and report.accepted_version_id
                else None
            )
        else:
            out[(region.code, period.pk)] = latest
    return out


def _with_version(change: ReportChange, version: ReportVersion) -> ReportChange:
    return ReportChange(
        **{
            **change.__dict__,
            "report_id": version.report_id,
            "version_id": version.pk,
            "version_number": version.number,
        }
    )


def _state_problem(latest: ReportVersion | None, accept: bool) -> str:
    """Why the report cannot take the file now ("" if it can)."""
    if latest is None:
        return ""
    if accept:
        if latest.status in (VersionStatus.DRAFT, VersionStatus.SUBMITTED):
            return _("har en version under arbete; den måste skickas in och granskas först.")
        return ""
    if latest.status == VersionStatus.SUBMITTED:
        return _("är inskickad och granskas av Försäkringskassan; den kan inte ändras nu.")
    if latest.status != VersionStatus.DRAFT:
        return _("är godkänd. Påbörja en rättelse innan du läser in nya siffror.")
    return ""


def report_import_file(
    *,
    name: str,
    data: bytes,
    acting_user: User,
    dry_run: bool = False,
    accept: bool = False,
    today: datetime.date | None = None,
    expect_drafts: Mapping[tuple[str, int, int | None], Sequence[int]] | None = None,
    max_rows: int | None = None,
    max_bytes: int | None = None,
) -> ImportResult:
    """Parse an uploaded file (within the size and row limits of ValidationSettings,
    or `max_rows`/`max_bytes` when given: import_reports reads a file on the server)
    and load it with :func:`report_import`; a file that cannot be read saves nothing
    and its problems come back as the result's errors."""
    limits = ValidationSettings.current()
    try:
        rows = fileformat.parse_file(
            name,
            data,
            max_rows=limits.max_upload_rows if max_rows is None else max_rows,
            max_bytes=limits.max_upload_bytes if max_bytes is None else max_bytes,
        )
    except fileformat.FileFormatError as error:
        return ImportResult(errors=error.errors, dry_run=dry_run, accept=accept)
    return report_import(
        rows=rows, acting_user=acting_user, dry_run=dry_run, accept=accept, today=today
    )
