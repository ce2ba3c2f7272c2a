"""The library: what `pmsize` does, as typed functions a notebook or a script calls.

    problems = pmsize.load("problems/")            # files, folders, portfolios, "-"
    results = pmsize.rank([pmsize.evaluate(p) for p in problems])
    results[0].to_dict()                           # exactly one result of `--format json`

Every command of the CLI is one of these calls and a renderer. Thresholds resolve
as the CLI resolves them: the `policy` given here (the CLI's flags), else the
problem's own `policy:`, else its portfolio's, else the built-in defaults. Bad
input raises `InputErrors`, which carries every located error (`.errors`, each
with `.location`, `.path` and `.message`).

numpy is imported by `simulate`, `sensitivity`, `plan` and `report` only; scipy by
`plan` (and by a simulation that correlates a uniform range); jinja2 and matplotlib
by `report` only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Literal

from pmsize import _service as service
from pmsize._engine import Thresholds
from pmsize._errors import ArgumentError, UsageError
from pmsize._limits import DEFAULT_SAMPLES, DEFAULT_SEED, DIFF_SAMPLES, check_sampling
from pmsize._models import NO_POLICY, Policy, Problem
from pmsize._options import DEFAULT_TIME_LIMIT, MAX_SECTIONS
from pmsize._results import Evaluation
from pmsize.render import notebook  # noqa: F401 - registers how a notebook shows results

if TYPE_CHECKING:
    from pmsize._diffing import Diff
    from pmsize._planned import Objective, Plan
    from pmsize._simulated import Simulated

PathLike = str | os.PathLike[str]
# one side of a diff: paths (as `load` takes them), or problems already loaded or built
DiffSide = PathLike | Iterable[PathLike] | Iterable[Problem]
SortKey = Literal["npv", "roi", "ceiling", "name"]


def load(
    path: PathLike | Iterable[PathLike],
    *,
    values: Mapping[str, object] | None = None,
    scenario: str | None = None,
) -> list[Problem]:
    """Every problem in a file, a folder (every `*.yaml`/`*.yml` below it), a portfolio
    file, or `-` (standard input); or in each of several such paths.

    `values` (input path -> value as the file writes it, as `Problem.with_values` takes
    them) are written into every problem before it is validated, as `--set` does: an
    error in one names the input (`--set solution.price`). With `scenario`, each problem
    is that scenario of its `scenarios:` (`Problem.in_scenario`: its values first, then
    `values`); a problem without one so named is a ValueError that lists its scenarios.

    Each problem knows where it was read (`problem.source`) and its portfolio's
    policy (`problem.portfolio_policy`). Raises `InputErrors` with every error found in
    the files, and ValueError for a path that names nothing (`""`). A link in a folder
    that leads out of it is not read: a `pmsize._errors.SkippedPath` warning says so.
    """
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    try:
        return service.load_paths((os.fspath(p) for p in paths), values, scenario)
    except ArgumentError:
        raise
    except UsageError as exc:  # a path that names nothing: a bad argument, for a library
        raise ArgumentError(str(exc)) from None


def evaluate(problem: Problem, *, policy: Policy | None = None) -> Evaluation:
    """The point evaluation of a problem (every range at its central value): figures,
    flags and verdict, with the thresholds the CLI would use."""
    problem = _problem(problem)
    return service.evaluate(problem, _thresholds(problem, policy))


def rank(results: Iterable[Evaluation], by: SortKey = "npv") -> list[Evaluation]:
    """Results best first by `by`, grouped by currency (amounts in different currencies
    never rank against each other), as `pmsize evaluate --sort` orders them."""
    if by not in service.SORT_KEYS:
        raise ValueError(f"cannot rank by {by!r}; rank by {', '.join(service.SORT_KEYS)}")
    return service.rank(list(results), by)


def simulate(
    problem: Problem,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    policy: Policy | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Simulated:
    """Monte Carlo over the problem's ranges (`pmsize simulate`): `.evaluation` at central
    values and `.simulation` (percentiles, P(NPV > 0), verdict and set-by shares).

    The same seed and sample count give the same figures on the same numpy;
    `progress(done, samples)` is called as blocks of samples finish. Raises
    ValueError for a bad `samples` (from 1 to 10,000,000) or `seed` (from 0).
    """
    from pmsize import _simulation as uncertainty

    [result] = uncertainty.simulate_problems(
        [_problem(problem)], policy or NO_POLICY, samples=samples, seed=seed, progress=progress
    )
    return result


def sensitivity(
    problem: Problem,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    policy: Policy | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Simulated:
    """What drives NPV (`pmsize sensitivity`): `simulate`'s result with `.sensitivity`
    (tornado, break-even values) and the simulation's value of information."""
    from pmsize import _simulation as uncertainty

    [result] = uncertainty.sensitivity_problems(
        [_problem(problem)], policy or NO_POLICY, samples=samples, seed=seed, progress=progress
    )
    return result


