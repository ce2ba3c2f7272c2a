"""The entry point of the `pmsize` script and of `python -m pmsize`.

It imports almost nothing, so that what can go wrong before the commands run is
handled too: closed standard streams, and a signal (Ctrl-C, SIGTERM, SIGHUP)
while the command line library is still being imported.
"""

from __future__ import annotations

import errno
import io
import os
import signal
import sys

from pmsize.errors import Interrupted

ENDING_SIGNALS = ("SIGTERM", "SIGHUP")  # ended like Ctrl-C: clean up, say so, 128 + signal


def main() -> None:
    """Ready the streams and signals, then run the command line."""
    _ready_standard_streams()
    try:
        _handle_ending_signals()
        from pmsize.cli import main as run
    except KeyboardInterrupt as exc:  # Ctrl-C (or a signal) during start-up
        signum = getattr(exc, "signum", signal.SIGINT)
        name = "" if signum == signal.SIGINT else f" by {signal.Signals(signum).name}"
        _say(f"pmsize: interrupted{name}\n")
        sys.exit(128 + signum)
    run()


def _handle_ending_signals() -> None:
    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    for name in ENDING_SIGNALS:
        number = getattr(signal, name, None)
        # a signal the caller chose to ignore (nohup) stays ignored
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, interrupt)


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


def _ready_standard_streams() -> None:
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


def _say(text: str) -> None:
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    main()
