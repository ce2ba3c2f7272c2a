"""What an edit to the assumptions does to each verdict, and which edit did it (SPEC §8).

Two sides (lists of problems, from paths or a git revision) are matched by problem
name. For a problem on both sides, its inputs are compared field by field over the
model (`_leaves`: every leaf of `Problem`, with alternatives matched by name), so a
field the model gains is compared, and attributed, without a change here. The NPV
change is split among the changed inputs by their Shapley values:

    phi_i = sum over subsets S of the others of |S|! (k-|S|-1)! / k! * (f(S+i) - f(S))

where f(S) is the point NPV of the hybrid problem (`_hybrid`) with the inputs in S at
their new values and the rest old, per-year lists cut to the horizon in force. The
contributions add up to the change and do not depend on any order. Up to
`EXACT_UP_TO` inputs every subset is evaluated once (2^k point sizings); beyond, the
mean over `ORDERS` random orders from a fixed seed estimates them (`exact: false`).

Named `diffing` rather than `diff`: importing `pmsize.diff` would set the package's
`diff` attribute to the module, hiding the function `pmsize.diff`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from pmsize import __version__, engine, jsontext, loader, service
from pmsize.errors import InputError, InputErrors, Location
from pmsize.models import NO_POLICY, Policy, Problem
from pmsize.results import Evaluation, Verdict
from pmsize.values import Range

EXACT_UP_TO = 12  # changed inputs attributed exactly (2^12 = 4,096 point sizings)
ORDERS = 2_000  # random orders averaged beyond that
SEED = 0  # of the random orders: the same files, the same estimate
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
class Source:
    """A problem on one side of a diff: the model, where it was read, its portfolio's
    policy, and its data as the file writes it (None when built in code)."""

    problem: Problem
    location: Location | None = None
    portfolio_policy: Policy = field(default_factory=Policy)
    written: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, problem: Problem) -> Source:
        """A problem loaded by `pmsize.load` or built in code (values as parsed)."""
        return cls(problem, problem.source, problem.portfolio_policy)


@dataclass(frozen=True)
class Side:
    """One side of a changed problem: its verdict, NPV, sustainable ceiling and flag codes."""

    verdict: Verdict
    npv: float
    ceiling_per_customer: float
    flags: tuple[str, ...]

    @classmethod
    def of(cls, r: Evaluation) -> Side:
        return cls(r.verdict, r.npv, r.ceiling_per_customer, tuple(f.code.value for f in r.flags))

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "npv": self.npv,
            "ceiling_per_customer": self.ceiling_per_customer,
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class Change:
    """A changed leaf input, its values as written (None where the file does not give it)."""

    input: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Effect:
    """The share of the NPV change one changed input accounts for (its Shapley value)."""

    input: str
    npv_effect: float

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "npv_effect": self.npv_effect}


@dataclass(frozen=True)
class ProblemDiff:
    """One problem compared: its status, the two sides, what changed and what that did."""

    name: str
    status: str
    file: str
    line: int
    currency: str
    old: Side | None
    new: Side | None
    npv_change: float
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

    def of_status(self, status: str) -> list[ProblemDiff]:
        """The problems with that status (`added`, `removed`, `changed`, `unchanged`)."""
        return [p for p in self.problems if p.status == status]

    @property
    def npv_change(self) -> float:
        """New total NPV less old: changed problems' changes, added NPV, removed NPV taken off."""
        return math.fsum(p.npv_change for p in self.problems)

    def summary(self) -> dict[str, Any]:
        counts: dict[str, Any] = {s: len(self.of_status(s)) for s in (ADDED, REMOVED, CHANGED)}
        counts[UNCHANGED] = len(self.of_status(UNCHANGED))
        counts["worse"] = sum(p.worse for p in self.problems)
        counts["better"] = sum(p.better for p in self.problems)
        counts["npv_change"] = self.npv_change
        return counts

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


# ---------------------------------------------------------------------------------------------
# Reading the two sides
# ---------------------------------------------------------------------------------------------


