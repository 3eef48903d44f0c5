"""The region's overview: for each open agreement its quarters, with status,
deadline, days left and what needs doing next."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from rehab.dataversion import render_cached
from rehab.enums import REGION_ROLES
from rehab.models import Agreement, Region, ReportingPeriod
from rehab.pagecache import cached_page
from rehab.permissions import Action, can, require, role_of

from ..enums import ReportState, VersionStatus
from ..models import Report, ReportVersion
from ..status import state_of
from .common import (
    STATE_BADGES,
    days_left_text,
    next_step,
    report_url,
)

# --------------------------------------------------------------------------- overview


@login_required
@cached_page
def overview(request: HttpRequest) -> HttpResponse:
    """Where coordinators and region viewers land: their region's quarters.
    FK users, who read every region, are sent to the inbox."""
    user: Any = request.user
    if role_of(user) not in REGION_ROLES:
        if can(user, Action.VIEW_REPORTS):
            return redirect("reporting:inbox")
        raise Http404
    return _overview(request, user.region_id)


@login_required
@cached_page
def region_overview(request: HttpRequest, region: str) -> HttpResponse:
    """One region's overview, for anyone who may read that region's reports."""
    require(request.user, Action.VIEW_REPORTS, region)
    return _overview(request, region)


def _overview(request: HttpRequest, region_code: str) -> HttpResponse:
    """The quarters' table is computed once per data version, user, region and day."""
    region = get_object_or_404(Region, code=region_code)
    today = timezone.localdate()
    return render_cached(
        request,
        "reporting/overview.html",
        name="reporting-overview",
        vary=[request.user.pk, region.code, today],
        body_template="reporting/_overview_body.html",
        body_context=lambda: _overview_context(request, region, today),
        context={"region": region},
    )


def _overview_context(request: HttpRequest, region: Region, today: datetime.date) -> dict[str, Any]:
    can_edit = can(request.user, Action.EDIT_REPORTS, region)
    periods = list(
        ReportingPeriod.objects.select_related("agreement").order_by("-agreement__year", "quarter")
    )
    reports = {
        report.period_id: report
        for report in Report.objects.filter(region=region).prefetch_related(
            Prefetch("versions", queryset=ReportVersion.objects.order_by("number"))
        )
    }
    by_agreement: dict[int, list[ReportingPeriod]] = defaultdict(list)
    agreements: dict[int, Agreement] = {}
    for period in periods:
        by_agreement[period.agreement_id].append(period)
        agreements[period.agreement_id] = period.agreement
    sections: list[dict[str, Any]] = []
    for agreement_id, agreement_periods in by_agreement.items():
        if all(p.is_closed for p in agreement_periods):
            continue  # not an open agreement any more
        rows: list[dict[str, Any]] = []
        for period in agreement_periods:
            report = reports.get(period.pk)
            versions = list(report.versions.all()) if report else []
            state = state_of(versions)
            # The deadline matters until the quarter has been filed once; a
            # correction of an accepted quarter is not late (the version in force was).
            needs_work = state in (
                ReportState.NOT_STARTED,
                ReportState.DRAFT,
                ReportState.RETURNED,
            )
            rows.append(
                {
                    "period": period,
                    "state": state,
                    "state_label": ReportState(state).label,
                    "badge": STATE_BADGES[state],
                    # The version the status word is about: "Återsänd v1", not the
                    # draft v2 the return opened.
                    "version": (
                        versions[-2]
                        if state == ReportState.RETURNED
                        and versions[-1].status == VersionStatus.DRAFT
                        else versions[-1]
                        if versions
                        else None
                    ),
                    "next": next_step(
                        state,
                        can_edit=can_edit,
                        period_open=period.is_open(today),
                        opens_on=period.opens_on if today < period.opens_on else None,
                    ),
                    "days_left": days_left_text(period.deadline, today) if needs_work else "",
                    "late": needs_work and period.is_late(today),
                    "url": report_url("report", region.code, period.agreement.year, period.quarter),
                }
            )
        active = any(
            r["state"] in (ReportState.DRAFT, ReportState.RETURNED, ReportState.CORRECTING)
            for r in rows
        )
        counts: dict[str, int] = defaultdict(int)
        for row in rows:
            counts[str(row["state"])] += 1
        sections.append(
            {
                "agreement": agreements[agreement_id],
                "yearly": any(p.quarter is None for p in agreement_periods),
                "rows": rows,
                "active": active,
                "counts": [
                    (state.label, STATE_BADGES[state], counts[state])
                    for state in ReportState
                    if counts[state]
                ],
            }
        )
    for index, section in enumerate(sections):
        section["open"] = index == 0 or section["active"]
    # Started work first (returned ones at the top): what a coordinator comes back for.
    urgent_order = {ReportState.RETURNED: 0, ReportState.CORRECTING: 1, ReportState.DRAFT: 2}
    todo = sorted(
        (row for section in sections for row in section["rows"] if row["state"] in urgent_order),
        key=lambda row: (urgent_order[row["state"]], row["period"].deadline),
    )
    return {"region": region, "sections": sections, "can_edit": can_edit, "todo": todo}
