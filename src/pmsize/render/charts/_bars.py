"""Bars, made as matplotlib's `Axes.bar` and `Axes.barh` make them, at a fraction of the cost.

`Axes.bar` adds each bar to the axes' data limits by itself, finding the extremes of its
outline curve by curve: a sixth of the time a chart took, for rectangles whose corners
are their extremes. `add_bars` makes the same rectangles (each in its colour, with no edge,
resting on its base for the autoscaling, `_nolegend_`), gathers them in a `BarContainer`
as `Axes.bar` does (what the key and `bar_label` read), and adds their corners to the
data limits in one update: the same limits, so the same view and the same drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer


def add_bars(
    ax: Axes,
    at: Sequence[float] | float,
    lengths: Sequence[float] | float,
    thickness: float,
    color: Any,
    *,
    horizontal: bool = False,
    base: float = 0.0,
    centred: bool = True,
    label: str = "_nolegend_",
    linewidth: float | None = None,
) -> BarContainer:
    """Bars at `at` (x for upright bars, y for `horizontal` ones), `lengths` long from
    `base`, `thickness` across (centred on `at`, or starting there), in `color` (one, or
    one a bar), labelled `label` as a whole; as `ax.bar(at, lengths, thickness, base,
    color=..., label=..., linewidth=...)` or `ax.barh(...)` would make them."""
    import numpy as np
    from matplotlib.colors import to_rgba_array
    from matplotlib.container import BarContainer
    from matplotlib.patches import Rectangle

    places, sizes, across, starts = np.broadcast_arrays(np.atleast_1d(at), lengths, thickness, base)
    faces = to_rgba_array(color)
    first = places - across / 2 if centred else places
    patches = []
    corners = []
    for i, (place, size, wide, start) in enumerate(zip(first, sizes, across, starts, strict=True)):
        x, y, width, height = (
            (start, place, size, wide) if horizontal else (place, start, wide, size)
        )
        patch = Rectangle(
            xy=(x, y),
            width=width,
            height=height,
            facecolor=faces[i % len(faces)],
            edgecolor=None,
            linewidth=linewidth,
            label="_nolegend_",
        )
        (patch.sticky_edges.x if horizontal else patch.sticky_edges.y).append(start)
        ax.add_artist(patch)  # its limits go in with the others', below
        patches.append(patch)
        corners += [(x, y), (x + width, y + height)]
    if corners:
        ax.update_datalim(corners)
        ax.autoscale_view()  # as `Axes.bar` asks; artists added later ask again
    container = BarContainer(
        patches,
        None,
        datavalues=sizes,
        orientation="horizontal" if horizontal else "vertical",
        label=label,
    )
    ax.add_container(container)
    return container
