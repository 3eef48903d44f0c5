"""The demo written accounts: what `dev.py up` loads after the demo reports, so a
demo user sees the feature; loading twice changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from rehab.models import Condition, User
from reporting.accounts.models import (
    AccountAttachment,
    AccountEvent,
    AccountVersion,
    RequirementAssessment,
)
from reporting.accounts.selectors import AccountState, account_states
from tests.reporting.test_accounts import private_media  # noqa: F401  (autouse fixture)

pytestmark = pytest.mark.django_db


def run(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_demo_accounts_need_the_demo_users(ref: None) -> None:
    with pytest.raises(CommandError, match="Demoanvändarna saknas"):
        run("load_demo_accounts")


def test_demo_accounts_show_submitted_returned_and_fulfilled_and_load_once(
    ref: None, login: Any
) -> None:
    run("load_demo_data", "--password", "demo-lösen-123")
    assert run("load_demo_accounts").splitlines() == [
        "Återrapportering 2020 V1 01: FULFILLED",
        "Återrapportering 2020 V2 01: RETURNED",
        "Återrapportering 2020 V2 03: SUBMITTED",
    ]
    conditions = list(Condition.objects.filter(agreement__year=2020, code__in=["V1", "V2"]))
    v1, v2 = sorted(conditions, key=lambda c: c.code)
    assert account_states(conditions) == {
        (v1.pk, "01"): AccountState.FULFILLED,
        (v2.pk, "01"): AccountState.RETURNED,
        (v2.pk, "03"): AccountState.SUBMITTED,
    }
    returned = AccountVersion.objects.get(account__region="01", account__condition=v2, number=1)
    assert [a.outcome for a in returned.assessments.order_by("requirement__number")] == [
        "FULFILLED",
        "RETURNED",
    ]
    assert AccountAttachment.objects.get().name == "Handlingsplan V1 region 01.pdf"

    # The demo users see it: the coordinator's account page and FK's inbox.
    coordinator = login(User.objects.get(username="samordnare01"))
    page = coordinator.get(reverse("reporting:account", args=("01", 2020, "V2")))
    assert page.status_code == 200
    assert "Beskriv hur stödet till koordinatorerna" in page.text
    inbox = login(User.objects.get(username="handlaggare")).get(reverse("reporting:inbox"))
    assessment = reverse("reporting:account_assess", args=("03", 2020, "V2"))
    assert inbox.status_code == 200 and assessment in inbox.text

    counts = (
        AccountVersion.objects.count(),
        AccountEvent.objects.count(),
        RequirementAssessment.objects.count(),
        AccountAttachment.objects.count(),
    )
    assert run("load_demo_accounts").splitlines() == ["Demoredovisningar: inga nya"]
    assert counts == (
        AccountVersion.objects.count(),
        AccountEvent.objects.count(),
        RequirementAssessment.objects.count(),
        AccountAttachment.objects.count(),
    )
