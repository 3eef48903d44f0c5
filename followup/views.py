"""The statistics section: the yearly tables of spec §8, charts, the time series
and their downloads. Public, without login, as SKR's report is: every figure is
an aggregate of accepted report versions (or SKR's own published history), never
a draft, a version, a comment or a care unit. A logged-in region user sees their
own region's row highlighted.

Each page costs a fixed number of queries, whatever the number of regions,
reports and years (the sums are made by PostgreSQL, see
followup.selectors).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import override

from payments import selectors as payments_selectors
from payments.funds import funds_passed_on
from rehab.dataversion import cached_html
from rehab.models import Agreement
from rehab.pagecache import cached_page
from reporting.models import Report

from . import charts, checks, measures, selectors, tables
from .exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, table_csv, tables_xlsx
from .tables import NATIONAL, Table


def _own_region(request: HttpRequest) -> str | None:
    return getattr(request.user, "region_id", None)


def _agreement(agreements: list[Agreement], year: int) -> Agreement:
    for agreement in agreements:
        if agreement.year == year:
            return agreement
    raise Http404


def _default_year(agreements: list[Agreement]) -> int | None:
    """The latest year with an accepted report, else the latest agreement."""
    latest = Report.objects.filter(accepted_version__isnull=False).aggregate(
        year=Max("period__agreement__year")
    )["year"]
    if latest is not None:
        return int(latest)
    return int(agreements[-1].year) if agreements else None


@cached_page
def index(request: HttpRequest) -> HttpResponse:
    """The section's entry: the chosen year (?ar=YYYY, from the year picker) or the latest."""
    agreements = selectors.agreements_with_periods()
    chosen = request.GET.get("ar", "")
    if chosen.isascii() and chosen.isdigit() and any(a.year == int(chosen) for a in agreements):
        return redirect("statistics:year", year=int(chosen))
    year = _default_year(agreements)
    if year is None:
        return render(request, "followup/empty.html", {})
    return redirect("statistics:year", year=year)


def _year_tables(
    agreement: Agreement, agreements: list[Agreement], own_region: str | None
) -> tuple[selectors.YearFigures, Table, list[Table]]:
    figures = selectors.year_figures(agreement)
    pair = [a for a in agreements if a.year in (agreement.year - 1, agreement.year)]
    ts = selectors.time_series(pair, span=False)
    status = tables.status_table(figures, own_region)
    return (
        figures,
        status,
        [
            *tables.year_tables(figures, own_region),
            tables.change_table(ts, int(agreement.year), own_region),
        ],
    )


@cached_page
def year(request: HttpRequest, year: int) -> HttpResponse:
    """Tables 1–5 and 7 of spec §8 for one year, and which reports count."""
    own = _own_region(request)

    def body() -> str:
        agreements = selectors.agreements_with_periods()
        agreement = _agreement(agreements, year)
        figures, status, year_tables = _year_tables(agreement, agreements, own)
        context = {
            "agreement": agreement,
            "agreements": agreements,
            "figures": figures,
            "status_table": status,
            "tables": year_tables,
            "section": "year",
            "passed_on": funds_passed_on(agreement),
        }
        return render_to_string("followup/_year_body.html", context, request)

    html = cached_html("statistics-year", [year, own], body)
    return render(request, "followup/year.html", {"year": year, "body": html})


def _rate_bars(table: Table, title: str, own_region: str | None) -> charts.BarChart:
    """Bars from the one-column table of per-1,000 figures (regions and the nation)."""
    items = []
    for row in table.all_rows:
        value = row.cells[0].value
        css = "national" if row.key == NATIONAL else ("own" if row.key == own_region else "")
        items.append((row.label, value if isinstance(value, Decimal) else None, css))
    return charts.bar_chart(title, items, missing_text=_("saknas"))


