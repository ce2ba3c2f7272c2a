"""The command line: parse options -> load -> compute -> render. Thin on purpose.

Every command runs inside `boundary()`, the one place that turns errors into
messages and exit codes (SPEC §5): input errors exit 2 with every located
message on stderr, Ctrl-C 130 (SIGTERM and SIGHUP 128 + the signal), a closed
pipe ends quietly, output that cannot be written exits 2, and anything else is
a bug: exit 3 with a short message (the traceback only with --debug).
"""

from __future__ import annotations

import enum
import errno
import gc
import io
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandFunctionType

from pmsize import __version__, signals
from pmsize.errors import ExitCode, InputError, InputErrors, PmsizeError, SkippedPath, UsageError
from pmsize.fmt import safe_text
from pmsize.signals import Interrupted
from pmsize.signals import say as _say

ISSUES_URL = "https://github.com/pmsize/pmsize/issues"
STEP_SUMMARY_LIMIT = 1024 * 1024  # bytes GitHub keeps of one step's summary
FILE_WIDTH = 80  # table width when not at a terminal and COLUMNS is unset or invalid
MAX_WIDTH = 400  # no table is wider: COLUMNS=30000 once made explain take 48 s
GLOBAL_FLAGS = ("--debug", "--version")  # also accepted after the command
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")  # what completion can be installed for


class Format(str, enum.Enum):
    """Output formats of `evaluate`."""

    table = "table"
    json = "json"
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


