"""Charts as inline SVG: no script, no network, readable on a phone and in print.

Every label that may come from the web is escaped here; the functions return Markup that
templates insert as is. Bars and dots can be links (`links`, as `komo serve` draws them: a bar
leads to the documents behind it); the static report passes none and stays a plain picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from .formats import de_number, de_percent

# Okabe–Ito: distinguishable with the common colour-vision deficiencies, and in greyscale print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#555555")
WIDTH, HEIGHT = 480, 230
LEFT, RIGHT, TOP, BOTTOM = 46, 10, 12, 40
PLOT_BOTTOM = HEIGHT - BOTTOM  # the zero line; x labels below it, then a chart's legend
LEGEND_ROW = 18


def _linked(shape: str, href: str | None, tooltip: str) -> str:
    """The shape inside an SVG link when there is one (SVG 2 `href`, no script)."""
    if not href:
        return shape
    return f'<a href="{escape(href)}" aria-label="{escape(tooltip)}">{shape}</a>'


def _link(links: Sequence[str | None] | None, i: int) -> str | None:
    return links[i] if links else None


def _svg(body: list[str], label: str, height: int = HEIGHT) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>{"".join(body)}</svg>')


def nice_ticks(maximum: float, integer: bool = False, intervals: int = 4) -> list[float]:
    """Round axis ticks from 0 to at least `maximum`: steps of 1, 2 or 5 times a power of ten,
    at most `intervals` of them (0, 5, 10, 15 rather than 0, 4, 9, 14, 18); `integer` keeps
    counts on whole numbers."""
    if not maximum or maximum <= 0 or not math.isfinite(maximum):
        return [0.0, 1.0]
    exponent = math.floor(math.log10(maximum / intervals))
    if integer:
        exponent = max(exponent, 0)
    for exp in (exponent, exponent + 1):
        for multiple in (1, 2, 5):
            step = multiple * 10.0 ** exp
            if integer and step < 1:
                continue
            count = math.ceil(maximum / step - 1e-9)
            if count <= intervals:
                digits = max(0, -exp)
                return [round(i * step, digits) for i in range(count + 1)]
    raise AssertionError("unreachable: a step of ten times the raw step always fits")


@dataclass(frozen=True)
class Scale:
    """What an axis counts: shares shown as percent, or whole counts."""

    percent: bool

    @property
    def integer(self) -> bool:
        return not self.percent

    def label(self, value: float, step: float) -> str:
        """The tick label with as many decimals as the step needs (a 0.5 % step shows 0,5 %)."""
        unit = step * 100 if self.percent else step
        digits = max(0, -math.floor(math.log10(unit) + 1e-9)) if unit > 0 else 0
        return de_percent(value, digits) if self.percent else de_number(value, digits)


PERCENT = Scale(percent=True)
COUNT = Scale(percent=False)


def _axis(maximum: float, scale: Scale, bottom: float) -> tuple[list[str], float]:
    """Horizontal grid lines with round labels; `bottom` is the zero line's y. Returns the SVG
    parts and the value→pixel factor."""
    ticks = nice_ticks(maximum, scale.integer)
    factor = (bottom - TOP) / ticks[-1]
    step = ticks[1] - ticks[0]
    parts = []
    for value in ticks:
        y = bottom - value * factor
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{escape(scale.label(value, step))}</text>')
    return parts, factor


def _x_labels(labels: Sequence[str], centers: Sequence[float]) -> list[str]:
    every = max(1, -(-len(labels) // 8))  # at most ~8 labels so they stay legible on a phone
    return [f'<text class="tick" x="{x:.1f}" y="{PLOT_BOTTOM + 16}" text-anchor="middle">{escape(label)}</text>'
            for i, (label, x) in enumerate(zip(labels, centers, strict=True)) if i % every == 0]


def bar_chart(bars: Sequence[tuple[str, float | None, str]], label: str, scale: Scale,
              links: Sequence[str | None] | None = None) -> Markup:
    """Vertical bars: (x label, value or None, tooltip); `links[i]` makes bar i a link."""
    values = [v for _, v, _ in bars if v is not None]
    parts, factor = _axis(max(values, default=0), scale, PLOT_BOTTOM)
    span = (WIDTH - LEFT - RIGHT) / max(len(bars), 1)
    centers = []
    for i, (_, value, tooltip) in enumerate(bars):
        x = LEFT + i * span
        centers.append(x + span / 2)
        if value:
            height = value * factor
            parts.append(_linked(
                f'<rect class="bar" x="{x + span * 0.15:.1f}" y="{PLOT_BOTTOM - height:.1f}" '
                f'width="{span * 0.7:.1f}" height="{height:.1f}"><title>{escape(tooltip)}</title></rect>',
                _link(links, i), tooltip))
    parts += _x_labels([b[0] for b in bars], centers)
    return _svg(parts, label)


def line_chart(points: Sequence[tuple[str, float | None, str]], label: str, scale: Scale,
               links: Sequence[str | None] | None = None) -> Markup:
    """A line over many periods (months); gaps where the value is None; `links[i]` makes dot i a link."""
    values = [v for _, v, _ in points if v is not None]
    parts, factor = _axis(max(values, default=0), scale, PLOT_BOTTOM)
    span = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    centers = [LEFT + span * (i + 0.5) for i in range(len(points))]
    segment: list[str] = []
    for i, ((_, value, tooltip), x) in enumerate(zip(points, centers, strict=True)):
        if value is None:
            if segment:
                parts.append(f'<polyline class="line" points="{" ".join(segment)}"/>')
            segment = []
            continue
        y = PLOT_BOTTOM - value * factor
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(_linked(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="2.2"><title>{escape(tooltip)}'
                             '</title></circle>', _link(links, i), tooltip))
    if segment:
        parts.append(f'<polyline class="line" points="{" ".join(segment)}"/>')
    # Label the first period of each year only (the x labels are "Jan. 2017" etc.).
    labels = [p[0] for p in points]
    ticks = [(lab.split()[-1], x) for lab, x in zip(labels, centers, strict=True) if lab.startswith("Jan.")]
    if len(ticks) < 2:
        ticks = list(zip(labels, centers, strict=True))
    parts += _x_labels([t[0] for t in ticks], [t[1] for t in ticks])
    return _svg(parts, label)


def series_fill(index: int) -> str:
    """Fill attributes of series `index`: the palette's colours, then the same colours again as
    lighter tints with an outline, so a ninth series is drawn and told apart rather than dropped."""
    colour = PALETTE[index % len(PALETTE)]
    if index < len(PALETTE):
        return f'fill="{colour}"'
    return f'fill="{colour}" fill-opacity="{0.45 ** (index // len(PALETTE)):.2f}" stroke="{colour}"'


def stacked_bars(columns: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], label: str,
                 scale: Scale, links: Sequence[Sequence[str | None]] | None = None) -> Markup:
    """Stacked vertical bars: one bar per column (year), one colour per series (action field),
    with a legend row per series below; `links[s][i]` makes series s's segment in column i a link."""
    for name, values in series:
        if len(values) != len(columns):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(columns)} columns")
    totals = [sum(values[i] for _, values in series) for i in range(len(columns))]
    height = HEIGHT + LEGEND_ROW * len(series)
    parts, factor = _axis(max(totals, default=0), scale, PLOT_BOTTOM)
    span = (WIDTH - LEFT - RIGHT) / max(len(columns), 1)
    centers = []
    for i, column in enumerate(columns):
        x = LEFT + i * span
        centers.append(x + span / 2)
        y = PLOT_BOTTOM
        for s, (name, values) in enumerate(series):
            if values[i]:
                h = values[i] * factor
                y -= h
                tooltip = f"{column}: {name} {values[i]}"
                parts.append(_linked(
                    f'<rect class="segment" data-series="{s}" x="{x + span * 0.15:.1f}" y="{y:.1f}" '
                    f'width="{span * 0.7:.1f}" height="{h:.1f}" {series_fill(s)}><title>{escape(tooltip)}</title>'
                    '</rect>', links[s][i] if links else None, tooltip))
    parts += _x_labels(columns, centers)
    # The legend sits below the x labels, inside the drawing: one row per series.
    for s, (name, _) in enumerate(series):
        y = HEIGHT + s * LEGEND_ROW
        parts.append(f'<g class="legend-entry" data-series="{s}"><rect x="{LEFT}" y="{y - 10}" width="12" '
                     f'height="12" {series_fill(s)}/><text class="legend" x="{LEFT + 18}" y="{y}">'
                     f'{escape(name)}</text></g>')
    return _svg(parts, label, height)


def horizontal_bars(bars: Sequence[tuple[str, int]], label: str,
                    links: Sequence[str | None] | None = None) -> Markup:
    """One labelled horizontal bar per row (districts, bodies): names can be long; `links[i]`
    makes row i (label, bar and value) a link."""
    row, label_width = 22, 150
    height = TOP + row * max(len(bars), 1) + 8
    maximum = max((v for _, v in bars), default=0) or 1
    scale = (WIDTH - label_width - RIGHT - 40) / maximum
    parts = []
    for i, (name, value) in enumerate(bars):
        y = TOP + i * row
        parts.append(_linked(
            f'<text class="tick" x="{label_width - 8}" y="{y + 14}" text-anchor="end">{escape(name)}</text>'
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{value * scale:.1f}" height="{row - 8}">'
            f'<title>{escape(f"{name}: {value}")}</title></rect>'
            f'<text class="value" x="{label_width + value * scale + 6:.1f}" y="{y + 14}">{value}</text>',
            _link(links, i), f"{name}: {value}"))
    return _svg(parts, label, height)
