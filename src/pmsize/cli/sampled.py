"""The commands that draw samples of the ranges (`--samples`, `--seed`): `simulate`,
`sensitivity`, `plan` (its expected NPV) and `report`. Each reads its options, calls
the library and writes a renderer's output; numpy, scipy, jinja2 and matplotlib are
imported by the library inside the command that needs them.
"""

from __future__ import annotations

import enum
import sys
from typing import Annotated

import typer

from pmsize._errors import UsageError
from pmsize._fmt import plural, safe_text
from pmsize.cli.boundary import boundary, collector_paused
from pmsize.cli.output import emit, emit_rich, warn
from pmsize.cli.params import (
    CapOpt,
    OutputOpt,
    PathsArg,
    RiskOpt,
    SamplesOpt,
    ScenarioOpt,
    SeedOpt,
    SetOpt,
    ThinOpt,
    WatchOpt,
    one_of,
    what_ifs,
)
from pmsize.cli.watch import watched

SIMULATION_FORMATS = ("table", "json", "jsonl")  # of `simulate` and `sensitivity`

SimulationFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format: table, json or jsonl (one result a line) (default: as the "
        "--output file's extension says, else table).",
        metavar="FORMAT",
    ),
]
DEFAULT_SAMPLES = "100,000"  # limits.DEFAULT_SAMPLES, written out: cli imports no more
DEFAULT_TIME_LIMIT = "10"  # options.DEFAULT_TIME_LIMIT, likewise


def simulate(
    paths: PathsArg,
    format: SimulationFormatOpt = None,
    output: OutputOpt = None,
    samples: SamplesOpt = DEFAULT_SAMPLES,
    seed: SeedOpt = "0",
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
    set_: SetOpt = None,
    scenario_risk: RiskOpt = None,
    scenario: ScenarioOpt = None,
    watch: WatchOpt = False,
) -> None:
    """Simulate the ranges of problems (Monte Carlo).

    Example: pmsize simulate examples/
    """
    _sampled(
        "simulate",
        "simulating",
        paths,
        format,
        output,
        samples,
        seed,
        cap_threshold,
        thin_margin,
        set_,
        watch,
        scenario_risk,
        scenario,
    )


def sensitivity(
    paths: PathsArg,
    format: SimulationFormatOpt = None,
    output: OutputOpt = None,
    samples: SamplesOpt = DEFAULT_SAMPLES,  # the same as simulate's: the same P(NPV > 0)
    seed: SeedOpt = "0",
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
    set_: SetOpt = None,
    scenario_risk: RiskOpt = None,
    scenario: ScenarioOpt = None,
    watch: WatchOpt = False,
) -> None:
    """Show what drives NPV and what to find out first.

    Example: pmsize sensitivity problem.yaml
    """
    _sampled(
        "sensitivity",
        "sampling",
        paths,
        format,
        output,
        samples,
        seed,
        cap_threshold,
        thin_margin,
        set_,
        watch,
        scenario_risk,
        scenario,
    )


def _sampled(
    command: str,
    label: str,
    paths: list[str],
    format: str | None,
    output: str | None,
    samples: str,
    seed: str,
    cap_threshold: str | None,
    thin_margin: str | None,
    set_: list[str] | None,
    watch: bool,
    scenario_risk: str | None,
    scenario: str | None,
) -> None:
    """`simulate` or `sensitivity` over every problem loaded (the library's loop that
    `pmsize.simulate` and `pmsize.sensitivity` run for one): the problems sampled one
    after another under one progress bar (`label`), then a JSON document or tables;
    with `watch`, again after each change."""

    def run_once() -> None:
        with boundary():
            from pmsize import _api as api
            from pmsize import _options as options
            from pmsize import _simulation as uncertainty
            from pmsize._memory import keep_freed_memory
            from pmsize.render import simulate as render
            from pmsize.render.progress import progress_bar

            chosen = options.output_format(format, output, SIMULATION_FORMATS, command)
            count, start = options.samples(samples), options.seed(seed)
            policy = options.policy(cap_threshold, thin_margin, scenario_risk)
            values = what_ifs(set_)
            keep_freed_memory()  # the process is ours: blocks reuse freed memory
            run = (
                uncertainty.simulate_problems
                if command == "simulate"
                else uncertainty.sensitivity_problems
            )
            with progress_bar(label=label, paths=paths) as progress:
                problems = api.load(paths, values=values, scenario=scenario)
                results = run(problems, policy, samples=count, seed=start, progress=progress)
            inputs = [r.evaluation.file for r in results]
            told = plural(len(results), "problem")  # said of a file written
            if chosen in ("json", "jsonl"):
                written = render.json_chunks(results, lines=chosen == "jsonl")
                emit(written, output, inputs=inputs, told=told)
            else:
                tables = (
                    render.render_simulations
                    if command == "simulate"
                    else render.render_sensitivities
                )
                emit_rich(
                    lambda console: tables(console, results), output, inputs=inputs, told=told
                )

    watched(run_once, paths, watch=watch, output=output)