class _Group(TyperGroup):
    """The command group, with three fixes to how its arguments are read.

    `pmsize` alone prints the help on stdout and exits 0; `--debug` and `--version`
    work after the command too; `--install-completion bogus` is refused before any
    shell profile is touched (the flag detects the shell and would ignore the name).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args:
            args = ["--help"]
        args = self._hoist_global_flags(ctx, args)
        for flag in ("--install-completion", "--show-completion"):
            if flag in args[:-1]:
                shell = args[args.index(flag) + 1]
                if not shell.startswith("-") and shell not in SHELLS:
                    raise typer.BadParameter(
                        f"unknown shell {safe_text(shell)!r}; completion is for "
                        f"{', '.join(SHELLS[:-1])} or {SHELLS[-1]}, and without a name the "
                        "shell you run it from",
                        ctx=ctx,
                        param_hint=f"'{flag}'",
                    )
        return list(super().parse_args(ctx, args))

    def _hoist_global_flags(self, ctx: Any, args: list[str]) -> list[str]:
        """Move `--debug`/`--version` given after the command to before it."""
        at = next((i for i, arg in enumerate(args) if not arg.startswith("-")), None)
        command = self.get_command(ctx, args[at]) if at is not None else None
        if at is None or command is None:
            return args
        valued = {
            name
            for param in command.params
            if param.param_type_name == "option" and not getattr(param, "is_flag", False)
            for name in (*param.opts, *param.secondary_opts)
        }
        own = {name for param in command.params for name in param.opts}
        before, after, hoisted = args[: at + 1], list[str](), list[str]()
        rest = iter(args[at + 1 :])
        for arg in rest:
            if arg == "--":
                after += [arg, *rest]
                break
            if arg in GLOBAL_FLAGS and arg not in own:
                hoisted.append(arg)
                continue
            after.append(arg)
            value = next(rest, None) if arg in valued else None
            if value is not None:
                after.append(value)
        return [*hoisted, *before, *after] if hoisted else args


def _argument_name(param: Any) -> str:
    """`PATH...`, `FILE` or `[FILE]`: an argument as usage lines and help name it."""
    name = str(param.metavar or param.name.upper())
    if param.nargs != 1:
        name += "..."
    return name if param.required else f"[{name}]"


class _Command(TyperCommand):
    """A command whose help names arguments `PATH...` and `FILE`, as the docs do.

    (typer 0.27 and later write `{PATH}...` in the usage line and `PATH <list[str]>`
    in the list of arguments.)"""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(_argument_name(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_argument_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class _Typer(typer.Typer):
    """`typer.Typer` whose commands are `_Command`s."""

    def command(
        self, *args: Any, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


app = _Typer(
    name="pmsize",
    help="Size product problems: how big, how much anyone can charge once the cheapest "
    "alternative is counted, and whether building pays back.",
    cls=_Group,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False, "collector_paused": False}
PROGRESS_EVERY = 100  # problems evaluated between two progress reports


def _version(value: bool) -> None:
    if value:
        with boundary():
            _write_stdout(f"pmsize {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an internal error.")
    ] = False,
) -> None:
    del version
    _state["debug"] = debug


PathsArg = Annotated[
    list[str],
    typer.Argument(
        help="Problem files, folders (every *.yaml/*.yml below) or - for stdin.",
        metavar="PATH",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (atomically, as cp would) instead of stdout; - for stdout.",
        metavar="FILE",
    ),
]
FailOnOpt = Annotated[
    FailOn,
    typer.Option(help="Exit 1 when any problem's verdict is at or beyond this level."),
]
# Formats, counts and thresholds are read as text and checked by pmsize (pmsize.options,
# options.policy), so `-n 1e6` works and a bad value gets pmsize's own sentence.
CapOpt = Annotated[
    str | None,
    typer.Option(
        help="Flag capped-by-alternative when the ceiling is below this share of our value "
        "(default 50%).",
        metavar="PERCENT",
    ),
]
ThinOpt = Annotated[
    str | None,
    typer.Option(
        help="Flag thin-margin when 0 <= ROI is below this (default 20%; may be over 100%).",
        metavar="PERCENT",
    ),
]


@app.command()
def evaluate(
    paths: PathsArg,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Output format: table, json, csv, markdown or github.",
            metavar="FORMAT",
        ),
    ] = "table",
    output: OutputOpt = None,
    sort: Annotated[Sort, typer.Option(help="Rank results by this, best first.")] = Sort.npv,
    fail_on: FailOnOpt = FailOn.never,
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel", help="With --format csv: a byte-order mark and CRLF line ends, for Excel."
        ),
    ] = False,
) -> None:
    """Evaluate problems and rank them.

    Example: pmsize evaluate examples/
    """
    with boundary():
        from pmsize import api, options
        from pmsize.render.progress import progress_bar

        chosen = Format(options.choice(format, [f.value for f in Format], "evaluate"))
        if excel and chosen is not Format.csv:
            raise UsageError("--excel applies to --format csv only")
        policy = options.policy(cap_threshold, thin_margin)
        with collector_paused():
            with progress_bar(paths=paths) as bar:
                tell = bar or (lambda done, total: None)
                tell(0, None)  # reading the files
                problems = api.load(paths)
                results = []
                for done, problem in enumerate(problems):
                    if done % PROGRESS_EVERY == 0:
                        tell(done, len(problems))
                    results.append(api.evaluate(problem, policy=policy))
                tell(len(problems), len(problems))
                results = api.rank(results, by=sort.value)
            _write_evaluation(results, chosen, output, excel=excel)
        exit_for(max((r.verdict for r in results), default=None), fail_on.value)


@app.command()
def validate(paths: PathsArg) -> None:
    """Check problem files without evaluating them; report every error.

    Example: pmsize validate .
    """
    with boundary(after_errors=""):
        from pmsize import fmt, loader

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


EXPLAIN_FORMATS = ("table", "markdown")


@app.command()
def explain(
    paths: PathsArg,
    format: Annotated[
        str,
        typer.Option("--format", "-f", help="table for a terminal, or markdown.", metavar="FORMAT"),
    ] = "table",
    output: OutputOpt = None,
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
) -> None:
    """Explain a problem's verdict as a memo.

    Example: pmsize explain problem.yaml
    """
    with boundary():
        from pmsize import api, options
        from pmsize.render import explain as render

        format = options.choice(format, EXPLAIN_FORMATS, "explain")
        policy = options.policy(cap_threshold, thin_margin)
        problems = api.load(paths)
        results = [api.evaluate(problem, policy=policy) for problem in problems]
        memos = render.memos(problems, results)
        inputs = [r.file for r in results]
        if format == "markdown":
            emit(render.markdown(memos), output, inputs=inputs)
        else:
            emit_rich(lambda console: render.render(console, memos), output, inputs=inputs)


@app.command()
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
        from pmsize import starter

        if file == "-":
            emit(starter.text(), None)
            return
        warnings = starter.write(file, force=force)
        _say(f"Wrote {safe_text(file)}. Edit it, then run: pmsize evaluate {starter.shown(file)}\n")
        for warning in warnings:
            _warn(f"warning: {warning}")


@app.command()
def schema(output: OutputOpt = None) -> None:
    """Print the JSON Schema of problem files for editors.

    Example: pmsize schema > s.json
    """
    with boundary():
        import json

        from pmsize import schema as problem_schema
        from pmsize.render.json import stdout_is_utf8

        schema = problem_schema.json_schema()
        emit(json.dumps(schema, indent=2, ensure_ascii=not stdout_is_utf8()) + "\n", output)


def _write_evaluation(
    results: Sequence[Any], format: Format, output: str | None, *, excel: bool = False
) -> None:
    """Write `results` in `format`; for `github`, also append the markdown to the step summary."""
    inputs = [r.file for r in results]
    if format is Format.table:
        emit_rich(lambda console: _table(console, results), output, inputs=inputs)
        return
    if format is Format.json:  # the most common in scripts: import only its renderer
        from pmsize.render import json

        emit(json.document(results), output, inputs=inputs)
        return
    from pmsize.render import csv, github, markdown

    if format is Format.github:
        # The summary first, so that the annotations' notice can say what it holds.
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        held = append_step_summary(Path(summary), results) if summary else None
        emit(
            github.document(results, os.environ.get("GITHUB_WORKSPACE"), held),
            output,
            inputs=inputs,
        )
        return
    currencies = sorted({r.currency for r in results})
    if format is Format.csv and len(currencies) > 1:
        # CSV has no room for a note of its own: say it beside the data
        _warn(
            f"note: the rows mix {', '.join(currencies)}; they are grouped by currency and "
            "ranked within each, so compare figures only within one currency"
        )
    documents = {
        Format.csv: csv.excel_document if excel else csv.document,
        Format.markdown: markdown.document,
    }
    emit(documents[format](results), output, inputs=inputs)


SIMULATION_FORMATS = ("table", "json")  # of `simulate` and `sensitivity`

SimulationFormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="Output format: table or json.", metavar="FORMAT")
]
DEFAULT_SAMPLES = "100,000"  # options.DEFAULT_SAMPLES, written out: cli imports no more
DEFAULT_TIME_LIMIT = "10"  # options.DEFAULT_TIME_LIMIT, likewise
SamplesOpt = Annotated[
    str,
    typer.Option(
        "--samples",
        "-n",
        help="Monte Carlo samples per problem, such as 50k or 1e6 (at most 10,000,000).",
        metavar="N",
    ),
]
SeedOpt = Annotated[
    str,
    typer.Option(
        help="Seed of the random draws, a whole number; the same seed, the same output.",
        metavar="SEED",
    ),
]


@app.command()
def simulate(
    paths: PathsArg,
    format: SimulationFormatOpt = "table",
    output: OutputOpt = None,
    samples: SamplesOpt = DEFAULT_SAMPLES,
    seed: SeedOpt = "0",
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
) -> None:
    """Simulate the ranges of problems (Monte Carlo).

    Example: pmsize simulate examples/
    """
    with boundary():
        from pmsize import api, options
        from pmsize import simulation as uncertainty
        from pmsize.render import simulate as render
        from pmsize.render.progress import progress_bar

        format = options.choice(format, SIMULATION_FORMATS, "simulate")
        count, start = options.samples(samples), options.seed(seed)
        policy = options.policy(cap_threshold, thin_margin)
        uncertainty.keep_freed_memory()  # the process is ours: blocks reuse freed memory
        with progress_bar(label="simulating", paths=paths) as progress:
            results = _each_sampled(
                api.simulate, api.load(paths), policy, samples=count, seed=start, progress=progress
            )
        inputs = [r.evaluation.file for r in results]
        if format == "json":
            emit(render.simulation_document(results), output, inputs=inputs)
        else:
            emit_rich(
                lambda console: render.render_simulations(console, results), output, inputs=inputs
            )


@app.command()
def sensitivity(
    paths: PathsArg,
    format: SimulationFormatOpt = "table",
    output: OutputOpt = None,
    samples: SamplesOpt = DEFAULT_SAMPLES,  # the same as simulate's: the same P(NPV > 0)
    seed: SeedOpt = "0",
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
) -> None:
    """Show what drives NPV and what to find out first.

    Example: pmsize sensitivity problem.yaml
    """
    with boundary():
        from pmsize import api, options
        from pmsize import simulation as uncertainty
        from pmsize.render import simulate as render
        from pmsize.render.progress import progress_bar

        format = options.choice(format, SIMULATION_FORMATS, "sensitivity")
        count, start = options.samples(samples), options.seed(seed)
        policy = options.policy(cap_threshold, thin_margin)
        uncertainty.keep_freed_memory()  # the process is ours: blocks reuse freed memory
        with progress_bar(label="sampling", paths=paths) as progress:
            results = _each_sampled(
                api.sensitivity,
                api.load(paths),
                policy,
                samples=count,
                seed=start,
                progress=progress,
            )
        inputs = [r.evaluation.file for r in results]
        if format == "json":
            emit(render.sensitivity_document(results), output, inputs=inputs)
        else:
            emit_rich(
                lambda console: render.render_sensitivities(console, results), output, inputs=inputs
            )


PLAN_FORMATS = ("table", "json", "csv", "markdown")


class Objective(str, enum.Enum):
    """What `plan` maximises: the point NPV, or the simulated mean NPV."""

    npv = "npv"
    expected_npv = "expected-npv"


@app.command()
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
        Objective, typer.Option(help="Maximise the total NPV, or the total simulated mean NPV.")
    ] = Objective.npv,
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="Output format: table, json, csv or markdown.", metavar="FORMAT"
        ),
    ] = "table",
    output: OutputOpt = None,
    samples: SamplesOpt = DEFAULT_SAMPLES,
    seed: SeedOpt = "0",
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
    time_limit: Annotated[
        str,
        typer.Option(
            help="Seconds the search for the best set may take in all; past it, the best "
            "set found is funded and its gap to the best possible is shown.",
            metavar="SECONDS",
        ),
    ] = DEFAULT_TIME_LIMIT,
) -> None:
    """Choose the problems to fund under a budget: the set with the highest total NPV.

    Example: pmsize plan examples/ --budget 8m
    """
    with boundary(after_errors="nothing planned"):
        from pmsize import api, options, planning
        from pmsize.render import plan as render
        from pmsize.render.progress import progress_bar

        format = options.choice(format, PLAN_FORMATS, "plan")
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
        count, start = options.samples(samples), options.seed(seed)
        seconds = options.time_limit(time_limit)
        policy = options.policy(cap_threshold, thin_margin)
        sampled = objective is Objective.expected_npv
        with collector_paused(), progress_bar(label="simulating", paths=paths) as bar:
            problems = api.load(paths)  # (collector paused as in evaluate: no cycles here)
            result = api.plan(
                problems,
                budget,
                max_problems=most,
                objective=objective.value,
                samples=count,
                seed=start,
                policy=policy,
                progress=bar if sampled else None,
                time_limit=seconds,
            )
        inputs = [p.source.file for p in problems if p.source is not None]
        if format == "table":
            emit_rich(lambda console: render.render(console, result), output, inputs=inputs)
            return
        documents = {
            "json": render.json_document,
            "csv": render.csv_document,
            "markdown": render.markdown_document,
        }
        emit(documents[format](result), output, inputs=inputs)


class DiffFailOn(str, enum.Enum):
    """When `pmsize diff` exits 1: never, when a problem got worse, or when an added or
    changed problem has this verdict or a worse one."""

    never = "never"
    worse = "worse"
    reconsider = "reconsider"
    avoid = "avoid"


DIFF_FORMATS = ("table", "json", "markdown", "github")


@app.command()
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
        str,
        typer.Option(
            "--format",
            "-f",
            help="Output format: table, json, markdown or github.",
            metavar="FORMAT",
        ),
    ] = "table",
    output: OutputOpt = None,
    fail_on: Annotated[
        DiffFailOn,
        typer.Option(
            help="Exit 1 when a problem got worse (worse), or when an added or changed "
            "problem has this verdict or a worse one."
        ),
    ] = DiffFailOn.never,
) -> None:
    """Show what an edit to the assumptions does to each verdict, and which edit did it.

    Example: pmsize diff --git origin/main problems/
    """
    with boundary(after_errors="nothing compared"):
        from pmsize import api, options
        from pmsize.render import diff as render

        chosen = options.choice(format, DIFF_FORMATS, "diff")
        if git is not None:
            result = api.diff_git(git, paths or ["."])
        elif len(paths or []) == 2:
            assert paths is not None
            result = api.diff(paths[0], paths[1])
        else:
            raise UsageError("give two paths, OLD and NEW, or --git REV and the paths to compare")
        inputs = result.inputs
        if chosen == "json":
            from pmsize.render.json import stdout_is_utf8

            emit(result.to_json(ascii_only=not stdout_is_utf8()), output, inputs=inputs)
        elif chosen == "markdown":
            emit(render.markdown(result), output, inputs=inputs)
        elif chosen == "github":
            summary = os.environ.get("GITHUB_STEP_SUMMARY")
            if summary:
                _append_diff_summary(Path(summary), result)
            workspace = os.environ.get("GITHUB_WORKSPACE")
            emit(render.github_document(result, workspace), output, inputs=inputs)
        else:
            emit(render.text(result, _text_width()), output, inputs=inputs)
        if result.fails(fail_on.value):
            raise typer.Exit(ExitCode.POLICY_FAILED)


def _text_width() -> int:
    """The terminal's width at a terminal (at most MAX_WIDTH), else as `_columns` says."""
    if sys.stdout is not None and sys.stdout.isatty():
        import shutil

        return min(shutil.get_terminal_size((FILE_WIDTH, 24)).columns, MAX_WIDTH)
    return _columns()


