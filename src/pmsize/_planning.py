"""Which problems to fund under a budget (SPEC §9): an exact 0/1 optimum, not a ranking.

    eligible   = problems whose verdict is not `avoid` and whose NPV is above 0
                 (with the expected-npv objective, whose mean NPV is above 0 too)
    maximise   sum_i v_i x_i           v_i the NPV (or the simulated mean NPV)
    subject to sum_i c_i x_i <= B      c_i the build cost (its central value), B the budget
               sum_i x_i <= K          when a most number of problems K is given
               x_i in {0, 1}

The optimum is `knapsack.optimum`'s: scipy's `milp` (HiGHS) at a zero optimality gap,
every set it returns checked against the budget exactly, in Python. scipy and numpy
are imported only when a plan is made, so `import pmsize` and `pmsize evaluate` never
load them.

A 0/1 knapsack can be hard: 200 problems nearly equally worth their build cost kept
HiGHS busy for minutes. So a plan's solving has a time limit (`time_limit`, 10 seconds
by default) shared by every solve it makes: two thirds for the plan's optimum, the rest
(and whatever the plan left) for the optimum at 10% more budget. When the limit stops
the search, the best set found so far is funded, with its proven gap: no set that fits
is worth more than its total NPV / (1 - gap) (`Plan.exact` is then False). Ctrl-C and
SIGTERM end a plan at once, mid-solve (see `knapsack`).

The module is `planning`, not `plan`: importing a submodule `pmsize.plan` would set
the package's attribute `plan` to the module and hide the function `pmsize.plan`
(that is why `simulate` lives in `simulation`).

The optimum is exact up to the solver's floating-point precision: sets whose total NPVs
differ by a few parts in 10^12 (a few dollars in a portfolio of $1e12 builds) may not be
told apart, and among such near-ties the least-cost rule below may not hold. The budget
holds exactly whatever the figures (checked in Python, see `knapsack.best_subset`).
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
  with a range at the same path would otherwise share their draws), except for a
  portfolio's shared scenarios (SPEC §14): those are drawn once per sample for every
  problem that takes them, so each such problem's samples are shuffled only among
  those that drew the same scenario, and a recession hits them all at once
  (`Plan.shared_scenarios` names them).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pmsize import _service as service
from pmsize._chance import chance_optimum
from pmsize._errors import ArgumentError, InputError, InputErrors, Location
from pmsize._knapsack import Optimum, optimum
from pmsize._limits import DEFAULT_SAMPLES, DEFAULT_SEED, check_sampling
from pmsize._models import NO_POLICY, Policy, Problem
from pmsize._options import DEFAULT_TIME_LIMIT
from pmsize._planned import (
    OBJECTIVES,
    Candidate,
    LeftOut,
    Marginal,
    Objective,
    Plan,
)
from pmsize._results import Evaluation, Verdict
from pmsize._values import Range, parse_number

if TYPE_CHECKING:
    from pmsize._summary import Floats

MARGINAL_STEP = 0.10  # "what 10% more budget would add"
# `$10m/month`, `$10m per year`, `10m a quarter`: a rate, where a budget is one sum
_RATE = re.compile(r"(?:/|\bper\b|\ba\b)\s*[A-Za-z]+\.?$", re.IGNORECASE)
PERMUTATION_KEY = 0x706C616E  # "plan": keys the per-problem shuffles apart from input draws
BUDGET_KEY = 0x62756467  # "budg": keys the build-cost draws of `p_over_budget`
# --budget-confidence: the build-cost draws of its chance constraint when no sample count is
# given, and the most eligible problems x draws it takes. How long a proof of the optimum
# takes depends on how many build costs are ranged, not on this size (docs/performance.md);
# the size bounds the draws held and the work between two looks at the clock: 1,000 x
# 1,000 and 100 x 10,000 ended within 0.3 s of the 10 s limit, in 200 MB at most
CONFIDENCE_SAMPLES = 1_000
MAX_CONFIDENCE_SIZE = 1_000_000
OPTIMUM_SHARE = 2 / 3  # of the time limit, for the plan's own optimum (the rest: the marginal)


def parse_budget(raw: float | str, currency: str = "") -> float:
    """A budget in the amount grammar of problem files (`$10m`, `2.5 million`, `USD 4m`).

    Raises ArgumentError (a ValueError) with a plain sentence; with `currency`, a
    symbol or code that is not that currency is refused too.
    """
    if isinstance(raw, bool):
        raise ArgumentError("write an amount such as $10m or 2.5 million", "budget")
    if not isinstance(raw, str) and isinstance(raw, int | float) and math.isnan(raw):
        raise ArgumentError("nan is not an amount; write one such as $10m", "budget")
    shown = str(raw).strip()
    try:
        value = parse_number(raw, "amount")
    except ValueError as exc:
        raise ArgumentError(_reason(exc, shown), "budget") from None
    if currency:
        try:
            parse_number(raw, "amount", currency)
        except ValueError:
            raise ArgumentError(
                f"{shown} is not in {currency}, the currency of the problems", "budget"
            ) from None
    return value


def _reason(exc: ValueError, shown: str) -> str:
    """The grammar's sentence, or ours for a value it reads as something other than money."""
    from pmsize._fmt import safe_text

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
    seed: int = DEFAULT_SEED,
    policy: Policy | None = None,
    progress: Callable[[int, int], None] | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    budget_confidence: float | str | None = None,
) -> Plan:
    """The subset of eligible problems with the highest total NPV whose build costs fit
    the budget (and that holds at most `max_problems`); see the module docstring.

    `time_limit` is the seconds all the solving may take (None: no limit); when it stops
    the search, the plan is the best set found, with `exact` False and its proven `gap`.

    With `budget_confidence` P (a share or a percent, `0.9` or `"90%"`), the best set
    whose drawn build costs stay within the budget in at least P of the draws
    (`confidence_draws`): a sample-average chance constraint, solved as one MILP.

    Raises InputErrors when the problems are not all in one currency (each odd one
    out located), and ArgumentError (a ValueError) for a bad budget, `max_problems`,
    objective, sample count, time limit or budget confidence, or a chance constraint
    larger than `MAX_CONFIDENCE_SIZE` problems x draws.
    """
    if objective not in OBJECTIVES:
        raise ArgumentError(f"{objective!r}: plan maximises npv or expected-npv", "objective")
    if max_problems is not None and (
        isinstance(max_problems, bool) or not isinstance(max_problems, int) or max_problems < 1
    ):
        raise ArgumentError(f"{max_problems!r} is not a whole number from 1", "max_problems")
    check_time_limit(time_limit)
    confidence = parse_confidence(budget_confidence)
    currency = _one_currency(problems)
    limit = parse_budget(budget, currency)
    policy = policy or NO_POLICY
    evaluations = [service.evaluate(p, service.thresholds_for(p, policy)) for p in problems]
    eligible = [i for i, r in enumerate(evaluations) if r.verdict != Verdict.AVOID and r.npv > 0]
    npvs = [r.npv for r in evaluations]
    count = None
    if objective == "expected-npv":
        from pmsize import _simulation as simulation

        count = DEFAULT_SAMPLES if samples is None else samples
        check_sampling(count, seed)
        means = simulation.expected_npvs(
            [problems[i] for i in eligible], policy, samples=count, seed=seed, progress=progress
        )
        for i, mean in zip(eligible, means, strict=True):
            npvs[i] = 0.0 if mean is None else mean  # None: no finite NPV
        eligible = [i for i in eligible if npvs[i] > 0]  # expected to lose money: never
    weighed = [_candidate(evaluations[i], npvs[i]) for i in eligible]
    held = set(eligible)
    ineligible = [_candidate(r, npvs[i]) for i, r in enumerate(evaluations) if i not in held]

    values = [c.npv for c in weighed]
    costs = [c.build_cost for c in weighed]
    if len(weighed) > 1:  # imported before the clock starts: the limit is the search's
        import scipy.optimize  # noqa: F401
    drawn = None
    if confidence is not None:
        drawn = _confidence_draws(problems, eligible, samples, seed)
        allowed = math.floor((1 - confidence) * drawn.shape[1] + 1e-9)

    def best(budget: float, deadline: float | None) -> Optimum:
        if drawn is None:
            return optimum(values, costs, budget, max_problems, deadline=deadline)
        return chance_optimum(
            values, drawn, budget, allowed, max_problems, overruns=overruns, deadline=deadline
        )

    start = time.monotonic()
    found = best(limit, _after(start, time_limit))
    chosen = found.items
    # ranked as everywhere else: best NPV (the objective's) first, ties in the order loaded
    funded = tuple(sorted((weighed[i] for i in chosen), key=lambda c: -c.npv))
    more = best(limit * (1 + MARGINAL_STEP), _after(start, time_limit, share=1.0))
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
    shared: tuple[str, ...] = ()
    funded_problems = [problems[eligible[i]] for i in chosen]
    if objective == "expected-npv":
        assert count is not None
        chance = _chance_total_positive(funded_problems, policy, count, seed)
        shared = shared_scenarios(funded_problems)
    over = None
    if drawn is not None:  # the chance constraint's own draws, ranged or not
        over = p_over_budget(drawn[list(chosen)], limit)
    elif any(isinstance(p.solution.build_cost, Range) for p in funded_problems):
        draws = count if count is not None else DEFAULT_SAMPLES if samples is None else samples
        check_sampling(draws, seed)
        places = [eligible[i] for i in chosen]
        over = p_over_budget(build_cost_draws(funded_problems, places, draws, seed), limit)
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
        p_over_budget=over,
        exact=found.exact,
        gap=found.gap,
        time_limit=time_limit,
        overrides=tuple((o.input, o.value) for o in problems[0].overrides) if problems else (),
        shared_scenarios=shared,
        budget_confidence=confidence,
        confidence_draws=None if drawn is None else int(drawn.shape[1]),
    )


