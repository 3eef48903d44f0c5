"""What the reporting pages share: finding a report within the user's region
scope (404 otherwise), a report state's badge and next step for the overview
and the inbox (the state itself: reporting.status.state_of), and the days left
to a deadline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rehab.formatting import format_int
from rehab.models import Region, ReportingPeriod
from rehab.permissions import Action, require, require_role

from ..enums import ReportState
from ..models import Report, ReportVersion

# Which versions a reader sees: shared with the written accounts and the API.
from ..workflow import visible_versions as visible_versions


def report_url(name: str, region: str, year: int, quarter: int | None, *extra: Any) -> str:
    """A report page's address: …/2012/3/ for a quarter, …/2020/ for a yearly report."""
    args = (region, year) if quarter is None else (region, year, quarter)
    return reverse(f"reporting:{name}", args=(*args, *extra))


@dataclass
class ReportPlace:
    """A region × period, and its report if one exists yet."""

    region: Region
    period: ReportingPeriod
    report: Report | None

    @property
    def args(self) -> tuple[str, int, int | None]:
        return (self.region.code, self.period.agreement.year, self.period.quarter)

    def url(self, name: str, *extra: Any) -> str:
        return report_url(name, *self.args, *extra)

    def versions(self) -> list[ReportVersion]:
        if self.report is None:
            return []
        return list(
            self.report.versions.select_related(
                "created_by", "submitted_by", "decided_by", "updated_by"
            ).order_by("number")
        )


def report_place(
    user: Any,
    region: str,
    year: int,
    quarter: int | None,
    action: Action = Action.VIEW_REPORTS,
) -> ReportPlace:
    """The region × period if `user` may `action` that region's reports; 403 with
    the reason for a role the page is not for (require_role), 404 for another
    region's reports (they do not exist for a coordinator)."""
    require_role(user, action)
    require(user, action, region)
    region_obj = get_object_or_404(Region, code=region)
    period = get_object_or_404(
        ReportingPeriod.objects.select_related("agreement"),
        agreement__year=year,
        **({"quarter__isnull": True} if quarter is None else {"quarter": quarter}),
    )
    report = Report.objects.filter(region=region_obj, period=period).first()
    return ReportPlace(region_obj, period, report)


STATE_BADGES = {
    ReportState.NOT_STARTED: "",
    ReportState.DRAFT: "draft",
    ReportState.SUBMITTED: "submitted",
    ReportState.RETURNED: "returned",
    ReportState.ACCEPTED: "accepted",
    ReportState.CORRECTING: "draft",
}


def next_step(
    state: str, *, can_edit: bool, period_open: bool, opens_on: datetime.date | None = None
) -> str:
    """What needs doing next, in a few words. `opens_on`: the date a period that
    has not opened yet opens (said instead of just "not open")."""
    if state == ReportState.SUBMITTED:
        return _("Väntar på granskning av Försäkringskassan.")
    if state == ReportState.ACCEPTED:
        return _("Klar. Godkänd av Försäkringskassan.")
    if not period_open and opens_on is not None:
        return _("Perioden öppnar för rapportering %(date)s.") % {"date": opens_on.isoformat()}
    if not period_open:
        return _("Perioden är inte öppen för rapportering.")
    if not can_edit:
        readers: dict[str, str] = {
            ReportState.NOT_STARTED: _("Inte påbörjad."),
            ReportState.RETURNED: _("Återsänd av Försäkringskassan; samordnaren rättar."),
        }
        return readers.get(state, _("Samordnaren arbetar med rapporten."))
    editors: dict[str, str] = {
        ReportState.NOT_STARTED: _("Fyll i rapporten och skicka in den."),
        ReportState.DRAFT: _("Gör klart utkastet och skicka in det."),
        ReportState.RETURNED: _("Läs Försäkringskassans kommentar, rätta och skicka in igen."),
        ReportState.CORRECTING: _("Gör klart rättelsen och skicka in den."),
    }
    return editors[state]


def days_left_text(deadline: datetime.date, today: datetime.date) -> str:
    days = (deadline - today).days
    if days > 0:
        return ngettext("%(n)s dag kvar", "%(n)s dagar kvar", days) % {"n": format_int(days)}
    if days == 0:
        return _("Sista dagen är i dag")
    return ngettext("%(n)s dag sen", "%(n)s dagar sen", -days) % {"n": format_int(-days)}