def _append_diff_summary(path: Path, result: Any) -> None:
    """Append the markdown diff to GitHub's step summary, within its 1 MiB; warn if it fails."""
    from pmsize.render import diff as render
    from pmsize.render import markdown

    try:
        room = STEP_SUMMARY_LIMIT - (path.stat().st_size if path.exists() else 0)
        if room < markdown.MIN_LIMIT:
            _warn(f"GITHUB_STEP_SUMMARY {path} is full; nothing added")
            return
        with path.open("a", encoding="utf-8", newline="") as handle:
            handle.write("\n" + render.markdown(result, limit=room - 2) + "\n")
    except (OSError, ValueError) as exc:  # ValueError: a path the OS cannot take (a NUL)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        _warn(f"cannot append to GITHUB_STEP_SUMMARY {path} ({reason})")


@app.command()
def report(
    paths: PathsArg,
    output: OutputOpt = None,
    samples: SamplesOpt = DEFAULT_SAMPLES,  # simulate's: the same figures for ranged problems
    seed: SeedOpt = "0",
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
) -> None:
    """Write one self-contained HTML page to share: summary, charts and memos.

    Example: pmsize report examples/ -o report.html
    """
    with boundary():
        import logging

        from pmsize import api, options
        from pmsize import simulation as uncertainty
        from pmsize.options import MAX_SECTIONS
        from pmsize.render.json import stdout_is_utf8
        from pmsize.render.progress import progress_bar
        from pmsize.render.report import sections_note

        count, start = options.samples(samples), options.seed(seed)
        policy = options.policy(cap_threshold, thin_margin)
        uncertainty.keep_freed_memory()  # the process is ours: blocks reuse freed memory
        # stderr carries pmsize's messages only, not matplotlib's notes (a font cache
        # that takes a while to build in a fresh configuration folder)
        logging.getLogger("matplotlib").setLevel(logging.ERROR)
        with progress_bar(label="simulating and drawing", paths=paths) as progress:
            problems = api.load(paths)
            page = api.report(
                problems,
                samples=count,
                seed=start,
                policy=policy,
                progress=progress,
                max_sections=MAX_SECTIONS,
            )
        summarised = sections_note(min(len(problems), MAX_SECTIONS), len(problems))
        if summarised is not None:  # said on the page too
            _warn(summarised)
        if output in (None, "-") and not stdout_is_utf8():  # the page says charset utf-8
            page = page.encode("ascii", "xmlcharrefreplace").decode("ascii")
        inputs = [p.source.file for p in problems if p.source is not None]
        emit(page, output, inputs=inputs)


