"""The sizing model of SPEC §3: a problem in, figures, flags and a verdict out.

The formulas live once, in `size()`, written against a tiny `Ops` interface so
the same code runs over plain floats (point evaluation, explain, tornado ends,
break-even) and over numpy arrays of samples (simulation): `ScalarOps` here,
`sampling.ArrayOps` there. Every input is taken through a `pick` function
(`Inputs.take`) that is given the value from the file and its path in the file
(such as `alternatives[0].annual_cost`), so callers decide what a range means:
its central value, a column of samples, or its low or high end.

The types say which: `Inputs[float]` sizes to `Sizing[float, int]`, and
`Inputs[Column]` (each input a column of samples, or one float where it is not
ranged) to `Sizing[Column, Whole]`. A float is a column of one, so a point's
inputs are also a sampled run's (diff mixes them so).

The engine never prints, reads files or exits, and writes no sentence: numbers
and flag codes out. The result types live in `results` (re-exported here), the
words in `messages`, `finance` reads a point's cash flows (IRR, payback), and
`service.evaluate` assembles a point evaluation.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeAlias

from typing_extensions import TypeVar

from pmsize._inputs import Input, alternative_inputs, catalogue, problem_inputs
from pmsize._models import (
    YEARLY_FIELDS,
    Problem,
    from_arrival,
)

# the thresholds the flags are raised under: held by results, the engine's vocabulary too
from pmsize._results import DEFAULT_THRESHOLDS as DEFAULT_THRESHOLDS
from pmsize._results import FlagCode, Severity, Verdict
from pmsize._results import Thresholds as Thresholds
from pmsize._results import resolve_thresholds as resolve_thresholds
from pmsize._values import Range, central

if TYPE_CHECKING:  # numpy's types only: a point evaluation never imports numpy
    import numpy as np
    from numpy.typing import NDArray

    # A sampled input or figure: a column of samples, or one float where it does not vary
    # (numpy broadcasts it), as `sampling.Sampler.pick` hands out a value that is not ranged.
    Column: TypeAlias = NDArray[np.float64] | float
    # Whole numbers per sample: the index of an alternative, a year, a verdict.
    Whole: TypeAlias = NDArray[np.intp] | int
    # Yes or no, per sample where it varies: a flag, whether an alternative is there.
    Mask: TypeAlias = NDArray[np.bool_] | bool

# A number of the model: a float in a point evaluation, a `Column` in a simulation (the
# body of `size` is checked over each); W, a whole number likewise. The figures' own are
# covariant, since a float is a column of one, and a bare `Inputs` or `Sizing` is a point's.
N = TypeVar("N", float, "Column")
W = TypeVar("W", int, "Whole")
N_co = TypeVar("N_co", float, "Column", covariant=True, default=float)
W_co = TypeVar("W_co", int, "Whole", covariant=True, default=int)

VERDICTS: tuple[Verdict, ...] = tuple(Verdict)  # in rising order of concern: `verdict` indexes it


class Ops(Protocol[N, W]):
    """Elementwise operations the model needs, for floats or arrays."""

    def maximum(self, a: N, b: N, /) -> N: ...
    def minimum(self, a: N, b: N, /) -> N: ...
    def where(self, condition: Mask, a: N, b: N, /) -> N:
        """a where the condition holds, else b."""
        ...

    def where_whole(self, condition: Mask, a: W, b: W, /) -> W:
        """`where` over whole numbers: an alternative's index, a year, a verdict."""
        ...

    def divide(self, a: N, b: N, /) -> N:
        """a / b, NaN where b is 0."""
        ...


class ScalarOps:
    """`Ops` over plain floats."""

    @staticmethod
    def maximum(a: float, b: float, /) -> float:
        return max(a, b)

    @staticmethod
    def minimum(a: float, b: float, /) -> float:
        return min(a, b)

    @staticmethod
    def where(condition: Mask, a: float, b: float, /) -> float:
        return a if condition else b

    @staticmethod
    def where_whole(condition: Mask, a: int, b: int, /) -> int:
        return a if condition else b

    @staticmethod
    def divide(a: float, b: float, /) -> float:
        return a / b if b != 0 else math.nan


SCALAR = ScalarOps()


