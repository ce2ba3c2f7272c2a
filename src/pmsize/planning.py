"""Which problems to fund under a budget (SPEC §9): an exact 0/1 optimum, not a ranking.

    eligible   = problems whose verdict is not `avoid` and whose NPV is above 0
                 (with the expected-npv objective, whose mean NPV is above 0 too)
    maximise   sum_i v_i x_i           v_i the NPV (or the simulated mean NPV)
    subject to sum_i c_i x_i <= B      c_i the build cost (its central value), B the budget
               sum_i x_i <= K          when a most number of problems K is given
               x_i in {0, 1}

`optimum` solves it with scipy's `milp` (HiGHS branch and bound) at a zero
optimality gap, and checks what the solver returns against the budget exactly, in
Python (see `best_subset` for the tolerances). scipy (and numpy) are imported
inside the functions that solve, so `import pmsize` and `pmsize evaluate` never
load them.

A 0/1 knapsack can be hard: 200 problems nearly equally worth their build cost kept
HiGHS busy for minutes. So a plan's solving has a time limit (`time_limit`, 10 seconds
by default) shared by every solve it makes: two thirds for the plan's optimum, the rest
(and whatever the plan left) for the optimum at 10% more budget. When the limit stops
the search, the best set found so far is funded, with its proven gap: no set that fits
is worth more than its total NPV / (1 - gap) (`Plan.exact` is then False). HiGHS runs
in a worker thread (it releases the GIL) while the calling thread waits in short steps,
so Ctrl-C and SIGTERM are handled at once, not when the solver returns.

The module is `planning`, not `plan`: importing a submodule `pmsize.plan` would set
the package's attribute `plan` to the module and hide the function `pmsize.plan`
(that is why `simulate` lives in `simulation`).

The optimum is exact up to the solver's floating-point precision: sets whose total NPVs
differ by a few parts in 10^12 (a few dollars in a portfolio of $1e12 builds) may not be
told apart, and among such near-ties the least-cost rule below may not hold. The budget
holds exactly whatever the figures (checked in Python, see `best_subset`).
benchmarks/plan_bruteforce.py checks thousands of random portfolios against brute force.

Rules a reader of a plan may ask about:
- **Ties.** Of sets with the same total NPV, the one with the smaller total build
  cost is funded; problems with exactly the same NPV and build cost are
  interchangeable, and the ones listed first (in the order loaded) are funded first.
  Sets equal in both totals (rare with real figures) are told apart by the solver,
  the same way on every run with the same input.
- **No build cost.** A problem with a build cost of 0 and a positive NPV is always
  funded (unless `max_problems` leaves it no room); its NPV per dollar of build is
  undefined: None in the library and `null` in JSON, `free` in tables.
- **Left out.** Every eligible problem not funded, best NPV first; `extra_budget` is
  what funding it on top of the plan would need beyond the budget (0 when it would
  fit, and only the most number of problems stopped it).
- **Marginal.** What 10% more budget adds: the optimum re-solved at 1.1 x budget (its
  least-cost set, by the tie rule), and the problems it funds beyond the plan or instead
  of some of the plan's (none when it adds no NPV). When either search stopped at the
  time limit, the gain is an estimate (`Marginal.exact` False).
- **Time limit.** Sets found before the limit are exact about the budget (checked in
  Python like every set), only perhaps short of the optimum by the gap reported; the
  least-cost rule for ties holds only when the search finished.
- **expected-npv.** Each problem's mean NPV over `samples` draws (the same draws,
  seed and mean as `pmsize simulate`), and the chance that the funded set's total
  NPV is above 0, from per-sample sums with the problems drawn independently (each
  funded problem's samples are shuffled by a permutation of its own, since problems
  with a range at the same path would otherwise share their draws).
"""

from __future__ import annotations

import math
import os
import re
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pmsize import loader, service
from pmsize.errors import ArgumentError, InputError, InputErrors
from pmsize.models import NO_POLICY, Policy, Problem
from pmsize.options import DEFAULT_TIME_LIMIT
from pmsize.results import Evaluation, Verdict
from pmsize.values import parse_number

