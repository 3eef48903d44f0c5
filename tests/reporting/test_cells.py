"""The cells of an agreement are defined once (reporting.cells) and the grid, the
upload template, validation and the file parser agree on them: for a model A year
(2012: no video) and a model B year (2020: more treatments, video)."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rehab.enums import PayoutModel
from rehab.models import Agreement, AgreementTreatment, Treatment
from reporting.cells import SERIES_COLUMNS, agreement_cells
from reporting.figures import Figures, extra_key, series_key
from reporting.fileformat import parse_csv, parse_xlsx
from reporting.validation import blank_cells, catalogue_issues, included_treatments
from reporting.views.grid import build_grid
from tests.reporting.test_views import period, url

pytestmark = pytest.mark.django_db

YEARS = [(2012, 1, PayoutModel.A), (2020, None, PayoutModel.B)]  # 2020: one yearly report


def keys_of_rows(rows: list[Any]) -> list[str]:
    return [
        series_key(r.item, r.sex, r.provider) if r.provider else extra_key(r.item, r.sex)
        for r in rows
    ]


@pytest.mark.parametrize(("year", "quarter", "model"), YEARS)
def test_grid_template_validation_and_parser_agree(login, coordinator, year, quarter, model):
    agreement = Agreement.objects.get(year=year)
    assert agreement.payout_model == model
    the_period = period(year, quarter)
    cells = agreement_cells(agreement)
    # The definition itself: the agreement's treatments × 4 columns, then
    # contacts (and video where asked) × 2 sexes.
    codes = set(AgreementTreatment.objects.filter(agreement=agreement).values_list("treatment"))
    assert set(cells.codes) == {c for (c,) in codes} == included_treatments(the_period)
    extras = 3 if agreement.asks_video else 2
    assert len(cells.keys) == len(cells.codes) * len(SERIES_COLUMNS) + extras * 2
    assert ("VIDEO" in cells.extra_kinds) is agreement.asks_video

    # The grid: its cells, in its order.
    grid = build_grid(cells=cells, values={})
    assert tuple(cell.key for cell in grid.cells()) == cells.keys

    # The upload template (both formats): one line per cell, in the grid's order.
    client = login(coordinator)
    csv_bytes = client.get(url("template", "csv", year=year, quarter=quarter)).content
    xlsx_bytes = client.get(url("template", "xlsx", year=year, quarter=quarter)).content
    from_csv = parse_csv(csv_bytes.replace(b";\r\n", b";0\r\n"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    for row in sheet.worksheets[0].iter_rows(min_row=2, min_col=6, max_col=6):
        row[0].value = 0
    out = io.BytesIO()
    sheet.save(out)
    from_xlsx = parse_xlsx(out.getvalue())
    # The parser accepts every line of the template, and reads back exactly the cells.
    assert tuple(keys_of_rows(from_csv)) == cells.keys
    assert tuple(keys_of_rows(from_xlsx)) == cells.keys
    assert {(r.year, r.quarter) for r in from_csv} == {(year, quarter)}

    # Validation: an empty report is blank in exactly these cells; a full one has
    # no cell outside the agreement; one more treatment or video is refused.
    assert tuple(blank_cells(the_period, Figures())) == cells.keys
    full = Figures.from_cells(dict.fromkeys(cells.keys, 0))
    assert blank_cells(the_period, full) == []
    assert catalogue_issues(the_period, full) == []
    outside = "VIDEO:F" if not agreement.asks_video else None
    missing = sorted(set(Treatment.objects.values_list("code", flat=True)) - set(cells.codes))
    extra = {**dict.fromkeys(cells.keys, 0)}
    assert missing or year == 2020  # 2012 lacks treatments the catalogue has
    if missing:
        extra[series_key(missing[0], "F", "PUBLIC")] = 1
    if outside:
        extra[outside] = 1
    issues = catalogue_issues(the_period, Figures.from_cells(extra))
    assert {i.subject for i in issues} == set(extra) - set(cells.keys)


def test_report_form_has_an_input_for_every_cell_and_no_other(login, coordinator):
    html = login(coordinator).get(url("report")).content.decode()
    names = re.findall(r'<input type="text"[^>]* name="([A-Z0-9_]+:[A-Z:]+)"', html)
    assert tuple(names) == agreement_cells(period().agreement).keys


def test_labels_are_the_grids_and_the_upload_previews(ref):
    cells = agreement_cells(period().agreement)
    grid = build_grid(cells=cells, values={})
    labels = cells.labels()
    assert {cell.key: cell.label for cell in grid.cells()} == labels
    assert labels["KBT:F:PUBLIC"] == "Kognitiv beteendeterapi (KBT), kvinnor, offentlig"
    assert labels["VIDEO:M"].endswith(", män")


@pytest.mark.parametrize("year", [2012, 2020])
def test_building_the_cells_costs_one_query(ref, year):
    agreement = Agreement.objects.get(year=year)
    with CaptureQueriesContext(connection) as queries:
        cells = agreement_cells(agreement)
        keys, labels = cells.keys, cells.labels()
        build_grid(cells=cells, values={})
        cells.order(["MMR", "KBT"])
    assert len(queries) == 1
    assert len(keys) == len(labels) > 0


def test_the_cells_are_frozen(ref):
    cells = agreement_cells(Agreement.objects.get(year=2020))
    with pytest.raises(AttributeError):
        cells.asks_video = False  # type: ignore[misc]
