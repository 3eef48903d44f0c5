"""E-mails about reports and written accounts: to FK when one is submitted, to the
region's coordinators when it is returned, accepted or assessed, and reminders
before deadlines. One mechanism for both workflows (`send_event_mails`); each
names its e-mails and templates (REPORT_MAILS here, ACCOUNT_MAILS in
reporting.accounts.notifications).

Each e-mail is recorded as a SentNotification in the same transaction that sends
it; the unique constraints on that table make sending safe to repeat (a task run
twice, or two workers at once, send each e-mail once).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rehab.enums import Role
from rehab.models import Region, ReportingPeriod, User

from .enums import VersionStatus
from .models import Report, ReportEvent, ReportVersion, SentNotification, ValidationSettings
from .validation import cell_label
from .workflow import WorkflowEvent

log = logging.getLogger(__name__)


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


def send_once(
    *,
    kind: str,
    recipient: str,
    region: Region,
    subject: str,
    body: str,
    **about: Any,
) -> bool:
    """Record and send one e-mail; False if it was already sent (a unique constraint
    of SentNotification). A failed send rolls the record back, so a retry sends it.
    `about`: what the e-mail is about (SentNotification's period, condition, event
    or account_event)."""
    try:
        with transaction.atomic():
            SentNotification.objects.create(
                kind=kind, region=region, recipient=recipient, subject=subject, **about
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except IntegrityError:
        return False
    return True


def _actor_name(user: User) -> str:
    return user.get_full_name() or user.username


@dataclass(frozen=True)
class EventMail:
    """The e-mail an event of a workflow sends: its kind, whether it goes to FK
    (settings.FK_NOTIFICATION_EMAIL) or to the region's coordinators, its subject
    (with the workflow's %(name)s parameters) and its body's template."""

    kind: str
    to_fk: bool
    subject: str | Promise
    template: str


def send_event_mails(
    event: WorkflowEvent,
    mails: Mapping[str, EventMail],
    *,
    region: Region,
    describe: Callable[[], tuple[Mapping[str, Any], dict[str, Any]]],
    **about: Any,
) -> int:
    """Send the e-mails an event of a report or a written account calls for (its
    action's entry in `mails`, none if it has none), each recorded once per event
    and recipient; returns how many were sent now. `describe` gives the subject's
    parameters and the template's context, in the site's language. `about`: what
    the SentNotification rows name besides the event (e.g. the period)."""
    mail = mails.get(event.action)
    if mail is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        params, context = describe()
        context.update(
            {
                "event": event,
                "version": event.version,  # type: ignore[attr-defined]
                "region": region,
                "actor_name": _actor_name(event.actor),
            }
        )
        recipients = [settings.FK_NOTIFICATION_EMAIL] if mail.to_fk else coordinator_emails(region)
        subject = str(mail.subject) % params
        body = render_to_string(mail.template, context).strip() + "\n"
    sent = 0
    for recipient in recipients:
        sent += send_once(
            kind=mail.kind,
            recipient=recipient,
            region=region,
            subject=subject,
            body=body,
            **{event.NOTIFICATION_FIELD: event},
            **about,
        )
    log.info("%s %s: %s e-mail(s) sent", event._meta.model_name, event.pk, sent)
    return sent


REPORT_MAILS: dict[str, EventMail] = {
    ReportEvent.Action.SUBMITTED: EventMail(
        SentNotification.Kind.SUBMITTED,
        to_fk=True,
        subject=gettext_lazy("Rapport inskickad: %(region)s %(period)s"),
        template="reporting/email/submitted.txt",
    ),
    ReportEvent.Action.RETURNED: EventMail(
        SentNotification.Kind.RETURNED,
        to_fk=False,
        subject=gettext_lazy("Rapporten för %(period)s har återsänts"),
        template="reporting/email/returned.txt",
    ),
    ReportEvent.Action.ACCEPTED: EventMail(
        SentNotification.Kind.ACCEPTED,
        to_fk=False,
        subject=gettext_lazy("Rapporten för %(period)s har godkänts"),
        template="reporting/email/accepted.txt",
    ),
}


def notify_report_event(*, event_id: int) -> int:
    """Send the e-mails a report's status change calls for; returns how many were
    sent now. SUBMITTED -> FK; RETURNED and ACCEPTED -> the region's coordinators.
    Other events send nothing."""
    event = (
        ReportEvent.objects.select_related(
            "report__region", "report__period__agreement", "version", "actor"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    region, period, version = event.report.region, event.report.period, event.version

    def describe() -> tuple[Mapping[str, Any], dict[str, Any]]:
        return {"region": region.name, "period": period.label}, {
            "period": period,
            "warnings": list(version.warnings.order_by("pk")),
            "flagged": [cell_label(key) for key in version.flagged_cells],
        }

    return send_event_mails(event, REPORT_MAILS, region=region, describe=describe, period=period)


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
