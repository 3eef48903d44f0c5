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


def test_fk_overview_shows_every_state_with_deadlines_and_payment_dates(
    ref: None, case_officer: Any, approver: Any, login: Any
) -> None:
    """Conditions × regions: not started, draft, submitted, returned, assessed
    fulfilled / not fulfilled, and paid once the remainder run is approved."""
    from rehab.enums import Role
    from reporting.accounts.models import AssessmentOutcome
    from reporting.accounts.services import (
        RequirementDecision,
        account_assess,
        account_get_or_create,
        account_open_draft,
        account_submit,
    )
    from tests.factories import UserFactory
    from tests.payments.test_condition_runs import assessed, populations_2019_11_01

    populations_2019_11_01()
    v2 = Condition.objects.get(agreement__year=2020, code="V2")
    writers = {
        r: UserFactory(username=f"skrivare{r}", role=Role.REGION_COORDINATOR, region_id=r)
        for r in ("01", "03", "04", "05", "06", "07")
    }

    def submitted(region: str) -> Any:
        user = writers[region]
        account = account_get_or_create(region=region, condition=v2, acting_user=user)
        draft = account_open_draft(account=account, acting_user=user)
        return account_submit(
            version=draft,
            lock_version=draft.lock_version,
            answers={1: "Svar ett.", 2: "Svar två."},
            acting_user=user,
            today=datetime.date(2020, 12, 1),
        )

    # 01 fulfilled and paid by an approved run; assessed after the run: 06, 07.
    assessed(v2, "01", fulfilled=True, by=case_officer, author=writers["01"])
    run = condition_run_start(
        condition=v2, instalment=Instalment.REMAINDER, acting_user=case_officer
    ).run
    run_compute(run_id=run.pk)
    run_approve(run=run, acting_user=approver)
    assessed(v2, "06", fulfilled=True, by=case_officer, author=writers["06"])
    assessed(v2, "07", fulfilled=False, by=case_officer, author=writers["07"])
    account_open_draft(
        account=account_get_or_create(region="03", condition=v2, acting_user=writers["03"]),
        acting_user=writers["03"],
    )
    submitted("04")
    fulfilled = RequirementDecision(AssessmentOutcome.FULFILLED)
    returned = RequirementDecision(AssessmentOutcome.RETURNED, "Beskriv mer.")
    account_assess(
        version=submitted("05"), decisions={1: fulfilled, 2: returned}, acting_user=case_officer
    )

    rows = year_conditions(
        v2.agreement, regions=list(Region.objects.all()), today=run.created_at.date()
    )
    cells = {c.region.code: c.label for c in next(r for r in rows if r.condition == v2).cells}
    assert {code: cells[code] for code in ("01", "03", "04", "05", "06", "07", "08")} == {
        "01": "Utbetald",
        "03": "Utkast",
        "04": "Inskickad",
        "05": "Återsänd för komplettering",
        "06": "Bedömd: uppfyllt",
        "07": "Bedömd: inte uppfyllt",
        "08": "Ej påbörjad",
    }
    page = login(case_officer).get(reverse("payments:conditions_year", args=[2020])).text
    for label in cells.values():
        assert label in page
    assert "2020-12-11" in page  # V1/V2's report deadline
    assert "2021-03-31" in page  # their payment due date
    assert "2021-08-15" in page and "2021-09-15" in page  # V3's


def test_region_overview_says_which_treatment_report_is_due_next(
    ref: None, coordinator: Any, case_officer: Any, login: Any
) -> None:
    """The region's overview names the next treatment report to file and its
    deadline (a yearly or a quarterly period alike), then waits for FK, then the
    payment date once every period is accepted."""
    from payments.condition_overview import region_conditions
    from rehab.models import ReportingPeriod
    from reporting.services import report_accept
    from tests.factories import report_version

    v3 = Condition.objects.get(agreement__year=2020, code="V3")
    periods = list(ReportingPeriod.objects.filter(condition=v3).order_by("deadline", "start_date"))
    region = Region.objects.get(code="01")

    def v3_row() -> Any:
        rows = region_conditions(v3.agreement, region=region, today=datetime.date(2020, 6, 1))
        return next(r for r in rows if r.condition == v3)

    first = periods[0]
    assert (v3_row().next_step, v3_row().due) == (
        f"Lämna behandlingsrapporten för {first.code} senast {first.deadline.isoformat()}.",
        first.deadline,
    )
    page = login(coordinator).get(reverse("payments:conditions_region", args=["01", 2020])).text
    assert f"Lämna behandlingsrapporten för {first.code} senast" in page
    for period in periods[:-1]:
        report_version(region="01", year=2020, quarter=period.quarter, user=case_officer)
    last = periods[-1]
    waiting = report_version(
        region="01", year=2020, quarter=last.quarter, user=coordinator, status="SUBMITTED"
    )
    assert (v3_row().next_step, v3_row().due) == ("Väntar på Försäkringskassans granskning.", None)
    report_accept(version=waiting, acting_user=case_officer)
    assert (v3_row().next_step, v3_row().due) == (
        "Alla rapporter godkända. Utbetalas senast 2021-09-15.",
        datetime.date(2021, 9, 15),
    )
