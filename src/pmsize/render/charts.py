"""The charts of `pmsize report`: inline SVG drawn by matplotlib's SVG backend.

Each chart is a `Chart`: a title, a text alternative (what the chart shows, in
words, for a screen reader and for print) and the SVG markup to put in the page.
The SVG is made to sit inside HTML and to be the same bytes for the same input:

- text stays text (`svg.fonttype: none`), so it is sharp, searchable and readable
  by a screen reader; math text is off, so a name with `$` in it is only a name;
- no creation date, and `svg.hashsalt` fixed per chart, so clip-path and marker
  ids are stable; those ids are prefixed with the chart's own id (several charts
  share one page), and ids nothing refers to are dropped;
- the ink colour (text, axes, the cumulative line) becomes `currentColor`, so the
  page's colour (dark mode) is the charts' too; the background is transparent;
- the fills are the Okabe–Ito palette, told apart with colour vision deficiency.

Each chart is drawn for a phone and shown as large as the page lets it: `WIDTH` inches
(360 units of the SVG's view box) with every text `TEXT` points, so on a 400 px screen
a chart is about 360 px wide and its smallest text about 10 px; a wide screen sets two
side by side (report.css). Nothing collides: before it is written a chart is laid out
and measured (`_settle`) until no tick label comes near the next, no name is wider than the
plot and no value label runs off it. Money ticks say as much as they need (`−$10m`,
`$2.5m`: `fmt.money_ticks`); years are whole. When a few bars would flatten the rest,
the axis is cut (`axis_cut`): those bars are drawn broken, their value written at their
end, and the chart says so under its axis.

matplotlib is imported on first use (`pmsize report` only), through its object API
(no pyplot, no GUI backend), with a temporary configuration folder when the usual
one cannot be written (a read-only $HOME), so that it never fails or warns there.

Every chart is drawn from matplotlib's own defaults plus `RC`, never from the
settings matplotlib read at import: a `matplotlibrc` in the working folder (which a
pull request can add: `text.usetex: True` made the report fail), the file MATPLOTLIBRC
names, the user's configuration, or settings a notebook changed. matplotlib's warnings
(a glyph no font has, a setting it cannot read) are not shown: the page is the output.
"""

from __future__ import annotations

import atexit
import html
import io
import itertools
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmsize import fmt

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from pmsize.drivers import TornadoBar
    from pmsize.results import Evaluation
    from pmsize.summary import Histogram
    from pmsize.values import Kind

# Okabe & Ito (2008), "Color Universal Design": safe for every common colour vision deficiency.
ORANGE, SKY_BLUE, GREEN, YELLOW = "#E69F00", "#56B4E9", "#009E73", "#F0E442"
BLUE, VERMILLION, PURPLE = "#0072B2", "#D55E00", "#CC79A7"
INK = "#010203"  # drawn as this, written as `currentColor` (the page's text colour)
WIDTH = 5.0  # inches: 360 units of view box, about 1:1 on a 400 px phone (report.css)
TEXT = 10  # points: every text in a chart, ~10 px on that phone and more on a wider screen
MAX_BARS = 30  # problems a portfolio chart shows (the first by rank); the table has them all
# A chart of bars a row (the portfolio, the tornado) stacks bands: a row's name on a line
# of its own, its bars under it, each in a slot tall enough for its value label. In inches.
NAME_LINE, SLOT, BAR, BAND_GAP = 0.2, 0.19, 0.14, 0.1
BANDS_ROOM = 1.3  # inches the legend, the axis and its label take above and below the bands
CUT_RATIO = 5.0  # a bar this many times the next longest is cut (`axis_cut`)
MAX_CUT_SHARE = 0.25  # and never more than a quarter of the bars (at least one)
SETTLE_PASSES = 6  # layouts a chart may take to settle (`_settle`); one or two, mostly
TICKS = 6  # ticks an axis starts with; fewer when their labels would touch
TICK_GAP = 6  # points kept between two tick labels
RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "text.parse_math": False,
    "axes.unicode_minus": True,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib: measured the same everywhere
    "font.size": TEXT,
    "legend.fontsize": TEXT,
    "xtick.labelsize": TEXT,
    "ytick.labelsize": TEXT,
    "axes.labelsize": TEXT,
    "text.color": INK,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.titlecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.facecolor": "none",
    "figure.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.edgecolor": "none",
    "legend.frameon": False,
    "legend.handlelength": 1.5,
    "legend.columnspacing": 1.2,
}


