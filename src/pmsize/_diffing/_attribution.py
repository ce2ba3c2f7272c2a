"""Which changed input moved the NPV by how much: Shapley values over mixes of the sides.

The NPV change is split among the changed inputs by their Shapley values:

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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from pmsize import _engine as engine
from pmsize._models import Problem

# changed inputs attributed one by one; above, in this many groups (`players`): either way
# every subset of the players is sized, at most 2^12 = 4,096 mixes a changed problem
EXACT_UP_TO = 12
# masks sized together at most (memory: a few arrays a year each): all of `attribute`'s at
# one horizon; a `HybridInputs` of more players is sized block by block
_CHUNK = 1 << EXACT_UP_TO


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
    return exact_shapley(len(groups), npvs), all(len(group) == 1 for group in groups)


def exact_shapley(k: int, values: Sequence[float]) -> list[float]:
    """Each of `k` players' Shapley value: phi_i = sum over S not holding i of
    |S|! (k-|S|-1)! / k! (f(S+i) - f(S)), with f(S) = values[S] (S as a bit mask)."""
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

        from pmsize._sampling import ARRAY

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