def diff(
    old: DiffSide,
    new: DiffSide,
    *,
    policy: Policy | None = None,
    samples: int = DIFF_SAMPLES,
    seed: int = DEFAULT_SEED,
) -> Diff:
    """What changed between two sets of problems, matched by name (`pmsize diff OLD NEW`):
    each problem added, removed, changed or unchanged, and for a changed one its old and
    new verdict, NPV, ceiling and flags, every changed input, and the NPV change split
    among the changed inputs by their Shapley values. A changed problem with ranges,
    correlations or scenarios (with probabilities) on either side is also simulated,
    `samples` draws a side with `seed`, an input unchanged on both sides drawing the same
    values: each side's expected NPV and chance that NPV is above 0, and the change in
    expected NPV split among the changed inputs (SPEC §15).

    Each side is paths (files, folders, portfolios) or problems. Read from paths, changed
    values are shown as the files write them (`$5m`); given as problems, as parsed (5000000.0).
    Raises `InputErrors` with every error found on both sides.
    """
    from pmsize import _diffing as diffing

    def side(given: DiffSide) -> tuple[list[Problem], str | None, list[str]]:
        if isinstance(given, (str, os.PathLike)):
            given = [given]
        items = list(given)
        if all(isinstance(item, Problem) for item in items) and items:
            return [p for p in items if isinstance(p, Problem)], None, []
        if any(isinstance(item, Problem) for item in items):
            raise ValueError("a side of a diff is paths or problems, not both")
        paths = [os.fspath(p) for p in items if not isinstance(p, Problem)]
        try:
            problems = diffing.read_paths(paths)
        except UsageError as exc:
            raise ArgumentError(str(exc)) from None
        read = [p.source.file for p in problems if p.source is not None]
        return problems, " ".join(paths), [*paths, *read]

    (before, old_label, old_read), (after, new_label, new_read) = diffing.both_sides(
        lambda: side(old), lambda: side(new)
    )
    return diffing.compare(
        before,
        after,
        policy=policy or NO_POLICY,
        old_label=old_label,
        new_label=new_label,
        inputs=[*old_read, *new_read],  # either side's files: what --output must not replace
        samples=samples,
        seed=seed,
    )


def diff_git(
    rev: str,
    paths: PathLike | Iterable[PathLike] = ".",
    *,
    policy: Policy | None = None,
    samples: int = DIFF_SAMPLES,
    seed: int = DEFAULT_SEED,
) -> Diff:
    """`paths` as of git revision `rev` against the working tree (`pmsize diff --git REV`),
    read through the `git` command run in the current folder; files at `rev` are named
    `REV:path`. A path absent at `rev` has its problems added. `samples` and `seed` as
    for `diff`.

    Raises `InputErrors` for bad files on either side, and `UsageError` when git is not
    installed, the folder is not in a repository or `rev` names no commit.
    """
    from pmsize import _diffing as diffing

    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    names = [os.fspath(p) for p in given]
    old, new, files = diffing.read_git(rev, names)
    return diffing.compare(
        old,
        new,
        policy=policy or NO_POLICY,
        old_label=" ".join(f"{rev}:{n}" for n in names),
        new_label=" ".join(names),
        inputs=files,
        samples=samples,
        seed=seed,
    )


