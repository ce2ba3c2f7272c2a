"""The commands that draw no samples: `evaluate`, `validate`, `explain`, `init`,
`schema` and `diff`. Each reads its options, calls the library and writes a renderer's
output; the libraries a command needs are imported inside it, so start-up stays quick.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from pmsize._errors import ExitCode, InputErrors, UsageError
from pmsize._fmt import plural, safe_text
from pmsize._signals import say
from pmsize.cli.boundary import boundary, collector_paused
from pmsize.cli.output import append_step_summary, emit, emit_rich, text_width, warn
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


class Format(str, enum.Enum):
    """Output formats of `evaluate`."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"
    github = "github"


class FailOn(str, enum.Enum):
    """The verdict at or beyond which `--fail-on` exits 1: never, or a `results.Verdict`
    (spelled out here so that reading the command line needs no model)."""

    never = "never"
    reconsider = "reconsider"
    avoid = "avoid"


class Sort(str, enum.Enum):
    """Orders of the ranked results, best first."""

    npv = "npv"
    roi = "roi"
    ceiling = "ceiling"
    name = "name"


FAIL_ON = tuple(f.value for f in FailOn)
SORTS = tuple(s.value for s in Sort)
FailOnOpt = Annotated[
    str, one_of(FAIL_ON, help="Exit 1 when any problem's verdict is at or beyond this level.")
]


def evaluate(
    paths: PathsArg,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Output format: table, json, jsonl (one result a line), csv, markdown or "
            "github (default: as the --output file's extension says, else table).",
            metavar="FORMAT",
        ),
    ] = None,
    output: OutputOpt = None,
    sort: Annotated[str, one_of(SORTS, help="Rank results by this, best first.")] = "npv",
    fail_on: FailOnOpt = "never",
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
    set_: SetOpt = None,
    scenario_risk: RiskOpt = None,
    scenario: ScenarioOpt = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel", help="With --format csv: a byte-order mark and CRLF line ends, for Excel."
        ),
    ] = False,
    watch: WatchOpt = False,
) -> None:
    """Evaluate problems and rank them.

    Example: pmsize evaluate examples/
    """

    def run_once() -> None:
        with boundary():
            from pmsize import _options as options
            from pmsize import _service as service
            from pmsize.render.progress import progress_bar

            chosen = Format(
                options.output_format(format, output, [f.value for f in Format], "evaluate")
            )
            if excel and chosen is not Format.csv:
                raise UsageError("--excel applies to --format csv only")
            order = options.choice(sort, SORTS, "evaluate", option="--sort", verb="ranks by")
            fail = options.choice(fail_on, FAIL_ON, "evaluate", option="--fail-on", verb="takes")
            policy = options.policy(cap_threshold, thin_margin, scenario_risk)
            values = what_ifs(set_)
            with collector_paused():
                with progress_bar(paths=paths) as bar:
                    results = service.evaluate_paths(
                        paths, policy, sort=order, progress=bar, values=values, scenario=scenario
                    )
                _write_evaluation(results, chosen, output, excel=excel)
            exit_for(service.worst_verdict(results), fail)

    watched(run_once, paths, watch=watch, output=output)


def _write_evaluation(
    results: Sequence[Any], format: Format, output: str | None, *, excel: bool = False
) -> None:
    """Write `results` in `format`; for `github`, also append the markdown to the step summary."""
    inputs = [r.file for r in results]
    told = plural(len(results), "problem")  # said of a file written
    if format is Format.table:
        emit_rich(lambda console: _table(console, results), output, inputs=inputs, told=told)
        return
    if format in (Format.json, Format.jsonl):  # the most common in scripts: import only it
        from pmsize.render import json

        # each record formatted as it is written: the text is never held whole
        written = json.chunks(results) if format is Format.json else json.lines(results)
        emit(written, output, inputs=inputs, told=told)
        return
    from pmsize.render import csv, github, markdown

    if format is Format.github:
        # The summary first, so that the annotations' notice can say what it holds.
        complete = append_step_summary(
            lambda limit: markdown.fitted(results, limit=limit, heading="pmsize evaluate")
        )
        held = None
        if complete is not None:
            held = github.SUMMARY_COMPLETE if complete else github.SUMMARY_CUT
        emit(
            github.document(results, os.environ.get("GITHUB_WORKSPACE"), held),
            output,
            inputs=inputs,
            told=told,
        )
        return
    currencies = sorted({r.currency for r in results})
    if format is Format.csv and len(currencies) > 1:
        # CSV has no room for a note of its own: say it beside the data
        warn(
            f"note: the rows mix {', '.join(currencies)}; they are grouped by currency and "
            "ranked within each, so compare figures only within one currency"
        )
    documents = {
        Format.csv: csv.excel_document if excel else csv.document,
        Format.markdown: markdown.document,
    }
    emit(documents[format](results), output, inputs=inputs, told=told)


