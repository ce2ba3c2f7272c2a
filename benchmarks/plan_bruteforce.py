"""`pmsize plan`'s optimum against brute force over random portfolios (SPEC §9).

Every subset of up to 14 problems is enumerated with exact arithmetic (fractions of the
float inputs), so a set that exceeds the budget by a rounding error counts as over it.
For each case the plan must hold:
- fits: its build costs sum to at most the budget, its count to at most K;
- optimal: its total NPV equals the best subset's exactly;
- ties: of the optimal sets, it has the least total build cost;
- marginal: `npv_gain` equals the brute-force optimum at 1.1 x budget minus the one at
  the budget; `extra_budget` is a tenth of the budget;
- left out: every eligible problem not funded, by NPV (highest first), each with
  `extra_budget` = max(0, its build cost - (budget - total build)).
Cases mix small whole amounts (many ties), zero build costs, zero and negative NPVs,
budgets equal to a sum of costs, costs such as 0.1 + 0.2 against 0.3, and $1e12 builds
whose NPVs differ by $1.

    python benchmarks/plan_bruteforce.py [--cases 3000] [--seed 0] [--problems 14]

Cases through `best_subset` directly, and one in ten through `pmsize.plan` on real
problem files (left out, marginal and eligibility too). Prints the failures and a count.
"""

from __future__ import annotations

import argparse
import random
import sys
from fractions import Fraction
from itertools import combinations

import pmsize
from pmsize._knapsack import best_subset
from pmsize._loader import load_text
from pmsize._planning import MARGINAL_STEP

TOLERANCE = Fraction(1, 10**9)  # of the total NPV: the solver's precision (see knapsack)
NEAR: list[float] = []  # shortfalls within TOLERANCE, relative


def _huge(values: list[float]) -> bool:
    """Values that differ by less than the solver can tell (a dollar in a trillion): the
    least-cost rule among tied sets is not checked for them."""
    return max(values) > 0 and (max(values) - min(values)) < 1e-9 * max(values)


def brute(
    values: list[float], costs: list[float], budget: float, k: int | None
) -> tuple[Fraction, Fraction]:
    """The best total value and, among the sets reaching it, the least cost (exactly)."""
    n = len(values)
    fv = [Fraction(v) for v in values]
    fc = [Fraction(c) for c in costs]
    best = (Fraction(0), Fraction(0))
    for size in range(0, n + 1 if k is None else min(n, k) + 1):
        for subset in combinations(range(n), size):
            cost = sum((fc[i] for i in subset), Fraction(0))
            if float(cost) > budget:  # the sum correctly rounded, as math.fsum gives it
                continue
            value = sum((fv[i] for i in subset), Fraction(0))
            if value > best[0] or (value == best[0] and cost < best[1]):
                best = (value, cost)
    return best


