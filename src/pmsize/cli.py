"""The command line: parse options -> load -> compute -> render. Thin on purpose.

Every command runs inside `boundary()`, the one place that turns errors into
messages and exit codes (SPEC §5): input errors exit 2 with every located
message on stderr, Ctrl-C 130, a closed pipe ends quietly, and anything else
is a bug: exit 3 with a short message (the traceback only with --debug).
"""

from __future__ import annotations

import enum
import io
import os
import shutil
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand
from typer.models import CommandFunctionType

from pmsize import __version__
from pmsize.errors import ExitCode, InputError, InputErrors, PmsizeError, UsageError

ISSUES_URL = "https://github.com/pmsize/pmsize/issues"
STEP_SUMMARY_LIMIT = 1024 * 1024  # bytes GitHub keeps of one step's summary


class Format(str, enum.Enum):
    """Output formats of `evaluate`."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    github = "github"


class FailOn(str, enum.Enum):
    """The verdict at or beyond which `--fail-on` exits 1."""

    never = "never"
    reconsider = "reconsider"
    avoid = "avoid"


class Sort(str, enum.Enum):
    """Orders of the ranked results, best first."""

    npv = "npv"
    roi = "roi"
    ceiling = "ceiling"
    name = "name"


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
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"pmsize {__version__}\n")
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
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (atomically) instead of stdout.",
        metavar="FILE",
    ),
]
FailOnOpt = Annotated[
    FailOn,
    typer.Option(help="Exit 1 when any problem's verdict is at or beyond this level."),
]
# Formats, counts and thresholds are read as text and checked by pmsize (pmsize.options,
# service.cli_policy), so `-n 1e6` works and a bad value gets pmsize's own sentence.
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
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    output: OutputOpt = None,
    sort: Annotated[Sort, typer.Option(help="Rank results by this, best first.")] = Sort.npv,
    fail_on: FailOnOpt = FailOn.never,
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
) -> None:
    """Evaluate problems and rank them.

    Example: pmsize evaluate examples/
    """
    with boundary():
        from pmsize import service
        from pmsize.render.progress import progress_bar

        policy = service.cli_policy(cap_threshold, thin_margin)
        with service.collector_paused():
            with progress_bar() as progress:
                results = service.evaluate_paths(paths, policy, sort=sort.value, progress=progress)
            _write_evaluation(results, format, output)
        exit_for(service.worst_verdict(results), fail_on.value)


@app.command()
def validate(paths: PathsArg) -> None:
    """Check problem files without evaluating them; report every error.

    Example: pmsize validate .
    """
    with boundary():
        from pmsize import loader

        checked = loader.check_paths(paths)
        emit("".join(f"{file}: ok ({n} problem{'s' * (n != 1)})\n" for file, n in checked), None)


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
        from pmsize import loader, options, service
        from pmsize.render import explain as render

        format = options.choice(format, EXPLAIN_FORMATS, "explain")
        policy = service.cli_policy(cap_threshold, thin_margin)
        memos = render.explain_entries(loader.load_paths(paths), policy)
        if format == "markdown":
            emit(render.markdown(memos), output)
        else:
            emit_rich(lambda console: render.render(console, memos), output)


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
        starter.write(Path(file), force=force)
        sys.stderr.write(f"Wrote {file}. Edit it, then run: pmsize evaluate {file}\n")


@app.command()
def schema(output: OutputOpt = None) -> None:
    """Print the JSON Schema of problem files for editors.

    Example: pmsize schema > s.json
    """
    with boundary():
        import json

        from pmsize import models

        emit(json.dumps(models.json_schema(), indent=2, ensure_ascii=False) + "\n", output)


def _write_evaluation(results: Sequence[Any], format: Format, output: Path | None) -> None:
    """Write `results` in `format`; for `github`, also append the markdown to the step summary."""
    if format is Format.table:
        emit_rich(lambda console: _table(console, results), output)
        return
    from pmsize.render import csv, github, json, markdown

    if format is Format.github:
        emit(github.document(results, os.environ.get("GITHUB_WORKSPACE")), output)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            append_step_summary(Path(summary), results)
        return
    documents = {
        Format.json: json.document,
        Format.csv: csv.document,
        Format.markdown: markdown.document,
    }
    emit(documents[format](results), output)


SIMULATION_FORMATS = ("table", "json")  # of `simulate` and `sensitivity`

SimulationFormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="Output format: table or json.", metavar="FORMAT")
]
DEFAULT_SAMPLES = "100,000"  # options.DEFAULT_SAMPLES, written out: cli imports no more
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
        from pmsize import options, service
        from pmsize import simulate as uncertainty
        from pmsize.render import simulate as render
        from pmsize.render.progress import progress_bar

        format = options.choice(format, SIMULATION_FORMATS, "simulate")
        count, start = options.samples(samples), options.seed(seed)
        policy = service.cli_policy(cap_threshold, thin_margin)
        with progress_bar(label="simulating") as progress:
            results = uncertainty.simulate_paths(
                paths, policy, samples=count, seed=start, progress=progress
            )
        if format == "json":
            emit(render.simulation_document(results), output)
        else:
            emit_rich(lambda console: render.render_simulations(console, results), output)


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
        from pmsize import options, service
        from pmsize import simulate as uncertainty
        from pmsize.render import simulate as render
        from pmsize.render.progress import progress_bar

        format = options.choice(format, SIMULATION_FORMATS, "sensitivity")
        count, start = options.samples(samples), options.seed(seed)
        policy = service.cli_policy(cap_threshold, thin_margin)
        with progress_bar(label="sampling") as progress:
            results = uncertainty.simulate_paths(
                paths, policy, samples=count, seed=start, sensitivity=True, progress=progress
            )
        if format == "json":
            emit(render.sensitivity_document(results), output)
        else:
            emit_rich(lambda console: render.render_sensitivities(console, results), output)


def _table(console: Any, results: Sequence[Any]) -> None:
    from pmsize.render import table

    table.render(console, results)


def exit_for(worst: str | None, fail_on: str) -> None:
    """Exit 1 when the worst verdict is at or beyond `fail_on` (never, reconsider, avoid)."""
    from pmsize.engine import VERDICTS

    if worst is None or fail_on == FailOn.never.value:
        return
    if VERDICTS.index(worst) >= VERDICTS.index(fail_on):
        raise typer.Exit(ExitCode.POLICY_FAILED)


def emit(text: str, output: Path | None) -> None:
    """Write plain text to stdout, or atomically to `output` (temp file, then rename)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from pmsize import files

    files.write_atomically(output, text, what="--output")


