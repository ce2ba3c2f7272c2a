"""The name of every input: its path (SPEC §13), read and written one way.

```
discount_rate   horizon_years
market.customers  market.growth  market.problem_cost  market.revenue  market.problem_share
solution.build_cost  solution.annual_cost  solution.cost_per_customer  solution.solves
solution.price  solution.adoption
alternatives[NAME]                      the whole alternative
alternatives[NAME].annual_cost          .one_time_cost  .solves  .from_year  .kind
solution.adoption[year 4]               one item of a per-year list, by calendar year
alternatives[NAME].solves[year 3]       (year 3 of the horizon, whatever the from_year)
scenarios[NAME]                         a scenario (SPEC §14): diff's name for it, not an input
```

A path is read from the right, so an alternative's name may hold dots and brackets
(`alternatives[v2.0 [beta]].solves` names `v2.0 [beta]`). Names are matched ignoring
case (`Path.key`). A scenario is a set of values, not an input of the model: `parse`
refuses `scenarios[NAME]` (`ScenarioPathError`, so `--set`, a scenario's `set:` and
`correlations:` never take it) unless asked for it (`scenario=True`).

The forms before SPEC §13 (`solution.adoption[3]` for the fourth item,
`alternatives[0].solves` for the first alternative) are refused with the new path in
the hint: `parse` knows the adoption's year; `Paths.hint` (given the problem) knows an
alternative's name and arrival.

Standard library only: the loader, the engine and every renderer read it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

TOP = ("discount_rate", "horizon_years")
MARKET = ("customers", "growth", "problem_cost", "revenue", "problem_share")
SOLUTION = (
    "build_cost",
    "annual_cost",
    "cost_per_customer",
    "solves",
    "price",
    "adoption",
)
ALTERNATIVE = ("annual_cost", "one_time_cost", "solves", "from_year", "kind")
# the fields that may be a list, one value a year (SPEC §2, §7): the problem's, an alternative's
PER_YEAR = frozenset({"solution.adoption"})
ALTERNATIVE_PER_YEAR = frozenset({"annual_cost", "one_time_cost", "solves"})
FIXED = (*TOP, *(f"market.{f}" for f in MARKET), *(f"solution.{f}" for f in SOLUTION))

_YEAR = re.compile(r"\[\s*year\s+([0-9]{1,4})\s*\]\Z", re.IGNORECASE)
_INDEX = re.compile(r"\[\s*([0-9]{1,4})\s*\]\Z")
_OPEN = "alternatives["
_SCENARIO = "scenarios["
MAX_PATH = 500  # characters read of a path; a longer one is refused, not scanned
# what names one input however a path writes it: (field, alternative's name casefolded, year)
Key = tuple[str, str | None, int | None]


class PathError(ValueError):
    """A path that names no input, with what to write instead."""


class OldPathError(PathError):
    """A path in a form from before SPEC §13 (a list item by its index), with the new one."""


class ScenarioPathError(PathError):
    """A scenario's path where an input of the model is wanted: a scenario is not set."""


@dataclass(frozen=True, slots=True)
class Path:
    """One input's name: a fixed field (`market.customers`), or a field of the alternative
    named `alternative` (`solves`; "" for the whole alternative); `year`, a calendar year
    of a per-year list (None for the whole field). A scenario's path has only `scenario`,
    its name (`field` "")."""

    field: str
    alternative: str | None = None
    year: int | None = None
    scenario: str | None = None

    def __str__(self) -> str:
        if self.scenario is not None:
            return f"{_SCENARIO}{self.scenario}]"
        if self.alternative is None:
            base = self.field
        else:
            base = f"{_OPEN}{self.alternative}]" + (f".{self.field}" if self.field else "")
        return base if self.year is None else f"{base}[year {self.year}]"

    @property
    def key(self) -> Key:
        """What two paths that name the same input share: the name ignoring case."""
        if self.scenario is not None:  # no field is named `scenarios`, so no input shares it
            return "scenarios", self.scenario.strip().casefold(), None
        name = None if self.alternative is None else self.alternative.strip().casefold()
        return self.field, name, self.year


