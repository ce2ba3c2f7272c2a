"""An axis's ticks and its label, drawn by pmsize as matplotlib draws them, at a fraction of
the cost.

matplotlib's axis makes a `Tick` a value (two marks, a grid line and two labels, each an
artist of its own), and updates and measures every one at each measure and again when it
draws: the ticks were most of the time a chart took. Here an axis's marks are one line of
markers, and its labels one text a tick in view, put where matplotlib puts them: each
mark 3.5 points out from the axis and 0.8 wide, each label 3.5 points beyond its mark, the
axis's label 4 points beyond the labels (matplotlib's defaults for `xtick.major.size`,
`xtick.major.width`, `xtick.major.pad` and `axes.labelpad`, and their `ytick` twins). The
axis itself is told to tick nothing.

The values are matplotlib's: `MaxNLocator` at round steps, at most `count` of them, fewer
when `settle` finds their labels crowded (`fewer`); only those in view are drawn, and
`labels` is given those either side of the view too, so each label reads as it does with
every tick matplotlib would have made.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pmsize.render.charts._style import INK

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

TICKS = 6  # ticks an axis starts with; fewer when their labels would touch
MARK = 3.5  # points a tick mark reaches out from the axis
MARK_WIDTH = 0.8  # points
PAD = 3.5  # points between a mark's end and its label
LABEL_PAD = 4.0  # points between the tick labels and the axis's label
STEPS = [1, 2, 2.5, 5, 10]  # the round steps between ticks

_of: weakref.WeakKeyDictionary[Axes, list[Ticks]] = weakref.WeakKeyDictionary()


class Ticks:
    """The ticks of one axis (`which`: "x", along the bottom, or "y", along the left) and
    its label (`label`), labelled by `labels`, which sees the values all at once; with
    `cut`, none past it (the axis is not to scale there); with `integer`, whole values
    only. `update` puts them where the axis's view now is."""

    def __init__(
        self,
        ax: Axes,
        which: str,
        labels: Callable[[Sequence[float]], list[str]],
        cut: float | None = None,
        *,
        integer: bool = False,
        count: int = TICKS,
    ) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.markers import TICKDOWN, TICKLEFT
        from matplotlib.ticker import NullLocator
        from matplotlib.transforms import ScaledTranslation

        self.ax, self.which, self.labels, self.cut = ax, which, labels, cut
        self.integer, self.count = integer, count
        self.shown: list[Text] = []  # the tick labels, one a tick in view
        self.title: Text | None = None  # the axis's label
        x = which == "x"
        (ax.xaxis if x else ax.yaxis).set_major_locator(NullLocator())
        along = ax.get_xaxis_transform() if x else ax.get_yaxis_transform()
        scale = ax.figure.dpi_scale_trans
        out = (MARK + PAD) / 72  # inches from the axis to its labels
        self._label_transform = along + ScaledTranslation(0 if x else -out, -out if x else 0, scale)
        self._marks = Line2D(
            [],
            [],
            linestyle="none",
            marker=TICKDOWN if x else TICKLEFT,  # type: ignore[arg-type]  # codes 3 and 0
            markersize=MARK,
            markeredgewidth=MARK_WIDTH,
            color=INK,
            transform=along,
            clip_on=False,
        )
        ax.add_artist(self._marks)  # not `add_line`: the marks are no data to scale to
        _of.setdefault(ax, []).append(self)

    def label(self, text: str) -> None:
        """The axis's label: under the tick labels (x), or left of them, turned (y)."""
        if self.title is None:
            x = self.which == "x"
            self.title = self.ax.text(
                0.5 if x else 0.0,
                0.0 if x else 0.5,
                text,
                transform=self.ax.transAxes,
                ha="center",
                va="top" if x else "bottom",
                rotation=0 if x else 90,
                rotation_mode="anchor",
                clip_on=False,
            )
            self.title.set_in_layout(False)  # `place` counts it across the axis only
        else:
            self.title.set_text(text)

    def fewer(self) -> bool:
        """One tick fewer, if it has more than one."""
        if self.count <= 1:
            return False
        self.count -= 1
        return True

    def update(self, renderer: RendererBase) -> None:
        """Marks and labels at the values the axis's view now holds, and the axis's label
        beyond the labels as they measure with `renderer`."""
        from matplotlib.text import Text
        from matplotlib.ticker import MaxNLocator
        from matplotlib.transforms import ScaledTranslation

        x = self.which == "x"
        low, high = sorted(self.ax.get_xlim() if x else self.ax.get_ylim())
        # `min_n_ticks=1`: with fewer than two whole numbers in view, MaxNLocator would drop
        # `integer` and tick a one-year chart at 0.4, 1.0 and 1.6 (labelled 0, 1, 2)
        locator = MaxNLocator(
            nbins=self.count,
            steps=STEPS,
            integer=self.integer,
            min_n_ticks=1 if self.integer else 2,
        )
        every: Sequence[float]
        if self.cut is None:
            every = locator.tick_values(low, high)
        else:  # past the cut the axis is not to scale: no tick there
            ticked = locator.tick_values(max(low, -self.cut), min(high, self.cut))
            every = [v for v in ticked if abs(v) <= self.cut * (1 + 1e-9)]
        slack = (high - low) * 1e-9  # matplotlib's own test of what is in view
        values = [v for v in every if low - slack <= v <= high + slack]
        named = dict(zip(every, self.labels(list(every)), strict=True))
        self._marks.set_data((values, [0.0] * len(values)) if x else ([0.0] * len(values), values))
        for extra in self.shown[len(values) :]:
            extra.remove()
        del self.shown[len(values) :]
        while len(self.shown) < len(values):
            text = Text(
                0,
                0,
                "",
                transform=self._label_transform,
                ha="center" if x else "right",
                va="top" if x else "center_baseline",
                clip_on=False,
            )
            self.ax.add_artist(text)
            self.shown.append(text)
        for text, value in zip(self.shown, values, strict=True):
            text.set_text(named[value])
            text.set_position((value, 0.0) if x else (0.0, value))
        if self.title is not None:
            beyond = max([self._beyond(text, renderer) for text in self.shown] + [MARK])
            away = (beyond + LABEL_PAD) / 72  # inches from the axis to its label
            self.title.set_transform(
                self.ax.transAxes
                + ScaledTranslation(
                    0 if x else -away, -away if x else 0, self.ax.figure.dpi_scale_trans
                )
            )

    def title_box(self, renderer: RendererBase) -> Bbox | None:
        """The axis's label as layout counts it: across the axis only (matplotlib's rule, so
        that a long label does not narrow the plot)."""
        if self.title is None or not self.title.get_text():
            return None
        box = self.title.get_window_extent(renderer)
        if self.which == "x":
            box.x0 = box.x1 = (box.x0 + box.x1) / 2
        else:
            box.y0 = box.y1 = (box.y0 + box.y1) / 2
        return box

    def _beyond(self, text: Text, renderer: RendererBase) -> float:
        """Points from the axis to the far side of a tick label."""
        box = text.get_window_extent(renderer)
        plot = self.ax.get_window_extent(renderer)
        scale = 72 / self.ax.figure.dpi
        return float((plot.y0 - box.y0) if self.which == "x" else (plot.x0 - box.x0)) * scale


def ticks_of(ax: Axes) -> list[Ticks]:
    """The ticks of each axis of a chart that has them (`Ticks`)."""
    return list(_of.get(ax, ()))


def tick_labels(ax: Axes, which: str) -> list[Text]:
    """The tick labels an axis of a chart shows ("x" or "y"), in order along it."""
    return [text for ticks in ticks_of(ax) if ticks.which == which for text in ticks.shown]
