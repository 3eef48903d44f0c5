"""Written accounts (återrapportering) of the 2020 villkor 2: the region answers each
requirement and attaches files, FK assesses each requirement, returns or closes."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, ProgrammingError, transaction
from django.urls import reverse
from django.utils import timezone

from rehab.models import Condition
from reporting.accounts.models import (
    Account,
    AccountAttachment,
    AccountEvent,
    AccountVersion,
    AssessmentOutcome,
    RequirementAssessment,
)
from reporting.accounts.notifications import notify_account_event
from reporting.accounts.selectors import AccountState, account_states, condition_fulfilments
from reporting.accounts.services import (
    AccountError,
    InvalidTransition,
    NotAllowed,
    RequirementDecision,
    StaleDraft,
    account_assess,
    account_attach,
    account_get_or_create,
    account_open_draft,
    account_save_draft,
    account_submit,
)
from reporting.models import SentNotification
from reporting.notifications import coordinator_emails
from tests.reporting.test_filecheck import PDF_BYTES, docx_bytes

pytestmark = pytest.mark.django_db
IN_TIME = datetime.date(2020, 12, 1)
FULFILLED = RequirementDecision(AssessmentOutcome.FULFILLED)


@pytest.fixture(autouse=True)
def private_media(settings: Any, tmp_path: Any) -> Any:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    from reporting.accounts.models import private_storage

    storage = private_storage()
    for attribute in ("base_location", "location"):
        storage.__dict__.pop(attribute, None)
    yield settings.PRIVATE_MEDIA_ROOT
    for attribute in ("base_location", "location"):
        storage.__dict__.pop(attribute, None)


@pytest.fixture
def v2(ref: None) -> Condition:
    return Condition.objects.get(agreement__year=2020, code="V2")


def _draft(condition: Condition, user: Any, region: str = "01") -> AccountVersion:
    account = account_get_or_create(region=region, condition=condition, acting_user=user)
    return account_open_draft(account=account, acting_user=user)


def _submitted(condition: Condition, user: Any) -> AccountVersion:
    draft = _draft(condition, user)
    draft = account_save_draft(
        version=draft,
        answers={1: "Vi har planerat utbildning.", 2: "Nätverk för koordinatorer."},
        lock_version=draft.lock_version,
        acting_user=user,
    )
    return account_submit(
        version=draft, lock_version=draft.lock_version, acting_user=user, today=IN_TIME
    )


def test_answers_are_plain_text_paragraphs_saved_with_optimistic_locking(
    v2: Condition, coordinator: Any
) -> None:
    draft = _draft(v2, coordinator)
    assert (draft.number, draft.status, draft.lock_version) == (1, "DRAFT", 0)
    saved = account_save_draft(
        version=draft,
        answers={1: "Första stycket.  \r\n\r\n\r\n<b>Andra</b> stycket.\r\n\r\n"},
        lock_version=0,
        acting_user=coordinator,
    )
    assert saved.lock_version == 1
    assert saved.answers.get().text == "Första stycket.\n\n<b>Andra</b> stycket."
    # Someone who opened the draft at lock_version 0 does not overwrite it.
    with pytest.raises(StaleDraft):
        account_save_draft(
            version=draft, answers={1: "Gammalt"}, lock_version=0, acting_user=coordinator
        )
    assert AccountVersion.objects.get(pk=draft.pk).answers.get().text.startswith("Första")
    with pytest.raises(AccountError, match="inget krav 7"):
        account_save_draft(version=saved, answers={7: "x"}, lock_version=1, acting_user=coordinator)


def test_only_the_regions_coordinator_writes_its_account(
    v2: Condition, coordinator: Any, other_coordinator: Any, case_officer: Any
) -> None:
    with pytest.raises(NotAllowed):
        account_get_or_create(region="01", condition=v2, acting_user=other_coordinator)
    with pytest.raises(NotAllowed):
        account_get_or_create(region="01", condition=v2, acting_user=case_officer)
    draft = _draft(v2, coordinator)
    with pytest.raises(NotAllowed):
        account_save_draft(
            version=draft, answers={1: "x"}, lock_version=0, acting_user=other_coordinator
        )


def test_a_treatment_condition_has_no_written_account(ref: None, coordinator: Any) -> None:
    v3 = Condition.objects.get(agreement__year=2020, code="V3")
    with pytest.raises(AccountError, match="redovisas inte skriftligt"):
        account_get_or_create(region="01", condition=v3, acting_user=coordinator)


def test_submit_needs_every_answer_and_a_late_one_an_explanation(
    v2: Condition, coordinator: Any
) -> None:
    draft = _draft(v2, coordinator)
    draft = account_save_draft(
        version=draft, answers={1: "Svar"}, lock_version=0, acting_user=coordinator
    )
    with pytest.raises(AccountError, match="Svara på krav 2") as missing:
        account_submit(version=draft, lock_version=1, acting_user=coordinator, today=IN_TIME)
    assert missing.value.field == "answer_2"
    late = datetime.date(2020, 12, 14)
    with pytest.raises(AccountError, match="Sista dag för redovisningen var 2020-12-11"):
        account_submit(
            version=draft,
            lock_version=1,
            answers={1: "a", 2: "b"},
            acting_user=coordinator,
            today=late,
        )
    # Refused: nothing changed, not even the answers given with the refused submission.
    assert AccountVersion.objects.get(pk=draft.pk).status == "DRAFT"
    assert sorted(draft.answers.values_list("text", flat=True)) == ["Svar"]
    submitted = account_submit(
        version=draft,
        lock_version=1,
        answers={1: "a", 2: "b"},
        late_explanation="Sjukdom i projektgruppen.",
        acting_user=coordinator,
        today=late,
    )
    assert (submitted.status, submitted.submitted_late) == ("SUBMITTED", True)
    assert submitted.late_explanation == "Sjukdom i projektgruppen."


def test_fk_returns_one_requirement_and_the_region_completes_it(
    v2: Condition, coordinator: Any, case_officer: Any
) -> None:
    submitted = _submitted(v2, coordinator)
    with pytest.raises(AccountError, match="Skriv vad regionen ska komplettera i krav 2"):
        account_assess(
            version=submitted,
            decisions={1: FULFILLED, 2: RequirementDecision(AssessmentOutcome.RETURNED)},
            acting_user=case_officer,
        )
    draft = account_assess(
        version=submitted,
        decisions={
            1: FULFILLED,
            2: RequirementDecision(AssessmentOutcome.RETURNED, "Beskriv stödet närmare."),
        },
        acting_user=case_officer,
    )
    returned = AccountEvent.objects.get(version=submitted, action="RETURNED")
    assert notify_account_event(event_id=returned.pk) == 1
    assert AccountVersion.objects.get(pk=submitted.pk).status == "RETURNED"
    assert (draft.number, draft.status, draft.updated_by) == (2, "DRAFT", None)
    assert [a.text for a in draft.answers.order_by("requirement__number")] == [
        "Vi har planerat utbildning.",
        "Nätverk för koordinatorer.",
    ]
    kept = RequirementAssessment.objects.filter(version=submitted).order_by("requirement__number")
    assert [(a.outcome, a.comment, a.assessed_by) for a in kept] == [
        ("FULFILLED", "", case_officer),
        ("RETURNED", "Beskriv stödet närmare.", case_officer),
    ]
    assert mail.outbox[-1].to == coordinator_emails("01")
    assert "Beskriv stödet närmare." in mail.outbox[-1].body
    assert account_states([v2])[(v2.pk, "01")] == AccountState.RETURNED

    draft = account_save_draft(
        version=draft,
        answers={2: "Nätverk och handledning varje månad."},
        lock_version=draft.lock_version,
        acting_user=coordinator,
    )
    second = account_submit(
        version=draft, lock_version=draft.lock_version, acting_user=coordinator, today=IN_TIME
    )
    assessed = account_assess(
        version=second, decisions={1: FULFILLED, 2: FULFILLED}, acting_user=case_officer
    )
    assert (assessed.status, assessed.fulfilled) == ("ACCEPTED", True)
    assert Account.objects.get(pk=assessed.account_id).assessed_version == assessed
    fulfilment = condition_fulfilments(v2)["01"]
    assert (fulfilment.fulfilled, fulfilment.version_number) == (True, 2)
    assert account_states([v2])[(v2.pk, "01")] == AccountState.FULFILLED
    actions = list(
        AccountEvent.objects.filter(account_id=assessed.account_id).values_list("action", flat=True)
    )
    assert actions == [
        "CREATED", "SAVED", "SUBMITTED", "RETURNED", "CREATED", "SAVED", "SUBMITTED", "ASSESSED"
    ]  # fmt: skip
    # An assessed account is closed; an assessment is never changed.
    with pytest.raises(InvalidTransition):
        account_open_draft(account=assessed.account, acting_user=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        RequirementAssessment.objects.filter(version=assessed).update(comment="ändrat")


def test_one_requirement_not_fulfilled_means_the_condition_is_not(
    v2: Condition, coordinator: Any, case_officer: Any
) -> None:
    submitted = _submitted(v2, coordinator)
    with pytest.raises(AccountError, match="Motivera varför krav 2"):
        account_assess(
            version=submitted,
            decisions={1: FULFILLED, 2: RequirementDecision(AssessmentOutcome.NOT_FULFILLED)},
            acting_user=case_officer,
        )
    with pytest.raises(AccountError, match="Bedöm krav 2"):
        account_assess(version=submitted, decisions={1: FULFILLED}, acting_user=case_officer)
    assessed = account_assess(
        version=submitted,
        decisions={
            1: FULFILLED,
            2: RequirementDecision(AssessmentOutcome.NOT_FULFILLED, "Ingen planering redovisad."),
        },
        acting_user=case_officer,
    )
    assert (assessed.status, assessed.fulfilled) == ("ACCEPTED", False)
    assert account_states([v2])[(v2.pk, "01")] == AccountState.NOT_FULFILLED
    assert condition_fulfilments(v2)["01"].fulfilled is False


def test_a_submitted_version_is_never_edited(v2: Condition, coordinator: Any) -> None:
    submitted = _submitted(v2, coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        submitted.answers.update(text="ändrat i efterhand")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountVersion.objects.filter(pk=submitted.pk).update(late_explanation="x")
    with pytest.raises(InvalidTransition):
        account_save_draft(
            version=submitted,
            answers={1: "x"},
            lock_version=submitted.lock_version,
            acting_user=coordinator,
        )


def test_attachments_are_checked_by_content_and_stored_outside_the_web_root(
    v2: Condition, coordinator: Any, private_media: Any, settings: Any
) -> None:
    draft = _draft(v2, coordinator)
    attachment = account_attach(
        version=draft,
        name="C:\\Users\\a\\Redovisning V2.pdf",
        stream=io.BytesIO(PDF_BYTES),
        lock_version=0,
        acting_user=coordinator,
    )
    assert (attachment.name, attachment.kind, attachment.size) == (
        "Redovisning V2.pdf",
        "PDF",
        len(PDF_BYTES),
    )
    stored = private_media / attachment.file.name
    assert stored.read_bytes() == PDF_BYTES
    assert not str(stored).startswith(str(settings.STATIC_ROOT))
    with pytest.raises(
        AccountError, match="inte en PDF-, Word- \\(DOCX\\) eller Excelfil"
    ) as refused:
        account_attach(
            version=draft,
            name="redovisning.pdf",
            stream=io.BytesIO(b"<html>not a pdf</html>"),
            lock_version=1,
            acting_user=coordinator,
        )
    assert refused.value.code == "file_refused"
    with pytest.raises(AccountError, match="DOCX-fil men har inte ändelsen"):
        account_attach(
            version=draft,
            name="redovisning.pdf",
            stream=io.BytesIO(docx_bytes()),
            lock_version=1,
            acting_user=coordinator,
        )
    assert AccountAttachment.objects.filter(version=draft).count() == 1
    assert AccountVersion.objects.get(pk=draft.pk).lock_version == 1


def test_submission_mails_fk_once(v2: Condition, coordinator: Any, settings: Any) -> None:
    submitted = _submitted(v2, coordinator)
    event = AccountEvent.objects.get(version=submitted, action="SUBMITTED")
    assert notify_account_event(event_id=event.pk) == 1
    assert mail.outbox[0].to == [settings.FK_NOTIFICATION_EMAIL]
    assert "Återrapportering inskickad: Region Stockholm 2020 V2" in mail.outbox[0].subject
    assert notify_account_event(event_id=event.pk) == 0  # already sent
    assert SentNotification.objects.filter(account_event=event).count() == 1


# --------------------------------------------------------------------------- pages


def _url(name: str, region: str = "01", *extra: Any) -> str:
    return reverse(f"reporting:{name}", args=(region, 2020, "V2", *extra))


def test_coordinator_answers_attaches_and_submits_in_the_browser_forms(
    v2: Condition, coordinator: Any, login: Any
) -> None:
    client = login(coordinator)
    page = client.get(_url("account"))
    assert page.status_code == 200
    assert "Regionerna ska ha påbörjat planering av former för kompetensutveckling" in page.text
    saved = client.post(
        _url("account"),
        {"lock_version": 0, "answer_1": "Svar ett", "answer_2": "", "action": "save"},
    )
    assert saved.status_code == 302
    upload = io.BytesIO(PDF_BYTES)
    upload.name = "bilaga.pdf"
    attached = client.post(_url("account_attach"), {"lock_version": 1, "file": upload})
    assert attached.status_code == 302
    refused = io.BytesIO(b"MZ not a pdf")
    refused.name = "falsk.pdf"
    client.post(_url("account_attach"), {"lock_version": 2, "file": refused})
    page = client.get(_url("account"))
    assert "bilaga.pdf" in page.text
    assert "”falsk.pdf” är inte en PDF-" in page.text
    missing = client.post(
        _url("account"),
        {"lock_version": 2, "answer_1": "Svar ett", "answer_2": "", "action": "submit",
         "late_explanation": "Sent"},
    )  # fmt: skip
    assert missing.status_code == 400
    assert "Svara på krav 2" in missing.text
    done = client.post(
        _url("account"),
        {"lock_version": 2, "answer_1": "Svar ett", "answer_2": "Svar två", "action": "submit",
         "late_explanation": "Vi var sena."},
    )  # fmt: skip
    assert done.status_code == 302
    version = AccountVersion.objects.get(account__region="01", account__condition=v2)
    assert (version.status, version.late_explanation) == ("SUBMITTED", "Vi var sena.")


def test_a_stale_form_keeps_what_the_user_typed(
    v2: Condition, coordinator: Any, login: Any
) -> None:
    draft = _draft(v2, coordinator)
    account_save_draft(
        version=draft, answers={1: "Kollegans"}, lock_version=0, acting_user=coordinator
    )
    response = login(coordinator).post(
        _url("account"), {"lock_version": 0, "answer_1": "Mitt svar", "action": "save"}
    )
    assert response.status_code == 409
    assert "Mitt svar" in response.text
    assert "sparats av" in response.text
    assert AccountVersion.objects.get(pk=draft.pk).answers.get().text == "Kollegans"


def test_other_regions_get_404_on_the_account_and_its_attachments(
    v2: Condition, coordinator: Any, other_coordinator: Any, case_officer: Any, login: Any,
    client: Any,
) -> None:  # fmt: skip
    draft = _draft(v2, coordinator)
    attachment = account_attach(
        version=draft, name="a.pdf", stream=io.BytesIO(PDF_BYTES), lock_version=0,
        acting_user=coordinator,
    )  # fmt: skip
    own = login(coordinator).get(_url("account_attachment", "01", attachment.pk))
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PDF_BYTES
    assert own["Content-Type"] == "application/pdf"
    client.logout()
    other = login(other_coordinator)
    assert other.get(_url("account")).status_code == 404
    assert other.get(_url("account_attachment", "01", attachment.pk)).status_code == 404
    # Not through its own region's address either.
    assert other.get(_url("account_attachment", "03", attachment.pk)).status_code == 404
    assert other.post(_url("account"), {"lock_version": 0, "action": "save"}).status_code == 404
    client.logout()
    # FK does not see a draft's files until the account is submitted.
    fk = login(case_officer)
    assert fk.get(_url("account_attachment", "01", attachment.pk)).status_code == 404
    draft = AccountVersion.objects.get(pk=draft.pk)
    draft = account_save_draft(
        version=draft, answers={1: "a", 2: "b"}, lock_version=draft.lock_version,
        acting_user=coordinator,
    )  # fmt: skip
    account_submit(
        version=draft, lock_version=draft.lock_version, acting_user=coordinator, today=IN_TIME
    )
    assert fk.get(_url("account_attachment", "01", attachment.pk)).status_code == 200


def test_fk_assesses_on_the_assessment_page(
    v2: Condition, coordinator: Any, case_officer: Any, login: Any
) -> None:
    submitted = _submitted(v2, coordinator)
    client = login(case_officer)
    page = client.get(_url("account"))
    assert "Bedöm redovisningen" in page.text
    refused = client.post(
        _url("account_assess"),
        {"outcome_1": "FULFILLED", "outcome_2": "RETURNED", "comment_2": ""},
    )
    assert refused.status_code == 400
    assert "Skriv vad regionen ska komplettera i krav 2" in refused.text
    done = client.post(
        _url("account_assess"),
        {"outcome_1": "FULFILLED", "outcome_2": "RETURNED", "comment_2": "Mer om stödet."},
    )
    assert done.status_code == 302
    assert AccountVersion.objects.get(pk=submitted.pk).status == "RETURNED"
    page = client.get(_url("account"))
    assert "Mer om stödet." in page.text


def _submit_directly(condition: Condition, region: str, user: Any) -> None:
    account = Account.objects.create(region_id=region, condition=condition)
    version = AccountVersion.objects.create(account=account, number=1, created_by=user)
    AccountVersion.objects.filter(pk=version.pk).update(
        status="SUBMITTED", submitted_by=user, submitted_at=timezone.now()
    )


def test_fks_inbox_lists_accounts_to_assess_in_a_fixed_number_of_queries(
    v2: Condition, coordinator: Any, case_officer: Any, login: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rehab.models import Region

    client = login(case_officer)
    _submit_directly(v2, "01", coordinator)
    client.get(reverse("reporting:inbox"))
    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("reporting:inbox"))
    assert "1 återrapportering att bedöma" in page.text
    assert _url("account_assess") in page.text
    for region in Region.objects.exclude(code="01").values_list("code", flat=True):
        _submit_directly(v2, region, coordinator)
    with CaptureQueriesContext(connection) as all_regions:
        page = client.get(reverse("reporting:inbox"))
    assert "21 återrapporteringar att bedöma" in page.text
    assert len(one) == len(all_regions)


def test_the_admin_shows_accounts_read_only(
    v2: Condition, coordinator: Any, admin_user: Any, login: Any
) -> None:
    version = _submitted(v2, coordinator)
    client = login(admin_user)
    listing = client.get("/admin/reporting/account/")
    assert listing.status_code == 200
    assert "Region Stockholm" in listing.text
    page = client.get(f"/admin/reporting/accountversion/{version.pk}/change/")
    assert page.status_code == 200
    assert "Vi har planerat utbildning." in page.text
    assert 'name="_save"' not in page.text
    assert client.get("/admin/reporting/accountevent/").status_code == 200


def test_coordinators_are_reminded_once_of_an_account_not_submitted(
    v2: Condition, coordinator: Any, other_coordinator: Any
) -> None:
    from reporting.accounts.notifications import send_account_reminders

    draft = _draft(v2, other_coordinator, region="03")
    draft = account_save_draft(
        version=draft, answers={1: "a", 2: "b"}, lock_version=0, acting_user=other_coordinator
    )
    account_submit(version=draft, lock_version=1, acting_user=other_coordinator, today=IN_TIME)
    # A week before 2020-12-11 (V1, V2 and V4 are due): region 01 is reminded of all
    # three, region 03 (which submitted V2) of V1 and V4.
    assert send_account_reminders(today=datetime.date(2020, 12, 4)) == 5
    about_v2 = [m for m in mail.outbox if "återrapportering 2020 V2" in m.subject]
    assert [m.to for m in about_v2] == [[coordinator.email]]
    assert "sista dag 2020-12-11 för återrapportering 2020 V2" in about_v2[0].subject
    assert "V2 Funktion för koordinering" in about_v2[0].body
    # Never twice; and nothing outside the reminder window.
    assert send_account_reminders(today=datetime.date(2020, 12, 5)) == 0
    assert send_account_reminders(today=datetime.date(2020, 12, 1)) == 0


def test_the_account_page_shows_every_event_in_a_fixed_number_of_queries(
    v2: Condition, coordinator: Any, case_officer: Any, login: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def return_and_resubmit(version: AccountVersion) -> AccountVersion:
        draft = account_assess(
            version=version,
            decisions={1: FULFILLED, 2: RequirementDecision("RETURNED", "Mer.")},
            acting_user=case_officer,
        )
        return account_submit(
            version=draft, lock_version=draft.lock_version, acting_user=coordinator, today=IN_TIME
        )

    version = return_and_resubmit(_submitted(v2, coordinator))
    client = login(case_officer)
    client.get(_url("account"))
    with CaptureQueriesContext(connection) as two_versions:
        page = client.get(_url("account"))
    assert "Utkast sparat" in page.text
    # Returned and resubmitted again: more versions, answers, assessments and events.
    for _round in range(3):
        version = return_and_resubmit(version)
    with CaptureQueriesContext(connection) as five_versions:
        page = client.get(_url("account"))
    assert page.text.count("Återsänd för komplettering") >= 4
    assert len(two_versions) == len(five_versions)


def test_an_accounts_events_are_append_only_like_a_reports(v2: Condition, coordinator: Any) -> None:
    """Written accounts record their events through the reports' recorder
    (reporting.workflow): same actions, and the trail is never changed or removed."""
    from rehab.management.commands.app_db_role import append_only_tables
    from reporting.models import ReportEvent

    submitted = _submitted(v2, coordinator)
    event = AccountEvent.objects.get(version=submitted, action="SUBMITTED")
    assert (event.actor, event.api_token) == (coordinator, None)
    assert AccountEvent.Action is ReportEvent.Action
    with pytest.raises(ProgrammingError, match="Cannot update"), transaction.atomic():
        AccountEvent.objects.filter(pk=event.pk).update(note="ändrat")
    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        AccountEvent.objects.filter(pk=event.pk).delete()
    assert AccountEvent.objects.get(pk=event.pk).note == ""
    assert "reporting_accountevent" in append_only_tables()


def test_fks_assessment_is_written_once_with_the_move(
    v2: Condition, coordinator: Any, case_officer: Any
) -> None:
    """The reports' freeze trigger (reporting.workflow.version_frozen_after_draft):
    FK's decision is written only with the move out of SUBMITTED, never after."""
    submitted = _submitted(v2, coordinator)
    with (
        pytest.raises(IntegrityError, match="a decision is never edited"),
        transaction.atomic(),
    ):
        AccountVersion.objects.filter(pk=submitted.pk).update(decided_by=case_officer)
    assessed = account_assess(
        version=submitted, decisions={1: FULFILLED, 2: FULFILLED}, acting_user=case_officer
    )
    assert (assessed.decided_by, assessed.fulfilled) == (case_officer, True)
    with (
        pytest.raises(IntegrityError, match="a decision is never edited"),
        transaction.atomic(),
    ):
        AccountVersion.objects.filter(pk=assessed.pk).update(fulfilled=False)
    with pytest.raises(IntegrityError, match="never edited"), transaction.atomic():
        AccountVersion.objects.filter(pk=assessed.pk).update(status="SUPERSEDED")
    assert AccountVersion.objects.get(pk=assessed.pk).fulfilled is True