@cached_page
def year_charts(request: HttpRequest, year: int) -> HttpResponse:
    """Regions side by side: KBT+IPT and MMR1+MMR2 per 1,000 inhabitants in the year,
    each chart beside a table of its figures."""
    own = _own_region(request)

    def body() -> str:
        agreements = selectors.agreements_with_periods()
        agreement = _agreement(agreements, year)
        figures = selectors.year_figures(agreement)
        mental, pain = tables.year_tables(figures, own)[:2]
        band = tables.age_band_label(agreement)
        chart_list = []
        for table, group in ((mental, _("KBT+IPT")), (pain, _("MMR1+MMR2"))):
            title = _("%(group)s per 1 000 invånare %(band)s, %(year)s") % {
                "group": group,
                "band": band,
                "year": year,
            }
            data = table.pick(
                [table.columns[-1].heading], title=title, slug=f"{table.slug}-diagram"
            )
            chart_list.append((_rate_bars(data, title, own), data))
        context = {
            "agreement": agreement,
            "agreements": agreements,
            "figures": figures,
            "charts": chart_list,
            "section": "charts",
        }
        return render_to_string("followup/_year_charts_body.html", context, request)

    html = cached_html("statistics-charts", [year, own], body)
    return render(request, "followup/year_charts.html", {"year": year, "body": html})


def _number(cell: tables.Cell) -> int | Decimal | None:
    return cell.value if isinstance(cell.value, (int, Decimal)) else None


@cached_page
def series(request: HttpRequest) -> HttpResponse:
    """Spec §8.6: KBT+IPT and MMR1+MMR2 across all years held, nationally and per
    region, as charts (for the nation or a chosen region) and tables."""
    own = _own_region(request)
    # Unknown scopes fall back to the nation inside; only plausible ones key the cache.
    requested = request.GET.get("region", NATIONAL)
    requested = requested if requested == NATIONAL or re.fullmatch(r"\d\d", requested) else NATIONAL

    def body() -> str:
        agreements = selectors.agreements_with_periods()
        ts = selectors.time_series(agreements)
        names = {region.code: region.name for region in ts.regions}
        key = requested
        if key not in names:
            key = NATIONAL
        name = names.get(key, _("Riket"))
        flags = checks.history_flags(ts)
        scope_table = tables.series_table(ts, key, name, flags)
        source_heading = _("Källa")
        kbt, mmr = _("KBT+IPT"), _("MMR1+MMR2")
        kbt_rate, mmr_rate = _("KBT+IPT per 1 000 invånare"), _("MMR1+MMR2 per 1 000 invånare")
        chart_list = []
        for headings, title, decimals, suffix in (
            ((kbt, mmr), _("%(scope)s: antal genomförda behandlingar per år"), 0, "antal"),
            (
                (kbt_rate, mmr_rate),
                _("%(scope)s: behandlingar per 1 000 invånare per år"),
                1,
                "per-1000",
            ),
        ):
            title = title % {"scope": name}
            data = scope_table.pick(
                [*headings, source_heading], title=title, slug=f"{scope_table.slug}-{suffix}"
            )
            columns = [data.column_cells(heading) for heading in headings]
            chart = charts.line_chart(
                title,
                ts.years,
                [
                    (label, css, [_number(cell) for cell in cells])
                    for label, css, cells in zip((kbt, mmr), ("s1", "s2"), columns, strict=True)
                ],
                decimals=decimals,
                partial=[[cell.partial for cell in cells] for cells in columns],
                partial_text=_("ofullständigt"),
                sources=[
                    [tables.source_text() if cell.source else "" for cell in cells]
                    for cells in columns
                ],
            )
            chart_list.append((chart, data))
        context = {
            "agreements": agreements,
            "regions": ts.regions,
            "scope": key,
            "scope_name": name,
            "scope_is_national": key == NATIONAL,
            "scope_table": scope_table,
            "charts": chart_list,
            "tables": tables.region_series_tables(ts, own, flags),
            "national_table": tables.series_table(ts, flags=flags),
            "source_years": tables.published_years_text(ts),
            "section": "series",
        }
        return render_to_string("followup/_series_body.html", context, request)

    html = cached_html("statistics-series", [requested, own], body)
    return render(request, "followup/series.html", {"body": html})


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export(tables_: list[Table], slug: str, fmt: str, prefix: str) -> HttpResponse:
    if slug == "alla":
        if fmt != "xlsx":
            raise Http404
        return _download(tables_xlsx(tables_), XLSX_CONTENT_TYPE, f"{prefix}.xlsx")
    table = next((t for t in tables_ if t.slug == slug), None)
    if table is None:
        raise Http404
    filename = f"{prefix}-{table.slug}.{fmt}"
    if fmt == "csv":
        return _download(table_csv(table), CSV_CONTENT_TYPE, filename)
    return _download(tables_xlsx([table]), XLSX_CONTENT_TYPE, filename)


