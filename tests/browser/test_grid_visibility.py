"""The grid as a keyboard and screen user meets it (issue 15, accessibility): the
focused cell's ring has at least 3:1 contrast against the white page (WCAG 1.4.11),
and the column headings and row labels stay in view while a long grid scrolls.
Screenshots land in test-artifacts/."""

from __future__ import annotations

import re

import pytest

from tests.factories import TEST_PASSWORD

FORM = "/rapporter/01/2020/"  # villkor 3 2020: one yearly report


def luminance(css: str) -> float:
    found = re.match(r"rgba?\((\d+),\s*(\d+),\s*(\d+)", css)
    assert found, css
    channels = []
    for value in found.groups():
        c = int(value) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_says():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") == pytest.approx(4.54, abs=0.01)


@pytest.mark.django_db(transaction=True)
def test_focus_ring_contrast_and_headings_stay_in_view(page, coordinator):
    p = page.page
    p.set_viewport_size({"width": 900, "height": 500})
    page.login("samordnare01", TEST_PASSWORD)
    page.goto(FORM)
    cell = "#cell-KBT-F-PUBLIC"
    p.focus(cell)
    ring = p.eval_on_selector(
        cell,
        """el => { const s = getComputedStyle(el);
                   return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }""",
    )
    assert ring[0] == "solid"
    assert float(ring[1].removesuffix("px")) >= 2
    assert contrast(ring[2], "rgb(255, 255, 255)") >= 3, ring
    page.screenshot("grid-01-focus-ring")

    # Scroll the grid's own region down and right: the headings and the row label
    # of a cell still in view are not scrolled away.
    wrap = p.locator(".grid-wrap").first
    wrap.evaluate("el => { el.scrollTop = el.scrollHeight; el.scrollLeft = el.scrollWidth; }")
    assert wrap.evaluate("el => el.scrollTop") > 0, "the grid does not scroll inside its region"
    box = wrap.bounding_box()
    heading = wrap.locator("table.grid thead th").first.bounding_box()
    assert box is not None and heading is not None
    assert box["y"] - 1 <= heading["y"] <= box["y"] + 2
    last_row = wrap.locator("table.grid tbody th[scope=row]").last.bounding_box()
    assert last_row is not None
    assert box["x"] - 1 <= last_row["x"] <= box["x"] + 2
    assert last_row["y"] < box["y"] + box["height"]
    page.screenshot("grid-02-scrolled-headings-in-view")
    assert page.console_errors == []
