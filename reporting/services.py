"""Everything that changes a report: drafts, submission, FK's review, corrections.

Every service is keyword-only, takes the acting user, checks permissions through
rehab.permissions (raising NotAllowed), runs in one transaction, locks the row it
changes (`select_for_update`) and writes a ReportEvent (who, what, when). E-mails
go out through a Celery task enqueued on commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from rehab.formatting import format_int
from rehab.models import Region, ReportingPeriod, User
from rehab.permissions import Action
from rehab.selectors import collects_per_unit

from .cells import agreement_cells
from .eligibility import eligibility_statement
from .enums import VersionStatus
from .figures import ExtraCell, Figures, SeriesCell
from .models import (
    TEXT_MAX_LENGTH,
    ExtraCount,
    Report,
    ReportEvent,
    ReportVersion,
    SeriesCount,
    WarningExplanation,
)
from .selectors import figures_of
from .validation import (
    Issue,
    ValidationResult,
    blank_cells_warning,
    catalogue_issues,
    validate_figures,
    value_issues,
)
from .workflow import (
    InvalidTransition,
    NotAllowed,
    ReportError,
    StaleDraft,
    build_event,
    check_lock,
    check_transition,
    get_or_create_for_region,
    move,
    move_all,
    notify_on_commit,
    record_event,
    require,
)

__all__ = [
    "Figures",
    "ImportItem",
    "InvalidTransition",
    "NotAllowed",
    "ReportError",
    "StaleDraft",
    "ValidationFailed",
    "report_accept",
    "report_get_or_create",
    "report_import_draft",
    "report_import_drafts",
    "report_open_draft",
    "report_record_historical",
    "report_record_historical_many",
    "report_return",
    "report_save_draft",
    "report_start_correction",
    "report_submit",
]


class ValidationFailed(ReportError):
    default_code = "validation_failed"

    def __init__(
        self,
        message: str,
        *,
        result: ValidationResult,
        code: str | None = None,
        field: str | None = None,
    ):
        super().__init__(message, code=code, field=field)
        self.result = result


# --------------------------------------------------------------------------- helpers


def _locked(version: ReportVersion) -> ReportVersion:
    return (
        ReportVersion.objects.select_for_update()
        .select_related("report__region", "report__period__agreement")
        .get(pk=version.pk)
    )


def _accept(report: Report, version: ReportVersion, acting_user: User, comment: str) -> None:
    """`version` becomes the one in force: the previous one SUPERSEDED, this ACCEPTED."""
    previous_id = report.accepted_version_id
    if previous_id is not None:
        move(
            ReportVersion.objects.select_for_update().get(pk=previous_id), VersionStatus.SUPERSEDED
        )
    move(
        version,
        VersionStatus.ACCEPTED,
        decided_by=acting_user,
        decided_at=timezone.now(),
        review_comment=comment,
    )
    report.accepted_version = version
    report.save(update_fields=["accepted_version"])


def _event(version: ReportVersion, action: str, actor: User, note: str = "") -> ReportEvent:
    event: ReportEvent = record_event(ReportEvent, version, action, actor, note)
    return event


def _write_figures(version: ReportVersion, figures: Figures) -> None:
    """Replace a draft's cells with `figures` (the DB refuses this for a non-draft)."""
    SeriesCount.objects.filter(version=version).delete()
    ExtraCount.objects.filter(version=version).delete()
    SeriesCount.objects.bulk_create(
        SeriesCount(version=version, treatment_id=t, sex=s, provider=p, value=v)
        for (t, s, p), v in sorted(figures.series.items())
    )
    ExtraCount.objects.bulk_create(
        ExtraCount(version=version, kind=k, sex=s, value=v)
        for (k, s), v in sorted(figures.extras.items())
    )


BULK_BATCH = 5000  # rows per INSERT of a bulk write