@dataclass(frozen=True)
class Chart:
    """A chart for the page: its title, its text alternative and its SVG markup."""

    title: str
    alt: str
    svg: str


@dataclass
class _Plot:
    """What a chart's drawing hands back for `_settle` to fit: names to cut to the plot's
    width, texts to keep inside it, and the axes whose tick labels must not touch."""

    names: list[Text] = field(default_factory=list)
    inside: list[Text] = field(default_factory=list)


class Charts:
    """Draws the charts of one page, each with ids of its own (`c1-`, `c2-`, ...).

    `inspect`, when given, is called with each figure once it is laid out, before it is
    written: what the tests measure."""

    def __init__(self, inspect: Callable[[Figure], None] | None = None) -> None:
        self.count = 0
        self.inspect = inspect

    def _draw(self, title: str, alt: str, height: float, plot: Callable[[Axes], _Plot]) -> Chart:
        """Draw `plot` on a figure `height` inches tall, laid out by matplotlib's constrained
        layout and settled (`_settle`) so that no text collides."""
        self.count += 1
        prefix = f"c{self.count}-"
        mpl = _matplotlib()
        from matplotlib.figure import Figure

        with warnings.catch_warnings(), mpl.rc_context():
            warnings.simplefilter("ignore")
            mpl.rcdefaults()  # matplotlib's own defaults, whatever matplotlibrc it read
            mpl.rcParams.update({**RC, "svg.hashsalt": f"pmsize-{prefix}"})
            figure = Figure(figsize=(WIDTH, height), dpi=72, layout="constrained")
            ax = figure.add_subplot()
            _settle(figure, ax, plot(ax))
            figure.set_layout_engine("none")  # as settled: writing it need not lay it out again
            if self.inspect is not None:
                self.inspect(figure)
            svg = _svg(figure)
        return Chart(title, alt, _inline(svg, prefix, title, alt))

    # ------------------------------------------------------------------ the portfolio

    def npv_gap(self, results: Sequence[Evaluation]) -> Chart:
        """Naive against sustainable NPV, a pair of bars a problem (one currency)."""
        shown = list(results[:MAX_BARS])
        currency = shown[0].currency
        title = "NPV: the naive pitch against the sustainable price" + _first(shown, results)
        alt = _alt(
            shown,
            results,
            lambda r: (
                f"{_name(r.name)}: NPV {_money(r.npv, currency)}, naive "
                f"{_money(r.naive_npv, currency)}"
            ),
        )
        values = [v for r in shown for v in (r.naive_npv, r.npv)]
        cut = axis_cut(values)
        if cut is not None:
            alt += " " + _cut_alt(
                cut,
                currency,
                [
                    f"{_name(r.name)}: {what} {_money(v, currency)}"
                    for r in shown
                    for what, v in (("naive NPV", r.naive_npv), ("NPV", r.npv))
                    if abs(v) > cut
                ],
            )

        def plot(ax: Axes) -> _Plot:
            drawn = _Plot()
            slots = _bands(ax, [r.name for r in shown], 2, drawn)
            for k, (key, color, label) in enumerate(
                (
                    ("naive_npv", SKY_BLUE, "naive NPV (price ignores alternatives)"),
                    ("npv", BLUE, "NPV at the sustainable price"),
                )
            ):
                ys = [row[k] for row in slots]
                figures = [getattr(r, key) for r in shown]
                bars = _cut_bars(ax, ys, figures, cut, color, label)
                labels = [_money(v, currency) for v in figures]
                drawn.inside.extend(ax.bar_label(bars, labels, padding=3))
            _row_lines(ax, 0.0, slots)
            _money_axis(ax, currency, "x", cut)
            _cut_note(ax, cut, currency)
            _legend(ax)
            return drawn

        return self._draw(title, alt, _bands_height(len(shown), 2), plot)

    def value_ceiling(self, results: Sequence[Evaluation]) -> Chart:
        """Our value per customer a year, with the ceiling inside it (one currency)."""
        shown = list(results[:MAX_BARS])
        currency = shown[0].currency
        title = "Value and ceiling per customer a year" + _first(shown, results)
        alt = _alt(
            shown,
            results,
            lambda r: (
                f"{_name(r.name)}: value {_money(r.value_per_customer, currency)}, "
                f"ceiling {_money(r.ceiling_per_customer, currency)}"
            ),
        )
        cut = axis_cut([r.value_per_customer for r in shown])
        if cut is not None:
            alt += " " + _cut_alt(
                cut,
                currency,
                [
                    f"{_name(r.name)}: value {_money(r.value_per_customer, currency)}"
                    for r in shown
                    if r.value_per_customer > cut
                ],
            )

        def plot(ax: Axes) -> _Plot:
            drawn = _Plot()
            ys = [row[0] for row in _bands(ax, [r.name for r in shown], 1, drawn)]
            values = [r.value_per_customer for r in shown]
            value = _cut_bars(ax, ys, values, cut, SKY_BLUE, "value we deliver", BAR)
            ceilings = [r.ceiling_per_customer for r in shown]
            _cut_bars(ax, ys, ceilings, cut, GREEN, "ceiling (what a customer would pay)", BAR / 2)
            labels = [
                f"{_money(r.ceiling_per_customer, currency)} of "
                f"{_money(r.value_per_customer, currency)}"
                for r in shown
            ]
            drawn.inside.extend(ax.bar_label(value, labels, padding=3))
            _row_lines(ax, 0.0, [[y] for y in ys])
            _money_axis(ax, currency, "x", cut)
            ax.set_xlim(left=0)
            _cut_note(ax, cut, currency)
            _legend(ax)
            return drawn

        return self._draw(title, alt, _bands_height(len(shown), 1), plot)

    # ------------------------------------------------------------------ one problem

    def cash_flow(self, r: Evaluation, cumulative: Sequence[float]) -> Chart:
        """Net cash flow a year as bars, the cumulative discounted cash flow as a line."""
        currency = r.currency
        title = "Cash flow by year"
        alt = "Net cash flow by year: " + "; ".join(
            f"year {t} {_money(flow, currency)}" for t, flow in enumerate(r.cash_flows)
        )
        alt += (
            f". Cumulative discounted cash flow ends at {_money(cumulative[-1], currency)} "
            "(the NPV)."
        )

        def plot(ax: Axes) -> _Plot:
            from matplotlib.lines import Line2D
            from matplotlib.patches import Patch

            years = list(range(len(r.cash_flows)))
            ax.bar(
                years,
                r.cash_flows,
                width=0.6,
                color=[BLUE if f >= 0 else VERMILLION for f in r.cash_flows],
            )
            ax.plot(years, cumulative, color=INK, marker="o", markersize=4, linewidth=1.5)
            ax.axhline(0, color=INK, linewidth=0.8)
            _years_axis(ax, years)
            _money_axis(ax, currency, "y")
            key = [
                Patch(color=BLUE, label="net cash in"),
                Patch(color=VERMILLION, label="net cash out"),
                Line2D([], [], color=INK, marker="o", markersize=4, label="cumulative, discounted"),
            ]
            _legend(ax, key)
            return _Plot()

        return self._draw(title, alt, 3.2, plot)

    def ceiling_by_year(self, r: Evaluation) -> Chart:
        """The ceiling per customer each year as bars, beside the value we deliver and, when
        the file asks a price, that price (SPEC §7; what the `overpriced` flag is about)."""
        currency = r.currency
        title = "The ceiling by year"
        asked = r.price_given
        alt = (
            f"The most a customer would pay, per year, against the "
            f"{_money(r.value_per_customer, currency)} the solution is worth"
            + (f" and the asked price of {_money(asked, currency)}" if asked is not None else "")
            + ": "
            + "; ".join(
                f"year {y.year} {_money(y.ceiling_per_customer, currency)}"
                + (f" (set by {_name(y.ceiling_set_by)})" if y.ceiling_set_by else "")
                for y in r.years
            )
            + "."
        )

        def plot(ax: Axes) -> _Plot:
            from matplotlib.lines import Line2D
            from matplotlib.patches import Patch

            years = [y.year for y in r.years]
            ax.bar(years, [y.ceiling_per_customer for y in r.years], width=0.6, color=GREEN)
            ax.axhline(r.value_per_customer, color=INK, linewidth=1, linestyle="--")
            key = [
                Patch(color=GREEN, label="ceiling"),
                Line2D(
                    [],
                    [],
                    color=INK,
                    linestyle="--",
                    label=f"worth {_money(r.value_per_customer, currency)}",
                ),
            ]
            if asked is not None:
                ax.axhline(asked, color=VERMILLION, linewidth=2)
                key.append(
                    Line2D(
                        [],
                        [],
                        color=VERMILLION,
                        linewidth=2,
                        label=f"asked price {_money(asked, currency)}",
                    )
                )
            _years_axis(ax, years)
            top = max(
                r.value_per_customer, asked or 0.0, *(y.ceiling_per_customer for y in r.years)
            )
            ax.set_ylim(bottom=0, top=top * 1.1 or 1.0)
            _money_axis(ax, currency, "y")
            _legend(ax, key)
            return _Plot()

        return self._draw(title, alt, 2.8, plot)

    def histogram(self, h: Histogram, currency: str, p_positive: str) -> Chart:
        """The NPV histogram of a simulation: bins below zero in vermillion, above in blue."""
        title = "NPV across the simulated samples"
        alt = (
            f"Histogram of NPV from {_money(h.low, currency)} to {_money(h.high, currency)} "
            f"(the 1st to the 99th percentile); NPV is above zero in {p_positive} of samples."
        )
        total = sum(h.counts) + h.outside or 1

        def plot(ax: Axes) -> _Plot:
            step = (h.high - h.low) / len(h.counts)
            lefts = [h.low + i * step for i in range(len(h.counts))]
            ax.bar(
                lefts,
                [c / total for c in h.counts],
                width=step,
                align="edge",
                color=[VERMILLION if x + step / 2 < 0 else BLUE for x in lefts],
                linewidth=0,
            )
            if h.low < 0 < h.high:
                ax.axvline(0, color=INK, linewidth=0.8)
            _money_axis(ax, currency, "x")
            _axis(ax, "y", lambda ys: [fmt.percent(y) for y in ys])
            ax.set_ylabel("share of samples")
            return _Plot()

        return self._draw(title, alt, 2.8, plot)

    def tornado(self, bars: Sequence[TornadoBar], central_npv: float, currency: str) -> Chart:
        """NPV with each ranged input at its low and its high end, widest swing on top."""
        title = "What moves NPV: each input at its low and high end"
        alt = (
            f"NPV is {_money(central_npv, currency)} at central values. "
            + "; ".join(
                f"{bar.input} at {_value(bar.low_value, bar.kind, currency)}: NPV "
                f"{_money(bar.npv_at_low, currency)}, at "
                f"{_value(bar.high_value, bar.kind, currency)}: "
                f"{_money(bar.npv_at_high, currency)}"
                for bar in bars
            )
            + "."
        )

        def plot(ax: Axes) -> _Plot:
            drawn = _Plot()
            ys = [row[0] for row in _bands(ax, [bar.input for bar in bars], 1, drawn)]
            for low_end, color, label in ((True, ORANGE, "input at low"), (False, BLUE, "at high")):
                ends = [bar.npv_at_low if low_end else bar.npv_at_high for bar in bars]
                ax.barh(
                    ys,
                    [end - central_npv for end in ends],
                    left=central_npv,
                    height=BAR,
                    color=color,
                    label=label,
                )
            for y, bar in zip(ys, bars, strict=True):
                for value, npv in (
                    (bar.low_value, bar.npv_at_low),
                    (bar.high_value, bar.npv_at_high),
                ):
                    right = npv >= central_npv
                    drawn.inside.append(
                        ax.annotate(
                            _value(value, bar.kind, currency),
                            (npv, y),
                            xytext=(3 if right else -3, 0),
                            textcoords="offset points",
                            ha="left" if right else "right",
                            va="center",
                        )
                    )
            _row_lines(ax, central_npv, [[y] for y in ys])
            _money_axis(ax, currency, "x")
            ax.set_xlabel(f"NPV (central {_money(central_npv, currency)})")
            _legend(ax)
            return drawn

        return self._draw(title, alt, _bands_height(len(bars), 1), plot)