PLAN_FORMATS = ("table", "json", "csv", "markdown")


class Objective(str, enum.Enum):
    """What `plan` maximises: the point NPV, or the simulated mean NPV."""

    npv = "npv"
    expected_npv = "expected-npv"


OBJECTIVES = tuple(o.value for o in Objective)


def plan(
    paths: PathsArg,
    budget: Annotated[
        str,
        typer.Option(
            help="The money to spend on building, such as 10m, '$10m' (quoted: a shell "
            "reads $1 in $10m) or 2.5 million.",
            metavar="AMOUNT",
            show_default=False,
        ),
    ],
    max_problems: Annotated[
        str | None,
        typer.Option(help="Fund at most this many problems.", metavar="K"),
    ] = None,
    objective: Annotated[
        str,
        one_of(OBJECTIVES, help="Maximise the total NPV, or the total simulated mean NPV."),
    ] = "npv",
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Output format: table, json, csv or markdown (default: as the --output "
            "file's extension says, else table).",
            metavar="FORMAT",
        ),
    ] = None,
    output: OutputOpt = None,
    samples: Annotated[
        str | None,
        typer.Option(
            "--samples",
            "-n",
            help="Monte Carlo samples per problem, such as 50k or 1e6 (at most 10,000,000); "
            "--budget-confidence draws build costs 1,000 times unless this is given. "
            f"[default: {DEFAULT_SAMPLES}]",
            metavar="N",
            show_default=False,
        ),
    ] = None,
    seed: SeedOpt = "0",
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
    set_: SetOpt = None,
    scenario_risk: RiskOpt = None,
    scenario: ScenarioOpt = None,
    budget_confidence: Annotated[
        str | None,
        typer.Option(
            help="Fund the best set whose drawn build costs stay within the budget in at "
            "least this share of the draws, such as 90%.",
            metavar="P",
            show_default=False,
        ),
    ] = None,
    time_limit: Annotated[
        str,
        typer.Option(
            help="Seconds the search for the best set may take in all; past it, the best "
            "set found is funded and its gap to the best possible is shown.",
            metavar="SECONDS",
        ),
    ] = DEFAULT_TIME_LIMIT,
) -> None:
    """Choose the problems to fund under a budget.

    The set with the highest total NPV whose build costs fit, exactly.

    Example: pmsize plan examples/ --budget 8m
    """
    with boundary(after_errors="nothing planned"):
        from pmsize import _api as api
        from pmsize import _options as options
        from pmsize import _planning as planning
        from pmsize.render import plan as render
        from pmsize.render.progress import progress_bar

        format = options.output_format(format, output, PLAN_FORMATS, "plan")
        aim = options.choice(objective, OBJECTIVES, "plan", option="--objective", verb="maximises")
        if planning.parse_budget(budget) == 0:  # its grammar, before any file is read
            raise UsageError(
                f"--budget: {safe_text(budget.strip())} is a budget of 0, which funds "
                "nothing; give the sum to spend, such as 10m (in a shell, an unquoted or "
                "double-quoted $10m arrives as 0m: write '$10m' in single quotes)"
            )
        most = None
        if max_problems is not None:
            most = options.whole_number(max_problems, "--max-problems", "a whole number such as 3")
            if most < 1:
                raise UsageError("--max-problems: 0 would fund nothing; give 1 or more")
        count = None if samples is None else options.samples(samples)
        start = options.seed(seed)
        seconds = options.time_limit(time_limit)
        confidence = None
        if budget_confidence is not None:  # its grammar, before any file is read
            confidence = planning.parse_confidence(budget_confidence)
        policy = options.policy(cap_threshold, thin_margin, scenario_risk)
        values = what_ifs(set_)
        sampled = aim == Objective.expected_npv
        with collector_paused(), progress_bar(label="simulating", paths=paths) as bar:
            # (collector paused as in evaluate: no cycles here)
            problems = api.load(paths, values=values, scenario=scenario)
            result = api.plan(
                problems,
                budget,
                max_problems=most,
                objective="expected-npv" if sampled else "npv",
                samples=count,
                seed=start,
                policy=policy,
                progress=bar if sampled else None,
                time_limit=seconds,
                budget_confidence=confidence,
            )
        inputs = [p.source.file for p in problems if p.source is not None]
        told = plural(len(problems), "problem")  # said of a file written
        if format == "table":
            emit_rich(
                lambda console: render.render(console, result), output, inputs=inputs, told=told
            )
            return
        documents = {
            "json": render.json_document,
            "csv": render.csv_document,
            "markdown": render.markdown_document,
        }
        emit(documents[format](result), output, inputs=inputs, told=told)


