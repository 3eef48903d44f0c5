"""Payout runs of a written-account condition: the 2020 villkor 2 (140 MSEK) shared by
population over all 21 regions, paid to those FK assessed fulfilled; advance and
remainder; four eyes; the decision names the condition; simulate_payouts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from payments.condition_overview import year_conditions
from payments.condition_runs import condition_run_start
from payments.enums import Instalment, RunStatus
from payments.exports import decision_html
from payments.models import PayoutLine, PayoutRun
from payments.selectors import run_lines, run_totals
from payments.services import RunError, run_approve, run_compute
from rehab.enums import AgeBand
from rehab.models import Condition, PopulationFigure, Region
from reporting.accounts.models import Account, AccountVersion
from tests.conftest import wait_for
from tests.payments.test_engine_deliverable import POPULATIONS

MSEK = 1_000_000 * 100
NOT_FULFILLED = "09"  # Gotland: assessed not fulfilled
NOT_ASSESSED = "23"  # Jämtland Härjedalen: never submitted
ASSESSED_ON = timezone.make_aware(datetime.datetime(2021, 1, 20, 10, 0))


def populations_2019_11_01() -> None:
    PopulationFigure.objects.bulk_create(
        PopulationFigure(
            region_id=code,
            reference_date=datetime.date(2019, 11, 1),
            age_band=AgeBand.TOTAL,
            population=population,
            source="test",
        )
        for code, population in POPULATIONS.items()
    )


def assessed(condition: Condition, region: str, *, fulfilled: bool, by: Any, author: Any) -> None:
    """An account of `region` assessed by `by` on 2021-01-20 (straight into the database)."""
    account = Account.objects.create(region_id=region, condition=condition)
    version = AccountVersion.objects.create(account=account, number=1, created_by=author)
    AccountVersion.objects.filter(pk=version.pk).update(
        status="ACCEPTED", fulfilled=fulfilled, decided_by=by, decided_at=ASSESSED_ON
    )
    Account.objects.filter(pk=account.pk).update(assessed_version=version)


@pytest.fixture
def v2_assessed(ref: None, case_officer: Any, coordinator: Any) -> Condition:
    """2020 V2 with 19 regions assessed fulfilled, Gotland not, Jämtland not at all."""
    assert Region.objects.filter(active=True).count() == 21
    populations_2019_11_01()
    condition = Condition.objects.get(agreement__year=2020, code="V2")
    case_officer.first_name, case_officer.last_name = "Hanna", "Handläggare"
    case_officer.save()
    for region in POPULATIONS:
        if region != NOT_ASSESSED:
            assessed(
                condition,
                region,
                fulfilled=region != NOT_FULFILLED,
                by=case_officer,
                author=coordinator,
            )
    return condition


def lines_of(run: PayoutRun) -> dict[str, PayoutLine]:
    return {line.region_id: line for line in PayoutLine.objects.filter(run=run)}


@pytest.mark.django_db(transaction=True)
def test_v2_run_in_the_real_worker_pays_19_fulfilled_regions_their_share(
    celery_worker: Any, v2_assessed: Condition, case_officer: Any, approver: Any
) -> None:
    run = condition_run_start(
        condition=v2_assessed, instalment=Instalment.REMAINDER, acting_user=case_officer
    ).run
    wait_for(lambda: PayoutRun.objects.get(pk=run.pk).status == RunStatus.CALCULATED)
    run.refresh_from_db()
    lines = lines_of(run)
    assert len(lines) == 21
    # Before zeroing, the 21 shares add up to 140 000 000,00 kr exactly.
    assert sum(line.detail["share_ore"] for line in lines.values()) == 140 * MSEK
    # Hand-checked: Stockholm 2 377 081 of 10 327 589 inhabitants × 140 000 000,00 kr
    # = 32 223 526,7108 kr -> 32 223 526,71; Uppsala 383 713 -> 5 201 583,8353 kr,
    # rounded up by the largest remainder to 5 201 583,84.
    assert lines["01"].amount_ore == 3_222_352_671
    assert lines["03"].amount_ore == 520_158_384
    for region in (NOT_FULFILLED, NOT_ASSESSED):
        assert lines[region].amount_ore == 0
        assert lines[region].detail["not_paid_ore"] == lines[region].detail["share_ore"] > 0
    for region, line in lines.items():
        if region not in (NOT_FULFILLED, NOT_ASSESSED):
            assert line.amount_ore == line.detail["share_ore"]
    assert run.total_ore == 140 * MSEK - 80_909_881 - 177_325_027
    totals, reconciles = run_totals(run, list(lines.values()))
    assert reconciles
    assert ("Ej utbetalt (villkoret inte uppfyllt)", 80_909_881 + 177_325_027) in [
        (t.label, t.amount_ore) for t in totals
    ]

    # Four eyes: the case officer who started it may not approve; an approver does.
    with pytest.raises(RunError, match="Du får inte attestera"):
        run_approve(run=run, acting_user=case_officer)
    approver.first_name, approver.last_name = "Anna", "Attestant"
    approver.save()
    run_approve(run=run, acting_user=approver)
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    stockholm = run_lines(run, regions=["01"])[0].sentences[0]
    assert stockholm == (
        "Region Stockholm: 23,02\xa0% av 140\xa0000\xa0000,00\xa0kr = 32\xa0223\xa0526,71\xa0kr; villkoret uppfyllt "  # noqa: E501 (no-break spaces)
        "2021-01-20 (bedömt av Hanna Handläggare, attesterat av Anna Attestant)."
    )
    gotland = " ".join(run_lines(run, regions=["09"])[0].sentences)
    assert "villkoret inte uppfyllt 2021-01-20" in gotland
    assert "809\xa0098,81\xa0kr betalas inte ut (ej utbetalt)" in gotland
    _name, _type, html = decision_html(run, Region.objects.get(code="01"))
    text = html.decode()
    assert "V2 Funktion för koordinering" in text
    assert "32\xa0223\xa0526,71\xa0kr" in text
    assert run.reference.startswith("REHAB-2020V2-1-")


@pytest.mark.django_db
def test_advance_and_remainder_add_up_to_the_share(
    v2_assessed: Condition, case_officer: Any, approver: Any
) -> None:
    Condition.objects.filter(pk=v2_assessed.pk).update(advance_share=Decimal("0.5000"))
    v2_assessed.refresh_from_db()
    with pytest.raises(RunError, match="Förskottet för villkoret V2 ska vara attesterat"):
        condition_run_start(
            condition=v2_assessed, instalment=Instalment.REMAINDER, acting_user=case_officer
        )
    advance = condition_run_start(
        condition=v2_assessed, instalment=Instalment.ADVANCE, acting_user=case_officer
    ).run
    run_compute(run_id=advance.pk)
    run_approve(run=advance, acting_user=approver)
    remainder = condition_run_start(
        condition=v2_assessed, instalment=Instalment.REMAINDER, acting_user=case_officer
    ).run
    run_compute(run_id=remainder.pk)
    remainder.refresh_from_db()
    assert remainder.status == RunStatus.CALCULATED, remainder.failure_reason
    first, second = lines_of(advance), lines_of(remainder)
    # Stockholm fulfilled: 1 611 176 336 + 1 611 176 335 = its share 3 222 352 671.
    assert (first["01"].amount_ore, second["01"].amount_ore) == (1_611_176_336, 1_611_176_335)
    for region in POPULATIONS:
        share = second[region].detail["share_ore"]
        if region in (NOT_FULFILLED, NOT_ASSESSED):
            # The advance stays paid; the remainder run pays 0.
            assert first[region].amount_ore == share - second[region].detail["not_paid_ore"]
            assert second[region].amount_ore == 0
        else:
            assert first[region].amount_ore + second[region].amount_ore == share
    assert sum(line.amount_ore for line in first.values()) == 70 * MSEK
    run_approve(run=remainder, acting_user=approver)
    sentences = run_lines(remainder, regions=["09"])[0].sentences
    assert "Förskottet 404\xa0549,41\xa0kr dras av; resten är 404\xa0549,40\xa0kr." in sentences


@pytest.mark.django_db
def test_a_condition_run_is_not_counted_by_the_treatment_runs(
    v2_assessed: Condition, case_officer: Any, approver: Any
) -> None:
    from payments.services import _approved_runs

    run = condition_run_start(
        condition=v2_assessed, instalment=Instalment.REMAINDER, acting_user=case_officer
    ).run
    run_compute(run_id=run.pk)
    run_approve(run=run, acting_user=approver)
    assert _approved_runs(v2_assessed.agreement) == []
    again = condition_run_start(
        condition=v2_assessed, instalment=Instalment.REMAINDER, acting_user=case_officer
    )
    assert (again.created, again.run.round) == (True, 2)
    run_compute(run_id=again.run.pk)
    # Round 2 pays only what changed since round 1: nothing.
    assert {lines_of(again.run)[r].amount_ore for r in POPULATIONS} == {0}


@pytest.mark.django_db
def test_only_written_account_conditions_have_condition_runs(
    ref: None, case_officer: Any, coordinator: Any
) -> None:
    v3 = Condition.objects.get(agreement__year=2020, code="V3")
    with pytest.raises(RunError, match="betalas inte efter skriftlig återrapportering"):
        condition_run_start(condition=v3, instalment=Instalment.REMAINDER, acting_user=case_officer)
    v2 = Condition.objects.get(agreement__year=2020, code="V2")
    with pytest.raises(RunError, match="har inget förskott"):
        condition_run_start(condition=v2, instalment=Instalment.ADVANCE, acting_user=case_officer)
    from payments.services import NotAllowed

    with pytest.raises(NotAllowed):
        condition_run_start(condition=v2, instalment=Instalment.REMAINDER, acting_user=coordinator)


@pytest.mark.django_db
def test_missing_population_fails_the_run_with_a_clear_reason(ref: None, case_officer: Any) -> None:
    v2 = Condition.objects.get(agreement__year=2020, code="V2")
    run = condition_run_start(
        condition=v2, instalment=Instalment.REMAINDER, acting_user=case_officer
    ).run
    run_compute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "Befolkningsuppgift per 2019-11-01 (" in run.failure_reason


# --------------------------------------------------------------------------- simulate


def test_simulate_payouts_for_a_condition(ref: None, tmp_path: Path, db: None) -> None:
    population = tmp_path / "befolkning.csv"
    population.write_text(
        "region;population\n" + "".join(f"{c};{p}\n" for c, p in POPULATIONS.items()),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command(
        "simulate_payouts",
        "--agreement=2020",
        "--condition=V2",
        f"--population={population}",
        "--fulfilled=01,03,04",
        stdout=out,
    )
    rows = out.getvalue().strip().splitlines()
    assert rows[0] == "region;period;component;amount_ore"
    assert len(rows) == 22
    assert rows[1:4] == [
        "01;2020;condition;3222352671",
        "03;2020;condition;520158384",
        "04;2020;condition;403342929",
    ]
    assert rows[4] == "05;2020;condition;0"
    assert all(
        row.startswith(f"{code};2020;condition;")
        for row, code in zip(rows[1:], POPULATIONS, strict=True)
    )
    with pytest.raises(CommandError, match="inget villkor V9"):
        call_command("simulate_payouts", "--agreement=2020", "--condition=V9")
    with pytest.raises(CommandError, match="utan befolkningsuppgift: 99"):
        call_command(
            "simulate_payouts",
            "--agreement=2020",
            "--condition=V2",
            f"--population={population}",
            "--fulfilled=01,99",
        )


# --------------------------------------------------------------------------- overview


@pytest.mark.django_db
def test_fk_overview_shows_each_region_and_warns_of_a_payment_due(
    v2_assessed: Condition, case_officer: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    Condition.objects.filter(pk=v2_assessed.pk).update(
        payment_due=timezone.localdate() + datetime.timedelta(days=10)
    )
    client = login(case_officer)
    page = client.get(reverse("payments:conditions_year", args=[2020]))
    assert page.status_code == 200
    assert "Villkor V2 ska betalas ut senast" in page.text
    assert "(om 10 dagar) och körningen är inte attesterad" in page.text
    assert page.text.count("Bedömd: uppfyllt") == 19
    assert "Bedömd: inte uppfyllt" in page.text
    rows = year_conditions(
        v2_assessed.agreement, regions=list(Region.objects.all()), today=timezone.localdate()
    )
    v1_cells = next(row for row in rows if row.condition.code == "V1").cells
    assert {c.state for c in v1_cells} == {"NOT_STARTED"}


def _overview_queries(client: Any, django_assert_num_queries: Any, n: int) -> None:
    with django_assert_num_queries(n):
        client.get(reverse("payments:conditions_year", args=[2020]))


@pytest.mark.django_db
def test_fk_overview_queries_do_not_grow_with_accounts(
    ref: None, case_officer: Any, coordinator: Any, login: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    v1 = Condition.objects.get(agreement__year=2020, code="V1")
    client = login(case_officer)
    client.get(reverse("payments:conditions_year", args=[2020]))
    assessed(v1, "01", fulfilled=True, by=case_officer, author=coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("payments:conditions_year", args=[2020]))
    for region in POPULATIONS:
        if region != "01":
            assessed(v1, region, fulfilled=True, by=case_officer, author=coordinator)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("payments:conditions_year", args=[2020]))
    assert len(few) == len(many)


@pytest.mark.django_db
def test_region_overview_lists_the_years_conditions_with_what_is_due(
    v2_assessed: Condition, coordinator: Any, other_coordinator: Any, login: Any, client: Any
) -> None:
    page = login(coordinator).get(reverse("payments:conditions_region", args=["01", 2020]))
    assert page.status_code == 200
    text = page.text
    assert "V1 Ledning och styrning i försäkringsmedicin" in text
    assert "Lämna återrapporteringen senast 2020-12-11." in text  # V1, not started
    assert "Uppfyllt. Utbetalas senast 2021-03-31." in text  # V2
    assert "V3 " in text
    client.logout()
    other = login(other_coordinator)
    assert other.get(reverse("payments:conditions_region", args=["01", 2020])).status_code == 404


@pytest.mark.django_db
def test_the_menu_leads_each_role_to_its_conditions_overview(
    ref: None, coordinator: Any, case_officer: Any, login: Any, client: Any
) -> None:
    page = login(coordinator).get(reverse("reporting:overview"))
    assert 'href="/utbetalningar/villkor/"' in page.text
    response = client.get(reverse("payments:conditions"))
    assert response["Location"] == reverse("payments:conditions_region", args=["01", 2020])
    client.logout()
    response = login(case_officer).get(reverse("payments:conditions"))
    assert response["Location"] == reverse("payments:conditions_year", args=[2020])


@pytest.mark.django_db
def test_region_overview_queries_do_not_grow_with_accounts(
    ref: None, coordinator: Any, case_officer: Any, login: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(coordinator)
    path = reverse("payments:conditions_region", args=["01", 2020])
    conditions = list(Condition.objects.filter(agreement__year=2020, kind="DELIVERABLE"))
    assessed(conditions[0], "01", fulfilled=True, by=case_officer, author=coordinator)
    client.get(path)
    with CaptureQueriesContext(connection) as one:
        client.get(path)
    for condition in conditions[1:]:
        assessed(condition, "01", fulfilled=False, by=case_officer, author=coordinator)
    with CaptureQueriesContext(connection) as all_of_them:
        page = client.get(path)
    assert page.text.count("Bedömd: ") == len(conditions)
    assert len(one) == len(all_of_them)
