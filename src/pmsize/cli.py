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
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from pmsize import __version__
from pmsize.errors import ExitCode, InputError, InputErrors, Location, PmsizeError, UsageError

ISSUES_URL = "https://github.com/pmsize/pmsize/issues"


class Format(str, enum.Enum):
    """Output formats of `evaluate`."""

    table = "table"
    json = "json"


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
        show_default=False,
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout."),
]
FailOnOpt = Annotated[
    FailOn,
    typer.Option(help="Exit 1 when any problem's verdict is at or beyond this level."),
]
CapOpt = Annotated[
    str | None,
    typer.Option(help="Flag capped-by-alternative when the ceiling is below this share of value."),
]
ThinOpt = Annotated[
    str | None,
    typer.Option(help="Flag thin-margin when 0 <= ROI is below this (e.g. 20%)."),
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
    """Evaluate problems and rank them, e.g. `pmsize evaluate examples/`."""
    with boundary():
        from pmsize import service

        results = service.evaluate_paths(
            paths, service.cli_policy(cap_threshold, thin_margin), sort=sort.value
        )
        if format is Format.json:
            from pmsize.render import json as render_json

            emit(render_json.document(results), output)
        else:
            emit_rich(lambda console: _table(console, results), output)
        exit_for(service.worst_verdict(results), fail_on.value)


def _table(console: object, results: Sequence[object]) -> None:
    from pmsize.render import table

    table.render(console, results)  # type: ignore[arg-type]


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
    write_atomically(output, text)


def emit_rich(draw: Callable[[object], None], output: Path | None) -> None:
    """Render with Rich to stdout, or without styling to a file written atomically."""
    from pmsize.render.table import make_console

    if output is None:
        draw(make_console())
        return
    buffer = io.StringIO()
    width = int(os.environ.get("COLUMNS", "100") or 100)
    console = make_console(buffer, terminal=False)
    console.width = width
    draw(console)
    write_atomically(output, buffer.getvalue())


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to a temp file beside `path`, then rename it over `path`."""
    import tempfile

    directory = path.parent if str(path.parent) else Path()
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise UsageError(f"--output {path}: cannot write there ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


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


__all__ = ["Location", "app", "main"]
