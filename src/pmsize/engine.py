"""The sizing model of SPEC §3: a problem in, figures, flags and a verdict out.

The formulas live once, in `size()`, written against a tiny `Ops` interface so
the same code runs over plain floats (point evaluation, explain, tornado ends,
break-even) and over numpy arrays of samples (simulation): `ScalarOps` here,
`simulate.ArrayOps` there. Every input is taken through a `pick` function
(`Inputs.take`) that is given the value from the file and its path in the file
(such as `alternatives[0].annual_cost`), so callers decide what a range means:
its central value, a column of samples, or its low or high end.

The engine never prints, reads files or exits.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeAlias

from pmsize import fmt
from pmsize.errors import Location
from pmsize.models import DEFAULT_CAP_THRESHOLD, DEFAULT_THIN_MARGIN, Policy, Problem
from pmsize.values import Quantity, Range, central

# A number: a float in a point evaluation, a numpy array of samples in a simulation.
# (Typed as Any: the model is plain arithmetic that both support.)
N: TypeAlias = Any

PURSUE, RECONSIDER, AVOID = "pursue", "reconsider", "avoid"
VERDICTS = (PURSUE, RECONSIDER, AVOID)  # in rising order of concern
NO_SUSTAINABLE_PRICE = "no-sustainable-price"
NEGATIVE_NPV = "negative-npv"
CAPPED_BY_ALTERNATIVE = "capped-by-alternative"
OVERPRICED = "overpriced"
THIN_MARGIN = "thin-margin"
ERROR, WARNING = "error", "warning"
SEVERITY = {
    NO_SUSTAINABLE_PRICE: ERROR,
    NEGATIVE_NPV: ERROR,
    CAPPED_BY_ALTERNATIVE: WARNING,
    OVERPRICED: WARNING,
    THIN_MARGIN: WARNING,
}


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
    alternative_limits: tuple[N, ...]  # C_a (empty unless per_alternative)
    ceiling: N  # C
    set_by: Any  # index of the alternative that sets C, -1 for none
    cap_ratio: N  # C / V, NaN when V = 0
    price: N  # p
    naive_price: N  # p_naive
    adopters: tuple[N, ...]  # w_t, t = 1..H
    costs: tuple[N, ...]  # cost_t, t = 1..H
    cash_flows: tuple[N, ...]  # CF_t, t = 0..H
    discount_factors: tuple[N, ...]  # (1 + r)^-t, t = 0..H
    npv: N
    pv_revenue: N
    pv_costs: N
    roi: N  # NaN when PV_costs = 0
    naive_npv: N
    naive_roi: N
    flags: dict[str, Any]  # flag code -> bool or boolean array
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

    costs_a, reliefs_a, limits_a = [], [], []
    best: Any = value
    best_index: Any = -1
    for index, alt in enumerate(inputs.alternatives):
        c_a = alt.annual_cost + alt.one_time_cost * crf
        r_a = p_cost * alt.solves
        limit = c_a + (value - r_a)
        if per_alternative:
            costs_a.append(c_a)
            reliefs_a.append(r_a)
            limits_a.append(limit)
        lower = limit < best  # strict: the first listed wins a tie
        best_index = ops.where(lower, index, best_index)
        best = ops.minimum(best, limit)
    ceiling = ops.maximum(0.0, best)
    cap_ratio = ops.divide(ceiling, value)
    price = ceiling if inputs.price is None else ops.minimum(inputs.price, ceiling)
    naive_price = value if inputs.price is None else inputs.price

    discount = tuple((1 + r) ** -t for t in range(horizon + 1))
    adopters = tuple(inputs.customers * share for share in inputs.adoption)
    costs = tuple(inputs.annual_cost + w * inputs.cost_per_customer for w in adopters)
    pv_costs = inputs.build_cost + sum(c * d for c, d in zip(costs, discount[1:], strict=True))

    def flows(p: Any) -> tuple[Any, ...]:
        return (-inputs.build_cost, *(w * p - c for w, c in zip(adopters, costs, strict=True)))

    def present_value(cash: Sequence[Any]) -> Any:
        return sum(cf * d for cf, d in zip(cash, discount, strict=True))

    cash_flows = flows(price)
    npv = present_value(cash_flows)
    roi = ops.divide(npv, pv_costs)
    pv_revenue = naive_npv = naive_roi = math.nan
    if extras:
        pv_revenue = sum(w * price * d for w, d in zip(adopters, discount[1:], strict=True))
        naive_npv = present_value(flows(naive_price))
        naive_roi = ops.divide(naive_npv, pv_costs)

    flags = {
        NO_SUSTAINABLE_PRICE: ceiling == 0,
        NEGATIVE_NPV: npv < 0,
        CAPPED_BY_ALTERNATIVE: (cap_ratio > 0) & (cap_ratio < thresholds.cap_threshold),
        # without a price, `ceiling < 0` is never true but has the shape of the samples
        OVERPRICED: (inputs.price > ceiling) if inputs.price is not None else ceiling < 0,
        THIN_MARGIN: (npv >= 0) & (roi < thresholds.thin_margin),
    }
    errors = flags[NO_SUSTAINABLE_PRICE] | flags[NEGATIVE_NPV]
    warnings = flags[CAPPED_BY_ALTERNATIVE] | flags[OVERPRICED] | flags[THIN_MARGIN]
    verdict = ops.where(errors, 2, ops.where(warnings, 1, 0))
    return Sizing(
        problem_cost=p_cost,
        market_size=market_size,
        value=value,
        crf=crf,
        alternative_costs=tuple(costs_a),
        alternative_reliefs=tuple(reliefs_a),
        alternative_limits=tuple(limits_a),
        ceiling=ceiling,
        set_by=ops.where(best < value, best_index, -1),
        cap_ratio=cap_ratio,
        price=price,
        naive_price=naive_price,
        adopters=adopters,
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


@dataclass(frozen=True)
class Flag:
    """A finding about a problem: a stable `code`, its `severity` and a plain message."""

    code: str
    severity: str
    message: str


@dataclass(frozen=True)
class AlternativeResult:
    """One alternative as the model sees it, per customer a year."""

    name: str
    kind: str
    annual_cost: float
    one_time_cost: float
    solves: float
    effective_annual_cost: float  # c_a
    relief: float  # R_a
    limit: float  # C_a: the most a customer would pay us rather than use it
    sets_ceiling: bool


@dataclass(frozen=True)
class UncertainInput:
    """A ranged input of the problem, as the point evaluation used it."""

    path: str
    range: Range
    central: float


@dataclass(frozen=True)
class Evaluation:
    """The point evaluation of one problem: SPEC §5's result fields and what explains them."""

    file: str
    line: int
    name: str
    description: str | None
    currency: str
    horizon_years: int
    discount_rate: float
    solution_name: str
    solution_solves: float
    revenue: float | None  # when the problem cost is given as revenue x share
    problem_share: float | None
    problem_cost_per_customer: float
    customers: float
    market_size: float
    value_per_customer: float
    ceiling_per_customer: float
    ceiling_set_by: str | None
    cap_ratio: float | None
    price_per_customer: float
    price_given: float | None
    npv: float
    roi: float | None
    irr: float | None
    irr_note: str | None
    payback_years: float | None
    pv_revenue: float
    pv_costs: float
    cash_flows: tuple[float, ...]
    discount_factors: tuple[float, ...]  # (1 + r)^-t, t = 0..H
    adopters: tuple[float, ...]
    naive_price: float  # p_naive: the asked price, or V
    naive_npv: float
    naive_roi: float | None
    crf: float
    alternatives: tuple[AlternativeResult, ...]
    uncertain: tuple[UncertainInput, ...]
    flags: tuple[Flag, ...]
    verdict: str


