"""What the commands do, as plain functions: load, evaluate, rank (the library API).

`evaluate(problem, thresholds)` is the point evaluation of one problem:
the figures and flag codes from the engine, the flags' sentences from `messages`,
put together here into a `results.Evaluation`. `thresholds_for` is the one place
that says which policy wins: the command line's, then the problem's, then its
portfolio's, then the built-in defaults.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pmsize import _engine as engine
from pmsize import _finance as finance
from pmsize import _loader as loader
from pmsize import _messages as messages
from pmsize._engine import DEFAULT_THRESHOLDS, Thresholds
from pmsize._errors import ArgumentError
from pmsize._inputs import Input
from pmsize._models import NO_POLICY, Alternative, Policy, Problem, Scenario, scenarios, whatif
from pmsize._results import (
    AlternativeResult,
    Evaluation,
    Flag,
    FlagCode,
    ScenarioResult,
    UncertainInput,
    Verdict,
    Year,
)
from pmsize._values import Quantity, Range, central

SORT_KEYS: dict[str, Callable[[Evaluation], tuple[Any, ...]]] = {
    "npv": lambda r: (-r.npv, r.name),
    "roi": lambda r: (-_roi_rank(r), r.name),
    "ceiling": lambda r: (-r.ceiling_per_customer, r.name),
    "name": lambda r: (r.name.casefold(), r.name),
}


def _roi_rank(r: Evaluation) -> float:
    """ROI for ranking: with nothing spent ROI is undefined, and then a positive NPV is an
    unbounded return (first), anything else last."""
    if r.roi is not None:
        return r.roi
    return math.inf if r.npv > 0 else -math.inf


# Told `(done, total)` as work goes on; `total` is None while files are still being read.
Progress = Callable[[int, int | None], None]
PROGRESS_EVERY = 100  # problems between two progress reports


def evaluate(problem: Problem, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Evaluation:
    """The point evaluation of a problem: every range at its central value.

    The result's `file` and `line` are where the problem was read (`problem.source`). With
    scenarios (SPEC §14), the headline stays the file as written; beside it each
    scenario's figures (base first), and with probabilities the expected NPV and the
    chance of each verdict.
    """
    r = _evaluate_point(problem, thresholds)
    if not problem.scenarios:
        return r
    cases: list[tuple[Scenario | None, Evaluation]] = [(None, r)]
    cases += [
        (s, _evaluate_point(problem.in_scenario(s.name), thresholds)) for s in problem.scenarios
    ]
    base = scenarios.base_probability(problem.scenarios)
    rows = tuple(
        ScenarioResult(
            name=scenarios.BASE if s is None else s.name,
            probability=base if s is None else s.probability,
            overrides=() if s is None else e.overrides[: len(s.values)],
            verdict=e.verdict,
            npv=e.npv,
            ceiling_per_customer=e.ceiling_per_customer,
            ceiling_year=e.ceiling_year,
            ceiling_set_by=e.ceiling_set_by,
            flags=e.flags,
        )
        for s, e in cases
    )
    if base is None:  # unweighted: side by side, nothing weighed and no flag
        return replace(r, scenarios=rows)
    weights = [row.probability or 0.0 for row in rows]
    verdicts = {
        v: sum(w for w, row in zip(weights, rows, strict=True) if row.verdict is v) for v in Verdict
    }
    r = replace(
        r,
        scenarios=rows,
        expected_npv=sum(w * row.npv for w, row in zip(weights, rows, strict=True)),
        scenario_verdicts=verdicts,
    )
    if not engine.scenario_risk(verdicts[Verdict.AVOID], thresholds):
        return r
    # a flag of the headline only; it counts for the verdict like every warning
    code = FlagCode.SCENARIO_RISK
    flags = (*r.flags, Flag(code, code.severity, messages.flag_message(code, r)))
    verdict = engine.verdict_of(dict.fromkeys((f.code for f in flags), True), engine.SCALAR)
    return replace(r, flags=flags, verdict=engine.VERDICTS[verdict])


def _evaluate_point(problem: Problem, thresholds: Thresholds) -> Evaluation:
    """`evaluate` of the problem as it stands: its scenarios aside."""
    source = problem.source
    ranged: list[Input] = []
    s = engine.point(problem, thresholds, ranged)
    horizon = problem.horizon_years
    alternatives = tuple(
        _alternative(alt, i, s, horizon) for i, alt in enumerate(problem.alternatives)
    )
    names = [alt.name for alt in problem.alternatives]
    years = tuple(
        Year(
            year=t + 1,
            customers=s.customers[t],
            paying_customers=s.customers_paying[t],
            ceiling_per_customer=s.ceilings[t],
            ceiling_set_by=names[s.set_by_years[t]] if s.set_by_years[t] >= 0 else None,
            price_per_customer=s.prices[t],
            revenue=s.customers_paying[t] * s.prices[t],
            costs=s.costs[t],
            cash_flow=s.cash_flows[t + 1],
        )
        for t in range(horizon)
    )
    irr, irr_note = finance.unique_irr(s.cash_flows)
    figures = Evaluation(
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
        payback_years=finance.discounted_payback(s.cash_flows, s.discount_factors),
        pv_revenue=s.pv_revenue,
        pv_costs=s.pv_costs,
        cash_flows=s.cash_flows,
        build_cost=central(problem.solution.build_cost),
        running_cost=central(problem.solution.annual_cost),
        cost_per_customer=central(problem.solution.cost_per_customer),
        adoption_given=tuple(central(q) for q in problem.solution.adoption),
        naive_is_sustainable=all(
            p == s.naive_price or w == 0 for p, w in zip(s.prices, s.customers_paying, strict=True)
        ),
        customers_paying=s.customers_paying,
        naive_price=s.naive_price,
        naive_npv=s.naive_npv,
        naive_roi=_finite_or_none(s.naive_roi),
        crf=s.crf,
        overrides=problem.overrides,
        scenario=None if problem.scenario is None else problem.scenario.name,
        alternatives=alternatives,
        uncertain=tuple(
            UncertainInput(i.path, i.value, i.value.central, i.kind)
            for i in ranged
            if isinstance(i.value, Range)
        ),
        flags=(),
        verdict=engine.VERDICTS[s.verdict],
        thresholds=thresholds,
        years=years,
        ceiling_year=int(s.ceiling_year),
        growth=central(problem.market.growth),
    )
    # the messages read the finished figures (which alternative binds, the NPV, ...), so
    # the flags are set once they are made, on the result no one has seen yet (made again
    # by `replace`, it took a twentieth of the time of an evaluation)
    flags = tuple(
        Flag(code, code.severity, messages.flag_message(code, figures))
        for code, raised in s.flags.items()
        if raised
    )
    object.__setattr__(figures, "flags", flags)
    return figures


def _alternative(
    alt: Alternative, index: int, s: engine.Sizing[float, int], horizon: int
) -> AlternativeResult:
    """An alternative's figures in the year it sets the headline ceiling, or else in the
    first year it is at its most competitive (its lowest C_a,t)."""
    max_prices = s.alternative_max_prices[index]
    available = [t for t in range(horizon) if max_prices[t] is not None]
    if s.set_by == index:
        t = int(s.ceiling_year) - 1
    else:
        t = min(available, key=lambda year: (max_prices[year], year))
    cost, relief, max_price = (
        s.alternative_costs[index][t],
        s.alternative_reliefs[index][t],
        max_prices[t],
    )
    assert cost is not None
    assert relief is not None
    assert max_price is not None
    return AlternativeResult(
        name=alt.name,
        kind=alt.kind,
        annual_cost=central(alt.by_year("annual_cost", horizon)[t]),
        one_time_cost=central(alt.by_year("one_time_cost", horizon)[t]),
        solves=central(alt.by_year("solves", horizon)[t]),
        effective_annual_cost=cost,
        relief=relief,
        max_price=max_price,
        sets_ceiling=s.set_by == index,
        from_year=alt.from_year,
        year=t + 1,
        effective_annual_costs=s.alternative_costs[index],
        reliefs=s.alternative_reliefs[index],
        max_prices=max_prices,
        one_time_spread=central(alt.by_year("one_time_cost", horizon)[t]) * s.crf,
        extra_relief=s.value - relief,
        problem_cost=s.problem_cost,
    )


def _central_or_none(q: Quantity | None) -> float | None:
    return None if q is None else central(q)


def _finite_or_none(x: float) -> float | None:
    """None for an undefined ratio: NaN (0/0) or infinite (a cost so small it rounds to 0)."""
    return x if math.isfinite(x) else None


def thresholds_for(problem: Problem, policy: Policy = NO_POLICY) -> Thresholds:
    """The thresholds in force for a problem: each one from the command line's `policy`
    if set there, else the problem's, else its portfolio's, else the built-in."""
    return engine.resolve_thresholds(policy, problem.policy, problem.portfolio_policy)


def evaluate_problems(
    problems: Iterable[Problem], policy: Policy = NO_POLICY, progress: Progress | None = None
) -> list[Evaluation]:
    """Point evaluations, thresholds resolved by `thresholds_for`."""
    todo = list(problems)
    results: list[Evaluation] = []
    total = len(todo)
    for done, problem in enumerate(todo):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
        results.append(evaluate(problem, thresholds_for(problem, policy)))
    if progress is not None:
        progress(total, total)
    return results


def evaluate_paths(
    paths: Iterable[str],
    policy: Policy,
    *,
    sort: str = "npv",
    progress: Progress | None = None,
    values: Mapping[str, object] | None = None,
    scenario: str | None = None,
) -> list[Evaluation]:
    """Load every problem from `paths`, evaluate and rank them.

    Each problem is evaluated as soon as it is read and then let go, with the data it was
    read from: only the results are held, so memory follows the results, not the files.
    Any input error is raised once every file is read, as `load_paths` raises it. For a
    large portfolio, pause the garbage collector around it (as `pmsize evaluate` does:
    `cli.boundary.collector_paused`).
    """
    settings, unknown = whatif.parsed(values or {})
    if unknown:
        raise ArgumentError(f"values: {unknown[0]}")
    known = 0  # problems in the files parsed so far

    def counted(count: int) -> None:
        nonlocal known
        known += count

    if progress is not None:
        progress(0, None)
    results: list[Evaluation] = []
    refused: ArgumentError | None = None  # told after the files' errors, as load_paths does
    for problem in loader.each_problem(paths, settings, counted):
        if progress is not None and len(results) % PROGRESS_EVERY == 0:
            progress(len(results), known)
        try:
            chosen = _in_scenario(problem, scenario)
        except ArgumentError as exc:
            refused = refused or exc
            continue
        results.append(evaluate(chosen, thresholds_for(chosen, policy)))
    if refused is not None:
        raise refused
    if progress is not None:
        progress(len(results), len(results))
    return rank(results, sort)


def load_paths(
    paths: Iterable[str], values: Mapping[str, object] | None = None, scenario: str | None = None
) -> list[Problem]:
    """Every problem from `paths`, `values` written in (`--set`) before each is validated,
    each as its scenario `scenario` when given: what `pmsize.load` and `pmsize evaluate`
    read. `ArgumentError` for a value's path that names no input."""
    settings, unknown = whatif.parsed(values or {})
    if unknown:
        raise ArgumentError(f"values: {unknown[0]}")
    return in_scenario(loader.load_paths(paths, settings), scenario)


