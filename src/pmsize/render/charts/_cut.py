"""The axis cut: when a few bars would flatten the rest, the axis stops short of them
(`axis_cut`), those bars are drawn broken with their value written at their end, and the
chart says so under its axis and in its text alternative."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pmsize.render.charts._bars import add_bars
from pmsize.render.charts._style import BAR, INK, money

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from pmsize.render.charts._ticks import Ticks

CUT_RATIO = 5.0  # a bar this many times the next longest is cut (`axis_cut`)
MAX_CUT_SHARE = 0.25  # and never more than a quarter of the bars (at least one)
CUT_DRAWN = 1.3  # a cut bar is drawn this many times the cut long, broken
CUT_BREAK = (1.12, 1.18)  # where its break is, in the same measure


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


def cut_bars(
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
    drawn = add_bars(ax, ys, full, height, color, horizontal=True, label=label)
    if cut is None:
        return drawn
    for patch, y, v, end in zip(drawn.patches, ys, values, full, strict=True):
        if abs(v) <= cut:
            continue
        near, far = (math.copysign(cut * f, v) for f in CUT_BREAK)
        patch.set_x(min(far, end))  # the bar keeps its far piece (where its label goes)
        patch.set_width(abs(end - far))
        add_bars(ax, [y], [near], height, color, horizontal=True)
        lean = 0.03 * cut
        for x in (near, far):
            ax.plot(
                [x - lean, x + lean],
                [y + height * 0.8, y - height * 0.8],
                color=INK,
                linewidth=1,
                label="_nolegend_",
            )
    return drawn


def cut_note(ticks: Ticks, cut: float | None, currency: str) -> None:
    """Says on the chart that its axis is cut, under the axis (`ticks`)."""
    if cut is not None:
        ticks.label(
            f"The axis stops at {money(cut, currency)}: a broken bar is longer,\n"
            "its value written at its end"
        )


def cut_alt(cut: float, currency: str, longer: Sequence[str]) -> str:
    """What the text alternative adds for a cut axis: where it stops, and the bars past it."""
    return (
        f"The chart's axis stops at {money(cut, currency)}; longer bars are drawn broken "
        f"({'; '.join(longer)})."
    )
