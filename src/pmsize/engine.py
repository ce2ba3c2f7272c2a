"""The sizing model of SPEC §3: a problem in, figures, flags and a verdict out.

The formulas live once, in `size()`, written against a tiny `Ops` interface so
the same code runs over plain floats (point evaluation, explain, tornado ends,
break-even) and over numpy arrays of samples (simulation): `ScalarOps` here,
`sampling.ArrayOps` there. Every input is taken through a `pick` function
(`Inputs.take`) that is given the value from the file and its path in the file
(such as `alternatives[0].annual_cost`), so callers decide what a range means:
its central value, a column of samples, or its low or high end.

The engine never prints, reads files or exits, and writes no sentence: numbers
and flag codes out. The result types live in `results` (re-exported here), the
words in `messages`, and `service.evaluate` assembles a point evaluation.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

from pmsize.models import DEFAULT_CAP_THRESHOLD, DEFAULT_THIN_MARGIN, Policy, Problem
from pmsize.results import FlagCode, Severity, Verdict
from pmsize.values import Quantity, Range, central

# A number: a float in a point evaluation, a numpy array of samples in a simulation.
# (Typed as Any: the model is plain arithmetic that both support.)
N: TypeAlias = Any

VERDICTS: tuple[Verdict, ...] = tuple(Verdict)  # in rising order of concern: `verdict` indexes it


class Ops(Protocol):
    """Elementwise operations the model needs, for floats or arrays."""

    def maximum(self, a: N, b: N) -> N: ...
    def minimum(self, a: N, b: N) -> N: ...
    def where(self, condition: Any, a: Any, b: Any) -> Any: ...
    def divide(self, a: N, b: N) -> N:
        """a / b, NaN where b is 0."""
        ...


class ScalarOps:
    """`Ops` over plain floats."""

    @staticmethod
    def maximum(a: float, b: float) -> float:
        return max(a, b)

    @staticmethod
    def minimum(a: float, b: float) -> float:
        return min(a, b)

    @staticmethod
    def where(condition: Any, a: Any, b: Any) -> Any:
        return a if condition else b

    @staticmethod
    def divide(a: float, b: float) -> float:
        return a / b if b != 0 else math.nan


SCALAR = ScalarOps()


@dataclass(frozen=True)
class Thresholds:
    """Policy thresholds in force for one problem."""

    cap_threshold: float = DEFAULT_CAP_THRESHOLD
    thin_margin: float = DEFAULT_THIN_MARGIN


DEFAULT_THRESHOLDS = Thresholds()  # the built-in thresholds, when no policy sets any


def resolve_thresholds(*policies: Policy) -> Thresholds:
    """The first threshold set in `policies` (CLI, problem, portfolio), else the built-in."""
    cap = next((p.cap_threshold for p in policies if p.cap_threshold is not None), None)
    thin = next((p.thin_margin for p in policies if p.thin_margin is not None), None)
    return Thresholds(
        DEFAULT_CAP_THRESHOLD if cap is None else cap, DEFAULT_THIN_MARGIN if thin is None else thin
    )


Pick = Callable[[Quantity, str], Any]


@dataclass(frozen=True)
class AlternativeInputs:
    annual_cost: N
    one_time_cost: N
    solves: N


@dataclass(frozen=True)
class Inputs:
    """The model's numeric inputs, each a float or an array of samples."""

    horizon: int
    discount_rate: N
    customers: N
    problem_cost: N
    solves: N
    build_cost: N
    annual_cost: N
    cost_per_customer: N
    price: N | None
    adoption: tuple[N, ...]  # one share per year, already extended to the horizon
    # a tuple, or with `take(lazy=True)` an iterator read once by `size`
    alternatives: Iterable[AlternativeInputs]

    @classmethod
    def take(cls, problem: Problem, pick: Pick, *, lazy: bool = False) -> Inputs:
        """Inputs from a problem, each value passed through `pick(value, path)`.

        With `lazy`, the alternatives' values are picked only as `size` reaches each
        alternative, so columns of samples for thousands of alternatives are never all
        alive at once (pass `size(..., per_alternative=False)` too).
        """
        market, solution = problem.market, problem.solution
        if market.problem_cost is not None:
            problem_cost = pick(market.problem_cost, "market.problem_cost")
        else:
            assert market.revenue is not None
            assert market.problem_share is not None
            problem_cost = pick(market.revenue, "market.revenue") * pick(
                market.problem_share, "market.problem_share"
            )
        if len(solution.adoption) == 1:
            shares = [pick(solution.adoption[0], "solution.adoption")]
        else:
            shares = [pick(q, f"solution.adoption[{i}]") for i, q in enumerate(solution.adoption)]
        shares += [shares[-1]] * (problem.horizon_years - len(shares))

        def alternatives() -> Iterable[AlternativeInputs]:
            for i, a in enumerate(problem.alternatives):
                yield AlternativeInputs(
                    annual_cost=pick(a.annual_cost, f"alternatives[{i}].annual_cost"),
                    one_time_cost=pick(a.one_time_cost, f"alternatives[{i}].one_time_cost"),
                    solves=pick(a.solves, f"alternatives[{i}].solves"),
                )

        return cls(
            horizon=problem.horizon_years,
            discount_rate=pick(problem.discount_rate, "discount_rate"),
            customers=pick(market.customers, "market.customers"),
            problem_cost=problem_cost,
            solves=pick(solution.solves, "solution.solves"),
            build_cost=pick(solution.build_cost, "solution.build_cost"),
            annual_cost=pick(solution.annual_cost, "solution.annual_cost"),
            cost_per_customer=pick(solution.cost_per_customer, "solution.cost_per_customer"),
            price=None if solution.price is None else pick(solution.price, "solution.price"),
            adoption=tuple(shares),
            alternatives=alternatives() if lazy else tuple(alternatives()),
        )


