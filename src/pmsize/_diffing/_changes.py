"""What changed in a problem, input by input, with its values as the file writes them.

Both sides are compared field by field over the model (`_leaves`: every leaf of
`Problem`, alternatives matched by name), so a field the model gains is compared, and
attributed, without a change here. Each changed leaf is listed with the input its NPV
effect is attributed under: an alternative as a whole (its fields and its being there),
the problem cost however it is written, any other leaf itself; the policy and text
(a description, a currency) move no NPV. Values are shown as the file writes them
(`Problem.as_written`), else as parsed.

A scenario is one change of its own, `scenarios[NAME]` (matched ignoring case), its
probability and `set:` as written: the headline is the base case, so a scenario moves
no point NPV; what it does to the verdict (`scenario-risk`) shows in the flags.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from pmsize import _loader as loader
from pmsize import _paths as paths
from pmsize._models import Policy, Problem, Scenario
from pmsize._values import Range

# Leaves that are one input together: the problem cost, however it is written (SPEC §8).
_ONE_INPUT = {
    "market.revenue": "market.problem_cost",
    "market.problem_share": "market.problem_cost",
}
_NOT_INPUTS = ("policy",)  # top-level fields listed as changes that move no NPV
SCENARIOS = "scenarios"  # compared scenario by scenario (`_scenario_changes`)


@dataclass(frozen=True)
class Change:
    """A changed leaf input, its values as written (None where the file does not give it)."""

    input: str
    old: Any
    new: Any
    # the input it is attributed under (`alternatives[Excel]`); None when it moves no NPV
    attributed_to: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "old": self.old, "new": self.new}


# A leaf, by its path (`market.customers`, `alternatives[Excel].solves`): its value in the
# model, whether the file gives it (not a model default), and the item of a list of models
# it is in (`alternatives[Excel]`; itself for an item as a whole), None outside one.
Leaf = tuple[Any, bool, str | None]
_ABSENT: Leaf = (None, False, None)


@functools.cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, type[BaseModel] | None], ...]:
    """A model's fields, each with the model it holds if any (read once per class: 30,000
    alternatives asked it 180,000 times)."""
    return tuple(
        (name, loader._model_in(info.annotation)) for name, info in model.model_fields.items()
    )


def _leaves(
    model: BaseModel | None, prefix: str, out: dict[str, Leaf], owner: str | None = None
) -> dict[str, Leaf]:
    """Every leaf field of `model` by path; items of a list of models (alternatives) by
    name, each also present as a whole (`alternatives[Excel]`). A name may hold brackets
    and dots, so a leaf's item is recorded, never parsed back from its path."""
    if model is None:
        return out
    for name, inner in _fields(type(model)):
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if inner is not None and isinstance(value, tuple):
            for item in value:
                key = f"{path}[{getattr(item, 'name', '')}]"
                out[key] = (item, True, key)
                _leaves(item, f"{key}.", out, key)
        elif isinstance(value, BaseModel):
            _leaves(value, f"{path}.", out, owner)
        else:
            out[path] = (value, name in model.model_fields_set, owner)
    return out


def _effective_policy(problem: Problem) -> Policy:
    """The problem's own thresholds, else its portfolio's (portfolio policy counts as
    written, as `defaults:` do)."""
    own, portfolio = problem.policy, problem.portfolio_policy
    given = {
        name: value if value is not None else getattr(portfolio, name)
        for name in type(own).model_fields
        if (value := getattr(own, name)) is not None or getattr(portfolio, name) is not None
    }
    return Policy.model_construct(**given)


def changes(old: Problem, new: Problem) -> list[tuple[Change, str | None]]:
    """Every changed leaf, in the model's order, with the input it belongs to (None when
    it moves no NPV)."""
    before = _leaves(old.model_copy(update={"policy": _effective_policy(old)}), "", {})
    after = _leaves(new.model_copy(update={"policy": _effective_policy(new)}), "", {})
    found: list[tuple[Change, str | None]] = []
    named: tuple[_Named, _Named] = ({}, {})
    for path in dict.fromkeys([*before, *after]):
        if path == SCENARIOS:
            found += [(change, None) for change in _scenario_changes(old, new)]
            continue
        o, n = before.get(path, _ABSENT), after.get(path, _ABSENT)
        owner = o[2] or n[2]
        on_both = owner is not None and owner in before and owner in after
        if owner == path and on_both:
            continue  # an item on both sides: its fields are compared one by one
        if owner is not None and owner != path and not on_both:
            continue  # a field of an item added or removed: the item is the change
        if o[0] == n[0]:
            continue
        attributed_to = _input_of(path, owner, o[0], n[0])
        written = _as_written(old, path, o, named[0]), _as_written(new, path, n, named[1])
        found.append((Change(path, *written, attributed_to), attributed_to))
    return found


