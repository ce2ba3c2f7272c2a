"""The sets of ranged problems a chance-constrained plan may fund (`_chance`): a depth-first
branch and bound over the problems whose drawn build costs differ, in batches of numpy
arrays, that keeps each set whose best completion may be worth more than a set known to
fit.

Notation as in `_chance`: N draws, at most k of which may overrun the budget B; a set's
Q is the (k+1)-th largest of its drawn totals. The problems are decided one at a time,
those whose uncertainty matters most first (the gap between a problem's lowest draw and
the mean of its draws that may not overrun, times its value per that mean). A partial
set A (the problems taken so far) is dropped when Q(A) > B, or when a bound on every
completion A + F + P (F ranged problems not yet decided, P point problems) is below the
best value known. The bounds rest on one fact:
for any set D of k+m draws (1 <= m <= N-k),

    Q(A + F + P) >= mean of the m smallest totals over D
                 >= A's mean over its m smallest in D + sum_F (j's mean over its m
                    smallest in D) + c(P)

(Q is the (k+1)-th largest over all draws, so at least the m-th smallest over D; the
m smallest of a sum are at least the m smallest of each part). Each choice of D and m
gives a knapsack row c(P) + sum_F w_j <= B - a, whose linear relaxation (the items by
value per weight, the last one in part) bounds the completions' value:

- **Tails** (`TAILS`, cheap): D the k+m draws where A is highest, and each undecided
  problem weighed at its m smallest draws over all N (no fewer in any D), so the bound
  is one curve per depth and tail, looked up by the room left.
- **Matched** (`MATCHED_TAIL`, dearer, on the sets the tails keep): the same D, and each
  undecided problem weighed at its own m smallest draws in that D; a set's D is where
  its total is high, not where the others are low, which is the bound that prunes.

Everything compared against a bound is loosened by `SLACK` and a margin of 1e-9 of the
value, so rounding can only keep a set, never drop one that may be the optimum.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from numpy.typing import NDArray

TAILS = (10, 50, 200)  # besides m = 1 (Q itself) and m = N - k (all the draws below Q)
MATCHED_TAIL = 50
BATCH_DRAWS = 1 << 20  # partial sets x draws (or problems x draws) held at once: 8 MB
SLACK = 1e-12  # relative: the budget loosened by this much wherever a bound is compared


@dataclass(frozen=True)
class Drawn:
    """The items as a chance-constrained plan sees them: each one's value (`v`), its drawn
    build costs (`cost`: a row an item, a column a draw), the budget, the draws a set may
    overrun (`allowed`) and the most items a set may hold (`most`)."""

    v: NDArray[Any]
    cost: NDArray[Any]
    budget: float
    allowed: int
    most: int


@dataclass
class Searched:
    """What the search left: the best set known (it fits, and was checked exactly), and
    either the ranged sets that may still beat it (`leaves`: one row per set, which of
    `ranged` it holds; their values; their Q) or, when the deadline stopped the search
    (`leaves` None), `bound`: no set that fits is worth more."""

    best: list[int]
    leaves: NDArray[Any] | None
    leaf_values: NDArray[Any]
    leaf_quantiles: NDArray[Any]
    ranged: NDArray[Any]  # the items whose draws differ, in the order of `leaves`' columns
    points: NDArray[Any]  # the items that cost the same in every draw
    bound: float


def search(
    drawn: Drawn,
    usable: NDArray[Any],
    best: list[int],
    fits: Callable[[Sequence[int]], bool],
    deadline: float | None,
) -> Searched:
    """The ranged sets among `usable` items whose best completion may be worth more than
    `best`; see the module docstring. A better set met on the way (a kept set filled
    greedily with points, and checked by `fits`) becomes the best known."""
    return _Search(drawn, usable, best, fits).run(deadline)


class _Search:
    """The state of one search: the items in the order decided, the bounds' curves, the
    best set known and its value."""

    def __init__(
        self,
        drawn: Drawn,
        usable: NDArray[Any],
        best: list[int],
        fits: Callable[[Sequence[int]], bool],
    ) -> None:
        import numpy as np

        v, cost, budget, allowed = drawn.v, drawn.cost, drawn.budget, drawn.allowed
        self.v, self.cost, self.budget, self.allowed = v, cost, budget, allowed
        self.most = drawn.most
        self.fits = fits
        self.draws = cost.shape[1]
        self.keep = self.draws - allowed  # draws that must not overrun: Q is the keep-th lowest
        varies = cost[usable].max(axis=1) > cost[usable].min(axis=1)
        self.tails = sorted({1, self.keep, *(m for m in TAILS if m < self.keep)})
        low = np.sort(cost[usable[varies]], axis=1)
        means = np.cumsum(low, axis=1)[:, [m - 1 for m in self.tails]] / np.array(self.tails)
        # the problems whose uncertainty matters most first: the widest spread (from the
        # lowest draw to the mean of those that may not overrun) times value per cost
        spread = (means[:, -1] - means[:, 0]) * v[usable[varies]] / np.maximum(means[:, -1], 1e-300)
        order = np.argsort(-spread, kind="stable")
        self.ranged = usable[varies][order]
        self.points = usable[~varies]
        self.rows, self.worth = cost[self.ranged], v[self.ranged]
        self.point_values, self.point_costs = v[self.points], cost[self.points, 0]
        self.curves = _Curves(self.worth, means[order].T, self.point_values, self.point_costs)
        self.room = budget + SLACK * abs(budget)
        self.split = sorted({self.keep - m for m in self.tails} | {self.keep - 1})
        self.batch = max(16, BATCH_DRAWS // self.draws)
        self.matched_tail = min(MATCHED_TAIL, self.keep)
        ratio = self.point_values / np.maximum(self.point_costs, 1e-300)
        by_ratio = np.argsort(-ratio, kind="stable")
        self.by_ratio, self.by_ratio_costs = self.points[by_ratio], self.point_costs[by_ratio]
        self.best = best
        self.value = math.fsum(v[best])
        self.leaves: list[tuple[Any, Any, Any, Any]] = []
        self.deadline: float | None = None

    @property
    def floor(self) -> float:
        """A set whose bound is below this is dropped: the best value, less a margin."""
        return self.value - 1e-9 * abs(self.value)

    def run(self, deadline: float | None) -> Searched:
        import numpy as np

        self.deadline = deadline
        lows = np.zeros((len(self.tails), 1))  # the empty set's
        root = min(float(_relaxed(c, self.room - lows[0])[0]) for c in self.curves.at(0))
        stack = [(0, np.zeros((1, 0), bool), np.array([root]), lows)]
        while stack:
            if deadline is not None and time.monotonic() > deadline:
                left = [float(b.max()) for _, _, b, _ in stack]
                left += [float(leaf[3].max()) for leaf in self.leaves if len(leaf[3])]
                empty = np.zeros(0)
                return Searched(
                    self.best, None, empty, empty, self.ranged, self.points, max(self.value, *left)
                )
            depth, masks, bounds, lows = stack.pop()
            # the sets of the same depth on top of the stack, searched together up to a
            # batch (a batch of a few sets would spend its time in numpy's overhead)
            while stack and stack[-1][0] == depth and len(masks) + len(stack[-1][1]) <= self.batch:
                _, more, more_bounds, more_lows = stack.pop()
                masks = np.concatenate([masks, more])
                bounds = np.concatenate([bounds, more_bounds])
                lows = np.concatenate([lows, more_lows], axis=1)
            alive = bounds >= self.floor  # the best known may have risen meanwhile
            masks, lows = masks[alive], lows[:, alive]
            if not len(masks):
                continue
            if depth == len(self.ranged):
                self._leaves(masks, lows[0])
                continue
            for grown, bound, child_lows in self._children(depth, masks, lows):
                for at in range(0, len(grown), self.batch):  # the last pushed: searched first
                    part = slice(at, at + self.batch)
                    stack.append((depth + 1, grown[part], bound[part], child_lows[:, part]))
        return self._result()

    def _children(
        self, depth: int, masks: NDArray[Any], lows: NDArray[Any]
    ) -> list[tuple[Any, Any, Any]]:
        """The partial sets without and with the item at `depth`, those the bounds keep,
        with their bounds and tails (the sets that take the item last). Both children
        are matched on their parent's draws D (any D gives a bound: the parent's top
        ones are close to each child's, and weighing the undecided items once serves
        both)."""
        import numpy as np

        taken = masks.astype(float)
        values = taken @ self.worth[:depth]
        totals = taken @ self.rows[:depth]
        groups = []
        for take in (False, True):
            grown = np.hstack([masks, np.full((len(masks), 1), take)])
            if take:
                worth, sums = values + self.worth[depth], totals + self.rows[depth]
                tails = self._tails_of(sums)
            else:
                worth, sums, tails = values, totals, lows
            bound = np.full(len(masks), np.inf)
            for curve, tail in zip(self.curves.at(depth + 1), tails, strict=True):
                bound = np.minimum(bound, worth + _relaxed(curve, self.room - tail))
            kept = (bound >= self.floor) & (tails[0] <= self.room)
            if take:
                kept &= grown.sum(axis=1) <= self.most
            groups.append((grown, worth, sums, tails, bound, kept))
        either = np.flatnonzero(groups[0][5] | groups[1][5])
        draws, weights = self._matched_draws(depth + 1, totals[either])
        either = either[: len(draws)]  # those the deadline left time to match
        children = []
        for grown, worth, sums, tails, bound, kept in groups:
            at = np.flatnonzero(kept[either])
            if len(at):
                mine = np.take_along_axis(sums[either[at]], draws[at], axis=1)
                matched = self._matched(depth + 1, mine, weights[at], worth[either[at]])
                bound[either[at]] = np.minimum(bound[either[at]], matched)
                kept[either[at]] = matched >= self.floor
            children.append((grown[kept], bound[kept], tails[:, kept]))
        return children

    def _tails_of(self, totals: NDArray[Any]) -> NDArray[Any]:
        """Per set (a row of totals), for each tail m: the mean of its totals ranked k+1
        to k+m from the top (m = 1: Q)."""
        import numpy as np

        part = np.partition(totals, self.split, axis=1)
        return np.stack([part[:, self.keep - m : self.keep].mean(axis=1) for m in self.tails])

    def _matched_draws(self, depth: int, totals: NDArray[Any]) -> tuple[Any, Any]:
        """Per set (a row of totals): its k+m highest draws D, and the mean of each
        undecided item's (from `depth` on) m smallest draws in D; for the first sets only
        when the deadline comes meanwhile (the matched bound is a refinement: a set left
        without it keeps the tails' bound)."""
        import numpy as np

        size = self.allowed + self.matched_tail
        free = self.rows[depth:]
        step = max(1, BATCH_DRAWS // max(1, len(free) * size))
        draws, weights = [np.zeros((0, size), np.intp)], [np.zeros((0, len(free)))]
        for at in range(0, len(totals), step):
            if self.deadline is not None and time.monotonic() > self.deadline:
                break
            top = np.argpartition(totals[at : at + step], self.draws - size, axis=1)
            top = top[:, self.draws - size :]
            lowest = np.partition(free[:, top], self.matched_tail - 1, axis=2)
            weights.append(lowest[:, :, : self.matched_tail].mean(axis=2).T)
            draws.append(top)
        return np.concatenate(draws), np.concatenate(weights)

    def _matched(
        self, depth: int, mine: NDArray[Any], weights: NDArray[Any], values: NDArray[Any]
    ) -> NDArray[Any]:
        """The matched bound (module docstring) of sets with these totals over their D
        (`mine`), the undecided items' (from `depth` on) `weights` and the sets' values."""
        import numpy as np

        m = self.matched_tail
        own = np.partition(mine, m - 1, axis=1)[:, :m].mean(axis=1)
        points = np.broadcast_to(self.point_costs, (len(mine), len(self.points)))
        worth = np.concatenate([self.worth[depth:], self.point_values])
        matched: NDArray[Any] = values + _each_relaxed(
            worth, np.hstack([weights, points]), self.room - own
        )
        return matched

    def _leaves(self, masks: NDArray[Any], q: NDArray[Any]) -> None:
        """Keep the complete ranged sets whose best fill with points may beat the best
        known, and try the most promising one, filled greedily, as a better set."""
        import numpy as np

        values = masks.astype(float) @ self.worth
        bound = values + _relaxed(self.curves.at(len(self.ranged))[0], self.room - q)
        kept = bound >= self.floor
        self.leaves.append((masks[kept], values[kept], q[kept], bound[kept]))
        if kept.any():
            top = int(np.argmax(bound))
            fill = [int(i) for i in self.ranged[masks[top]]]
            room, count = self.budget - float(q[top]), self.most - len(fill)
            fill += point_fill(self.by_ratio, self.by_ratio_costs, room, count)
            if math.fsum(self.v[fill]) > self.value and self.fits(fill):
                self.best, self.value = fill, math.fsum(self.v[fill])

    def _result(self) -> Searched:
        import numpy as np

        if not self.leaves:  # pragma: no cover - the best known's path is never dropped
            empty = np.zeros(0)
            return Searched(
                self.best,
                np.zeros((0, len(self.ranged)), bool),
                empty,
                empty,
                self.ranged,
                self.points,
                self.value,
            )
        masks = np.concatenate([leaf[0] for leaf in self.leaves])
        values, quantiles, bounds = (
            np.concatenate([lf[i] for lf in self.leaves]) for i in (1, 2, 3)
        )
        kept = bounds >= self.floor
        return Searched(
            self.best,
            masks[kept],
            values[kept],
            quantiles[kept],
            self.ranged,
            self.points,
            self.value,
        )


def point_fill(order: NDArray[Any], costs: NDArray[Any], room: float, most: int) -> list[int]:
    """Each item of `order` (of cost `costs`, in the same order) that still fits in `room`
    (a running sum kept a little under it), at most `most` of them."""
    chosen: list[int] = []
    spent = 0.0
    for i, c in zip(order.tolist(), costs.tolist(), strict=True):
        if len(chosen) < most and spent + c <= room * (1 - 1e-12):
            spent += c
            chosen.append(i)
    return chosen


class _Curves:
    """The tails' bound at each depth of the search as a function of the room left: the
    linear relaxation of the knapsack of the points and the ranged items not yet
    decided, weighed at each tail, as (rooms, values) breakpoints."""

    def __init__(
        self,
        worth: NDArray[Any],
        weights: NDArray[Any],
        point_values: NDArray[Any],
        point_costs: NDArray[Any],
    ) -> None:
        self.worth, self.weights = worth, weights
        self.point_values, self.point_costs = point_values, point_costs
        self.cache: dict[int, list[tuple[Any, Any]]] = {}

    def at(self, depth: int) -> list[tuple[Any, Any]]:
        """One curve per tail, the items from `depth` on undecided."""
        import numpy as np

        if depth not in self.cache:
            curves = []
            for w in self.weights:
                values = np.concatenate([self.worth[depth:], self.point_values])
                weights = np.concatenate([w[depth:], self.point_costs])
                free = weights <= 0
                order = np.argsort(-values[~free] / weights[~free], kind="stable")
                rooms = np.concatenate([[0.0], np.cumsum(weights[~free][order])])
                worth = np.concatenate([[0.0], np.cumsum(values[~free][order])])
                curves.append((rooms, worth + values[free].sum()))
            self.cache[depth] = curves
        return self.cache[depth]


def _relaxed(curve: tuple[Any, Any], room: NDArray[Any]) -> NDArray[Any]:
    """A curve's bound at each room left; -inf where the room is negative (no set fits)."""
    import numpy as np

    rooms, worth = curve
    return np.where(room < 0, -np.inf, np.interp(room, rooms, worth))


def _each_relaxed(values: NDArray[Any], weights: NDArray[Any], rooms: NDArray[Any]) -> NDArray[Any]:
    """The linear relaxation of one knapsack per row of `weights` (the same `values`), each
    with its room: the items by value per weight, whole while they fit, then a part of the
    next; -inf where the room is negative."""
    import numpy as np

    count, n = weights.shape
    if n == 0:
        return np.where(rooms < 0, -np.inf, 0.0)
    ratio = np.divide(values, weights, out=np.full(weights.shape, np.inf), where=weights > 0)
    order = np.argsort(-ratio, axis=1, kind="stable")
    w = np.take_along_axis(weights, order, axis=1)
    worth = values[order]
    spent, gained = np.cumsum(w, axis=1), np.cumsum(worth, axis=1)
    whole = np.count_nonzero(spent <= rooms[:, None], axis=1)
    row = np.arange(count)
    last = np.maximum(whole - 1, 0)
    before_w = np.where(whole > 0, spent[row, last], 0.0)
    before_v = np.where(whole > 0, gained[row, last], 0.0)
    nxt = np.minimum(whole, n - 1)
    share = np.divide(rooms - before_w, w[row, nxt], out=np.ones(count), where=w[row, nxt] > 0)
    part = np.where(whole < n, np.clip(share, 0.0, 1.0) * worth[row, nxt], 0.0)
    return np.where(rooms < 0, -np.inf, before_v + part)


def ceiling(searched: Searched, drawn: Drawn) -> float:
    """No set that fits is worth more: the best of the kept ranged sets, each with the
    points that fit beside it in the linear relaxation (the best known if none is kept)."""
    import numpy as np

    v, cost, budget = drawn.v, drawn.cost, drawn.budget
    points = searched.points
    if not len(searched.leaf_values):  # pragma: no cover - the best known's set is kept
        return math.fsum(v[searched.best])
    curve = _Curves(np.zeros(0), np.zeros((1, 0)), v[points], cost[points, 0]).at(0)[0]
    room = budget + SLACK * abs(budget) - searched.leaf_quantiles
    return float(np.max(searched.leaf_values + _relaxed(curve, room)))


__all__ = ["Drawn", "Searched", "ceiling", "point_fill", "search"]
