"""Everything that changes a written account: drafts, attachments, submission and
FK's assessment of each requirement.

The same rules as treatment reports (reporting.services), through the same
helpers: permissions through rehab.permissions (VIEW/EDIT/REVIEW_REPORTS, the
region scope), the status moves of reporting.enums.TRANSITIONS, optimistic
locking of drafts, one transaction and a row lock per action, an event per
action and e-mails through a Celery task enqueued on commit.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rehab.enums import ConditionKind
from rehab.models import Condition, ConditionRequirement, Region, User
from rehab.permissions import Action

from ..enums import VersionStatus
from ..filecheck import FileRefused, attachment_check
from ..workflow import (
    InvalidTransition,
    NotAllowed,
    ReportError,
    StaleDraft,
    check_lock,
    check_transition,
    get_or_create_for_region,
    move,
    notify_on_commit,
    record_event,
    require,
)
from .models import (
    Account,
    AccountAnswer,
    AccountAttachment,
    AccountEvent,
    AccountVersion,
    AssessmentOutcome,
    RequirementAssessment,
)

__all__ = [
    "AccountError",
    "InvalidTransition",
    "NotAllowed",
    "RequirementDecision",
    "StaleDraft",
    "account_assess",
    "account_attach",
    "account_detach",
    "account_get_or_create",
    "account_is_late",
    "account_open_draft",
    "account_save_draft",
    "account_submit",
]


class AccountError(ReportError):
    default_code = "account_error"


def _locked(version: AccountVersion) -> AccountVersion:
    return (
        AccountVersion.objects.select_for_update()
        .select_related("account__region", "account__condition__agreement")
        .get(pk=version.pk)
    )


def _event(version: AccountVersion, action: str, actor: User, note: str = "") -> AccountEvent:
    event: AccountEvent = record_event(AccountEvent, version, action, actor, note)
    return event


def _requirements(condition: Condition) -> list[ConditionRequirement]:
    return list(condition.requirements.order_by("number"))


def _copy_content(source: AccountVersion, target: AccountVersion) -> None:
    AccountAnswer.objects.bulk_create(
        AccountAnswer(version=target, requirement_id=a.requirement_id, text=a.text)
        for a in source.answers.all()
    )
    AccountAttachment.objects.bulk_create(
        AccountAttachment(
            version=target,
            file=a.file.name,
            name=a.name,
            kind=a.kind,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            uploaded_by_id=a.uploaded_by_id,
            uploaded_at=a.uploaded_at,
        )
        for a in source.attachments.all()
    )


def _new_version(account: Account, *, acting_user: User, saved: bool = True) -> AccountVersion:
    last = account.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return AccountVersion.objects.create(
        account=account,
        number=last + 1,
        status=VersionStatus.DRAFT,
        created_by=acting_user,
        updated_by=acting_user if saved else None,
    )


def _clean_text(text: str) -> str:
    """Plain text with paragraphs: line endings made \\n, trailing spaces and more
    than one blank line between paragraphs removed. Nothing is interpreted as HTML
    (templates escape it when shown)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


# --------------------------------------------------------------------------- services


def account_get_or_create(
    *, region: Region | str, condition: Condition, acting_user: User
) -> Account:
    """The region's written account for a DELIVERABLE condition. Creating one needs
    the right to edit the region's reports; reading an existing one the right to
    view them. Effects: may create an Account (no version yet)."""
    code = region.code if isinstance(region, Region) else region
    if condition.kind != ConditionKind.DELIVERABLE:
        raise AccountError(
            _("Villkoret %(code)s redovisas inte skriftligt.") % {"code": condition.code},
            code="not_deliverable",
        )
    account: Account = get_or_create_for_region(
        Account, region=code, acting_user=acting_user, condition=condition
    )
    return account


@transaction.atomic
def account_open_draft(*, account: Account, acting_user: User) -> AccountVersion:
    """The account's current draft, creating version 1 if it has none.
    Effects: may create AccountVersion 1 (DRAFT) and a CREATED event.
    Raises InvalidTransition(code="no_open_draft") when the latest version is
    submitted or assessed."""
    require(acting_user, Action.EDIT_REPORTS, account.region_id)
    account = Account.objects.select_for_update().get(pk=account.pk)
    latest = account.versions.order_by("-number").first()
    if latest is None:
        version = _new_version(account, acting_user=acting_user)
        _event(version, AccountEvent.Action.CREATED, acting_user)
        return version
    if latest.status == VersionStatus.DRAFT:
        return latest
    if latest.status == VersionStatus.SUBMITTED:
        message = _("Redovisningen är inskickad och bedöms av Försäkringskassan.")
    else:
        message = _("Redovisningen är bedömd av Försäkringskassan.")
    raise InvalidTransition(message, code="no_open_draft")


def _draft_for_edit(
    version: AccountVersion, lock_version: int, acting_user: User
) -> AccountVersion:
    version = _locked(version)
    require(acting_user, Action.EDIT_REPORTS, version.account.region_id)
    if version.status != VersionStatus.DRAFT:
        raise InvalidTransition(_("Bara ett utkast kan ändras."), code="not_draft")
    check_lock(version, lock_version)
    return version