def evaluate(
    problem: Problem, thresholds: Thresholds = Thresholds(), source: Location | None = None
) -> Evaluation:
    """The point evaluation of a problem: every range at its central value."""
    ranges = ranged_inputs(problem)
    s = size(Inputs.take(problem, lambda q, _: central(q)), thresholds, SCALAR)
    alternatives = tuple(
        AlternativeResult(
            name=alt.name,
            kind=alt.kind,
            annual_cost=central(alt.annual_cost),
            one_time_cost=central(alt.one_time_cost),
            solves=central(alt.solves),
            effective_annual_cost=s.alternative_costs[i],
            relief=s.alternative_reliefs[i],
            limit=s.alternative_limits[i],
            sets_ceiling=s.set_by == i,
        )
        for i, alt in enumerate(problem.alternatives)
    )
    irr, irr_note = unique_irr(s.cash_flows)
    result = Evaluation(
        file=source.file if source else "",
        line=source.line if source else 0,
        name=problem.name,
        description=problem.description,
        currency=problem.currency,
        horizon_years=problem.horizon_years,
        discount_rate=central(problem.discount_rate),
        solution_name=problem.solution.name,
        solution_solves=central(problem.solution.solves),
        revenue=_central_or_none(problem.market.revenue),
        problem_share=_central_or_none(problem.market.problem_share),
        problem_cost_per_customer=s.problem_cost,
        customers=central(problem.market.customers),
        market_size=s.market_size,
        value_per_customer=s.value,
        ceiling_per_customer=s.ceiling,
        ceiling_set_by=problem.alternatives[s.set_by].name if s.set_by >= 0 else None,
        cap_ratio=_finite_or_none(s.cap_ratio),
        price_per_customer=s.price,
        price_given=None if problem.solution.price is None else central(problem.solution.price),
        npv=s.npv,
        roi=_finite_or_none(s.roi),
        irr=irr,
        irr_note=irr_note,
        payback_years=discounted_payback(s.cash_flows, s.discount_factors),
        pv_revenue=s.pv_revenue,
        pv_costs=s.pv_costs,
        cash_flows=s.cash_flows,
        discount_factors=s.discount_factors,
        adopters=s.adopters,
        naive_price=s.naive_price,
        naive_npv=s.naive_npv,
        naive_roi=_finite_or_none(s.naive_roi),
        crf=s.crf,
        alternatives=alternatives,
        uncertain=tuple(UncertainInput(path, q, q.central) for path, q in ranges),
        flags=(),
        verdict=VERDICTS[s.verdict],
    )
    flags = tuple(
        Flag(code, SEVERITY[code], flag_message(code, result, thresholds))
        for code, raised in s.flags.items()
        if raised
    )
    return replace(result, flags=flags)


