"""The portfolio's charts: a pair of bars a problem, the first `MAX_BARS` by rank, each
problem's name on a line of its own above its bars (one currency a chart). Each is given
the problems it shows and how many there are in all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pmsize import _fmt as fmt
from pmsize.render.charts._cut import axis_cut, cut_alt, cut_bars, cut_note
from pmsize.render.charts._layout import (
    Plot,
    Sketch,
    bands,
    bands_height,
    legend,
    money_axis,
    row_lines,
)
from pmsize.render.charts._style import BAR, BLUE, GREEN, SKY_BLUE, money, name_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from pmsize._results import Evaluation


def npv_gap(shown: Sequence[Evaluation], every: int) -> Sketch:
    """Naive against sustainable NPV, a pair of bars a problem (one currency)."""
    currency = shown[0].currency
    title = "NPV: the naive pitch against the sustainable price" + _first(shown, every)
    alt = _alt(
        shown,
        every,
        lambda r: (
            f"{name_text(r.name)}: NPV {money(r.npv, currency)}, naive "
            f"{money(r.naive_npv, currency)}"
        ),
    )
    values = [v for r in shown for v in (r.naive_npv, r.npv)]
    cut = axis_cut(values)
    if cut is not None:
        alt += " " + cut_alt(
            cut,
            currency,
            [
                f"{name_text(r.name)}: {what} {money(v, currency)}"
                for r in shown
                for what, v in (("naive NPV", r.naive_npv), ("NPV", r.npv))
                if abs(v) > cut
            ],
        )

    def plot(ax: Axes) -> Plot:
        drawn = Plot()
        slots = bands(ax, [r.name for r in shown], 2, drawn)
        for k, (key, color, label) in enumerate(
            (
                ("naive_npv", SKY_BLUE, "naive NPV (price ignores alternatives)"),
                ("npv", BLUE, "NPV at the sustainable price"),
            )
        ):
            ys = [row[k] for row in slots]
            figures = [getattr(r, key) for r in shown]
            bars = cut_bars(ax, ys, figures, cut, color, label)
            labels = [money(v, currency) for v in figures]
            drawn.inside.extend(ax.bar_label(bars, labels, padding=3))
        row_lines(ax, 0.0, slots)
        cut_note(money_axis(ax, currency, "x", cut), cut, currency)
        legend(ax)
        return drawn

    return Sketch(title, alt, bands_height(len(shown), 2), plot)


def value_ceiling(shown: Sequence[Evaluation], every: int) -> Sketch:
    """Our value per customer a year, with the ceiling inside it (one currency)."""
    currency = shown[0].currency
    title = "Value and ceiling per customer a year" + _first(shown, every)
    alt = _alt(
        shown,
        every,
        lambda r: (
            f"{name_text(r.name)}: value {money(r.value_per_customer, currency)}, "
            f"ceiling {money(r.ceiling_per_customer, currency)}"
        ),
    )
    cut = axis_cut([r.value_per_customer for r in shown])
    if cut is not None:
        alt += " " + cut_alt(
            cut,
            currency,
            [
                f"{name_text(r.name)}: value {money(r.value_per_customer, currency)}"
                for r in shown
                if r.value_per_customer > cut
            ],
        )

    def plot(ax: Axes) -> Plot:
        drawn = Plot()
        ys = [row[0] for row in bands(ax, [r.name for r in shown], 1, drawn)]
        values = [r.value_per_customer for r in shown]
        value = cut_bars(ax, ys, values, cut, SKY_BLUE, "value we deliver", BAR)
        ceilings = [r.ceiling_per_customer for r in shown]
        cut_bars(ax, ys, ceilings, cut, GREEN, "ceiling (what a customer would pay)", BAR / 2)
        labels = [
            f"{money(r.ceiling_per_customer, currency)} of {money(r.value_per_customer, currency)}"
            for r in shown
        ]
        drawn.inside.extend(ax.bar_label(value, labels, padding=3))
        row_lines(ax, 0.0, [[y] for y in ys])
        ticks = money_axis(ax, currency, "x", cut)
        ax.set_xlim(left=0)
        cut_note(ticks, cut, currency)
        legend(ax)
        return drawn

    return Sketch(title, alt, bands_height(len(shown), 1), plot)


def _alt(shown: Sequence[Evaluation], every: int, line: Callable[[Any], str]) -> str:
    text = "; ".join(line(r) for r in shown) + "."
    if every > len(shown):
        text += f" The first {len(shown)} of {fmt.count(every)} problems, by rank."
    return text


def _first(shown: Sequence[Evaluation], every: int) -> str:
    """` (the first 30 of 60,000, by rank)` when a chart shows only some problems."""
    if every <= len(shown):
        return ""
    return f" (the first {len(shown)} of {fmt.count(every)}, by rank)"