def year_export(request: HttpRequest, year: int, table: str, fmt: str) -> HttpResponse:
    """One table of the year (or `alla`: every table, XLSX) with Swedish headings."""
    agreements = selectors.agreements_with_periods()
    agreement = _agreement(agreements, year)
    with override("sv"):
        _figures, status, year_tables = _year_tables(agreement, agreements, None)
        return _export([status, *year_tables], table, fmt, f"statistik-{year}")


def series_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """One table of the time series (`tidsserie-01`: one region year by year; `alla`:
    every table but the single regions', XLSX) with Swedish headings."""
    agreements = selectors.agreements_with_periods()
    with override("sv"):
        ts = selectors.time_series(agreements)
        available = tables.all_series_tables(ts)
        region = next((r for r in ts.regions if table == f"tidsserie-{r.code}"), None)
        if region is not None:
            available.append(tables.series_table(ts, region.code, region.name))
        return _export(available, table, fmt, "statistik-tidsserie")


def _paid_table(own: str | None) -> Table:
    agreements = selectors.agreements_with_periods()
    years = [int(a.year) for a in agreements]
    paid = payments_selectors.approved_paid(years=years)
    return tables.paid_table(selectors.regions_for(agreements), years, paid, own)


def paid(request: HttpRequest) -> HttpResponse:
    """What approved payout runs paid each region per year (public once approved)."""
    return render(
        request,
        "followup/paid.html",
        {
            "agreements": selectors.agreements_with_periods(),
            "table": _paid_table(_own_region(request)),
            "section": "paid",
        },
    )


def paid_export(request: HttpRequest, fmt: str) -> HttpResponse:
    with override("sv"):
        table = _paid_table(None)
        return _export([table], table.slug, fmt, "statistik")


def _measure_tables(
    agreement: Agreement, agreements: list[Agreement], own: str | None
) -> list[tuple[Table, str, str]]:
    """SKR's other measures for the year: (table, the column its chart shows, the
    chart's kind "regions" or "rows")."""
    figures = selectors.year_figures(agreement)
    before = next((a for a in agreements if a.year == agreement.year - 1), None)
    previous = selectors.year_figures(before) if before is not None else None
    paid = payments_selectors.approved_paid(years=[int(a.year) for a in agreements])
    out: list[tuple[Table, str, str]] = [
        (measures.treatment_change_table(figures, previous), _("Förändring %"), "rows")
    ]
    sex = measures.sex_by_area_table(figures, own)
    out.append((sex, sex.columns[1].heading, "regions"))
    out.append((sex, sex.columns[5].heading, "regions"))
    video = measures.video_table(figures, own)
    if video is not None:
        out.append((video, _("Andel via video %"), "regions"))
    out.append(
        (
            measures.contacts_per_100_table(figures, own),
            _("Kontakter per 100 behandlingar"),
            "regions",
        )
    )
    out.append((measures.bonus_cap_table(agreements, paid), _("Andel av taket %"), "rows"))
    rank = measures.rank_table(figures, own)
    out.append((rank, rank.columns[0].heading, "regions"))
    out.append((rank, rank.columns[2].heading, "regions"))
    return out


@cached_page
def measure_view(request: HttpRequest, year: int) -> HttpResponse:
    """SKR's other measures of the year, each chart beside its data table."""
    agreements = selectors.agreements_with_periods()
    agreement = _agreement(agreements, year)
    own = _own_region(request)
    sections = []
    for number, (table, heading, _kind) in enumerate(
        _measure_tables(agreement, agreements, own), start=1
    ):
        title = f"{table.title}: {heading}"
        data = table.pick([heading], title=title, slug=f"{table.slug}-diagram-{number}")
        sections.append((_rate_bars(data, title, own), data, table))
    seen: set[str] = set()
    blocks = []
    for chart, data, table in sections:
        first = table.slug not in seen
        seen.add(table.slug)
        blocks.append((chart, data, table if first else None))
    return render(
        request,
        "followup/measures.html",
        {"agreement": agreement, "agreements": agreements, "blocks": blocks, "section": "measures"},
    )


def measures_export(request: HttpRequest, year: int, table: str, fmt: str) -> HttpResponse:
    agreements = selectors.agreements_with_periods()
    agreement = _agreement(agreements, year)
    with override("sv"):
        unique = {t.slug: t for t, _h, _k in _measure_tables(agreement, agreements, None)}
        return _export(list(unique.values()), table, fmt, f"statistik-{year}")
