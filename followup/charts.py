"""Charts as server-rendered SVG: the geometry is computed here (plain Python),
the template draws it with CSS classes from static/css/statistics.css. No
JavaScript, no inline style, so the page works under the strict CSP.

Every chart stands beside a table of the same figures for screen readers and
for anyone who would rather read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

from rehab.formatting import format_decimal, format_int

Number = int | Decimal


def nice_step(maximum: Number, ticks: int = 5) -> Decimal:
    """A round step (1, 2, 2.5 or 5 × 10^k) so that about `ticks` steps cover `maximum`."""
    if maximum <= 0:
        return Decimal(1)
    raw = Decimal(maximum) / ticks
    exponent = raw.adjusted()
    base = Decimal(1).scaleb(exponent)
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        step = base * factor
        if step >= raw:
            return step.normalize()
    return (base * 10).normalize()


def _axis(maximum: Number, ticks: int = 5) -> tuple[Decimal, list[Decimal]]:
    step = nice_step(maximum, ticks)
    top = step
    while top < maximum:
        top += step
    values = []
    value = Decimal(0)
    while value <= top:
        values.append(value)
        value += step
    return top, values


def _label(value: Number, decimals: int) -> str:
    if decimals:
        return format_decimal(Decimal(value), decimals)
    return format_int(int(value))


def _f(x: float | Decimal) -> str:
    return f"{float(x):.1f}"


@dataclass(frozen=True)
class Tick:
    pos: str
    label: str
    text_pos: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: str
    text_y: str
    width: str
    value_x: str
    css: str
    missing: bool
    x: str = ""  # where the bar starts (left of the zero line for a negative value)


@dataclass
class BarChart:
    """Horizontal bars, one per region, the largest first."""

    title: str
    width: int
    height: int
    label_width: int
    plot_width: int
    bar_height: int
    bars: list[Bar]
    ticks: list[Tick]
    top: str
    bottom: str
    label_x: str
    tick_y: str


def bar_chart(
    title: str,
    items: Sequence[tuple[str, Decimal | None, str]],
    *,
    decimals: int = 1,
    missing_text: str | None = None,
) -> BarChart:
    """items: (label, value or None, css class). Bars sorted by value, missing last;
    a missing value reads `missing_text` (default "saknas" in the active language)."""
    if missing_text is None:
        missing_text = gettext("saknas")
    label_width, plot_width, row, bar_height, top_margin = 215, 420, 24, 16, 28
    ordered = sorted(items, key=lambda item: (item[1] is None, -(item[1] or 0), item[0]))
    known = [v for _, v, _ in ordered if v is not None]
    maximum = max([*known, Decimal(0)])
    minimum = min([*known, Decimal(0)])  # below 0 (a decrease): the zero line moves right
    axis_top, tick_values = _axis(max(maximum, -minimum) if minimum < 0 else maximum)
    if minimum < 0:
        negatives = [-t for t in reversed(tick_values) if t > 0]
        tick_values = negatives + (tick_values if maximum > 0 else [Decimal(0)])
        bottom_value = -axis_top
        span = axis_top * 2 if maximum > 0 else axis_top
    else:
        bottom_value = Decimal(0)
        span = axis_top
    scale = Decimal(plot_width) / span
    zero_x = label_width - bottom_value * scale
    bars = []
    for index, (label, value, css) in enumerate(ordered):
        y = top_margin + index * row
        width = Decimal(0) if value is None else abs(value) * scale
        start = zero_x - width if value is not None and value < 0 else zero_x
        bars.append(
            Bar(
                label=label,
                value_text=missing_text if value is None else _label(value, decimals),
                y=_f(y + (row - bar_height) / 2),
                text_y=_f(y + row / 2 + 4),
                width=_f(width),
                value_x=_f(max(start + width, zero_x) + 4),
                css=css,
                missing=value is None,
                x=_f(start),
            )
        )
    bottom = top_margin + len(ordered) * row
    ticks = [
        Tick(_f(zero_x + t * scale), _label(t, 0 if t == t.to_integral() else 1))
        for t in tick_values
    ]
    return BarChart(
        title=title,
        width=label_width + plot_width + 70,
        height=bottom + 8,
        label_width=label_width,
        plot_width=plot_width,
        bar_height=bar_height,
        bars=bars,
        ticks=ticks,
        top=_f(top_margin - 4),
        bottom=_f(bottom),
        label_x=_f(label_width - 8),
        tick_y=_f(top_margin - 10),
    )


@dataclass(frozen=True)
class Point:
    x: str
    y: str
    title: str
    partial: bool = False
    published: bool = False


@dataclass
class Line:
    name: str
    css: str
    segments: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    legend_x: str = "0"
    legend_text_x: str = "0"


@dataclass
class LineChart:
    """Years along the x axis, one line per series; a missing year breaks the line."""

    title: str
    width: int
    height: int
    left: str
    right: str
    top: str
    bottom: str
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    y_label_x: str
    x_label_y: str


def line_chart(
    title: str,
    years: Sequence[int],
    series: Sequence[tuple[str, str, Sequence[Number | None]]],
    *,
    decimals: int = 0,
    partial: Sequence[Sequence[bool]] = (),
    partial_text: str = "",
    sources: Sequence[Sequence[str]] = (),
) -> LineChart:
    """series: (name, css class, one value or None per year). `partial[i][j]` marks
    series i's value in year j as incomplete (drawn hollow and dashed);
    `sources[i][j]` names where a published value comes from ("Källa: SKR"), said in
    the point's title and drawn as a square-ish outlined point.

    The x axis has one step per calendar year from the first to the last: a year
    not in `years` (no agreement, say 2021-2025) is a gap, drawn as a break in
    the line, not squeezed out."""
    if years:
        full = list(range(min(years), max(years) + 1))
        index = {year: i for i, year in enumerate(years)}
        series = [
            (name, css, [vs[index[y]] if y in index else None for y in full])
            for name, css, vs in series
        ]
        if partial:
            partial = [[row[index[y]] if y in index else False for y in full] for row in partial]
        if sources:
            sources = [[row[index[y]] if y in index else "" for y in full] for row in sources]
        years = full
    width, height = 680, 340
    left, right, top, bottom = 72, width - 20, 40, height - 36
    values = [v for _, _, vs in series for v in vs if v is not None]
    axis_top, tick_values = _axis(max(values, default=0))
    plot_h = Decimal(bottom - top)
    span = max(len(years) - 1, 1)

    def x_of(i: int) -> Decimal:
        return Decimal(left + 12) + Decimal(right - left - 24) * i / span

    def y_of(v: Number) -> Decimal:
        return Decimal(bottom) - Decimal(v) * plot_h / axis_top

    lines = []
    for number, (name, css, vs) in enumerate(series):
        line = Line(
            name=name,
            css=css,
            legend_x=_f(left + number * 200),
            legend_text_x=_f(left + number * 200 + 20),
        )
        current: list[str] = []
        for i, (year, v) in enumerate(zip(years, vs, strict=True)):
            if v is None:
                if current:
                    line.segments.append(" ".join(current))
                current = []
                continue
            x, y = x_of(i), y_of(v)
            current.append(f"{_f(x)},{_f(y)}")
            is_partial = bool(partial) and partial[number][i]
            point_title = f"{name} {year}: {_label(v, decimals)}"
            if is_partial and partial_text:
                point_title += f" ({partial_text})"
            source = sources[number][i] if sources else ""
            if source:
                point_title += f" ({source})"
            line.points.append(Point(_f(x), _f(y), point_title, is_partial, bool(source)))
        if current:
            line.segments.append(" ".join(current))
        lines.append(line)
    every = 2 if len(years) > 12 else 1  # long series: every other year labelled
    x_ticks = [
        Tick(_f(x_of(i)), str(year))
        for i, year in enumerate(years)
        if (len(years) - 1 - i) % every == 0
    ]
    y_ticks = [
        Tick(_f(y_of(t)), _label(t, 0 if t == t.to_integral() else 1), _f(y_of(t) + 4))
        for t in tick_values
    ]
    return LineChart(
        title=title,
        width=width,
        height=height,
        left=_f(left),
        right=_f(right),
        top=_f(top),
        bottom=_f(bottom),
        lines=lines,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        y_label_x=_f(left - 8),
        x_label_y=_f(bottom + 22),
    )
