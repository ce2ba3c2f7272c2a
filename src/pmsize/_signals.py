"""The signals that end a run: Ctrl-C (SIGINT), SIGTERM and SIGHUP.

Each raises `Interrupted` (a KeyboardInterrupt, so every `finally` cleans up) and is
remembered until `cli` has said so. The command line library catches a
KeyboardInterrupt while it reads the options and exits 130 without a word; `cli`
asks `unreported()` after it returns, so that a signal at any moment gives its
message and 128 + the signal.

Imports the `signal` module and nothing heavier: `__main__` installs the handlers
before anything else is imported, so that a signal in the first moments of a run
(while the libraries load, a slow part of start-up) is reported like any other.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

TYPE_CHECKING = False  # as typing's, which is too slow an import to come before the handlers
if TYPE_CHECKING:
    from collections.abc import Callable

ENDING_SIGNALS = ("SIGTERM", "SIGHUP")  # ended like Ctrl-C: clean up, say so, 128 + signal

_received: list[int] = []  # signals raised and not yet reported


class Interrupted(KeyboardInterrupt):
    """A signal that ends the run (SIGTERM, SIGHUP), raised like Ctrl-C so that every
    `finally` cleans up (a temp file is removed); the exit code is 128 + `signum`."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def install(*, deferred: bool = False) -> None:
    """Handle Ctrl-C, SIGTERM and SIGHUP: each raises `Interrupted`, or with `deferred`
    is only remembered until `raise_remembered()`. A signal the caller chose to ignore
    (nohup, a background job's SIGINT) stays ignored.

    Start-up defers: while the libraries are imported, an exception raised at a random
    point can surface as another (Python 3.11 wraps one raised in a class's
    `__set_name__` in a RuntimeError) or be swallowed by a library's bare `except:`, and
    nothing there needs cleaning up.
    """
    handler = _remember if deferred else _interrupt
    ours = (_remember, _interrupt)
    if signal.getsignal(signal.SIGINT) in (signal.default_int_handler, *ours):
        signal.signal(signal.SIGINT, handler)
    for name in ENDING_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) in (signal.SIG_DFL, *ours):
            signal.signal(number, handler)
    if not isinstance(sys.unraisablehook, _RaiseAgain):
        sys.unraisablehook = _RaiseAgain(sys.unraisablehook)


def raise_remembered() -> None:
    """Raise `Interrupted` for a signal remembered while the handlers were deferred."""
    signum = unreported()
    if signum is not None:
        raise Interrupted(signum)


def _remember(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise Interrupted(signum)


class _RaiseAgain:
    """Python cannot raise in a callback it calls on its own (a weak reference's, such as
    the import system's module locks, or a finaliser): it would print `Exception ignored
    in ...` with a traceback and drop the signal. Such a signal is sent again instead, and
    raised as soon as the callback has returned."""

    def __init__(self, previous: Callable[[sys.UnraisableHookArgs], object]) -> None:
        self._previous = previous

    def __call__(self, unraisable: sys.UnraisableHookArgs) -> None:
        if isinstance(unraisable.exc_value, Interrupted):
            signal.raise_signal(unraisable.exc_value.signum)
            return
        self._previous(unraisable)


def unreported() -> int | None:
    """The last signal raised that no message has named yet, or None."""
    return _received[-1] if _received else None


def reported() -> None:
    """Say that the signals received so far have been reported."""
    _received.clear()


def say(text: str) -> None:
    """Write a message to stderr; if stderr is closed or failing, the message is lost,
    never the exit code."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except Exception:  # whatever stderr does, the exit code stands
        pass


def interrupted(exc: BaseException) -> int:
    """Say which signal stopped the run; its exit code, 128 + the signal (130 for Ctrl-C)."""
    reported()
    signum = int(getattr(exc, "signum", signal.SIGINT))
    if signum == signal.SIGINT:
        say("pmsize: interrupted\n")
    else:
        say(f"pmsize: interrupted by {signal.Signals(signum).name}\n")
    return 128 + signum
