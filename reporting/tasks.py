"""Background tasks of reporting (thin: they call reporting.notifications).
Both are safe to run twice: what was sent is recorded in SentNotification."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task

from . import notifications

log = logging.getLogger(__name__)


@shared_task(name="reporting.tasks.send_report_notification")
def send_report_notification(event_id: int) -> int:
    """E-mail about a report's status change (ReportEvent id); returns e-mails sent."""
    return notifications.notify_report_event(event_id=event_id)


@shared_task(name="reporting.tasks.send_deadline_reminders")
def send_deadline_reminders(today: str | None = None) -> int:
    """Remind coordinators of deadlines within a week (scheduled daily by Celery beat;
    `today` as "YYYY-MM-DD" overrides the date). Returns e-mails sent."""
    from .accounts.notifications import send_account_reminders

    day = datetime.date.fromisoformat(today) if today else None
    # Treatment reports' periods and written accounts' conditions alike.
    return notifications.send_deadline_reminders(today=day) + send_account_reminders(today=day)


@shared_task(name="reporting.tasks.send_account_notification")
def send_account_notification(event_id: int) -> int:
    """E-mail about a written account's status change (AccountEvent id)."""
    from .accounts.notifications import notify_account_event

    return notify_account_event(event_id=event_id)
