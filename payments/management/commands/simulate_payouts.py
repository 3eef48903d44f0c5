"""Simulate a year's payouts from a report file, without touching the reports in the database.

    python manage.py simulate_payouts --agreement 2012 --input rapporter.csv \\
        [--population befolkning.csv]

    python manage.py simulate_payouts --agreement 2020 --condition V2 \
        --population befolkning.csv --fulfilled 01,03,04

Prints CSV ``region;period;component;amount_ore`` (see payments.engine.simulate).
With ``--condition`` (a written-account condition) there is no report file: one
row per region with the population file (or the condition's own figure), period
the agreement's year and component ``condition``: the region's share of the
condition's money if it is in ``--fulfilled``, else 0 (with an advance share, a
region not fulfilled keeps the advance: that is its amount).
The agreement's rules (frame, rates, bonus) come from the database; the population
from ``--population`` (CSV ``region;population``) or else the agreement's own figure.
On a bad file a Swedish error goes to stderr and nothing to stdout.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payments.engine import (
    REMAINDER,
    DeliverableParams,
    ModelAParams,
    ModelBParams,
    instalment_run,
)
from payments.engine.simulate import simulate
from payments.run_inputs import agreement_params_snapshot
from rehab.enums import ConditionKind, PayoutModel
from rehab.models import Agreement, AgreementTreatment, Condition
from rehab.selectors import (
    agreement_populations,
    period_code,
    period_missing_message,
    populations_for,
)
from reporting.fileformat import NON_TREATMENT_ITEMS, FileFormatError, Row, parse_file

HEADER = "region;period;component;amount_ore"


def read_populations(path: Path) -> dict[str, int]:
    """Read a CSV ``region;population`` file (``;`` or ``,``, UTF-8 with or without BOM).
    Raises ``CommandError`` in Swedish listing every problem."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise CommandError(f"Befolkningsfilen {path} kan inte läsas: {error.strerror}.") from None
    except UnicodeDecodeError:
        raise CommandError(f"Befolkningsfilen {path} är inte UTF-8-kodad text.") from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    numbered = [
        (number, row) for number, row in enumerate(rows, start=1) if any(c.strip() for c in row)
    ]
    if not numbered:
        raise CommandError(f"Befolkningsfilen {path} innehåller inga rader.")
    header_line, header = numbered[0]
    names = [cell.strip().lower() for cell in header]
    if names[:2] != ["region", "population"]:
        raise CommandError(
            f"Befolkningsfilen {path}, rad {header_line}: rubrikraden ska vara region;population."
        )
    errors: list[str] = []
    populations: dict[str, int] = {}
    for number, row in numbered[1:]:
        cells = [cell.strip() for cell in row] + ["", ""]
        region, value = cells[0], cells[1].replace(" ", "").replace("\u00a0", "")
        if len(region) != 2 or not region.isdigit():
            errors.append(f"Rad {number}: {region!r} är inte en länskod med två siffror.")
            continue
        if not value.isdigit():
            errors.append(f"Rad {number}: {cells[1]!r} är inte ett antal invånare (heltal ≥ 0).")
            continue
        if region in populations:
            errors.append(f"Rad {number}: region {region} finns redan på en tidigare rad.")
            continue
        populations[region] = int(value)
    if not populations and not errors:
        errors.append("Filen innehåller inga regioner.")
    if errors:
        raise CommandError(f"Befolkningsfilen {path} har fel:\n" + "\n".join(errors))
    return populations


def check_rows(agreement: Agreement, rows: list[Row], populations: dict[str, int]) -> None:
    """Everything the engine would refuse, as Swedish messages with line numbers."""
    included = set(
        AgreementTreatment.objects.filter(agreement=agreement).values_list(
            "treatment_id", flat=True
        )
    )
    errors: list[str] = []
    yearly = agreement.is_yearly_reporting
    for row in rows:
        if row.year != agreement.year:
            errors.append(
                f"Rad {row.line}: perioden {period_code(row.year, row.quarter)} hör inte till "
                f"överenskommelsen {agreement.year}."
            )
        elif (row.quarter is None) != yearly:
            errors.append(
                f"Rad {row.line}: "
                + period_missing_message(year=row.year, quarter=row.quarter, yearly=yearly)
            )
        if row.region not in populations:
            errors.append(f"Rad {row.line}: region {row.region} saknar befolkningsuppgift.")
        if row.item not in NON_TREATMENT_ITEMS and row.item not in included:
            errors.append(
                f"Rad {row.line}: behandlingen {row.item} ingår inte i överenskommelsen "
                f"{agreement.year}."
            )
    if errors:
        raise CommandError("Filen kan inte simuleras:\n" + "\n".join(errors))


