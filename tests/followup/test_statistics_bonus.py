"""The contact bonus in the statistics comes from the payout runs FK has approved
(spec §8.5): a calculated run that is not yet approved pays nothing."""

from __future__ import annotations

import pytest

from followup import selectors, tables
from payments.services import run_approve, run_compute, run_start
from rehab.enums import PayoutModel
from tests.payments.conftest import (
    BONUS_SEK,
    CONTACTS,
    EXAMPLE_B_YEAR,
    SEK,
    A,
    B,
    C,
    accept_contacts,
    make_agreement,
)

pytestmark = pytest.mark.django_db


def contacts_table(agreement) -> tables.Table:
    figures = selectors.year_figures(agreement)
    return next(t for t in tables.year_tables(figures) if t.slug == "kontakter")


def row(table: tables.Table, key: str) -> list:
    return [c.value for c in next(r for r in table.all_rows if r.key == key).cells]


def test_bonus_paid_comes_from_approved_runs(ref, coordinator, case_officer, approver):
    agreement = make_agreement(EXAMPLE_B_YEAR, PayoutModel.B, frame_ore=500_000_000 * SEK)
    for region in (A, B, C):
        for quarter in (1, 2, 3, 4):
            accept_contacts(
                region,
                EXAMPLE_B_YEAR,
                quarter,
                coordinator,
                CONTACTS[region] if quarter == 1 else 0,
            )
    run = run_start(agreement=agreement, quarter=None, acting_user=case_officer).run
    run_compute(run_id=run.pk)
    run.refresh_from_db()

    table = contacts_table(agreement)
    assert [c.heading for c in table.columns] == [
        "Godkända kvartal",
        "Kontakter med arbetsgivare",
        "Kontakter med Arbetsförmedlingen",
        "Summa kontakter",
        "Utbetald kontaktbonus (kr)",
    ]
    # Calculated but not approved: nothing is paid yet.
    assert row(table, A) == ["4 av 4", 400, 0, 400, 0]
    assert row(table, "ALL") == ["3 av 3 regioner", 680, 0, 680, 0]

    run_approve(run=run, acting_user=approver)
    table = contacts_table(agreement)
    assert row(table, A) == ["4 av 4", 400, 0, 400, BONUS_SEK[A] * SEK]
    assert row(table, B) == ["4 av 4", 250, 0, 250, BONUS_SEK[B] * SEK]
    assert row(table, C) == ["4 av 4", 30, 0, 30, BONUS_SEK[C] * SEK]
    assert row(table, "ALL") == ["3 av 3 regioner", 680, 0, 680, 2_040_000 * SEK]


def test_bonus_shows_in_kronor_on_the_page_and_in_csv(
    client, ref, coordinator, case_officer, approver
):
    agreement = make_agreement(EXAMPLE_B_YEAR, PayoutModel.B, frame_ore=500_000_000 * SEK)
    for region in (A, B, C):
        for quarter in (1, 2, 3, 4):
            accept_contacts(
                region,
                EXAMPLE_B_YEAR,
                quarter,
                coordinator,
                CONTACTS[region] if quarter == 1 else 0,
            )
    run = run_start(agreement=agreement, quarter=None, acting_user=case_officer).run
    run_compute(run_id=run.pk)
    run.refresh_from_db()
    run_approve(run=run, acting_user=approver)
    client.force_login(case_officer)
    html = client.get(f"/statistik/{EXAMPLE_B_YEAR}/").content.decode()
    assert "1\xa0200\xa0000,00" in html
    assert "2\xa0040\xa0000,00" in html
    csv_text = client.get(f"/statistik/{EXAMPLE_B_YEAR}/kontakter.csv").content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[1] == "01;Region Stockholm;4 av 4;400;0;400;1200000,00"
    assert lines[-1] == ";Riket;3 av 3 regioner;680;0;680;2040000,00"