def _table(console: Any, results: Sequence[Any]) -> None:
    from pmsize.render import table

    table.render(console, results)


def exit_for(worst: str | None, fail_on: str) -> None:
    """Exit 1 when the worst verdict is at or beyond `fail_on` (never, reconsider, avoid)."""
    from pmsize.results import Verdict

    if worst is None or fail_on == FailOn.never:
        return
    if Verdict(worst) >= Verdict(fail_on):
        raise typer.Exit(ExitCode.POLICY_FAILED)


def emit(text: str, output: str | None, *, inputs: Iterable[str] = ()) -> None:
    """Write plain text to stdout (`output` None or `-`), or to the file `output` as `cp`
    would, atomically (see `files`); never onto one of the run's `inputs`."""
    if output is None or output == "-":
        _write_stdout(text)
        return
    from pmsize import files

    files.refuse_inputs(output, inputs)
    files.write_atomically(output, text, what="--output")


def emit_rich(
    draw: Callable[[Any], None], output: str | None, *, inputs: Iterable[str] = ()
) -> None:
    """Render with Rich to stdout, or without styling to a file written like `emit` does.

    Not at a terminal, a file and a redirection get the same width: COLUMNS when it is
    set and valid, else 80; no width is over MAX_WIDTH. `draw` receives a Rich console
    (typed Any: only pmsize.render imports Rich)."""
    from pmsize.render.table import make_console

    if output is None or output == "-":
        _write_stdout("")  # a closed stdout fails here, not silently inside Rich
        console = make_console()
        console.width = min(console.width, MAX_WIDTH) if console.is_terminal else _columns()
        try:
            draw(console)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _stdout_failed(exc) from None
        _write_stdout("")
        return
    from pmsize import files

    files.refuse_inputs(output, inputs)
    buffer = io.StringIO()
    console = make_console(buffer, terminal=False)
    console.width = _columns()
    draw(console)
    files.write_atomically(output, buffer.getvalue(), what="--output")