# ---------------------------------------------------------------------- the axis cut


def axis_cut(values: Sequence[float]) -> float | None:
    """Where to cut a bar chart's axis so that one bar (or a few) does not flatten the rest:
    the length of the longest bar drawn whole, when the bars longer than it are each more
    than `CUT_RATIO` times as long; None when no such few bars (at most `MAX_CUT_SHARE` of
    them) stand out. Bars are compared by length, whichever side of zero they fall."""
    lengths = sorted((abs(v) for v in values if math.isfinite(v)), reverse=True)
    most = max(1, int(len(lengths) * MAX_CUT_SHARE))
    for k in range(1, min(most, len(lengths) - 1) + 1):
        if lengths[k] > 0 and lengths[k - 1] > CUT_RATIO * lengths[k]:
            return lengths[k]
    return None


CUT_DRAWN = 1.3  # a cut bar is drawn this many times the cut long, broken
CUT_BREAK = (1.12, 1.18)  # where its break is, in the same measure


def _cut_bars(
    ax: Axes,
    ys: Sequence[float],
    values: Sequence[float],
    cut: float | None,
    color: str,
    label: str,
    height: float = BAR,
) -> Any:
    """Horizontal bars at `ys`; each longer than `cut` drawn `CUT_DRAWN` times the cut long
    in two pieces, a slash at each side of the break. Returns the bars, whose labels go at
    their end."""
    full = [
        v if cut is None or abs(v) <= cut else math.copysign(CUT_DRAWN * cut, v) for v in values
    ]
    bars = ax.barh(ys, full, height=height, color=color, label=label)
    if cut is None:
        return bars
    for patch, y, v, end in zip(bars.patches, ys, values, full, strict=True):
        if abs(v) <= cut:
            continue
        near, far = (math.copysign(cut * f, v) for f in CUT_BREAK)
        patch.set_x(min(far, end))  # the bar keeps its far piece (where its label goes)
        patch.set_width(abs(end - far))
        ax.barh(y, near, height=height, color=color, label="_nolegend_")
        lean = 0.03 * cut
        for x in (near, far):
            ax.plot(
                [x - lean, x + lean],
                [y + height * 0.8, y - height * 0.8],
                color=INK,
                linewidth=1,
                label="_nolegend_",
            )
    return bars


