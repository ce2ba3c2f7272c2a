"""The catalogue of a problem's inputs: each one once, with its path, kind and years.

Every part of pmsize that walks a problem's inputs reads this list: the engine takes
its numbers from it (`engine.Inputs.take`), sampling draws the ranged ones,
correlations check their pairs against them, and sensitivity moves them one at a time.
An input is a value the model reads:

- `path`: its name (SPEC §13, `paths`): `market.customers`,
  `alternatives[Fast follower].solves`, `solution.adoption[year 4]`;
- `value`: as the file gives it, a number or a `Range`;
- `kind`: amount, percent, count or growth, read from the field's declared type in
  `models` (its `values.Schema` name), never from its name;
- `years`: the first and last calendar year it applies to (an alternative's from its
  arrival; a per-year item to the next item, the last one to the horizon);
- `alternative`: the index of the alternative it belongs to, None for the problem's own.

A per-year list of one item is the field itself (`solution.adoption`); a longer one
is one input a year it lists (`solution.adoption[year 2]`), cut to the horizon.
Adding an input key means its field in `models` and its place in `problem_inputs` or
`alternative_inputs` here.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from pmsize import _paths as paths
from pmsize._values import Kind, Quantity, Range, Schema

if TYPE_CHECKING:
    from pydantic import BaseModel

    from pmsize._models._parts import Alternative, Market, Solution


class Parts(Protocol):
    """What the catalogue reads of a problem (a `Problem` is one): its parts and horizon.

    Named by what it reads rather than by `Problem`, so the catalogue sits below the
    model whose rules it serves (a `Problem` checks its correlations against it)."""

    @property
    def market(self) -> Market: ...
    @property
    def solution(self) -> Solution: ...
    @property
    def alternatives(self) -> tuple[Alternative, ...]: ...
    @property
    def horizon_years(self) -> int: ...
    @property
    def discount_rate(self) -> Quantity: ...


# the kind of each declared value type of `models` (its `Schema` name)
_KINDS: dict[str, Kind] = {
    "Amount": "amount",
    "AmountByYear": "amount",
    "Count": "count",
    "Percent": "percent",
    "PercentByYear": "percent",
    "Relief": "percent",
    "Rate": "percent",
    "Adoption": "percent",
    "Growth": "growth",
}


@dataclass(frozen=True, slots=True)
class Input:
    """One input of the model, as the catalogue lists it."""

    path: str
    value: Quantity
    kind: Kind
    years: tuple[int, int]
    field: str  # the field it is (of): `solution.adoption` for its years' items, `solves`
    alternative: int | None = None

    @property
    def ranged(self) -> bool:
        return isinstance(self.value, Range)


@functools.cache
def kind_of(model: type[BaseModel], field: str) -> Kind:
    """The kind of a model's field, from its declared type (`Amount`, `Percent`, ...)."""
    for name in _schema_names(model.model_fields[field].annotation, model.model_fields[field]):
        if name in _KINDS:
            return _KINDS[name]
    raise LookupError(f"{model.__name__}.{field} holds no input of the model")


def _schema_names(annotation: Any, info: Any = None) -> Iterator[str]:
    """The `Schema` names in a field's metadata and its (optional) annotation."""
    for meta in getattr(info, "metadata", ()):
        if isinstance(meta, Schema):
            yield meta.name
    if typing.get_origin(annotation) is Annotated:
        yield from (m.name for m in annotation.__metadata__ if isinstance(m, Schema))
    elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _schema_names(arg)


def problem_inputs(problem: Parts) -> list[Input]:
    """The problem's own inputs (all but its alternatives'): the problem's cost, adoption,
    then the rest in the file's order. (The order sets which input is which row of the
    copula's factor, so it stays as it was when sampled results were first published.)"""
    solution, horizon = problem.solution, problem.horizon_years
    every = (1, horizon)
    found: list[Input] = []

    def add(part: str, field: str) -> None:
        owner: BaseModel = problem if part == "" else getattr(problem, part)  # type: ignore[assignment]
        value = getattr(owner, field)
        if value is not None:
            path = f"{part}.{field}" if part else field
            found.append(Input(path, value, kind_of(type(owner), field), every, path))

    for field in ("problem_cost", "revenue", "problem_share"):
        add("market", field)
    adoption = kind_of(type(solution), "adoption")
    found += _yearly(solution.adoption, adoption, horizon, 1, paths.fixed, "solution.adoption")
    add("", "discount_rate")
    for field in ("customers", "growth"):
        add("market", field)
    for field in ("solves", "build_cost", "annual_cost", "cost_per_customer", "price"):
        add("solution", field)
    return found


def alternative_inputs(problem: Parts, index: int) -> list[Input]:
    """One alternative's inputs: its annual cost, one-time cost and relief, each one value
    or one a year from its arrival."""
    alternative = problem.alternatives[index]
    found: list[Input] = []
    for field in ("annual_cost", "one_time_cost", "solves"):
        given = getattr(alternative, field)
        items = given if isinstance(given, tuple) else (given,)
        found += _yearly(
            items,
            kind_of(type(alternative), field),
            problem.horizon_years,
            alternative.from_year,
            functools.partial(paths.of_alternative, alternative.name),
            field,
            index,
        )
    return found


def _yearly(
    items: tuple[Quantity, ...],
    kind: Kind,
    horizon: int,
    first: int,
    path_of: Any,
    field: str,
    alternative: int | None = None,
) -> list[Input]:
    """A field's inputs: itself when it is one value, else one a year from `first`, each
    to the next item's year (the last to the horizon), the list cut to the horizon."""
    last = max(horizon, first)
    if len(items) == 1:
        return [Input(path_of(field), items[0], kind, (first, last), field, alternative)]
    kept = items[: max(1, horizon - first + 1)]
    return [
        Input(
            path_of(field, first + i),
            item,
            kind,
            (first + i, first + i if i < len(kept) - 1 else last),
            field,
            alternative,
        )
        for i, item in enumerate(kept)
    ]


def catalogue(problem: Parts) -> list[Input]:
    """Every input of the problem, its own first, then each alternative's in turn."""
    found = problem_inputs(problem)
    for index in range(len(problem.alternatives)):
        found += alternative_inputs(problem, index)
    return found


__all__ = [
    "Input",
    "Parts",
    "alternative_inputs",
    "catalogue",
    "kind_of",
    "problem_inputs",
]
