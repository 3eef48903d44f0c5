"""Pages of written accounts: the region's form (answers, attachments, submission),
the read-only account with every version and assessment, FK's assessment, and the
attachment download (region scope checked; 404 for other regions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rehab.enums import REGION_ROLES, ConditionKind
from rehab.models import Condition, ConditionRequirement, Region
from rehab.permissions import Action, can, require, role_of

from ..enums import VersionStatus
from ..services import ReportError, StaleDraft
from ..views.common import days_left_text
from ..workflow import visible_versions
from .forms import AccountForm, AssessForm, AttachForm
from .models import Account, AccountAttachment, AccountVersion
from .selectors import account_state
from .services import (
    RequirementDecision,
    account_assess,
    account_attach,
    account_detach,
    account_get_or_create,
    account_is_late,
    account_open_draft,
    account_save_draft,
    account_submit,
)


@dataclass
class AccountPlace:
    """A region × condition, and its account if one exists yet."""

    region: Region
    condition: Condition
    account: Account | None

    @property
    def args(self) -> tuple[str, int, str]:
        return (self.region.code, self.condition.agreement.year, self.condition.code)

    def url(self, name: str, *extra: Any) -> str:
        return reverse(f"reporting:{name}", args=(*self.args, *extra))

    def requirements(self) -> list[ConditionRequirement]:
        return list(self.condition.requirements.order_by("number"))

    def versions(self) -> list[AccountVersion]:
        if self.account is None:
            return []
        return list(
            self.account.versions.select_related(
                "created_by", "updated_by", "submitted_by", "decided_by"
            )
            .prefetch_related("answers", "attachments", "assessments__assessed_by")
            .order_by("number")
        )


def account_place(
    user: Any, region: str, year: int, code: str, action: Action = Action.VIEW_REPORTS
) -> AccountPlace:
    """The region × condition if `user` may `action` that region's reports; 404
    otherwise (other regions' accounts do not exist for a coordinator)."""
    require(user, action, region)
    region_obj = get_object_or_404(Region, code=region)
    condition = get_object_or_404(
        Condition.objects.select_related("agreement"),
        agreement__year=year,
        code=code,
        kind=ConditionKind.DELIVERABLE,
    )
    account = Account.objects.filter(region=region_obj, condition=condition).first()
    return AccountPlace(region_obj, condition, account)


def _version_rows(
    version: AccountVersion, requirements: list[ConditionRequirement]
) -> list[dict[str, Any]]:
    answers = {a.requirement_id: a.text for a in version.answers.all()}
    assessments = {a.requirement_id: a for a in version.assessments.all()}
    return [
        {
            "requirement": r,
            "answer": answers.get(r.pk, ""),
            "assessment": assessments.get(r.pk),
        }
        for r in requirements
    ]


def _common(place: AccountPlace, versions: list[AccountVersion], user: Any) -> dict[str, Any]:
    requirements = place.requirements()
    visible = visible_versions(user, versions)
    state = account_state(versions)
    history = [{"version": v, "rows": _version_rows(v, requirements)} for v in reversed(visible)]
    today = timezone.localdate()
    deadline = place.condition.report_deadline
    return {
        "place": place,
        "condition": place.condition,
        "requirements": requirements,
        "history": history,
        "state": state,
        "state_label": state.label,
        "late": account_is_late(place.condition, today),
        "days_left": days_left_text(deadline, today) if deadline else "",
    }


def _form_page(
    request: HttpRequest,
    place: AccountPlace,
    versions: list[AccountVersion],
    *,
    form: AccountForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _common(place, versions, request.user)
    draft = versions[-1] if versions else None
    previous = versions[-2] if len(versions) > 1 else None
    returned = (
        previous if previous is not None and previous.status == VersionStatus.RETURNED else None
    )
    requirements = context["requirements"]
    if form is None:
        answers = {a.requirement_id: a.text for a in draft.answers.all()} if draft else {}
        form = AccountForm(
            initial={
                "lock_version": draft.lock_version if draft else 0,
                **{f"answer_{r.number}": answers.get(r.pk, "") for r in requirements},
            },
            requirements=requirements,
        )
    returned_rows = (
        {row["requirement"].pk: row["assessment"] for row in _version_rows(returned, requirements)}
        if returned
        else {}
    )
    context.update(
        {
            "draft": draft,
            "returned": returned,
            "form": form,
            "fields": [
                {"requirement": r, "field": f, "returned": returned_rows.get(r.pk)}
                for r, f in form.answer_fields()
            ],
            "attach_form": AttachForm(initial={"lock_version": draft.lock_version if draft else 0}),
            "attachments": list(draft.attachments.all()) if draft else [],
        }
    )
    return render(request, "reporting/accounts/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest, region: str, year: int, code: str) -> HttpResponse:
    """A region's written account for a condition: the form while the coordinator
    has a draft (or none yet), otherwise the versions read-only."""
    if request.method == "POST":
        return _save(request, account_place(request.user, region, year, code, Action.EDIT_REPORTS))
    place = account_place(request.user, region, year, code)
    versions = place.versions()
    latest = versions[-1] if versions else None
    if can(request.user, Action.EDIT_REPORTS, place.region) and (
        latest is None or latest.status == VersionStatus.DRAFT
    ):
        return _form_page(request, place, versions)
    context = _common(place, versions, request.user)
    context["can_assess"] = (
        can(request.user, Action.REVIEW_REPORTS, place.region)
        and latest is not None
        and latest.status == VersionStatus.SUBMITTED
    )
    context["in_progress"] = bool(versions) and not context["history"]
    context["events"] = (
        list(place.account.events.select_related("actor", "version").order_by("at", "pk"))
        if place.account is not None and context["history"]
        else []
    )
    return render(request, "reporting/accounts/account.html", context)


def _save(request: HttpRequest, place: AccountPlace) -> HttpResponse:
    requirements = place.requirements()
    form = AccountForm(request.POST, requirements=requirements)
    versions = place.versions()
    if not form.is_valid():
        return _form_page(request, place, versions, form=form, status=400)
    submit = request.POST.get("action") == "submit"
    user: Any = request.user
    try:
        acc = place.account or account_get_or_create(
            region=place.region, condition=place.condition, acting_user=user
        )
        draft = account_open_draft(account=acc, acting_user=user)
        lock = form.cleaned_data["lock_version"]
        if submit:
            account_submit(
                version=draft,
                lock_version=lock,
                answers=form.answers(),
                late_explanation=form.cleaned_data.get("late_explanation") or "",
                acting_user=user,
            )
            messages.success(request, _("Redovisningen är inskickad till Försäkringskassan."))
        else:
            account_save_draft(
                version=draft, answers=form.answers(), lock_version=lock, acting_user=user
            )
            messages.success(request, _("Utkastet är sparat."))
    except StaleDraft as stale:
        form.add_error(None, stale.message)
        place.account = (
            Account.objects.filter(pk=place.account.pk).first() if place.account else None
        )
        return _form_page(request, place, place.versions(), form=form, status=409)
    except ReportError as error:
        if error.field and error.field in form.fields:
            form.add_error(error.field, error.message)
        else:
            form.add_error(None, error.message)
        if place.account is None:
            place.account = Account.objects.filter(
                region=place.region, condition=place.condition
            ).first()
        return _form_page(request, place, place.versions(), form=form, status=400)
    return redirect(place.url("account"))


@login_required
@require_POST
def attach(request: HttpRequest, region: str, year: int, code: str) -> HttpResponse:
    place = account_place(request.user, region, year, code, Action.EDIT_REPORTS)
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Välj en fil att bifoga."))
        return redirect(place.url("account"))
    upload = form.cleaned_data["file"]
    user: Any = request.user
    try:
        acc = place.account or account_get_or_create(
            region=place.region, condition=place.condition, acting_user=user
        )
        draft = account_open_draft(account=acc, acting_user=user)
        account_attach(
            version=draft,
            name=upload.name,
            stream=upload.file,
            lock_version=form.cleaned_data["lock_version"],
            acting_user=user,
        )
    except ReportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Filen ”%(name)s” är bifogad.") % {"name": upload.name})
    return redirect(place.url("account"))


@login_required
@require_POST
def detach(request: HttpRequest, region: str, year: int, code: str, pk: int) -> HttpResponse:
    place = account_place(request.user, region, year, code, Action.EDIT_REPORTS)
    attachment = get_object_or_404(
        AccountAttachment, pk=pk, version__account=place.account, version__status="DRAFT"
    )
    user: Any = request.user
    try:
        lock = int(request.POST.get("lock_version", ""))
        account_detach(attachment=attachment, lock_version=lock, acting_user=user)
    except ValueError:
        messages.error(request, _("Ladda om sidan och försök igen."))
    except ReportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Bilagan är borttagen."))
    return redirect(place.url("account"))


@login_required
def attachment(request: HttpRequest, region: str, year: int, code: str, pk: int) -> FileResponse:
    """An attached file, to those who may see the region's reports (404 for anyone
    else). FK sees only the files of submitted versions."""
    place = account_place(request.user, region, year, code)
    if place.account is None:
        raise Http404
    found = get_object_or_404(AccountAttachment, pk=pk, version__account=place.account)
    if role_of(request.user) not in REGION_ROLES and found.version.status == VersionStatus.DRAFT:
        raise Http404
    return attachment_response(found)


def attachment_response(found: AccountAttachment) -> FileResponse:
    """The stored file as a download under the region's own file name, never cached
    (the browser's page and the API hand out attachments alike)."""
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, region: str, year: int, code: str) -> HttpResponse:
    """FK's case officer assesses each requirement of the submitted version."""
    place = account_place(request.user, region, year, code, Action.REVIEW_REPORTS)
    versions = place.versions()
    latest = versions[-1] if versions else None
    if latest is None or latest.status != VersionStatus.SUBMITTED:
        messages.info(request, _("Redovisningen har ingen inskickad version att bedöma."))
        return redirect(place.url("account"))
    requirements = place.requirements()
    # Pre-filled with the previous assessment of each requirement (after a return).
    earlier = next((v for v in reversed(versions[:-1]) if v.status == VersionStatus.RETURNED), None)
    initial: dict[str, str] = {}
    if earlier is not None:
        for row in _version_rows(earlier, requirements):
            if row["assessment"] is not None and row["assessment"].outcome == "FULFILLED":
                initial[f"outcome_{row['requirement'].number}"] = "FULFILLED"
    form = AssessForm(request.POST or None, initial=initial, requirements=requirements)
    user: Any = request.user
    if request.method == "POST" and form.is_valid():
        decisions = {
            r.number: RequirementDecision(
                outcome=form.cleaned_data[f"outcome_{r.number}"],
                comment=form.cleaned_data.get(f"comment_{r.number}") or "",
            )
            for r in requirements
        }
        try:
            result = account_assess(version=latest, decisions=decisions, acting_user=user)
        except ReportError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if result.status == VersionStatus.DRAFT:
                messages.success(request, _("Redovisningen är återsänd för komplettering."))
            else:
                messages.success(request, _("Bedömningen är sparad."))
            return redirect(place.url("account"))
    context = _common(place, versions, request.user)
    context.update({"version": latest, "rows": _version_rows(latest, requirements), "form": form})
    return render(
        request,
        "reporting/accounts/assess.html",
        context,
        status=400 if form.is_bound else 200,
    )
