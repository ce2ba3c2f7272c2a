"""The look every chart shares: the palette, the sizes, the matplotlib settings it is drawn
with (`RC`), and how its figures and names are written.

Each chart is drawn for a phone and shown as large as the page lets it: `WIDTH` inches
(360 units of the SVG's view box) with every text `TEXT` points, so on a 400 px screen
a chart is about 360 px wide and its smallest text about 10 px; a wide screen sets two
side by side (report.css). The fills are the Okabe–Ito palette, told apart with colour
vision deficiency; the ink colour (text, axes, the cumulative line) becomes
`currentColor` in the page (`_svg`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmsize import _fmt as fmt

if TYPE_CHECKING:
    from pmsize._drivers import BarKind

# Okabe & Ito (2008), "Color Universal Design": safe for every common colour vision deficiency.
ORANGE, SKY_BLUE, GREEN, YELLOW = "#E69F00", "#56B4E9", "#009E73", "#F0E442"
BLUE, VERMILLION, PURPLE = "#0072B2", "#D55E00", "#CC79A7"
INK = "#010203"  # drawn as this, written as `currentColor` (the page's text colour)
WIDTH = 5.0  # inches: 360 units of view box, about 1:1 on a 400 px phone (report.css)
TEXT = 10  # points: every text in a chart, ~10 px on that phone and more on a wider screen
MAX_BARS = 30  # problems a portfolio chart shows (the first by rank); the table has them all
# A chart of bars a row (the portfolio, the tornado) stacks bands: a row's name on a line
# of its own, its bars under it, each in a slot tall enough for its value label. In inches.
NAME_LINE, SLOT, BAR, BAND_GAP = 0.2, 0.19, 0.14, 0.1
BANDS_ROOM = 1.3  # inches the legend, the axis and its label take above and below the bands
RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "text.parse_math": False,
    "axes.unicode_minus": True,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib: measured the same everywhere
    "font.size": TEXT,
    "legend.fontsize": TEXT,
    "xtick.labelsize": TEXT,
    "ytick.labelsize": TEXT,
    "axes.labelsize": TEXT,
    "text.color": INK,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.titlecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.facecolor": "none",
    "figure.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.edgecolor": "none",
    "legend.frameon": False,
    "legend.handlelength": 1.5,
    "legend.columnspacing": 1.2,
}


def money(x: float | None, currency: str) -> str:
    return fmt.money(x, currency)


def value_text(value: float | str | None, kind: BarKind, currency: str) -> str:
    """An input's value as the file would write it; a scenario (a tornado's) by its name."""
    if value is None:
        return "n/a"
    if isinstance(value, str) or kind == "scenario":
        return fmt.safe_text(str(value))
    return fmt.quantity(value, kind, currency)


def name_text(name: str) -> str:
    return fmt.safe_text(name)
