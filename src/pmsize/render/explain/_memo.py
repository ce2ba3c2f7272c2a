"""What a memo is made of (`Memo`, its `Point`s and their `Bullet`s), and what every point
is written from (`Writer`): the problem as written, its evaluation, and the words the
points share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pmsize import _fmt as fmt

if TYPE_CHECKING:
    from pmsize._models import Problem
    from pmsize._results import Evaluation, Severity, Verdict


@dataclass(frozen=True)
class Bullet:
    """One item under a point; a flag's carries its severity, shown as ✗ or ! and colour."""

    text: str
    severity: Severity | None = None


@dataclass(frozen=True)
class Point:
    """One numbered point of the memo: a title, its sentences, and optional bullets or a table."""

    title: str
    text: str
    bullets: tuple[Bullet, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()  # header row first


@dataclass(frozen=True)
class Memo:
    """The explanation of one problem, ready to print in any format."""

    name: str
    description: str | None
    verdict: Verdict
    points: tuple[Point, ...] = field(default=())
    whatif: str | None = None  # what `--set` changed (`_messages.whatif_text`)


class Writer:
    """What the sentences about one evaluation read; each point is a function of it."""

    def __init__(self, problem: Problem, r: Evaluation) -> None:
        self.p, self.r = problem, r
        self.sol = r.solution_name  # as written, even at the start of a sentence ("iPhone")
        self.bound = r.binding

    def money(self, x: float | None, *, sign: bool = False) -> str:
        return fmt.money(x, self.r.currency, sign=sign)


def words(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
