"""Where a chart's parts go, and that nothing collides.

Bars a row stack in bands (`bands`), the key sits above the plot (`legend`), and each
axis has ticks at round values: money says as much as it needs (`−$10m`, `$2.5m`:
`fmt.money_ticks`), years are whole. Before it is written a chart is laid out and
measured (`settle`) until no tick label comes near the next, no name is wider than the
plot and no value label runs off it.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from pmsize import _fmt as fmt
from pmsize.render.charts._key import key
from pmsize.render.charts._style import (
    BAND_GAP,
    BANDS_ROOM,
    INK,
    NAME_LINE,
    RC,
    SLOT,
    TEXT,
    WIDTH,
    name_text,
)
from pmsize.render.charts._ticks import Ticks, ticks_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

SETTLE_PASSES = 6  # layouts a chart may take to settle (`settle`); one or two, mostly
TICK_GAP = 6  # points kept between two tick labels


@dataclass
class Plot:
    """What a chart's drawing hands back for `settle` to fit: names to cut to the plot's
    width, texts to keep inside it, and the axes whose tick labels must not touch."""

    names: list[Text] = field(default_factory=list)
    inside: list[Text] = field(default_factory=list)


class Sketch(NamedTuple):
    """A chart before it is drawn: its words, its height in inches, and how to draw it."""

    title: str
    alt: str
    height: float
    plot: Callable[[Axes], Plot]


def bands(ax: Axes, names: Sequence[str], slots: int, drawn: Plot) -> list[list[float]]:
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
            ax.text(0, top + NAME_LINE / 2, name_text(name), transform=across, va="center")
        )
        rows.append([top + NAME_LINE + SLOT * (k + 0.5) for k in range(slots)])
    ax.set_ylim(len(names) * band - BAND_GAP / 2, -BAND_GAP / 2)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    return rows


def bands_height(rows: int, slots: int) -> float:
    """Inches a chart of `rows` bands of `slots` bars each takes, with its key and axis."""
    return BANDS_ROOM + max(rows, 1) * (NAME_LINE + slots * SLOT + BAND_GAP)


def row_lines(ax: Axes, x: float, rows: Sequence[Sequence[float]]) -> None:
    """The zero (or central) line, through each row's bars but not its name: one
    collection of a segment a row (an artist a row took a tenth of a portfolio chart)."""
    if rows:
        bottoms = [slots[0] - SLOT / 2 for slots in rows]
        tops = [slots[-1] + SLOT / 2 for slots in rows]
        ax.vlines([x] * len(rows), bottoms, tops, color=INK, linewidth=0.8)


def legend(ax: Axes, handles: Sequence[Any] | None = None) -> None:
    """The key above the plot: its entries on one line when they fit the width, else one
    a line."""
    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    labels = [str(h.get_label()) for h in handles]
    # each entry: its handle, the pad after it, its text and the space before the next
    entry = (RC["legend.handlelength"] + 0.8 + RC["legend.columnspacing"]) * TEXT
    needed = sum(_text_width(label) + entry for label in labels)
    ncols = len(labels) if needed <= WIDTH * 72 - TEXT else 1
    key(ax.figure, handles, ncols)  # as `figure.legend(loc="outside upper center")` draws


@functools.lru_cache(maxsize=1024)
def _text_width(text: str) -> float:
    """Points a line of chart text takes (a key's labels recur from chart to chart)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(family=RC["font.sans-serif"], size=TEXT)
    width: float = TextToPath().get_text_width_height_descent(text, font, ismath=False)[0]
    return width


def money_axis(ax: Axes, currency: str, which: str, cut: float | None = None) -> Ticks:
    """Money ticks (`fmt.money_ticks`); with a cut axis, none past the cut."""
    return Ticks(ax, which, lambda values: fmt.money_ticks(values, currency), cut)


def years_axis(ax: Axes, years: Sequence[int]) -> Ticks:
    """Whole years only, each bar under its year."""

    def whole(values: Sequence[float]) -> list[str]:
        return [str(round(v)) for v in values]

    # a tick a year when they fit: as many bins as years, and the one either side
    ticks = Ticks(ax, "x", whole, integer=True, count=len(years) + 2)
    ax.set_xlim(min(years) - 0.6, max(years) + 0.6)
    ticks.label("year")
    return ticks


def settle(figure: Figure, ax: Axes, drawn: Plot) -> None:
    """Lay out (`place`) and measure until nothing collides: a name wider than the plot is
    cut with `…`; a value label past the plot's side widens the axis; tick labels that come
    within `TICK_GAP` points of each other become fewer."""
    scale = figure.dpi / 72  # points to pixels
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]  # `_canvas.measured`
    for fitted in (*drawn.names, *drawn.inside):  # fitted here, not by squeezing the plot
        fitted.set_in_layout(False)
    for _ in range(SETTLE_PASSES):
        for ticks in ticks_of(ax):
            ticks.update(renderer)
        place(figure, ax)
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
        inside = [t.get_window_extent() for t in drawn.inside]  # an annotation's is dear
        beyond_left = max([plot.x0 - box.x0 for box in inside] + [0.0])
        beyond_right = max([box.x1 - plot.x1 for box in inside] + [0.0])
        if beyond_left > 0 or beyond_right > 0:
            pad = TEXT * scale  # and a little more: widening the axis moves the labels too
            ax.set_xlim(
                lo - (beyond_left + pad) * per_pixel if beyond_left > 0 else lo,
                hi + (beyond_right + pad) * per_pixel if beyond_right > 0 else hi,
            )
            changed = True
        for ticks in ticks_of(ax):
            if _crowded(ticks, TICK_GAP * scale) and ticks.fewer():
                changed = True
        if not changed:
            return