if TYPE_CHECKING:
    from numpy.typing import NDArray

Objective = Literal["npv", "expected-npv"]
OBJECTIVES: tuple[Objective, ...] = ("npv", "expected-npv")
SCHEMA_VERSION = 1  # of the JSON document; the same as `render.json`'s (a test holds it)
MARGINAL_STEP = 0.10  # "what 10% more budget would add"
MAX_CUTS = 1000  # sets cut off for exceeding the budget by a hair before giving up (never seen)
# A zero gap, relative and absolute (HiGHS's default absolute gap, 1e-6 of the largest NPV
# here, would let a set that much short pass as optimal); scipy passes the absolute gap on
# to HiGHS verbatim, with a RuntimeWarning that `_solver_stdout_discarded` silences.
SOLVER_OPTIONS = {"mip_rel_gap": 0.0, "mip_abs_gap": 0.0}
# `$10m/month`, `$10m per year`, `10m a quarter`: a rate, where a budget is one sum
_RATE = re.compile(r"(?:/|\bper\b|\ba\b)\s*[A-Za-z]+\.?$", re.IGNORECASE)
PERMUTATION_KEY = 0x706C616E  # "plan": keys the per-problem shuffles apart from input draws
OPTIMUM_SHARE = 2 / 3  # of the time limit, for the plan's own optimum (the rest: the marginal)
WAIT_STEP = 0.05  # seconds the calling thread waits at a time while the solver runs

T = TypeVar("T")


@dataclass(frozen=True)
class Candidate:
    """One problem as the plan weighs it."""

    name: str
    file: str
    line: int
    build_cost: float  # the central value of `solution.build_cost`
    npv: float  # the figure maximised: the point NPV, or with expected-npv the mean NPV
    point_npv: float
    verdict: Verdict

    @property
    def npv_per_build(self) -> float | None:
        """NPV per dollar of build cost; None when the build costs nothing."""
        return self.npv / self.build_cost if self.build_cost > 0 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "line": self.line,
            "build_cost": self.build_cost,
            "npv": self.npv,
            "npv_per_build": self.npv_per_build,
        }


@dataclass(frozen=True)
class LeftOut:
    """An eligible problem the plan does not fund, and what funding it on top would need."""

    candidate: Candidate
    extra_budget: float  # beyond the budget, to fund it as well as the plan (>= 0)

    def to_dict(self) -> dict[str, Any]:
        return self.candidate.to_dict() | {"extra_budget": self.extra_budget}


@dataclass(frozen=True)
class Marginal:
    """What `extra_budget` more (10% of the budget) would add to the optimum's total NPV,
    and how the optimum at that budget differs from the plan: the problems it funds that
    the plan does not (`adds`) and those of the plan it does not fund (`drops`)."""

    extra_budget: float
    npv_gain: float
    adds: tuple[Candidate, ...] = ()
    drops: tuple[Candidate, ...] = ()
    exact: bool = True  # False: a search stopped at the time limit, the gain is an estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "extra_budget": self.extra_budget,
            "npv_gain": self.npv_gain,
            "adds": [c.name for c in self.adds],
            "drops": [c.name for c in self.drops],
            "exact": self.exact,
        }


