"""What a notebook shows of a result: the command's own output, as HTML and as markdown.

Jupyter shows the value of a cell by calling its `_repr_html_` (preferred) or
`_repr_markdown_`. `Evaluation`, `Simulated`, `Plan` and `Diff` ask `pmsize._display`,
where this module registers the functions here when imported (`pmsize._api` imports
it). They draw exactly what `pmsize evaluate`, `simulate`, `sensitivity`, `plan` and
`diff` print at 80 columns (the width of a file), so a notebook and a terminal agree
to the character.
The HTML is Rich's record of that output, every character escaped by Rich, in a
`<pre>`; the markdown is `--format markdown`'s document, escaped as it always is.

Rich is imported only when a notebook asks for a drawing, so `import pmsize` stays free
of it.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from pmsize._diffing import Diff
    from pmsize._planned import Plan
    from pmsize._results import Evaluation
    from pmsize._simulated import Simulated

WIDTH = 80  # what `--output FILE` gets: the same lines as the README shows
_PRE = (
    "<pre style=\"font-family: Menlo, 'DejaVu Sans Mono', Consolas, monospace; "
    'line-height: 1.3; white-space: pre">{code}</pre>'
)


def _drawn(draw: Callable[[Console], None]) -> str:
    """What `draw` prints on an 80-column terminal, as HTML with inline styles.

    The renderers print through a capture (to trim Rich's padding), which Rich does not
    record, so the terminal's text is drawn first and read back from its escape codes
    (only pmsize's own: text from a file has its control characters escaped)."""
    from rich.console import Console
    from rich.text import Text

    def console(file: io.StringIO, *, record: bool = False) -> Console:  # records fit: no wrap
        return Console(
            file=file,
            record=record,
            width=WIDTH,
            force_terminal=True,  # a verdict's colour kept, as a terminal shows it
            color_system="standard",
            highlight=False,
            emoji=False,
            markup=False,
            soft_wrap=record,
        )

    terminal = io.StringIO()
    draw(console(terminal))
    recorder = console(io.StringIO(), record=True)
    lines = Text.from_ansi(terminal.getvalue().rstrip("\n")).split("\n", allow_blank=True)
    for line in lines:
        line.rstrip()  # a styled row's padding sits between escape codes, past the trim
    recorder.print(Text("\n").join(lines), end="")
    return recorder.export_html(inline_styles=True, code_format=_PRE)


def evaluation_html(result: Evaluation) -> str:
    """The block `pmsize evaluate` prints for one problem."""
    from pmsize.render import table

    return _drawn(lambda console: table.render(console, [result]))


def evaluation_markdown(result: Evaluation) -> str:
    """`pmsize evaluate --format markdown` of one problem."""
    from pmsize.render import markdown

    return markdown.document([result])


def plan_html(plan: Plan) -> str:
    """What `pmsize plan` prints: the headline, the funded problems, the rest in sentences."""
    from pmsize.render import plan as render

    return _drawn(lambda console: render.render(console, plan))


def plan_markdown(plan: Plan) -> str:
    """`pmsize plan --format markdown`."""
    from pmsize.render import plan as render

    return render.markdown_document(plan)


def simulated_html(result: Simulated) -> str:
    """What `pmsize simulate` prints for the problem, or `pmsize sensitivity` when the
    result holds the sensitivity."""
    from pmsize.render import simulate as render

    if result.sensitivity is not None:
        return _drawn(lambda console: render.render_sensitivities(console, [result]))
    return _drawn(lambda console: render.render_simulations(console, [result]))


def diff_html(diff: Diff) -> str:
    """What `pmsize diff` prints, in a `<pre>` (its text is plain: no styles to keep)."""
    from pmsize.render import diff as render

    return _PRE.format(code=html.escape(render.text(diff, WIDTH).rstrip("\n"), quote=False))


def diff_markdown(diff: Diff) -> str:
    """`pmsize diff --format markdown`."""
    from pmsize.render import diff as render

    return render.markdown(diff)


__all__ = [
    "WIDTH",
    "diff_html",
    "diff_markdown",
    "evaluation_html",
    "evaluation_markdown",
    "plan_html",
    "plan_markdown",
    "simulated_html",
]


def _register() -> None:
    from pmsize import _display

    _display.register(
        "pmsize._results.Evaluation", html=evaluation_html, markdown=evaluation_markdown
    )
    _display.register("pmsize._simulated.Simulated", html=simulated_html)
    _display.register("pmsize._planned.Plan", html=plan_html, markdown=plan_markdown)
    _display.register("pmsize._diffing.Diff", html=diff_html, markdown=diff_markdown)


_register()