def _cut_note(ax: Axes, cut: float | None, currency: str) -> None:
    """Says on the chart that its axis is cut, under the axis."""
    if cut is not None:
        ax.set_xlabel(
            f"The axis stops at {_money(cut, currency)}: a broken bar is longer,\n"
            "its value written at its end"
        )


def _cut_alt(cut: float, currency: str, longer: Sequence[str]) -> str:
    return (
        f"The chart's axis stops at {_money(cut, currency)}; longer bars are drawn broken "
        f"({'; '.join(longer)})."
    )


# ---------------------------------------------------------------------- layout


def _bands(ax: Axes, names: Sequence[str], slots: int, drawn: _Plot) -> list[list[float]]:
    """Stack a band a row, top down: its name on a line of its own across the plot, then
    `slots` bar slots. Returns each row's slot centres (inches from the top; the y axis
    runs down and shows no ticks: the names say what each bar is)."""
    from matplotlib.transforms import blended_transform_factory

    across = blended_transform_factory(ax.transAxes, ax.transData)
    band = NAME_LINE + slots * SLOT + BAND_GAP
    rows = []
    for i, name in enumerate(names):
        top = i * band
        drawn.names.append(
            ax.text(0, top + NAME_LINE / 2, _name(name), transform=across, va="center")
        )
        rows.append([top + NAME_LINE + SLOT * (k + 0.5) for k in range(slots)])
    ax.set_ylim(len(names) * band - BAND_GAP / 2, -BAND_GAP / 2)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    return rows