def parse_confidence(raw: object) -> float | None:
    """`budget_confidence` as a share above 0 and below 1, in the percent grammar of
    problem files (`90%`, `0.9`); None stays None. Raises ArgumentError."""
    if raw is None:
        return None
    example = "write a percent above 0% and below 100%, such as 90%"
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ArgumentError(f"{raw!r} is not a percent; {example}", "budget_confidence")
    from pmsize._fmt import safe_text

    shown = safe_text(str(raw).strip())
    try:
        share = parse_number(raw, "percent")
    except ValueError as exc:
        raise ArgumentError(safe_text(str(exc)), "budget_confidence") from None
    if not 0 < share < 1:
        raise ArgumentError(
            f"{shown} would {'ask nothing of' if share <= 0 else 'never overrun in any of'} "
            f"the draws; {example}",
            "budget_confidence",
        )
    return share


def _confidence_draws(
    problems: Sequence[Problem], eligible: list[int], samples: int | None, seed: int
) -> Floats:
    """The eligible problems' build costs drawn for the chance constraint (one row each, in
    the order of `eligible`): `samples` draws, else `CONFIDENCE_SAMPLES`; refused past
    `MAX_CONFIDENCE_SIZE` problems x draws."""
    draws = CONFIDENCE_SAMPLES if samples is None else samples
    check_sampling(draws, seed)
    if len(eligible) * draws > MAX_CONFIDENCE_SIZE:
        raise ArgumentError(
            f"{len(eligible):,} eligible problems x {draws:,} draws is more than the "
            f"{MAX_CONFIDENCE_SIZE:,} a budget confidence takes; plan fewer problems or "
            "draw fewer samples",
            "budget_confidence",
        )
    return build_cost_draws([problems[i] for i in eligible], eligible, draws, seed)


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
        raise ArgumentError(f"{time_limit!r} is not a number of seconds above 0", "time_limit")