class Command(BaseCommand):
    help = (
        "Simulerar ett års utbetalningar från en rapportfil (region;period;item;sex;provider;"
        "value) med samma beräkning som utbetalningskörningarna. Skriver CSV "
        "region;period;component;amount_ore."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agreement", type=int, required=True, help="Överenskommelsens år.")
        parser.add_argument("--input", help="Rapportfil (.csv, .txt eller .xlsx).")
        parser.add_argument(
            "--condition",
            help="Ett villkor med skriftlig återrapportering (t.ex. V2) i stället för rapportfil.",
        )
        parser.add_argument(
            "--fulfilled",
            default="",
            help="Med --condition: länskoderna som har uppfyllt villkoret, t.ex. 01,03,04.",
        )
        parser.add_argument(
            "--population",
            help="CSV region;population som ersätter överenskommelsens befolkningsuppgift.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["agreement"]
        agreement = Agreement.objects.filter(year=year).first()
        if agreement is None:
            raise CommandError(f"Det finns ingen överenskommelse för år {year}.")
        if options.get("condition"):
            self._condition(agreement, options)
            return
        if not options.get("input"):
            raise CommandError("Ange --input (rapportfil) eller --condition (villkor).")
        path = Path(options["input"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Filen {path} kan inte läsas: {error.strerror}.") from None
        try:
            rows = parse_file(path.name, data)
        except FileFormatError as error:
            raise CommandError(
                f"Filen {path.name} har fel:\n" + "\n".join(e.message for e in error.errors)
            ) from None

        problems: list[str] = []
        params = agreement_params_snapshot(agreement, problems)
        if options.get("population"):
            populations = read_populations(Path(options["population"]))
        else:
            populations = agreement_populations(agreement)
            if not populations:
                problems.append(
                    f"Befolkningsuppgifter per {agreement.population_reference_date} saknas; "
                    "ange --population."
                )
        if problems:
            raise CommandError("\n".join(problems))
        check_rows(agreement, rows, populations)

        engine_params: ModelAParams | ModelBParams
        if agreement.payout_model == PayoutModel.A:
            engine_params = ModelAParams(
                frame_ore=params["frame_ore"],
                addon_ore=params["addon_ore"],
                rates_ore=params["rates_ore"],
            )
        else:
            engine_params = ModelBParams(**params)
        try:
            lines = simulate(
                model=agreement.payout_model,
                year=agreement.year,
                params=engine_params,
                populations=populations,
                rows=rows,
            )
        except ValueError as error:
            raise CommandError(f"Beräkningen gick inte att göra: {error}") from None
        out = [HEADER] + [
            f"{region};{period};{component};{amount}" for region, period, component, amount in lines
        ]
        self.stdout.write("\n".join(out))

    def _condition(self, agreement: Agreement, options: dict[str, Any]) -> None:
        """A written-account condition's payout per region (see the module docstring)."""
        code = options["condition"].strip().upper()
        condition = Condition.objects.filter(agreement=agreement, code=code).first()
        if condition is None:
            raise CommandError(f"Överenskommelsen {agreement.year} har inget villkor {code}.")
        if condition.kind != ConditionKind.DELIVERABLE:
            raise CommandError(
                f"Villkoret {code} betalas inte efter skriftlig återrapportering; "
                "simulera det med --input."
            )
        if options.get("population"):
            populations = read_populations(Path(options["population"]))
        else:
            populations = populations_for(
                reference_date=condition.effective_population_date,
                age_band=condition.population_age_band,
            )
            if not populations:
                raise CommandError(
                    f"Befolkningsuppgifter per {condition.effective_population_date} saknas; "
                    "ange --population."
                )
        fulfilled = [c.strip() for c in options.get("fulfilled", "").split(",") if c.strip()]
        unknown = [c for c in fulfilled if c not in populations]
        if unknown:
            raise CommandError(
                "--fulfilled har regioner utan befolkningsuppgift: " + ", ".join(unknown) + "."
            )
        params = DeliverableParams(
            frame_ore=condition.amount_ore, advance_share=condition.advance_share
        )
        try:
            remainder = instalment_run(
                params, populations, instalment=REMAINDER, fulfilled=set(fulfilled)
            )
        except ValueError as error:
            raise CommandError(f"Beräkningen gick inte att göra: {error}") from None
        out = [HEADER] + [
            f"{region};{agreement.year};condition;{line.advance_ore + line.payout_ore}"
            for region, line in remainder.lines.items()
        ]
        self.stdout.write("\n".join(out))