def read_paths(paths: Iterable[str]) -> list[Source]:
    """Every problem in files and folders, each with its data as written; `InputErrors`
    with every error found."""
    errors: list[InputError] = []
    named: list[tuple[str, bytes]] = []
    for file in loader.expand_paths(paths, errors):
        try:
            named.append((file, loader.read_file(file)))
        except InputError as exc:
            errors.append(exc)
    if errors:
        raise InputErrors(errors)
    return read_bytes(named)


def read_bytes(named: Iterable[tuple[str, bytes]]) -> list[Source]:
    """Problems from files' bytes, each `(name in messages, bytes)`."""
    return [
        Source(entry.problem, entry.location, entry.portfolio_policy, written)
        for entry, written in loader.load_written(named)
    ]


# ---------------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------------


def compare(
    old: Sequence[Source],
    new: Sequence[Source],
    *,
    policy: Policy = NO_POLICY,
    old_label: str | None = None,
    new_label: str | None = None,
) -> Diff:
    """Match `old` and `new` by problem name and compare each pair (SPEC §8)."""
    before = {s.problem.name: s for s in old}
    after = {s.problem.name: s for s in new}
    found: list[ProblemDiff] = []
    for name, source in after.items():
        result = _evaluate(source, policy)
        if name not in before:
            found.append(_one_sided(source, result, ADDED))
        else:
            found.append(_pair(before[name], source, _evaluate(before[name], policy), result))
    found += [
        _one_sided(s, _evaluate(s, policy), REMOVED) for n, s in before.items() if n not in after
    ]
    found.sort(key=lambda p: (STATUSES.index(p.status), p.name.casefold(), p.name))
    return Diff(old_label, new_label, tuple(found))


def _evaluate(source: Source, policy: Policy) -> Evaluation:
    entry = loader.Entry(source.problem, source.location or Location(""), source.portfolio_policy)
    return service.evaluate(source.problem, service.thresholds_for(entry, policy), source.location)


def _one_sided(source: Source, result: Evaluation, status: str) -> ProblemDiff:
    side = Side.of(result)
    added = status == ADDED
    return ProblemDiff(
        name=source.problem.name,
        status=status,
        file=result.file,
        line=result.line,
        currency=result.currency,
        old=None if added else side,
        new=side if added else None,
        npv_change=result.npv if added else -result.npv,
    )


def _pair(old: Source, new: Source, before: Evaluation, after: Evaluation) -> ProblemDiff:
    changes = _changes(old, new)
    inputs = list(dict.fromkeys(i for _, i in changes if i is not None))
    effects, exact = attribute(old.problem, new.problem, inputs)
    attribution = tuple(
        Effect(name, effect)
        for name, effect in sorted(zip(inputs, effects, strict=True), key=lambda e: -abs(e[1]))
    )
    old_side, new_side = Side.of(before), Side.of(after)
    status = CHANGED if changes or old_side != new_side else UNCHANGED
    return ProblemDiff(
        name=new.problem.name,
        status=status,
        file=after.file,
        line=after.line,
        currency=after.currency,
        old=old_side,
        new=new_side,
        npv_change=after.npv - before.npv,
        changes=tuple(c for c, _ in changes),
        attribution=attribution,
        exact=exact,
    )


# A leaf: its path (`market.customers`, `alternatives[Excel].solves`), its value in the
# model, and whether the file gives it (not a model default).
Leaf = tuple[Any, bool]


def _leaves(model: BaseModel | None, prefix: str, out: dict[str, Leaf]) -> dict[str, Leaf]:
    """Every leaf field of `model` by path; items of a list of models (alternatives) by
    name, each also present as a whole (`alternatives[Excel]`)."""
    if model is None:
        return out
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        inner = loader._model_in(info.annotation)  # the model a field holds, if any
        if inner is not None and isinstance(value, tuple):
            for item in value:
                key = f"{path}[{getattr(item, 'name', '')}]"
                out[key] = (item, True)
                _leaves(item, f"{key}.", out)
        elif isinstance(value, BaseModel):
            _leaves(value, f"{path}.", out)
        else:
            out[path] = (value, name in model.model_fields_set)
    return out