def emit_rich(draw: Callable[[Any], None], output: Path | None) -> None:
    """Render with Rich to stdout, or without styling to a file written atomically.

    `draw` receives a Rich console (typed Any: only pmsize.render imports Rich)."""
    from pmsize.render.table import make_console

    if output is None:
        draw(make_console())
        return
    buffer = io.StringIO()
    width = shutil.get_terminal_size((100, 24)).columns  # COLUMNS if set and valid, else 100
    console = make_console(buffer, terminal=False)
    console.width = width
    draw(console)
    from pmsize import files

    files.write_atomically(output, buffer.getvalue(), what="--output")


def append_step_summary(path: Path, results: Sequence[Any]) -> None:
    """Append the markdown table to GitHub's step summary, within its 1 MiB; warn if it fails."""
    from pmsize.render import markdown

    try:
        room = STEP_SUMMARY_LIMIT - (path.stat().st_size if path.exists() else 0)
        if room < markdown.MIN_LIMIT:
            sys.stderr.write(f"pmsize: GITHUB_STEP_SUMMARY {path} is full; nothing added\n")
            return
        # Blank lines around it, so it never runs into what other steps write.
        text = "\n" + markdown.document(results, limit=room - 2, heading="pmsize evaluate") + "\n"
        with path.open("a", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        sys.stderr.write(
            f"pmsize: cannot append to GITHUB_STEP_SUMMARY {path} ({exc.strerror or exc})\n"
        )


@contextmanager
def boundary() -> Iterator[None]:
    """Turn every error into its message on stderr and its exit code (SPEC §5)."""
    try:
        yield
    except typer.Exit:
        raise
    except InputErrors as exc:
        _report(exc.errors)
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    except InputError as exc:
        _report([exc])
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    except UsageError as exc:
        sys.stderr.write(f"pmsize: {exc}\n")
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    except KeyboardInterrupt:
        sys.stderr.write("pmsize: interrupted\n")
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    except BrokenPipeError:
        _quiet_broken_pipe()
        raise typer.Exit(ExitCode.OK) from None
    except PmsizeError as exc:  # pragma: no cover - every PmsizeError has a branch above
        sys.stderr.write(f"pmsize: {exc}\n")
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    except Exception as exc:
        if _state["debug"]:
            traceback.print_exc()
        sys.stderr.write(
            f"pmsize: internal error ({type(exc).__name__}: {exc}). This is a bug; please "
            f"report it at {ISSUES_URL} with the input and `--debug` output.\n"
        )
        raise typer.Exit(ExitCode.INTERNAL_ERROR) from None


def _report(errors: Sequence[InputError]) -> None:
    sys.stderr.write("".join(f"{e}\n" for e in errors))
    noun = "error" if len(errors) == 1 else "errors"
    sys.stderr.write(f"pmsize: {len(errors)} input {noun}; nothing evaluated\n")


def _quiet_broken_pipe() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main() -> None:
    """Entry point of the `pmsize` script."""
    try:
        app(prog_name="pmsize")
    except KeyboardInterrupt:
        sys.stderr.write("pmsize: interrupted\n")
        sys.exit(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        _quiet_broken_pipe()
        sys.exit(ExitCode.OK)


__all__ = ["app", "main"]
