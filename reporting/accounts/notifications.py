"""E-mails about written accounts, through the same machinery as treatment
reports (reporting.notifications): to FK when an account is submitted, to the
region's coordinators when it is returned or assessed; each recorded once per
event and recipient in SentNotification (safe to run twice)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rehab.enums import ConditionKind
from rehab.models import Condition, Region

from ..models import SentNotification, ValidationSettings
from ..notifications import _actor_name, _send_once, coordinator_emails
from .models import AccountEvent, AccountVersion

log = logging.getLogger(__name__)

EVENT_KINDS = {
    AccountEvent.Action.SUBMITTED: SentNotification.Kind.SUBMITTED,
    AccountEvent.Action.RETURNED: SentNotification.Kind.RETURNED,
    AccountEvent.Action.ASSESSED: SentNotification.Kind.ASSESSED,
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
    if event is None or event.action not in EVENT_KINDS:
        return 0
    kind = EVENT_KINDS[AccountEvent.Action(event.action)]
    account, version = event.account, event.version
    region, condition = account.region, account.condition
    label = f"{condition.agreement.year} {condition.code}"
    with translation.override(settings.LANGUAGE_CODE):
        context: dict[str, Any] = {
            "event": event,
            "version": version,
            "region": region,
            "condition": condition,
            "actor_name": _actor_name(event.actor),
            "assessments": list(
                version.assessments.select_related("requirement").order_by("requirement__number")
            ),
        }
        if kind == SentNotification.Kind.SUBMITTED:
            recipients = [settings.FK_NOTIFICATION_EMAIL]
            subject = _("Återrapportering inskickad: %(region)s %(condition)s") % {
                "region": region.name,
                "condition": label,
            }
            template = "reporting/accounts/email/submitted.txt"
        elif kind == SentNotification.Kind.RETURNED:
            recipients = coordinator_emails(region)
            subject = _("Återrapporteringen för %(condition)s ska kompletteras") % {
                "condition": label
            }
            template = "reporting/accounts/email/returned.txt"
        else:
            recipients = coordinator_emails(region)
            subject = _("Återrapporteringen för %(condition)s är bedömd") % {"condition": label}
            template = "reporting/accounts/email/assessed.txt"
        body = render_to_string(template, context).strip() + "\n"
    sent = 0
    for recipient in recipients:
        sent += _send_once(
            kind=kind,
            recipient=recipient,
            region=region,
            period=None,
            subject=subject,
            body=body,
            account_event=event,
        )
    log.info("account event %s: %s e-mail(s) sent", event_id, sent)
    return sent


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
                    try:
                        with transaction.atomic():
                            SentNotification.objects.create(
                                kind=SentNotification.Kind.ACCOUNT_REMINDER,
                                condition=condition,
                                region=region,
                                recipient=email,
                                subject=subject,
                            )
                            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
                    except IntegrityError:
                        continue  # reminded before
                    sent += 1
    log.info("account reminders: %s e-mail(s) sent", sent)
    return sent