def plan(
    problems: Iterable[Problem],
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
    """The best set of problems to fund under a budget (`pmsize plan`): of the problems
    whose verdict is not avoid and whose NPV is above 0, the subset with the highest total
    NPV whose build costs fit `budget` (and that holds at most `max_problems`), exactly.

    `budget` is a number or an amount as a file writes it (`"$10m"`). With
    `objective="expected-npv"`, each problem's mean NPV over `samples` draws (`seed` as in
    `simulate`), and `Plan.p_total_npv_positive`. The search for the optimum takes at
    most `time_limit` seconds in all (None: no limit); when the limit stops it, the plan
    is the best set found, `Plan.exact` is False and `Plan.gap` the share of the best
    possible total it may fall short of. `samples` defaults to 100,000 for the expected
    NPV and the chance of overrunning the budget.

    With `budget_confidence` P (`0.9` or `"90%"`, above 0 and below 100%), the best set
    whose build costs, drawn `samples` times (1,000 by default), stay within the budget
    in at least P of the draws: a chance constraint solved exactly, within the time limit
    (a proof takes longer the more build costs are ranged; refused past 1,000,000
    eligible problems x draws); `Plan.p_over_budget` is then counted on the same draws,
    so it is at most 1 - P. Raises `InputErrors` when the problems are in
    more than one currency, and ValueError for a bad budget or option. scipy is imported
    here only.
    """
    from pmsize import _planning as planning

    return planning.plan(
        _problems(problems),
        budget,
        max_problems=max_problems,
        objective=objective,
        samples=samples,
        seed=seed,
        policy=policy,
        progress=progress,
        time_limit=time_limit,
        budget_confidence=budget_confidence,
    )


def report(
    problems: Iterable[Problem],
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    policy: Policy | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_sections: int | None = MAX_SECTIONS,
    workers: int | None = 1,
) -> str:
    """One self-contained HTML page for people who will not run a CLI (`pmsize report`).

    The problems ranked as `rank` orders them, a summary, portfolio charts, and for
    each its memo (`pmsize explain`) and cash-flow chart; each ranged problem is also
    simulated and its tornado drawn, as `sensitivity` does with the same `samples`
    and `seed`. The same problems give the same text, byte for byte.
    Past `max_sections` problems (200; None: no limit) the page summarises: every
    problem is in the summary and the ranked table, the first `max_sections` by rank
    get a section (and a simulation), and the page says so.
    `progress(done, total)` counts steps: each shown problem's simulation, then its
    section with its charts (drawing takes about as long as simulating).
    The charts are drawn in `workers` processes: 1 (the default) draws them in this one;
    None draws a page of many charts in one process a core, up to four, and a page of
    a few here (`pmsize report` draws every page in processes, their fork server started
    as it begins). The page is the same bytes whichever way it is
    drawn. As with any pool of processes, a script that draws in several must start
    from `if __name__ == "__main__":`, since each process imports it again.
    """
    from pmsize.render.charts import Charts

    check_sampling(samples, seed)  # here too: a page without ranges simulates nothing
    if max_sections is not None and (
        isinstance(max_sections, bool) or not isinstance(max_sections, int) or max_sections < 0
    ):
        raise ValueError(f"max_sections must be a whole number from 0, not {max_sections!r}")
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ValueError(f"workers must be a whole number from 1, not {workers!r}")
    given = _problems(problems)
    sections = len(given) if max_sections is None else min(len(given), max_sections)
    # two steps a section: its simulation (none without ranges or weighted scenarios) and
    # its charts
    steps, done = 2 * sections, 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, steps)

    # the charts are drawn last; processes to draw many start now, while the problems are
    # sized and simulated (at least a chart a section, and two for the portfolio)
    expected = sections + 2 if given else 0
    with Charts(workers=workers, expected=expected, progress=step) as charts:
        from pmsize.render import report as page

        pairs = [(problem, evaluate(problem, policy=policy)) for problem in given]
        problem_of = {id(r): problem for problem, r in pairs}
        ranked = rank(r for _, r in pairs)
        shown = ranked[:sections]
        ordered = [problem_of[id(r)] for r in shown]
        sampled: list[Simulated | None] = []
        for problem, r in zip(ordered, shown, strict=True):
            sampled.append(
                sensitivity(problem, samples=samples, seed=seed, policy=policy)
                if r.uncertain or r.expected_npv is not None  # ranges, or scenarios drawn
                else None
            )
            step()
        return page.document(ordered, ranked, sampled, charts)


def _problem(value: object, parameter: str = "problem") -> Problem:
    """`value`, which must be a `Problem`: a path or a list of problems is a TypeError that
    says what to pass instead (without it, an AttributeError deep inside the engine)."""
    if isinstance(value, Problem):
        return value
    if isinstance(value, str | os.PathLike):
        hint = f"load it first: pmsize.load({str(value)!r}) gives its problems"
    elif isinstance(value, list | tuple):
        hint = "pass one problem at a time: [pmsize.evaluate(p) for p in problems]"
    else:
        hint = (
            "get problems from pmsize.load(path), or build one with pmsize.Problem.model_validate"
        )
    raise TypeError(f"{parameter} must be a pmsize.Problem, not {type(value).__name__}; {hint}")


def _problems(values: Iterable[Problem], parameter: str = "problems") -> list[Problem]:
    """`values` as a list of `Problem`s; a path given for them is a TypeError that says to
    load it first."""
    if isinstance(values, str | os.PathLike):
        raise TypeError(
            f"{parameter} must be problems, not a path; load them first: "
            f"pmsize.load({str(values)!r})"
        )
    found = list(values)
    for i, value in enumerate(found):
        _problem(value, f"{parameter}[{i}]")
    return found


def _thresholds(problem: Problem, policy: Policy | None) -> Thresholds:
    return service.thresholds_for(_problem(problem), policy or NO_POLICY)