@dataclass(frozen=True)
class AlternativeInputs(Generic[N_co]):
    """One alternative's figures in each year 1..H (a value repeated where the file gives
    one), and whether it is there each year: True or False (before its `from_year`, it is
    not), or a boolean array where it is there in some samples only (diff's mixes of an
    old and a new landscape). A year it is not there, its figures are never read."""

    annual_cost: tuple[N_co, ...]
    one_time_cost: tuple[N_co, ...]
    solves: tuple[N_co, ...]
    available: tuple[Mask, ...]

    @staticmethod
    def from_year(year: int, horizon: int) -> tuple[bool, ...]:
        """`available` of an alternative that arrives in `year`: False before it, then
        True (the same two objects repeated, so years that share them share figures)."""
        return (False,) * min(year - 1, horizon) + (True,) * max(0, horizon - year + 1)


@dataclass(frozen=True)
class Inputs(Generic[N_co]):
    """The model's numeric inputs, each a float or a column of samples."""

    horizon: int
    discount_rate: N_co
    customers: N_co  # in year 1
    growth: N_co  # yearly growth of customers
    problem_cost: N_co
    solves: N_co
    build_cost: N_co
    annual_cost: N_co
    cost_per_customer: N_co
    price: N_co | None
    adoption: tuple[N_co, ...]  # one share per year, already extended to the horizon
    # a tuple, or with `take(lazy=True)` an iterator read once by `size`
    alternatives: Iterable[AlternativeInputs[N_co]]
    # whether `price` is set: True, or a boolean array where it is set in some samples only
    # (diff's mixes of a priced and an unpriced side); where it is not, we charge the ceiling
    priced: Mask = True

    @staticmethod
    def take(problem: Problem, pick: Callable[[Input], N], *, lazy: bool = False) -> Inputs[N]:
        """Inputs from a problem: each input of its catalogue (`inputs.catalogue`) passed
        through `pick(input)`, which decides what a range means (its central value, a
        column of samples, its low or high end). A per-year list is laid on the years
        1..H, its last value repeated (the same object) to the horizon.

        With `lazy`, the alternatives' values are picked only as `size` reaches each
        alternative, so columns of samples for thousands of alternatives are never all
        alive at once (pass `size(..., per_alternative=False)` too).
        """
        horizon = problem.horizon_years
        picked: dict[str, N] = {}
        shares = []
        for item in problem_inputs(problem):
            if item.field == "solution.adoption":
                shares.append(pick(item))
            else:
                picked[item.field] = pick(item)
        if "market.problem_cost" not in picked:  # the cost written as revenue x share
            picked["market.problem_cost"] = (
                picked["market.revenue"] * picked["market.problem_share"]
            )

        def alternatives() -> Iterator[AlternativeInputs[N]]:
            for index, alternative in enumerate(problem.alternatives):
                fields: dict[str, list[N]] = {f: [] for f in YEARLY_FIELDS}
                for item in alternative_inputs(problem, index):
                    fields[item.field].append(pick(item))
                arrival = alternative.from_year
                annual, one_time, solves = (
                    from_arrival(fields[f], arrival, horizon) for f in YEARLY_FIELDS
                )
                available = AlternativeInputs.from_year(arrival, horizon)
                yield AlternativeInputs(annual, one_time, solves, available)

        single = {name: picked[path] for name, path in SOURCES.items() if path in picked}
        return Inputs(
            horizon=horizon,
            price=single.pop("price", None),
            adoption=from_arrival(shares, 1, horizon),
            alternatives=alternatives() if lazy else tuple(alternatives()),
            priced=True,
            **single,
        )


# Each of the model's single numbers and the input (SPEC §13) it is taken from: `take`
# reads them by it, and diff mixes an old and a new problem by it. (`price` is None when
# the problem sets none; the problem cost is the input of that name even when the file
# writes it as revenue x share.) The per-year adoption and the alternatives are the rest.
SOURCES = {
    "discount_rate": "discount_rate",
    "customers": "market.customers",
    "growth": "market.growth",
    "problem_cost": "market.problem_cost",
    "solves": "solution.solves",
    "build_cost": "solution.build_cost",
    "annual_cost": "solution.annual_cost",
    "cost_per_customer": "solution.cost_per_customer",
    "price": "solution.price",
}


