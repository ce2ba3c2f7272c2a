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
import logging
import os
import re
import shutil
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmsize import fmt

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from pmsize.drivers import TornadoBar
    from pmsize.results import Evaluation
    from pmsize.summary import Histogram
    from pmsize.values import Kind

# Okabe & Ito (2008), "Color Universal Design": safe for every common colour vision deficiency.
ORANGE, SKY_BLUE, GREEN, YELLOW = "#E69F00", "#56B4E9", "#009E73", "#F0E442"
BLUE, VERMILLION, PURPLE = "#0072B2", "#D55E00", "#CC79A7"
INK = "#010203"  # drawn as this, written as `currentColor` (the page's text colour)
WIDTH = 7.2  # inches: 720 px at 100 dpi, the page's column
MAX_BARS = 30  # problems a portfolio chart shows (the first by rank); the table has them all
# room for money ticks (`−$15.6m`, `1.54e+18`), an axis label and a legend above
FIXED_MARGINS = {"left": 0.14, "right": 0.98, "bottom": 0.17, "top": 0.86}
LABEL_WIDTH = 28  # characters of a name on one line of a chart's axis
RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "text.parse_math": False,
    "axes.unicode_minus": True,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib: measured the same everywhere
    "font.size": 10,
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
}


@dataclass(frozen=True)
class Chart:
    """A chart for the page: its title, its text alternative and its SVG markup."""

    title: str
    alt: str
    svg: str