def _scenario_changes(old: Problem, new: Problem) -> list[Change]:
    """A change per scenario added, removed or changed, named `scenarios[NAME]` (the new
    side's name; names match ignoring case), in the old side's order then the new
    scenarios'; each side's value is the scenario as written, None where it is absent."""
    before = {folded(s.name): s for s in old.scenarios}
    after = {folded(s.name): s for s in new.scenarios}
    found: list[Change] = []
    for key in dict.fromkeys([*before, *after]):
        o, n = before.get(key), after.get(key)
        if o is not None and n is not None and _same(o, n):
            continue
        named = n if n is not None else o
        assert named is not None
        path = paths.of_scenario(named.name)
        found.append(Change(path, _scenario_written(old, o), _scenario_written(new, n)))
    return found


def folded(name: str) -> str:
    return name.strip().casefold()


def _same(old: Scenario, new: Scenario) -> bool:
    """Whether two scenarios of one name say the same: the same probability, and the same
    values at the same inputs (paths compared as names, so `alternatives[excel]` is
    `alternatives[Excel]`; values as written)."""

    def settings(s: Scenario) -> dict[paths.Key, Any]:
        return {path.key: value for path, value in s.parsed()}

    return old.probability == new.probability and settings(old) == settings(new)


def _scenario_written(problem: Problem, scenario: Scenario | None) -> Any:
    """A scenario as the file writes it, `{probability: 30%, set: {...}}`; as given when the
    problem keeps no data as written; None when it has no such scenario."""
    if scenario is None:
        return None
    written = problem.as_written.get(SCENARIOS) if problem.as_written is not None else None
    if isinstance(written, Mapping) and isinstance(written.get(scenario.name), Mapping):
        return _plain_written(written[scenario.name])
    given: dict[str, Any] = (
        {} if scenario.probability is None else {"probability": scenario.probability}
    )
    return given | {"set": {text: _plain(value) for text, value in scenario.values}}


def _input_of(path: str, owner: str | None, old: Any, new: Any) -> str | None:
    """The input a changed leaf (in item `owner`, with its parsed values) is attributed
    under; None when it moves no NPV: the policy, and text (a description, a currency)."""
    if path.split(".", 1)[0] in _NOT_INPUTS:
        return None
    if owner is not None:
        return owner
    if all(v is None or isinstance(v, str) for v in (old, new)):
        return None
    return _ONE_INPUT.get(path, path)


def _as_written(problem: Problem, path: str, leaf: Leaf, named: _Named) -> Any:
    """A leaf's value as the file writes it: its text when the file was read with its data
    as written, else the parsed value as plain data; None when the file does not give it."""
    value, given, _ = leaf
    if value is None or not given:
        return None
    if problem.as_written is not None:
        raw = _written_at(problem.as_written, path, named)
        if raw is not _MISSING:
            return _plain_written(raw)
    return _plain(value)


_MISSING: Any = object()
# per list of items as written (by id, with the list kept alive): its items by name, the
# first of each name; built once, so 3,000 added alternatives are not 3,000 scans of 3,000
_Named = dict[int, tuple[Any, dict[Any, Any]]]


def _written_at(data: Mapping[str, Any], path: str, named: _Named) -> Any:
    node: Any = data
    for part in path_parts(path):
        if isinstance(part, tuple):  # (list key, item name)
            items = node.get(part[0]) if isinstance(node, Mapping) else None
            if not isinstance(items, list):
                return _MISSING
            if id(items) not in named:
                by_name: dict[Any, Any] = {}
                for item in items:
                    if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                        by_name.setdefault(item["name"], item)
                named[id(items)] = (items, by_name)
            node = named[id(items)][1].get(part[1], _MISSING)
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return _MISSING
        if node is _MISSING:
            return _MISSING
    return node


def path_parts(path: str) -> list[str | tuple[str, str]]:
    """`alternatives[Excel].solves` -> [("alternatives", "Excel"), "solves"]; a name may
    hold dots and brackets, so the item's name runs to the last `]` before a field."""
    parts: list[str | tuple[str, str]] = []
    rest = path
    while rest:
        head, bracket, _ = rest.partition("[")
        if bracket and "." not in head:
            end = rest.rfind("]")
            tail = rest[end + 1 :]
            parts.append((head, rest[len(head) + 1 : end]))
            rest = tail.removeprefix(".")
            continue
        first, _, rest = rest.partition(".")
        parts.append(first)
    return parts


def _plain_written(raw: Any) -> Any:
    if isinstance(raw, Mapping):
        return {str(k): _plain_written(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_plain_written(v) for v in raw]
    return raw


def _plain(value: Any) -> Any:
    """A parsed value as plain data: numbers, text, lists, a range as {low, high, dist}."""
    if isinstance(value, Range):
        return {"low": value.low, "high": value.high, "dist": value.dist}
    if isinstance(value, BaseModel):
        return {
            name: _plain(getattr(value, name))
            for name in type(value).model_fields
            if name in value.model_fields_set
        }
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value