def _after(start: float, time_limit: float | None, share: float = OPTIMUM_SHARE) -> float | None:
    """The moment (`time.monotonic()`) by which `share` of the time limit has passed."""
    return None if time_limit is None else start + share * time_limit


def _one_currency(problems: Sequence[Problem]) -> str:
    """The currency every problem uses (the first problem's); raises InputErrors locating
    each problem in another at its `currency:` (or its `name:`, with none written), since
    build costs and NPVs only add up in one currency."""
    if not problems:
        return ""
    first = problems[0]
    currency = first.currency
    errors = {
        # the problems that take one `currency:` from `defaults:` are told once, there
        (str(_currency_at(p)), p.currency): InputError(
            _currency_at(p),
            f"{p.currency}, but {first.name!r}{_where(first)} is in {currency}"
            f"{_default(first)}; "
            f"a plan adds build costs and NPVs, so plan one currency at a time: "
            f"{_how_to_split(first, p)}",
            path="currency",
        )
        for p in problems
        if p.currency != currency
    }
    if errors:
        raise InputErrors(list(errors.values()))
    return currency


def _currency_at(problem: Problem) -> Location:
    """Where a problem's currency is written, else where its `name:` is (USD, the default,
    is written nowhere); one built in code is in no file, at line 0."""
    return problem.currency_source or problem.source or Location("", 0, 0)


def _where(problem: Problem) -> str:
    """` (file:line:column)` of a read problem's currency; nothing for one built in code."""
    return f" ({_currency_at(problem)})" if problem.source else ""


