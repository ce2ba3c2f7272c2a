"""Values written at input paths: a what-if (`--set PATH=VALUE`, `Problem.with_values`).

A value is given as the file writes it (`$50k`, `$100k to $300k`, `[2%, 5%, 8%]`, an
alternative as a mapping, None to remove) and written into a problem's data at its path
(docs/paths.md) before validation, so it is judged exactly as the file's own value is:

- a field (`market.customers`, `solution.price`) is set, or removed with None (its
  default then holds);
- one year of a per-year list (`solution.adoption[year 4]`) changes that year only: the
  list is first written out to the horizon (its last value repeating), then the item
  replaced; an alternative's list counts from its arrival, and the year must fall on or
  after it;
- `alternatives[NAME]` replaces the alternative of that name (matched ignoring case)
  whole, adds it when there is none (named NAME unless the mapping gives a name), or
  removes it with None;
- a field of an alternative the problem does not have is an error that names the problem.

`apply` works on plain data and knows nothing of files: the loader applies `--set` to
each problem it reads, `Problem.with_values` to the data a problem was validated from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pmsize import _paths as paths
from pmsize._models._fields import DEFAULT_HORIZON, horizon_of
from pmsize._models._rules import Loc

# what-ifs: each input's path and its value as plain data, as a file's YAML reads it
Values = Sequence[tuple[paths.Path, Any]]


@dataclass(frozen=True, slots=True)
class Override:
    """What a what-if changed in one problem: the input's path, the value as given, and
    the value the problem had before, as written (None when it had none)."""

    input: str
    value: str
    was: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {"input": self.input, "value": self.value, "was": self.was}


def written(value: Any) -> str:
    """Plain data as a file's flow YAML writes it: `$50k`, `[2%, 5%]`, `{kind: vendor}`."""
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {written(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(written(item) for item in value) + "]"
    return str(value)


@dataclass(frozen=True, slots=True)
class Applied:
    """Data with values written at their paths: the new data, what changed (for output),
    where each change sits in the data (to name it in a validation error), and the paths
    that had nowhere to go, each with its message."""

    data: dict[str, Any]
    overrides: tuple[Override, ...]
    places: tuple[tuple[Loc, str], ...]
    errors: tuple[tuple[str, str], ...]


def apply(data: Mapping[str, Any], values: Sequence[tuple[paths.Path, Any]]) -> Applied:
    """`data` with each value written at its path, in order; `data` itself is unchanged
    (a level is copied before it is written to: a portfolio's `defaults:` are shared)."""
    new = dict(data)
    overrides: list[Override] = []
    places: list[tuple[Loc, str]] = []
    errors: list[tuple[str, str]] = []
    for path, value in values:
        try:
            loc, was = _write(new, path, value)
        except _NowhereError as exc:
            errors.append((str(path), str(exc)))
            continue
        overrides.append(Override(str(path), written(value), was))
        places.append((loc, str(path)))
    return Applied(new, tuple(overrides), tuple(places), tuple(errors))


def parsed(values: Mapping[str, object]) -> tuple[list[tuple[paths.Path, Any]], list[str]]:
    """Values keyed by path text as `Values`, and a message for each key that names no
    input (`solution.adopt names no input; did you mean solution.adoption?`)."""
    found: list[tuple[paths.Path, Any]] = []
    errors: list[str] = []
    for text, value in values.items():
        if not isinstance(text, str):
            raise TypeError(f"values are keyed by input path (a str), not {text!r}")
        try:
            found.append((paths.parse(text), value))
        except paths.PathError as exc:
            errors.append(str(exc))
    return found, errors


def named(loc: Loc, places: Sequence[tuple[Loc, str]]) -> tuple[str, Loc] | None:
    """The path of the change whose place holds `loc`, and what is left of `loc` under it;
    None when no change holds it (an error of the file's own)."""
    for place, path in reversed(places):  # the last change to a place is the one judged
        if loc[: len(place)] == place:
            return path, loc[len(place) :]
    return None


class _NowhereError(ValueError):
    """A path the data has no place for (an alternative it does not have)."""


def _write(data: dict[str, Any], path: paths.Path, value: Any) -> tuple[Loc, str | None]:
    """Write `value` at `path` in `data` (levels copied as they are entered); where it sits
    and what was there, as written."""
    if path.alternative is not None:
        return _write_alternative(data, path, value)
    parts = path.field.split(".")
    owner = data
    for part in parts[:-1]:
        inner = owner.get(part)
        owner[part] = dict(inner) if isinstance(inner, Mapping) else {}
        owner = owner[part]
    field = parts[-1]
    loc: Loc = tuple(parts)
    if path.year is None:
        return loc, _set(owner, field, value)
    horizon = horizon_of(data) if "horizon_years" in data else DEFAULT_HORIZON
    return loc, _set_year(owner, field, path, value, 1, horizon)


def _write_alternative(
    data: dict[str, Any], path: paths.Path, value: Any
) -> tuple[Loc, str | None]:
    assert path.alternative is not None
    raw = data.get("alternatives")
    alternatives = list(raw) if isinstance(raw, list | tuple) else []
    wanted = path.alternative.strip().casefold()
    index = next(
        (
            i
            for i, item in enumerate(alternatives)
            if isinstance(item, Mapping) and str(item.get("name", "")).strip().casefold() == wanted
        ),
        None,
    )
    if not path.field:  # the whole alternative
        was = None if index is None else written(alternatives[index])
        if value is None:
            if index is None:
                raise _NowhereError(_no_alternative(data, path.alternative, alternatives))
            del alternatives[index]
            data["alternatives"] = alternatives
            return ("alternatives",), was
        if isinstance(value, Mapping) and "name" not in value:
            value = {"name": path.alternative, **value}
        if index is None:
            alternatives.append(value)
            index = len(alternatives) - 1
        else:
            alternatives[index] = value
        data["alternatives"] = alternatives
        return ("alternatives", index), was
    if index is None:
        raise _NowhereError(_no_alternative(data, path.alternative, alternatives))
    alternative = dict(alternatives[index])
    alternatives[index] = alternative
    data["alternatives"] = alternatives
    loc: Loc = ("alternatives", index, path.field)
    if path.year is None:
        return loc, _set(alternative, path.field, value)
    horizon = horizon_of(data) if "horizon_years" in data else DEFAULT_HORIZON
    arrival = _arrival(alternative.get("from_year", 1))
    if arrival is None:  # the file's own from_year is wrong: validation says so
        return loc, _set(alternative, path.field, value)
    if path.year < arrival:
        raise _NowhereError(
            f"the alternative arrives in year {arrival}, so its {path.field} has no year "
            f"{path.year}; set a year from {arrival} on"
        )
    return loc, _set_year(alternative, path.field, path, value, arrival, horizon)


def _set(owner: dict[str, Any], field: str, value: Any) -> str | None:
    was = written(owner[field]) if field in owner and owner[field] is not None else None
    if value is None:
        owner.pop(field, None)
    else:
        owner[field] = value
    return was


def _set_year(
    owner: dict[str, Any], field: str, path: paths.Path, value: Any, first: int, horizon: int
) -> str | None:
    """Replace one calendar year's item of a per-year list, written out to the horizon
    first (`first`: the calendar year of its item 1, an alternative's arrival)."""
    assert path.year is not None
    if path.year > horizon:
        raise _NowhereError(f"year {path.year} is past the horizon ({horizon} years)")
    current = owner.get(field)
    if current is None:
        raise _NowhereError(
            f"{field} has no value to change year {path.year} of; set {field} whole"
        )
    if value is None:
        raise _NowhereError(
            f"a year's item cannot be removed; give its value, or set {field} whole"
        )
    items = list(current) if isinstance(current, list | tuple) else [current]
    if not items:  # an empty list: validation says so
        return None
    items += [items[-1]] * (horizon - first + 1 - len(items))
    at = path.year - first
    was = written(items[at])
    items[at] = value
    owner[field] = items
    return was


def _arrival(raw: Any) -> int | None:
    """An alternative's `from_year` as a whole number, or None when it is not one."""
    try:
        year = float(str(raw).strip())
    except ValueError:
        return None
    return int(year) if year.is_integer() and year >= 1 else None


def _no_alternative(data: Mapping[str, Any], name: str, alternatives: list[Any]) -> str:
    names = [str(a.get("name")) for a in alternatives if isinstance(a, Mapping) and a.get("name")]
    listed = f"its alternatives: {', '.join(names)}" if names else "it has no alternatives"
    return (
        f"problem {str(data.get('name'))[:100]!r} has no alternative named {name!r} "
        f"({listed}); to add one, set alternatives[{name}] whole"
    )


__all__ = ["Applied", "Override", "Values", "apply", "named", "written"]