def _bands_height(rows: int, slots: int) -> float:
    return BANDS_ROOM + max(rows, 1) * (NAME_LINE + slots * SLOT + BAND_GAP)


def _row_lines(ax: Axes, x: float, rows: Sequence[Sequence[float]]) -> None:
    """The zero (or central) line, through each row's bars but not its name."""
    for slots in rows:
        ax.vlines(x, slots[0] - SLOT / 2, slots[-1] + SLOT / 2, color=INK, linewidth=0.8)


def _legend(ax: Axes, handles: Sequence[Any] | None = None) -> None:
    """The key above the plot: its entries on one line when they fit the width, else one
    a line."""
    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    labels = [str(h.get_label()) for h in handles]
    # each entry: its handle, the pad after it, its text and the space before the next
    entry = (RC["legend.handlelength"] + 0.8 + RC["legend.columnspacing"]) * TEXT
    needed = sum(_text_width(label) + entry for label in labels)
    ncols = len(labels) if needed <= WIDTH * 72 - TEXT else 1
    ax.figure.legend(handles=handles, loc="outside upper center", ncols=ncols)


def _text_width(text: str) -> float:
    """Points a line of chart text takes."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(family=RC["font.sans-serif"], size=TEXT)
    width: float = TextToPath().get_text_width_height_descent(text, font, ismath=False)[0]
    return width


def _money_axis(ax: Axes, currency: str, which: str, cut: float | None = None) -> None:
    """Money ticks (`fmt.money_ticks`); with a cut axis, none past the cut."""
    _axis(ax, which, lambda values: fmt.money_ticks(values, currency), cut)


def _years_axis(ax: Axes, years: Sequence[int]) -> None:
    """Whole years only, each bar under its year."""

    def whole(values: Sequence[float]) -> list[str]:
        return [str(round(v)) for v in values]

    # a tick a year when they fit: as many bins as years, and the one either side
    _axis(ax, "x", whole, integer=True, ticks=len(years) + 2)
    ax.set_xlim(min(years) - 0.6, max(years) + 0.6)
    ax.set_xlabel("year")


def _axis(
    ax: Axes,
    which: str,
    labels: Callable[[Sequence[float]], list[str]],
    cut: float | None = None,
    *,
    integer: bool = False,
    ticks: int = TICKS,
) -> None:
    """Ticks at round values (`ticks` at most, fewer if `_settle` finds them crowded) with
    labels from `labels`, which sees them all at once."""
    from matplotlib.ticker import Formatter, MaxNLocator

    class Locator(MaxNLocator):
        count = ticks

        def tick_values(self, vmin: float, vmax: float) -> Any:
            if cut is None:
                return super().tick_values(vmin, vmax)
            # past the cut the axis is not to scale: no tick there
            values = super().tick_values(max(vmin, -cut), min(vmax, cut))
            return [v for v in values if abs(v) <= cut * (1 + 1e-9)]

        def fewer(self) -> bool:
            """One tick fewer, if it has more than one."""
            if self.count <= 1:
                return False
            self.count -= 1
            self.set_params(nbins=self.count)
            return True

    class Labels(Formatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return labels([x])[0]

        def format_ticks(self, values: Any) -> list[str]:
            return labels(list(values))

    axis = ax.xaxis if which == "x" else ax.yaxis
    # `min_n_ticks=1`: with fewer than two whole numbers in view, MaxNLocator would drop
    # `integer` and tick a one-year chart at 0.4, 1.0 and 1.6 (labelled 0, 1, 2)
    locator = Locator(
        nbins=ticks, steps=[1, 2, 2.5, 5, 10], integer=integer, min_n_ticks=1 if integer else 2
    )
    axis.set_major_locator(locator)
    axis.set_major_formatter(Labels())


def _settle(figure: Figure, ax: Axes, drawn: _Plot) -> None:
    """Lay out and measure until nothing collides: a name wider than the plot is cut with `…`;
    a value label past the plot's side widens the axis; tick labels that come within
    `TICK_GAP` points of each other become fewer."""
    scale = figure.dpi / 72  # points to pixels
    for fitted in (*drawn.names, *drawn.inside):  # fitted here, not by squeezing the plot
        fitted.set_in_layout(False)
    layout = figure.get_layout_engine()
    for _ in range(SETTLE_PASSES):
        if layout is not None:  # places every label it lays out: all that is measured here
            layout.execute(figure)
        plot = ax.get_window_extent()
        changed = False
        for name in drawn.names:
            box = name.get_window_extent()
            if box.width > plot.width:
                text = name.get_text()
                keep = max(1, int(len(text) * plot.width / box.width) - 2)
                name.set_text(text[:keep].rstrip() + "…")
                changed = True
        lo, hi = ax.get_xlim()
        per_pixel = (hi - lo) / plot.width
        beyond_left = max([plot.x0 - t.get_window_extent().x0 for t in drawn.inside] + [0.0])
        beyond_right = max([t.get_window_extent().x1 - plot.x1 for t in drawn.inside] + [0.0])
        if beyond_left > 0 or beyond_right > 0:
            pad = TEXT * scale  # and a little more: widening the axis moves the labels too
            ax.set_xlim(
                lo - (beyond_left + pad) * per_pixel if beyond_left > 0 else lo,
                hi + (beyond_right + pad) * per_pixel if beyond_right > 0 else hi,
            )
            changed = True
        for axis, vertical in ((ax.xaxis, False), (ax.yaxis, True)):
            fewer = getattr(axis.get_major_locator(), "fewer", None)  # set by `_axis`
            if fewer is not None and _crowded(axis, vertical, TICK_GAP * scale) and fewer():
                changed = True
        if not changed:
            return


def _crowded(axis: Any, vertical: bool, gap: float) -> bool:
    """Whether two of the axis's shown tick labels come within `gap` pixels of each other."""
    ends = sorted(
        (box.y0, box.y1) if vertical else (box.x0, box.x1)
        for box in (label.get_window_extent() for label in tick_labels(axis))
    )
    return any(start < end + gap for (_, end), (start, _) in itertools.pairwise(ends))


