"""The charts of one problem: its cash flows and its ceiling year by year, and for a
ranged problem its simulated NPV and what moves it (the tornado)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pmsize import _fmt as fmt
from pmsize.render.charts._bars import add_bars
from pmsize.render.charts._layout import (
    Plot,
    Sketch,
    bands,
    bands_height,
    legend,
    money_axis,
    row_lines,
    years_axis,
)
from pmsize.render.charts._style import (
    BAR,
    BLUE,
    GREEN,
    INK,
    ORANGE,
    VERMILLION,
    money,
    name_text,
    value_text,
)
from pmsize.render.charts._ticks import Ticks

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from pmsize._drivers import TornadoBar
    from pmsize._results import Evaluation
    from pmsize._summary import Histogram


def cash_flow(r: Evaluation, cumulative: Sequence[float]) -> Sketch:
    """Net cash flow a year as bars, the cumulative discounted cash flow as a line."""
    currency = r.currency
    title = "Cash flow by year"
    alt = "Net cash flow by year: " + "; ".join(
        f"year {t} {money(flow, currency)}" for t, flow in enumerate(r.cash_flows)
    )
    alt += f". Cumulative discounted cash flow ends at {money(cumulative[-1], currency)} (the NPV)."

    def plot(ax: Axes) -> Plot:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        years = list(range(len(r.cash_flows)))
        colors = [BLUE if f >= 0 else VERMILLION for f in r.cash_flows]
        add_bars(ax, years, r.cash_flows, 0.6, colors)
        ax.plot(years, cumulative, color=INK, marker="o", markersize=4, linewidth=1.5)
        ax.axhline(0, color=INK, linewidth=0.8)
        years_axis(ax, years)
        money_axis(ax, currency, "y")
        key = [
            Patch(color=BLUE, label="net cash in"),
            Patch(color=VERMILLION, label="net cash out"),
            Line2D([], [], color=INK, marker="o", markersize=4, label="cumulative, discounted"),
        ]
        legend(ax, key)
        return Plot()

    return Sketch(title, alt, 3.2, plot)


def ceiling_by_year(r: Evaluation) -> Sketch:
    """The ceiling per customer each year as bars, beside the value we deliver and, when
    the file asks a price, that price (SPEC §7; what the `overpriced` flag is about)."""
    currency = r.currency
    title = "The ceiling by year"
    asked = r.price_given
    alt = (
        f"The most a customer would pay, per year, against the "
        f"{money(r.value_per_customer, currency)} the solution is worth"
        + (f" and the asked price of {money(asked, currency)}" if asked is not None else "")
        + ": "
        + "; ".join(
            f"year {y.year} {money(y.ceiling_per_customer, currency)}"
            + (f" (set by {name_text(y.ceiling_set_by)})" if y.ceiling_set_by else "")
            for y in r.years
        )
        + "."
    )

    def plot(ax: Axes) -> Plot:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        years = [y.year for y in r.years]
        add_bars(ax, years, [y.ceiling_per_customer for y in r.years], 0.6, GREEN)
        ax.axhline(r.value_per_customer, color=INK, linewidth=1, linestyle="--")
        key = [
            Patch(color=GREEN, label="ceiling"),
            Line2D(
                [],
                [],
                color=INK,
                linestyle="--",
                label=f"worth {money(r.value_per_customer, currency)}",
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
                    label=f"asked price {money(asked, currency)}",
                )
            )
        years_axis(ax, years)
        top = max(r.value_per_customer, asked or 0.0, *(y.ceiling_per_customer for y in r.years))
        ax.set_ylim(bottom=0, top=top * 1.1 or 1.0)
        money_axis(ax, currency, "y")
        legend(ax, key)
        return Plot()

    return Sketch(title, alt, 2.8, plot)


def histogram(h: Histogram, currency: str, p_positive: str) -> Sketch:
    """The NPV histogram of a simulation: bins below zero in vermillion, above in blue."""
    title = "NPV across the simulated samples"
    alt = (
        f"Histogram of NPV from {money(h.low, currency)} to {money(h.high, currency)} "
        f"(the 1st to the 99th percentile); NPV is above zero in {p_positive} of samples."
    )
    total = sum(h.counts) + h.outside or 1

    def plot(ax: Axes) -> Plot:
        step = (h.high - h.low) / len(h.counts)
        lefts = [h.low + i * step for i in range(len(h.counts))]
        colors = [VERMILLION if x + step / 2 < 0 else BLUE for x in lefts]
        shares = [c / total for c in h.counts]
        add_bars(ax, lefts, shares, step, colors, centred=False, linewidth=0)
        if h.low < 0 < h.high:
            ax.axvline(0, color=INK, linewidth=0.8)
        money_axis(ax, currency, "x")
        Ticks(ax, "y", lambda ys: [fmt.percent(y) for y in ys]).label("share of samples")
        return Plot()

    return Sketch(title, alt, 2.8, plot)


def tornado(bars: Sequence[TornadoBar], central_npv: float, currency: str) -> Sketch:
    """NPV with each ranged input at its low and its high end, widest swing on top."""
    title = "What moves NPV: each input at its low and high end"
    alt = (
        f"NPV is {money(central_npv, currency)} at central values. "
        + "; ".join(
            f"{bar.input} at {value_text(bar.low_value, bar.kind, currency)}: NPV "
            f"{money(bar.npv_at_low, currency)}, at "
            f"{value_text(bar.high_value, bar.kind, currency)}: "
            f"{money(bar.npv_at_high, currency)}"
            for bar in bars
        )
        + "."
    )

    def plot(ax: Axes) -> Plot:
        drawn = Plot()
        ys = [row[0] for row in bands(ax, [bar.input for bar in bars], 1, drawn)]
        for low_end, color, label in ((True, ORANGE, "input at low"), (False, BLUE, "at high")):
            ends = [bar.npv_at_low if low_end else bar.npv_at_high for bar in bars]
            swings = [end - central_npv for end in ends]
            add_bars(ax, ys, swings, BAR, color, horizontal=True, base=central_npv, label=label)
        for y, bar in zip(ys, bars, strict=True):
            for value, npv in (
                (bar.low_value, bar.npv_at_low),
                (bar.high_value, bar.npv_at_high),
            ):
                right = npv >= central_npv
                drawn.inside.append(
                    ax.annotate(
                        value_text(value, bar.kind, currency),
                        (npv, y),
                        xytext=(3 if right else -3, 0),
                        textcoords="offset points",
                        ha="left" if right else "right",
                        va="center",
                    )
                )
        row_lines(ax, central_npv, [[y] for y in ys])
        money_axis(ax, currency, "x").label(f"NPV (central {money(central_npv, currency)})")
        legend(ax)
        return drawn

    return Sketch(title, alt, bands_height(len(bars), 1), plot)
