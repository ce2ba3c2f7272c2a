"""The charts of `pmsize report`: inline SVG drawn by matplotlib's SVG backend.

Each chart is a `Chart`: a title, a text alternative (what the chart shows, in
words, for a screen reader and for print) and the SVG markup to put in the page,
made to sit inside HTML and to be the same bytes for the same input. Each job has
its module:

    _style       the palette, the sizes, the matplotlib settings (`RC`), figures in words
    _setup       matplotlib imported on first use, with a configuration folder it can write
    _canvas      where a chart is measured and written, each text measured once a page
    _layout      bands and keys, and laying a chart out until nothing collides
    _ticks       an axis's ticks and label, drawn as matplotlib draws them, but cheaply
    _key         the key above the plot, packed and drawn as matplotlib's legend, but cheaply
    _bars        bars made as `Axes.bar` makes them, their data limits added at once
    _cut         the axis cut, when a few bars would flatten the rest
    _svg         a figure as an SVG element of the page: stable ids, the page's colour
    _draw        one chart drawn from its kind, its arguments and its number on the page
    _processes   a page's many charts drawn in worker processes (`_worker`: what they import)
    _portfolio   the portfolio's charts: NPV against the naive pitch, value and ceiling
    _problem     one problem's charts: cash flow, the ceiling by year, histogram, tornado

Each chart function there gives a `Sketch` (its words, its height and how to plot it);
`Charts` draws it, as it is asked for or, for a page, all together (in processes when
they are many). Nothing collides: before it is written a chart is laid out and measured
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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pmsize.render.charts._cut import CUT_DRAWN, axis_cut
from pmsize.render.charts._draw import SKETCHES, draw
from pmsize.render.charts._layout import TICK_GAP, Sketch
from pmsize.render.charts._processes import Pool, Request, workers_for
from pmsize.render.charts._setup import config_dir
from pmsize.render.charts._style import MAX_BARS, RC, TEXT, WIDTH
from pmsize.render.charts._ticks import tick_labels

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pmsize._drivers import TornadoBar
    from pmsize._results import Evaluation
    from pmsize._summary import Histogram


@dataclass
class Chart:
    """A chart for the page: its title, its text alternative and its SVG markup (empty
    until it is drawn: see `Charts`)."""

    title: str
    alt: str
    svg: str = ""


class Charts:
    """Draws the charts of one page, each with ids of its own (`c1-`, `c2-`, ...).

    With `workers=1` each chart is drawn as it is asked for. Otherwise the charts asked
    for are drawn by `finish`, in `workers` processes (None: as `workers_for` picks for
    their number); each is numbered as it is asked for, so the page is the same bytes
    whichever way it is drawn. When the page will have many charts (`expected`, at
    least), the processes start at once, while the page's words are put together; used
    as a context manager, they are stopped at its end, whatever happens. `progress()` is
    called once for each `step()`, when every chart asked for before it is drawn.

    `inspect`, when given, is called with each figure once it is laid out, before it is
    written: what the tests measure. The charts are then drawn in this process, each as
    it is asked for."""

    def __init__(
        self,
        inspect: Callable[[Figure], None] | None = None,
        *,
        workers: int | None = 1,
        expected: int = 0,
        progress: Callable[[], None] | None = None,
    ) -> None:
        self.count = 0
        self.inspect = inspect
        self.workers = 1 if inspect is not None else workers
        self.progress = progress
        self._pending: list[tuple[Chart, Sketch, Request]] = []
        self._drawn = 0
        self._steps: list[int] = []  # charts asked for at each step not yet reported
        self._pool: Pool | None = None
        if self.workers != 1 and expected:
            self._start(expected)

    def __enter__(self) -> Charts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the processes drawing, if any."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _start(self, charts: int) -> Pool | None:
        """The processes to draw `charts` charts in, started if they are worth it."""
        workers = self.workers if self.workers is not None else workers_for(charts)
        if self._pool is None and workers > 1:
            self._pool = Pool(workers)
        return self._pool

    def _chart(self, kind: str, *args: Any) -> Chart:
        sketch = SKETCHES[kind](*args)
        self.count += 1
        chart = Chart(sketch.title, sketch.alt)
        if self.workers == 1:
            chart.svg = draw(sketch, self.count, self.inspect)
            self._drawn += 1
        else:
            self._pending.append((chart, sketch, (kind, args, self.count)))
        return chart

    def step(self) -> None:
        """The charts asked for so far make one step of `progress`."""
        self._steps.append(self.count)
        self._report()

    def finish(self) -> None:
        """Draw every chart asked for and not drawn yet, in processes or in this one."""
        pending, self._pending = self._pending, []
        pool = self._start(len(pending)) if pending else None
        if pool is not None:
            from concurrent.futures.process import BrokenProcessPool

            requests = [request for _, _, request in pending]
            try:
                for (chart, _, _), svg in zip(pending, pool.draw(requests), strict=True):
                    chart.svg = svg
                    self._drawn += 1
                    self._report()
            except (OSError, BrokenProcessPool):  # no processes to be had: drawn here
                pass
        for chart, sketch, (_, _, number) in pending:
            if not chart.svg:
                chart.svg = draw(sketch, number)
                self._drawn += 1
                self._report()

    def _report(self) -> None:
        while self._steps and self._steps[0] <= self._drawn:
            del self._steps[0]
            if self.progress is not None:
                self.progress()

    # ------------------------------------------------------------------ the portfolio

    def npv_gap(self, results: Sequence[Evaluation]) -> Chart:
        """Naive against sustainable NPV, a pair of bars a problem (one currency): the
        first `MAX_BARS`."""
        return self._chart("npv_gap", list(results[:MAX_BARS]), len(results))

    def value_ceiling(self, results: Sequence[Evaluation]) -> Chart:
        """Our value per customer a year, with the ceiling inside it (one currency): the
        first `MAX_BARS`."""
        return self._chart("value_ceiling", list(results[:MAX_BARS]), len(results))

    # ------------------------------------------------------------------ one problem

    def cash_flow(self, r: Evaluation, cumulative: Sequence[float]) -> Chart:
        """Net cash flow a year as bars, the cumulative discounted cash flow as a line."""
        return self._chart("cash_flow", r, cumulative)

    def ceiling_by_year(self, r: Evaluation) -> Chart:
        """The ceiling per customer each year beside the value we deliver and any price asked."""
        return self._chart("ceiling_by_year", r)

    def histogram(self, h: Histogram, currency: str, p_positive: str) -> Chart:
        """The NPV histogram of a simulation: bins below zero in vermillion, above in blue."""
        return self._chart("histogram", h, currency, p_positive)

    def tornado(self, bars: Sequence[TornadoBar], central_npv: float, currency: str) -> Chart:
        """NPV with each ranged input at its low and its high end, widest swing on top."""
        return self._chart("tornado", list(bars), central_npv, currency)


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
