"""E-mails about reports: to FK when a report is submitted, to the region's
coordinators when it is returned or accepted, and reminders before deadlines.

Each e-mail is recorded as a SentNotification in the same transaction that sends
it; the unique constraints on that table make sending safe to repeat (a task run
twice, or two workers at once, send each e-mail once).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rehab.enums import Role
from rehab.models import Region, ReportingPeriod, User

from .enums import VersionStatus
from .models import Report, ReportEvent, ReportVersion, SentNotification, ValidationSettings
from .validation import cell_label

log = logging.getLogger(__name__)

EVENT_KINDS = {
    ReportEvent.Action.SUBMITTED: SentNotification.Kind.SUBMITTED,
    ReportEvent.Action.RETURNED: SentNotification.Kind.RETURNED,
    ReportEvent.Action.ACCEPTED: SentNotification.Kind.ACCEPTED,
}


def coordinator_emails(region: Region | str) -> list[str]:
    """The e-mail addresses of the region's active coordinators."""
    code = region.code if isinstance(region, Region) else region
    return sorted(
        set(
            User.objects.filter(region_id=code, role=Role.REGION_COORDINATOR, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def _send_once(
    *,
    kind: str,
    recipient: str,
    region: Region,
    period: ReportingPeriod | None,
    subject: str,
    body: str,
    event: ReportEvent | None = None,
    account_event: Any = None,
) -> bool:
    """Record and send one e-mail; False if it was already sent. A failed send rolls
    the record back, so a retry sends it. `account_event` (an AccountEvent) for the
    e-mails about written accounts."""
    try:
        with transaction.atomic():
            SentNotification.objects.create(
                kind=kind,
                event=event,
                account_event=account_event,
                region=region,
                period=period,
                recipient=recipient,
                subject=subject,
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except IntegrityError:
        return False
    return True


def _actor_name(user: User) -> str:
    return user.get_full_name() or user.username


def notify_report_event(*, event_id: int) -> int:
    """Send the e-mails a status change calls for; returns how many were sent now.
    SUBMITTED -> FK (settings.FK_NOTIFICATION_EMAIL); RETURNED and ACCEPTED -> the
    region's coordinators. Other events send nothing."""
    event = (
        ReportEvent.objects.select_related(
            "report__region", "report__period__agreement", "version", "actor"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.action not in EVENT_KINDS:
        return 0
    kind = EVENT_KINDS[ReportEvent.Action(event.action)]
    report, version = event.report, event.version
    region, period = report.region, report.period
    with translation.override(settings.LANGUAGE_CODE):
        context: dict[str, Any] = {
            "event": event,
            "version": version,
            "region": region,
            "period": period,
            "actor_name": _actor_name(event.actor),
            "warnings": list(version.warnings.order_by("pk")),
            "flagged": [cell_label(key) for key in version.flagged_cells],
        }
        if kind == SentNotification.Kind.SUBMITTED:
            recipients = [settings.FK_NOTIFICATION_EMAIL]
            subject = _("Rapport inskickad: %(region)s %(period)s") % {
                "region": region.name,
                "period": period.label,
            }
            template = "reporting/email/submitted.txt"
        elif kind == SentNotification.Kind.RETURNED:
            recipients = coordinator_emails(region)
            subject = _("Rapporten för %(period)s har återsänts") % {"period": period.label}
            template = "reporting/email/returned.txt"
        else:
            recipients = coordinator_emails(region)
            subject = _("Rapporten för %(period)s har godkänts") % {"period": period.label}
            template = "reporting/email/accepted.txt"
        body = render_to_string(template, context).strip() + "\n"
    sent = 0
    for recipient in recipients:
        sent += _send_once(
            kind=kind,
            recipient=recipient,
            region=region,
            period=period,
            subject=subject,
            body=body,
            event=event,
        )
    log.info("report event %s: %s e-mail(s) sent", event_id, sent)
    return sent


def periods_due(today: datetime.date, days: int) -> list[ReportingPeriod]:
    """Open periods whose deadline is today or within `days` days."""
    return list(
        ReportingPeriod.objects.filter(
            is_closed=False,
            opens_on__lte=today,
            deadline__gte=today,
            deadline__lte=today + datetime.timedelta(days=days),
        )
        .select_related("agreement")
        .order_by("deadline", "agreement__year", "quarter")
    )


def regions_not_submitted(period: ReportingPeriod) -> list[Region]:
    """Active regions with no submitted or accepted version for the period."""
    done = Report.objects.filter(region=OuterRef("pk"), period=period).filter(
        Exists(
            ReportVersion.objects.filter(
                report=OuterRef("pk"),
                status__in=[
                    VersionStatus.SUBMITTED,
                    VersionStatus.ACCEPTED,
                    VersionStatus.SUPERSEDED,
                ],
            )
        )
    )
    return list(Region.objects.filter(active=True).exclude(Exists(done)).order_by("code"))


def send_deadline_reminders(*, today: datetime.date | None = None) -> int:
    """Remind the coordinators of every region that has not submitted a period whose
    deadline is within ValidationSettings.reminder_days. One e-mail per coordinator
    lists their periods; each (period, region, coordinator) is reminded once, ever.
    Returns the number of e-mails sent now."""
    today = today or timezone.localdate()
    days = ValidationSettings.current().reminder_days
    pending: dict[tuple[str, str], list[ReportingPeriod]] = defaultdict(list)
    regions: dict[str, Region] = {}
    for period in periods_due(today, days):
        for region in regions_not_submitted(period):
            regions[region.code] = region
            for email in coordinator_emails(region):
                pending[(region.code, email)].append(period)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for (code, email), periods in sorted(pending.items()):
            already = set(
                SentNotification.objects.filter(
                    kind=SentNotification.Kind.REMINDER,
                    region_id=code,
                    recipient=email,
                    period__in=periods,
                ).values_list("period_id", flat=True)
            )
            periods = [p for p in periods if p.pk not in already]
            if not periods:
                continue
            region = regions[code]
            subject = _("Påminnelse: sista dag %(deadline)s för rapport från %(region)s") % {
                "deadline": periods[0].deadline.isoformat(),
                "region": region.name,
            }
            body = (
                render_to_string(
                    "reporting/email/reminder.txt", {"region": region, "periods": periods}
                ).strip()
                + "\n"
            )
            try:
                with transaction.atomic():
                    SentNotification.objects.bulk_create(
                        SentNotification(
                            kind=SentNotification.Kind.REMINDER,
                            region=region,
                            period=period,
                            recipient=email,
                            subject=subject,
                        )
                        for period in periods
                    )
                    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
            except IntegrityError:
                # Another run recorded (and sent) these at the same moment.
                continue
            sent += 1
    log.info("deadline reminders: %s e-mail(s) sent", sent)
    return sent