def in_scenario(problems: list[Problem], scenario: str | None) -> list[Problem]:
    """Each problem as its scenario named `scenario` (`Problem.in_scenario`); as they are
    when None. Raises `ArgumentError` naming the scenarios when a problem has none so named."""
    if scenario is None:
        return problems
    return [_in_scenario(problem, scenario) for problem in problems]


def _in_scenario(problem: Problem, scenario: str | None) -> Problem:
    """`in_scenario`'s rule for one problem."""
    if scenario is None:
        return problem
    try:
        return problem.in_scenario(scenario)
    except ValueError as exc:
        raise ArgumentError(str(exc), "scenario") from None


def rank(results: Sequence[Evaluation], sort: str) -> list[Evaluation]:
    """Results best first by `sort` (npv, roi, ceiling or name), within each currency.

    Amounts in different currencies do not compare (€7.43m is not more than $3.98m),
    so the results come grouped by currency, each group ranked on its own: the
    currency with the most problems first, ties by its code.
    """
    sizes = Counter(r.currency for r in results)
    key = SORT_KEYS[sort]
    return sorted(results, key=lambda r: (-sizes[r.currency], r.currency, key(r)))


def worst_verdict(results: Sequence[Evaluation]) -> Verdict | None:
    """The most concerning verdict among the results, None when there are none."""
    return max((r.verdict for r in results), default=None)
