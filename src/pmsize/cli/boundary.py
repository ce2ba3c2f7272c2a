"""The one place that turns errors into messages and exit codes (SPEC §5), and the run
of the command line around it.

Every command runs inside `boundary()`: input errors exit 2 with every located
message on stderr, Ctrl-C 130 (SIGTERM and SIGHUP 128 + the signal), a closed pipe
ends quietly, output that cannot be written exits 2, and anything else is a bug:
exit 3 with a short message (the traceback only with --debug). `main` runs the
commands and guards what Typer itself writes (help, usage) the same way.
"""

from __future__ import annotations

import gc
import sys
import traceback
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import typer

from pmsize import _signals as signals
from pmsize._errors import (
    ArgumentError,
    ExitCode,
    InputError,
    InputErrors,
    PmsizeError,
    SkippedPath,
    UsageError,
)
from pmsize._signals import Interrupted, say
from pmsize.cli.output import abandon_stdout, stdout_failed, warn

ISSUES_URL = "https://github.com/pmsize/pmsize/issues"

_state = {"debug": False, "collector_paused": False}


class UsageExit(typer.Exit):
    """The exit (2) of a run refused for its options or arguments: unlike an input error,
    nothing a file holds can change it, so `--watch` ends on it rather than waiting."""


def show_tracebacks(debug: bool) -> None:
    """`--debug`: print the traceback of an internal error before its message."""
    _state["debug"] = debug


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
    except UsageError as exc:  # a library argument is named as its option here
        warn(exc.on_command_line() if isinstance(exc, ArgumentError) else str(exc))
        raise UsageExit(ExitCode.BAD_INPUT) from None
    except KeyboardInterrupt as exc:
        raise typer.Exit(signals.interrupted(exc)) from None
    except BrokenPipeError:
        abandon_stdout()
        raise typer.Exit(ExitCode.OK) from None
    except PmsizeError as exc:  # pragma: no cover - every PmsizeError has a branch above
        warn(str(exc))
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    except Exception as exc:
        if _state["debug"]:
            with suppress(Exception):
                traceback.print_exc()
        warn(
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
                warn(f"note: {message}")

        warnings.showwarning = show
        yield


def _report(errors: Sequence[InputError], after: str) -> None:
    """Every input error on a line of its own, file names and values made safe to print,
    then their count (`; ` and `after` when given)."""
    from pmsize import _fmt as fmt

    say("".join(fmt.safe_line(str(e)) for e in errors))
    tail = f"; {after}" if after else ""
    warn(f"{fmt.plural(InputErrors(list(errors)).total, 'input error')}{tail}")


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
    from pmsize.cli import app  # the package is loaded by now: it imports this module

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
        say(f"{code}\n")
        return 1
    except KeyboardInterrupt as exc:
        return signals.interrupted(exc)
    except BrokenPipeError:
        abandon_stdout()
        return ExitCode.OK
    except OSError as exc:  # Typer writing --help or a usage message
        say(f"pmsize: {stdout_failed(exc)}\n")
        return ExitCode.BAD_INPUT
    return ExitCode.OK


__all__ = ["ISSUES_URL", "UsageExit", "boundary", "collector_paused", "main", "show_tracebacks"]