def fixed(field: str, year: int | None = None) -> str:
    """The path of a fixed field, or of one year's item of it."""
    return str(Path(field, None, year))


def of_alternative(name: str, field: str = "", year: int | None = None) -> str:
    """The path of an alternative (`field` ""), of one of its fields, or of one year's item."""
    return str(Path(field, name, year))


def of_scenario(name: str) -> str:
    """The path of a scenario: `scenarios[slow uptake]`."""
    return str(Path("", scenario=name))


def parse(text: str, *, scenario: bool = False) -> Path:
    """The input `text` names, read from the right; `PathError` with a hint if none.

    A scenario's path (`scenarios[NAME]`) is read only with `scenario=True`; otherwise it
    is refused with `ScenarioPathError`, as a scenario is no input a value is written at."""
    if len(text) > MAX_PATH:
        raise PathError(f"a path of {len(text):,} characters names no input")
    body = text.strip()
    year = None
    if match := _YEAR.search(body):
        year = int(match.group(1))
        body = body[: match.start()].rstrip()
    elif (match := _INDEX.search(body)) and _per_year(body[: match.start()]):
        item = int(match.group(1))
        whole = body[: match.start()]
        if whole == "solution.adoption":
            hint = f"solution.adoption[year {item + 1}]"
        else:
            hint = f"{whole}[year N], N the calendar year (item 1 is the year it arrives)"
        raise OldPathError(
            f"{text.strip()} counts list items from 0; name the calendar year instead: {hint}"
        )
    path = _parse_body(body, text)
    if path.scenario is not None:
        if year is not None:
            raise PathError(f"{text.strip()[:100]}: a scenario has no year's item; write {path}")
        if not scenario:
            raise ScenarioPathError(
                f"{text.strip()[:100]} names a scenario, not an input: a scenario is a set "
                "of values written under `scenarios:`; name an input instead (docs/paths.md)"
            )
        return path
    if year is not None:
        if not _per_year_field(path):
            raise PathError(f"{text.strip()}: only a per-year list has a year's item; write {path}")
        if year < 1:
            raise PathError(f"{text.strip()}: years count from 1; write {path}[year 1]")
        path = Path(path.field, path.alternative, year)
    return path


def _parse_body(body: str, text: str) -> Path:
    if body in FIXED:
        return Path(body)
    if body.startswith(_SCENARIO) and body.endswith("]") and len(body) > len(_SCENARIO) + 1:
        return Path("", scenario=body[len(_SCENARIO) : -1])
    if body.startswith(_OPEN) and body.endswith("]") and len(body) > len(_OPEN) + 1:
        return Path("", body[len(_OPEN) : -1])
    if body.startswith(_OPEN):
        for field in ALTERNATIVE:
            tail = f"].{field}"
            if body.endswith(tail) and len(body) > len(_OPEN) + len(tail):
                return Path(field, body[len(_OPEN) : -len(tail)])
    known = [*FIXED, *(f"alternatives[NAME].{f}" for f in ALTERNATIVE), "alternatives[NAME]"]
    close = difflib.get_close_matches(body, known, n=1, cutoff=0.75)
    hint = f"did you mean {close[0]}?" if close else "see the paths in docs/paths.md"
    raise PathError(f"{text.strip()[:100]} names no input; {hint}")


def _per_year(body: str) -> bool:
    try:
        return _per_year_field(_parse_body(body, body))
    except PathError:
        return False


def _per_year_field(path: Path) -> bool:
    return path.field in (PER_YEAR if path.alternative is None else ALTERNATIVE_PER_YEAR)


__all__ = [
    "Key",
    "OldPathError",
    "Path",
    "PathError",
    "ScenarioPathError",
    "fixed",
    "of_alternative",
    "of_scenario",
    "parse",
]
