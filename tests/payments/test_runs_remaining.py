"""Issue 15: the runs page never shows more left than the frame it names. Under
model B the bonus pot (its cap) is paid on top of the frame, so what is left is
named 'Kvar av ramen och kontaktbonusens tak' beside both amounts; under model A
it stays 'Kvar av ramen'."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.payments.conftest import EXAMPLE_A_YEAR, EXAMPLE_B_YEAR

pytestmark = pytest.mark.django_db


def facts(html: str) -> list[str]:
    start = html.index('<dl class="facts">')
    block = html[start : html.index("</dl>", start)]
    return [term.split("</dt>")[0] for term in block.split("<dt>")[1:]]


def test_model_b_names_what_is_left_of_the_frame_and_the_bonus_cap(login, case_officer, example_b):
    html = login(case_officer).get(reverse("payments:runs"), {"ar": EXAMPLE_B_YEAR})
    shown = facts(html.content.decode())
    assert shown == [
        "Ram till regionerna",
        "Kontaktbonus, tak",
        "Utbetalt i attesterade körningar",
        "Kvar av ramen och kontaktbonusens tak",
    ]
    group = next(g for g in html.context["overview"] if g.agreement.year == EXAMPLE_B_YEAR)
    assert group.remaining_ore == example_b.frame_ore + example_b.contact_bonus_cap_ore > 0


def test_model_a_says_what_is_left_of_the_frame(login, case_officer, example_a):
    html = login(case_officer).get(reverse("payments:runs"), {"ar": EXAMPLE_A_YEAR})
    assert facts(html.content.decode()) == [
        "Ram till regionerna",
        "Utbetalt i attesterade körningar",
        "Kvar av ramen",
    ]