def _table(console: Any, results: Sequence[Any]) -> None:
    from pmsize.render import table

    table.render(console, results)


def exit_for(worst: str | None, fail_on: str) -> None:
    """Exit 1 when the worst verdict is at or beyond `fail_on` (never, reconsider, avoid)."""
    from pmsize._results import Verdict

    if worst is None or fail_on == FailOn.never:
        return
    if Verdict(worst) >= Verdict(fail_on):
        raise typer.Exit(ExitCode.POLICY_FAILED)


def validate(paths: PathsArg) -> None:
    """Check problem files; report every error.

    Nothing is evaluated.

    Example: pmsize validate .
    """
    with boundary(after_errors=""):
        from pmsize import _fmt as fmt
        from pmsize import _loader as loader

        checked, errors = loader.check_paths(paths)
        # the sound files are named even when others fail: ok lines on stdout, errors on stderr
        emit(
            "".join(
                fmt.safe_line(f"{file}: ok ({fmt.plural(n, 'problem')})") for file, n in checked
            ),
            None,
        )
        if errors:
            raise InputErrors(errors)


EXPLAIN_FORMATS = ("text", "markdown")  # a memo is text; `table`, its old name, still works


def explain(
    paths: PathsArg,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="text for a terminal, or markdown (default: markdown for an --output "
            "file ending .md, else text).",
            metavar="FORMAT",
        ),
    ] = None,
    output: OutputOpt = None,
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
    set_: SetOpt = None,
    scenario_risk: RiskOpt = None,
    scenario: ScenarioOpt = None,
    watch: WatchOpt = False,
) -> None:
    """Explain a problem's verdict as a memo.

    Example: pmsize explain problem.yaml
    """

    def run_once() -> None:
        with boundary():
            from pmsize import _api as api
            from pmsize import _options as options
            from pmsize.render import explain as render

            chosen = options.output_format(
                format, output, EXPLAIN_FORMATS, "explain", aliases={"table": "text"}
            )
            policy = options.policy(cap_threshold, thin_margin, scenario_risk)
            problems = api.load(paths, values=what_ifs(set_), scenario=scenario)
            results = [api.evaluate(problem, policy=policy) for problem in problems]
            memos = render.memos(problems, results)
            inputs = [r.file for r in results]
            told = plural(len(results), "problem")
            if chosen == "markdown":
                emit(render.markdown(memos), output, inputs=inputs, told=told)
            else:
                emit_rich(
                    lambda console: render.render(console, memos), output, inputs=inputs, told=told
                )

    watched(run_once, paths, watch=watch, output=output)


