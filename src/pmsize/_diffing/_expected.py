"""A changed problem under uncertainty (SPEC §15): both sides simulated on the same draws,
and the change in expected NPV split among the changed inputs.

When either side of a changed problem has ranges, correlations or scenarios that are
drawn, each side is simulated (`simulation.npv_samples`, the draws `pmsize simulate`
makes) with the same seed. Every input draws from a stream keyed by the seed and its
path (`sampling.stream`), and a problem's scenarios from one keyed by its name, so an
input unchanged on both sides draws the same values on both: common random numbers.
An edit that moves no number (a policy; an alternative that never sets the ceiling)
changes the expected NPV by exactly 0, and one that only widens a range moves it by
what the wider range does, not by the noise of two unrelated runs.

The change in expected NPV is split by Shapley values over the same draws:
f(S) is the mean NPV of the problem with the inputs in S at their new values and the
rest old (`mixed`: the data as written, each input's entry taken from the side it is
on, validated as a file is). Exact up to `EXACT_UP_TO` (8) changed inputs: 2^k mixes.
Above, the mean over `ORDERS` (200) random orders from a fixed seed (each order's
contributions add up to the change, so their mean does too); past `GROUPS` (12) inputs,
in 12 groups as the point attribution groups them (`players`), so a problem is
simulated at most a few thousand times whatever its number of changed inputs.

A mix that cannot be made (a problem built in code keeps no data as written) or that
the rules refuse (a correlation that pairs an input one side ranges and the other does
not; a horizon shorter than another input's list of years) is not guessed at: the
changed inputs are then attributed as one group.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pmsize._diffing._attribution import exact_shapley, players
from pmsize._diffing._changes import SCENARIOS, folded, path_parts
from pmsize._models import Problem, validate
from pmsize._models._fields import problem_context
from pmsize._models._rules import COST_KEYS  # `market.problem_cost`, however written

EXACT_UP_TO = 8  # changed inputs whose Shapley values are exact: 2^8 = 256 mixes
ORDERS = 200  # random orders above, from `ORDER_SEED`
ORDER_SEED = 0
GROUPS = 12  # players at most: past this many changed inputs, groups of them


@dataclass(frozen=True)
class Expected:
    """One side of a changed problem as simulated: its mean NPV over the draws with a finite
    NPV (None when none has one) and the share of draws whose NPV is above 0."""

    expected_npv: float | None
    p_npv_positive: float


def uncertain(problem: Problem) -> bool:
    """Whether a simulation of the problem draws anything: a ranged input, correlations, or
    scenarios with probabilities."""
    from pmsize._inputs import catalogue
    from pmsize._models import _scenarios as scenarios

    return (
        bool(problem.correlations)
        or scenarios.base_probability(problem.scenarios) is not None
        or any(i.ranged for i in catalogue(problem))
    )


def simulated(problem: Problem, samples: int, seed: int) -> tuple[Expected, Any]:
    """A problem's figures over `samples` draws with `seed`, and the draws' NPVs."""
    import numpy as np

    from pmsize._simulation import npv_samples

    npv = npv_samples(problem, samples=samples, seed=seed, threads=1)
    finite = npv[np.isfinite(npv)]
    mean = float(finite.mean()) if finite.size else None
    return Expected(mean, float(np.count_nonzero(npv > 0)) / samples), npv


def expected_attribution(
    old: Problem,
    new: Problem,
    inputs: Sequence[str],
    figures: tuple[Expected, Expected],
    samples: int,
    seed: int,
) -> tuple[list[tuple[tuple[str, ...], float]], bool]:
    """Each player's Shapley value of the change in expected NPV (`figures`: the two sides
    as simulated), as (its inputs, its effect), and whether each is exact and one input.
    Empty when the change has no finite figure to split."""
    before, after = figures[0].expected_npv, figures[1].expected_npv
    if not inputs or before is None or after is None:
        return [], True
    groups = players(inputs, exact_up_to=GROUPS)
    if len(groups) == 1:
        return [(groups[0], after - before)], len(groups[0]) == 1
    full = (1 << len(groups)) - 1
    known: dict[int, float] = {0: before, full: after}
    mixes = _Mixes(old, new, groups)

    def f(mask: int) -> float:
        if mask not in known:
            problem = mixes.problem(mask)
            if problem is None:
                raise _UnmixableError
            mean = simulated(problem, samples, seed)[0].expected_npv
            known[mask] = math.nan if mean is None else mean
        return known[mask]

    try:
        if len(groups) <= EXACT_UP_TO:
            effects = exact_shapley(len(groups), [f(mask) for mask in range(full + 1)])
            exact = True
        else:
            effects = _sampled_orders(len(groups), f)
            exact = False
    except _UnmixableError:
        together = tuple(name for group in groups for name in group)
        return [(together, after - before)], False
    return list(zip(groups, effects, strict=True)), exact and all(len(g) == 1 for g in groups)


class _UnmixableError(Exception):
    """A mix of the two sides that the rules refuse, or that cannot be made."""


def _sampled_orders(k: int, f: Callable[[int], float]) -> list[float]:
    """The mean over `ORDERS` random orders of each player's contribution where it joins."""
    import numpy as np

    rng = np.random.default_rng(ORDER_SEED)
    totals: list[list[float]] = [[] for _ in range(k)]
    for _ in range(ORDERS):
        mask, value = 0, f(0)
        for i in rng.permutation(k).tolist():
            mask |= 1 << i
            now = f(mask)
            totals[i].append(now - value)
            value = now
    return [math.fsum(t) / ORDERS for t in totals]


