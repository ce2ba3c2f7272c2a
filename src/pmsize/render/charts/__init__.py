"""The charts of `pmsize report`: inline SVG drawn by matplotlib's SVG backend.

Each chart is a `Chart`: a title, a text alternative (what the chart shows, in
words, for a screen reader and for print) and the SVG markup to put in the page,
made to sit inside HTML and to be the same bytes for the same input. Each job has
its module:

    _style       the palette, the sizes, the matplotlib settings (`RC`), figures in words
    _setup       matplotlib imported on first use, with a configuration folder it can write
    _canvas      where a chart is measured and written, each text measured once a page
    _layout      bands, keys and ticks, and laying a chart out until nothing collides
    _cut         the axis cut, when a few bars would flatten the rest
    _svg         a figure as an SVG element of the page: stable ids, the page's colour
    _portfolio   the portfolio's charts: NPV against the naive pitch, value and ceiling
    _problem     one problem's charts: cash flow, the ceiling by year, histogram, tornado

Each chart function there gives a `Sketch` (its words, its height and how to plot it);
`Charts` draws it. Nothing collides: before it is written a chart is laid out and measured
(`_layout.settle`). When a few bars would flatten the rest, the axis is cut (`axis_cut`):
those bars are drawn broken, their value written at their end, and the chart says so
under its axis.

Every chart is drawn from matplotlib's own defaults plus `RC`, never from the
settings matplotlib read at import: a `matplotlibrc` in the working folder (which a
pull request can add: `text.usetex: True` made the report fail), the file MATPLOTLIBRC
names, the user's configuration, or settings a notebook changed. matplotlib's warnings
(a glyph no font has, a setting it cannot read) are not shown: the page is the output.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmsize.render.charts import _portfolio, _problem
from pmsize.render.charts._canvas import measured
from pmsize.render.charts._cut import CUT_DRAWN, axis_cut
from pmsize.render.charts._layout import TICK_GAP, Sketch, settle, tick_labels
from pmsize.render.charts._setup import config_dir, import_matplotlib
from pmsize.render.charts._style import MAX_BARS, RC, TEXT, WIDTH
from pmsize.render.charts._svg import document, inline

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pmsize._drivers import TornadoBar
    from pmsize._results import Evaluation
    from pmsize._summary import Histogram


@dataclass(frozen=True)
class Chart:
    """A chart for the page: its title, its text alternative and its SVG markup."""

    title: str
    alt: str
    svg: str


class Charts:
    """Draws the charts of one page, each with ids of its own (`c1-`, `c2-`, ...).

    `inspect`, when given, is called with each figure once it is laid out, before it is
    written: what the tests measure."""

    def __init__(self, inspect: Callable[[Figure], None] | None = None) -> None:
        self.count = 0
        self.inspect = inspect

    def _draw(self, sketch: Sketch) -> Chart:
        """Draw a sketch on a figure its height tall, laid out and settled (`settle`) so
        that no text collides."""
        title, alt, height, plot = sketch
        self.count += 1
        prefix = f"c{self.count}-"
        mpl = import_matplotlib()
        from matplotlib.figure import Figure

        with warnings.catch_warnings(), mpl.rc_context():
            warnings.simplefilter("ignore")
            mpl.rcdefaults()  # matplotlib's own defaults, whatever matplotlibrc it read
            mpl.rcParams.update({**RC, "svg.hashsalt": f"pmsize-{prefix}"})
            figure = Figure(figsize=(WIDTH, height), dpi=72)
            measured(figure)
            ax = figure.add_subplot()
            settle(figure, ax, plot(ax))
            if self.inspect is not None:
                self.inspect(figure)
            svg = document(figure)
        return Chart(title, alt, inline(svg, prefix, title, alt))

    # ------------------------------------------------------------------ the portfolio

    def npv_gap(self, results: Sequence[Evaluation]) -> Chart:
        """Naive against sustainable NPV, a pair of bars a problem (one currency)."""
        return self._draw(_portfolio.npv_gap(results))

    def value_ceiling(self, results: Sequence[Evaluation]) -> Chart:
        """Our value per customer a year, with the ceiling inside it (one currency)."""
        return self._draw(_portfolio.value_ceiling(results))

    # ------------------------------------------------------------------ one problem

    def cash_flow(self, r: Evaluation, cumulative: Sequence[float]) -> Chart:
        """Net cash flow a year as bars, the cumulative discounted cash flow as a line."""
        return self._draw(_problem.cash_flow(r, cumulative))

    def ceiling_by_year(self, r: Evaluation) -> Chart:
        """The ceiling per customer each year beside the value we deliver and any price asked."""
        return self._draw(_problem.ceiling_by_year(r))

    def histogram(self, h: Histogram, currency: str, p_positive: str) -> Chart:
        """The NPV histogram of a simulation: bins below zero in vermillion, above in blue."""
        return self._draw(_problem.histogram(h, currency, p_positive))

    def tornado(self, bars: Sequence[TornadoBar], central_npv: float, currency: str) -> Chart:
        """NPV with each ranged input at its low and its high end, widest swing on top."""
        return self._draw(_problem.tornado(bars, central_npv, currency))


__all__ = [
    "CUT_DRAWN",
    "MAX_BARS",
    "RC",
    "TEXT",
    "TICK_GAP",
    "WIDTH",
    "Chart",
    "Charts",
    "axis_cut",
    "config_dir",
    "tick_labels",
]