@dataclass(frozen=True)
class Sizing:
    """Every figure of SPEC §3, as floats or arrays; NaN stands for "undefined"."""

    problem_cost: N  # P
    market_size: N  # M = P * N
    value: N  # V = P * solves
    crf: N  # capital recovery factor
    alternative_costs: tuple[N, ...]  # c_a (empty unless per_alternative)
    alternative_reliefs: tuple[N, ...]  # R_a (empty unless per_alternative)
    alternative_max_prices: tuple[N, ...]  # C_a (empty unless per_alternative)
    ceiling: N  # C
    set_by: Any  # index of the alternative that sets C, -1 for none
    cap_ratio: N  # C / V, NaN when V = 0
    price: N  # p
    naive_price: N  # p_naive
    customers_paying: tuple[N, ...]  # w_t, t = 1..H
    costs: tuple[N, ...]  # cost_t, t = 1..H
    cash_flows: tuple[N, ...]  # CF_t, t = 0..H
    discount_factors: tuple[N, ...]  # (1 + r)^-t, t = 0..H
    npv: N
    pv_revenue: N
    pv_costs: N
    roi: N  # NaN when PV_costs = 0
    naive_npv: N
    naive_roi: N
    flags: dict[FlagCode, Any]  # flag code -> bool or boolean array
    verdict: Any  # index into VERDICTS


