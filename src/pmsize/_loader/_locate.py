"""Validation errors located: each in words a person can act on, at its file:line:column.

A pydantic error (or a rule's, or a correlation's) becomes a field path and a
message; the path is mapped to where its value (or, for an unknown key, the key)
is written, from the places the YAML reader kept with the data. A file's errors
are told once each, in file order, the first `MAX_ERRORS` of them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pmsize import _values as values
from pmsize._errors import InputError, Location
from pmsize._loader._yaml import Map, Place, Seq, line_column
from pmsize._models import Loc, RuleError
from pmsize._pairs import CorrelationError

# errors told for one file: past this, one last located line counts the rest
MAX_ERRORS = 100
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


class PairKey(str):
    """A key of `correlations:` in a field path: located at the key itself, and left out
    of the path printed (the message names the pair)."""

    __slots__ = ()


class ProblemPairKey(PairKey):
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


def locate(root: Map, name: str, loc: Loc, message: str) -> InputError:
    """The error `message` about the field at `loc` of the file `name` (whose data is
    `root`), at its key for an unknown key or a correlation's pair, else at its value."""
    at_key = "unknown key" in message or (bool(loc) and isinstance(loc[-1], PairKey))
    line, column = line_column(_position(root, loc, key=at_key))
    shown = loc[:-1] if loc and isinstance(loc[-1], PairKey) else loc
    return InputError(Location(name, line, column), message, path=_path_text(shown))


def name_location(root: Map, name: str, prefix: Loc) -> Location:
    """Where the problem at `prefix` has its `name:` key, from the places kept while building."""
    node: Any = root
    for part in prefix:
        node = node[part]
    at = node.key_at.get("name") if isinstance(node, Map) else None
    if at is None:  # the name comes from `defaults:`; point where the YAML says
        at = _position(root, (*prefix, "name"), key=True)
    return Location(name, *line_column(at))


def value_location(root: Map, name: str, prefix: Loc, key: str) -> Location | None:
    """Where the mapping at `prefix` writes the value of `key`; None when it does not."""
    node: Any = root
    for part in prefix:
        node = node[part]
    at = node.value_at.get(key) if isinstance(node, Map) else None
    return None if at is None else Location(name, *line_column(at))


def _path_text(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _position(root: Map, loc: Loc, *, key: bool = False) -> Place:
    """Where the value at `loc` is written (its key, where last written, when `key`), or
    the nearest value above it that the file has."""
    node: Any = root
    at = root.at
    for depth, part in enumerate(loc):
        if isinstance(node, Map):
            if part not in node.value_at:
                break
            if key and depth == len(loc) - 1:
                at = (node.repeated_at or {}).get(part) or node.key_at[part]
            else:
                at = node.value_at[part]
            node = node[part]
        elif isinstance(node, Seq) and isinstance(part, int) and part < len(node):
            at = node.item_at[part]
            node = node[part]
        else:
            break
    return at


def in_file_order(errors: list[InputError]) -> list[InputError]:
    """Each error once (a bad default is found once per problem), by line and column."""
    unique = {(e.location.line, e.location.column, e.path, e.message): e for e in errors}
    return [unique[key] for key in sorted(unique, key=lambda k: (k[0], k[1]))]


def capped(errors: list[InputError]) -> list[InputError]:
    """The first `MAX_ERRORS` errors of one file, then one line, where the next error is,
    that counts the rest: a person fixes the first ones and runs again."""
    if len(errors) <= MAX_ERRORS:
        return errors
    rest = len(errors) - MAX_ERRORS
    more = "error" if rest == 1 else "errors"
    return [
        *errors[:MAX_ERRORS],
        InputError(
            errors[MAX_ERRORS].location,
            f"... and {rest:,} more {more} in this file; fix the ones above and run again",
            omitted=rest,
        ),
    ]