def _effective_policy(source: Source) -> Policy:
    """The problem's own thresholds, else its portfolio's (portfolio policy counts as
    written, as `defaults:` do)."""
    own, portfolio = source.problem.policy, source.portfolio_policy
    given = {
        name: value if value is not None else getattr(portfolio, name)
        for name in type(own).model_fields
        if (value := getattr(own, name)) is not None or getattr(portfolio, name) is not None
    }
    return Policy.model_construct(**given)


def _changes(old: Source, new: Source) -> list[tuple[Change, str | None]]:
    """Every changed leaf, in the model's order, with the input it belongs to (None when
    it moves no NPV)."""
    before = _leaves(old.problem.model_copy(update={"policy": _effective_policy(old)}), "", {})
    after = _leaves(new.problem.model_copy(update={"policy": _effective_policy(new)}), "", {})
    found: list[tuple[Change, str | None]] = []
    for path in dict.fromkeys([*before, *after]):
        whole = isinstance((before.get(path) or after.get(path) or (None,))[0], BaseModel)
        if whole and path in before and path in after:
            continue  # the item is on both sides: its fields are compared one by one
        if not whole and _owner_is_one_sided(path, before, after):
            continue  # a field of an item added or removed: the item is the change
        o, n = before.get(path, (None, False)), after.get(path, (None, False))
        if o[0] == n[0]:
            continue
        change = Change(path, _as_written(old, path, o), _as_written(new, path, n))
        found.append((change, _input_of(path, o[0], n[0])))
    return found


def _owner_is_one_sided(path: str, before: Mapping[str, Leaf], after: Mapping[str, Leaf]) -> bool:
    owner = path.split("].", 1)[0] + "]" if "]." in path else None
    return owner is not None and (owner in before) != (owner in after)


def _input_of(path: str, old: Any, new: Any) -> str | None:
    """The input a changed leaf (with its parsed values) belongs to for attribution; None
    when it moves no NPV: the policy, and text (a description, a currency code)."""
    if path.split(".", 1)[0].split("[", 1)[0] in _NOT_INPUTS:
        return None
    if "[" in path:
        return path.split("]", 1)[0] + "]"
    if all(v is None or isinstance(v, str) for v in (old, new)):
        return None
    return _ONE_INPUT.get(path, path)


def _as_written(source: Source, path: str, leaf: Leaf) -> Any:
    """A leaf's value as the file writes it: its text when the file was read, else the
    parsed value as plain data; None when the file does not give it."""
    value, given = leaf
    if value is None or not given:
        return None
    if source.written is not None:
        raw = _written_at(source.written, path)
        if raw is not _MISSING:
            return _plain_written(raw)
    return _plain(value)


_MISSING: Any = object()