def place(figure: Figure, ax: Axes) -> None:
    """Size the plot to leave room for what is around it (tick labels, axis labels, the key
    above), as matplotlib's constrained layout sizes a figure's one axes, but measured once.

    Constrained layout measures the axes twice and solves for a grid of them, which was
    a third of a chart's time. One axes' decorations keep their size wherever it goes;
    only a tick label near an end of an axis overhangs it a little more or less as the
    plot grows or shrinks (under half a point here), within the pad every margin keeps
    (matplotlib's `figure.constrained_layout.w_pad` and `h_pad`; the key above the plot
    has a pad either side of it)."""
    import matplotlib as mpl
    from matplotlib.transforms import Bbox

    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]  # `_canvas.measured`
    width, height = figure.get_size_inches()
    w_pad = mpl.rcParams["figure.constrained_layout.w_pad"] / width
    h_pad = mpl.rcParams["figure.constrained_layout.h_pad"] / height
    to_figure = figure.transFigure.inverted()
    plot = ax.get_position(original=True)
    boxes = [ax.get_tightbbox(renderer, for_layout_only=True)]
    boxes += [ticks.title_box(renderer) for ticks in ticks_of(ax)]
    found = [box for box in boxes if box is not None]
    around = Bbox.union(found).transformed(to_figure) if found else plot
    above = 0.0
    for artist in figure.artists:  # the key, above the plot (`legend`)
        box = artist.get_window_extent(renderer)
        above = max(above, box.transformed(to_figure).height + 2 * h_pad)
    left = w_pad + plot.x0 - around.x0
    right = 1 - w_pad - (around.x1 - plot.x1)
    bottom = h_pad + plot.y0 - around.y0
    top = 1 - above - h_pad - (around.y1 - plot.y1)
    if left < right and bottom < top:  # else left where it is, as constrained layout leaves it
        ax.set_position((left, bottom, right - left, top - bottom))


def _crowded(ticks: Ticks, gap: float) -> bool:
    """Whether two of an axis's tick labels come within `gap` pixels of each other."""
    vertical = ticks.which == "y"
    ends = sorted(
        (box.y0, box.y1) if vertical else (box.x0, box.x1)
        for box in (label.get_window_extent() for label in ticks.shown)
    )
    return any(start < end + gap for (_, end), (start, _) in itertools.pairwise(ends))
