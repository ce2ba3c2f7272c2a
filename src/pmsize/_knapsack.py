"""The 0/1 knapsack under a budget and a count, solved exactly (SPEC §9's optimum).

    maximise   sum_i v_i x_i
    subject to sum_i c_i x_i <= B      (checked exactly, in Python)
               sum_i x_i <= K          (when a most number of items K is given)
               x_i in {0, 1}

`optimum` solves it with scipy's `milp` (HiGHS branch and bound) at a zero optimality
gap, after the linear relaxation has fixed the items every optimal set holds and given a
bound and a greedy fill (`_fixed_by_bounds`). scipy and numpy are imported inside the
functions that solve. The optimum is exact up to the solver's floating-point precision
(sets whose totals differ by a few parts in 10^12 may not be told apart); the budget
holds exactly whatever the figures (see `best_subset`). benchmarks/plan_bruteforce.py
checks thousands of random knapsacks against brute force.

- **Ties.** Of sets with the same total value, the one of least total cost; items with
  the same value and cost are interchangeable, the ones listed first chosen first. Sets
  equal in both totals are told apart by the solver, the same way on every run.
- **Time.** 200 items nearly equally worth their cost kept HiGHS busy for minutes, so
  `optimum` takes a deadline; when it stops the search, the best set found (the
  solver's or the greedy fill's) with the lowest bound proven (`Optimum.gap`). Such a
  set fits the budget exactly; the least-cost rule for ties holds only when the search
  finished. HiGHS runs in a worker thread, so a signal ends a solve at once
  (`interruptible`).
"""

from __future__ import annotations

import math
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache, partial
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from numpy.typing import NDArray

MAX_CUTS = 1000  # sets cut off for exceeding the budget by a hair before giving up (never seen)
# A zero gap, relative and absolute (HiGHS's default absolute gap, 1e-6 of the largest value
# here, would let a set that much short pass as optimal); scipy passes the absolute gap on
# to HiGHS verbatim, with a RuntimeWarning that `interruptible` silences.
SOLVER_OPTIONS = {"mip_rel_gap": 0.0, "mip_abs_gap": 0.0}
WAIT_STEP = 0.05  # seconds the calling thread waits at a time while the solver runs

T = TypeVar("T")


@dataclass(frozen=True)
class Optimum:
    """The best set found, and how close to the best possible it is proven to be."""

    items: tuple[int, ...]  # indices, ascending
    value: float  # their total value
    bound: float  # proven: no set that fits is worth more (>= value)
    exact: bool  # the solver proved `items` optimal (then bound == value)

    @property
    def gap(self) -> float:
        """(bound - value) / bound: the share of the best possible value the set may fall
        short of; 0 when exact."""
        if self.exact or self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.value) / self.bound)


def best_subset(
    values: Sequence[float],
    costs: Sequence[float],
    budget: float,
    max_count: int | None = None,
    *,
    break_ties: bool = True,
) -> tuple[int, ...]:
    """Indices (ascending) of the subset with the highest total value whose costs sum to at
    most `budget` (and that has at most `max_count` members): the exact 0/1 optimum.

    Items of value <= 0 are never chosen; ties are broken as the module's **Ties** says.

    Solved by scipy's `milp` (HiGHS) with `mip_rel_gap=0`, costs scaled by the budget and
    values by the largest value, so both rows are of order 1. HiGHS accepts a row that
    exceeds its bound by up to its feasibility tolerance (about 1e-7 here, relative), so
    a set the solver calls feasible may exceed the budget by a hair (4e-11 of $300k
    when $100k + $200k is written 0.1 * 3 ...). Every set it returns is therefore summed
    again here with `math.fsum` against the budget itself; one that is over is cut off
    by a constraint that excludes exactly that set (sum over it of x_i <= |set| - 1) and
    the model is solved again. Every set that truly fits stays feasible, so the first
    set that passes is the optimum of the true problem. The stage that breaks ties
    (least cost at the optimum's value) only replaces the set when the new one checks out
    exactly: a value no lower, a cost strictly lower, within the budget. Without
    `break_ties` that stage is skipped (for when only the optimum's value matters).

    No time limit: `optimum` takes a deadline.
    """
    return optimum(values, costs, budget, max_count, break_ties=break_ties).items


