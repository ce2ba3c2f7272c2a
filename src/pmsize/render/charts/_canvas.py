"""Where a chart is measured and written, each text measured once a page.

matplotlib measures a text afresh for every new renderer, and by default makes one for
each layout of each figure and one more to write it: the same tick labels, names and
keys were measured again for every chart, a good part of the time a chart took. Here one
renderer measures every chart while it is laid out (`measured`), and the SVG writer keeps
what it measured from chart to chart (`svg`): the same measures as before, so the same
bytes. `svg` also draws the figure once, where `savefig` draws a figure that has a layout
engine a first time before writing it.
"""

from __future__ import annotations

import functools
import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_made: dict[str, Any] = {}


def measured(figure: Figure) -> None:
    """Give `figure` a canvas whose renderer, for layout and measuring, is the one every
    chart shares (at the charts' 72 dpi; its size plays no part in a measure)."""
    if "canvas" not in _made:
        from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

        renderer = RendererAgg(1, 1, 72)  # type: ignore[no-untyped-call]

        class Canvas(FigureCanvasAgg):
            def get_renderer(self) -> RendererAgg:
                return renderer

        _made["canvas"] = Canvas
    _made["canvas"](figure)


def svg(figure: Figure, metadata: dict[str, str | None]) -> str:
    """The figure as matplotlib's SVG document, drawn once, as it is laid out (at 72 dpi,
    as `FigureCanvasSVG.print_svg` draws it)."""
    if "renderer" not in _made:
        from matplotlib.backends.backend_svg import RendererSVG
        from matplotlib.textpath import TextToPath

        text_to_path = TextToPath()

        @functools.lru_cache(maxsize=4096)
        def extent(text: str, font: Any, ismath: Any) -> tuple[float, float, float]:
            return text_to_path.get_text_width_height_descent(text, font, ismath)

        class Renderer(RendererSVG):
            def get_text_width_height_descent(
                self, s: str, prop: Any, ismath: Any
            ) -> tuple[float, float, float]:
                return extent(s, prop.copy(), ismath)  # a copy: a font's hash follows its state

        _made["renderer"] = Renderer
    buffer = io.StringIO()
    width, height = figure.get_size_inches() * 72
    renderer = _made["renderer"](width, height, buffer, image_dpi=72, metadata=metadata)
    figure.draw(renderer)
    renderer.finalize()
    return buffer.getvalue()