class _Mixes:
    """The problems that mix two sides of a changed problem, one for each set of players
    at their new values (a bit mask), made from the data as written and validated."""

    def __init__(self, old: Problem, new: Problem, groups: Sequence[tuple[str, ...]]) -> None:
        self.old, self.new, self.groups = old, new, groups

    def problem(self, mask: int) -> Problem | None:
        before, after = self.old.as_written, self.new.as_written
        if before is None or after is None:
            return None
        # a new container wherever a value is written, the rest shared with the old side
        # (validating reads the data, never writes it)
        data = dict(before)
        for i, group in enumerate(self.groups):
            if mask & (1 << i):
                for name in group:
                    _take(data, after, name)
        problem, errors = validate(Problem, data, problem_context(data))
        if problem is None or errors:
            return None
        problem._located(self.new.source or self.old.source or _nowhere(self.new))
        problem._shared_scenarios = self.old.shared_scenarios and self.new.shared_scenarios
        return problem


def _nowhere(problem: Problem) -> Any:
    from pmsize._errors import Location

    return Location(problem.name[:100], 0, 0)


def _take(data: dict[str, Any], new: Mapping[str, Any], name: str) -> None:
    """Write input `name` as the new side has it into `data` (the old side's, copied)."""
    parts = path_parts(name)
    if len(parts) == 1 and isinstance(parts[0], tuple):  # an item: `alternatives[Excel]`
        _take_item(data, new, *parts[0])
        return
    if name == "market.problem_cost":
        for key in COST_KEYS:
            _take_path(data, new, ["market", key])
        return
    _take_path(data, new, [part for part in parts if isinstance(part, str)])


def _take_path(data: dict[str, Any], new: Mapping[str, Any], parts: list[str]) -> None:
    node: Any = new
    for part in parts:
        node = node.get(part, _MISSING) if isinstance(node, Mapping) else _MISSING
    target: Any = data
    for part in parts[:-1]:  # each container on the way copied: the old side's stays as it is
        inner = target.get(part)
        target[part] = dict(inner) if isinstance(inner, Mapping) else {}
        target = target[part]
    if node is _MISSING:
        target.pop(parts[-1], None)
    else:
        target[parts[-1]] = node


_MISSING: Any = object()


def _take_item(data: dict[str, Any], new: Mapping[str, Any], key: str, item: str) -> None:
    """An item of a list (an alternative) or of a mapping by name (a scenario, matched
    ignoring case) as the new side has it: replaced where the old side has it, added
    at the end, or removed."""
    if key == SCENARIOS:
        wanted = folded(item)
        old = dict(data.get(key) or {})
        for name in [n for n in old if folded(str(n)) == wanted]:
            del old[name]
        given = new.get(key) if isinstance(new.get(key), Mapping) else {}
        for name, value in (given or {}).items():
            if folded(str(name)) == wanted:
                old[name] = value
        data[key] = old
        return
    items = list(data.get(key) or [])
    theirs = [i for i in new.get(key) or [] if isinstance(i, Mapping) and _named(i, item)]
    where = [n for n, i in enumerate(items) if isinstance(i, Mapping) and _named(i, item)]
    if where:
        first = where[0]
        items = [i for n, i in enumerate(items) if n not in where]
        items[first:first] = theirs[:1]
    else:
        items += theirs[:1]
    data[key] = items


def _named(item: Mapping[str, Any], name: str) -> bool:
    given = item.get("name")
    return isinstance(given, str) and given.strip() == name.strip()


__all__ = [
    "EXACT_UP_TO",
    "GROUPS",
    "ORDERS",
    "Expected",
    "expected_attribution",
    "simulated",
    "uncertain",
]