@dataclass(frozen=True)
class Sizing(Generic[N_co, W_co]):
    """Every figure of SPEC §3 and §7, as floats or columns; NaN stands for "undefined".

    Per-year figures are tuples over t = 1..H. Years in which nothing changes share one
    object (the same float or array), so a landscape that never moves costs one year.
    """

    problem_cost: N_co  # P
    market_size: N_co  # M = P * N, year 1
    value: N_co  # V = P * solves
    crf: N_co  # capital recovery factor
    # per alternative, per year (None before it is available); empty unless per_alternative
    alternative_costs: tuple[tuple[N_co | None, ...], ...]  # c_a,t
    alternative_reliefs: tuple[tuple[N_co | None, ...], ...]  # R_a,t
    alternative_max_prices: tuple[tuple[N_co | None, ...], ...]  # C_a,t
    ceilings: tuple[N_co, ...]  # C_t
    set_by_years: tuple[W_co, ...]  # set_by_t: index of the alternative, -1 for none
    ceiling: N_co  # C = min_t C_t, the sustainable ceiling
    ceiling_year: W_co  # the first year t with C_t = C (1 while the ceiling never moves)
    set_by: W_co  # set_by_t of that year
    cap_ratio: N_co  # C / V, NaN when V = 0
    prices: tuple[N_co, ...]  # p_t
    price: N_co  # p = min_t p_t
    naive_price: N_co  # p_naive
    customers: tuple[N_co, ...]  # N_t, t = 1..H
    customers_paying: tuple[N_co, ...]  # w_t, t = 1..H
    costs: tuple[N_co, ...]  # cost_t, t = 1..H
    cash_flows: tuple[N_co, ...]  # CF_t, t = 0..H
    discount_factors: tuple[N_co, ...]  # (1 + r)^-t, t = 0..H
    npv: N_co
    pv_revenue: N_co
    pv_costs: N_co
    roi: N_co  # NaN when PV_costs = 0
    naive_npv: N_co
    naive_roi: N_co
    flags: dict[FlagCode, Mask]  # flag code -> bool or boolean array
    verdict: W_co  # index into VERDICTS