def optimum(
    values: Sequence[float],
    costs: Sequence[float],
    budget: float,
    max_count: int | None = None,
    *,
    break_ties: bool = True,
    deadline: float | None = None,
) -> Optimum:
    """`best_subset`, searched until `deadline` (a `time.monotonic()` moment; None: until
    solved); past it, the best set found and the bound proven (**Time** in the module)."""
    items = [
        i
        for i, (v, c) in enumerate(zip(values, costs, strict=True))
        if v > 0 and c <= budget and max_count != 0
    ]
    if not items:
        return Optimum((), 0.0, 0.0, exact=True)
    if _fits(items, costs, budget, max_count):
        total = math.fsum(values[i] for i in items)
        return Optimum(tuple(items), total, total, exact=True)
    v, c = [values[i] for i in items], [costs[i] for i in items]
    bounds = _fixed_by_bounds(v, c, budget, max_count, deadline)
    model = _Model(v, c, budget, max_count, bounds.fixed_in, bounds.core, deadline)
    solved = model.best(break_ties=break_ties)
    chosen: Sequence[int]
    if solved is not None and solved.exact:
        chosen, bound, exact = solved.items, solved.value, True
    else:  # the deadline came first: the better of the solver's set and the greedy fill
        chosen, bound, exact = bounds.incumbent, bounds.bound, False
        if solved is not None:
            bound = min(bound, solved.bound)
            if solved.value >= math.fsum(v[j] for j in chosen):
                chosen = solved.items
    value = math.fsum(v[j] for j in chosen)
    return Optimum(tuple(sorted(items[j] for j in chosen)), value, max(value, bound), exact=exact)


def _fits(items: Sequence[int], costs: Sequence[float], budget: float, count: int | None) -> bool:
    """Whether the items cost at most the budget, summed exactly, and are at most `count`."""
    return math.fsum(costs[j] for j in items) <= budget and (count is None or len(items) <= count)


@dataclass(frozen=True)
class _Bounds:
    """What the linear relaxation tells before the search: the items every optimal set
    holds, those left for the solver, a set known to fit and an upper bound on any."""

    fixed_in: list[int]
    core: list[int]
    incumbent: list[int]  # a set that fits (the best of three greedy fills)
    bound: float  # no set that fits is worth more


def _fixed_by_bounds(
    values: Sequence[float],
    costs: Sequence[float],
    budget: float,
    max_count: int | None,
    deadline: float | None = None,
) -> _Bounds:
    """Items every optimal set holds, and the items left for the solver (SPEC §9's speed).

    Reduced-cost fixing with a bound computed here, in Python: for any multipliers
    y1, y2 >= 0 (budget and count rows), every feasible set S has
        value(S) <= U = y1*B + y2*K + sum_j max(0, d_j),   d_j = v_j - y1*c_j - y2,
    so a set without an item of d_j > 0 is worth at most U - d_j, and one with an item
    of d_j < 0 at most U + d_j. When that is below the value of a set known to fit (the
    best of three greedy fills), strictly and by a margin far above float error, no
    optimal set (nor any set tied with one) leaves that item out, or takes it. The
    multipliers are the duals of the LP relaxation (HiGHS): any y >= 0 gives a valid
    bound, so the LP's tolerances cannot make the fixing wrong, only weaker. U is also
    the bound reported when the search stops at the deadline before the solver has one.
    """
    import numpy as np
    from scipy.optimize import linprog

    n = len(values)
    k = n if max_count is None else max_count
    top = max(values)
    scale = budget if budget > 0 else 1.0
    rows = [np.array(costs) / scale]
    uppers = [budget / scale]
    if max_count is not None:
        rows.append(np.ones(n))
        uppers.append(float(max_count))
    lp = interruptible(
        lambda: linprog(
            -np.array(values) / top,
            A_ub=np.array(rows),
            b_ub=np.array(uppers),
            bounds=(0, 1),
            method="highs",
            options=time_options(deadline, {}, at_least=1.0),  # an LP of two rows: fast
        )
    )
    # A set known to fit: the best of filling greedily by value per cost, by value, and
    # from the LP's whole items on by value per cost.
    by_ratio = sorted(range(n), key=lambda j: _ratio_key(values[j], costs[j]))
    by_value = sorted(range(n), key=lambda j: -values[j])
    starts: list[tuple[list[int], list[int]]] = [([], by_ratio), ([], by_value)]
    if lp.status == 0:
        starts.append(([j for j in range(n) if lp.x[j] > 1 - 1e-9], by_ratio))
    fills = [_greedy(s, order, values, costs, budget, k) for s, order in starts]
    incumbent = max(fills, key=lambda f: f[0])
    if lp.status != 0:  # pragma: no cover - the LP of a knapsack always solves, and fast
        return _Bounds([], list(range(n)), incumbent[1], math.fsum(v for v in values if v > 0))
    duals = [max(0.0, -float(m)) for m in lp.ineqlin.marginals]
    y1 = duals[0] * top / scale
    y2 = duals[1] * top if max_count is not None else 0.0
    d = [values[j] - y1 * costs[j] - y2 for j in range(n)]
    bound = math.fsum([y1 * budget, y2 * k, *(x for x in d if x > 0)])
    margin = 1e-9 * (abs(bound) + abs(incumbent[0])) + 1e-300
    fixed_in, core = [], []
    for j in range(n):
        if d[j] > 0 and bound - d[j] < incumbent[0] - margin:
            fixed_in.append(j)
        elif not (d[j] < 0 and bound + d[j] < incumbent[0] - margin):
            core.append(j)
    return _Bounds(fixed_in, core, incumbent[1], bound)


