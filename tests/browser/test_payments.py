"""A payout run in a real browser: a case officer starts it, the page follows the real
Celery worker's progress by itself (htmx polling), an approver approves it and issues
the decisions, which print without the site's navigation."""

from __future__ import annotations

import pytest

from payments.enums import RunStatus
from payments.models import PayoutRun
from rehab.enums import PayoutModel
from tests.factories import TEST_PASSWORD
from tests.payments.conftest import (
    EXAMPLE_A_YEAR,
    FRAME_A_ORE,
    SERIES,
    A,
    B,
    C,
    accept_series,
    make_agreement,
)


@pytest.mark.django_db(transaction=True)
def test_run_page_follows_the_worker_then_approval_and_decision(
    page, celery_worker, case_officer, approver, coordinator
):
    make_agreement(EXAMPLE_A_YEAR, PayoutModel.A, frame_ore=FRAME_A_ORE)
    for region in (A, B, C):
        accept_series(region, EXAMPLE_A_YEAR, 1, coordinator, SERIES[region][1])

    page.login("handlaggare", TEST_PASSWORD)
    page.goto("/utbetalningar/")
    page.page.select_option("#id_agreement", str(EXAMPLE_A_YEAR))
    page.page.select_option("#id_period", "Q1")
    page.page.click("text=Starta körning")
    page.page.wait_for_url("**/utbetalningar/korningar/*/")
    # No reload by hand: the status partial polls every 2 s and reloads when done.
    page.page.wait_for_selector("text=Summorna stämmer mot ramen.", timeout=30_000)
    assert "1\xa0820\xa0000,00" in page.page.inner_text("body")
    page.screenshot("payments-run-calculated")
    run = PayoutRun.objects.get()
    assert run.status == RunStatus.CALCULATED

    page.logout()
    page.login("attestant", TEST_PASSWORD)
    assert page.page.url.endswith("/utbetalningar/")  # approvers land on the runs list
    page.goto(f"/utbetalningar/korningar/{run.pk}/")
    page.page.once("dialog", lambda dialog: dialog.accept())
    page.page.click("button:has-text('Attestera')")
    page.page.wait_for_selector("text=Körningen är attesterad.")
    page.page.click("button:has-text('Utfärda beslut för alla regioner')")
    page.page.wait_for_selector("text=Beslut för 3 regioner är utfärdade.")
    page.goto(f"/utbetalningar/korningar/{run.pk}/beslut/{A}/")
    assert (
        "Försäkringskassan betalar ut 1\xa0820\xa0000,00 kr till regionen."
        in page.page.inner_text("body")
    )
    page.page.emulate_media(media="print")
    assert page.page.is_hidden("header.top")
    assert page.page.is_visible("text=SHA-256")
    page.screenshot("payments-decision-print")
    assert page.console_errors == []
