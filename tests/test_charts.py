"""The report's charts (`pmsize.render.charts`), measured as matplotlib lays them out.

`Charts(inspect=...)` hands each figure over once it is laid out, before it is written;
`measure` reads from it what a reader would see: the tick labels each axis shows
(`charts.tick_labels`), every text's box, and the bars. Boxes are in the SVG's units
(points: the figure is drawn at 72 dpi), 360 of them across.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import pmsize
from pmsize._drivers import TornadoBar
from pmsize._fmt import MINUS
from pmsize._results import Evaluation
from pmsize.render import charts
from pmsize.render.charts import TEXT, TICK_GAP, WIDTH, Chart, Charts, axis_cut

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
INVOICES = EXAMPLES / "invoice-matching.yaml"


@dataclass(frozen=True)
class Drawn:
    """What one chart shows, measured."""

    ticks: dict[str, list[tuple[str, float, float]]]  # axis: (label, start, end) along it
    limits: dict[str, tuple[float, float]]  # axis: its view, in data units
    texts: list[tuple[str, float, float, float, float, float]]  # text, x0, y0, x1, y1, size
    size: tuple[float, float]  # the figure's width and height
    bars: list[tuple[float, float]]  # each bar's ends along the value axis, in data units


def measure(figure: Any) -> Drawn:
    from matplotlib.patches import Rectangle
    from matplotlib.text import Text

    figure.draw_without_rendering()  # laid out as written: this moves nothing
    [ax] = figure.axes
    ticks = {}
    for name, vertical in (("x", False), ("y", True)):
        boxes = [(t.get_text(), t.get_window_extent()) for t in charts.tick_labels(ax, name)]
        ticks[name] = sorted(
            ((text, box.y0, box.y1) if vertical else (text, box.x0, box.x1) for text, box in boxes),
            key=lambda tick: tick[1],
        )
    texts = []
    for t in figure.findobj(Text):
        if t.get_visible() and t.get_text().strip():
            box = t.get_window_extent()
            texts.append((t.get_text(), box.x0, box.y0, box.x1, box.y1, t.get_fontsize()))
    bars = [
        (p.get_x(), p.get_x() + p.get_width())
        for p in ax.patches
        if isinstance(p, Rectangle) and p.get_height() < 1  # horizontal bars: inches tall
    ]
    return Drawn(
        ticks=ticks,
        limits={"x": tuple(ax.get_xlim()), "y": tuple(ax.get_ylim())},  # type: ignore[dict-item]
        texts=texts,
        size=(figure.bbox.width, figure.bbox.height),
        bars=bars,
    )


def draw(make: Callable[[Charts], Chart]) -> tuple[Chart, Drawn]:
    measured: list[Drawn] = []
    chart = make(Charts(inspect=lambda figure: measured.append(measure(figure))))
    [drawn] = measured
    return chart, drawn


def ranked(path: Path) -> list[Evaluation]:
    return pmsize.rank(pmsize.evaluate(p) for p in pmsize.load(path))


def assert_readable(drawn: Drawn) -> None:
    """No tick label comes within `TICK_GAP` points of the next; every text is inside the
    figure and at least `TEXT` points."""
    for labels in drawn.ticks.values():
        for (_, _, end), (_, start, _) in itertools.pairwise(labels):
            assert start - end >= TICK_GAP - 1e-6, labels
    width, height = drawn.size
    assert width == WIDTH * 72
    for text, x0, y0, x1, y1, size in drawn.texts:
        assert size >= TEXT, text
        assert -0.5 <= x0 <= x1 <= width + 0.5, (text, x0, x1)
        assert -0.5 <= y0 <= y1 <= height + 0.5, (text, y0, y1)


def tornado_bars(low: float, high: float, rows: int = 3) -> list[TornadoBar]:
    return [
        TornadoBar(
            input=f"alternatives[Rival {i}].annual_cost",
            low_value=50_000.0,
            high_value=150_000.0,
            npv_at_low=low * (1 - i / 10),
            npv_at_high=high * (1 - i / 10),
            kind="amount",
        )
        for i in range(rows)
    ]


# ------------------------------------------------------------------ tick labels


def test_the_tornado_ticks_no_longer_run_together() -> None:
    # its ticks read `−$10.0m−$5.00m`: six labels of seven characters in too little room
    _, drawn = draw(lambda c: c.tornado(tornado_bars(-12.3e6, 4.1e6), -5e6, "USD"))
    assert_readable(drawn)
    labels = [text for text, _, _ in drawn.ticks["x"]]
    assert f"{MINUS}$10m" in labels  # as short as it can be: no `.0`
    assert len(labels) >= 3


@pytest.mark.parametrize(
    ("low", "high", "central"),
    [
        (-12.3e6, 4.1e6, -5e6),
        (-987.6e6, 1.234e9, 12e6),  # units change along the axis
        (13.2e6, 14.6e6, 14e6),  # a narrow range far from zero: `$13.5m`, `$14.0m`
        (-3.3e15, 8.8e15, 1e15),  # beyond trillions: `1.00e+15`, the widest labels
        (-0.4, 0.9, 0.1),  # cents
    ],
)
def test_money_ticks_never_touch_whatever_the_range(
    low: float, high: float, central: float
) -> None:
    _, drawn = draw(lambda c: c.tornado(tornado_bars(low, high, rows=7), central, "CHF"))
    assert_readable(drawn)
    assert len(drawn.ticks["x"]) >= 2


@pytest.mark.parametrize("horizon", [1, 2, 5, 12, 30])
def test_years_are_whole_and_their_ticks_never_touch(tmp_path: Path, horizon: int) -> None:
    # a short horizon's ceiling chart was ticked at half years (0.5, 1.0, 1.5, ...)
    path = tmp_path / "p.yaml"
    path.write_text(
        f"name: Long\nhorizon_years: {horizon}\n"
        "market: {customers: 1000, problem_cost: $200k}\n"
        "solution: {build_cost: $2m, annual_cost: $1m, solves: 50%, adoption: 8%}\n"
        "alternatives:\n"
        f"  - {{name: Rival, from_year: {min(2, horizon)}, annual_cost: $40k, solves: 60%}}\n",
        encoding="utf-8",
    )
    [r] = ranked(path)
    for make in (
        lambda c: c.cash_flow(r, r.cumulative_discounted),
        lambda c: c.ceiling_by_year(r),
    ):
        _, drawn = draw(make)
        assert_readable(drawn)
        labels = [text for text, _, _ in drawn.ticks["x"]]
        assert labels
        assert all(re.fullmatch(r"\d+", label) for label in labels), labels
        if horizon <= 12:  # room for every year
            first = 0 if labels[0] == "0" else 1
            assert labels == [str(y) for y in range(first, horizon + 1)]


def test_every_chart_of_the_examples_is_readable() -> None:
    results = ranked(EXAMPLES)
    drawn: list[Drawn] = []
    c = Charts(inspect=lambda figure: drawn.append(measure(figure)))
    c.npv_gap(results)
    c.value_ceiling(results)
    for r in results:
        c.cash_flow(r, r.cumulative_discounted)
        if r.ceiling_moves:
            c.ceiling_by_year(r)
    for problem in pmsize.load(EXAMPLES):
        s = pmsize.sensitivity(problem, samples=500)
        if s.simulation.histogram.counts:
            c.histogram(s.simulation.histogram, s.evaluation.currency, "50%")
        if s.sensitivity is not None and s.sensitivity.tornado:
            c.tornado(s.sensitivity.tornado, s.sensitivity.central_npv, s.evaluation.currency)
    assert len(drawn) > 12
    for chart in drawn:
        assert_readable(chart)


def test_a_long_name_is_cut_to_the_plot_and_said_whole_in_words(tmp_path: Path) -> None:
    name = "Scheduling " * 12 + "the end"
    path = tmp_path / "p.yaml"
    path.write_text(
        f"name: {name}\nmarket: {{customers: 100, problem_cost: $100k}}\n"
        "solution: {build_cost: $1m, adoption: 10%}\n",
        encoding="utf-8",
    )
    results = ranked(path)
    chart, drawn = draw(lambda c: c.npv_gap(results))
    assert_readable(drawn)
    [shown] = [t for t in drawn.texts if t[0].startswith("Scheduling")]
    assert shown[0].endswith("…")
    assert len(shown[0]) < len(name)
    assert name in chart.alt


# ------------------------------------------------------------------ the axis cut


@pytest.mark.parametrize(
    ("values", "cut"),
    [
        # the examples: a $992m naive NPV beside $75.4m at most
        ([75.4e6, 26.7e6, 14e6, 14e6, 48.1e6, 12.9e6, 6.41e6, 2.05e6, 992e6, -15.2e6], 75.4e6),
        ([100, 90, 80, 70], None),  # nothing stands out
        ([100, 21, 20, 19, 18, 17, 16, 15], None),  # under five times the next: drawn whole
        ([900, 800, 50, 40, 30, 20, 10, 5], 50),  # two outliers, cut together
        ([900, 800, 700, 50], None),  # three of four stand out: that is the scale, not a cut
        ([-902e6, -902e6, 102e6, 10e6, 9.9e6, 4.3e6, 4.3e6, 9.9e6], 102e6),  # below zero too
        ([5, 0, 0, 0], None),  # nothing else to see
        ([], None),
        ([7], None),
    ],
)
def test_axis_cut_stops_where_a_few_bars_dwarf_the_rest(
    values: list[float], cut: float | None
) -> None:
    assert axis_cut(values) == cut


def test_a_naive_npv_that_dwarfs_the_rest_is_drawn_broken_with_its_value() -> None:
    results = ranked(EXAMPLES)
    claims = next(r for r in results if r.naive_npv > 900e6)
    cut = axis_cut([v for r in results for v in (r.naive_npv, r.npv)])
    assert cut is not None
    assert cut == max(r.naive_npv for r in results if r is not claims)  # $75.4m
    chart, drawn = draw(lambda c: c.npv_gap(results))
    assert_readable(drawn)
    # the chart says what was done, under its axis; the figure is written on the bar
    texts = [t[0] for t in drawn.texts]
    assert "The axis stops at $75.4m: a broken bar is longer,\nits value written at its end" in (
        texts
    )
    assert "$992m" in texts
    # no tick past the cut, where the axis is not to scale; no bar drawn past 1.3 times it
    assert all(
        float(v) <= 75.4
        for v in re.findall(r"\$([\d.]+)m", " ".join(t for t, _, _ in drawn.ticks["x"]))
    )
    assert max(end for _, end in drawn.bars) <= charts.CUT_DRAWN * cut * (1 + 1e-9)
    # every other bar drawn whole, to scale
    whole = sorted(end for _, end in drawn.bars if end <= cut * (1 + 1e-9))
    assert 75.4e6 in [round(x, -5) for x in whole]
    # and in words: the alt text names the broken bar with its figure
    assert "The chart's axis stops at $75.4m" in chart.alt
    assert "Claims order processing: naive NPV $992m" in chart.alt
    assert f"{MINUS}$15.2m" in texts  # the NPV beside it is drawn whole


def test_bars_of_one_scale_are_drawn_whole_and_said_nothing_of() -> None:
    results = [r for r in ranked(EXAMPLES) if r.naive_npv < 900e6]
    chart, drawn = draw(lambda c: c.npv_gap(results))
    assert not any("axis stops" in t[0] for t in drawn.texts)
    assert "axis stops" not in chart.alt
    assert drawn.limits["x"][1] > max(r.naive_npv for r in results)


def test_value_against_ceiling_cuts_a_value_that_dwarfs_the_rest() -> None:
    results = ranked(EXAMPLES)  # claims: $9.00m of value, the others $480k at most
    chart, drawn = draw(lambda c: c.value_ceiling(results))
    assert_readable(drawn)
    assert any(t[0].startswith("The axis stops at $480k") for t in drawn.texts)
    assert "$0 of $9.00m" in [t[0] for t in drawn.texts]
    assert "Claims order processing: value $9.00m" in chart.alt


# ------------------------------------------------------------------ the ceiling by year


def invoices(tmp_path: Path, price: str | None) -> Evaluation:
    text = INVOICES.read_text(encoding="utf-8")
    if price is not None:
        text = text.replace("  name: MatchPoint\n", f"  name: MatchPoint\n  price: {price}\n")
    path = tmp_path / "invoice-matching.yaml"
    path.write_text(text, encoding="utf-8")
    [r] = ranked(path)
    assert r.ceiling_moves
    return r


def legend(drawn: Drawn) -> list[str]:
    return [t[0] for t in drawn.texts if t[0].startswith(("ceiling", "worth", "asked"))]


def test_the_ceiling_by_year_draws_the_asked_price_in_its_legend(tmp_path: Path) -> None:
    r = invoices(tmp_path, "$120k")
    assert r.price_given == 120_000
    assert any(f.code == "overpriced" for f in r.flags)  # above the $72.0k from year 3
    chart, drawn = draw(lambda c: c.ceiling_by_year(r))
    assert_readable(drawn)
    assert legend(drawn) == ["ceiling", "worth $153k", "asked price $120k"]
    assert "the asked price of $120k" in chart.alt
    assert [t for t, _, _ in drawn.ticks["x"]] == ["1", "2", "3", "4", "5", "6"]


def test_without_a_price_the_ceiling_by_year_has_no_price_line(tmp_path: Path) -> None:
    r = invoices(tmp_path, None)
    chart, drawn = draw(lambda c: c.ceiling_by_year(r))
    assert legend(drawn) == ["ceiling", "worth $153k"]
    assert "asked price" not in chart.alt


def test_an_asked_price_above_the_value_stays_on_the_chart(tmp_path: Path) -> None:
    r = invoices(tmp_path, "$400k")
    _, drawn = draw(lambda c: c.ceiling_by_year(r))
    assert drawn.limits["y"][1] > 400_000
    assert_readable(drawn)


def test_chart_text_is_never_smaller_than_ten_points_on_a_phone() -> None:
    # 360 units across, shown about 1:1 on a 400 px screen (report.css): TEXT points is
    # about TEXT px there; the browser test measures it
    assert WIDTH * 72 == 360
    assert TEXT >= 10
    assert math.isclose(charts.RC["font.size"], TEXT)


def test_charts_are_measured_as_matplotlib_measures_them() -> None:
    # the charts' renderers read a font's heights once (`_canvas._height_metrics`); a
    # text, one line or three, must measure as matplotlib's own renderer measures it
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.figure import Figure

    from pmsize.render.charts import _canvas

    figure = Figure(figsize=(WIDTH, 3), dpi=72)
    _canvas.measured(figure)
    ours = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    plain = RendererAgg(1, 1, 72)  # type: ignore[no-untyped-call]
    for text in ("Cash flow by year", "two\nlines\nand a third", "−$10m"):
        for size in (8, 10, 14):
            t = figure.text(0.1, 0.5, text, fontsize=size)
            assert tuple(t.get_window_extent(ours).bounds) == tuple(
                t.get_window_extent(plain).bounds
            ), (text, size)


def test_drawing_a_chart_never_imports_pyplot() -> None:
    # reading rcParams["backend"] picks a GUI backend and imports pyplot: the settings a
    # chart is drawn with are read as `rc_context` reads them
    import sys

    from pmsize.render.charts import _draw

    assert "matplotlib.pyplot" not in sys.modules  # nothing in the suite imports it
    _draw._rc.clear()  # read afresh, whichever test drew first
    [problem] = pmsize.load(INVOICES)
    r = pmsize.evaluate(problem)
    assert Charts().cash_flow(r, list(r.cash_flows)).svg.startswith("<svg")
    assert "matplotlib.pyplot" not in sys.modules
