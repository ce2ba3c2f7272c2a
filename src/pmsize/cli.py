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


app = typer.Typer(
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
        help="Flag thin-margin when 0 <= ROI is below this (default 20%).", metavar="PERCENT"
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

        checked, errors = loader.check_paths(paths)
        # the sound files are named even when others fail: ok lines on stdout, errors on stderr
        emit("".join(f"{file}: ok ({n} problem{'s' * (n != 1)})\n" for file, n in checked), None)
        if errors:
            raise InputErrors(errors)


class ExplainFormat(str, enum.Enum):
    """Output formats of `explain`."""

    table = "table"
    markdown = "markdown"


@app.command()
def explain(
    file: Annotated[
        str,
        typer.Argument(help="A problem file, or - for stdin.", metavar="FILE", show_default=False),
    ],
    format: Annotated[
        ExplainFormat, typer.Option("--format", "-f", help="table for a terminal, or markdown.")
    ] = ExplainFormat.table,
    output: OutputOpt = None,
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
) -> None:
    """Explain a problem's verdict as a memo.

    Example: pmsize explain problem.yaml
    """
    with boundary():
        from pmsize import loader, service
        from pmsize.render import explain as render

        policy = service.cli_policy(cap_threshold, thin_margin)
        memos = render.explain_entries(loader.load_paths([file]), policy)
        if format is ExplainFormat.markdown:
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


class SimulationFormat(str, enum.Enum):
    """Output formats of `simulate` and `sensitivity`."""

    table = "table"
    json = "json"


SimulationFormatOpt = Annotated[
    SimulationFormat, typer.Option("--format", "-f", help="Output format.")
]
SamplesOpt = Annotated[
    int,
    typer.Option(
        "--samples",
        "-n",
        min=1,
        help="Monte Carlo samples per problem (at most 10,000,000).",
        metavar="N",
    ),
]
SeedOpt = Annotated[
    int,
    typer.Option(
        min=0, help="Seed of the random draws; the same seed, the same output.", metavar="SEED"
    ),
]


@app.command()
def simulate(
    paths: PathsArg,
    format: SimulationFormatOpt = SimulationFormat.table,
    output: OutputOpt = None,
    samples: SamplesOpt = 10_000,
    seed: SeedOpt = 0,
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
) -> None:
    """Simulate the ranges of problems (Monte Carlo).

    Example: pmsize simulate examples/
    """
    with boundary():
        from pmsize import service
        from pmsize import simulate as uncertainty
        from pmsize.render import simulate as render
        from pmsize.render.progress import progress_bar

        policy = service.cli_policy(cap_threshold, thin_margin)
        with progress_bar(label="simulating") as progress:
            results = uncertainty.simulate_paths(
                paths, policy, samples=samples, seed=seed, progress=progress
            )
        if format is SimulationFormat.json:
            emit(render.simulation_document(results), output)
        else:
            emit_rich(lambda console: render.render_simulations(console, results), output)


@app.command()
def sensitivity(
    file: Annotated[
        str,
        typer.Argument(help="A problem file, or - for stdin.", metavar="FILE", show_default=False),
    ],
    format: SimulationFormatOpt = SimulationFormat.table,
    output: OutputOpt = None,
    samples: SamplesOpt = 100_000,  # value of information needs more than percentiles do
    seed: SeedOpt = 0,
    cap_threshold: CapOpt = None,
    thin_margin: ThinOpt = None,
) -> None:
    """Show what drives NPV and what to find out first.

    Example: pmsize sensitivity problem.yaml
    """
    with boundary():
        from pmsize import service
        from pmsize import simulate as uncertainty
        from pmsize.render import simulate as render
        from pmsize.render.progress import progress_bar

        policy = service.cli_policy(cap_threshold, thin_margin)
        with progress_bar(label="sampling") as progress:
            results = uncertainty.simulate_paths(
                [file], policy, samples=samples, seed=seed, sensitivity=True, progress=progress
            )
        if format is SimulationFormat.json:
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