def _write_new_figures(pairs: Sequence[tuple[ReportVersion, Figures]]) -> None:
    """The cells of new (or emptied) drafts, for any number of versions in one
    INSERT per table: the values travel as arrays (unnest) rather than as model
    instances, which cost more than the database's work at ten years of data. The
    tables' triggers (figures frozen after the draft, history, data version) and
    constraints apply to every row as to any insert."""
    series = [
        (version.pk, t, s, p, v)
        for version, figures in pairs
        for (t, s, p), v in sorted(figures.series.items())
    ]
    extras = [
        (version.pk, k, s, v)
        for version, figures in pairs
        for (k, s), v in sorted(figures.extras.items())
    ]
    with connection.cursor() as cursor:
        for model, fields, types, rows in (
            (
                SeriesCount,
                ("version", "treatment", "sex", "provider", "value"),
                ("bigint", "text", "text", "text", "integer"),
                series,
            ),
            (
                ExtraCount,
                ("version", "kind", "sex", "value"),
                ("bigint", "text", "text", "integer"),
                extras,
            ),
        ):
            if not rows:
                continue
            quote = connection.ops.quote_name
            column_of = {f.name: f.column for f in model._meta.concrete_fields}
            columns = ", ".join(quote(column_of[f]) for f in fields)
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608 - names from the models
                f"SELECT * FROM unnest({arrays})",
                [list(column) for column in zip(*rows, strict=True)],
            )


def _new_event(version: ReportVersion, action: str, actor: User, note: str = "") -> ReportEvent:
    """An unsaved event (see :func:`_event`), for a bulk_create."""
    event: ReportEvent = build_event(ReportEvent, version, action, actor, note)
    return event


def _new_version(
    report: Report,
    *,
    figures: Figures,
    acting_user: User,
    is_correction: bool = False,
    correction_reason: str = "",
    saved: bool = True,
    source: ReportVersion | None = None,
) -> ReportVersion:
    """A new draft with `figures`. `saved=False` when the draft is made for the
    region by someone else's action (FK's return): nobody has saved it yet.
    `source`: the version it is copied from, whose care units' figures (if any)
    are copied with it."""
    last = report.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ReportVersion.objects.create(
        report=report,
        number=last + 1,
        status=VersionStatus.DRAFT,
        comment=figures.comment,
        is_correction=is_correction,
        correction_reason=correction_reason,
        created_by=acting_user,
        updated_by=acting_user if saved else None,
    )
    _write_figures(version, figures)
    if source is not None:
        from .units import copy_unit_figures

        copy_unit_figures(source=source, target=version)
    return version


def _complete(period: ReportingPeriod, figures: Figures) -> Figures:
    """`figures` with every cell the agreement asks for present (absent = 0)."""
    cells = agreement_cells(period.agreement)
    series: dict[SeriesCell, int] = dict.fromkeys(cells.series(), 0)
    series.update(figures.series)
    extras: dict[ExtraCell, int] = dict.fromkeys(cells.extras(), 0)
    extras.update(figures.extras)
    return Figures(series=series, extras=extras, comment=figures.comment)


# --------------------------------------------------------------------------- services


def report_get_or_create(
    *, region: Region | str, period: ReportingPeriod, acting_user: User
) -> Report:
    """The region's report for the period. Creating one needs the right to edit the
    region's reports; reading an existing one the right to view them.
    Effects: may create a Report (no version yet)."""
    code = region.code if isinstance(region, Region) else region
    report: Report = get_or_create_for_region(
        Report, region=code, acting_user=acting_user, period=period
    )
    return report


@transaction.atomic
def report_open_draft(*, report: Report, acting_user: User) -> ReportVersion:
    """The report's current draft, creating version 1 if the report has none.
    Effects: may create ReportVersion 1 (DRAFT) and a CREATED event.
    Raises InvalidTransition(code="no_open_draft") when the latest version is
    submitted or accepted (an accepted report is changed by a correction)."""
    require(acting_user, Action.EDIT_REPORTS, report.region_id)
    report = Report.objects.select_for_update().get(pk=report.pk)
    latest = report.versions.order_by("-number").first()
    if latest is None:
        version = _new_version(report, figures=Figures(), acting_user=acting_user)
        _event(version, ReportEvent.Action.CREATED, acting_user)
        return version
    if latest.status == VersionStatus.DRAFT:
        return latest
    if latest.status == VersionStatus.SUBMITTED:
        message = _("Rapporten är inskickad och granskas av Försäkringskassan.")
    elif latest.status == VersionStatus.ACCEPTED:
        message = _("Rapporten är godkänd. Påbörja en rättelse för att ändra den.")
    else:
        message = _("Rapporten har inget öppet utkast.")
    raise InvalidTransition(message, code="no_open_draft")


