"""A validation error in words a person can act on: a field path and a message.

Pydantic's errors (and a rule's, or a correlation's) become (field path, message) pairs,
the same for a file (`_loader` then locates each at its line) and for a value changed in
code (`Problem.with_values`, which names the input instead of a line).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pmsize import _values as values
from pmsize._models._rules import AtKey, Loc, OfProblem, RuleError
from pmsize._pairs import CorrelationError

M = TypeVar("M", bound=BaseModel)


def validate(
    model: type[M], data: Any, context: dict[str, Any]
) -> tuple[M | None, list[tuple[Loc, str]]]:
    """`data` as a `model`, or None and every error found, each as (field path, message)."""
    try:
        return model.model_validate(data, context=context), []
    except ValidationError as exc:
        found: list[tuple[Loc, str]] = []
        for e in exc.errors(include_url=False):
            cause = (e.get("ctx") or {}).get("error")
            if isinstance(cause, CorrelationError):  # one per pair, each at its key
                at = ProblemPairKey if cause.of_problem else PairKey
                found += [(_at_pair(key, at), message) for key, message in cause.problems]
            elif isinstance(cause, RuleError):  # also found by `cross_checks`: once each
                found += cause.problems
            else:
                found.append((_loc_of(e), _message(model, e)))
        return None, found


def _at_pair(key: str | None, at: type[PairKey]) -> Loc:
    """Where a correlation error points: its pair's key, or the `correlations:` block."""
    return ("correlations",) if key is None else ("correlations", at(key))


class PairKey(AtKey):
    """A key of `correlations:` in a field path: located at the key itself, and left out
    of the path printed (the message names the pair)."""

    __slots__ = ()


class ProblemPairKey(PairKey, OfProblem):
    """A `PairKey` whose error comes from judging the pair against its problem's ranges."""

    __slots__ = ()


def _loc_of(error: Any) -> Loc:
    """The error's field path, with the index of a bad list item (`solution.adoption[2]`)."""
    loc = tuple(error["loc"])
    cause = (error.get("ctx") or {}).get("error")
    return (*loc, cause.index) if isinstance(cause, values.ItemError) else loc


def _message(model: type[BaseModel], error: Any) -> str:
    kind, loc = error["type"], tuple(error["loc"])
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "missing":
        return _REQUIRED.get(str(loc[-1]), "is required")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        if len(loc) == 1 and key in ("problems", "defaults"):
            return f"unknown key {key!r}; `defaults:` works only beside `problems:` in a portfolio"
        if key == "<<":
            return "merge keys (<<) are not allowed; share values with `defaults:` instead"
        return unknown_key(key, tuple(_model_at(model, loc[:-1]).model_fields))
    if kind in ("model_type", "model_attributes_type"):
        return "expected a mapping of keys (key: value)"
    if kind in ("tuple_type", "list_type"):
        return "expected a list (- item)"
    return str(error["msg"])


_REQUIRED = {
    "name": "is required; add `name:` with a short name for it",
    "market": "is required; add `market:` with customers and problem_cost",
    "solution": "is required; add `solution:` with at least `adoption:`",
    "customers": "is required; add `customers:`, how many organisations have the problem",
    "adoption": "is required; add `adoption:`, the share of customers paying each year (2%)",
}


def unknown_key(key: str, known: Iterable[str]) -> str:
    """The message for an unknown key: the known key it is close to, else every known key."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else f"; known keys: {', '.join(known)}"
    return f"unknown key {key!r}{hint}"


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel]:
    """The model class that holds the field at `loc` (skipping list indexes)."""
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            break
        inner = model_in(field.annotation)
        if inner is None:
            break
        current = inner
    return current


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class a field's annotation holds (`Alternative` in `tuple[Alternative,
    ...]`), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = model_in(arg)
        if found is not None:
            return found
    return None


__all__ = ["PairKey", "ProblemPairKey", "model_in", "unknown_key", "validate"]