def ranged_inputs(problem: Problem) -> tuple[tuple[str, Range], ...]:
    """The ranged inputs of a problem with their paths in the file, in the order of the model."""
    found: list[tuple[str, Range]] = []

    def pick(q: Quantity, path: str) -> float:
        if isinstance(q, Range):
            found.append((path, q))
        return central(q)

    Inputs.take(problem, pick)
    return tuple(found)


def _central_or_none(q: Quantity | None) -> float | None:
    return None if q is None else central(q)


def _finite_or_none(x: float) -> float | None:
    """None for an undefined ratio: NaN (0/0) or infinite (a cost so small it rounds to 0)."""
    return x if math.isfinite(x) else None


def flag_message(code: str, r: Evaluation, thresholds: Thresholds) -> str:
    """The plain-language message of a raised flag, naming what causes it."""

    def money(x: float | None, sign: bool = False) -> str:
        return fmt.money(x, r.currency, sign=sign)

    binding = next((a for a in r.alternatives if a.sets_ceiling), None)
    if code == NO_SUSTAINABLE_PRICE:
        if binding is None:
            return f"The problem costs a customer nothing, so {r.solution_name} delivers no value."
        share = fmt.percent(binding.relief / r.problem_cost_per_customer)
        cost = money(binding.effective_annual_cost)
        return (
            f"{binding.name} removes {share} of the problem for {cost} a year, "
            f"so no customer should pay for {r.solution_name}."
        )
    if code == NEGATIVE_NPV:
        text = f"NPV is {money(r.npv)} over {fmt.plural(r.horizon_years, 'year')}"
        if r.naive_npv > 0:
            text += (
                f", while a pitch that ignores alternatives would claim {money(r.naive_npv, True)}"
            )
        return text + "."
    if code == CAPPED_BY_ALTERNATIVE:
        assert binding is not None
        assert r.cap_ratio is not None
        return (
            f"{binding.name} caps the price at {money(r.ceiling_per_customer)} a year, "
            f"{fmt.percent(r.cap_ratio)} of the {money(r.value_per_customer)} {r.solution_name} "
            f"is worth (below {fmt.percent(thresholds.cap_threshold)})."
        )
    if code == OVERPRICED:
        reason = (
            f"customers would rather use {binding.name}"
            if binding
            else f"that is more than {r.solution_name} is worth to them"
        )
        return (
            f"The price {money(r.price_given)} is above the ceiling "
            f"{money(r.ceiling_per_customer)}: {reason}; NPV assumes {money(r.price_per_customer)}."
        )
    if code == THIN_MARGIN:
        return (
            f"ROI is {fmt.percent(r.roi)}, below the {fmt.percent(thresholds.thin_margin)} "
            f"thin-margin threshold."
        )
    raise ValueError(code)


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


def discounted_payback(
    cash_flows: Sequence[float], discount_factors: Sequence[float]
) -> float | None:
    """Years until the cumulative discounted cash flow D_t reaches 0, interpolated in the year.

    For the first t in 1..H with D_t >= 0: (t-1) + (-D_{t-1}) / (D_t - D_{t-1}) when
    D_{t-1} < 0, else t-1; None when D_t stays below 0 through the horizon.
    """
    previous = cash_flows[0] * discount_factors[0]
    for t in range(1, len(cash_flows)):
        current = previous + cash_flows[t] * discount_factors[t]
        if current >= 0:
            if previous < 0:
                return (t - 1) + (-previous) / (current - previous)
            return float(t - 1)
        previous = current
    return None