@transaction.atomic
def report_save_draft(
    *, version: ReportVersion, figures: Figures, lock_version: int, acting_user: User
) -> ReportVersion:
    """Replace a draft's figures and comment.
    Effects: cells replaced, comment set, lock_version + 1, updated_by/at, SAVED event.
    Refused (nothing saved): StaleDraft if `lock_version` is not the draft's current
    one; ValidationFailed if a value is not a whole number ≥ 0 or a treatment is not
    in the agreement. Cross-field rules are checked at submission, not here."""
    version = _locked(version)
    require(acting_user, Action.EDIT_REPORTS, version.report.region_id)
    if version.status != VersionStatus.DRAFT:
        raise InvalidTransition(_("Bara ett utkast kan ändras."), code="not_draft")
    check_lock(version, lock_version)
    period = version.report.period
    if collects_per_unit(version.report.region_id, period.agreement_id) and (
        figures.cells() != figures_of(version).cells()
    ):
        raise ReportError(
            _(
                "Regionen samlar in siffror per vårdenhet för %(year)s: rapportens siffror är "
                "summan av enheternas och ändras på enheternas sidor."
            )
            % {"year": period.agreement.year},
            code="per_unit",
        )
    issues = value_issues(figures)
    if not issues:
        issues = catalogue_issues(version.report.period, figures)
    if issues:
        raise ValidationFailed(
            _("Utkastet sparades inte: rätta de markerade uppgifterna."),
            result=ValidationResult(errors=issues),
        )
    _write_figures(version, figures)
    version.comment = figures.comment
    version.lock_version += 1
    version.updated_by = acting_user
    version.save(update_fields=["comment", "lock_version", "updated_by", "updated_at"])
    _event(version, ReportEvent.Action.SAVED, acting_user)
    return version


@transaction.atomic
def report_submit(
    *,
    version: ReportVersion,
    lock_version: int,
    explanations: Mapping[str, str],
    eligibility_confirmed: bool,
    acting_user: User,
    today: datetime.date | None = None,
    blank_cells_explained: bool = False,
) -> ReportVersion:
    """Submit a draft to FK. The coordinator confirms what counts (`eligibility_confirmed`,
    the text of reporting/eligibility.py); the confirmed text is stored on the version.
    `blank_cells_explained` (the browser's form, where blank means "not known
    yet"): blank cells are a warning ("blank_cells") that needs an explanation,
    unless they are filled in with 0. Without it (API, file import: the cells sent
    are the report) absent cells simply count as 0.
    Effects: absent cells stored as 0; WarningExplanation per warning; status
    SUBMITTED with submitted_by/at and submitted_late; lock_version + 1; SUBMITTED
    event; e-mail to FK (Celery, on commit).
    Refused (nothing changed): StaleDraft; ValidationFailed (code
    "eligibility_not_confirmed") without the confirmation; ValidationFailed
    (code "validation_failed")
    for errors; ValidationFailed (code "explanation_missing", field = the first
    warning's key) when a warning has no explanation."""
    version = _locked(version)
    report = version.report
    require(acting_user, Action.EDIT_REPORTS, report.region_id)
    check_transition(version, VersionStatus.SUBMITTED)
    check_lock(version, lock_version)
    today = today or timezone.localdate()
    typed = figures_of(version)
    figures = _complete(report.period, typed)
    result = validate_figures(
        region=report.region, period=report.period, figures=figures, user=acting_user, today=today
    )
    blank = blank_cells_warning(report.period, typed) if blank_cells_explained else None
    if blank is not None:
        result = ValidationResult(errors=result.errors, warnings=[blank, *result.warnings])
    if result.errors:
        raise ValidationFailed(
            _("Rapporten kan inte skickas in: rätta felen först."), result=result
        )
    missing = [w for w in result.warnings if not (explanations.get(w.key) or "").strip()]
    if missing:
        raise ValidationFailed(
            _("Förklara varje varning innan rapporten skickas in."),
            result=result,
            code="explanation_missing",
            field=missing[0].key,
        )
    too_long = [w for w in result.warnings if len(explanations[w.key].strip()) > TEXT_MAX_LENGTH]
    if too_long:
        raise ValidationFailed(
            _("En förklaring är för lång (högst %(max)s tecken).")
            % {"max": format_int(TEXT_MAX_LENGTH)},
            result=result,
            code="too_long",
            field=too_long[0].key,
        )
    if not eligibility_confirmed:
        raise ValidationFailed(
            _(
                "Bekräfta att rapporten bara räknar det som överenskommelsen gäller "
                "innan den skickas in."
            ),
            result=result,
            code="eligibility_not_confirmed",
            field="eligibility_confirmed",
        )
    _write_figures(version, figures)
    WarningExplanation.objects.filter(version=version).delete()
    WarningExplanation.objects.bulk_create(
        WarningExplanation(
            version=version,
            code=w.code,
            key=w.key,
            message=w.message,
            params=w.params,
            explanation=explanations[w.key].strip(),
        )
        for w in result.warnings
    )
    now = timezone.now()
    move(
        version,
        VersionStatus.SUBMITTED,
        submitted_by=acting_user,
        submitted_at=now,
        submitted_late=report.period.is_late(today),
        eligibility_statement=eligibility_statement(report.period),
        eligibility_confirmed_at=now,
        lock_version=version.lock_version + 1,
        updated_by=acting_user,
        updated_at=now,
    )
    event = _event(version, ReportEvent.Action.SUBMITTED, acting_user)
    notify_on_commit(event)
    return version


