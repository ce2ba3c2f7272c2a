"""Independent reference implementation of the pmsize sizing model (SPEC.md section 3).

Written from the specification alone, as plainly as possible, for point values only.
It exists so the product can be checked against something that does not share its code.
NPV and IRR come from numpy_financial, the oracles named in the spec.

Input is a plain dict shaped like a problem file, with every number already a float
(percents as fractions: 10% is 0.1). Omitted keys take the spec's defaults.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy_financial as npf

DEFAULT_CAP_THRESHOLD = 0.5
DEFAULT_THIN_MARGIN = 0.2

ERROR_CODES = ("no-sustainable-price", "negative-npv")
WARNING_CODES = ("capped-by-alternative", "overpriced", "thin-margin")


def capital_recovery_factor(rate: float, years: int) -> float:
    """CRF = r / (1 - (1 + r)^-H), or 1/H when r = 0."""
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


def adoption_by_year(adoption: float | list[float], years: int) -> list[float]:
    """Share of customers paying in years 1..H; a short list repeats its last value."""
    if not isinstance(adoption, list):
        return [float(adoption)] * years
    if len(adoption) > years:
        raise ValueError("adoption list is longer than the horizon")
    shares = [float(s) for s in adoption]
    return shares + [shares[-1]] * (years - len(shares))


def count_sign_changes(values: list[float]) -> int:
    """Number of sign changes, zeros ignored."""
    signs = [v > 0 for v in values if v != 0]
    return sum(1 for a, b in itertools.pairwise(signs) if a != b)


def discounted_payback(cash_flows: list[float], rate: float) -> float | None:
    """Discounted payback, interpolated inside the crossing year (SPEC section 3)."""
    cumulative = [cash_flows[0]]
    for t in range(1, len(cash_flows)):
        cumulative.append(cumulative[-1] + cash_flows[t] / (1.0 + rate) ** t)
    for t in range(1, len(cash_flows)):
        if cumulative[t] >= 0:
            before = cumulative[t - 1]
            if before < 0:
                return (t - 1) + (-before) / (cumulative[t] - before)
            return float(t - 1)
    return None


def _cash_flows(
    price: float, payers: list[float], build_cost: float, annual_cost: float, cpc: float
) -> list[float]:
    flows = [0.0 - build_cost]  # 0.0 - x, so a zero build cost gives 0.0, not -0.0
    for w in payers:
        flows.append(w * price - (annual_cost + w * cpc))
    return flows


def evaluate(
    problem: dict[str, Any],
    cap_threshold: float = DEFAULT_CAP_THRESHOLD,
    thin_margin: float = DEFAULT_THIN_MARGIN,
) -> dict[str, Any]:
    """Evaluate one problem; the result uses the SPEC section 5 field names."""
    horizon = int(problem.get("horizon_years", 5))
    rate = float(problem.get("discount_rate", 0.1))
    market = problem["market"]
    solution = problem.get("solution", {})
    alternatives = problem.get("alternatives") or []

    customers = float(market["customers"])
    if "problem_cost" in market:
        problem_cost = float(market["problem_cost"])
    else:
        problem_cost = float(market["revenue"]) * float(market["problem_share"])
    market_size = problem_cost * customers
    value = problem_cost * float(solution.get("solves", 1.0))

    crf = capital_recovery_factor(rate, horizon)
    lowest: float | None = None
    lowest_name: str | None = None
    for alt in alternatives:
        c_a = float(alt.get("annual_cost", 0.0)) + float(alt.get("one_time_cost", 0.0)) * crf
        r_a = problem_cost * float(alt.get("solves", 1.0))
        most_they_would_pay = c_a + (value - r_a)
        if lowest is None or most_they_would_pay < lowest:  # strict: first listed wins a tie
            lowest = most_they_would_pay
            lowest_name = alt["name"]

    if lowest is not None and lowest < value:
        ceiling = max(0.0, lowest)
        set_by = lowest_name
    else:
        ceiling = max(0.0, value)
        set_by = None
    cap_ratio = ceiling / value if value != 0 else None

    given_price = solution.get("price")
    price = min(float(given_price), ceiling) if given_price is not None else ceiling
    naive_price = float(given_price) if given_price is not None else value

    build_cost = float(solution.get("build_cost", 0.0))
    annual_cost = float(solution.get("annual_cost", 0.0))
    cpc = float(solution.get("cost_per_customer", 0.0))
    payers = [customers * s for s in adoption_by_year(solution.get("adoption", 1.0), horizon)]

    flows = _cash_flows(price, payers, build_cost, annual_cost, cpc)
    naive_flows = _cash_flows(naive_price, payers, build_cost, annual_cost, cpc)

    npv = float(npf.npv(rate, flows))
    naive_npv = float(npf.npv(rate, naive_flows))
    pv_costs = build_cost + sum(
        (annual_cost + w * cpc) / (1.0 + rate) ** t for t, w in enumerate(payers, start=1)
    )
    pv_revenue = sum(w * price / (1.0 + rate) ** t for t, w in enumerate(payers, start=1))
    roi = npv / pv_costs if pv_costs != 0 else None
    naive_roi = naive_npv / pv_costs if pv_costs != 0 else None
    irr = float(npf.irr(flows)) if count_sign_changes(flows) == 1 else None
    payback = discounted_payback(flows, rate)

    flag_codes: list[str] = []
    if ceiling == 0:
        flag_codes.append("no-sustainable-price")
    if npv < 0:
        flag_codes.append("negative-npv")
    if cap_ratio is not None and 0 < cap_ratio < cap_threshold:
        flag_codes.append("capped-by-alternative")
    if given_price is not None and float(given_price) > ceiling:
        flag_codes.append("overpriced")
    if npv >= 0 and roi is not None and roi < thin_margin:
        flag_codes.append("thin-margin")

    if any(code in ERROR_CODES for code in flag_codes):
        verdict = "avoid"
    elif flag_codes:
        verdict = "reconsider"
    else:
        verdict = "pursue"

    return {
        "problem_cost_per_customer": problem_cost,
        "customers": customers,
        "market_size": market_size,
        "value_per_customer": value,
        "ceiling_per_customer": ceiling,
        "ceiling_set_by": set_by,
        "cap_ratio": cap_ratio,
        "price_per_customer": price,
        "npv": npv,
        "roi": roi,
        "irr": irr,
        "payback_years": payback,
        "pv_revenue": pv_revenue,
        "pv_costs": pv_costs,
        "cash_flows": flows,
        "naive_npv": naive_npv,
        "naive_roi": naive_roi,
        "flag_codes": flag_codes,
        "verdict": verdict,
    }