def _columns() -> int:
    """COLUMNS when it is a whole number from 1 up (at most MAX_WIDTH), else FILE_WIDTH.

    ASCII digits only: `²` is a digit to `str.isdigit` but not to `int`."""
    raw = os.environ.get("COLUMNS", "").strip()
    valid = raw.isascii() and raw.isdigit() and int(raw) > 0
    return min(int(raw), MAX_WIDTH) if valid else FILE_WIDTH


def _write_stdout(text: str) -> None:
    """Write and flush stdout; a failure (a full disk, a closed stream) is a `UsageError`
    (exit 2), a closed pipe stays a `BrokenPipeError` (a quiet exit 0)."""
    try:
        if sys.stdout is None:  # started with stdout closed (`>&-`)
            raise OSError(errno.EBADF, "it is closed")
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _stdout_failed(exc) from None


def _stdout_failed(exc: OSError) -> UsageError:
    """The error for output that cannot reach stdout; stdout is pointed at the null device
    so the interpreter's last flush of what is left cannot fail again."""
    _abandon_stdout()
    return UsageError(f"cannot write to stdout ({exc.strerror or exc})")


def append_step_summary(path: Path, results: Sequence[Any]) -> str | None:
    """Append the markdown table to GitHub's step summary, within its 1 MiB; warn if it fails.

    Returns what the summary now holds for the annotations' notice to say:
    `github.SUMMARY_COMPLETE`, `github.SUMMARY_CUT`, or None when nothing was added.
    """
    from pmsize.render import github, markdown

    try:
        room = STEP_SUMMARY_LIMIT - (path.stat().st_size if path.exists() else 0)
        if room < markdown.MIN_LIMIT:
            _warn(f"GITHUB_STEP_SUMMARY {path} is full; nothing added")
            return None
        # Blank lines around it, so it never runs into what other steps write.
        text, complete = markdown.fitted(results, limit=room - 2, heading="pmsize evaluate")
        with path.open("a", encoding="utf-8", newline="") as handle:
            handle.write("\n" + text + "\n")
    except (OSError, ValueError) as exc:  # ValueError: a path the OS cannot take (a NUL)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        _warn(f"cannot append to GITHUB_STEP_SUMMARY {path} ({reason})")
        return None
    return github.SUMMARY_COMPLETE if complete else github.SUMMARY_CUT


