"""The files made from an approved run: the payment file (CSV, XLSX) and a region's
decision (beslut). Each builder returns (filename, content type, bytes); the
service `run_export` stores them with their SHA-256."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from rehab.formatting import spreadsheet_row
from rehab.models import Region

from .enums import Instalment, RunKind
from .models import PayoutLine, PayoutRun

PAYMENT_COLUMNS = (
    "lan_kod",
    "region",
    "belopp_kronor",
    "belopp_ore",
    "referens",
    "varav_justering_kronor",
    "varav_justering_ore",
    "bankgiro",
    "betalningsdag",
)
# The last line of a payment file: the sum of the amounts (its lan_kod column says so).
TOTAL_LABEL = "SUMMA"


class MissingBankgiro(Exception):
    """Regions of a run have no bankgiro: no payment file can be made."""

    def __init__(self, regions: list[Region]) -> None:
        self.regions = regions
        names = ", ".join(f"{r.code} {r.name}" for r in regions)
        super().__init__(
            gettext(
                "Betalfilen kan inte skapas: bankgiro saknas för %(regions)s. Ange "
                "regionernas bankgironummer under Regioner i administrationen."
            )
            % {"regions": names}
        )


def payment_date(run: PayoutRun) -> datetime.date:
    """The day the money is paid: the run's due date (the condition's date for its
    instalment, else the agreement's), or the day of approval when that is later or
    no due date is set."""
    approved = timezone.localdate(run.approved_at) if run.approved_at else timezone.localdate()
    if run.condition is not None:
        due = (
            run.condition.advance_payment_due
            if run.instalment == Instalment.ADVANCE
            else run.condition.payment_due
        )
    else:
        due = run.agreement.payment_due
    return max(due, approved) if due else approved


def check_bankgiros(run: PayoutRun) -> None:
    """Raise :class:`MissingBankgiro` naming every region of the run without one."""
    missing = list(
        Region.objects.filter(payout_lines__run=run, bankgiro="").order_by("code").distinct()
    )
    if missing:
        raise MissingBankgiro(missing)


def _kronor_plain(ore: int) -> str:
    """-123456 öre -> "-1234,56" (no thousands separator: for machines)."""
    sign = "-" if ore < 0 else ""
    kronor, rest = divmod(abs(ore), 100)
    return f"{sign}{kronor},{rest:02d}"


def _payment_rows(run: PayoutRun) -> list[tuple[str, str, int, str, int, str]]:
    """(län code, name, amount, reference, of which adjustment of earlier periods,
    bankgiro)."""
    from .explanations import adjustment_ore

    lines = PayoutLine.objects.filter(run=run).select_related("region").order_by("region_id")
    return [
        (
            line.region_id,
            line.region.name,
            line.amount_ore,
            f"{run.reference}-{line.region_id}",
            adjustment_ore(run.kind, line),
            line.region.bankgiro,
        )
        for line in lines
    ]


def _stem(run: PayoutRun) -> str:
    return f"utbetalning-{run.reference.lower()}"


def payment_file_csv(run: PayoutRun) -> tuple[str, str, bytes]:
    """``lan_kod;region;belopp_kronor;belopp_ore;referens;varav_justering_kronor;
    varav_justering_ore;bankgiro;betalningsdag``, UTF-8, one line per region and a last
    line ``SUMMA`` with the totals; the adjustment is the part of the amount that
    settles corrections of earlier periods (negative = claw-back). Raises
    :class:`MissingBankgiro` when a region has no bankgiro."""
    check_bankgiros(run)
    day = payment_date(run).isoformat()
    rows = _payment_rows(run)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(PAYMENT_COLUMNS)
    for code, name, amount, reference, adjustment, bankgiro in rows:
        row = (code, name, _kronor_plain(amount), amount, reference)
        writer.writerow(
            spreadsheet_row((*row, _kronor_plain(adjustment), adjustment, bankgiro, day))
        )
    total, adjustments = sum(r[2] for r in rows), sum(r[4] for r in rows)
    total_kronor, adjustments_kronor = _kronor_plain(total), _kronor_plain(adjustments)
    writer.writerow(
        (
            TOTAL_LABEL,
            "",
            total_kronor,
            total,
            run.reference,
            adjustments_kronor,
            adjustments,
            "",
            day,
        )
    )
    return f"{_stem(run)}.csv", "text/csv; charset=utf-8", out.getvalue().encode("utf-8")


def payment_file_xlsx(run: PayoutRun) -> tuple[str, str, bytes]:
    """The same columns and total line as the CSV on one sheet; kronor as a number with
    two decimals, the payment date as a date."""
    from openpyxl import Workbook

    check_bankgiros(run)
    day = payment_date(run)
    rows = _payment_rows(run)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Utbetalning"
    sheet.append(list(PAYMENT_COLUMNS))
    total, adjustments = sum(r[2] for r in rows), sum(r[4] for r in rows)
    lines = [*rows, (TOTAL_LABEL, "", total, run.reference, adjustments, "")]
    for code, name, amount, reference, adjustment, bankgiro in lines:
        row = (code, name, Decimal(amount) / 100, amount, reference)
        sheet.append(spreadsheet_row((*row, Decimal(adjustment) / 100, adjustment, bankgiro, day)))
        sheet.cell(row=sheet.max_row, column=3).number_format = "#,##0.00"
        sheet.cell(row=sheet.max_row, column=6).number_format = "#,##0.00"
        sheet.cell(row=sheet.max_row, column=9).number_format = "yyyy-mm-dd"
    if run.approved_at is not None:
        workbook.properties.created = run.approved_at.replace(tzinfo=None)
    out = io.BytesIO()
    workbook.save(out)
    return (
        f"{_stem(run)}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        out.getvalue(),
    )


def decision_html(run: PayoutRun, region: Region) -> tuple[str, str, bytes]:
    """The decision for one region as an HTML fragment (the decision page shows it and
    prints it). Rendered in Swedish, from the run's stored lines and inputs only."""
    from .selectors import run_lines

    lines = run_lines(run, regions=[region.code])
    with translation.override("sv"):
        html = render_to_string(
            "payments/_decision_body.html",
            {
                "run": run,
                "region": region,
                "item": lines[0] if lines else None,
                # A claw-back is said as the positive sum the region pays back.
                "clawback_ore": -lines[0].line.amount_ore if lines else 0,
                # Only a quarter before the fourth has payouts after it to deduct from.
                "later_payouts": run.kind == RunKind.QUARTER and (run.quarter or 4) < 4,
                "contact": run.agreement.decision_contact or settings.REHAB_DECISION_CONTACT,
            },
        )
    return (
        f"beslut-{run.reference.lower()}-{region.code}.html",
        "text/html; charset=utf-8",
        html.encode("utf-8"),
    )
