"""The report's SVG charts tell the truth: round ticks, every series drawn and in the legend,
bars that can be links, all inside the drawing."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from kommunalmonitor.pipeline.report import charts

SVG = "{http://www.w3.org/2000/svg}"
MAXIMA = sorted({round(m * 10.0 ** e, 6) for m in (1, 1.3, 1.9, 2, 2.1, 3.7, 4, 4.1, 5, 6.2, 7.5, 9.99)
                 for e in range(-4, 6)} | {18, 14, 0.138, 0.07, 3, 7, 9, 11, 13, 1234, 86_000})
FIELDS = ["Sprache", "Bildung", "Arbeit", "Wohnen", "Gesundheit", "Engagement", "Dialog", "Senioren",
          "Neuntes Feld <b>&"]


def _is_round(step: float) -> bool:
    exponent = math.floor(math.log10(step) + 1e-9)
    return round(step / 10.0 ** exponent, 6) in (1, 2, 5)


@pytest.mark.parametrize("integer", [False, True])
def test_ticks_are_round_steps_from_zero_past_the_maximum(integer):
    for maximum in MAXIMA:
        if integer and maximum < 1:
            continue
        ticks = charts.nice_ticks(maximum, integer=integer)
        step = ticks[1] - ticks[0]
        assert ticks[0] == 0 and ticks[-1] >= maximum, (maximum, ticks)
        assert 1 <= len(ticks) - 1 <= 4, (maximum, ticks)
        assert ticks[-1] - step < maximum, f"{maximum}: a whole empty interval on top {ticks}"
        assert _is_round(step), (maximum, ticks)
        assert all(math.isclose(b - a, step, rel_tol=1e-9) for a, b in zip(ticks, ticks[1:], strict=False))
        if integer:
            assert all(t == int(t) for t in ticks), (maximum, ticks)


def test_the_issue_axes_read_round():
    assert charts.nice_ticks(18, integer=True) == [0, 5, 10, 15, 20]
    assert charts.nice_ticks(0.14) == [0, 0.05, 0.1, 0.15]
    assert charts.nice_ticks(3, integer=True) == [0, 1, 2, 3]
    assert charts.nice_ticks(0) == [0, 1]


def test_tick_labels_are_distinct_for_every_maximum():
    for maximum in MAXIMA:
        for scale in (charts.PERCENT, charts.COUNT):
            if scale is charts.COUNT and maximum < 1:
                continue
            ticks = charts.nice_ticks(maximum, scale.integer)
            labels = [scale.label(t, ticks[1] - ticks[0]) for t in ticks]
            assert len(set(labels)) == len(labels), (maximum, labels)


def _tick_labels(svg: str) -> list[str]:
    return [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("class") == "tick"
            and t.get("text-anchor") == "end"]


def test_a_bar_chart_labels_its_axis_with_the_round_ticks():
    svg = charts.bar_chart([("2017", 0.138, "a"), ("2018", 0.02, "b"), ("2019", None, "c")], "t", charts.PERCENT)
    assert _tick_labels(svg) == ["0\u00a0%", "5\u00a0%", "10\u00a0%", "15\u00a0%"]
    svg = charts.bar_chart([("2017", 18, "a")], "t", charts.COUNT)
    assert _tick_labels(svg) == ["0", "5", "10", "15", "20"]


def _stacked(series_count: int, links: bool = False) -> ET.Element:
    columns = ["2017", "2018", "2019"]
    series = [(FIELDS[s], [s + 1, 0, 2]) for s in range(series_count)]
    hrefs = [[f"/f/{s}/{c}" for c in columns] for s in range(series_count)] if links else None
    return ET.fromstring(charts.stacked_bars(columns, series, "Artikel je Handlungsfeld", charts.COUNT, links=hrefs))


@pytest.mark.parametrize("count", [1, 8, 9])
def test_every_series_is_in_the_legend_inside_the_drawing(count):
    svg = _stacked(count)
    height = float(svg.get("viewBox").split()[3])
    entries = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "legend-entry"]
    assert [g.find(f"{SVG}text").text for g in entries] == FIELDS[:count]
    for g in entries:
        swatch = g.find(f"{SVG}rect")
        assert 0 <= float(swatch.get("y")) and float(swatch.get("y")) + 12 <= height
        assert float(g.find(f"{SVG}text").get("y")) <= height


@pytest.mark.parametrize("count", [8, 9, 17])
def test_every_series_is_drawn_and_told_apart(count):
    series = [(f"Feld {s}", [1, 2]) for s in range(count)]
    svg = ET.fromstring(charts.stacked_bars(["2018", "2019"], series, "t", charts.COUNT))
    segments = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "segment"]
    assert sorted({int(r.get("data-series")) for r in segments}) == list(range(count))
    looks = {int(r.get("data-series")): (r.get("fill"), r.get("fill-opacity")) for r in segments}
    assert len(set(looks.values())) == count, "two series look the same"
    # The stack's top is the total (2 × count per column): the tallest bar reaches the top tick.
    assert charts.nice_ticks(2 * count, integer=True)[-1] >= 2 * count


def test_a_series_of_the_wrong_length_fails_loudly():
    with pytest.raises(ValueError, match="2 values for 3 columns"):
        charts.stacked_bars(["a", "b", "c"], [("x", [1, 2])], "t", charts.COUNT)


def test_segments_and_bars_can_be_links_and_text_is_escaped():
    svg = _stacked(9, links=True)
    anchors = list(svg.iter(f"{SVG}a"))
    # Series s has values s+1, 0, 2: the empty middle column draws (and links) nothing.
    assert len(anchors) == 9 * 2
    assert {a.get("href") for a in anchors} >= {"/f/8/2017", "/f/0/2019"}
    raw = charts.stacked_bars(["2019"], [("<script>", [1])], "t", charts.COUNT)
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    bars = charts.bar_chart([("2019", 3, "t")], "t", charts.COUNT, links=["/jahr/2019"])
    assert [a.get("href") for a in ET.fromstring(bars).iter(f"{SVG}a")] == ["/jahr/2019"]