@transaction.atomic
def report_accept(*, version: ReportVersion, acting_user: User, comment: str = "") -> ReportVersion:
    """FK accepts a submitted version.
    Effects: SUBMITTED -> ACCEPTED with decided_by/at and review_comment; the version
    in force until now (if any) -> SUPERSEDED; Report.accepted_version = version;
    ACCEPTED event; e-mail to the region's coordinators (Celery, on commit)."""
    version = _locked(version)
    report = Report.objects.select_for_update().get(pk=version.report_id)
    require(acting_user, Action.REVIEW_REPORTS, report.region_id)
    _accept(report, version, acting_user, comment.strip())
    event = _event(version, ReportEvent.Action.ACCEPTED, acting_user, comment.strip())
    notify_on_commit(event)
    return version


@transaction.atomic
def report_return(
    *,
    version: ReportVersion,
    comment: str,
    flagged_cells: Sequence[str] = (),
    acting_user: User,
) -> ReportVersion:
    """FK returns a submitted version with a comment.
    Effects: SUBMITTED -> RETURNED (figures kept as they were) with decided_by/at,
    review_comment and flagged_cells (each must be a cell of the report, else
    ReportError code "invalid_cell", nothing changed); RETURNED event; a NEW DRAFT
    (number + 1) copied from it, with a CREATED event; e-mail to the region's
    coordinators (on commit). The new draft has no updated_by (FK never types
    figures; the region has not saved it yet). Returns the new draft."""
    version = _locked(version)
    require(acting_user, Action.REVIEW_REPORTS, version.report.region_id)
    if not comment.strip():
        raise ReportError(
            _("Skriv en kommentar till regionen om vad som ska rättas."),
            code="comment_required",
            field="comment",
        )
    check_transition(version, VersionStatus.RETURNED)
    flagged = list(dict.fromkeys(flagged_cells))
    period = version.report.period
    keys = set(agreement_cells(period.agreement).keys) if flagged else set()
    unknown = [key for key in flagged if key not in keys]
    if unknown:
        raise ReportError(
            _("Rapporten har inga rutor %(keys)s. Markera bara rutor i rapporten.")
            % {"keys": ", ".join(f"”{key}”" for key in unknown)},
            code="invalid_cell",
            field="flagged_cells",
        )
    move(
        version,
        VersionStatus.RETURNED,
        decided_by=acting_user,
        decided_at=timezone.now(),
        review_comment=comment.strip(),
        flagged_cells=flagged,
    )
    event = _event(version, ReportEvent.Action.RETURNED, acting_user, comment.strip())
    draft = _new_version(
        version.report,
        figures=figures_of(version),
        acting_user=acting_user,
        is_correction=version.is_correction,
        correction_reason=version.correction_reason,
        saved=False,
        source=version,
    )
    _event(
        draft,
        ReportEvent.Action.CREATED,
        acting_user,
        _("Nytt utkast efter att version %(number)s återsändes.") % {"number": version.number},
    )
    notify_on_commit(event)
    return draft