def _write_answers(version: AccountVersion, answers: Mapping[int, str]) -> None:
    requirements = {r.number: r for r in _requirements(version.account.condition)}
    unknown = sorted(set(answers) - set(requirements))
    if unknown:
        raise AccountError(
            _("Villkoret har inget krav %(numbers)s.")
            % {"numbers": ", ".join(str(n) for n in unknown)},
            code="unknown_requirement",
            field="answers",
        )
    existing = {a.requirement_id: a for a in version.answers.all()}
    for number, text in sorted(answers.items()):
        requirement = requirements[number]
        answer = existing.get(requirement.pk)
        cleaned = _clean_text(text)
        if answer is None:
            AccountAnswer.objects.create(version=version, requirement=requirement, text=cleaned)
        elif answer.text != cleaned:
            answer.text = cleaned
            answer.save(update_fields=["text"])


def _bump(version: AccountVersion, acting_user: User) -> None:
    version.lock_version += 1
    version.updated_by = acting_user
    version.save(update_fields=["lock_version", "updated_by", "updated_at"])


@transaction.atomic
def account_save_draft(
    *,
    version: AccountVersion,
    answers: Mapping[int, str],
    lock_version: int,
    acting_user: User,
) -> AccountVersion:
    """Save the answers ({requirement number: text}) of a draft.
    Effects: answers replaced, lock_version + 1, updated_by/at, SAVED event.
    Refused (nothing saved): StaleDraft if someone saved the draft since
    `lock_version`; InvalidTransition if it is not a draft; AccountError for an
    unknown requirement."""
    version = _draft_for_edit(version, lock_version, acting_user)
    _write_answers(version, answers)
    _bump(version, acting_user)
    _event(version, AccountEvent.Action.SAVED, acting_user)
    return version


@transaction.atomic
def account_attach(
    *,
    version: AccountVersion,
    name: str,
    stream: IO[bytes],
    lock_version: int,
    acting_user: User,
) -> AccountAttachment:
    """Attach a file to a draft after checking its content (reporting.filecheck).
    Effects: the file stored under PRIVATE_MEDIA_ROOT, an AccountAttachment,
    lock_version + 1, ATTACHED event. Refused (nothing stored): AccountError
    (code "file_refused") with the checker's message, StaleDraft, InvalidTransition."""
    version = _draft_for_edit(version, lock_version, acting_user)
    base_name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    try:
        checked = attachment_check(name=base_name, stream=stream)
    except FileRefused as refused:
        raise AccountError(refused.message, code="file_refused", field="file") from None
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    attachment = AccountAttachment(
        version=version,
        name=base_name,
        kind=checked.kind,
        content_type=checked.content_type,
        size=checked.size,
        sha256=digest.hexdigest(),
        uploaded_by=acting_user,
        uploaded_at=timezone.now(),
    )
    extension = {"PDF": "pdf", "DOCX": "docx", "XLSX": "xlsx"}[checked.kind]
    # Stored under a name of our own (the region's file name is only shown).
    attachment.file.save(f"{digest.hexdigest()[:16]}.{extension}", File(stream), save=False)
    attachment.save()
    _bump(version, acting_user)
    _event(version, AccountEvent.Action.ATTACHED, acting_user, base_name)
    return attachment


@transaction.atomic
def account_detach(
    *, attachment: AccountAttachment, lock_version: int, acting_user: User
) -> AccountVersion:
    """Remove an attachment from a draft (the stored file is kept: an earlier
    version may refer to it). Effects: lock_version + 1, DETACHED event."""
    version = _draft_for_edit(attachment.version, lock_version, acting_user)
    name = attachment.name
    AccountAttachment.objects.filter(pk=attachment.pk, version=version).delete()
    _bump(version, acting_user)
    _event(version, AccountEvent.Action.DETACHED, acting_user, name)
    return version


def account_is_late(condition: Condition, today: datetime.date) -> bool:
    return condition.report_deadline is not None and today > condition.report_deadline