def _written_at(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in _parts(path):
        if isinstance(part, tuple):  # (list key, item name)
            items = node.get(part[0]) if isinstance(node, Mapping) else None
            node = next(
                (i for i in items or () if isinstance(i, Mapping) and i.get("name") == part[1]),
                _MISSING,
            )
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


def attribute(old: Problem, new: Problem, inputs: Sequence[str]) -> tuple[list[float], bool]:
    """The Shapley value of each input's change on the point NPV, and whether it is exact.

    `inputs` name what changes together: a top-level path (`discount_rate`,
    `solution.adoption`, `market.problem_cost` for the cost however written) or an item of a
    list of models (`alternatives[Excel]`, its fields and its being there).
    """
    k = len(inputs)
    if k == 0:
        return [], True
    bits = {name: 1 << i for i, name in enumerate(inputs)}
    cache: dict[int, float] = {}

    def f(mask: int) -> float:
        npv = cache.get(mask)
        if npv is None:
            hybrid = _hybrid(old, new, lambda name: bool(mask & bits.get(name, 0)))
            npv = float(engine.point(hybrid).npv)
            cache[mask] = npv
        return npv

    if k <= EXACT_UP_TO:
        return _exact(k, f), True
    return _sampled(k, f), False


def _exact(k: int, f: Callable[[int], float]) -> list[float]:
    """phi_i = sum over S not holding i of |S|! (k-|S|-1)! / k! (f(S+i) - f(S))."""
    values = [f(mask) for mask in range(1 << k)]
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


def _sampled(k: int, f: Callable[[int], float]) -> list[float]:
    """The mean marginal contribution over `ORDERS` random orders from `SEED`: each order's
    contributions add up to the change, so their mean does too."""
    rng = random.Random(SEED)
    totals = [0.0] * k
    order = list(range(k))
    for _ in range(ORDERS):
        rng.shuffle(order)
        mask, previous = 0, f(0)
        for i in order:
            mask |= 1 << i
            current = f(mask)
            totals[i] += current - previous
            previous = current
    return [t / ORDERS for t in totals]


def _hybrid(old: Problem, new: Problem, take_new: Callable[[str], bool]) -> Problem:
    """The problem with each input at its new value where `take_new(input)`, else its old
    one, built field by field over the model; per-year lists cut to the horizon in force."""
    horizon = (new if take_new("horizon_years") else old).horizon_years
    return _mixed(old, new, "", take_new, horizon)  # type: ignore[return-value]


def _mixed(
    old: BaseModel | None,
    new: BaseModel | None,
    prefix: str,
    take_new: Callable[[str], bool],
    horizon: int,
) -> BaseModel | None:
    model = old if old is not None else new
    if model is None:
        return None
    chosen: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        path = f"{prefix}{name}"
        o = getattr(old, name) if old is not None else None
        n = getattr(new, name) if new is not None else None
        inner = loader._model_in(info.annotation)
        if inner is not None and isinstance(o if o is not None else n, tuple):
            chosen[name] = _mixed_items(o or (), n or (), path, take_new, horizon)
        elif isinstance(o, BaseModel) or isinstance(n, BaseModel):
            chosen[name] = _mixed(o, n, f"{path}.", take_new, horizon)
        else:
            value = n if _takes_new(path, take_new) else o
            chosen[name] = value[:horizon] if isinstance(value, tuple) else value
    return type(model).model_construct(**chosen)


def _takes_new(path: str, take_new: Callable[[str], bool]) -> bool:
    """Whether the leaf at `path` is at its new value: its input's, when it is one."""
    if path.split(".", 1)[0] in _NOT_INPUTS:
        return False
    # an unchanged leaf, or text, is at its old value (either side's would do)
    return take_new(_ONE_INPUT.get(path, path))


def _mixed_items(
    old: tuple[Any, ...],
    new: tuple[Any, ...],
    path: str,
    take_new: Callable[[str], bool],
    horizon: int,
) -> tuple[Any, ...]:
    """Items of a list of models matched by name: each whole from the side its input takes,
    old ones in their order, then those only the new side has."""
    new_by_name = {getattr(item, "name", None): item for item in new}
    old_names = {getattr(item, "name", None) for item in old}
    items: list[Any] = []
    for item in old:
        name = getattr(item, "name", None)
        pick = new_by_name.get(name) if _takes_new(f"{path}[{name}]", take_new) else item
        if pick is not None:
            items.append(_cut(pick, horizon))
    for item in new:
        name = getattr(item, "name", None)
        if name not in old_names and _takes_new(f"{path}[{name}]", take_new):
            items.append(_cut(item, horizon))
    return tuple(items)


def _cut(item: BaseModel, horizon: int) -> BaseModel:
    """An item with its per-year lists cut to `horizon` (itself when none is longer)."""
    long = {
        name: value[:horizon]
        for name in type(item).model_fields
        if isinstance(value := getattr(item, name), tuple) and len(value) > horizon
    }
    return item.model_copy(update=long) if long else item
