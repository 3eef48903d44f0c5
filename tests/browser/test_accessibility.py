"""axe-core (WCAG 2.1 A and AA) on the pages the issue named: the grid with
errors and with a flash message, the upload page, FK's review, the runs page,
statistics, and the admin's agreement change page. The page fixture runs axe on
every page a browser test visits and fails the test on any violation; this test
makes sure these pages are among them."""

from __future__ import annotations

import pytest

from rehab.models import Agreement
from tests.browser.conftest import AXE
from tests.factories import TEST_PASSWORD, report_version

FORM = "/rapporter/01/2020/"  # villkor 3 2020: one yearly report


@pytest.mark.django_db(transaction=True)
def test_key_pages_have_no_wcag_violations(page, coordinator, case_officer, admin_user):
    if not AXE.exists():
        pytest.skip("axe-core not installed: run `npm ci` in tests/browser/axe (needs node)")
    p = page.page
    report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 4},
        status="SUBMITTED",
    )
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(FORM)
    p.fill("#cell-KBT-F-PUBLIC", "2")
    p.fill("#cell-EMPLOYER_CONTACT-F", "5")
    p.click("button[value=save]")  # saved: a flash message
    assert "Utkastet är sparat." in p.inner_text(".messages")
    assert page.axe() == []
    p.check("#eligibility_confirmed")
    p.click("button[value=submit]")  # refused: the error summary and a cell in error
    assert p.locator(".error-summary").count() == 1
    assert page.axe() == []
    page.goto(FORM + "ladda-upp/")
    assert page.axe() == []
    # A file with more errors than the page lists (issue 15): the summary and the count.
    body = "region;period;item;sex;provider;value\n" + "".join(
        f"01;2020;KBT;F;PUBLIC;x{n}\n" for n in range(120)
    )
    p.set_input_files(
        "#id_file", files=[{"name": "fel.csv", "mimeType": "text/csv", "buffer": body.encode()}]
    )
    p.click("button[type=submit].primary")
    assert "och 20 fel till" in p.inner_text(".error-summary")
    page.screenshot("upload-errors")
    assert page.axe() == []
    # A page that is not for the coordinator's role: 403 with the reason, in the layout.
    response = page.goto("/rapporter/01/2019/granska/")
    assert response.status == 403
    page.console_errors.clear()  # the browser logs that deliberate 403
    assert "Sidan är för Försäkringskassans handläggare." in p.inner_text("main")
    page.screenshot("forbidden-with-reason")
    assert page.axe() == []
    page.goto("/statistik/")
    assert page.axe() == []

    page.logout()
    page.login("handlaggare", TEST_PASSWORD)
    page.goto("/rapporter/01/2019/granska/")
    page.goto("/utbetalningar/")

    page.logout()
    page.login("admin", TEST_PASSWORD)
    agreement = Agreement.objects.get(year=2020)
    page.goto(f"/admin/rehab/agreement/{agreement.pk}/change/")
    found = page.axe()
    assert found == [], "\n".join(found)
    assert page.a11y_checked >= 10