@transaction.atomic
def report_start_correction(*, report: Report, reason: str, acting_user: User) -> ReportVersion:
    """A coordinator starts a correction (rättelse) of an accepted report.
    Effects: a new DRAFT (is_correction, correction_reason) copied from the accepted
    version, which stays in force until FK accepts the correction; CORRECTION event.
    Refused when the reason is blank, the report has no accepted version, or a
    version is already open (draft or submitted)."""
    require(acting_user, Action.EDIT_REPORTS, report.region_id)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not reason.strip():
        raise ReportError(_("Ange skälet till rättelsen."), code="reason_required", field="reason")
    if report.accepted_version_id is None:
        raise InvalidTransition(_("Bara en godkänd rapport kan rättas."))
    if report.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.SUBMITTED]).exists():
        raise InvalidTransition(
            _("Rapporten har redan en version under arbete."), code="version_open"
        )
    accepted = ReportVersion.objects.get(pk=report.accepted_version_id)
    draft = _new_version(
        report,
        figures=figures_of(accepted),
        acting_user=acting_user,
        is_correction=True,
        correction_reason=reason.strip(),
        source=accepted,
    )
    _event(draft, ReportEvent.Action.CORRECTION, acting_user, reason.strip())
    return draft


# --------------------------------------------------------------------------- file imports


def historical_note() -> str:
    return _(
        "Inläst som historisk uppgift och godkänd vid inläsningen: reglerna för öppen period "
        "och sista dag tillämpades inte, och varningar behövde ingen förklaring."
    )


def report_import_draft(
    *, report: Report, figures: Figures, note: str, acting_user: User
) -> ReportVersion:
    """A file's figures into the report's draft (version 1 if it has none).
    Effects: the draft's cells replaced, lock_version + 1, updated_by; CREATED event
    for a new draft; IMPORTED event with `note`. The caller has validated the figures.
    Raises InvalidTransition when the report has no open draft (submitted/accepted).
    One report of :func:`report_import_drafts`."""
    item = ImportItem(region=report.region_id, period=report.period, figures=figures, note=note)
    return report_import_drafts(items=[item], acting_user=acting_user)[0]


def report_record_historical(
    *,
    region: Region | str,
    period: ReportingPeriod,
    figures: Figures,
    warnings: Sequence[Issue],
    note: str,
    acting_user: User,
) -> ReportVersion:
    """Figures from the time before Rehab (`import_reports --accept`, FK or an
    administrator): a new version, submitted and accepted at once, through the same
    transitions as a report filed in Rehab. A correction when a version is in force.
    Effects: new version DRAFT -> SUBMITTED -> ACCEPTED (previous in force SUPERSEDED),
    every warning explained as historical; IMPORTED, SUBMITTED and ACCEPTED events;
    no e-mail (nobody is waiting for these). One report of
    :func:`report_record_historical_many`."""
    code = region.code if isinstance(region, Region) else region
    item = ImportItem(region=code, period=period, figures=figures, note=note, warnings=warnings)
    return report_record_historical_many(items=[item], acting_user=acting_user)[0]


@dataclass(frozen=True)
class ImportItem:
    """One report's figures from a file, for the bulk import services: the region's
    report for the period gets `figures`; `warnings` are those validation found
    (recorded as explained by a historical import); `note` goes on the IMPORTED event.
    `expected`: the report's latest version as the figures were checked against it,
    [number, lock_version], or [] for no version (None: not checked); if it is no
    longer so under the lock, the service raises StaleDraft and saves nothing."""

    region: str
    period: ReportingPeriod
    figures: Figures
    note: str
    warnings: Sequence[Issue] = ()
    expected: Sequence[int] | None = None


def _check_expected(
    items: Sequence[ImportItem], reports: Sequence[Report], latest: Mapping[int, ReportVersion]
) -> None:
    """StaleDraft unless each report's latest version is still what its item expects
    (someone saved, submitted or imported it since the file was checked)."""
    for item, report in zip(items, reports, strict=True):
        if item.expected is None:
            continue
        version = latest.get(report.pk)
        now = [version.number, version.lock_version] if version is not None else []
        if list(item.expected) != now:
            raise StaleDraft(
                _(
                    "Rapporten för %(region)s %(period)s ändrades medan filen lästes in. "
                    "Inget sparades; läs in filen igen."
                )
                % {"region": item.region, "period": item.period.label}
            )