def case(rng: random.Random, n_max: int) -> tuple[list[float], list[float], float, int | None]:
    n = rng.randint(1, n_max)
    kind = rng.choice(["whole", "mixed", "huge", "tenths", "free"])
    if kind == "whole":  # small whole millions: many ties
        values = [rng.randint(-2, 9) * 1e6 for _ in range(n)]
        costs = [rng.randint(0, 6) * 1e6 for _ in range(n)]
    elif kind == "mixed":
        values = [rng.uniform(-1e6, 5e7) for _ in range(n)]
        costs = [rng.uniform(0, 2e7) for _ in range(n)]
    elif kind == "huge":  # $1e12 builds, NPVs $1 apart
        base = 1e12
        values = [base + rng.randint(0, 3) for _ in range(n)]
        costs = [base + rng.randint(0, 3) * rng.choice([0, 1]) for _ in range(n)]
    elif kind == "tenths":  # 0.1 + 0.2 > 0.3 in floats
        values = [float(rng.randint(1, 9)) for _ in range(n)]
        costs = [rng.choice([0.1, 0.2, 0.3, 0.7, 1.1]) * 1e6 for _ in range(n)]
    else:  # some free problems
        values = [rng.randint(1, 9) * 1e5 for _ in range(n)]
        costs = [rng.choice([0.0, 0.0, 1e6, 2e6, 3e6]) for _ in range(n)]
    pick = rng.random()
    if pick < 0.4:  # exactly a sum of some costs
        members = [c for c in costs if rng.random() < 0.5]
        budget = sum(members)
    elif pick < 0.5:
        budget = 0.0
    else:
        budget = rng.uniform(0, sum(costs) * 1.2)
    k = rng.choice([None, None, rng.randint(1, max(1, n // 2 + 1))])
    return values, costs, budget, k


def check_subset(values: list[float], costs: list[float], budget: float, k: int | None) -> str:
    chosen = best_subset(values, costs, budget, k)
    cost = sum((Fraction(costs[i]) for i in chosen), Fraction(0))
    value = sum((Fraction(values[i]) for i in chosen), Fraction(0))
    if float(cost) > budget:
        return f"over the budget by {float(cost - Fraction(budget))}"
    if k is not None and len(chosen) > k:
        return f"{len(chosen)} chosen, at most {k}"
    best_value, best_cost = brute(values, costs, budget, k)
    if value != best_value:
        NEAR.append(float((best_value - value) / best_value))
        if abs(value - best_value) > TOLERANCE * abs(best_value):
            return f"value {float(value)!r}, best {float(best_value)!r}"
    elif cost != best_cost and not _huge(values):
        return f"tie not broken to the least cost: {float(cost)!r}, least {float(best_cost)!r}"
    return ""


def entry(name: str, npv: float, build: float) -> str:
    """A problem whose NPV is `problem_cost - build_cost` (one customer, one year, 0%)."""
    return (
        f"  - name: {name!r}\n    horizon_years: 1\n    discount_rate: 0%\n"
        f"    market: {{customers: 1, problem_cost: {npv + build!r}}}\n"
        f"    solution: {{build_cost: {build!r}, adoption: 100%}}\n"
    )


def check_plan(values: list[float], costs: list[float], budget: float, k: int | None) -> str:
    text = "problems:\n" + "".join(
        entry(f"P{i}", max(v, -c), c) for i, (v, c) in enumerate(zip(values, costs, strict=True))
    )
    problems = load_text(text, "p.yaml")
    evaluations = [pmsize.evaluate(p) for p in problems]
    if budget <= 0:
        return ""
    p = pmsize.plan(problems, budget, max_problems=k)
    eligible = [i for i, r in enumerate(evaluations) if r.verdict != "avoid" and r.npv > 0]
    ev = [evaluations[i].npv for i in eligible]
    ec = [-evaluations[i].cash_flows[0] + 0.0 for i in eligible]
    best_value, _ = brute(ev, ec, budget, k)
    total = sum((Fraction(c.npv) for c in p.funded), Fraction(0))
    if abs(total - best_value) > TOLERANCE * abs(best_value):
        return f"plan total {float(total)!r}, best {float(best_value)!r}"
    richer, _ = brute(ev, ec, budget * (1 + MARGINAL_STEP), k)
    gain = float(richer - best_value)
    if abs(p.marginal.npv_gain - gain) > 1e-9 * max(1.0, abs(gain), float(richer)):
        return f"marginal gain {p.marginal.npv_gain!r}, brute force {gain!r}"
    if p.marginal.extra_budget != budget * MARGINAL_STEP:
        return f"marginal extra budget {p.marginal.extra_budget!r}"
    funded = {c.name for c in p.funded}
    left = [evaluations[i] for i in eligible if evaluations[i].name not in funded]
    if sorted(o.candidate.name for o in p.left_out) != sorted(r.name for r in left):
        return "left_out is not every eligible problem not funded"
    npvs = [o.candidate.npv for o in p.left_out]
    if npvs != sorted(npvs, reverse=True):
        return "left_out is not best first"
    unspent = Fraction(budget) - sum((Fraction(c.build_cost) for c in p.funded), Fraction(0))
    for o in p.left_out:
        want = max(Fraction(0), Fraction(o.candidate.build_cost) - unspent)
        if abs(Fraction(o.extra_budget) - want) > Fraction(1, 10**6) * max(1, want):
            return f"{o.candidate.name}: extra budget {o.extra_budget!r}, want {float(want)!r}"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--problems", type=int, default=14)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    failures = 0
    for number in range(args.cases):
        values, costs, budget, k = case(rng, args.problems)
        problem = check_subset(values, costs, budget, k)
        if not problem and number % 10 == 0:
            problem = check_plan(values, costs, budget, k)
        if problem:
            failures += 1
            print(f"case {number}: {problem}\n  values={values}\n  costs={costs}")
            print(f"  budget={budget!r} k={k}")
    print(f"{args.cases:,} cases, {failures:,} failures")
    if NEAR:
        print(
            f"{len(NEAR):,} optima missed within the tolerance (largest shortfall "
            f"{max(NEAR):.1e} of the total NPV)"
        )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
