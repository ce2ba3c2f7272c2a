"""A drawn figure as an SVG element of the HTML page, the same bytes for the same input.

- text stays text (`svg.fonttype: none` in `RC`), so it is sharp, searchable and
  readable by a screen reader; math text is off, so a name with `$` in it is only a name;
- no creation date, and `svg.hashsalt` fixed per chart, so clip-path and marker ids are
  stable; those ids are prefixed with the chart's own id (several charts share one
  page), and ids nothing refers to are dropped;
- the ink colour becomes `currentColor`, so the page's colour (dark mode) is the
  charts' too; the background is transparent.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from pmsize.render.charts._canvas import svg
from pmsize.render.charts._style import INK

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def document(figure: Figure) -> str:
    """The figure as matplotlib's SVG document, with no date and no creator."""
    return svg(figure, metadata={"Date": None, "Creator": None})


_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SIZE = re.compile(r' (?:width|height)="[^"]*"')
_ID = re.compile(r' id="([^"]*)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^")]+)')


def inline(svg: str, prefix: str, title: str, alt: str) -> str:
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