class Charts:
    """Draws the charts of one page, each with ids of its own (`c1-`, `c2-`, ...)."""

    def __init__(self) -> None:
        self.count = 0

    def _draw(
        self,
        title: str,
        alt: str,
        height: float,
        plot: Callable[[Axes], None],
        margins: dict[str, float] | None = None,
    ) -> Chart:
        """Draw `plot` on a figure `height` inches tall, laid out by matplotlib's constrained
        layout, or within fixed `margins` (half the time) where every label's width is known."""
        self.count += 1
        prefix = f"c{self.count}-"
        mpl = _matplotlib()
        from matplotlib.figure import Figure

        with warnings.catch_warnings(), mpl.rc_context():
            warnings.simplefilter("ignore")
            mpl.rcdefaults()  # matplotlib's own defaults, whatever matplotlibrc it read
            mpl.rcParams.update({**RC, "svg.hashsalt": f"pmsize-{prefix}"})
            figure = Figure(figsize=(WIDTH, height), layout=None if margins else "constrained")
            if margins:
                figure.subplots_adjust(**margins)
            plot(figure.add_subplot())
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

        def plot(ax: Axes) -> None:
            rows = range(len(shown))
            naive = ax.barh(
                [y - 0.2 for y in rows],
                [r.naive_npv for r in shown],
                height=0.4,
                color=SKY_BLUE,
                label="naive NPV (price ignores alternatives)",
            )
            sustainable = ax.barh(
                [y + 0.2 for y in rows],
                [r.npv for r in shown],
                height=0.4,
                color=BLUE,
                label="NPV at the sustainable price",
            )
            for bars, key in ((naive, "naive_npv"), (sustainable, "npv")):
                labels = [_money(getattr(r, key), currency) for r in shown]
                ax.bar_label(bars, labels, padding=3, fontsize=8)
            ax.margins(x=0.15)
            _names_axis(ax, shown)
            _money_axis(ax, currency, "x")
            ax.axvline(0, color=INK, linewidth=0.8)
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=9)

        return self._draw(title, alt, _bars_height(len(shown)), plot)

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

        def plot(ax: Axes) -> None:
            rows = list(range(len(shown)))
            ax.barh(
                rows,
                [r.value_per_customer for r in shown],
                height=0.7,
                color=SKY_BLUE,
                label="value we deliver",
            )
            ceiling = ax.barh(
                rows,
                [r.ceiling_per_customer for r in shown],
                height=0.35,
                color=GREEN,
                label="ceiling (what a customer would pay)",
            )
            labels = [
                f"{_money(r.ceiling_per_customer, currency)} of "
                f"{_money(r.value_per_customer, currency)}"
                for r in shown
            ]
            ax.bar_label(ceiling, labels, padding=3, fontsize=8)
            ax.margins(x=0.15)
            _names_axis(ax, shown)
            _money_axis(ax, currency, "x")
            ax.set_xlim(left=0)
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=9)

        return self._draw(title, alt, _bars_height(len(shown)), plot)

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

        def plot(ax: Axes) -> None:
            years = list(range(len(r.cash_flows)))
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
            ax.set_xticks(years)
            ax.set_xlabel("year")
            _money_axis(ax, currency, "y")
            key = [
                Patch(color=BLUE, label="net cash in"),
                Patch(color=VERMILLION, label="net cash out"),
                Line2D([], [], color=INK, marker="o", markersize=4, label="cumulative, discounted"),
            ]
            ax.legend(
                handles=key, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize=9
            )

        return self._draw(title, alt, 3.0, plot, FIXED_MARGINS)

    def ceiling_by_year(self, r: Evaluation) -> Chart:
        """The ceiling per customer each year as steps, beside the value we deliver (SPEC §7)."""
        currency = r.currency
        title = "The ceiling by year"
        alt = (
            f"The most a customer would pay, per year, against the "
            f"{_money(r.value_per_customer, currency)} the solution is worth: "
            + "; ".join(
                f"year {y.year} {_money(y.ceiling_per_customer, currency)}"
                + (f" (set by {_name(y.ceiling_set_by)})" if y.ceiling_set_by else "")
                for y in r.years
            )
            + "."
        )

        def plot(ax: Axes) -> None:
            years = [y.year for y in r.years]
            ceilings = [y.ceiling_per_customer for y in r.years]
            ax.axhline(r.value_per_customer, color=INK, linewidth=0.8, linestyle="--")
            ax.step(years, ceilings, where="mid", color=BLUE, linewidth=2)
            ax.plot(years, ceilings, linestyle="none", marker="o", markersize=4, color=BLUE)
            ax.set_xticks(years)
            ax.set_xlabel("year")
            ax.set_ylim(bottom=0, top=r.value_per_customer * 1.1 or 1.0)
            _money_axis(ax, currency, "y")
            from matplotlib.lines import Line2D

            key = [
                Line2D([], [], color=BLUE, marker="o", markersize=4, label="ceiling"),
                Line2D([], [], color=INK, linestyle="--", label="what it is worth"),
            ]
            ax.legend(
                handles=key, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=9
            )

        return self._draw(title, alt, 2.6, plot, FIXED_MARGINS)

    def histogram(self, h: Histogram, currency: str, p_positive: str) -> Chart:
        """The NPV histogram of a simulation: bins below zero in vermillion, above in blue."""
        title = "NPV across the simulated samples"
        alt = (
            f"Histogram of NPV from {_money(h.low, currency)} to {_money(h.high, currency)} "
            f"(the 1st to the 99th percentile); NPV is above zero in {p_positive} of samples."
        )
        total = sum(h.counts) + h.outside or 1

        def plot(ax: Axes) -> None:
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
            ax.yaxis.set_major_formatter(_formatter(lambda y: fmt.percent(y)))
            ax.set_ylabel("share of samples")

        return self._draw(title, alt, 2.6, plot, FIXED_MARGINS)

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

        def plot(ax: Axes) -> None:
            rows = list(range(len(bars)))
            for low_end, color, label in ((True, ORANGE, "input at low"), (False, BLUE, "at high")):
                ends = [bar.npv_at_low if low_end else bar.npv_at_high for bar in bars]
                ax.barh(
                    rows,
                    [end - central_npv for end in ends],
                    left=central_npv,
                    height=0.6,
                    color=color,
                    label=label,
                )
            for y, bar in zip(rows, bars, strict=True):
                for value, npv in (
                    (bar.low_value, bar.npv_at_low),
                    (bar.high_value, bar.npv_at_high),
                ):
                    right = npv >= central_npv
                    ax.annotate(
                        _value(value, bar.kind, currency),
                        (npv, y),
                        xytext=(4 if right else -4, 0),
                        textcoords="offset points",
                        ha="left" if right else "right",
                        va="center",
                        fontsize=8,
                    )
            ax.set_yticks(rows, [bar.input for bar in bars])
            ax.invert_yaxis()
            ax.axvline(central_npv, color=INK, linewidth=1)
            ax.margins(x=0.2)
            _money_axis(ax, currency, "x")
            ax.set_xlabel(f"NPV (central {_money(central_npv, currency)})")
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=9)

        return self._draw(title, alt, _bars_height(len(bars)), plot)


# ---------------------------------------------------------------------- helpers


def _money(x: float | None, currency: str) -> str:
    return fmt.money(x, currency)


def _value(value: float | None, kind: Kind, currency: str) -> str:
    return "n/a" if value is None else fmt.quantity(value, kind, currency)


def _name(name: str) -> str:
    return fmt.safe_text(name)


def _label(name: str) -> str:
    """A problem's name for an axis: at most two lines of `LABEL_WIDTH`, cut with `…`."""
    lines = textwrap.wrap(_name(name), LABEL_WIDTH, max_lines=2, placeholder=" …")
    return "\n".join(lines) or " "


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


def _bars_height(rows: int) -> float:
    return 1.2 + 0.45 * max(rows, 1)


def _names_axis(ax: Axes, shown: Sequence[Evaluation]) -> None:
    ax.set_yticks(range(len(shown)), [_label(r.name) for r in shown])
    ax.invert_yaxis()  # the first by rank on top, as in the table


def _formatter(show: Callable[[float], str]) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _: show(x))


def _money_axis(ax: Axes, currency: str, which: str) -> None:
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_formatter(_formatter(lambda x: fmt.money(x, currency)))


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


__all__ = ["Chart", "Charts", "config_dir"]