def size(
    inputs: Inputs[N],
    thresholds: Thresholds,
    ops: Ops[N, W],
    *,
    per_alternative: bool = True,
    extras: bool = True,
) -> Sizing[N, W]:
    """Run the sizing model (SPEC §3, with the landscape over time of §7) over floats or arrays.

    P = problem cost, M = P*N, V = P*solves; CRF = r/(1-(1+r)^-H) (1/H at r = 0);
    for each alternative available in year t: c_a,t = annual + one_time*CRF,
    R_a,t = P*solves_a,t, C_a,t = c_a,t + (V - R_a,t); C_t = max(0, min(V, min_a C_a,t));
    p_t = min(price, C_t) or C_t; the headline C = min_t C_t, p = min_t p_t;
    N_t = N (1+g)^(t-1), w_t = N_t s_t; CF_0 = -build,
    CF_t = w_t*p_t - (annual + w_t*cost_per_customer); NPV = sum CF_t (1+r)^-t.

    The ceiling of each year is folded one alternative at a time into a running minimum
    and the index that set it, a year reusing the year before's result whenever both its
    inputs are the same objects; `per_alternative=False` keeps nothing else of each
    alternative (c_a,t, R_a,t, C_a,t), so memory does not grow with their number.
    `extras=False` skips what only a point evaluation shows (PV revenue, naive NPV and
    ROI: NaN instead).
    """
    r, horizon = inputs.discount_rate, inputs.horizon
    p_cost = inputs.problem_cost
    market_size = p_cost * inputs.customers
    value = p_cost * inputs.solves
    crf = ops.where(r == 0, 1 / horizon, ops.divide(r, 1 - (1 + r) ** -horizon))

    costs_a, reliefs_a, max_prices_a = [], [], []
    best: list[N] = [value] * horizon  # min(V, C_a,t) so far, per year
    best_index: list[W] = [-1] * horizon
    for index, alt in enumerate(inputs.alternatives):
        c_a: list[N | None] = [None] * horizon
        r_a: list[N | None] = [None] * horizon
        max_price: list[N | None] = [None] * horizon
        new_best, new_index = list(best), list(best_index)
        for t in range(horizon):
            there = alt.available[t]
            if there is False:
                continue
            if c_a[t - 1] is not None and _same(alt, t) and _shared(best, best_index, t):
                c_a[t], r_a[t], max_price[t] = c_a[t - 1], r_a[t - 1], max_price[t - 1]
                new_best[t], new_index[t] = new_best[t - 1], new_index[t - 1]
                continue
            cost = alt.annual_cost[t] + alt.one_time_cost[t] * crf
            relief = p_cost * alt.solves[t]
            most = cost + (value - relief)
            c_a[t], r_a[t], max_price[t] = cost, relief, most
            lower: Mask = most < best[t]  # strict: the first listed wins a tie
            lowest = ops.minimum(best[t], most)
            if there is not True:  # there in some samples only: elsewhere nothing changes
                lower = lower & there
                lowest = ops.where(there, lowest, best[t])
            new_index[t] = ops.where_whole(lower, index, best_index[t])
            new_best[t] = lowest
        best, best_index = new_best, new_index
        if per_alternative:
            costs_a.append(tuple(c_a))
            reliefs_a.append(tuple(r_a))
            max_prices_a.append(tuple(max_price))

    # C_t, set_by_t and p_t, once for each run of years that share their inputs
    starts: list[int] = [t for t in range(horizon) if t == 0 or not _shared(best, best_index, t)]
    ceilings: list[N] = []
    set_by_years: list[W] = []
    prices: list[N] = []
    for start, end in itertools.pairwise([*starts, horizon]):
        c_t = ops.maximum(0.0, best[start])
        by_t = ops.where_whole(best[start] < value, best_index[start], -1)
        p_t = _charged(inputs, c_t, ops)
        ceilings += [c_t] * (end - start)
        set_by_years += [by_t] * (end - start)
        prices += [p_t] * (end - start)
    ceiling_year: W
    set_by: W
    if len(starts) == 1:
        ceiling, ceiling_year, set_by = ceilings[0], 1, set_by_years[0]
    else:
        ceiling = functools.reduce(ops.minimum, (ceilings[t] for t in starts))
        ceiling_year, set_by = 0, -1
        unreached: Mask = True
        for t in starts:  # the first year the headline ceiling is reached
            first: Mask = unreached & (ceilings[t] == ceiling)
            ceiling_year = ops.where_whole(first, t + 1, ceiling_year)
            set_by = ops.where_whole(first, set_by_years[t], set_by)
            unreached = unreached ^ first
    cap_ratio = ops.divide(ceiling, value)
    price = _charged(inputs, ceiling, ops)  # min_t p_t
    naive_price = value if inputs.price is None else ops.where(inputs.priced, inputs.price, value)

    discount = tuple((1 + r) ** -t for t in range(horizon + 1))
    if isinstance(inputs.growth, float | int) and inputs.growth == 0:
        customers = (inputs.customers,) * horizon
    else:
        customers = tuple(inputs.customers * (1 + inputs.growth) ** t for t in range(horizon))
    paying = tuple(n * share for n, share in zip(customers, inputs.adoption, strict=True))
    costs = tuple(inputs.annual_cost + w * inputs.cost_per_customer for w in paying)
    pv_costs = inputs.build_cost + sum(c * d for c, d in zip(costs, discount[1:], strict=True))

    cash_flows = _flows(inputs.build_cost, paying, prices, costs)
    npv = _present_value(cash_flows, discount)
    roi = ops.divide(npv, pv_costs)
    pv_revenue: N = math.nan
    naive_npv: N = math.nan
    naive_roi: N = math.nan
    if extras:
        pv_revenue = sum(w * p * d for w, p, d in zip(paying, prices, discount[1:], strict=True))
        naive_npv = _present_value(
            _flows(inputs.build_cost, paying, [naive_price] * horizon, costs), discount
        )
        naive_roi = ops.divide(naive_npv, pv_costs)

    flags: dict[FlagCode, Mask] = {
        FlagCode.NO_SUSTAINABLE_PRICE: ceiling == 0,
        FlagCode.NEGATIVE_NPV: npv < 0,
        FlagCode.CAPPED_BY_ALTERNATIVE: (cap_ratio > 0) & (cap_ratio < thresholds.cap_threshold),
        # without a price, `ceiling < 0` is never true but has the shape of the samples
        FlagCode.OVERPRICED: (
            (inputs.price > ceiling) & inputs.priced if inputs.price is not None else ceiling < 0
        ),
        FlagCode.THIN_MARGIN: (npv >= 0) & (roi < thresholds.thin_margin),
    }
    verdict = verdict_of(flags, ops)
    return Sizing(
        problem_cost=p_cost,
        market_size=market_size,
        value=value,
        crf=crf,
        alternative_costs=tuple(costs_a),
        alternative_reliefs=tuple(reliefs_a),
        alternative_max_prices=tuple(max_prices_a),
        ceilings=tuple(ceilings),
        set_by_years=tuple(set_by_years),
        ceiling=ceiling,
        ceiling_year=ceiling_year,
        set_by=set_by,
        cap_ratio=cap_ratio,
        prices=tuple(prices),
        price=price,
        naive_price=naive_price,
        customers=customers,
        customers_paying=paying,
        costs=costs,
        cash_flows=cash_flows,
        discount_factors=discount,
        npv=npv,
        pv_revenue=pv_revenue,
        pv_costs=pv_costs,
        roi=roi,
        naive_npv=naive_npv,
        naive_roi=naive_roi,
        flags=flags,
        verdict=verdict,
    )