def _ratio_key(value: float, cost: float) -> float:
    """Best value per cost first; a free item first of all."""
    return -value / cost if cost > 0 else -math.inf


def _greedy(
    start: list[int],
    order: Sequence[int],
    values: Sequence[float],
    costs: Sequence[float],
    budget: float,
    k: int,
) -> tuple[float, list[int]]:
    """`start`, then each item in `order` that still fits while the count is below `k`:
    the total value and the items of a set that surely fits (a running sum kept a little
    under the budget, the set checked with `math.fsum` at the end), else (0, [])."""
    taken = list(start)
    spent = math.fsum(costs[j] for j in taken)
    if len(taken) > k or spent > budget:
        return 0.0, []
    held = set(taken)
    for j in order:
        if len(taken) < k and j not in held and spent + costs[j] <= budget * (1 - 1e-12):
            spent += costs[j]
            taken.append(j)
    if math.fsum(costs[j] for j in taken) > budget:  # pragma: no cover - the margin holds
        return 0.0, []
    return math.fsum(values[j] for j in taken), taken


@dataclass(frozen=True)
class _Solved:
    """What one search of the model gave: a set that fits (None: none found), a bound on
    the objective of any set, scaled as the model's (None: none known), and whether the
    set is proven optimal (with no set: proven that none exists)."""

    chosen: list[int] | None
    bound: float | None
    proven: bool


