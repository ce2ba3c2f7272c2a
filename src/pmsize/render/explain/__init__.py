"""`pmsize explain`: the reasoning for a problem as a product manager's memo.

`memo()` writes the argument once, as numbered points of plain sentences, in
the order it would be presented: the problem, what our solution is worth,
what customers can do instead, which alternative binds, the price, the cash
flows year by year, the returns beside the naive pitch, each flag with what
would clear it, the ranged inputs, and the verdict. Every figure is an input,
an engine result, or shown with the arithmetic that makes it: the memo is written
from an `Evaluation` the library computed, and computes no figure of the model
itself (those are `Evaluation` methods over the engine's formulas; a flag's
message and what would clear it are `messages`). Then `render()` prints the memo
with Rich (file text is always `Text`, never markup) and `markdown()` writes it as
plain markdown with file text escaped. Each job has its module:

    _memo        what a memo is made of, and what its points are written from
    _price       the points from the problem to the price
    _returns     the points from the cash flows to the verdict
    _terminal    a memo for a terminal (Rich)
    _markdown    a memo as markdown
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pmsize._messages import whatif_text
from pmsize.render.explain import _price, _returns
from pmsize.render.explain._markdown import escape_markdown, markdown
from pmsize.render.explain._memo import Bullet, Memo, Point, Writer
from pmsize.render.explain._price import SHOWN_ALTERNATIVES, nearest_alternatives
from pmsize.render.explain._returns import CASH_FLOW_HEADERS
from pmsize.render.explain._terminal import memo_renderable, render

if TYPE_CHECKING:
    from pmsize._models import Problem
    from pmsize._results import Evaluation


def memos(problems: Iterable[Problem], results: Iterable[Evaluation]) -> list[Memo]:
    """A memo for each problem beside its evaluation (`pmsize.evaluate`)."""
    return [memo(problem, r) for problem, r in zip(problems, results, strict=True)]


def memo(problem: Problem, r: Evaluation) -> Memo:
    """The argument for one problem's verdict, point by point.

    `r` is the problem's evaluation; the memo reads the problem only for its inputs as
    written (the adoption shares, the running costs).
    """
    w = Writer(problem, r)
    points = (
        _price.problem(w),
        _price.worth(w),
        _price.instead(w),
        _price.ceiling(w),
        *((_price.over_time(w),) if r.ceiling_moves else ()),
        _price.price(w),
        _returns.cash_flows(w),
        _returns.returns(w),
        _returns.flags(w),
        *((_returns.ranges(w),) if r.uncertain else ()),
        *((_returns.correlated(w),) if problem.correlations else ()),
        *((_returns.scenarios(w),) if r.scenarios else ()),
        _returns.verdict(w),
    )
    return Memo(r.name, r.description, r.verdict, points, whatif_text([r]))


__all__ = [
    "CASH_FLOW_HEADERS",
    "SHOWN_ALTERNATIVES",
    "Bullet",
    "Memo",
    "Point",
    "escape_markdown",
    "markdown",
    "memo",
    "memo_renderable",
    "memos",
    "nearest_alternatives",
    "render",
]