@contextmanager
def _constraints_per_statement() -> Iterator[None]:
    """While many rows are written, the deferred checks (foreign keys, the
    data-version trigger) run at the end of each statement instead of at commit.
    PostgreSQL scans its whole list of deferred checks whenever a trigger's
    exception block rolls back, and the pgtrigger and pghistory triggers enter one
    per row: with tens of thousands of checks deferred a bulk write became
    quadratic (import_reports of ten years: 17 s). Every deferrable constraint of
    the schema is INITIALLY DEFERRED, so ALL DEFERRED afterwards restores the
    default; on an error the savepoint's rollback restores it. The data-version
    row is therefore raised (and locked) at the write rather than at commit: other
    writers wait for the import's last statements and commit, not longer."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # The same exception block in every pgtrigger trigger: it asks for the
        # triggers to skip and rolls back when none were ever named. An empty list
        # skips none (as no setting does) without the rollback; pgtrigger.ignore()
        # still sets its own list on each statement of its block.
        cursor.execute("SELECT current_setting('pgtrigger.ignore', true)")
        (ignored,) = cursor.fetchone() or (None,)
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [ignored or ""])


def _reports_locked(items: Sequence[ImportItem], acting_user: User) -> list[Report]:
    """The items' reports, created where missing, locked; in the items' order."""
    pairs = {(item.region, item.period.pk) for item in items}
    if len(pairs) != len(items):
        raise ReportError(_("Samma rapport finns två gånger i inläsningen."), code="duplicate")
    regions = {region for region, _period in pairs}
    periods = {period for _region, period in pairs}

    def existing() -> dict[tuple[str, int], Report]:
        return {
            (r.region_id, r.period_id): r
            for r in Report.objects.select_for_update().filter(
                region_id__in=regions, period_id__in=periods
            )
            if (r.region_id, r.period_id) in pairs
        }

    found = existing()
    missing = pairs - set(found)
    if missing:
        # A report made meanwhile by someone else is simply found (no duplicate).
        Report.objects.bulk_create(
            [Report(region_id=region, period_id=period) for region, period in sorted(missing)],
            ignore_conflicts=True,
        )
        found = existing()
    return [found[(item.region, item.period.pk)] for item in items]


def _latest_versions(reports: Sequence[Report]) -> dict[int, ReportVersion]:
    """Each report's latest version, locked (reports without one are absent)."""
    latest: dict[int, ReportVersion] = {}
    for version in ReportVersion.objects.select_for_update().filter(
        report_id__in=[r.pk for r in reports]
    ):
        current = latest.get(version.report_id)
        if current is None or version.number > current.number:
            latest[version.report_id] = version
    return latest


@transaction.atomic
def report_import_drafts(*, items: Sequence[ImportItem], acting_user: User) -> list[ReportVersion]:
    """:func:`report_import_draft` for many reports at once (a file import), in a
    number of queries that does not grow with the number of reports.
    Effects per item: the report created if missing; its draft (version 1 with a
    CREATED event if it has none) gets the figures (cells replaced, lock_version + 1,
    updated_by); IMPORTED event with the item's note. The caller has validated the
    figures. Raises NotAllowed (nothing saved) for a region the user may not edit,
    InvalidTransition when a report has no open draft. Returns the drafts in the
    items' order."""
    for region in sorted({item.region for item in items}):
        require(acting_user, Action.EDIT_REPORTS, region)
    with _constraints_per_statement():
        return _import_drafts(items, acting_user)


def _import_drafts(items: Sequence[ImportItem], acting_user: User) -> list[ReportVersion]:
    reports = _reports_locked(items, acting_user)
    latest = _latest_versions(reports)
    _check_expected(items, reports, latest)
    new: list[ReportVersion] = []
    drafts: list[ReportVersion] = []
    for item, report in zip(items, reports, strict=True):
        version = latest.get(report.pk)
        if version is None:
            new.append(
                ReportVersion(
                    report=report,
                    number=1,
                    status=VersionStatus.DRAFT,
                    comment=item.figures.comment,
                    created_by=acting_user,
                    updated_by=acting_user,
                )
            )
        elif version.status == VersionStatus.DRAFT:
            drafts.append(version)
        else:
            raise InvalidTransition(_("Rapporten har inget öppet utkast."), code="no_open_draft")
    ReportVersion.objects.bulk_create(new, batch_size=BULK_BATCH)
    if drafts:
        ids = [v.pk for v in drafts]
        SeriesCount.objects.filter(version_id__in=ids).delete()
        ExtraCount.objects.filter(version_id__in=ids).delete()
        now = timezone.now()
        ReportVersion.objects.filter(pk__in=ids).update(
            lock_version=F("lock_version") + 1, updated_by=acting_user, updated_at=now
        )
        for version in drafts:
            version.lock_version += 1
            version.updated_by = acting_user
            version.updated_at = now
    created = {v.report_id for v in new}
    versions = {v.report_id: v for v in [*new, *drafts]}
    ordered = [versions[report.pk] for report in reports]
    _write_new_figures([(v, item.figures) for v, item in zip(ordered, items, strict=True)])
    events: list[ReportEvent] = []
    for version, item in zip(ordered, items, strict=True):
        if version.report_id in created:
            events.append(_new_event(version, ReportEvent.Action.CREATED, acting_user))
        events.append(_new_event(version, ReportEvent.Action.IMPORTED, acting_user, item.note))
    ReportEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
    return ordered