def init(
    file: Annotated[
        str, typer.Argument(help="The file to write, or - for stdout.", metavar="FILE")
    ] = "problem.yaml",
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a commented starter problem file.

    Example: pmsize init claims.yaml
    """
    with boundary():
        from pmsize import _starter as starter

        if file == "-":
            emit(starter.text(), None)
            return
        warnings = starter.write(file, force=force)
        say(f"Wrote {safe_text(file)}. Edit it, then run: pmsize evaluate {starter.shown(file)}\n")
        for warning in warnings:
            warn(f"warning: {warning}")


def schema(output: OutputOpt = None) -> None:
    """Print the JSON Schema of problem files for editors.

    Example: pmsize schema > s.json
    """
    with boundary():
        import json

        from pmsize import _options as options
        from pmsize import _schema as problem_schema
        from pmsize.render.json import stdout_is_utf8

        options.output_format(None, output, ("json",), "schema")  # -o s.csv is refused
        schema = problem_schema.json_schema()
        emit(json.dumps(schema, indent=2, ensure_ascii=not stdout_is_utf8()) + "\n", output)


class DiffFailOn(str, enum.Enum):
    """When `pmsize diff` exits 1: never, when a problem got worse, or when an added or
    changed problem has this verdict or a worse one."""

    never = "never"
    worse = "worse"
    reconsider = "reconsider"
    avoid = "avoid"


DIFF_FORMATS = ("table", "json", "markdown", "github")
DIFF_SAMPLES = "10,000"  # diffing.DIFF_SAMPLES, written out: cli imports no more
DIFF_FAIL_ON = tuple(f.value for f in DiffFailOn)


def diff(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="OLD and NEW, each a file, folder or portfolio file; with --git, the paths "
            "to compare (default .).",
            metavar="OLD NEW | PATH",
            show_default=False,
        ),
    ] = None,
    git: Annotated[
        str | None,
        typer.Option(
            "--git",
            help="Compare the paths as of this git revision with the working tree.",
            metavar="REV",
        ),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Output format: table, json, markdown or github (default: as the "
            "--output file's extension says, else table).",
            metavar="FORMAT",
        ),
    ] = None,
    output: OutputOpt = None,
    fail_on: Annotated[
        str,
        one_of(
            DIFF_FAIL_ON,
            help="Exit 1 when a problem got worse (worse), or when an added or changed "
            "problem has this verdict or a worse one.",
        ),
    ] = "never",
    samples: SamplesOpt = DIFF_SAMPLES,
    seed: SeedOpt = "0",
) -> None:
    """Show what an edit did to verdicts and NPV.

    Each problem's verdict and NPV before and after, and which edit moved them. A changed
    problem with ranges, correlations or scenarios is also simulated on the same draws
    both sides: its expected NPV, its chance of paying back, and which edit moved them.

    Example: pmsize diff --git origin/main problems/
    """
    with boundary(after_errors="nothing compared"):
        from pmsize import _api as api
        from pmsize import _options as options
        from pmsize.render import diff as render

        chosen = options.output_format(format, output, DIFF_FORMATS, "diff")
        fail = options.choice(fail_on, DIFF_FAIL_ON, "diff", option="--fail-on", verb="takes")
        count, start = options.samples(samples), options.seed(seed)
        if git is not None:
            result = api.diff_git(git, paths or ["."], samples=count, seed=start)
        elif len(paths or []) == 2:
            assert paths is not None
            result = api.diff(paths[0], paths[1], samples=count, seed=start)
        else:
            raise UsageError("give two paths, OLD and NEW, or --git REV and the paths to compare")
        inputs = result.inputs
        told = f"{plural(len(result.problems), 'problem')} compared"
        if chosen == "json":
            from pmsize.render.json import stdout_is_utf8

            emit(result.to_json(ascii_only=not stdout_is_utf8()), output, inputs=inputs, told=told)
        elif chosen == "markdown":
            emit(render.markdown(result), output, inputs=inputs, told=told)
        elif chosen == "github":
            # (its annotations say nothing of the summary: nothing to tell back)
            append_step_summary(lambda limit: (render.markdown(result, limit=limit), None))
            workspace = os.environ.get("GITHUB_WORKSPACE")
            emit(render.github_document(result, workspace), output, inputs=inputs, told=told)
        else:
            emit(render.text(result, text_width()), output, inputs=inputs, told=told)
        if result.fails(fail):
            raise typer.Exit(ExitCode.POLICY_FAILED)


__all__ = [
    "DiffFailOn",
    "FailOn",
    "Format",
    "Sort",
    "diff",
    "evaluate",
    "exit_for",
    "explain",
    "init",
    "schema",
    "validate",
]
