"""What a point evaluation's figures imply, in closed form over floats: the IRR and the
discounted payback of its cash flows, where its discounted cash flow stands each year,
and the price or the share solved that would reach a target (the messages quote them).

The engine (`engine.size`) makes the figures over floats or samples; these read one
point's figures only, so they are written once, over floats.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Sequence


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

    years = range(len(cash_flows))

    def npv_at(x: float) -> float:
        # sum(cf * x**t): the same products in the same order, without a generator's frames
        total: float = sum(map(operator.mul, cash_flows, map(pow, itertools.repeat(x), years)))
        return total

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


def discounted(cash_flows: Sequence[float], discount_factors: Sequence[float]) -> tuple[float, ...]:
    """CF_t (1+r)^-t for t = 0..H: each year's cash flow in today's money."""
    return tuple(flow * factor for flow, factor in zip(cash_flows, discount_factors, strict=True))


def cumulative_discounted(
    cash_flows: Sequence[float], discount_factors: Sequence[float]
) -> tuple[float, ...]:
    """D_t = sum_{k <= t} CF_k (1+r)^-k for t = 0..H: where the discounted cash flow stands
    at the end of each year (D_H is the NPV, up to rounding)."""
    # from 0.0, as a running sum: a -0.0 of year 0 (nothing built) adds up to 0.0
    return tuple(itertools.accumulate(discounted(cash_flows, discount_factors), initial=0.0))[1:]


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