@transaction.atomic
def report_record_historical_many(
    *, items: Sequence[ImportItem], acting_user: User
) -> list[ReportVersion]:
    """:func:`report_record_historical` for many reports at once (loading earlier
    years), in a number of queries that does not grow with the number of reports.
    Effects per item: a new version DRAFT -> SUBMITTED -> ACCEPTED (a correction,
    and the previous version in force SUPERSEDED, when one was in force), every
    warning explained as historical; IMPORTED, SUBMITTED and ACCEPTED events; no
    e-mail. Returns the new versions in the items' order."""
    for region in sorted({item.region for item in items}):
        require(acting_user, Action.REVIEW_REPORTS, region)
    with _constraints_per_statement():
        return _record_historical(items, acting_user)


def _record_historical(items: Sequence[ImportItem], acting_user: User) -> list[ReportVersion]:
    reports = _reports_locked(items, acting_user)
    latest = _latest_versions(reports)
    _check_expected(items, reports, latest)
    in_force_ids = [r.accepted_version_id for r in reports if r.accepted_version_id is not None]
    versions = [
        ReportVersion(
            report=report,
            number=(latest[report.pk].number + 1) if report.pk in latest else 1,
            status=VersionStatus.DRAFT,
            comment=item.figures.comment,
            is_correction=report.accepted_version_id is not None,
            correction_reason=_("Inläst från fil.") if report.accepted_version_id else "",
            created_by=acting_user,
            updated_by=acting_user,
        )
        for item, report in zip(items, reports, strict=True)
    ]
    ReportVersion.objects.bulk_create(versions, batch_size=BULK_BATCH)
    _write_new_figures([(v, item.figures) for v, item in zip(versions, items, strict=True)])
    historical = historical_note()
    WarningExplanation.objects.bulk_create(
        (
            WarningExplanation(
                version=version, code=w.code, key=w.key, message=w.message, explanation=historical
            )
            for version, item in zip(versions, items, strict=True)
            for w in item.warnings
        ),
        batch_size=BULK_BATCH,
    )
    now = timezone.now()
    move_all(versions, VersionStatus.SUBMITTED, submitted_by=acting_user, submitted_at=now)
    move_all(
        list(ReportVersion.objects.select_for_update().filter(pk__in=in_force_ids)),
        VersionStatus.SUPERSEDED,
    )
    move_all(
        versions,
        VersionStatus.ACCEPTED,
        decided_by=acting_user,
        decided_at=timezone.now(),
        review_comment=historical,
    )
    for report, version in zip(reports, versions, strict=True):
        report.accepted_version = version
    # Each report's new version is the one in force (one UPDATE; bulk_update's
    # CASE over every report costs more than the rest at ten years of data).
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(
        accepted_version=Subquery(
            ReportVersion.objects.filter(
                report_id=OuterRef("pk"), pk__in=[v.pk for v in versions]
            ).values("pk")[:1]
        )
    )
    ReportEvent.objects.bulk_create(
        (
            event
            for version, item in zip(versions, items, strict=True)
            for event in (
                _new_event(version, ReportEvent.Action.IMPORTED, acting_user, item.note),
                _new_event(version, ReportEvent.Action.SUBMITTED, acting_user, historical),
                _new_event(version, ReportEvent.Action.ACCEPTED, acting_user, historical),
            )
        ),
        batch_size=BULK_BATCH,
    )
    return versions
