"""Where the commands' output goes: stdout, or a file written the way `cp` writes it
(`--output`), GitHub's step summary, and pmsize's own lines on stderr.

Machine formats are plain text written with `sys.stdout.write`; tables are drawn by
Rich (in `pmsize.render`) at a width chosen here. A failure to write stdout is a
`UsageError` (exit 2); a closed pipe stays a `BrokenPipeError`, which the boundary
ends quietly.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from pmsize._errors import UsageError
from pmsize._signals import say

STEP_SUMMARY_LIMIT = 1024 * 1024  # bytes GitHub keeps of one step's summary
FILE_WIDTH = 80  # table width when not at a terminal and COLUMNS is unset or invalid
MAX_WIDTH = 400  # no table is wider: COLUMNS=30000 once made explain take 48 s

T = TypeVar("T")


def emit(
    text: str | Iterable[str],
    output: str | None,
    *,
    inputs: Iterable[str] = (),
    told: str | None = None,
) -> None:
    """Write plain text to stdout (`output` None or `-`), or to the file `output` as `cp`
    would, atomically (see `files`); never onto one of the run's `inputs`. A file written
    is said on stderr (`wrote`), with `told` (what it holds: `6 problems`). `text` may
    come in pieces, each written as it is made (a large document is never held whole)."""
    if output is None or output == "-":
        write_stdout(text)
        return
    from pmsize import _files as files

    files.refuse_inputs(output, inputs)
    files.write_atomically(output, text, what="--output")
    wrote(output, told)


def wrote(output: str, told: str | None = None) -> None:
    """The line that says a file was written, as `init` says it: `Wrote report.html:
    6 problems, 220 KB` (`told`, then the file's size); the path made safe
    (`fmt.safe_text`). Nothing is said of a device, a FIFO or a pipe written in place."""
    import stat

    from pmsize._fmt import safe_text

    try:  # a device, a FIFO or the pipe of `-o /dev/stdout` is written, not a file made
        found = Path(output).stat()
    except OSError:
        return
    if not stat.S_ISREG(found.st_mode):
        return
    size = size_text(found.st_size)
    held = f"{told}, {size}" if told else size
    say(f"Wrote {safe_text(output)}: {held}\n")


def size_text(count: int) -> str:
    """A size in bytes for people: `812 bytes`, `9.6 KB`, `220 KB`, `1.2 MB` (units of 1,024)."""
    if count < 1024:
        return "1 byte" if count == 1 else f"{count:,} bytes"
    value = float(count)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 999.5 or unit == "GB":
            break
    return f"{value:.1f} {unit}" if value < 9.95 else f"{value:,.0f} {unit}"


def emit_rich(
    draw: Callable[[Any], None],
    output: str | None,
    *,
    inputs: Iterable[str] = (),
    told: str | None = None,
) -> None:
    """Render with Rich to stdout, or without styling to a file written like `emit` does.

    Not at a terminal, a file and a redirection get the same width: COLUMNS when it is
    set and valid, else 80; no width is over MAX_WIDTH. `draw` receives a Rich console
    (typed Any: only pmsize.render imports Rich); `told` as `emit` takes it."""
    from pmsize.render.table import make_console

    if output is None or output == "-":
        write_stdout("")  # a closed stdout fails here, not silently inside Rich
        console = make_console()
        console.width = min(console.width, MAX_WIDTH) if console.is_terminal else columns()
        try:
            draw(console)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise stdout_failed(exc) from None
        write_stdout("")
        return
    from pmsize import _files as files

    files.refuse_inputs(output, inputs)
    buffer = io.StringIO()
    console = make_console(buffer, terminal=False)
    console.width = columns()
    draw(console)
    text = buffer.getvalue()
    files.write_atomically(output, text, what="--output")
    wrote(output, told)


def columns() -> int:
    """COLUMNS when it is a whole number from 1 up (at most MAX_WIDTH), else FILE_WIDTH.

    ASCII digits only: `²` is a digit to `str.isdigit` but not to `int`."""
    raw = os.environ.get("COLUMNS", "").strip()
    valid = raw.isascii() and raw.isdigit() and int(raw) > 0
    return min(int(raw), MAX_WIDTH) if valid else FILE_WIDTH


def text_width() -> int:
    """The terminal's width at a terminal (at most MAX_WIDTH), else as `columns` says."""
    if sys.stdout is not None and sys.stdout.isatty():
        import shutil

        return min(shutil.get_terminal_size((FILE_WIDTH, 24)).columns, MAX_WIDTH)
    return columns()


def write_stdout(text: str | Iterable[str]) -> None:
    """Write `text` (or each of its pieces, as they come) to stdout and flush it; a
    failure (a full disk, a closed stream) is a `UsageError` (exit 2), a closed pipe
    stays a `BrokenPipeError` (a quiet exit 0)."""
    try:
        if sys.stdout is None:  # started with stdout closed (`>&-`)
            raise OSError(errno.EBADF, "it is closed")
        write = sys.stdout.write
        if isinstance(text, str):
            write(text)
        else:
            for piece in text:
                write(piece)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise stdout_failed(exc) from None


def stdout_failed(exc: OSError) -> UsageError:
    """The error for output that cannot reach stdout; stdout is pointed at the null device
    so the interpreter's last flush of what is left cannot fail again."""
    abandon_stdout()
    return UsageError(f"cannot write to stdout ({exc.strerror or exc})")


def abandon_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        sys.stdout = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - lives to exit


def append_step_summary(fitted: Callable[[int], tuple[str, T]]) -> T | None:
    """Append markdown to GitHub's step summary (the file GITHUB_STEP_SUMMARY names, when
    it is set), within the 1 MiB GitHub keeps; warn on stderr when it is full or fails.

    `fitted(limit)` gives the markdown in at most `limit` bytes and what to tell the
    caller about it (`evaluate`: whether every problem fit), which is returned; None
    when nothing was added.
    """
    from pmsize.render import markdown

    name = os.environ.get("GITHUB_STEP_SUMMARY")
    if not name:
        return None
    path = Path(name)
    try:
        room = STEP_SUMMARY_LIMIT - (path.stat().st_size if path.exists() else 0)
        if room < markdown.MIN_LIMIT:
            warn(f"GITHUB_STEP_SUMMARY {path} is full; nothing added")
            return None
        # Blank lines around it, so it never runs into what other steps write.
        text, told = fitted(room - 2)
        with path.open("a", encoding="utf-8", newline="") as handle:
            handle.write("\n" + text + "\n")
    except (OSError, ValueError) as exc:  # ValueError: a path the OS cannot take (a NUL)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        warn(f"cannot append to GITHUB_STEP_SUMMARY {path} ({reason})")
        return None
    return told


def warn(message: str) -> None:
    """A `pmsize: ...` line on stderr; paths and values in it are made safe (`fmt.safe_line`)."""
    from pmsize import _fmt as fmt

    say(fmt.safe_line(f"pmsize: {message}"))


__all__ = [
    "FILE_WIDTH",
    "MAX_WIDTH",
    "STEP_SUMMARY_LIMIT",
    "abandon_stdout",
    "append_step_summary",
    "columns",
    "emit",
    "emit_rich",
    "size_text",
    "stdout_failed",
    "text_width",
    "warn",
    "write_stdout",
    "wrote",
]
