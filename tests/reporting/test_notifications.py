"""E-mails about reports, sent by a real Celery worker: to FK on submission, to the
region's coordinators on return and acceptance, and deadline reminders that go
out once however often the task runs."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from rehab.enums import Role
from rehab.models import ReportingPeriod, WorkerHeartbeat
from rehab.tasks import worker_heartbeat
from reporting.figures import Figures
from reporting.models import ReportEvent, SentNotification
from reporting.services import (
    report_accept,
    report_get_or_create,
    report_open_draft,
    report_return,
    report_save_draft,
    report_submit,
)
from reporting.tasks import send_deadline_reminders, send_report_notification
from tests.conftest import wait_for
from tests.factories import UserFactory, report_version

OPEN_DAY = datetime.date(2021, 3, 1)


def drain(marker):
    """Wait until the worker has run everything queued before now (one solo worker
    takes tasks in order): queue a heartbeat and wait for it."""
    worker_heartbeat.delay(marker)
    wait_for(lambda: WorkerHeartbeat.objects.filter(hostname=marker).exists())


def submit_q4(user):
    report = report_get_or_create(
        region="01",
        period=ReportingPeriod.objects.get(agreement__year=2020),
        acting_user=user,
    )
    version = report_open_draft(report=report, acting_user=user)
    version = report_save_draft(
        version=version,
        figures=Figures(series={("KBT", "F", "PUBLIC"): 10}),
        lock_version=0,
        acting_user=user,
    )
    return report_submit(
        version=version,
        lock_version=1,
        explanations={},
        eligibility_confirmed=True,
        acting_user=user,
        today=OPEN_DAY,
    )


@pytest.mark.django_db(transaction=True)
def test_submit_emails_fk_once(celery_worker, coordinator, other_coordinator):
    version = submit_q4(coordinator)
    wait_for(lambda: len(mail.outbox) == 1)
    [message] = mail.outbox
    assert message.to == [settings.FK_NOTIFICATION_EMAIL]
    assert message.subject == "Rapport inskickad: Region Stockholm 2020"
    assert "Region Stockholm har skickat in sin rapport för 2020 (version 1)." in message.body
    event = ReportEvent.objects.get(version=version, action="SUBMITTED")
    # The e-mail leaves inside the transaction that records it; wait for the commit.
    wait_for(lambda: SentNotification.objects.exists())
    assert list(SentNotification.objects.values_list("kind", "event", "recipient")) == [
        ("SUBMITTED", event.pk, settings.FK_NOTIFICATION_EMAIL)
    ]
    # The same task again (a retry, a duplicate delivery) sends nothing more.
    send_report_notification.delay(event.pk)
    drain("efter-dubblett")
    assert len(mail.outbox) == 1
    assert SentNotification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_return_and_accept_email_the_regions_coordinators(
    celery_worker, coordinator, other_coordinator, viewer, case_officer
):
    UserFactory(
        username="samordnare01b", role=Role.REGION_COORDINATOR, region_id="01", email="b@region.se"
    )
    version = submit_q4(coordinator)
    wait_for(lambda: len(mail.outbox) == 1)
    draft = report_return(
        version=version,
        comment="KBT för kvinnor saknar privata vårdgivare.",
        flagged_cells=["KBT:F:PRIVATE", "AF_CONTACT:M"],
        acting_user=case_officer,
    )
    wait_for(lambda: len(mail.outbox) == 3)
    returned = mail.outbox[1:]
    assert sorted(m.to[0] for m in returned) == ["b@region.se", "samordnare01@example.se"]
    assert {m.subject for m in returned} == {"Rapporten för 2020 har återsänts"}
    assert returned[0].body == (
        "Hej!\n\n"
        "Försäkringskassan har återsänt rapporten för Region Stockholm 2020 (version 1).\n\n"
        f"Kommentar från {case_officer.get_full_name()}:\n"
        "KBT för kvinnor saknar privata vårdgivare.\n\n"
        "Uppgifter att se över: KBT, kvinnor, privat; Kontakter med Arbetsförmedlingen, män\n\n"
        "Ett nytt utkast med samma siffror finns i Rehab. Rätta det och skicka in igen.\n\n"
        "Det här meddelandet skickades automatiskt.\n"
    )
    draft = report_submit(
        version=draft,
        lock_version=0,
        explanations={},
        eligibility_confirmed=True,
        acting_user=coordinator,
        today=OPEN_DAY,
    )
    wait_for(lambda: len(mail.outbox) == 4)
    report_accept(version=draft, acting_user=case_officer, comment="Tack!")
    wait_for(lambda: len(mail.outbox) == 6)
    accepted = mail.outbox[4:]
    assert sorted(m.to[0] for m in accepted) == ["b@region.se", "samordnare01@example.se"]
    assert {m.subject for m in accepted} == {"Rapporten för 2020 har godkänts"}
    drain("efter-godkännande")
    # Nobody outside region 01 heard of it; the viewer gets no e-mail.
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {settings.FK_NOTIFICATION_EMAIL, "b@region.se", "samordnare01@example.se"}
    assert list(
        SentNotification.objects.order_by("kind").values_list("kind", flat=True).distinct()
    ) == ["ACCEPTED", "RETURNED", "SUBMITTED"]


@pytest.mark.django_db(transaction=True)
def test_deadline_reminders_sent_once(celery_worker, coordinator, other_coordinator):
    # The yearly 2020 is due 2021-08-15; say 2019's report was due the same day (a
    # postponement) so that a reminder lists two reports. Region 03 has submitted 2019.
    ReportingPeriod.objects.filter(agreement__year=2019).update(deadline=datetime.date(2021, 8, 15))
    report_version(region="03", year=2019, user=other_coordinator, status="SUBMITTED")
    # 8 days before: nothing yet.
    send_deadline_reminders.delay("2021-08-07")
    drain("för-tidigt")
    assert mail.outbox == []

    send_deadline_reminders.delay("2021-08-08")
    wait_for(lambda: len(mail.outbox) == 2)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == ["samordnare01@example.se", "samordnare03@example.se"]
    stockholm = by_recipient["samordnare01@example.se"]
    assert stockholm.subject == "Påminnelse: sista dag 2021-08-15 för rapport från Region Stockholm"
    assert stockholm.body == (
        "Hej!\n\n"
        "Region Stockholm har ännu inte skickat in rapporterna för:\n\n"
        "- 2019, sista dag 2021-08-15\n"
        "- 2020, sista dag 2021-08-15\n\n"
        "Rapportera i Rehab, i webbläsaren eller genom att ladda upp en fil.\n\n"
        "Det här meddelandet skickades automatiskt.\n"
    )
    assert "- 2020, sista dag 2021-08-15\n\n" in by_recipient["samordnare03@example.se"].body
    assert "2019" not in by_recipient["samordnare03@example.se"].body

    # Run again the same day and the next: nobody gets the same reminder twice.
    send_deadline_reminders.delay("2021-08-08")
    send_deadline_reminders.delay("2021-08-09")
    drain("efter-påminnelser")
    assert len(mail.outbox) == 2
    assert SentNotification.objects.filter(kind="REMINDER").count() == 2 + 1

    # A coordinator who joins later is reminded of what is still missing.
    UserFactory(
        username="ny03", role=Role.REGION_COORDINATOR, region_id="03", email="ny03@region.se"
    )
    send_deadline_reminders.delay("2021-08-10")
    wait_for(lambda: len(mail.outbox) == 3)
    assert mail.outbox[2].to == ["ny03@region.se"]
