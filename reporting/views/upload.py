"""Upload instead of typing: a template for the report (XLSX or CSV), the
upload, a preview of what will change against the current draft, and the
confirmation that saves it. A file with any error saves nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rehab.formatting import spreadsheet_row
from rehab.permissions import Action
from rehab.selectors import period_code, period_missing_message

from ..cells import SEXES, agreement_cells
from ..enums import ExtraKind, Provider, Sex, VersionStatus
from ..figures import extra_key, series_key
from ..fileformat import COLUMNS, Row, RowError, cell_error, lazy_text, read_file
from ..forms import UploadForm
from ..imports import report_import
from ..models import ValidationSettings
from ..selectors import figures_of
from ..services import NotAllowed, ReportError, StaleDraft
from ..validation import EXCEED_CODES
from .common import ReportPlace, report_place, visible_versions
from .grid import dom_id

SESSION_KEY = "reporting:upload"
# A file's errors shown on the page; the rest are counted ("… and 12 more").
MAX_SHOWN_ERRORS = 100
# Checks over sums of cells (contacts against series): not judged on part of a file.
CROSS_FIELD_CODES = frozenset(EXCEED_CODES.values())


# --------------------------------------------------------------------------- template


def _template_rows(place: ReportPlace, user: Any) -> list[list[Any]]:
    """One line per cell of the agreement, with the figures of the latest version
    the user may see filled in (the draft, for the region)."""
    agreement = place.period.agreement
    versions = visible_versions(user, place.versions())
    values = figures_of(versions[-1]).cells() if versions else {}
    label = place.period.label
    cells = agreement_cells(agreement)
    rows: list[list[Any]] = []
    for code, sex, provider in cells.series():
        value = values.get(series_key(code, sex, provider))
        rows.append([place.region.code, label, code, sex, provider, value])
    for kind, sex in cells.extras():
        rows.append([place.region.code, label, kind, sex, "", values.get(extra_key(kind, sex))])
    return rows


def _codes(agreement: Any) -> list[tuple[str, str, str]]:
    """(column, code, what it means, in the active language) for every code the
    template contains: the agreement's treatments by name, contacts and video, sexes
    and provider types (reporting.cells, as the template's lines)."""
    cells = agreement_cells(agreement)
    sexes = dict(Sex.choices)
    providers = dict(Provider.choices)
    kinds = dict(ExtraKind.choices)
    codes = [("item", t.code, t.display_name) for t in cells.treatments]
    codes += [("item", kind, str(kinds[kind])) for kind in cells.extra_kinds]
    codes += [("sex", sex, str(sexes[sex])) for sex in SEXES]
    codes += [
        ("provider", provider, _("%(provider)s vårdgivare") % {"provider": providers[provider]})
        for provider in Provider.values
    ]
    return codes


def _instructions() -> list[str]:
    return [
        _("Så fyller du i mallen"),
        _(
            "Fyll i kolumnen value: antal genomförda behandlingsserier (en per patient), "
            "eller antal kontakter/behandlingar via video."
        ),
        _("Skriv 0 där det inte finns några. Ändra inte de andra kolumnerna."),
        _("sex: F = kvinnor, M = män. provider: PUBLIC = offentlig, PRIVATE = privat vårdgivare."),
        _(
            "EMPLOYER_CONTACT = kontakter med arbetsgivare, AF_CONTACT = kontakter med "
            "Arbetsförmedlingen, VIDEO = behandlingar helt eller delvis via video."
        ),
        _("Ladda sedan upp filen på rapportens sida. Du får se vad som ändras innan något sparas."),
    ]


@login_required
def template_download(
    request: HttpRequest, region: str, year: int, quarter: int | None, fmt: str
) -> HttpResponse:
    """The report file for this region × period in the canonical format, with
    every line the agreement asks for (region/period/item/sex/provider filled in)."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    place = report_place(request.user, region, year, quarter)
    rows = _template_rows(place, request.user)
    codes = _codes(place.period.agreement)
    filename = f"rapport-{place.region.code}-{place.period.label}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(spreadsheet_row("" if v is None else v for v in row) for row in rows)
        # What the codes mean, as comment lines (# …) that the upload skips.
        writer.writerow([])
        writer.writerows(spreadsheet_row([f"# {line}"]) for line in _instructions())
        writer.writerow(spreadsheet_row([f"# {_('Koderna i mallen')}:"]))
        writer.writerows(
            spreadsheet_row([f"# {column} {code} = {meaning}"]) for column, code, meaning in codes
        )
        response = HttpResponse(
            ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            _xlsx(rows, codes),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx(rows: list[list[Any]], codes: list[tuple[str, str, str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Rapport"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(spreadsheet_row(row))
    input_fill = PatternFill("solid", fgColor="FFF4D6")
    for (cell,) in sheet.iter_rows(min_row=2, min_col=6, max_col=6):
        cell.fill = input_fill
        cell.number_format = "0"
    for (cell,) in sheet.iter_rows(min_row=2, min_col=1, max_col=1):
        cell.number_format = "@"  # "01" stays text
    for column, width in zip("ABCDEF", (8, 10, 20, 6, 10, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("Instruktioner")
    for line in _instructions():
        help_sheet.append([line])
    help_sheet["A1"].font = Font(bold=True)
    help_sheet.column_dimensions["A"].width = 110
    code_sheet = workbook.create_sheet(_("Koder"))
    code_sheet.append([_("Kolumn"), _("Kod"), _("Betyder")])
    for cell in code_sheet[1]:
        cell.font = Font(bold=True)
    for column, code, meaning in codes:
        code_sheet.append(spreadsheet_row([column, code, meaning]))
    for column, width in zip("ABC", (10, 20, 70), strict=True):
        code_sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- upload


def _row_to_json(row: Row) -> list[Any]:
    return [row.line, row.region, row.year, row.quarter, row.item, row.sex, row.provider, row.value]


def _row_from_json(data: list[Any]) -> Row:
    line, region, year, quarter, item, sex, provider, value = data
    return Row(line, region, year, quarter, item, sex, provider, value)


def _outside_place(
    places: list[tuple[int, str, int, int | None]], place: ReportPlace
) -> list[RowError]:
    """Lines for another region or period than the report the file is uploaded to
    (every line whose region and period could be read, whatever else is wrong in it)."""
    errors = []
    year, quarter = place.period.agreement.year, place.period.quarter
    for line, region, row_year, row_quarter in places:
        if region != place.region.code:
            errors.append(
                cell_error(
                    line,
                    "region",
                    lazy_text(
                        "%(got)s, men du laddar upp till %(want)s.",
                        got=region,
                        want=place.region.code,
                    ),
                    "other_region",
                )
            )
        if row_year == year and (row_quarter is None) != (quarter is None):
            # A quarter in a file for a yearly report, or the year for a quarterly one.
            errors.append(
                cell_error(
                    line,
                    "period",
                    period_missing_message(
                        year=row_year, quarter=row_quarter, yearly=quarter is None
                    ),
                    "other_period",
                )
            )
        elif (row_year, row_quarter) != (year, quarter):
            errors.append(
                cell_error(
                    line,
                    "period",
                    lazy_text(
                        "%(got)s, men du laddar upp till %(want)s.",
                        got=period_code(row_year, row_quarter),
                        want=place.period.label,
                    ),
                    "other_period",
                )
            )
    return errors


def _draft_state(place: ReportPlace) -> list[int]:
    """[number, lock_version] of the report's draft ([] if none): what the preview
    was computed against, so a confirm after someone saved the draft is caught."""
    if place.report is None:
        return []
    latest = place.report.versions.order_by("-number").first()
    if latest is None or latest.status != VersionStatus.DRAFT:
        return []
    return [latest.number, latest.lock_version]


def _limits() -> ValidationSettings:
    return ValidationSettings.current()


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, region: str, year: int, quarter: int | None) -> HttpResponse:
    """Choose a file; read and check it; then show the preview (nothing saved yet)."""
    place = report_place(request.user, region, year, quarter, Action.EDIT_REPORTS)
    limits = _limits()
    posted = request.method == "POST"
    form = UploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        max_bytes=limits.max_upload_bytes,
    )
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        parsed = read_file(
            upload_file.name,
            upload_file.read(),
            max_rows=limits.max_upload_rows,
            max_bytes=limits.max_upload_bytes,
        )
        rows = parsed.rows
        errors = list(parsed.errors)
        outside = _outside_place(parsed.places, place)
        errors.extend(outside)
        elsewhere = {error.line for error in outside}
        inside = [row for row in rows if row.line not in elsewhere]
        if inside:
            # The report's own checks on the lines that could be read, in the same
            # pass: everything wrong with the file is told at once.
            try:
                result = report_import(rows=inside, acting_user=request.user, dry_run=True)  # type: ignore[arg-type]
            except NotAllowed as error:
                raise Http404 from error
            except ReportError as error:
                errors.append(RowError(0, "", error.message))
            else:
                # Sums over a file with refused lines would be judged on part of it.
                partial = len(inside) < len(rows) or bool(errors)
                errors.extend(
                    e for e in result.errors if not (partial and e.code in CROSS_FIELD_CODES)
                )
        errors.sort(key=lambda e: e.line)
        if not errors:
            request.session[SESSION_KEY] = {
                "place": list(place.args),
                "name": upload_file.name,
                "rows": [_row_to_json(r) for r in rows],
                "draft": _draft_state(place),
            }
            return redirect(place.url("upload_preview"))
    return render(
        request,
        "reporting/upload.html",
        {
            "place": place,
            "period": place.period,
            "form": form,
            "file_errors": errors[:MAX_SHOWN_ERRORS],
            "error_count": len(errors),
            "more_errors": max(0, len(errors) - MAX_SHOWN_ERRORS),
            "max_rows": limits.max_upload_rows,
            "max_bytes": limits.max_upload_bytes,
        },
        status=422 if form.is_bound and (errors or form.errors) else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload_preview(
    request: HttpRequest, region: str, year: int, quarter: int | None
) -> HttpResponse:
    """What the uploaded file will change against the current draft; confirm saves it."""
    place = report_place(request.user, region, year, quarter, Action.EDIT_REPORTS)
    stored = request.session.get(SESSION_KEY)
    if not stored or tuple(stored["place"]) != place.args:
        messages.info(request, _("Det finns ingen uppladdad fil att granska. Välj en fil."))
        return redirect(place.url("upload"))
    rows = [_row_from_json(r) for r in stored["rows"]]
    user: Any = request.user
    confirm = request.method == "POST"
    try:
        # On confirm, the draft must still be the one the preview was computed
        # against; report_import checks that with the rows locked.
        result = report_import(
            rows=rows,
            acting_user=user,
            dry_run=not confirm,
            expect_drafts={place.args: stored.get("draft", [])} if confirm else None,
        )
    except NotAllowed as error:
        raise Http404 from error
    except StaleDraft:
        messages.error(
            request,
            _(
                "Utkastet har ändrats sedan du förhandsgranskade filen. Här är vad filen "
                "ändrar nu; bekräfta igen om det stämmer."
            ),
        )
        return redirect(place.url("upload_preview"))
    except ReportError as error:
        messages.error(request, error.message)
        return redirect(place.url("upload"))
    if result.errors:
        messages.error(request, _("Filen kan inte sparas längre:") + " " + result.errors[0].message)
        request.session.pop(SESSION_KEY, None)
        return redirect(place.url("upload"))
    if confirm:
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request,
            _("Siffrorna från %(name)s är sparade i utkastet.") % {"name": stored["name"]},
        )
        return redirect(place.url("report"))
    request.session[SESSION_KEY] = {**stored, "draft": _draft_state(place)}
    changes = [c for report_changes in result.changes for c in report_changes.changes]
    warnings = [w for report_changes in result.changes for w in report_changes.warnings]
    labels = _cell_labels(place)
    return render(
        request,
        "reporting/upload_preview.html",
        {
            "place": place,
            "period": place.period,
            "name": stored["name"],
            "row_count": len(rows),
            "warnings": warnings,
            "changes": [
                {
                    "key": c.key,
                    "label": labels.get(c.key, c.key),
                    "old": c.old,
                    "new": c.new,
                    "delta": c.delta,
                    "anchor": dom_id(c.key),
                }
                for c in changes
            ],
        },
    )


def _cell_labels(place: ReportPlace) -> dict[str, str]:
    return agreement_cells(place.period.agreement).labels()
