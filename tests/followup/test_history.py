"""SKR's published history (tables 7–8, 2009–2018) joined with Rehab's reports:
loaded idempotently, shown exactly as published and marked "Källa: SKR", flagged
where it looks wrong, and replaced by reports where a region has them."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from followup import checks, selectors, tables
from followup.models import PublishedFigure
from followup.services import history_load
from rehab.models import PopulationFigure
from tests.factories import report_version

pytestmark = pytest.mark.django_db

# The project's copy of SKR's file (the tests read it to know what SKR printed).
HISTORY = Path(__file__).resolve().parents[2] / "followup" / "data" / "skr_history_2009_2018.csv"


def published(region: str, year: int, measure: str) -> tuple[str, str]:
    with HISTORY.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if (row["region"], int(row["year"]), row["measure"]) == (region, year, measure):
                return row["count"], row["per_1000"]
    raise LookupError


def rows() -> list[tuple]:
    return list(
        PublishedFigure.objects.order_by("year", "measure", "region").values_list(
            "region", "year", "measure", "count", "per_1000", "source"
        )
    )


def series_tables() -> dict[str, tables.Table]:
    ts = selectors.time_series(selectors.agreements_with_periods())
    return {t.slug: t for t in tables.all_series_tables(ts)}


def cell_of(table: tables.Table, key: str, heading_start: str) -> tables.Cell:
    index = next(i for i, c in enumerate(table.columns) if c.heading.startswith(heading_start))
    return next(r for r in table.all_rows if r.key == key).cells[index]


def test_history_loaded_twice_gives_the_same_rows(ref):
    first = rows()
    assert len(first) == 264  # 22 rows (21 regions + SKR's national total) × 6 years × 2
    assert ("22", 2016, "KBT_IPT", 28, Decimal("0.2"), "SKR") in first  # kept as published
    assert (None, 2018, "KBT_IPT", 57_513, Decimal("8.8"), "SKR") in first
    again = history_load()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 264)
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "Publicerad historik (SKR): 0 nya, 0 ändrade, 264 oförändrade" in out.getvalue()
    assert rows() == first


def test_history_load_restores_a_changed_figure(ref):
    PublishedFigure.objects.filter(region="22", year=2016, measure="KBT_IPT").update(count=900)
    counts = history_load()
    assert (counts.created, counts.updated) == (0, 1)
    assert PublishedFigure.objects.get(region="22", year=2016, measure="KBT_IPT").count == 28


def test_table_7_column_2015_comes_back_from_page_and_export(client, ref):
    expected = {
        code: published(code, 2015, "KBT_IPT")[0] for code in ["01", "03", "22", "25", "ALL"]
    }
    page = client.get(reverse("statistics:series")).content.decode()
    section = page[
        page.index('id="tidsserie-kbt-ipt"') : page.index('id="tidsserie-kbt-ipt-per-1000"')
    ]
    assert "2015 (Källa: SKR)" in section
    url = reverse("statistics:series_export", kwargs={"table": "tidsserie-kbt-ipt", "fmt": "csv"})
    response = client.get(url)
    assert response.status_code == 200
    data = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    column = data[0].index("2015 (Källa: SKR)")
    by_region = {(row[0] or "ALL"): row[column] for row in data[1:]}
    for code, count in expected.items():
        assert by_region[code] == count
    # The page shows the same figures, grouped the Swedish way, marked SKR.
    html_rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">([^<]+)</th>(.*?)</tr>", section, re.S)
    cells = {label: re.findall(r"<td[^>]*>(.*?)</td>", body, re.S) for label, body in html_rows}
    year_index = [c.heading for c in series_tables()["tidsserie-kbt-ipt"].columns].index(
        "2015 (Källa: SKR)"
    )
    stockholm = cells["Region Stockholm"][year_index]
    assert stockholm.startswith('12\xa0204<sup class="source"')
    assert expected["01"] == "12204"
    riket = cells["Riket"][year_index]
    assert riket.startswith("54\xa0884")


def test_export_statistics_history_format(ref):
    out = io.StringIO()
    call_command("export_statistics", "--history", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0] == "region;measure;key;value"
    assert "01;history_count;KBT_IPT:2015;12204" in lines
    assert "01;history_per_1000;KBT_IPT:2015;8.5" in lines
    assert "22;history_count;KBT_IPT:2016;28" in lines  # as published, not "fixed"
    assert "ALL;history_count;KBT_IPT:2018;57513" in lines  # SKR's printed total
    assert len(lines) == 1 + 264 * 2
    assert lines[-1].startswith("ALL;")


def test_reports_win_over_history_and_the_page_says_so(client, coordinator):
    # 2018 is reported once a year: four times 100 KBT and 5 MMR1 in the one report.
    report_version(
        region="01",
        year=2018,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 400, ("MMR1", "M", "PUBLIC"): 20},
    )
    by_slug = series_tables()
    kbt = by_slug["tidsserie-kbt-ipt"]
    own = cell_of(kbt, "01", "2018")
    assert (own.value, own.source) == (400, "")  # the reports, not SKR's 11 865
    other = cell_of(kbt, "03", "2018")
    assert (str(other.value), other.source) == (published("03", 2018, "KBT_IPT")[0], "SKR")
    assert kbt.columns[9].heading == "2018 (Källa: SKR där rapport saknas)"
    assert any(
        "2018: godkända rapporter i Rehab ersätter SKR:s publicerade siffror för "
        "Region Stockholm, riket" in note
        for note in kbt.notes
    )
    page = client.get(reverse("statistics:series") + "?region=01").content.decode()
    assert "ersätter SKR:s publicerade siffror för Region Stockholm" in page
    assert "Godkända rapporter (ersätter SKR:s siffra)" in page


def test_per_1000_with_a_made_up_16_67_population(client, ref, coordinator, no_history):
    """2019: inhabitants 16–67 on 1 November 2019. 37 KBT+IPT over 20 000 people is
    1.85 per 1,000 -> 1.9 (half up); 5 MMR is 0.25 -> 0.3; 36 would be 1.80 -> 1.8."""
    PopulationFigure.objects.create(
        region_id="03",
        reference_date=datetime.date(2019, 11, 1),
        age_band="16-67",
        population=20_000,
        source="påhittad",
    )
    # The money's figure (1 Nov of the year before) is not what statistics divide by.
    PopulationFigure.objects.create(
        region_id="03",
        reference_date=datetime.date(2018, 11, 1),
        age_band="16-67",
        population=10_000,
        source="påhittad",
    )
    report_version(
        region="03",
        year=2019,
        user=coordinator,
        series={("KBT", "F", "PUBLIC"): 30, ("IPT", "M", "PUBLIC"): 7, ("MMR2", "F", "PUBLIC"): 5},
    )
    assert 37 * 1000 / 20_000 == 1.85
    by_slug = series_tables()
    rate = by_slug["tidsserie-kbt-ipt-per-1000"]
    assert cell_of(rate, "03", "2019").value == Decimal("1.9")
    assert cell_of(by_slug["tidsserie-mmr-per-1000"], "03", "2019").value == Decimal("0.3")
    region = tables.series_table(
        selectors.time_series(selectors.agreements_with_periods()), "03", "Region Uppsala"
    )
    assert cell_of(region, "2019", "Befolkning per 1 november").value == 20_000
    assert cell_of(region, "2018", "Befolkning per 1 november").missing == "–"
    figures = selectors.year_figures(
        next(a for a in selectors.agreements_with_periods() if a.year == 2019)
    )
    mental = tables.year_tables(figures)[0]
    assert cell_of(mental, "03", "KBT+IPT per 1 000").value == Decimal("1.9")
    assert any("per 2019-11-01" in note for note in mental.notes)
    assert any("saknas för någon region" in note for note in mental.notes)
    html = client.get(reverse("statistics:year", kwargs={"year": 2019})).content.decode()
    assert "1,9" in html
    page = client.get(reverse("statistics:series") + "?region=03").content.decode()
    assert "20\xa0000" in page  # the figure it divided by, named on the page


def test_flags_mark_published_figures_without_changing_them(ref):
    ts = selectors.time_series(selectors.agreements_with_periods())
    flags = checks.history_flags(ts)
    assert flags[(2018, "ALL", "KBT_IPT")] == [
        "SKR:s riket 57\xa0513 är inte summan av regionerna (56\xa0522)."
    ]
    assert flags[(2016, "22", "KBT_IPT")] == ["2016: 28 ligger långt från grannåren (913, 715)."]
    assert (2015, "01", "MMR") in flags  # SKR's 2015 MMR rates are ~0.6 of count ÷ population
    assert (2017, "01", "KBT_IPT") not in flags
    kbt = tables.region_series_tables(ts, flags=flags)[0]
    cell = cell_of(kbt, "22", "2016")
    assert (cell.value, cell.source) == (28, "SKR")
    assert "långt från grannåren" in cell.flag
    total = cell_of(kbt, "ALL", "2018")
    assert total.value == 57_513
    assert "inte summan av regionerna" in total.flag
