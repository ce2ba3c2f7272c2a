"""The key above a chart's plot: matplotlib's figure legend, drawn by pmsize at a fraction of
the cost.

matplotlib's legend packs its entries in boxes within boxes (a handle and its text in a
row, rows in columns, the columns side by side, all of it padded) and works the packing
out again, box by box and text by text, each time it is measured and each time it is
drawn: a third of the time a chart took. `Key` works out the same packing, by the same
rules, once a measure and once a draw, from matplotlib's `legend.*` defaults as `RC`
leaves them (no frame; a handle 1.5 em long and 0.7 em tall, 0.8 em from its text; rows
0.5 em apart; `legend.columnspacing` between columns; 0.4 em inside the border and 0.5
em from the top of the figure, centred across it), and makes each handle as the legend's
handler makes it: a patch as a box, a line as a line with one marker at its middle. As the
legend, it is laid out when drawn, with the drawing's own measures.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

HANDLE_LENGTH, HANDLE_HEIGHT, HANDLE_TEXT_PAD = 1.5, 0.7, 0.8  # em: legend.handle*
LABEL_SPACING, BORDER_PAD, BORDER_AXES_PAD = 0.5, 0.4, 0.5  # em: legend.labelspacing, ...


def key(figure: Figure | SubFigure, handles: Sequence[Any], ncols: int) -> Artist:
    """The key of `handles` (each labelled as it is: `get_label()`), `ncols` entries a row,
    added to `figure` above its plot."""
    import matplotlib as mpl

    made: Artist = _key_class()(
        figure,
        handles,
        ncols,
        mpl.rcParams["legend.fontsize"],
        mpl.rcParams["legend.columnspacing"],
    )
    return made


def _pixels(renderer: RendererBase) -> float:
    """Pixels a point (the charts are drawn at 72 dpi: one)."""
    return cast("float", renderer.points_to_pixels(1.0))


@functools.cache
def _key_class() -> Callable[..., Artist]:
    """`Key`, made once matplotlib is imported (the module is imported without it)."""
    from matplotlib.artist import Artist
    from matplotlib.container import BarContainer
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.text import Text
    from matplotlib.transforms import Affine2D, Bbox, IdentityTransform

    class Key(Artist):
        zorder = 5  # as a legend

        def __init__(
            self,
            figure: Figure | SubFigure,
            handles: Sequence[Any],
            ncols: int,
            fontsize: float,
            spacing: float,
        ) -> None:
            super().__init__()
            self.ncols, self.fontsize, self.spacing = ncols, fontsize, spacing
            self.entries: list[tuple[Artist, Text]] = []
            width, height = HANDLE_LENGTH * fontsize, HANDLE_HEIGHT * fontsize
            for handle in handles:
                drawn: Artist
                if isinstance(handle, Line2D):  # a line with a marker at its middle only
                    drawn = Line2D([0, width / 2, width], [height / 2] * 3, markevery=[1])
                    drawn.update_from(handle)
                else:  # a box, in the style of the patch (or of a bar container's first bar)
                    drawn = Rectangle((0, 0), width, height)
                    drawn.update_from(
                        handle.patches[0] if isinstance(handle, BarContainer) else handle
                    )
                drawn.set_clip_box(None)
                drawn.set_clip_path(None)
                text = Text(0, 0, str(handle.get_label()), va="baseline", ha="left")
                text.set_fontsize(fontsize)
                self.entries.append((drawn, text))
            figure.add_artist(self)
            for drawn, text in self.entries:
                drawn.set_figure(figure)
                text.set_figure(figure)

        def get_children(self) -> list[Artist]:
            return [artist for entry in self.entries for artist in entry]

        def _layout(self, renderer: RendererBase) -> tuple[Bbox, list[tuple[float, float]]]:
            """The key's box, and where each entry's handle starts (its text's baseline is
            level with the handle's foot), in display units: matplotlib's packing."""
            em = self.fontsize * _pixels(renderer)
            width, height = HANDLE_LENGTH * em, HANDLE_HEIGHT * em
            rows: list[tuple[float, float, float]] = []  # an entry's width and its y span
            for _, text in self.entries:
                text.set_transform(IdentityTransform())
                text.set_position((0, 0))
                box = text.get_window_extent(renderer)
                _, lp_height, lp_descent = renderer.get_text_width_height_descent(
                    "lp", text.get_fontproperties(), ismath=False
                )
                descent = -box.y0
                top = max(lp_height - lp_descent, box.height - descent)  # above the baseline
                rows.append((width + HANDLE_TEXT_PAD * em + box.width, -descent, top))
            # the entries in columns, the first ones one longer (as numpy's array_split
            # splits), each entry under the last; the columns side by side
            count, ncols = len(rows), self.ncols
            sizes = [count // ncols + (1 if c < count % ncols else 0) for c in range(ncols)]
            columns = [range(sum(sizes[:c]), sum(sizes[: c + 1])) for c in range(ncols)]
            columns = [column for column in columns if column]
            line, gap = LABEL_SPACING * em, self.spacing * em
            at = [(0.0, 0.0)] * count
            x, low, high = 0.0, float("inf"), float("-inf")
            for column in columns:
                spans = [(min(0.0, rows[i][1]), max(height, rows[i][2])) for i in column]
                total = sum(top - bottom for bottom, top in spans) + line * (len(spans) - 1)
                down, first = 0.0, None
                for i, (bottom, top) in zip(column, spans, strict=True):
                    y = total - (down + top)
                    first = y if first is None else first
                    at[i] = (x, y - first)
                    down += top - bottom + line
                assert first is not None
                low, high = min(low, -first), max(high, total - first)
                x += max(rows[i][0] for i in column) + gap
            pad = BORDER_PAD * em
            box = Bbox.from_bounds(-pad, low - pad, x - gap + 2 * pad, high - low + 2 * pad)
            room = self.figure.bbox.padded(-BORDER_AXES_PAD * em)
            left, bottom = box.anchored("N", container=room).p0
            ox, oy = left - box.x0, bottom - box.y0
            return box.translated(ox, oy), [(ox + ex, oy + ey) for ex, ey in at]

        def get_window_extent(self, renderer: RendererBase | None = None) -> Bbox:
            if renderer is None:
                renderer = self.figure.canvas.get_renderer()  # type: ignore[attr-defined]
            return self._layout(renderer)[0]

        def draw(self, renderer: RendererBase) -> None:
            if not self.get_visible():
                return
            _, starts = self._layout(renderer)
            scale = _pixels(renderer)
            em = self.fontsize * scale
            renderer.open_group("legend", gid=self.get_gid())
            for (drawn, text), (x, y) in zip(self.entries, starts, strict=True):
                drawn.set_transform(Affine2D().scale(scale).translate(x, y))
                drawn.draw(renderer)
                text.set_position((x + (HANDLE_LENGTH + HANDLE_TEXT_PAD) * em, y))
                text.draw(renderer)
            renderer.close_group("legend")
            self.stale = False

    return Key