def tick_labels(axis: Any) -> list[Text]:
    """The tick labels an axis shows once its figure is drawn: those of ticks in its view."""
    locs = axis.get_majorticklocs()
    lo, hi = sorted(axis.get_view_interval())
    slack = (hi - lo) * 1e-9
    return [
        tick.label1
        for tick in axis.get_major_ticks(len(locs))
        if lo - slack <= tick.get_loc() <= hi + slack
        and tick.label1.get_visible()
        and tick.label1.get_text()
    ]


# ---------------------------------------------------------------------- helpers


def _money(x: float | None, currency: str) -> str:
    return fmt.money(x, currency)


def _value(value: float | None, kind: Kind, currency: str) -> str:
    return "n/a" if value is None else fmt.quantity(value, kind, currency)


def _name(name: str) -> str:
    return fmt.safe_text(name)


def _alt(
    shown: Sequence[Evaluation], every: Sequence[Evaluation], line: Callable[[Any], str]
) -> str:
    text = "; ".join(line(r) for r in shown) + "."
    if len(every) > len(shown):
        text += f" The first {len(shown)} of {fmt.count(len(every))} problems, by rank."
    return text


def _first(shown: Sequence[Evaluation], every: Sequence[Evaluation]) -> str:
    """` (the first 30 of 60,000, by rank)` when a chart shows only some problems."""
    if len(every) <= len(shown):
        return ""
    return f" (the first {len(shown)} of {fmt.count(len(every))}, by rank)"


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SIZE = re.compile(r' (?:width|height)="[^"]*"')
_ID = re.compile(r' id="([^"]*)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^")]+)')


