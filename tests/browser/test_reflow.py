"""At 320 CSS px wide no page scrolls sideways (WCAG 1.4.10, issue 15): the grid
reflows (each treatment's cells stacked under its name, each cell labelled with its
column) instead of being wider than the screen, and the arrow keys still move between
its cells; FK's review, the payout pages, a run and the statistics fit too. axe-core
checks every page visited (the page fixture)."""

from __future__ import annotations

from typing import Any

import pytest

from payments.services import run_approve, run_compute, run_start
from rehab.enums import PayoutModel
from tests.factories import TEST_PASSWORD, report_version
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

FORM = "/rapporter/01/2020/"  # villkor 3 2020: one yearly report

# How far the document reaches past the window (0 when nothing does), and the elements
# that stick out without a box of their own that scrolls or clips them.
OVERFLOW = """() => {
  const root = document.documentElement;
  const clipped = (e) => {
    for (let a = e.parentElement; a && a !== root; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const out = [...document.querySelectorAll("body *")].filter(
    (e) => e.getBoundingClientRect().right > root.clientWidth + 1 && !clipped(e)).map(
    (e) => e.tagName + "." + e.className + ": " + (e.textContent || "").trim().slice(0, 40));
  return {page: root.scrollWidth - root.clientWidth, out: out.slice(0, 5)};
}"""


def fits(page: Any, path: str) -> None:
    page.goto(path)
    overflow = page.page.evaluate(OVERFLOW)
    page.screenshot("reflow-320" + path.replace("/", "-").rstrip("-"))
    assert (overflow["page"], overflow["out"]) == (0, []), (path, overflow)


@pytest.mark.django_db(transaction=True)
def test_no_page_scrolls_sideways_at_320_px(page, coordinator, case_officer, approver):
    p = page.page
    p.set_viewport_size({"width": 320, "height": 800})
    report_version(
        region="01",
        year=2019,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 1234},
        status="SUBMITTED",
    )
    page.login("samordnare01", TEST_PASSWORD)
    fits(page, FORM)
    # The grid reflowed, not scrolled inside its box: nothing of it is out of sight.
    assert p.evaluate(
        "[...document.querySelectorAll('.grid-wrap')].every(w => w.scrollWidth <= w.clientWidth)"
    )
    # Each cell says which column it is in.
    assert "Kvinnor" in p.inner_text("td:has(> #cell-KBT-F-PUBLIC)")
    # Typing still adds up, and the arrow keys still move as in a spreadsheet.
    p.fill("#cell-KBT-F-PUBLIC", "1200")
    p.fill("#cell-KBT-F-PRIVATE", "34")
    row_total = "document.querySelector('td.total[data-row=KBT]').firstChild.nodeValue"
    assert p.evaluate(row_total) == "1\xa0234"
    p.focus("#cell-KBT-F-PUBLIC")
    p.keyboard.press("ArrowDown")
    assert p.evaluate("document.activeElement.id") == "cell-IKBT-F-PUBLIC"
    p.keyboard.press("ArrowUp")
    p.keyboard.press("End")
    p.keyboard.press("ArrowRight")
    assert p.evaluate("document.activeElement.id") == "cell-KBT-F-PRIVATE"
    fits(page, "/rapporter/01/2019/")
    fits(page, "/utbetalningar/region/")
    fits(page, "/statistik/")

    agreement = make_agreement(EXAMPLE_A_YEAR, PayoutModel.A, frame_ore=FRAME_A_ORE)
    for region in (A, B, C):
        accept_series(region, EXAMPLE_A_YEAR, 1, coordinator, SERIES[region][1])
    run = run_start(agreement=agreement, quarter=1, acting_user=case_officer).run
    run_compute(run_id=run.pk)
    run.refresh_from_db()
    run_approve(run=run, acting_user=approver)
    fits(page, "/utbetalningar/region/")  # now with a payout line

    page.logout()
    page.login("handlaggare", TEST_PASSWORD)
    fits(page, "/rapporter/01/2019/granska/")
    fits(page, "/utbetalningar/")
    fits(page, f"/utbetalningar/korningar/{run.pk}/")
    fits(page, f"/utbetalningar/korningar/{run.pk}/beslut/{A}/")
    assert page.console_errors == []