def _warn(message: str) -> None:
    """A `pmsize: ...` line on stderr; paths and values in it are made safe (`fmt.safe_line`)."""
    from pmsize import fmt

    _say(fmt.safe_line(f"pmsize: {message}"))


def _each_sampled(
    run: Callable[..., Any],
    problems: Sequence[Any],
    policy: Any,
    *,
    samples: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
) -> list[Any]:
    """`run` (`api.simulate` or `api.sensitivity`) on each problem, progress told over all."""
    total = samples * len(problems)
    results = []
    for index, problem in enumerate(problems):

        def told(done: int, _: int, before: int = index * samples) -> None:
            if progress is not None:
                progress(before + done, total)

        results.append(run(problem, samples=samples, seed=seed, policy=policy, progress=told))
    return results


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector, restoring its state afterwards.

    Loading, evaluating and rendering a portfolio allocate millions of small objects
    that stay alive and hold no cycles; the generational collector would rescan the
    growing heap again and again for nothing (on 10,000 problems it more than doubled
    the time of `evaluate`). Reference counting still frees whatever is dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def boundary(*, after_errors: str = "nothing evaluated") -> Iterator[None]:
    """Turn every error into its message on stderr and its exit code (SPEC §5).

    `after_errors` ends the count of input errors (`2 input errors; nothing evaluated`).
    A message that cannot reach stderr (closed, full) is dropped; the exit code stays.

    Start-up is over when a command starts: the garbage collector, if `main` was told
    it is paused, is resumed, with what start-up allocated frozen (never scanned)."""
    if _state["collector_paused"]:
        _state["collector_paused"] = False
        gc.freeze()
        gc.enable()
    try:
        with _notes():
            yield
    except typer.Exit:
        raise
    except InputErrors as exc:
        _report(exc.errors, after_errors)
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    except InputError as exc:
        _report([exc], after_errors)
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    except UsageError as exc:
        _warn(str(exc))
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    except KeyboardInterrupt as exc:
        raise typer.Exit(signals.interrupted(exc)) from None
    except BrokenPipeError:
        _abandon_stdout()
        raise typer.Exit(ExitCode.OK) from None
    except PmsizeError as exc:  # pragma: no cover - every PmsizeError has a branch above
        _warn(str(exc))
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    except Exception as exc:
        if _state["debug"]:
            with suppress(Exception):
                traceback.print_exc()
        _warn(
            f"internal error ({type(exc).__name__}: {exc}). This is a bug; please "
            f"report it at {ISSUES_URL} with the input and `--debug` output."
        )
        raise typer.Exit(ExitCode.INTERNAL_ERROR) from None


