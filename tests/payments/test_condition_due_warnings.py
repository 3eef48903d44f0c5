"""Issue 9: FK's overview of the year warns of a condition whose payment is due
within 14 days and whose run is not approved, and only then (not further ahead,
not once the run is approved); the advance has its own warning."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.condition_overview import year_conditions
from payments.condition_runs import condition_run_start
from payments.enums import Instalment
from payments.services import run_approve, run_compute
from rehab.models import Condition, Region
from tests.payments.test_condition_runs import v2_assessed  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def warnings_on(condition: Condition, today: datetime.date) -> list[str]:
    rows = year_conditions(condition.agreement, regions=list(Region.objects.all()), today=today)
    return next(row for row in rows if row.condition.pk == condition.pk).warnings


def test_payment_due_warning_within_14_days_until_the_run_is_approved(
    v2_assessed: Condition,  # noqa: F811
    case_officer: Any,
    approver: Any,
    login: Any,
) -> None:
    due = v2_assessed.payment_due
    assert due == datetime.date(2021, 3, 31)
    assert warnings_on(v2_assessed, due - datetime.timedelta(days=15)) == []
    assert warnings_on(v2_assessed, due - datetime.timedelta(days=14)) == [
        "Villkor V2 ska betalas ut senast 2021-03-31 (om 14 dagar) och körningen är inte "
        "attesterad."
    ]
    assert warnings_on(v2_assessed, due) == [
        "Villkor V2 ska betalas ut senast 2021-03-31 (om 0 dagar) och körningen är inte attesterad."
    ]
    assert warnings_on(v2_assessed, due + datetime.timedelta(days=1)) == [
        "Villkor V2 skulle ha betalats ut senast 2021-03-31 och körningen är inte attesterad."
    ]
    # The treatment condition is paid by the year's run and not warned of here.
    v3 = Condition.objects.get(agreement__year=2020, code="V3")
    assert warnings_on(v3, due) == []

    # Computed but not approved: still warned. Approved: the warning goes.
    run = condition_run_start(
        condition=v2_assessed, instalment=Instalment.REMAINDER, acting_user=case_officer
    ).run
    run_compute(run_id=run.pk)
    assert len(warnings_on(v2_assessed, due)) == 1
    run_approve(run=run, acting_user=approver)
    assert warnings_on(v2_assessed, due) == []

    # On the page, with today's date: the approved V2 is not warned of, V1 (not run) is.
    Condition.objects.filter(agreement__year=2020, code__in=["V1", "V2"]).update(
        payment_due=timezone.localdate() + datetime.timedelta(days=3)
    )
    page = login(case_officer).get(reverse("payments:conditions_year", args=[2020])).text
    assert "Villkor V1 ska betalas ut senast" in page
    assert "Villkor V2 ska betalas ut senast" not in page


def test_advance_due_warning_until_the_advance_run_is_approved(
    v2_assessed: Condition,  # noqa: F811
    case_officer: Any,
    approver: Any,
) -> None:
    Condition.objects.filter(pk=v2_assessed.pk).update(
        advance_share=Decimal("0.5"), advance_payment_due=datetime.date(2020, 3, 31)
    )
    v2_assessed.refresh_from_db()
    today = datetime.date(2020, 3, 25)
    assert warnings_on(v2_assessed, today) == [
        "Förskottet för V2 ska betalas ut senast 2020-03-31 (om 6 dagar) och körningen är "
        "inte attesterad."
    ]
    advance = condition_run_start(
        condition=v2_assessed, instalment=Instalment.ADVANCE, acting_user=case_officer
    ).run
    run_compute(run_id=advance.pk)
    run_approve(run=advance, acting_user=approver)
    assert warnings_on(v2_assessed, today) == []
