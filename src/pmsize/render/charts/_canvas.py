"""Where a chart is measured and written, each text measured once a page.

matplotlib measures a text afresh for every new renderer, and by default makes one for
each layout of each figure and one more to write it: the same tick labels, names and
keys were measured again for every chart, a good part of the time a chart took. Here one
renderer measures every chart while it is laid out (`measured`), and the SVG writer keeps
what it measured from chart to chart (`svg`): the same measures as before, so the same
bytes. `svg` also draws the figure once, where `savefig` draws a figure that has a layout
engine a first time before writing it.

Both renderers also give a font's height metrics (`_get_font_height_metrics`, which
matplotlib 3.11 asks a renderer for before it reads the font's tables itself, for every
text each time it is laid out): the same figures, read once a font (`_height_metrics`).
A matplotlib that does not ask is unaffected.
"""

from __future__ import annotations

import functools
import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_made: dict[str, Any] = {}


@functools.lru_cache(maxsize=64)
def _height_metrics(prop: Any) -> tuple[float | None, float | None, float]:
    """A font's ascent, descent and line gap in points, as matplotlib's `Text._get_layout`
    reads them from the font's tables when its renderer gives none (at 72 dpi, the
    charts' own: a point is a pixel)."""
    from matplotlib.font_manager import fontManager, get_font

    font: Any = get_font(fontManager._find_fonts_by_props(prop))  # its tables, as read
    for table_name, line_gap, ascent, descent in (
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points()
        return table[ascent] * scale, -table[descent] * scale, table[line_gap] * scale
    return None, None, 0.0  # matplotlib then measures "lp", as it does without tables


class _FontHeights:
    """What both renderers add: a font's height metrics, read once a font."""

    def _get_font_height_metrics(self, prop: Any) -> tuple[float | None, float | None, float]:
        return _height_metrics(prop.copy())  # a copy: a font's hash follows its state


def measured(figure: Figure) -> None:
    """Give `figure` a canvas whose renderer, for layout and measuring, is the one every
    chart shares (at the charts' 72 dpi; its size plays no part in a measure)."""
    if "canvas" not in _made:
        from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

        class Measures(_FontHeights, RendererAgg):
            pass

        renderer = Measures(1, 1, 72)  # type: ignore[no-untyped-call]

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

        class Renderer(_FontHeights, RendererSVG):
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