class _Model:
    """The knapsack over the items not fixed, as a MILP, re-solved with cuts until its
    answer (with the items fixed in) fits the budget exactly."""

    def __init__(
        self,
        values: list[float],
        costs: list[float],
        budget: float,
        max_count: int | None,
        fixed_in: list[int],
        core: list[int],
        deadline: float | None = None,
    ) -> None:
        import numpy as np

        self.values, self.costs, self.budget, self.max_count = values, costs, budget, max_count
        self.fixed_in, self.core, self.deadline = fixed_in, core, deadline
        n = len(core)
        self.n = n
        core_values = [values[j] for j in core]
        core_costs = [costs[j] for j in core]
        self.top = max(core_values, default=1.0)
        self.scaled_values = np.array(core_values) / self.top
        scale = budget if budget > 0 else 1.0  # budget 0: every item left costs 0
        self.scaled_costs = np.array(core_costs) / scale
        room = math.fsum([budget, *(-costs[j] for j in fixed_in)])
        rows: list[NDArray[Any]] = [self.scaled_costs]
        uppers = [room / scale]
        if max_count is not None:
            rows.append(np.ones(n))
            uppers.append(float(max_count - len(fixed_in)))
        # Identical items (same value and cost): the one listed first is taken first,
        # x_a >= x_b for a listed before b. This is the tie rule for them and spares the
        # solver exploring their permutations.
        seen: dict[tuple[float, float], int] = {}
        for j, key in enumerate(zip(core_values, core_costs, strict=True)):
            before = seen.get(key)
            if before is not None:
                row = np.zeros(n)
                row[j], row[before] = 1.0, -1.0
                rows.append(row)
                uppers.append(0.0)
            seen[key] = j
        self.rows, self.uppers = rows, uppers

    def _full(self, chosen: list[int]) -> list[int]:
        """The items of a solution of the core, with the items fixed in."""
        return [*self.fixed_in, *(self.core[j] for j in chosen)]

    def _exact(self, items: list[int]) -> Optimum:
        """`items` as the optimum: its value is its bound."""
        value = math.fsum(self.values[j] for j in items)
        return Optimum(tuple(sorted(items)), value, value, exact=True)

    def best(self, *, break_ties: bool = True) -> Optimum | None:
        """The optimal set, over all the model's items; with `break_ties`, of the least total
        cost among the optimal sets. When the deadline stops the search: the best set found
        and the bound proven (not exact), or None when none was found."""
        if not self.core:
            return self._exact(self.fixed_in)
        found = self._solve(self.rows, self.uppers, maximise_value=True)
        if found.chosen is None:  # the deadline came before any set (the empty core fits)
            return None
        best = self._exact(self._full(found.chosen))
        if not found.proven:
            fixed = math.fsum(self.values[j] for j in self.fixed_in)
            bound = math.inf if found.bound is None else fixed - found.bound * self.top
            return replace(best, bound=max(best.value, bound), exact=False)
        if not break_ties:
            return best
        # Ties: the least cost at this value, taken only when it checks out exactly.
        core_value = math.fsum(self.values[self.core[j]] for j in found.chosen)
        floor = core_value / self.top - 1e-9 * max(1.0, len(found.chosen))
        cheaper = self._solve(
            [*self.rows, -self.scaled_values], [*self.uppers, -floor], maximise_value=False
        )
        if cheaper.chosen is not None:
            other = self._exact(self._full(cheaper.chosen))
            cost = math.fsum(self.costs[j] for j in best.items)
            if other.value >= best.value and math.fsum(self.costs[j] for j in other.items) < cost:
                return other
        return best

    def _solve(
        self, rows: list[NDArray[Any]], uppers: list[float], *, maximise_value: bool
    ) -> _Solved:
        """The optimal set of the core with `rows @ x <= uppers` (the highest value, or the
        least cost), checked exactly against the budget and the count with the items fixed
        in, and cut off and solved again while it exceeds them; until the deadline, after
        which the best set found that fits, if any, with the solver's bound."""
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp

        rows, uppers = list(rows), list(uppers)
        objective = -self.scaled_values if maximise_value else self.scaled_costs
        bound: float | None = None
        for _ in range(MAX_CUTS):
            options = time_options(self.deadline, SOLVER_OPTIONS)
            if options is None:
                return _Solved(None, bound, proven=False)
            result = interruptible(
                partial(
                    milp,
                    objective,
                    integrality=np.ones(self.n),
                    bounds=Bounds(0, 1),
                    constraints=LinearConstraint(np.array(rows), -np.inf, np.array(uppers)),
                    options=options,
                )
            )
            if result.status not in (0, 1, 2):  # pragma: no cover - never seen
                raise RuntimeError(f"the budget optimum was not found: {result.message}")
            stopped = result.status == 1  # the time limit (we set no other)
            if result.x is None:
                # no set: the tie stage's floor out of reach (2), or the deadline came first
                return _Solved(None, bound, proven=not stopped)
            dual = getattr(result, "mip_dual_bound", None)
            if stopped and dual is not None and math.isfinite(dual):
                bound = dual if bound is None else max(bound, dual)  # each cut model holds
            chosen = [j for j in range(self.n) if result.x[j] > 0.5]
            if _fits(self._full(chosen), self.costs, self.budget, self.max_count):
                return _Solved(chosen, bound, proven=not stopped)
            cut = np.zeros(self.n)
            cut[chosen] = 1.0
            rows.append(cut)
            uppers.append(len(chosen) - 1.0)
        raise RuntimeError(  # pragma: no cover - needs 1,000 sets over the budget by a hair
            f"the budget optimum was not found: {MAX_CUTS} sets exceeded it by a rounding error"
        )