@dataclass(frozen=True)
class Plan:
    """The best set of problems to fund under a budget (`pmsize plan`, SPEC §9)."""

    currency: str
    budget: float
    objective: Objective
    max_problems: int | None
    funded: tuple[Candidate, ...]  # best NPV (the objective's) first, ties in the order loaded
    left_out: tuple[LeftOut, ...]  # best NPV first
    ineligible: tuple[Candidate, ...]  # avoid, or NPV not above 0; in the order loaded
    marginal: Marginal
    samples: int | None = None  # expected-npv only
    seed: int | None = None
    p_total_npv_positive: float | None = None  # expected-npv: P(total NPV of the funded > 0)
    exact: bool = True  # the optimum is proven; False: the time limit stopped the search
    gap: float = 0.0  # proven: no set that fits is worth more than total_npv / (1 - gap)
    time_limit: float | None = DEFAULT_TIME_LIMIT  # seconds for all the plan's solving

    @property
    def total_build(self) -> float:
        return math.fsum(c.build_cost for c in self.funded)

    @property
    def total_npv(self) -> float:
        return math.fsum(c.npv for c in self.funded)

    @property
    def eligible(self) -> int:
        """How many problems could be funded (funded and left out)."""
        return len(self.funded) + len(self.left_out)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of `pmsize plan --format json`: SPEC §9's fields in its order,
        then the extras (currency first, as every result carries one; `exact` and `gap`
        beside the total NPV they qualify)."""
        from pmsize import __version__

        return {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "currency": self.currency,
            "budget": self.budget,
            "objective": self.objective,
            "max_problems": self.max_problems,
            "funded": [c.to_dict() for c in self.funded],
            "total_build": self.total_build,
            "total_npv": self.total_npv,
            "exact": self.exact,
            "gap": self.gap,
            "left_out": [o.to_dict() for o in self.left_out],
            "marginal": self.marginal.to_dict(),
            "samples": self.samples,
            "seed": self.seed,
            "p_total_npv_positive": self.p_total_npv_positive,
            "time_limit": self.time_limit,
            "ineligible": [
                {"name": c.name, "file": c.file, "line": c.line, "verdict": str(c.verdict)}
                | {"npv": c.npv}
                for c in self.ineligible
            ],
        }

    def to_json(self, *, ascii_only: bool = False) -> str:
        """`to_dict()` as pmsize writes JSON (see `jsontext`), newline-terminated."""
        from pmsize import jsontext

        return jsontext.dumps(self.to_dict(), ascii_only=ascii_only)


def parse_budget(raw: float | str, currency: str = "") -> float:
    """A budget in the amount grammar of problem files (`$10m`, `2.5 million`, `USD 4m`).

    Raises ArgumentError (a ValueError) with a plain sentence; with `currency`, a
    symbol or code that is not that currency is refused too.
    """
    if isinstance(raw, bool):
        raise ArgumentError("--budget: write an amount such as $10m or 2.5 million")
    if not isinstance(raw, str) and isinstance(raw, int | float) and math.isnan(raw):
        raise ArgumentError("--budget: nan is not an amount; write one such as $10m")
    shown = str(raw).strip()
    try:
        value = parse_number(raw, "amount")
    except ValueError as exc:
        raise ArgumentError(f"--budget: {_reason(exc, shown)}") from None
    if currency:
        try:
            parse_number(raw, "amount", currency)
        except ValueError:
            raise ArgumentError(
                f"--budget: {shown} is not in {currency}, the currency of the problems"
            ) from None
    return value


def _reason(exc: ValueError, shown: str) -> str:
    """The grammar's sentence, or ours for a value it reads as something other than money."""
    from pmsize.fmt import safe_text

    text = safe_text(str(exc))
    if text.startswith(("has no value", "the value is empty")):
        return "give an amount such as $10m or 2.5 million"
    if _RATE.search(shown):  # the grammar's hint (a yearly figure) is for prices and costs
        return (
            f"{safe_text(shown)}: a budget is one sum to spend on building (build costs are "
            "one-time), not a rate; write the whole sum, such as $10m"
        )
    return text if shown and safe_text(shown) in text else f"{safe_text(shown)}: {text}"


