"""Demo written accounts (återrapportering) of the 2020 villkor 1 and 2, so a demo
user sees the feature (idempotent; run after load_demo_data). Through the same
services as the browser:

* region 01, V1: answered, a PDF attached, submitted and assessed fulfilled;
* region 01, V2: submitted and returned by FK for completion of requirement 2 (the
  coordinator samordnare01 has the new draft to complete);
* region 03, V2: submitted, waiting in FK's inbox for handlaggare's assessment.

Each account is made only if the region has none for the condition yet. Never run
this against a production database.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rehab.models import Condition, User
from reporting.accounts.models import Account, AccountVersion, AssessmentOutcome
from reporting.accounts.services import (
    RequirementDecision,
    account_assess,
    account_attach,
    account_get_or_create,
    account_open_draft,
    account_save_draft,
    account_submit,
)
from reporting.management.commands.load_demo_reports import demo_users

DEMO_USERNAMES = ["handlaggare", "samordnare01", "samordnare03"]
YEAR = 2020
# The demo's accounts were filed before the 2020 deadline (2020-12-11).
FILED_ON = datetime.date(2020, 12, 1)
RETURN_COMMENT = "Beskriv hur stödet till koordinatorerna är organiserat (demouppgift)."

# A small, valid PDF (the attachment check reads the content, not the name).
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)

# (region, condition, what happens): SUBMITTED, RETURNED or FULFILLED.
PLAN = [("01", "V1", "FULFILLED"), ("01", "V2", "RETURNED"), ("03", "V2", "SUBMITTED")]


def demo_answer(region: str, code: str, number: int) -> str:
    return (
        f"Demouppgift: region {region} redovisar krav {number} i {code}.\n\n"
        "Arbetet har planerats tillsammans med verksamheterna och följs upp varje kvartal."
    )


class Command(BaseCommand):
    help = "Skapar demoredovisningar av 2020 års villkor 1 och 2 (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        users = demo_users(DEMO_USERNAMES)
        conditions = {
            c.code: c for c in Condition.objects.filter(agreement__year=YEAR, code__in=["V1", "V2"])
        }
        if set(conditions) != {"V1", "V2"}:
            raise CommandError(f"Villkor 1 och 2 för {YEAR} saknas. Kör load_reference_data först.")
        made = 0
        for region, code, outcome in PLAN:
            condition = conditions[code]
            if AccountVersion.objects.filter(
                account__region_id=region, account__condition=condition
            ).exists():
                continue
            coordinator = users[f"samordnare{region}"]
            self._account(region, condition, outcome, coordinator, users["handlaggare"])
            self.stdout.write(f"Återrapportering {YEAR} {code} {region}: {outcome}")
            made += 1
        if not made:
            self.stdout.write("Demoredovisningar: inga nya")

    def _account(
        self, region: str, condition: Condition, outcome: str, coordinator: User, fk: User
    ) -> None:
        account: Account = account_get_or_create(
            region=region, condition=condition, acting_user=coordinator
        )
        draft = account_open_draft(account=account, acting_user=coordinator)
        numbers = list(condition.requirements.order_by("number").values_list("number", flat=True))
        draft = account_save_draft(
            version=draft,
            answers={n: demo_answer(region, condition.code, n) for n in numbers},
            lock_version=draft.lock_version,
            acting_user=coordinator,
        )
        if outcome == "FULFILLED":
            account_attach(
                version=draft,
                name=f"Handlingsplan {condition.code} region {region}.pdf",
                stream=io.BytesIO(DEMO_PDF),
                lock_version=draft.lock_version,
                acting_user=coordinator,
            )
            draft = AccountVersion.objects.get(pk=draft.pk)
        submitted = account_submit(
            version=draft, lock_version=draft.lock_version, acting_user=coordinator, today=FILED_ON
        )
        if outcome == "SUBMITTED":
            return
        decisions = {n: RequirementDecision(AssessmentOutcome.FULFILLED) for n in numbers}
        if outcome == "RETURNED":
            decisions[numbers[-1]] = RequirementDecision(AssessmentOutcome.RETURNED, RETURN_COMMENT)
        account_assess(version=submitted, decisions=decisions, acting_user=fk)