@transaction.atomic
def account_submit(
    *,
    version: AccountVersion,
    lock_version: int,
    answers: Mapping[int, str] | None = None,
    late_explanation: str = "",
    acting_user: User,
    today: datetime.date | None = None,
) -> AccountVersion:
    """Submit a draft to FK (saving `answers` first when given).
    Effects: status SUBMITTED with submitted_by/at and submitted_late (after the
    condition's report deadline); lock_version + 1; SUBMITTED event; e-mail to FK
    (Celery, on commit). Refused (nothing changed): StaleDraft; AccountError
    code "answer_missing" (field "answer_N") when a requirement has no answer,
    code "explanation_missing" when it is late and not explained."""
    version = _draft_for_edit(version, lock_version, acting_user)
    check_transition(version, VersionStatus.SUBMITTED)
    if answers is not None:
        _write_answers(version, answers)
    condition = version.account.condition
    given = {a.requirement_id: a.text for a in version.answers.all()}
    for requirement in _requirements(condition):
        if not given.get(requirement.pk, "").strip():
            raise AccountError(
                _("Svara på krav %(number)s innan redovisningen skickas in.")
                % {"number": requirement.number},
                code="answer_missing",
                field=f"answer_{requirement.number}",
            )
    today = today or timezone.localdate()
    late = account_is_late(condition, today)
    if late and not late_explanation.strip():
        raise AccountError(
            _("Sista dag för redovisningen var %(deadline)s. Förklara varför den skickas in sent.")
            % {
                "deadline": condition.report_deadline.isoformat()
                if condition.report_deadline
                else ""
            },
            code="explanation_missing",
            field="late_explanation",
        )
    now = timezone.now()
    move(
        version,
        VersionStatus.SUBMITTED,
        submitted_by=acting_user,
        submitted_at=now,
        submitted_late=late,
        late_explanation=late_explanation.strip() if late else "",
        lock_version=version.lock_version + 1,
        updated_by=acting_user,
        updated_at=now,
    )
    event = _event(version, AccountEvent.Action.SUBMITTED, acting_user)
    notify_on_commit(event)
    return version


@dataclass(frozen=True)
class RequirementDecision:
    outcome: str  # AssessmentOutcome
    comment: str = ""


@transaction.atomic
def account_assess(
    *,
    version: AccountVersion,
    decisions: Mapping[int, RequirementDecision],
    acting_user: User,
) -> AccountVersion:
    """FK's case officer assesses every requirement of a submitted version.

    `decisions` maps each requirement number to FULFILLED, NOT_FULFILLED (a reason
    is required) or RETURNED (a comment to the region is required).
    Effects: one RequirementAssessment per requirement (who, when, reason). If any
    requirement is RETURNED: the version -> RETURNED, a RETURNED event and a NEW
    DRAFT copied from it (answers and attachments), returned. Otherwise the version
    -> ACCEPTED ("bedömd") with fulfilled = every requirement fulfilled,
    Account.assessed_version set, an ASSESSED event. E-mail to the region's
    coordinators either way (on commit). Refused (nothing changed) when a
    requirement lacks a decision or a required comment."""
    version = _locked(version)
    account = Account.objects.select_for_update().get(pk=version.account_id)
    require(acting_user, Action.REVIEW_REPORTS, account.region_id)
    requirements = _requirements(version.account.condition)
    returned = any(d.outcome == AssessmentOutcome.RETURNED for d in decisions.values())
    check_transition(version, VersionStatus.RETURNED if returned else VersionStatus.ACCEPTED)
    numbers = {r.number for r in requirements}
    unknown = sorted(set(decisions) - numbers)
    if unknown:
        raise AccountError(
            _("Villkoret har inget krav %(numbers)s.")
            % {"numbers": ", ".join(str(n) for n in unknown)},
            code="unknown_requirement",
            field="decisions",
        )
    for requirement in requirements:
        decision = decisions.get(requirement.number)
        if decision is None or decision.outcome not in AssessmentOutcome.values:
            raise AccountError(
                _("Bedöm krav %(number)s.") % {"number": requirement.number},
                code="decision_missing",
                field=f"outcome_{requirement.number}",
            )
        if decision.outcome != AssessmentOutcome.FULFILLED and not decision.comment.strip():
            message = (
                _("Skriv vad regionen ska komplettera i krav %(number)s.")
                if decision.outcome == AssessmentOutcome.RETURNED
                else _("Motivera varför krav %(number)s inte är uppfyllt.")
            )
            raise AccountError(
                message % {"number": requirement.number},
                code="comment_required",
                field=f"comment_{requirement.number}",
            )
    now = timezone.now()
    RequirementAssessment.objects.bulk_create(
        RequirementAssessment(
            version=version,
            requirement=requirement,
            outcome=decisions[requirement.number].outcome,
            comment=decisions[requirement.number].comment.strip(),
            assessed_by=acting_user,
            assessed_at=now,
        )
        for requirement in requirements
    )
    if returned:
        move(version, VersionStatus.RETURNED, decided_by=acting_user, decided_at=now)
        event = _event(version, AccountEvent.Action.RETURNED, acting_user)
        draft = _new_version(account, acting_user=acting_user, saved=False)
        _copy_content(version, draft)
        _event(
            draft,
            AccountEvent.Action.CREATED,
            acting_user,
            _("Nytt utkast efter att version %(number)s återsändes.") % {"number": version.number},
        )
        notify_on_commit(event)
        return draft
    fulfilled = all(
        decisions[r.number].outcome == AssessmentOutcome.FULFILLED for r in requirements
    )
    move(
        version,
        VersionStatus.ACCEPTED,
        decided_by=acting_user,
        decided_at=now,
        fulfilled=fulfilled,
    )
    account.assessed_version = version
    account.save(update_fields=["assessed_version"])
    event = _event(
        version,
        AccountEvent.Action.ASSESSED,
        acting_user,
        _("Villkoret uppfyllt.") if fulfilled else _("Villkoret inte uppfyllt."),
    )
    notify_on_commit(event)
    return version