def verdict_of(flags: Mapping[FlagCode, Mask], ops: Ops[N, W]) -> W:
    """The verdict follows the severities: avoid (2) on any error, reconsider (1) on any
    warning, else pursue (0); an index into `VERDICTS`."""
    errors = functools.reduce(
        operator.or_,
        (on for code, on in flags.items() if code.severity is Severity.ERROR),
        False,
    )
    warnings = functools.reduce(
        operator.or_,
        (on for code, on in flags.items() if code.severity is Severity.WARNING),
        False,
    )
    return ops.where_whole(errors, 2, ops.where_whole(warnings, 1, 0))


def scenario_risk(avoided: float, thresholds: Thresholds) -> bool:
    """Whether `scenario-risk` is raised (SPEC §14): the scenarios whose verdict is avoid
    (base included) carry at least `scenario_risk` of the probability (`avoided`, their
    summed share; a hair under the threshold counts as at it, as 10% + 15% is 25%)."""
    return avoided > 0 and avoided >= thresholds.scenario_risk - SHARE_TOLERANCE


SHARE_TOLERANCE = 1e-9  # summed probabilities in floats: 0.1 + 0.15 is not quite 0.25


def _flows(
    build_cost: N, paying: Sequence[N], prices: Sequence[N], costs: Sequence[N]
) -> tuple[N, ...]:
    """CF_0 = -build, CF_t = w_t*p_t - cost_t for t = 1..H."""
    flows = [-build_cost]
    flows += (w * p - c for w, p, c in zip(paying, prices, costs, strict=True))
    return tuple(flows)


def _present_value(cash_flows: Sequence[N], discount_factors: Sequence[N]) -> N:
    """sum_t CF_t (1+r)^-t."""
    return sum(cf * d for cf, d in zip(cash_flows, discount_factors, strict=True))


def _charged(inputs: Inputs[N], ceiling: N, ops: Ops[N, W]) -> N:
    """p = min(price, C) where a price is set, else C (SPEC §3)."""
    if inputs.price is None:
        return ceiling
    lower = ops.minimum(inputs.price, ceiling)
    return lower if inputs.priced is True else ops.where(inputs.priced, lower, ceiling)


def _same(alt: AlternativeInputs[N], t: int) -> bool:
    """Whether an alternative's inputs in year t are the very objects of year t-1."""
    return (
        t > 0
        and alt.available[t] is alt.available[t - 1]
        and alt.annual_cost[t] is alt.annual_cost[t - 1]
        and alt.one_time_cost[t] is alt.one_time_cost[t - 1]
        and alt.solves[t] is alt.solves[t - 1]
    )


def _shared(best: Sequence[object], index: Sequence[object], t: int) -> bool:
    """Whether year t's running minimum and its setter are year t-1's objects."""
    return best[t] is best[t - 1] and index[t] is index[t - 1]


def point(
    problem: Problem,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    ranged: list[Input] | None = None,
) -> Sizing[float, int]:
    """The sizing of a problem with every range at its central value, over floats. Each
    ranged input read is added to `ranged` when one is given, in the catalogue's order
    (what `ranged_inputs` lists, without walking the catalogue again)."""
    if ranged is None:
        return size(Inputs.take(problem, at_central), thresholds, SCALAR)

    def pick(item: Input) -> float:
        if isinstance(item.value, Range):
            ranged.append(item)
        return at_central(item)

    return size(Inputs.take(problem, pick), thresholds, SCALAR)


def at_central(item: Input) -> float:
    """The `pick` of a point evaluation: every value as written, a range at its median."""
    return central(item.value)


def ranged_inputs(problem: Problem) -> tuple[tuple[str, Range], ...]:
    """The ranged inputs of a problem with their paths (SPEC §13), in the catalogue's order."""
    return tuple((i.path, i.value) for i in catalogue(problem) if isinstance(i.value, Range))