@contextmanager
def _notes() -> Iterator[None]:
    """Print each `SkippedPath` warning (a path left out on purpose) as a note on stderr,
    once however often it is met (`diff A A` reads a folder twice), made safe like every
    message; other warnings go where they went."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", SkippedPath)
        shown, told = warnings.showwarning, set[str]()

        def show(message: Any, category: Any, *args: Any, **kwargs: Any) -> None:
            if not issubclass(category, SkippedPath):
                shown(message, category, *args, **kwargs)
            elif str(message) not in told:
                told.add(str(message))
                _warn(f"note: {message}")

        warnings.showwarning = show
        yield


def _report(errors: Sequence[InputError], after: str) -> None:
    """Every input error on a line of its own, file names and values made safe to print,
    then their count (`; ` and `after` when given)."""
    from pmsize import fmt

    _say("".join(fmt.safe_line(str(e)) for e in errors))
    tail = f"; {after}" if after else ""
    _warn(f"{fmt.plural(InputErrors(list(errors)).total, 'input error')}{tail}")


def _abandon_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        sys.stdout = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - lives to exit


def main(*, collector_paused: bool = False) -> None:
    """Run the commands; what Typer itself writes (help, usage) is guarded here too.

    The `pmsize` script and `python -m pmsize` start in `pmsize.__main__.main`, which
    readies the standard streams and the signals before this module is imported, and
    pauses the garbage collector for start-up (`collector_paused`: the command resumes
    it, see `boundary`)."""
    _state["collector_paused"] = collector_paused
    sys.exit(_run())


def _run() -> int:
    """Run the app; a signal that Typer caught and turned into a quiet exit 130 (while
    it read the options) is reported here, with its own exit code."""

    code = _run_app()
    signum = signals.unreported()
    if signum is None:
        return code
    return signals.interrupted(Interrupted(signum))


def _run_app() -> int:
    try:
        try:
            app(prog_name="pmsize")
        finally:
            if sys.stdout is not None:
                sys.stdout.flush()
    except SystemExit as exc:
        code = exc.code
        if code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            return ExitCode.OK  # Typer's own answer to a closed pipe while writing help
        if code is None or isinstance(code, int):
            return code or 0
        _say(f"{code}\n")
        return 1
    except KeyboardInterrupt as exc:
        return signals.interrupted(exc)
    except BrokenPipeError:
        _abandon_stdout()
        return ExitCode.OK
    except OSError as exc:  # Typer writing --help or a usage message
        _say(f"pmsize: {_stdout_failed(exc)}\n")
        return ExitCode.BAD_INPUT
    return ExitCode.OK


__all__ = ["app", "main"]