def _default(problem: Problem) -> str:
    """`, the default` after a read problem's currency when its file writes none."""
    return ", the default" if problem.currency_source is None and problem.source else ""


def _how_to_split(first: Problem, other: Problem) -> str:
    """What to do about a problem in another currency than the first's: name the files of
    one currency, or, when one file holds both, move one currency's problems out of it."""
    if first.source is None or other.source is None:
        return f"plan the problems in {first.currency} apart from those in {other.currency}"
    if first.source.file == other.source.file:
        return f"move the problems in {other.currency} to a file of their own"
    return f"name only the files in {first.currency}, or only those in {other.currency}"


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


# -------------------------------------------------------------------------- expected NPV


def _chance_total_positive(
    problems: Sequence[Problem], policy: Policy, samples: int, seed: int
) -> float | None:
    """P(sum of the funded problems' NPVs > 0), summed sample by sample over `plan_draws`.
    None when nothing is funded."""
    if not problems:
        return None
    import numpy as np

    total = np.sum(plan_draws(problems, policy, samples, seed), axis=0)
    return float(np.count_nonzero(total > 0)) / samples


def p_over_budget(rows: Floats, budget: float) -> float:
    """The chance that the build costs drawn (`build_cost_draws`, one row per problem) add
    up to more than `budget` (SPEC §15): the share of draws that overrun it."""
    return overruns(rows, budget) / int(rows.shape[1])


def overruns(rows: Floats, budget: float) -> int:
    """In how many draws the rows' build costs add up to more than `budget`, each draw
    summed over the rows in their order (the same sum wherever it is asked)."""
    import numpy as np

    if rows.shape[0] == 0:
        return 0
    return int(np.count_nonzero(rows.sum(axis=0) > budget))


def build_cost_draws(
    problems: Sequence[Problem], places: Sequence[int], samples: int, seed: int
) -> Floats:
    """Each problem's build cost drawn `samples` times, one row per problem: a ranged one
    from a stream of its own (keyed by the seed and the problem's place among those
    planned, so two problems' draws are independent and a problem draws the same costs
    whichever others are funded), the others at their value. The plan itself budgets
    each build cost's central value."""
    import numpy as np

    from pmsize._sampling import draw

    rows = np.empty((len(problems), samples))
    for row, (place, problem) in enumerate(zip(places, problems, strict=True)):
        cost = problem.solution.build_cost
        if isinstance(cost, Range):
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(BUDGET_KEY, place)))
            rows[row] = draw(cost, "amount", rng, samples)
        else:
            rows[row] = cost
    return rows


def plan_draws(
    problems: Sequence[Problem], policy: Policy, samples: int, seed: int
) -> list[Floats]:
    """Each problem's NPV draws (`simulation.npv_samples`) in the order the plan sums them:
    the problems drawn independently, each in an order of its own (a permutation keyed by
    the seed and its place in the plan), except that a problem whose scenarios are shared
    (`Problem.shared_scenarios`) is shuffled only among the samples that drew the same
    scenario (`mixture.shared_order`), so every problem that takes them has the same
    scenario in each sample."""
    import numpy as np

    from pmsize._mixture import shared_order
    from pmsize._simulation import npv_samples

    found = []
    for place, problem in enumerate(problems):
        thresholds = service.thresholds_for(problem, policy)
        npv = npv_samples(problem, thresholds, samples=samples, seed=seed)
        rng = np.random.default_rng(
            np.random.SeedSequence(seed, spawn_key=(PERMUTATION_KEY, place))
        )
        order = shared_order(problem, samples, seed, rng) if problem.shared_scenarios else None
        found.append(npv[rng.permutation(samples) if order is None else order])
    return found


def shared_scenarios(problems: Sequence[Problem]) -> tuple[str, ...]:
    """The names of the scenarios drawn once per sample for every problem that takes them
    (a portfolio's `defaults:` ones, with probabilities), in the order first met."""
    from pmsize._models import scenarios

    names: dict[str, None] = {}
    for problem in problems:
        if problem.shared_scenarios and scenarios.base_probability(problem.scenarios) is not None:
            names |= dict.fromkeys(s.name for s in problem.scenarios)
    return tuple(names)


__all__ = [
    "DEFAULT_TIME_LIMIT",
    "MARGINAL_STEP",
    "OBJECTIVES",
    "Candidate",
    "LeftOut",
    "Marginal",
    "Objective",
    "Plan",
    "check_time_limit",
    "parse_budget",
    "parse_confidence",
    "plan",
    "plan_draws",
    "shared_scenarios",
]
