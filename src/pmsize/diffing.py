"""What an edit to the assumptions does to each verdict, and which edit did it (SPEC §8).

Two sides (lists of problems, from paths or a git revision) are matched by problem
name. For a problem on both sides, its inputs are compared field by field over the
model (`_leaves`: every leaf of `Problem`, with alternatives matched by name), so a
field the model gains is compared, and attributed, without a change here. The NPV
change is split among the changed inputs by their Shapley values:

    phi_i = sum over subsets S of the others of |S|! (k-|S|-1)! / k! * (f(S+i) - f(S))

where f(S) is the point NPV of the hybrid problem (`HybridInputs`) with the inputs in S
at their new values and the rest old, per-year lists cut to the horizon in force. The
contributions add up to the change and do not depend on any order.

Bounds. Up to `EXACT_UP_TO` (12) changed inputs, every subset is sized once (2^k point
NPVs) and each input gets its exact Shapley value. Above, the inputs are attributed in
12 groups (`players`): each input that is not an alternative keeps a group of its own
(while they are fewer than 12), and the alternatives share the groups left in runs of
consecutive ones. The groups' Shapley values are exact and still add up to the change;
a group is named by its first input and how many more, and lists its inputs
(`exact: false`). So a changed problem is sized at most 4,096 times whatever the number
of changed inputs, all at once as arrays (one sizing per horizon): time grows linearly
with the size of the problem (its alternatives times the years in which their figures
differ), and memory holds each side's inputs (at both horizons) and one block of 4,096
figures a year, as each alternative's mixed figures are made only when the engine
reaches it.
(The mean over 2,000 random orders used before sized every prefix of every order, so
its time grew with the square of the number of inputs: 3,000 changed alternatives
passed 3 GB.) 200 problems of 12 changed inputs each take seconds, not minutes.

Named `diffing` rather than `diff`: importing `pmsize.diff` would set the package's
`diff` attribute to the module, hiding the function `pmsize.diff`.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from pmsize import __version__, engine, jsontext, loader, service
from pmsize.errors import InputError, InputErrors, Location
from pmsize.models import NO_POLICY, Policy, Problem
from pmsize.results import Evaluation, Verdict
from pmsize.values import Range

# changed inputs attributed one by one; above, in this many groups (`players`): either way
# every subset of the players is sized, at most 2^12 = 4,096 mixes a changed problem
EXACT_UP_TO = 12
_CHUNK = 1 << EXACT_UP_TO  # masks sized together at most (memory: a few arrays a year each)
SCHEMA_VERSION = 1

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
STATUSES = (CHANGED, ADDED, REMOVED, UNCHANGED)  # the order problems are listed in
FAIL_ON = ("never", "worse", "reconsider", "avoid")

# Leaves that are one input together: the problem cost, however it is written (SPEC §8).
_ONE_INPUT = {
    "market.revenue": "market.problem_cost",
    "market.problem_share": "market.problem_cost",
}
_NOT_INPUTS = ("policy",)  # top-level fields listed as changes that move no NPV


@dataclass(frozen=True)
class Side:
    """One side of a changed problem: its verdict, NPV, sustainable ceiling and flag codes,
    and the currency its amounts are in."""

    verdict: Verdict
    npv: float
    ceiling_per_customer: float
    flags: tuple[str, ...]
    currency: str = "USD"

    @classmethod
    def of(cls, r: Evaluation) -> Side:
        flags = tuple(f.code.value for f in r.flags)
        return cls(r.verdict, r.npv, r.ceiling_per_customer, flags, r.currency)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "npv": self.npv,
            "ceiling_per_customer": self.ceiling_per_customer,
            "flags": list(self.flags),
            "currency": self.currency,
        }


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


@dataclass(frozen=True)
class Effect:
    """The share of the NPV change one changed input, or one group of them, accounts for
    (its Shapley value); a group names its inputs in `inputs` (empty for one input)."""

    input: str
    npv_effect: float
    inputs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"input": self.input, "npv_effect": self.npv_effect}
        if self.inputs:
            found["inputs"] = list(self.inputs)
        return found


@dataclass(frozen=True)
class ProblemDiff:
    """One problem compared: its status, the two sides, what changed and what that did.

    `currency` is the new side's (the old side's for a removed problem). When the currency
    itself changed, `npv_change` is None and nothing is attributed: amounts in two
    currencies have no difference."""

    name: str
    status: str
    file: str
    line: int
    currency: str
    old: Side | None
    new: Side | None
    npv_change: float | None
    changes: tuple[Change, ...] = ()
    attribution: tuple[Effect, ...] = ()
    exact: bool = True

    @property
    def worse(self) -> bool:
        """Whether its verdict got worse; an added problem compares with `pursue`."""
        if self.new is None:
            return False
        before = self.old.verdict if self.old is not None else Verdict.PURSUE
        return self.new.verdict > before

    @property
    def better(self) -> bool:
        """Whether its verdict got better (a changed problem only)."""
        return self.old is not None and self.new is not None and self.new.verdict < self.old.verdict

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "file": self.file,
            "old": None if self.old is None else self.old.to_dict(),
            "new": None if self.new is None else self.new.to_dict(),
            "npv_change": self.npv_change,
            "changes": [c.to_dict() for c in self.changes],
            "attribution": [e.to_dict() for e in self.attribution],
            "exact": self.exact,
        }


@dataclass(frozen=True)
class Diff:
    """Two sets of problems compared (`pmsize diff`); `to_dict()` is the JSON of SPEC §8."""

    old: str | None
    new: str | None
    problems: tuple[ProblemDiff, ...]
    # the files read from disk (never a file at a git revision): what --output must not replace
    inputs: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def __repr__(self) -> str:
        """One line: how many problems changed, were added, removed or stayed, and how many
        verdicts got worse (the dataclass's own repr holds every problem)."""
        counts = self.summary()
        shown = ", ".join(f"{counts[status]:,} {status}" for status in STATUSES)
        return f"<Diff {self.old!r} -> {self.new!r}: {shown}; {counts['worse']:,} worse>"

    def of_status(self, status: str) -> list[ProblemDiff]:
        """The problems with that status (`added`, `removed`, `changed`, `unchanged`)."""
        return [p for p in self.problems if p.status == status]

    @property
    def npv_change(self) -> float | None:
        """New total NPV less old: changed problems' changes, added NPV, removed NPV taken
        off; None when the problems use more than one currency (`npv_change_by_currency`)."""
        by_currency = self.npv_change_by_currency()
        if len(by_currency) > 1:
            return None
        return next(iter(by_currency.values()), 0.0)

    def npv_change_by_currency(self) -> dict[str, float]:
        """New total NPV less old in each currency, the currencies in the order the problems
        name them. A problem whose currency changed takes its old NPV off the old currency's
        total and adds its new NPV to the new currency's."""
        found: dict[str, list[float]] = {}
        for p in self.problems:
            if p.npv_change is not None:
                found.setdefault(p.currency, []).append(p.npv_change)
            elif p.old is not None and p.new is not None:
                found.setdefault(p.new.currency, []).append(p.new.npv)
                found.setdefault(p.old.currency, []).append(-p.old.npv)
        return {currency: math.fsum(changes) for currency, changes in found.items()}

    def summary(self) -> dict[str, Any]:
        """The counts of SPEC §8 and `npv_change`; when the problems use more than one
        currency, `npv_change` is null and, as `evaluate`'s summary does, `currencies`,
        `by_currency` (each one's counts and NPV change) and a `note` follow."""
        summary = _counts(self.problems)
        by_currency = self.npv_change_by_currency()
        if len(by_currency) <= 1:
            summary["npv_change"] = next(iter(by_currency.values()), 0.0)
            return summary
        summary["npv_change"] = None
        summary["currencies"] = list(by_currency)
        summary["by_currency"] = [
            {
                "currency": currency,
                **_counts([p for p in self.problems if p.currency == currency]),
                "npv_change": change,
            }
            for currency, change in by_currency.items()
        ]
        summary["note"] = MIXED_CURRENCIES_NOTE
        return summary

    def fails(self, fail_on: str) -> bool:
        """Whether `--fail-on` is met: `worse` when some problem got worse; `reconsider` or
        `avoid` when an added or changed problem has that verdict or a worse one."""
        if fail_on not in FAIL_ON:
            raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
        if fail_on == "never":
            return False
        if fail_on == "worse":
            return any(p.worse for p in self.problems)
        return any(
            p.new is not None and p.status in (ADDED, CHANGED) and p.new.verdict >= fail_on
            for p in self.problems
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "old": self.old,
            "new": self.new,
            "problems": [p.to_dict() for p in self.problems],
            "summary": self.summary(),
        }

    def to_json(self, *, ascii_only: bool = False) -> str:
        """The JSON document `pmsize diff --format json` writes."""
        return jsontext.dumps(self.to_dict(), ascii_only=ascii_only)


MIXED_CURRENCIES_NOTE = (
    "The problems use different currencies: npv_change is null, and by_currency holds each "
    "currency's change (a problem whose currency changed takes its old NPV off the old "
    "currency and adds its new NPV to the new one)."
)


def _counts(problems: Sequence[ProblemDiff]) -> dict[str, Any]:
    counts: dict[str, Any] = {
        status: sum(p.status == status for p in problems)
        for status in (ADDED, REMOVED, CHANGED, UNCHANGED)
    }
    counts["worse"] = sum(p.worse for p in problems)
    counts["better"] = sum(p.better for p in problems)
    return counts


# ---------------------------------------------------------------------------------------------
# Reading the two sides
# ---------------------------------------------------------------------------------------------


def read_paths(paths: Iterable[str]) -> list[Problem]:
    """Every problem in files and folders, each with its data as written
    (`Problem.as_written`); `InputErrors` with every error found."""
    errors: list[InputError] = []
    return read_bytes(_read_files(loader.expand_paths(paths, errors), errors))


def _read_files(files: Iterable[str], errors: list[InputError]) -> list[tuple[str, bytes]]:
    """Each file's `(name, bytes)`; raises `InputErrors` with `errors` and every file that
    cannot be read."""
    named: list[tuple[str, bytes]] = []
    for file in files:
        try:
            named.append((file, loader.read_file(file)))
        except InputError as exc:
            errors.append(exc)
    if errors:
        raise InputErrors(errors)
    return named


def read_bytes(named: Iterable[tuple[str, bytes]]) -> list[Problem]:
    """Problems from files' bytes, each `(name in messages, bytes)`, with their data as
    written."""
    return loader.load_written(named)


def read_git(rev: str, paths: Sequence[str]) -> tuple[list[Problem], list[Problem], list[str]]:
    """`paths` as of git revision `rev` and in the working tree, and the working tree's files.

    A path absent at `rev` has its problems added; one absent from the working tree but
    there at `rev`, removed. Files at `rev` are named `REV:path` in messages.
    """
    from pmsize import gitfiles

    at_rev = gitfiles.files_at(rev, list(paths))
    present = [p for p in paths if p == loader.STDIN or _exists(p)]
    named_at_rev = {f.name.split(":", 1)[1] for f in at_rev}
    errors: list[InputError] = []
    for path in paths:
        if path not in present and not any(_below(name, path) for name in named_at_rev):
            errors.append(InputError(Location(path), f"no such file or folder, here or at {rev}"))
    if errors:
        raise InputErrors(errors)
    # read as git reads the revision: no submodule (the same files on both sides)
    files = loader.expand_paths(present, errors, skip_repositories=True) if present else []
    named = _read_files(files, errors)
    old, new = both_sides(
        lambda: read_bytes((f.name, f.data) for f in at_rev), lambda: read_bytes(named)
    )
    return old, new, files


T = TypeVar("T")


def both_sides(old: Callable[[], T], new: Callable[[], T]) -> tuple[T, T]:
    """Both sides read, every input error of both reported together."""
    errors: list[InputError] = []
    sides: list[T] = []
    for read in (old, new):
        try:
            sides.append(read())
        except InputErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise InputErrors(errors)
    return sides[0], sides[1]


def _exists(path: str) -> bool:
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def _below(name: str, path: str) -> bool:
    """Whether a file's name lies at or below `path` (both as the working tree spells them)."""
    name, path = os.path.normpath(name), os.path.normpath(path)
    return path == "." or name == path or name.startswith(path.rstrip(os.sep) + os.sep)


# ---------------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------------


def compare(
    old: Sequence[Problem],
    new: Sequence[Problem],
    *,
    policy: Policy = NO_POLICY,
    old_label: str | None = None,
    new_label: str | None = None,
    inputs: Iterable[str] = (),
) -> Diff:
    """Match `old` and `new` by problem name and compare each pair (SPEC §8).

    A problem read with its data as written (`read_paths`, `read_bytes`, `read_git`) shows
    its changed values as the file writes them; any other, as parsed."""
    before = {p.name: p for p in old}
    after = {p.name: p for p in new}
    found: list[ProblemDiff] = []
    for name, problem in after.items():
        result = _evaluate(problem, policy)
        if name not in before:
            found.append(_one_sided(problem, result, ADDED))
        else:
            found.append(_pair(before[name], problem, _evaluate(before[name], policy), result))
    found += [
        _one_sided(p, _evaluate(p, policy), REMOVED) for n, p in before.items() if n not in after
    ]
    found.sort(key=lambda p: (STATUSES.index(p.status), p.name.casefold(), p.name))
    return Diff(old_label, new_label, tuple(found), tuple(inputs))


def _evaluate(problem: Problem, policy: Policy) -> Evaluation:
    return service.evaluate(problem, service.thresholds_for(problem, policy))


def _one_sided(problem: Problem, result: Evaluation, status: str) -> ProblemDiff:
    side = Side.of(result)
    added = status == ADDED
    return ProblemDiff(
        name=problem.name,
        status=status,
        file=result.file,
        line=result.line,
        currency=result.currency,
        old=None if added else side,
        new=side if added else None,
        npv_change=result.npv if added else -result.npv,
    )


def _pair(old: Problem, new: Problem, before: Evaluation, after: Evaluation) -> ProblemDiff:
    changes = _changes(old, new)
    same_currency = before.currency == after.currency
    # amounts in two currencies have no difference to split
    inputs = list(dict.fromkeys(i for _, i in changes if i is not None)) if same_currency else []
    effects, exact = attribute(old, new, inputs)
    attribution = tuple(
        sorted(
            (
                Effect(group_name(group), effect, group if len(group) > 1 else ())
                for group, effect in zip(players(inputs), effects, strict=True)
            ),
            key=lambda e: -abs(e.npv_effect),
        )
    )
    old_side, new_side = Side.of(before), Side.of(after)
    status = CHANGED if changes or old_side != new_side else UNCHANGED
    return ProblemDiff(
        name=new.name,
        status=status,
        file=after.file,
        line=after.line,
        currency=after.currency,
        old=old_side,
        new=new_side,
        npv_change=after.npv - before.npv if same_currency else None,
        changes=tuple(c for c, _ in changes),
        attribution=attribution,
        exact=exact,
    )


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


def _changes(old: Problem, new: Problem) -> list[tuple[Change, str | None]]:
    """Every changed leaf, in the model's order, with the input it belongs to (None when
    it moves no NPV)."""
    before = _leaves(old.model_copy(update={"policy": _effective_policy(old)}), "", {})
    after = _leaves(new.model_copy(update={"policy": _effective_policy(new)}), "", {})
    found: list[tuple[Change, str | None]] = []
    named: tuple[_Named, _Named] = ({}, {})
    for path in dict.fromkeys([*before, *after]):
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
    for part in _parts(path):
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


def _parts(path: str) -> list[str | tuple[str, str]]:
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


# ---------------------------------------------------------------------------------------------
# Attribution
# ---------------------------------------------------------------------------------------------


def players(inputs: Sequence[str], *, exact_up_to: int = EXACT_UP_TO) -> list[tuple[str, ...]]:
    """The players the NPV change is split among: each input on its own up to
    `exact_up_to` inputs (`EXACT_UP_TO`, 12, unless given); above, that many groups of
    inputs.

    Grouped, every input that is not an item of a list (`discount_rate`,
    `solution.adoption`) keeps a player of its own, and the items (`alternatives[Excel]`)
    share the players left in runs of consecutive items, as even in size as can be
    (when the inputs of the first kind alone are too many, every input is in a run).
    """
    if len(inputs) <= exact_up_to:
        return [(name,) for name in inputs]
    singles = [name for name in inputs if not _is_item(name)]
    if len(singles) >= exact_up_to:
        return _runs(list(inputs), exact_up_to)
    items = [name for name in inputs if _is_item(name)]
    return [(name,) for name in singles] + _runs(items, exact_up_to - len(singles))


def _is_item(name: str) -> bool:
    """Whether an input is an item of a list of models (`alternatives[Excel]`)."""
    head, bracket, _ = name.partition("[")
    return bool(bracket) and name.endswith("]") and "." not in head


def _runs(names: list[str], count: int) -> list[tuple[str, ...]]:
    """`names` in `count` runs of consecutive names, the longer runs first (sizes differ by
    one at most); fewer runs when there are fewer names."""
    count = min(count, len(names))
    size, longer = divmod(len(names), count)
    runs, start = [], 0
    for i in range(count):
        end = start + size + (i < longer)
        runs.append(tuple(names[start:end]))
        start = end
    return runs


def group_name(group: Sequence[str]) -> str:
    """A player's name: its input, or a group's first input and how many more
    (`alternatives[Tool 1] and 249 more`)."""
    return group[0] if len(group) == 1 else f"{group[0]} and {len(group) - 1:,} more"


def attribute(
    old: Problem, new: Problem, inputs: Sequence[str], *, exact_up_to: int = EXACT_UP_TO
) -> tuple[list[float], bool]:
    """The Shapley value of each player's change on the point NPV (`players(inputs)`: each
    input up to `exact_up_to` of them, groups of inputs beyond), and whether every player
    is one input (`exact`).

    `inputs` name what changes together: a top-level path (`discount_rate`,
    `solution.adoption`, `market.problem_cost` for the cost however written) or an item of a
    list of models (`alternatives[Excel]`, its fields and its being there). Every subset
    of the players is sized once, at most 2^`exact_up_to` mixes whatever the number of
    inputs; the values add up to the NPV change in every case.
    """
    groups = players(inputs, exact_up_to=exact_up_to)
    if not groups:
        return [], True
    npvs = HybridInputs(old, new, groups).npvs(range(1 << len(groups)))
    return _exact(len(groups), npvs), all(len(group) == 1 for group in groups)


def _exact(k: int, values: Sequence[float]) -> list[float]:
    """phi_i = sum over S not holding i of |S|! (k-|S|-1)! / k! (f(S+i) - f(S)), with
    f(S) = values[S] (S as a bit mask)."""
    weight = [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
    size = [mask.bit_count() for mask in range(1 << k)]
    phi = []
    for i in range(k):
        bit = 1 << i
        terms = [
            weight[size[mask]] * (values[mask | bit] - values[mask])
            for mask in range(1 << k)
            if not mask & bit
        ]
        phi.append(math.fsum(terms))
    return phi


class HybridInputs:
    """The engine's inputs for every mix of old and new players, built directly: each
    side's inputs are taken once at each of the two horizons (which cuts or extends the
    per-year lists to the horizon in force), and `npvs(masks)` picks every field from its
    side by each mask, as arrays sized at once: the same figures as sizing each mixed
    problem on its own (up to the last bits, where numpy's array power and Python's float
    power differ; a test holds it to a relative 1e-12), without building a problem a mask.

    A player is an input (`discount_rate`) or a group of inputs that change together
    (`players`); player i is bit i of a mask, so there are at most 62 of them.
    """

    def __init__(self, old: Problem, new: Problem, inputs: Sequence[str | Sequence[str]]) -> None:
        bits = {
            name: 1 << i
            for i, player in enumerate(inputs)
            for name in ((player,) if isinstance(player, str) else player)
        }
        # each of the engine's single numbers, and the adoption, by the input it comes from
        self.bits = {name: bits.get(path, 0) for name, path in engine.SOURCES.items()}
        self.bits["adoption"] = bits.get("solution.adoption", 0)
        self.horizon_bit = bits.get("horizon_years", 0)
        horizons = (old.horizon_years, new.horizon_years)
        # taken[side][horizon side]: the engine's inputs of that side at that horizon
        self.taken = tuple(
            tuple(
                engine.Inputs.take(p.model_copy(update={"horizon_years": h}), engine.at_central)
                for h in horizons
            )
            for p in (old, new)
        )
        self.alternatives = tuple(
            tuple(tuple(taken.alternatives) for taken in side) for side in self.taken
        )
        # old alternatives in their order, then those only the new side has:
        # (old index, new index, bit)
        new_index = {getattr(a, "name", None): i for i, a in enumerate(new.alternatives)}
        old_names = {getattr(a, "name", None) for a in old.alternatives}
        self.slots: list[tuple[int | None, int | None, int]] = []
        for i, item in enumerate(old.alternatives):
            bit = bits.get(f"alternatives[{getattr(item, 'name', None)}]", 0)
            self.slots.append((i, new_index.get(getattr(item, "name", None)), bit))
        for i, item in enumerate(new.alternatives):
            if getattr(item, "name", None) not in old_names:
                self.slots.append((None, i, bits.get(f"alternatives[{item.name}]", 0)))

    def npvs(self, masks: Iterable[int]) -> list[float]:
        """f(mask) for each of `masks`, sized together as arrays (one sizing per horizon, in
        blocks of `_CHUNK` masks): a field takes its new value where the mask holds its
        player's bit. An alternative a side does not list is there in no year of it, and a
        price a side does not set is charged as the ceiling (the engine's `available` and
        `priced`), so every figure of a mix is the figure of that mixed problem."""

        wanted = list(masks)
        found: dict[int, float] = {}
        for at in (0, 1) if self.horizon_bit else (0,):
            group = [m for m in wanted if bool(m & self.horizon_bit) == bool(at)]
            for start in range(0, len(group), _CHUNK):
                chunk = group[start : start + _CHUNK]
                npv = self._sized(chunk, at)
                found.update(zip(chunk, npv, strict=True))
        return [found[m] for m in wanted]

    def _sized(self, masks: Sequence[int], at: int) -> list[float]:
        """The point NPV of each of `masks`, all at horizon side `at`.

        Memory stays one block wide whatever the number of alternatives: each alternative's
        mixed figures are made only as the engine reaches it (it reads them once, keeping
        the running minimum), and a value that repeats over the years is mixed once, so the
        engine's years share it as they share an unmixed one."""
        import numpy as np

        from pmsize.sampling import ARRAY

        old, new = self.taken[0][at], self.taken[1][at]
        held = np.asarray(masks, dtype=np.int64)
        chosen: dict[int, Any] = {}  # bit -> which masks hold it

        def picker() -> Callable[[Any, Any, int], Any]:
            """pick(o, n, bit): the old value, or an array of the old and new values by
            each mask's `bit`; the same pair of values gives the same array."""
            mixed: dict[tuple[int, int, int], tuple[Any, Any, Any]] = {}

            def pick(o: Any, n: Any, bit: int) -> Any:
                if not bit:
                    return o
                key = (id(o), id(n), bit)
                if key not in mixed:
                    if bit not in chosen:
                        chosen[bit] = (held & bit) != 0
                    mixed[key] = (o, n, np.where(chosen[bit], n, o))  # o, n kept alive
                return mixed[key][2]

            return pick

        pick = picker()
        values: dict[str, Any] = {}
        for name, bit in self.bits.items():
            o, n = getattr(old, name), getattr(new, name)
            if name == "adoption":
                values[name] = tuple(pick(a, b, bit) for a, b in zip(o, n, strict=True))
            elif name == "price" and bit and (o is None) != (n is None):
                # set on one side only: charged where set, the ceiling elsewhere
                values["priced"] = pick(o is not None, n is not None, bit)
                values[name] = pick(0.0 if o is None else o, 0.0 if n is None else n, bit)
            else:
                values[name] = pick(o, n, bit)

        def alternatives() -> Iterator[engine.AlternativeInputs]:
            for i, j, bit in self.slots:
                o_item = None if i is None else self.alternatives[0][at][i]
                n_item = None if j is None else self.alternatives[1][at][j]
                if not bit:
                    if o_item is not None:
                        yield o_item
                    continue
                o_item, n_item = _present(o_item, old.horizon), _present(n_item, old.horizon)
                pick = picker()  # one alternative's years share their arrays
                annual, one_time, solves, available = (
                    tuple(
                        pick(a, b, bit)
                        for a, b in zip(getattr(o_item, f), getattr(n_item, f), strict=True)
                    )
                    for f in ("annual_cost", "one_time_cost", "solves", "available")
                )
                yield engine.AlternativeInputs(annual, one_time, solves, available)

        sizing = engine.size(
            engine.Inputs(horizon=old.horizon, alternatives=alternatives(), **values),
            engine.DEFAULT_THRESHOLDS,
            ARRAY,
            per_alternative=False,
            extras=False,
        )
        npv: list[float] = np.broadcast_to(
            np.asarray(sizing.npv, dtype=float), (len(masks),)
        ).tolist()
        return npv


def _present(item: engine.AlternativeInputs | None, horizon: int) -> engine.AlternativeInputs:
    """An alternative as one side has it; one the side does not list is there in no year
    (its figures are never read)."""
    if item is not None:
        return item
    none = (0.0,) * horizon
    return engine.AlternativeInputs(none, none, none, (False,) * horizon)
