"""E-mails about written accounts, through the same machinery as treatment
reports (reporting.notifications): to FK when an account is submitted, to the
region's coordinators when it is returned or assessed; each recorded once per
event and recipient in SentNotification (safe to run twice)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import SentNotification
from ..notifications import _actor_name, _send_once, coordinator_emails
from .models import AccountEvent

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