def _inline(svg: str, prefix: str, title: str, alt: str) -> str:
    """matplotlib's SVG document as an element of an HTML page (see the module docstring)."""
    svg = _METADATA.sub("", _PROLOGUE.sub("", svg, count=1), count=1)
    referenced = {m.group(2) for m in _REFERENCE.finditer(svg)}
    svg = _ID.sub(lambda m: f' id="{prefix}{m.group(1)}"' if m.group(1) in referenced else "", svg)
    svg = _REFERENCE.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)
    svg = svg.replace(INK, "currentColor")
    head, rest = svg.split(">", 1)
    head = _SIZE.sub("", head, count=2)
    return (
        f'{head} class="chart" role="img" aria-label="{html.escape(alt)}">'
        f"\n <title>{html.escape(title)}</title>{rest.rstrip()}"
    )


# ---------------------------------------------------------------------- matplotlib, safely


_config: dict[str, str] = {}


def _matplotlib() -> Any:
    """matplotlib, imported with a configuration folder it can write.

    When neither MPLCONFIGDIR is set nor the usual folders (under $XDG_CONFIG_HOME and
    $XDG_CACHE_HOME, else $HOME) can be written, MPLCONFIGDIR is set for the rest of the
    process to a temporary folder (`config_dir`): matplotlib would warn on stderr and
    make one of its own, which it leaves behind."""
    if (
        "matplotlib" not in sys.modules
        and "MPLCONFIGDIR" not in os.environ
        and not _default_dirs_writable()
    ):
        os.environ["MPLCONFIGDIR"] = config_dir()
    # what it says of a matplotlibrc it reads on import (a bad line, an unknown key) is
    # about settings the charts do not use (see the module docstring): not shown
    log = logging.getLogger("matplotlib")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import matplotlib
    finally:
        log.setLevel(level)
    return matplotlib


def _default_dirs_writable() -> bool:
    """Whether matplotlib could make its usual configuration and cache folders."""
    home = Path("~").expanduser()
    for variable, fallback in (("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache")):
        base = os.environ.get(variable)
        folder = (Path(base) if base else home / fallback) / "matplotlib"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        if not os.access(folder, os.W_OK):
            return False
    return True


def config_dir() -> str:
    """A temporary folder for matplotlib's configuration and font cache, removed at exit."""
    if "dir" not in _config:
        _config["dir"] = tempfile.mkdtemp(prefix="pmsize-matplotlib-")
        atexit.register(shutil.rmtree, _config["dir"], ignore_errors=True)
    return _config["dir"]


__all__ = ["Chart", "Charts", "axis_cut", "config_dir", "tick_labels"]