def report(
    paths: PathsArg,
    output: OutputOpt = None,
    samples: SamplesOpt = DEFAULT_SAMPLES,  # simulate's: the same figures for ranged problems
    seed: SeedOpt = "0",
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
    set_: SetOpt = None,
    scenario_risk: RiskOpt = None,
    scenario: ScenarioOpt = None,
) -> None:
    """Write one HTML page to share.

    Self-contained: the summary, charts and each problem's memo.

    Example: pmsize report examples/ -o report.html
    """
    with boundary():
        import logging

        from pmsize import _options as options
        from pmsize._memory import keep_freed_memory
        from pmsize._options import MAX_SECTIONS
        from pmsize.render.charts._processes import start_early

        if output is None and sys.stdout is not None and sys.stdout.isatty():
            # 200 KB of HTML poured onto a screen helps no one; a pipe still gets it
            raise UsageError(
                "report writes an HTML page, not text for a terminal; name the file "
                "to write it to: -o report.html"
            )
        options.output_format(None, output, ("html",), "report")  # -o out.json is refused
        values = what_ifs(set_)
        count, start = options.samples(samples), options.seed(seed)
        policy = options.policy(cap_threshold, thin_margin, scenario_risk)
        # the chart workers' matplotlib is imported while this process reads the files;
        # nothing heavy is imported here until they are read (`pmsize.report` then starts
        # the workers), numpy least of all
        workers = start_early()
        from pmsize import _api as api
        from pmsize.render.json import stdout_is_utf8
        from pmsize.render.progress import progress_bar

        keep_freed_memory()  # the process is ours: blocks reuse freed memory
        # stderr carries pmsize's messages only, not matplotlib's notes (a font cache
        # that takes a while to build in a fresh configuration folder)
        logging.getLogger("matplotlib").setLevel(logging.ERROR)
        with progress_bar(label="simulating and drawing", paths=paths) as progress:
            problems = api.load(paths, values=values, scenario=scenario)
            page = api.report(
                problems,
                samples=count,
                seed=start,
                policy=policy,
                progress=progress,
                max_sections=MAX_SECTIONS,
                workers=workers,  # drawn in processes forked from the fork server
            )
        from pmsize.render.report import sections_note

        summarised = sections_note(min(len(problems), MAX_SECTIONS), len(problems))
        if summarised is not None:  # said on the page too
            warn(summarised)
        if output in (None, "-") and not stdout_is_utf8():  # the page says charset utf-8
            page = page.encode("ascii", "xmlcharrefreplace").decode("ascii")
        inputs = [p.source.file for p in problems if p.source is not None]
        told = plural(len(problems), "problem")  # said of a file written
        emit(page, output, inputs=inputs, told=told)


__all__ = [
    "DEFAULT_SAMPLES",
    "DEFAULT_TIME_LIMIT",
    "Objective",
    "plan",
    "report",
    "sensitivity",
    "simulate",
]