def time_options(
    deadline: float | None, options: dict[str, float], at_least: float = 0.0
) -> dict[str, float] | None:
    """HiGHS's `options` with the time left before `deadline` (at least `at_least`
    seconds); None when none is left."""
    if deadline is None:
        return dict(options)
    left = max(deadline - time.monotonic(), at_least)
    if left <= 0:
        return None
    return {**options, "time_limit": left}


_solver_lock = threading.Lock()  # one solve at a time: each swaps C's stdout stream


def interruptible(solve: Callable[[], T]) -> T:
    """`solve()` (HiGHS) run in a worker thread while this thread waits in short steps.

    HiGHS runs in C and releases the GIL, so this thread's waits end and Python's signal
    handlers run during the solve: Ctrl-C or SIGTERM raise here at once, and the process
    can exit while the solver thread (a daemon) is still at work. What HiGHS printfs is
    discarded by the worker itself (`_c_stdout_discarded`), until the solver returns
    even if this thread has been interrupted; one solve runs at a time. scipy's note
    about an option it passes on verbatim (`SOLVER_OPTIONS`) is not raised either.
    """
    outcome: list[tuple[bool, Any]] = []

    def work() -> None:
        try:
            with _solver_lock, _c_stdout_discarded(), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                outcome.append((True, solve()))
        except BaseException as exc:  # handed to the waiting thread
            outcome.append((False, exc))

    worker = threading.Thread(target=work, name="pmsize-solver", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(WAIT_STEP)
    succeeded, value = outcome[0]
    if not succeeded:
        raise value
    return value  # type: ignore[no-any-return]


@contextmanager
def _c_stdout_discarded() -> Iterator[None]:
    """C's `stdout` stream pointed at the null device while HiGHS solves; descriptor 1,
    and what Python writes to it, untouched.

    HiGHS's log is off (scipy passes `disp`, False by default, as `log_to_console`), but
    HiGHS 1.12, which scipy 1.17 bundles, printfs a debugging line (`HighsMipSolverData::
    transformNewIntegerFeasibleSolution tmpSolver.run();`) whenever it repairs a solution,
    whatever its options (ERGO-Code/HiGHS#2783, gone in 1.13): no option reaches it, and
    it would land in the middle of a JSON document on stdout. Pointing descriptor 1
    away would also swallow what the rest of the process writes meanwhile (another
    thread, a notebook), so only the stream printf writes to is swapped, C's buffer
    flushed on either side. glibc and the BSD C libraries (macOS) let a program assign
    it; where the C library does not (musl's `stdout` is a constant), nothing is swapped.
    """
    found = _c_stdout()
    null = found[0].fopen(os.devnull.encode(), b"w") if found is not None else None
    if found is None or not null:  # no stream a program may assign, or no null device
        yield
        return
    libc, stdout = found
    saved = stdout.value
    libc.fflush(saved)  # what C wrote before the solve goes where it was going
    stdout.value = null
    try:
        yield
    finally:
        libc.fflush(null)
        stdout.value = saved
        libc.fclose(null)


@cache
def _c_stdout() -> tuple[Any, Any] | None:
    """The C library (`fopen`, `fflush` and `fclose` typed) and its `stdout` variable,
    when a program may assign it; else None."""
    import ctypes

    try:
        libc = ctypes.CDLL(None)
    except OSError:  # pragma: no cover - a POSIX process always has one
        return None
    # glibc's manual (12.2, Standard Streams): stdout is a normal variable a program may
    # set; on the BSDs and macOS, `stdout` is a macro for the variable `__stdoutp`
    name = "stdout" if hasattr(libc, "gnu_get_libc_version") else "__stdoutp"
    try:
        stdout = ctypes.c_void_p.in_dll(libc, name)
    except ValueError:  # pragma: no cover - musl, whose `stdout` is a constant
        return None
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.fflush.argtypes = libc.fclose.argtypes = [ctypes.c_void_p]
    return libc, stdout


__all__ = [
    "MAX_CUTS",
    "SOLVER_OPTIONS",
    "Optimum",
    "best_subset",
    "interruptible",
    "optimum",
    "time_options",
]