def size(
    inputs: Inputs,
    thresholds: Thresholds,
    ops: Ops,
    *,
    per_alternative: bool = True,
    extras: bool = True,
) -> Sizing:
    """Run the sizing model (SPEC §3) over floats or arrays.

    P = problem cost, M = P*N, V = P*solves; CRF = r/(1-(1+r)^-H) (1/H at r = 0);
    c_a = annual + one_time*CRF, R_a = P*solves_a, C_a = c_a + (V - R_a);
    C = max(0, min(V, min_a C_a)); p = min(price, C) or C; CF_0 = -build,
    CF_t = w_t*p - (annual + w_t*cost_per_customer); NPV = sum CF_t (1+r)^-t.

    The ceiling is folded one alternative at a time into a running minimum and the
    index that set it; `per_alternative=False` keeps nothing else of each alternative
    (c_a, R_a, C_a), so memory does not grow with their number. `extras=False` skips
    what only a point evaluation shows (PV revenue, naive NPV and ROI: NaN instead).
    """
    r, horizon = inputs.discount_rate, inputs.horizon
    p_cost = inputs.problem_cost
    market_size = p_cost * inputs.customers
    value = p_cost * inputs.solves
    crf = ops.where(r == 0, 1 / horizon, ops.divide(r, 1 - (1 + r) ** -horizon))

    costs_a, reliefs_a, max_prices_a = [], [], []
    best: Any = value
    best_index: Any = -1
    for index, alt in enumerate(inputs.alternatives):
        c_a = alt.annual_cost + alt.one_time_cost * crf
        r_a = p_cost * alt.solves
        max_price = c_a + (value - r_a)
        if per_alternative:
            costs_a.append(c_a)
            reliefs_a.append(r_a)
            max_prices_a.append(max_price)
        lower = max_price < best  # strict: the first listed wins a tie
        best_index = ops.where(lower, index, best_index)
        best = ops.minimum(best, max_price)
    ceiling = ops.maximum(0.0, best)
    cap_ratio = ops.divide(ceiling, value)
    price = ceiling if inputs.price is None else ops.minimum(inputs.price, ceiling)
    naive_price = value if inputs.price is None else inputs.price

    discount = tuple((1 + r) ** -t for t in range(horizon + 1))
    paying = tuple(inputs.customers * share for share in inputs.adoption)
    costs = tuple(inputs.annual_cost + w * inputs.cost_per_customer for w in paying)
    pv_costs = inputs.build_cost + sum(c * d for c, d in zip(costs, discount[1:], strict=True))

    def flows(p: Any) -> tuple[Any, ...]:
        return (-inputs.build_cost, *(w * p - c for w, c in zip(paying, costs, strict=True)))

    def present_value(cash: Sequence[Any]) -> Any:
        return sum(cf * d for cf, d in zip(cash, discount, strict=True))

    cash_flows = flows(price)
    npv = present_value(cash_flows)
    roi = ops.divide(npv, pv_costs)
    pv_revenue = naive_npv = naive_roi = math.nan
    if extras:
        pv_revenue = sum(w * price * d for w, d in zip(paying, discount[1:], strict=True))
        naive_npv = present_value(flows(naive_price))
        naive_roi = ops.divide(naive_npv, pv_costs)

    flags = {
        FlagCode.NO_SUSTAINABLE_PRICE: ceiling == 0,
        FlagCode.NEGATIVE_NPV: npv < 0,
        FlagCode.CAPPED_BY_ALTERNATIVE: (cap_ratio > 0) & (cap_ratio < thresholds.cap_threshold),
        # without a price, `ceiling < 0` is never true but has the shape of the samples
        FlagCode.OVERPRICED: (inputs.price > ceiling) if inputs.price is not None else ceiling < 0,
        FlagCode.THIN_MARGIN: (npv >= 0) & (roi < thresholds.thin_margin),
    }
    # the verdict follows the severities: avoid on any error, reconsider on any warning
    errors = functools.reduce(
        operator.or_, (on for code, on in flags.items() if code.severity is Severity.ERROR)
    )
    warnings = functools.reduce(
        operator.or_, (on for code, on in flags.items() if code.severity is Severity.WARNING)
    )
    verdict = ops.where(errors, 2, ops.where(warnings, 1, 0))
    return Sizing(
        problem_cost=p_cost,
        market_size=market_size,
        value=value,
        crf=crf,
        alternative_costs=tuple(costs_a),
        alternative_reliefs=tuple(reliefs_a),
        alternative_max_prices=tuple(max_prices_a),
        ceiling=ceiling,
        set_by=ops.where(best < value, best_index, -1),
        cap_ratio=cap_ratio,
        price=price,
        naive_price=naive_price,
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


def point(problem: Problem, thresholds: Thresholds = Thresholds()) -> Sizing:
    """The sizing of a problem with every range at its central value, over floats."""
    return size(Inputs.take(problem, lambda q, _: central(q)), thresholds, SCALAR)


def ranged_inputs(problem: Problem) -> tuple[tuple[str, Range], ...]:
    """The ranged inputs of a problem with their paths in the file, in the order of the model."""
    found: list[tuple[str, Range]] = []

    def pick(q: Quantity, path: str) -> float:
        if isinstance(q, Range):
            found.append((path, q))
        return central(q)

    Inputs.take(problem, pick)
    return tuple(found)


def sign_changes(cash_flows: Sequence[float]) -> int:
    """How many times the cash flows change sign, zeros skipped."""
    signs = [cf > 0 for cf in cash_flows if cf != 0]
    return sum(a != b for a, b in itertools.pairwise(signs))


def unique_irr(cash_flows: Sequence[float]) -> tuple[float | None, str | None]:
    """The IRR when the cash flows change sign exactly once (then it is unique), and a note if not.

    With one sign change, NPV as a polynomial in x = 1/(1+r) has exactly one positive
    root (Descartes' rule of signs); it is found by bisection on x, so r > -100%.
    """
    changes = sign_changes(cash_flows)
    if changes == 0:
        return None, "no IRR: the cash flows never change sign"
    if changes > 1:
        return None, f"no unique IRR: the cash flows change sign {changes} times"

    def npv_at(x: float) -> float:
        return sum(cf * x**t for t, cf in enumerate(cash_flows))

    low, high = 0.0, 1.0
    sign_low = npv_at(low) > 0 if cash_flows[0] != 0 else _leading_sign(cash_flows)
    try:
        while (npv_at(high) > 0) == sign_low:
            high *= 2
            if high > 1e12:
                raise OverflowError
    except OverflowError:  # the root lies at an IRR within a hair of -100%
        return None, "no IRR within reach: it would be below -99.9999999999%"
    for _ in range(200):
        mid = (low + high) / 2
        if mid in (low, high):
            break
        if (npv_at(mid) > 0) == sign_low:
            low = mid
        else:
            high = mid
    x = (low + high) / 2
    return (1 / x - 1 if x > 0 else None), None


def _leading_sign(cash_flows: Sequence[float]) -> bool:
    """Sign of NPV just above x = 0: that of the first non-zero flow."""
    return next(cf for cf in cash_flows if cf != 0) > 0


def cumulative_discounted(
    cash_flows: Sequence[float], discount_factors: Sequence[float]
) -> tuple[float, ...]:
    """D_t = sum_{k <= t} CF_k (1+r)^-k for t = 0..H: where the discounted cash flow stands
    at the end of each year (D_H is the NPV, up to rounding)."""
    running, out = 0.0, []
    for flow, factor in zip(cash_flows, discount_factors, strict=True):
        running += flow * factor
        out.append(running)
    return tuple(out)


def discounted_payback(
    cash_flows: Sequence[float], discount_factors: Sequence[float]
) -> float | None:
    """Years until the cumulative discounted cash flow D_t reaches 0, interpolated in the year.

    For the first t in 1..H with D_t >= 0: (t-1) + (-D_{t-1}) / (D_t - D_{t-1}) when
    D_{t-1} < 0, else t-1; None when D_t stays below 0 through the horizon.
    """
    cumulative = cumulative_discounted(cash_flows, discount_factors)
    for t in range(1, len(cumulative)):
        previous, current = cumulative[t - 1], cumulative[t]
        if current >= 0:
            if previous < 0:
                return (t - 1) + (-previous) / (current - previous)
            return float(t - 1)
    return None


def price_for_roi(
    pv_costs: float,
    customers_paying: Sequence[float],
    discount_factors: Sequence[float],
    roi: float,
) -> float | None:
    """The price per customer a year at which ROI reaches `roi` (0: NPV breaks even).

    NPV is linear in the price p: NPV(p) = p * A - PV_costs with A = sum_t w_t (1+r)^-t
    (t = 1..H; `discount_factors` run from t = 0), and PV_costs does not depend on p, so
    ROI = roi at p = PV_costs * (1 + roi) / A. None when no customer ever pays (A = 0).
    With a vanishing number of paying customers (0.000...1) the quotient overflows to
    infinity: no price would do.
    """
    paying = sum(w * d for w, d in zip(customers_paying, discount_factors[1:], strict=True))
    return pv_costs * (1 + roi) / paying if paying > 0 else None


def solves_for_cap(
    problem_cost: float, alternatives: Iterable[tuple[float, float]], cap: float
) -> float | None:
    """The share s of the problem our solution must remove for the ceiling to reach `cap`
    of its value (0: for there to be any ceiling at all), given each alternative's
    (relief R_a, effective annual cost c_a).

    C_a = c_a + s*P - R_a >= cap * s*P for every alternative a
    <=> s >= (R_a - c_a) / (P * (1 - cap)); None without alternatives or a problem cost.
    """
    scale = problem_cost * (1 - cap)
    if scale <= 0:  # no problem cost, cap >= 1, or an underflow
        return None
    return max(((relief - cost) / scale for relief, cost in alternatives), default=None)
