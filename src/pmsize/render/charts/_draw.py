"""One chart drawn: its sketch on a figure of its own, laid out, written as an SVG element.

A chart is asked for by its kind and its arguments (`SKETCHES`), and drawn as the
`number`th chart of its page, which gives it its ids (`c7-`) and the salt of its
clip-path ids: what it is drawn from is all there is to it, so a chart is the same bytes
whichever process draws it and whatever it drew before (`_processes`).
"""

from __future__ import annotations

import contextlib
import gc
import pickle
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from pmsize.render.charts import _portfolio, _problem
from pmsize.render.charts._canvas import measured
from pmsize.render.charts._layout import Sketch, settle
from pmsize.render.charts._setup import import_matplotlib
from pmsize.render.charts._style import RC, WIDTH
from pmsize.render.charts._svg import document, inline

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_blanks: dict[float, bytes] = {}  # a blank figure of each height, pickled (`_blank`)
_rc: dict[str, Any] = {}  # the settings every chart is drawn with (`_settings`)

SKETCHES: dict[str, Callable[..., Sketch]] = {
    "npv_gap": _portfolio.npv_gap,
    "value_ceiling": _portfolio.value_ceiling,
    "cash_flow": _problem.cash_flow,
    "ceiling_by_year": _problem.ceiling_by_year,
    "histogram": _problem.histogram,
    "tornado": _problem.tornado,
}


def draw(sketch: Sketch, number: int, inspect: Callable[[Figure], None] | None = None) -> str:
    """The sketch drawn as chart `number` of its page, on a figure its height tall, laid out
    and settled (`settle`) so that no text collides: its SVG element. `inspect` is given
    the figure once it is laid out, before it is written."""
    title, alt, height, plot = sketch
    prefix = f"c{number}-"
    mpl = import_matplotlib()
    with _collected_after(), warnings.catch_warnings(), mpl.rc_context():
        warnings.simplefilter("ignore")
        # matplotlib's own defaults and `RC`, whatever matplotlibrc it read, as they were
        # validated for the first chart; put back as `rc_context` puts them back
        dict.update(mpl.rcParams, _settings(mpl))
        mpl.rcParams["svg.hashsalt"] = f"pmsize-{prefix}"
        figure = _blank(height)
        measured(figure)
        [ax] = figure.axes
        settle(figure, ax, plot(ax))
        if inspect is not None:
            inspect(figure)
        svg = document(figure)
    return inline(svg, prefix, title, alt)


def _settings(mpl: Any) -> dict[str, Any]:
    """matplotlib's own defaults with `RC` over them, validated once a process (setting
    them afresh, some 300 of them, took a twentieth of a chart's time)."""
    if not _rc:
        with mpl.rc_context():
            mpl.rcdefaults()
            mpl.rcParams.update(RC)
            # read as `rc_context` reads them: reading "backend" through `rcParams` picks
            # a GUI backend, importing pyplot
            _rc.update(dict.items(mpl.rcParams))
    return _rc


@contextlib.contextmanager
def _collected_after() -> Iterator[None]:
    """No garbage collection while a chart is drawn, one of the youngest objects after.

    A figure makes tens of thousands of objects, many in reference cycles (artists and
    their transforms), so the collector ran many times a chart, each pass walking objects
    that live for the whole run: about a fifth of a chart's time. Every object the chart
    made is still young at its end, so one pass over the youngest frees the figure.
    Collection is left as it was found (a caller may have turned it off)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def _blank(height: float) -> Figure:
    """A new figure `height` inches tall with its one (empty) axes, for a chart drawn from
    `RC`: a copy of the first such figure, kept pickled (unpickled, it takes a quarter
    of the time making a figure and its axes takes)."""
    if height not in _blanks:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(WIDTH, height), dpi=72)
        figure.add_subplot()
        _blanks[height] = pickle.dumps(figure)
    blank: Figure = pickle.loads(_blanks[height])
    return blank


def drawn(kind: str, args: tuple[Any, ...], number: int) -> str:
    """Chart `number` of its page, of `kind` (a key of `SKETCHES`) drawn from `args`."""
    return draw(SKETCHES[kind](*args), number)
