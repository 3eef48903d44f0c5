"""`manage.py simulate_payouts`: the spec's worked examples to the öre, and clear errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rehab.models import Agreement
from tests.payments.conftest import (
    BASE_SEK,
    BONUS_CAPPED_ORE,
    BONUS_SEK,
    CEILINGS_SEK,
    CONTACTS,
    EXAMPLE_A_YEAR,
    EXAMPLE_B_YEAR,
    PAYOUTS_SEK,
    POPULATIONS,
    REDISTRIBUTION_ORE,
    SEK,
    SERIES,
)

pytestmark = pytest.mark.django_db


def write_population(tmp_path: Path) -> Path:
    path = tmp_path / "befolkning.csv"
    lines = ["region;population"] + [f"{code};{n}" for code, n in POPULATIONS.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_series_file(tmp_path: Path, year: int) -> Path:
    path = tmp_path / "rapporter.csv"
    lines = ["region;period;item;sex;provider;value"]
    for region, by_quarter in SERIES.items():
        for quarter, counts in by_quarter.items():
            for code, n in counts.items():
                # Split each count over sexes and providers: the engine sums them again.
                lines.append(f"{region};{year}Q{quarter};{code};F;PUBLIC;{n // 2}")
                lines.append(f"{region};{year}Q{quarter};{code};M;PRIVATE;{n - n // 2}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_contacts_file(tmp_path: Path, year: int) -> Path:
    path = tmp_path / "kontakter.csv"
    lines = ["region;period;item;sex;provider;value"]
    for region, contacts in CONTACTS.items():
        lines.append(f"{region};{year}Q1;EMPLOYER_CONTACT;F;;{contacts // 2}")
        lines.append(f"{region};{year}Q3;AF_CONTACT;M;;{contacts - contacts // 2}")
        lines.append(f"{region};{year}Q2;KBT;F;PUBLIC;{contacts + 10}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def simulate(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("simulate_payouts", *args, stdout=out)
    return out.getvalue().splitlines()


def parse(lines: list[str]) -> dict[tuple[str, str, str], int]:
    assert lines[0] == "region;period;component;amount_ore"
    result: dict[tuple[str, str, str], int] = {}
    for line in lines[1:]:
        region, period, component, amount = line.split(";")
        result[(region, period, component)] = int(amount)
    return result


def test_simulate_model_a_reproduces_the_worked_example(example_a, tmp_path):
    rows = parse(
        simulate(
            "--agreement",
            str(EXAMPLE_A_YEAR),
            "--input",
            str(write_series_file(tmp_path, EXAMPLE_A_YEAR)),
            "--population",
            str(write_population(tmp_path)),
        )
    )
    year = str(EXAMPLE_A_YEAR)
    for quarter, payouts in PAYOUTS_SEK.items():
        for region, sek in payouts.items():
            assert rows[(region, f"{year}Q{quarter}", "payout")] == sek * SEK
    for region, sek in CEILINGS_SEK.items():
        assert rows[(region, year, "ceiling")] == sek * SEK
    for region, ore in REDISTRIBUTION_ORE.items():
        assert rows[(region, year, "redistribution")] == ore
    paid = sum(
        amount
        for (_r, _p, component), amount in rows.items()
        if component in ("payout", "redistribution")
    )
    assert paid == 10_000_000 * SEK
    # B's cumulative production in Q1 is over its ceiling: entitled stops at the ceiling.
    assert rows[("03", f"{year}Q1", "earned")] == (150 * 13_000 + 30 * 46_000) * SEK
    assert rows[("03", f"{year}Q1", "entitled")] == 3_000_000 * SEK


def test_simulate_output_is_sorted_with_year_rows_first(example_a, tmp_path):
    lines = simulate(
        "--agreement",
        str(EXAMPLE_A_YEAR),
        "--input",
        str(write_series_file(tmp_path, EXAMPLE_A_YEAR)),
        "--population",
        str(write_population(tmp_path)),
    )
    assert lines[1:6] == [
        "01;2099;ceiling;500000000",
        "01;2099;redistribution;19346746",
        "01;2099Q1;earned;182000000",
        "01;2099Q1;entitled;182000000",
        "01;2099Q1;payout;182000000",
    ]


def test_simulate_model_b_reproduces_the_worked_example(example_b, tmp_path):
    rows = parse(
        simulate(
            "--agreement",
            str(EXAMPLE_B_YEAR),
            "--input",
            str(write_contacts_file(tmp_path, EXAMPLE_B_YEAR)),
            "--population",
            str(write_population(tmp_path)),
        )
    )
    year = str(EXAMPLE_B_YEAR)
    assert rows == {
        **{(region, year, "base"): sek * SEK for region, sek in BASE_SEK.items()},
        **{(region, year, "bonus"): sek * SEK for region, sek in BONUS_SEK.items()},
    }


def test_simulate_model_b_with_a_capped_bonus(example_b, tmp_path):
    Agreement.objects.filter(pk=example_b.pk).update(contact_bonus_cap_ore=1_000_000 * SEK)
    rows = parse(
        simulate(
            "--agreement",
            str(EXAMPLE_B_YEAR),
            "--input",
            str(write_contacts_file(tmp_path, EXAMPLE_B_YEAR)),
            "--population",
            str(write_population(tmp_path)),
        )
    )
    bonus = {region: rows[(region, str(EXAMPLE_B_YEAR), "bonus")] for region in CONTACTS}
    assert bonus == BONUS_CAPPED_ORE
    assert sum(bonus.values()) == 1_000_000 * SEK


def test_simulate_without_population_option_needs_the_agreements_figure(ref, tmp_path):
    # 2012 with the real populations of 31 Dec 2011 is not loaded; 2020's figure is
    # per 1 Nov 2019 and missing too: the command says so.
    path = tmp_path / "r.csv"
    path.write_text("region;period;item;sex;provider;value\n01;2020;KBT;F;PUBLIC;5\n")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("simulate_payouts", "--agreement", "2020", "--input", str(path), stdout=out)
    assert "Befolkningsuppgifter per 2019-11-01 saknas; ange --population." in str(error.value)
    assert out.getvalue() == ""
    assert err.getvalue() == ""


def test_simulate_bad_file_gives_swedish_errors_and_no_output(example_a, tmp_path):
    path = tmp_path / "fel.csv"
    path.write_text(
        "region;period;item;sex;provider;value\n"
        "1;2099Q1;KBT;F;PUBLIC;5\n"
        "01;2099Q5;KBT;F;PUBLIC;5\n"
        "01;2099Q1;KBT;F;PUBLIC;-3\n"
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "simulate_payouts",
            "--agreement",
            str(EXAMPLE_A_YEAR),
            "--input",
            str(path),
            "--population",
            str(write_population(tmp_path)),
            stdout=out,
        )
    message = str(error.value)
    assert message.startswith("Filen fel.csv har fel:")
    assert 'Rad 2, kolumn region: "1" är inte en länskod med två siffror' in message
    assert "Rad 3, kolumn period:" in message
    assert 'Rad 4, kolumn value: "-3" är inte ett heltal ≥ 0.' in message
    assert out.getvalue() == ""


def test_simulate_rejects_rows_the_agreement_cannot_pay(example_a, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "region;period;item;sex;provider;value\n"
        "01;2099Q1;PDT;F;PUBLIC;5\n"
        "05;2099Q1;KBT;F;PUBLIC;5\n"
        "01;2012Q1;KBT;F;PUBLIC;5\n"
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "simulate_payouts",
            "--agreement",
            str(EXAMPLE_A_YEAR),
            "--input",
            str(path),
            "--population",
            str(write_population(tmp_path)),
            stdout=out,
        )
    assert str(error.value).splitlines() == [
        "Filen kan inte simuleras:",
        "Rad 2: behandlingen PDT ingår inte i överenskommelsen 2099.",
        "Rad 3: region 05 saknar befolkningsuppgift.",
        "Rad 4: perioden 2012Q1 hör inte till överenskommelsen 2099.",
    ]
    assert out.getvalue() == ""


def test_simulate_missing_rates_are_named(ref, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("region;period;item;sex;provider;value\n01;2013Q1;KBT;F;PUBLIC;5\n")
    with pytest.raises(CommandError) as error:
        call_command(
            "simulate_payouts",
            "--agreement",
            "2013",
            "--input",
            str(path),
            "--population",
            str(write_population(tmp_path)),
            stdout=io.StringIO(),
        )
    assert (
        "Ersättning per behandling saknas i överenskommelsen 2013 för: IPT, KBT, MMR1, MMR2."
        in str(error.value)
    )


def test_simulate_bad_population_file(example_a, tmp_path):
    population = tmp_path / "befolkning.csv"
    population.write_text("region;population\n01;500000\n3;12\n04;många\n")
    with pytest.raises(CommandError) as error:
        call_command(
            "simulate_payouts",
            "--agreement",
            str(EXAMPLE_A_YEAR),
            "--input",
            str(write_series_file(tmp_path, EXAMPLE_A_YEAR)),
            "--population",
            str(population),
            stdout=io.StringIO(),
        )
    message = str(error.value)
    assert "Rad 3: '3' är inte en länskod med två siffror." in message
    assert "Rad 4: 'många' är inte ett antal invånare (heltal ≥ 0)." in message


def test_simulate_unknown_agreement(ref, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("simulate_payouts", "--agreement", "2050", "--input", str(tmp_path / "x.csv"))
    assert str(error.value) == "Det finns ingen överenskommelse för år 2050."