def plan(
    problems: Sequence[Problem],
    budget: float | str,
    *,
    max_problems: int | None = None,
    objective: Objective = "npv",
    samples: int | None = None,
    seed: int = 0,
    policy: Policy | None = None,
    progress: Callable[[int, int], None] | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> Plan:
    """The subset of eligible problems with the highest total NPV whose build costs fit
    the budget (and that holds at most `max_problems`); see the module docstring.

    `time_limit` is the seconds all the solving may take (None: no limit); when it stops
    the search, the plan is the best set found, with `exact` False and its proven `gap`.

    Raises InputErrors when the problems are not all in one currency (each odd one
    out located), and ArgumentError (a ValueError) for a bad budget, `max_problems`,
    objective, sample count or time limit.
    """
    from pmsize.options import DEFAULT_SAMPLES

    if objective not in OBJECTIVES:
        raise ArgumentError(f"--objective {objective!r}: plan maximises npv or expected-npv")
    if max_problems is not None and (
        isinstance(max_problems, bool) or not isinstance(max_problems, int) or max_problems < 1
    ):
        raise ArgumentError(f"--max-problems: {max_problems!r} is not a whole number from 1")
    check_time_limit(time_limit)
    entries = [_entry(p) for p in problems]
    currency = _one_currency(entries)
    limit = parse_budget(budget, currency)
    policy = policy or NO_POLICY
    evaluations = [
        service.evaluate(e.problem, service.thresholds_for(e, policy), e.location) for e in entries
    ]
    eligible = [i for i, r in enumerate(evaluations) if r.verdict != Verdict.AVOID and r.npv > 0]
    npvs = [r.npv for r in evaluations]
    count = None
    if objective == "expected-npv":
        count = DEFAULT_SAMPLES if samples is None else samples
        _check_sampling(count, seed)
        means = _mean_npvs([entries[i] for i in eligible], policy, count, seed, progress)
        for i, mean in zip(eligible, means, strict=True):
            npvs[i] = mean
        eligible = [i for i in eligible if npvs[i] > 0]  # expected to lose money: never
    weighed = [_candidate(evaluations[i], npvs[i]) for i in eligible]
    held = set(eligible)
    ineligible = [_candidate(r, npvs[i]) for i, r in enumerate(evaluations) if i not in held]

    values = [c.npv for c in weighed]
    costs = [c.build_cost for c in weighed]
    if len(weighed) > 1:  # imported before the clock starts: the limit is the search's
        import scipy.optimize  # noqa: F401
    start = time.monotonic()
    found = optimum(values, costs, limit, max_problems, deadline=_after(start, time_limit))
    chosen = found.items
    # ranked as everywhere else: best NPV (the objective's) first, ties in the order loaded
    funded = tuple(sorted((weighed[i] for i in chosen), key=lambda c: -c.npv))
    more = optimum(
        values,
        costs,
        limit * (1 + MARGINAL_STEP),
        max_problems,
        deadline=_after(start, time_limit, share=1.0),
    )
    richer = more.items if more.value >= found.value else chosen  # the plan fits there too
    gain = math.fsum(values[i] for i in richer) - math.fsum(values[i] for i in chosen)
    if gain > 0:
        adds = tuple(weighed[i] for i in richer if i not in set(chosen))
        drops = tuple(weighed[i] for i in chosen if i not in set(richer))
    else:  # nothing gained: the plan stands (a set tied with it is no news)
        adds = drops = ()
    spent = math.fsum(costs[i] for i in chosen)
    taken = set(chosen)
    left_out = sorted(
        (
            LeftOut(c, max(0.0, math.fsum([spent, c.build_cost, -limit])))
            for i, c in enumerate(weighed)
            if i not in taken
        ),
        key=lambda o: -o.candidate.npv,  # a stable sort: ties stay in the order loaded
    )
    chance = None
    if objective == "expected-npv":
        assert count is not None
        funded_entries = [entries[eligible[i]] for i in chosen]
        chance = _chance_total_positive(funded_entries, policy, count, seed)
    return Plan(
        currency=currency,
        budget=limit,
        objective=objective,
        max_problems=max_problems,
        funded=funded,
        left_out=tuple(left_out),
        ineligible=tuple(ineligible),
        marginal=Marginal(
            limit * MARGINAL_STEP, max(0.0, gain), adds, drops, found.exact and more.exact
        ),
        samples=count,
        seed=seed if objective == "expected-npv" else None,
        p_total_npv_positive=chance,
        exact=found.exact,
        gap=found.gap,
        time_limit=time_limit,
    )


def check_time_limit(time_limit: object) -> None:
    """A time limit is None (none) or a number of seconds above 0; raises ArgumentError."""
    if time_limit is None:
        return
    if (
        isinstance(time_limit, bool)
        or not isinstance(time_limit, int | float)
        or not math.isfinite(time_limit)
        or time_limit <= 0
    ):
        raise ArgumentError(f"--time-limit: {time_limit!r} is not a number of seconds above 0")


def _after(start: float, time_limit: float | None, share: float = OPTIMUM_SHARE) -> float | None:
    """The moment (`time.monotonic()`) by which `share` of the time limit has passed."""
    return None if time_limit is None else start + share * time_limit


def _entry(problem: Problem) -> loader.Entry:
    from pmsize.errors import Location

    source = problem.source or Location("", 0, 0)  # built in code: no file, line 0
    return loader.Entry(problem, source, problem.portfolio_policy)


def _one_currency(entries: Sequence[loader.Entry]) -> str:
    """The currency every problem uses (the first problem's); raises InputErrors locating
    each problem in another, since build costs and NPVs only add up in one currency."""
    if not entries:
        return ""
    first = entries[0]
    currency = first.problem.currency
    errors = [
        InputError(
            e.location,
            f"{e.problem.currency}, but {first.problem.name!r} ({first.location}) is in "
            f"{currency}; a plan adds build costs and NPVs, so plan one currency at a time",
            path="currency",
        )
        for e in entries
        if e.problem.currency != currency
    ]
    if errors:
        raise InputErrors(errors)
    return currency


def _candidate(r: Evaluation, npv: float) -> Candidate:
    return Candidate(
        name=r.name,
        file=r.file,
        line=r.line,
        build_cost=-r.cash_flows[0] + 0.0,  # CF_0 = -build_cost (its central value)
        npv=npv,
        point_npv=r.npv,
        verdict=r.verdict,
    )


def _check_sampling(samples: object, seed: object) -> None:
    from pmsize.options import MAX_SAMPLES

    for name, value in (("samples", samples), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ArgumentError(f"{name} must be a whole number from 0, not {value!r}")
    assert isinstance(samples, int)
    if not 1 <= samples <= MAX_SAMPLES:
        raise ArgumentError(f"samples must be from 1 to {MAX_SAMPLES:,}, not {samples:,}")


# ---------------------------------------------------------------------------- the optimum


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

    Items of value <= 0 are never chosen. Ties: see the module docstring (the least total
    cost among sets of the same total value; identical items listed first, first).

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
    solved). When the deadline stops the solver, the best set that fits found so far (the
    solver's, or a greedy fill's) with the lowest upper bound proven (the solver's, or the
    linear relaxation's)."""
    items = [
        i
        for i, (v, c) in enumerate(zip(values, costs, strict=True))
        if v > 0 and c <= budget and max_count != 0
    ]
    if not items:
        return Optimum((), 0.0, 0.0, exact=True)
    if math.fsum(costs[i] for i in items) <= budget and (
        max_count is None or len(items) <= max_count
    ):
        total = math.fsum(values[i] for i in items)
        return Optimum(tuple(items), total, total, exact=True)
    v, c = [values[i] for i in items], [costs[i] for i in items]
    bounds = _fixed_by_bounds(v, c, budget, max_count, deadline)
    model = _Model(v, c, budget, max_count, bounds.fixed_in, bounds.core, deadline)
    solved = model.best(break_ties=break_ties)
    if solved is not None and solved.exact:
        chosen, bound, exact = solved.items, math.fsum(v[j] for j in solved.items), True
    else:  # the deadline came first: the better of the solver's set and the greedy fill
        chosen, bound, exact = bounds.incumbent, bounds.bound, False
        if solved is not None:
            bound = min(bound, solved.bound)
            if math.fsum(v[j] for j in solved.items) >= math.fsum(v[j] for j in chosen):
                chosen = solved.items
    value = math.fsum(v[j] for j in chosen)
    return Optimum(tuple(sorted(items[j] for j in chosen)), value, max(value, bound), exact=exact)


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
    lp = _interruptible(
        lambda: linprog(
            -np.array(values) / top,
            A_ub=np.array(rows),
            b_ub=np.array(uppers),
            bounds=(0, 1),
            method="highs",
            options=_time_options(deadline, {}, at_least=1.0),  # an LP of two rows: fast
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


@dataclass(frozen=True)
class _Best:
    """The model's best set (indices of all the items), and what is proven of it."""

    items: list[int]
    bound: float  # no set that fits is worth more (in the items' own values)
    exact: bool


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

    def _fits(self, items: list[int]) -> bool:
        fits = math.fsum(self.costs[j] for j in items) <= self.budget
        return fits and (self.max_count is None or len(items) <= self.max_count)

    def best(self, *, break_ties: bool = True) -> _Best | None:
        """The optimal set; with `break_ties`, of the least total cost among the optimal
        sets. When the deadline stops the search: the best set found and the bound proven
        (not exact), or None when none was found."""
        if not self.core:
            fixed = math.fsum(self.values[j] for j in self.fixed_in)
            return _Best(list(self.fixed_in), fixed, exact=True)
        found = self._solve(self.rows, self.uppers, maximise_value=True)
        if found.chosen is None:  # the deadline came before any set (the empty core fits)
            return None
        chosen = self._full(found.chosen)
        value = math.fsum(self.values[j] for j in chosen)
        if not found.proven:
            fixed = math.fsum(self.values[j] for j in self.fixed_in)
            bound = math.inf if found.bound is None else fixed - found.bound * self.top
            return _Best(chosen, max(value, bound), exact=False)
        if not break_ties:
            return _Best(chosen, value, exact=True)
        cost = math.fsum(self.costs[j] for j in chosen)
        # Ties: the least cost at this value, taken only when it checks out exactly.
        core_value = math.fsum(self.values[self.core[j]] for j in found.chosen)
        floor = core_value / self.top - 1e-9 * max(1.0, len(found.chosen))
        cheaper = self._solve(
            [*self.rows, -self.scaled_values], [*self.uppers, -floor], maximise_value=False
        )
        if cheaper.chosen is not None:
            other = self._full(cheaper.chosen)
            if (
                math.fsum(self.values[j] for j in other) >= value
                and math.fsum(self.costs[j] for j in other) < cost
            ):
                return _Best(other, value, exact=True)
        return _Best(chosen, value, exact=True)

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
            options = _time_options(self.deadline, SOLVER_OPTIONS)
            if options is None:
                return _Solved(None, bound, proven=False)
            result = _interruptible(
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
            if self._fits(self._full(chosen)):
                return _Solved(chosen, bound, proven=not stopped)
            cut = np.zeros(self.n)
            cut[chosen] = 1.0
            rows.append(cut)
            uppers.append(len(chosen) - 1.0)
        raise RuntimeError(  # pragma: no cover - needs 1,000 sets over the budget by a hair
            f"the budget optimum was not found: {MAX_CUTS} sets exceeded it by a rounding error"
        )


def _time_options(
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


_solver_lock = threading.Lock()  # one solve at a time: each points descriptor 1 away


def _interruptible(solve: Callable[[], T]) -> T:
    """`solve()` (HiGHS) run in a worker thread while this thread waits in short steps.

    HiGHS runs in C and releases the GIL, so this thread's waits end and Python's signal
    handlers run during the solve: Ctrl-C or SIGTERM raise here at once, and the process
    can exit while the solver thread (a daemon) is still at work. What HiGHS prints is
    discarded by the worker itself (`_solver_stdout_discarded`), until the solver returns
    even if this thread has been interrupted; one solve runs at a time.
    """
    outcome: list[tuple[bool, Any]] = []

    def work() -> None:
        try:
            with _solver_lock, _solver_stdout_discarded():
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
def _solver_stdout_discarded() -> Iterator[None]:
    """Discard what HiGHS prints on the process's standard output while it solves.

    Some HiGHS releases print a debugging line (`HighsMipSolverData::
    transformNewIntegerFeasibleSolution tmpSolver.run();`) with C's printf whatever
    its output options say (ERGO-Code/HiGHS#2783); it would land in the middle of a
    JSON document on stdout. File descriptor 1 points at the null device while the
    solver runs (C's buffer flushed before it is pointed back). scipy's note about an
    option passed on verbatim is not raised either.
    """
    stdout = sys.__stdout__
    try:
        fd = 1
        if stdout is not None:
            stdout.flush()
        saved = os.dup(fd)
    except (OSError, ValueError):  # no descriptor 1 (closed at start): nothing to guard
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            yield
    finally:
        _flush_c_stdout()
        os.dup2(saved, fd)
        os.close(saved)
        os.close(null)


def _flush_c_stdout() -> None:
    """fflush(NULL): C's stdio buffers, so nothing HiGHS printed is written after the guard."""
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError, TypeError):  # pragma: no cover - not a C library we know
        pass


# -------------------------------------------------------------------------- expected NPV


def npv_samples(entry: loader.Entry, policy: Policy, samples: int, seed: int) -> NDArray[Any]:
    """The NPV of each of `samples` draws of a problem: the draws `pmsize simulate` makes
    with this seed (the same streams and blocks, through the same engine)."""
    import numpy as np

    from pmsize.correlations import copula
    from pmsize.sampling import BLOCK
    from pmsize.simulation import sized_block

    thresholds = service.thresholds_for(entry, policy)
    npv = np.empty(samples)
    buffers: dict[str, Any] = {}
    dependence = copula(entry.problem)  # the declared correlations, as simulate draws them
    for index in range(-(-samples // BLOCK)):
        start = index * BLOCK
        size = min(BLOCK, samples - start)
        s, _ = sized_block(entry.problem, thresholds, seed, index, size, buffers, dependence)
        npv[start : start + size] = s.npv
    return npv


def _mean_npvs(
    entries: Sequence[loader.Entry],
    policy: Policy,
    samples: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
) -> list[float]:
    from pmsize.summary import HISTOGRAM_SPAN, summary_and

    means = []
    total = samples * len(entries)
    for done, entry in enumerate(entries):
        # the mean as simulate takes it, to the last bit: after the same partial sort (of
        # the same percentiles), which sets the order numpy sums in
        summary, _ = summary_and(npv_samples(entry, policy, samples, seed), HISTOGRAM_SPAN)
        means.append(0.0 if summary.mean is None else summary.mean)  # None: no finite NPV
        if progress is not None:
            progress((done + 1) * samples, total)
    return means


def _chance_total_positive(
    entries: Sequence[loader.Entry], policy: Policy, samples: int, seed: int
) -> float | None:
    """P(sum of the funded problems' NPVs > 0), the problems drawn independently: each
    problem's samples in an order of its own (a permutation keyed by the seed and its place
    in the plan), summed sample by sample. None when nothing is funded."""
    if not entries:
        return None
    import numpy as np

    total = np.zeros(samples)
    for place, entry in enumerate(entries):
        npv = npv_samples(entry, policy, samples, seed)
        order = np.random.default_rng(
            np.random.SeedSequence(seed, spawn_key=(PERMUTATION_KEY, place))
        ).permutation(samples)
        total += npv[order]
    return float(np.count_nonzero(total > 0)) / samples


__all__ = [
    "DEFAULT_TIME_LIMIT",
    "MARGINAL_STEP",
    "OBJECTIVES",
    "Candidate",
    "LeftOut",
    "Marginal",
    "Objective",
    "Optimum",
    "Plan",
    "best_subset",
    "check_time_limit",
    "npv_samples",
    "optimum",
    "parse_budget",
    "plan",
]
