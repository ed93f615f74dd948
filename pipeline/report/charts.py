"""Charts as inline SVG: no script, no network, readable on a phone and in print.

Every label that may come from the web is escaped here; the functions return Markup that
templates insert as is. Bars and dots can be links (`links`, as `komo serve` draws them: a bar
leads to the documents behind it); the static report passes none and stays a plain picture.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

# Okabe–Ito: distinguishable with the common colour-vision deficiencies, and in greyscale print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#555555")
WIDTH, HEIGHT = 480, 230
LEFT, RIGHT, TOP, BOTTOM = 46, 10, 12, 40


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


def _axis(maximum: float, format_tick, height: int = HEIGHT) -> tuple[list[str], float]:
    """Horizontal grid lines with labels; returns the SVG parts and the value→pixel scale."""
    plot = height - TOP - BOTTOM
    maximum = maximum or 1
    scale = plot / maximum
    parts = []
    for step in range(5):
        value = maximum * step / 4
        y = height - BOTTOM - value * scale
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{escape(format_tick(value))}</text>')
    return parts, scale


def _x_labels(labels: Sequence[str], centers: Sequence[float], height: int = HEIGHT) -> list[str]:
    every = max(1, -(-len(labels) // 8))  # at most ~8 labels so they stay legible on a phone
    return [f'<text class="tick" x="{x:.1f}" y="{height - BOTTOM + 16}" text-anchor="middle">{escape(label)}</text>'
            for i, (label, x) in enumerate(zip(labels, centers, strict=True)) if i % every == 0]


def bar_chart(bars: Sequence[tuple[str, float | None, str]], label: str, format_tick,
              links: Sequence[str | None] | None = None) -> Markup:
    """Vertical bars: (x label, value or None, tooltip); `links[i]` makes bar i a link."""
    values = [v for _, v, _ in bars if v is not None]
    parts, scale = _axis(max(values, default=0), format_tick)
    span = (WIDTH - LEFT - RIGHT) / max(len(bars), 1)
    centers = []
    for i, (_, value, tooltip) in enumerate(bars):
        x = LEFT + i * span
        centers.append(x + span / 2)
        if value:
            height = value * scale
            parts.append(_linked(
                f'<rect class="bar" x="{x + span * 0.15:.1f}" y="{HEIGHT - BOTTOM - height:.1f}" '
                f'width="{span * 0.7:.1f}" height="{height:.1f}"><title>{escape(tooltip)}</title></rect>',
                _link(links, i), tooltip))
    parts += _x_labels([b[0] for b in bars], centers)
    return _svg(parts, label)


def line_chart(points: Sequence[tuple[str, float | None, str]], label: str, format_tick,
               links: Sequence[str | None] | None = None) -> Markup:
    """A line over many periods (months); gaps where the value is None; `links[i]` makes dot i a link."""
    values = [v for _, v, _ in points if v is not None]
    parts, scale = _axis(max(values, default=0), format_tick)
    span = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    centers = [LEFT + span * (i + 0.5) for i in range(len(points))]
    segment: list[str] = []
    for i, ((_, value, tooltip), x) in enumerate(zip(points, centers, strict=True)):
        if value is None:
            if segment:
                parts.append(f'<polyline class="line" points="{" ".join(segment)}"/>')
            segment = []
            continue
        y = HEIGHT - BOTTOM - value * scale
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


def stacked_bars(columns: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], label: str,
                 format_tick, links: Sequence[Sequence[str | None]] | None = None) -> Markup:
    """Stacked vertical bars: one bar per column (year), one colour per series (action field),
    with a legend below; `links[s][i]` makes series s's segment in column i a link."""
    totals = [sum(values[i] for _, values in series) for i in range(len(columns))]
    height = HEIGHT + 18 * len(series)
    parts, scale = _axis(max(totals, default=0), format_tick, height)
    span = (WIDTH - LEFT - RIGHT) / max(len(columns), 1)
    centers = []
    for i, column in enumerate(columns):
        x = LEFT + i * span
        centers.append(x + span / 2)
        y = height - BOTTOM
        for s, ((name, values), colour) in enumerate(zip(series, PALETTE, strict=False)):
            if values[i]:
                h = values[i] * scale
                y -= h
                tooltip = f"{column}: {name} {values[i]}"
                parts.append(_linked(
                    f'<rect x="{x + span * 0.15:.1f}" y="{y:.1f}" width="{span * 0.7:.1f}" '
                    f'height="{h:.1f}" fill="{colour}"><title>{escape(tooltip)}</title></rect>',
                    links[s][i] if links else None, tooltip))
    parts += _x_labels(columns, centers, height)
    for i, ((name, _), colour) in enumerate(zip(series, PALETTE, strict=False)):
        y = height - BOTTOM + 34 + i * 18
        parts.append(f'<rect x="{LEFT}" y="{y - 10:.1f}" width="12" height="12" fill="{colour}"/>'
                     f'<text class="legend" x="{LEFT + 18}" y="{y:.1f}">{escape(name)}</text>')
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
