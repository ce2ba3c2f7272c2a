"""What the entry point readies before the command line runs: the standard streams,
their encodings and standard error's filter, and the terminal size variables.

`__main__` imports this module once its signal handlers are installed.

What reaches a terminal or a CI log, whoever writes it (pmsize, the command line
library's usage errors, a traceback with --debug), follows two rules set here:

- Standard output and standard error never fail on a character their encoding
  cannot hold (`PYTHONIOENCODING=ascii`, a C locale without UTF-8 mode): it is
  written as a backslash escape (`\\u2212`) instead. JSON is then all ASCII
  (`render.json`), so it stays valid and exact; a table, CSV or markdown shows the
  escape. Nor do they ever write a lone surrogate (an undecodable byte of a file
  name) raw.
- Standard error escapes the characters a terminal or log viewer acts on unseen:
  C1 controls, the bidirectional overrides, isolates and marks, the line and
  paragraph separators and lone surrogates (`fmt.escape_unseen`). C0 controls
  pass, as Rich's progress bar needs them; pmsize's own messages already escape
  those (`fmt.safe_text`). No `##[` passes either, the workflow command a CI runner
  reads anywhere in a line (`fmt.break_inline_commands`): not in a usage error that
  echoes a value, nor in a traceback.

COLUMNS, LINES and their Jupyter forms that are not ASCII digits are dropped
(read as unset), so that no library fails on `COLUMNS=²`.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Any, TextIO, cast

from pmsize._fmt import break_inline_commands, escape_unseen

SIZE_VARIABLES = ("COLUMNS", "LINES", "JUPYTER_COLUMNS", "JUPYTER_LINES")


def ready() -> None:
    """Ready the standard streams, their encodings and the size variables for a run."""
    ready_standard_streams()
    ready_encodings()
    drop_invalid_sizes()


class _SafeStderr:
    """Standard error that writes every text through `fmt.escape_unseen` and
    `fmt.break_inline_commands`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(escape_unseen(break_inline_commands(text)))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def ready_encodings() -> None:
    """See the module docstring: escapes, never a failure, for what an encoding cannot
    hold; standard error filtered."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(OSError, ValueError):
                reconfigure(errors="backslashreplace")
    if sys.stderr is not None and not isinstance(sys.stderr, _SafeStderr):
        sys.stderr = cast(TextIO, _SafeStderr(sys.stderr))


def drop_invalid_sizes() -> None:
    """Drop COLUMNS, LINES and their Jupyter forms unless they are ASCII digits (read as
    unset), so that no library fails on `COLUMNS=²`."""
    for name in SIZE_VARIABLES:
        value = os.environ.get(name)
        if value is not None and not (value.strip().isascii() and value.strip().isdigit()):
            del os.environ[name]


class _ClosedRaw(io.RawIOBase):
    """Standard output that was closed at start: the first write fails (EBADF), so that
    the run reports it; later writes (the interpreter's last flush) go nowhere."""

    failed = False

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        size = len(data)  # type: ignore[arg-type]
        if size and not self.failed:
            self.failed = True
            raise OSError(errno.EBADF, "it is closed")
        return size


def ready_standard_streams() -> None:
    """Give a closed stdin, stdout or stderr (`<&-`, `>&-`, `2>&-`) the null device, so
    that no file the run opens takes its descriptor; a closed stdin reads as empty, a
    closed stdout fails on the first write (exit 2), a closed stderr drops messages."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            if fd == 0:
                sys.stdin = open(fd, encoding="utf-8", closefd=False)  # noqa: SIM115
            elif fd == 1:
                sys.stdout = io.TextIOWrapper(io.BufferedWriter(_ClosedRaw()), encoding="utf-8")
            else:
                sys.stderr = open(fd, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
