"""Care units in a real browser, from a unit's first figure to the money it gets:
two unit reporters file their units' figures, the coordinator fills in the third
unit, sees the breakdown and submits; FK accepts; a payout run is computed by the
real worker and approved; the coordinator records the use of the money with the
proposal split by production, and the unit sees its allotment."""

from __future__ import annotations

import pytest

from payments.models import PayoutRun
from rehab.enums import PayoutModel, Role
from rehab.models import CareUnit, ReportingPeriod, UnitCollection
from tests.factories import TEST_PASSWORD, UserFactory
from tests.payments.conftest import FRAME_A_ORE, SERIES, B, C, accept_series, make_agreement

YEAR = 2025  # an agreement of the worked example (model A) whose Q1 is open


@pytest.mark.django_db(transaction=True)
def test_units_file_coordinator_submits_fk_pays_units_see_their_money(
    page, celery_worker, coordinator, case_officer, approver
):
    p = page.page
    agreement = make_agreement(YEAR, PayoutModel.A, frame_ore=FRAME_A_ORE)
    q1 = ReportingPeriod.objects.get(agreement=agreement, quarter=1)
    for region in (B, C):
        accept_series(region, YEAR, 1, coordinator, SERIES[region][1])
    UnitCollection.objects.create(region_id="01", agreement=agreement, per_unit=True)
    norr = CareUnit.objects.create(region_id="01", name="Vårdcentralen Norr", provider="PUBLIC")
    soder = CareUnit.objects.create(region_id="01", name="Vårdcentralen Söder", provider="PUBLIC")
    privat = CareUnit.objects.create(region_id="01", name="Privata kliniken", provider="PRIVATE")
    UserFactory(username="enhet1", role=Role.UNIT_REPORTER, region_id="01", care_unit=norr)
    UserFactory(username="enhet2", role=Role.UNIT_REPORTER, region_id="01", care_unit=soder)

    # 1. Each unit reporter lands on its unit's page and files its figures.
    for username, unit, kbt, mmr1 in (("enhet1", norr, "60", "10"), ("enhet2", soder, "30", "10")):
        page.logout()
        page.login(username, TEST_PASSWORD)
        assert p.url.endswith(f"/rapporter/enheter/{unit.pk}/")
        p.click(f"text=Enhetens siffror {YEAR}Q1")
        assert p.locator("#cell-KBT-F-PRIVATE").count() == 0  # a public unit's grid
        p.fill("#cell-KBT-F-PUBLIC", kbt)
        p.fill("#cell-MMR1-F-PUBLIC", mmr1)
        p.click("button[value=ready]")
        assert "markerade som klara" in p.inner_text(".messages")
        if username == "enhet1":
            page.screenshot("units-01-unit-reporter-grid")
    # A unit reporter never sees another unit.
    assert page.goto(f"/rapporter/enheter/{norr.pk}/{q1.pk}/").status == 404
    page.console_errors.clear()  # the browser logs that deliberate 404

    # 2. The coordinator fills in the private clinic, sees the breakdown and submits.
    page.logout()
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(f"/rapporter/region/01/enheter/{q1.pk}/")
    assert "Ej påbörjade: 1 · utkast: 0 · klara: 2" in p.content()
    page.screenshot("units-02-coordinator-unit-table")
    p.click(f'a[href="/rapporter/enheter/{privat.pk}/{q1.pk}/"]')
    p.fill("#cell-KBT-F-PRIVATE", "10")
    p.click("button[value=ready]")
    page.goto(f"/rapporter/01/{YEAR}/1/")
    assert p.inner_text("td[data-total][data-grand]") == "120"
    assert "Vårdcentralen Norr: 60" in p.content()
    assert p.locator("input[data-cell]").count() == 0  # the sum is not typed here
    page.screenshot("units-03-region-grid-breakdown")
    areas = p.locator("section#kontroll textarea")
    for index in range(areas.count()):
        areas.nth(index).fill("Enheterna rapporterade efter sista dag.")
    p.check("#eligibility_confirmed")
    p.click("button[value=submit]")
    assert "Rapporten är inskickad till Försäkringskassan." in p.inner_text(".messages")

    # 3. FK reviews (the breakdown visible, read-only), accepts and starts the run.
    page.logout()
    page.login("handlaggare", TEST_PASSWORD)
    page.goto(f"/rapporter/01/{YEAR}/1/granska/")
    assert "Privata kliniken: 10" in p.content()
    p.click("button[value=accept]")
    page.goto("/utbetalningar/")
    p.select_option("#id_agreement", str(YEAR))
    p.select_option("#id_period", "Q1")
    p.click("text=Starta körning")
    p.wait_for_url("**/utbetalningar/korningar/*/")
    p.wait_for_selector("text=Summorna stämmer mot ramen.", timeout=60_000)
    assert "1\xa0820\xa0000,00" in p.inner_text("body")
    run = PayoutRun.objects.get()

    # 4. An approver approves it.
    page.logout()
    page.login("attestant", TEST_PASSWORD)
    page.goto(f"/utbetalningar/korningar/{run.pk}/")
    p.once("dialog", lambda dialog: dialog.accept())
    p.click("button:has-text('Attestera')")
    p.wait_for_selector("text=Körningen är attesterad.")

    # 5. The coordinator records the use of the money with the proposal.
    page.logout()
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(f"/utbetalningar/medel/01/{YEAR}/")
    assert p.inner_text('[data-funds="received"]') == "1\xa0820\xa0000,00\xa0kr"
    p.fill("#propose_amount", "340 000")
    p.click("button[value=propose]")
    # 70 : 40 : 10 series; the öre left over goes to the lowest unit id (Norr).
    assert p.input_value(f"#unit-{norr.pk}") == "198333,34"
    assert p.input_value(f"#unit-{soder.pk}") == "113333,33"
    assert p.input_value(f"#unit-{privat.pk}") == "28333,33"
    p.fill("#purpose-0", "Processledning")
    p.fill("#purpose-amount-0", "190 000")
    p.click("button[value=save]")
    assert "Medelsanvändningen är sparad." in p.inner_text(".messages")
    assert p.inner_text('[data-funds="units"]') == "340\xa0000,00\xa0kr"
    assert p.inner_text('[data-funds="left"]') == "1\xa0290\xa0000,00\xa0kr"
    page.screenshot("units-04-use-of-money")

    # 6. The unit sees what it was allotted.
    page.logout()
    page.login("enhet1", TEST_PASSWORD)
    p.click("text=Medel som enheten har tilldelats")
    assert p.inner_text(f'[data-allotment="{YEAR}"]') == "198\xa0333,34"
    page.screenshot("units-05-unit-allotment")
    assert page.console_errors == []
