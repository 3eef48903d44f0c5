"""A written account (återrapportering) in a real browser, through to the payout: a
coordinator answers the two requirements of the 2020 villkor 2, attaches a PDF and
submits; FK marks one requirement fulfilled and returns the other with a comment;
the coordinator completes it and resubmits; FK assesses it fulfilled; the run is
computed by the real Celery worker, approved by a second user, and the decision
names the condition."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from payments.models import PayoutLine, PayoutRun
from rehab.models import Condition
from reporting.accounts.models import AccountVersion
from tests.factories import TEST_PASSWORD
from tests.payments.test_condition_runs import populations_2019_11_01
from tests.reporting.test_filecheck import PDF_BYTES

ACCOUNT = "/rapporter/villkor/01/2020/V2/"


@pytest.mark.django_db(transaction=True)
def test_written_account_from_answers_to_decision(
    page, celery_worker, coordinator, case_officer, approver, tmp_path, settings
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    from reporting.accounts.models import private_storage

    private_storage().__dict__.pop("base_location", None)
    private_storage().__dict__.pop("location", None)
    populations_2019_11_01()
    Condition.objects.filter(agreement__year=2020, code="V2").update(
        report_deadline=timezone.localdate() + datetime.timedelta(days=20)
    )
    pdf = tmp_path / "Koordinering 2020.pdf"
    pdf.write_bytes(PDF_BYTES)
    p = page.page

    # The coordinator answers both requirements, attaches a PDF and submits.
    page.login("samordnare01", TEST_PASSWORD)
    page.goto("/utbetalningar/villkor/region/01/2020/")
    assert "Lämna återrapporteringen senast" in p.inner_text("main")
    p.click("a:has-text('V2 Funktion för koordinering')")
    assert "kompetensutveckling" in p.inner_text("main")
    p.fill("#id_answer_1", "Vi har tagit fram en utbildningsplan.\n\nDen startar i mars.")
    p.fill("#id_answer_2", "Koordinatorerna träffas.")
    p.click("button[value=save]")
    assert "Utkastet är sparat." in p.inner_text(".messages")
    p.set_input_files("#id_file", str(pdf))
    p.click("button:has-text('Bifoga fil')")
    assert "Filen ”Koordinering 2020.pdf” är bifogad." in p.inner_text(".messages")
    page.screenshot("account-01-draft-with-attachment")
    p.click("button[value=submit]")
    assert "Redovisningen är inskickad till Försäkringskassan." in p.inner_text(".messages")
    assert "Inskickad" in p.inner_text("h1")

    # FK marks requirement 1 fulfilled and returns requirement 2 with a comment.
    page.logout()
    page.login("handlaggare", TEST_PASSWORD)
    page.goto(ACCOUNT)
    assert "Koordinering 2020.pdf" in p.inner_text("main")
    p.click("text=Bedöm redovisningen")
    p.check("input[name=outcome_1][value=FULFILLED]")
    p.check("input[name=outcome_2][value=RETURNED]")
    p.fill("#id_comment_2", "Beskriv hur stödet till koordinatorerna är organiserat.")
    page.screenshot("account-02-assessment")
    p.click("button:has-text('Spara bedömningen')")
    assert "Redovisningen är återsänd för komplettering." in p.inner_text(".messages")

    # The coordinator sees the comment on requirement 2, completes it and resubmits.
    page.logout()
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(ACCOUNT)
    assert "Beskriv hur stödet till koordinatorerna är organiserat." in p.inner_text("main")
    assert "Återsänd för komplettering" in p.inner_text("h1")
    page.screenshot("account-03-returned")
    p.fill("#id_answer_2", "Koordinatorerna träffas varje månad med handledning av en psykolog.")
    p.click("button[value=submit]")
    assert "Redovisningen är inskickad till Försäkringskassan." in p.inner_text(".messages")

    # FK assesses both requirements fulfilled.
    page.logout()
    page.login("handlaggare", TEST_PASSWORD)
    page.goto(ACCOUNT + "bedom/")
    assert p.is_checked("input[name=outcome_1][value=FULFILLED]")  # kept from version 1
    p.check("input[name=outcome_2][value=FULFILLED]")
    p.click("button:has-text('Spara bedömningen')")
    assert "Bedömningen är sparad." in p.inner_text(".messages")
    assert "Bedömd: uppfyllt" in p.inner_text("h1")
    version = AccountVersion.objects.get(account__region="01", status="ACCEPTED")
    assert (version.number, version.fulfilled) == (2, True)
    page.screenshot("account-04-assessed")

    # FK starts the payout of the condition; the real worker computes it.
    page.goto("/utbetalningar/villkor/2020/")
    assert "Bedömd: uppfyllt" in p.inner_text("table.condition-matrix")
    page.screenshot("account-05-year-overview")
    p.click("#villkor-V2 button:has-text('Beräkna slutbetalning')")
    p.wait_for_url("**/utbetalningar/korningar/*/")
    p.wait_for_selector("text=Summorna stämmer mot ramen.", timeout=30_000)
    run = PayoutRun.objects.get(condition__code="V2")
    stockholm = PayoutLine.objects.get(run=run, region="01")
    assert stockholm.amount_ore == 3_222_352_671
    assert PayoutLine.objects.get(run=run, region="03").amount_ore == 0  # not submitted
    assert "ej utbetalt" in p.inner_text("main")
    page.screenshot("account-06-run-calculated")

    # A second user approves it and issues the decisions; the decision names V2.
    page.logout()
    page.login("attestant", TEST_PASSWORD)
    page.goto(f"/utbetalningar/korningar/{run.pk}/")
    p.once("dialog", lambda dialog: dialog.accept())
    p.click("button:has-text('Attestera')")
    p.wait_for_selector("text=Körningen är attesterad.")
    p.click("button:has-text('Utfärda beslut för alla regioner')")
    p.wait_for_selector("text=Beslut för 21 regioner är utfärdade.")
    page.goto(f"/utbetalningar/korningar/{run.pk}/beslut/01/")
    decision = p.inner_text("article.decision")
    assert "Villkor: V2 Funktion för koordinering" in decision
    assert "Försäkringskassan betalar ut 32\xa0223\xa0526,71 kr till regionen." in decision
    assert "villkoret uppfyllt" in decision
    page.screenshot("account-07-decision")
    assert page.console_errors == []
    assert Path(settings.PRIVATE_MEDIA_ROOT).exists()
