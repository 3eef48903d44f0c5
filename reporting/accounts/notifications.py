"""E-mails about written accounts, sent by the treatment reports' mechanism
(reporting.notifications.send_event_mails) with the accounts' own subjects and
templates: to FK when an account is submitted, to the region's coordinators when
it is returned or assessed; each recorded once per event and recipient in
SentNotification (safe to run twice). And the reminders before a deadline."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rehab.enums import ConditionKind
from rehab.models import Condition, Region

from ..models import SentNotification, ValidationSettings
from ..notifications import EventMail, coordinator_emails, send_event_mails, send_once
from .models import AccountEvent, AccountVersion

log = logging.getLogger(__name__)

ACCOUNT_MAILS: dict[str, EventMail] = {
    AccountEvent.Action.SUBMITTED: EventMail(
        SentNotification.Kind.SUBMITTED,
        to_fk=True,
        subject=gettext_lazy("Återrapportering inskickad: %(region)s %(condition)s"),
        template="reporting/accounts/email/submitted.txt",
    ),
    AccountEvent.Action.RETURNED: EventMail(
        SentNotification.Kind.RETURNED,
        to_fk=False,
        subject=gettext_lazy("Återrapporteringen för %(condition)s ska kompletteras"),
        template="reporting/accounts/email/returned.txt",
    ),
    AccountEvent.Action.ASSESSED: EventMail(
        SentNotification.Kind.ASSESSED,
        to_fk=False,
        subject=gettext_lazy("Återrapporteringen för %(condition)s är bedömd"),
        template="reporting/accounts/email/assessed.txt",
    ),
}


def notify_account_event(*, event_id: int) -> int:
    """Send the e-mails an account's status change calls for; returns how many were
    sent now. SUBMITTED -> FK; RETURNED and ASSESSED -> the region's coordinators."""
    event = (
        AccountEvent.objects.select_related(
            "account__region", "account__condition__agreement", "version", "actor"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    region, condition, version = event.account.region, event.account.condition, event.version

    def describe() -> tuple[Mapping[str, Any], dict[str, Any]]:
        label = f"{condition.agreement.year} {condition.code}"
        return {"region": region.name, "condition": label}, {
            "condition": condition,
            "assessments": list(
                version.assessments.select_related("requirement").order_by("requirement__number")
            ),
        }

    return send_event_mails(event, ACCOUNT_MAILS, region=region, describe=describe)


def send_account_reminders(*, today: datetime.date | None = None) -> int:
    """Remind the coordinators of every active region that has not submitted its
    written account for a condition whose report deadline is within
    ValidationSettings.reminder_days (as for treatment reports). Each (condition,
    region, coordinator) is reminded once, ever. Returns the e-mails sent now."""
    today = today or timezone.localdate()
    days = ValidationSettings.current().reminder_days
    conditions = list(
        Condition.objects.filter(
            kind=ConditionKind.DELIVERABLE,
            report_deadline__gte=today,
            report_deadline__lte=today + datetime.timedelta(days=days),
        )
        .select_related("agreement")
        .order_by("report_deadline", "sort_order")
    )
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for condition in conditions:
            submitted = set(
                AccountVersion.objects.filter(
                    account__condition=condition, submitted_at__isnull=False
                ).values_list("account__region_id", flat=True)
            )
            for region in Region.objects.filter(active=True).exclude(code__in=submitted):
                subject = _(
                    "Påminnelse: sista dag %(deadline)s för återrapportering %(condition)s"
                ) % {
                    "deadline": condition.report_deadline.isoformat()
                    if condition.report_deadline
                    else "",
                    "condition": f"{condition.agreement.year} {condition.code}",
                }
                body = (
                    render_to_string(
                        "reporting/accounts/email/reminder.txt",
                        {"region": region, "condition": condition},
                    ).strip()
                    + "\n"
                )
                for email in coordinator_emails(region):
                    sent += send_once(
                        kind=SentNotification.Kind.ACCOUNT_REMINDER,
                        recipient=email,
                        region=region,
                        subject=subject,
                        body=body,
                        condition=condition,
                    )
    log.info("account reminders: %s e-mail(s) sent", sent)
    return sent
