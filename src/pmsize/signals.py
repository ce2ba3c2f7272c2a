"""The signals that end a run: Ctrl-C (SIGINT), SIGTERM and SIGHUP.

Each raises `errors.Interrupted` (a KeyboardInterrupt, so every `finally` cleans up)
and is remembered until `cli` has said so. The command line library catches a
KeyboardInterrupt while it reads the options and exits 130 without a word; `cli`
asks `unreported()` after it returns, so that a signal at any moment gives its
message and 128 + the signal. Imports nothing heavy: `__main__` installs the
handlers before anything else is imported.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from types import FrameType

from pmsize.errors import Interrupted

ENDING_SIGNALS = ("SIGTERM", "SIGHUP")  # ended like Ctrl-C: clean up, say so, 128 + signal

_received: list[int] = []  # signals raised and not yet reported


def install() -> None:
    """Handle Ctrl-C, SIGTERM and SIGHUP; a signal the caller chose to ignore (nohup,
    a background job's SIGINT) stays ignored."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupt)
    for name in ENDING_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, _interrupt)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise Interrupted(signum)


def unreported() -> int | None:
    """The last signal raised that no message has named yet, or None."""
    return _received[-1] if _received else None


def reported() -> None:
    """Say that the signals received so far have been reported."""
    _received.clear()


def say(text: str) -> None:
    """Write a message to stderr; if stderr is closed or failing, the message is lost,
    never the exit code."""
    with contextlib.suppress(Exception):
        sys.stderr.write(text)
        sys.stderr.flush()


def interrupted(exc: BaseException) -> int:
    """Say which signal stopped the run; its exit code, 128 + the signal (130 for Ctrl-C)."""
    reported()
    signum = int(getattr(exc, "signum", signal.SIGINT))
    if signum == signal.SIGINT:
        say("pmsize: interrupted\n")
    else:
        say(f"pmsize: interrupted by {signal.Signals(signum).name}\n")
    return 128 + signum
