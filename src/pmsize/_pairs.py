"""The `correlations:` block as written (docs/uncertainty.md): each key `A ~ B` read as two
input paths, each coefficient a plain number strictly between -1 and 1, no pair twice.

`parse` knows nothing of a problem: `_correlations.check` judges the pairs against a
problem's inputs, and `_correlations.copula` samples them. Kept apart so the models,
which hold the parsed pairs, sit below the catalogue that checking reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pmsize import _paths as paths

EXAMPLE = "market.problem_cost ~ solution.solves: 0.6"
# `A ~ B`: two paths (SPEC §13), which may hold spaces (`solution.adoption[year 3]`)
_PAIR = re.compile(r"^\s*([^~]*[^\s~])\s*~\s*([^\s~][^~]*?)\s*$")
_NUMBER = re.compile(r"^\s*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*$")


@dataclass(frozen=True)
class Correlation:
    """Two ranged inputs, named by path, and Spearman's rank correlation between them."""

    a: str
    b: str
    coefficient: float
    # the key as written in the file (`a ~ b`), to point at it; not part of the value
    key: str = field(default="", compare=False, repr=False)

    @property
    def normal(self) -> float:
        """The copula's normal correlation: 2 sin(pi rho / 6)."""
        return 2 * math.sin(math.pi * self.coefficient / 6)

    def to_dict(self) -> dict[str, Any]:
        """`{a, b, coefficient}`, as the JSON `simulation` echoes it."""
        return {"a": self.a, "b": self.b, "coefficient": self.coefficient}

    def __str__(self) -> str:
        return f"{self.a} ~ {self.b}: {self.coefficient:g}"


class CorrelationError(ValueError):
    """Every error found in a `correlations:` block, each with the key it is about (None:
    the block itself); the loader locates each at its key."""

    def __init__(
        self, problems: Sequence[tuple[str | None, str]], *, of_problem: bool = False
    ) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = tuple(problems)
        # found by judging the pairs against one problem's ranges (`check`), not as written
        self.of_problem = of_problem


def parse(raw: object) -> tuple[Correlation, ...]:
    """The pairs of a `correlations:` mapping (`A ~ B: coefficient`), in file order.

    Raises `CorrelationError` with every key that is not `A ~ B`, pairs an input with
    itself, repeats a pair (in either order) or has a coefficient that is not a number
    in (-1, 1).
    """
    if raw is None:  # `correlations:` with every pair commented out
        return ()
    if isinstance(raw, Correlation):
        raw = (raw,)
    if (
        isinstance(raw, Sequence)
        and not isinstance(raw, str)
        and all(isinstance(item, Correlation) for item in raw)
    ):  # built in code
        raw = {item.key or f"{item.a} ~ {item.b}": item.coefficient for item in raw}
    if not isinstance(raw, Mapping):
        raise CorrelationError(
            [(None, f"expected a mapping of pairs, one a line, such as `{EXAMPLE}`")]
        )
    found: list[Correlation] = []
    problems: list[tuple[str | None, str]] = []
    seen: dict[frozenset[paths.Key], str] = {}
    for key, value in raw.items():
        text = str(key)
        pair = _PAIR.match(text) if isinstance(key, str) else None
        if pair is None:
            problems.append(
                (
                    text,
                    f"{_shown(text)} is not a pair of inputs; write `A ~ B: coefficient`, "
                    f"such as `{EXAMPLE}`",
                )
            )
            continue
        try:
            a, b = (path_of(text) for text in pair.groups())
        except (paths.OldPathError, paths.ScenarioPathError) as exc:
            problems.append((text, str(exc)))
            continue
        if a.key == b.key:
            problems.append((text, f"pairs {a} with itself; name two different inputs"))
            continue
        try:
            coefficient = _coefficient(value)
        except ValueError as exc:
            problems.append((text, f"{a} ~ {b}: {exc}"))
            continue
        first = seen.setdefault(frozenset((a.key, b.key)), text)
        if first != text:
            problems.append(
                (
                    text,
                    f"{a} ~ {b} pairs the same inputs as `{first.strip()}` above; "
                    "list each pair once",
                )
            )
            continue
        found.append(Correlation(str(a), str(b), coefficient, text))
    if problems:
        raise CorrelationError(problems)
    return tuple(found)


def path_of(text: str) -> paths.Path:
    """One side of a pair as a path; a text that names no input is kept as written
    (`_correlations.check` says so, beside the problem's ranged inputs), but an old form
    or a scenario's path is refused here."""
    try:
        return paths.parse(text)
    except (paths.OldPathError, paths.ScenarioPathError):
        raise
    except paths.PathError:
        return paths.Path(text.strip())


def _shown(text: str) -> str:
    return f"`{text[:80]}…`" if len(text) > 80 else f"`{text}`"


def _coefficient(raw: object) -> float:
    """A rank correlation strictly between -1 and 1, written as a plain number."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError("the coefficient is not a number; write one between -1 and 1, such as 0.6")
    if isinstance(raw, str):
        text = raw.strip()
        if text.endswith("%"):
            raise ValueError(
                f"{text} is a percent; a correlation is a number between -1 and 1, such as 0.6"
            )
        if not _NUMBER.match(text[:100]):
            raise ValueError(
                f"{_shown(text)} is not a number; write a coefficient between -1 and 1, such as 0.6"
            )
        raw = float(text)
    value = float(raw)
    if not -1 < value < 1:
        raise ValueError(
            f"{value:g} is outside (-1, 1); a rank correlation lies strictly between -1 and "
            "1 (at ±1 the two inputs would be one), such as 0.6"
        )
    return value


__all__ = ["EXAMPLE", "Correlation", "CorrelationError", "parse", "path_of"]
