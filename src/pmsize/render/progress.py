"""A transient progress bar on stderr for work that takes more than about a second.

Imports Rich only when a bar may be drawn, so piped runs do not pay for it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress

Report = Callable[[int, int | None], None]  # (work done, total or None while reading)


def stdin_notice(paths: Sequence[str]) -> bool:
    """When `-` is among `paths` and stdin is a terminal, say on stderr that pmsize waits
    for typed input (else it looks hung); True if it did."""
    isatty = getattr(sys.stdin, "isatty", None)
    if "-" not in paths or isatty is None or not isatty():
        return False
    end = "Ctrl-Z then Enter" if sys.platform == "win32" else "Ctrl-D"
    with suppress(Exception):
        sys.stderr.write(f"pmsize: reading a problem from standard input (end it with {end})\n")
        sys.stderr.flush()
    return True


@contextmanager
def progress_bar(
    delay: float = 1.0, label: str = "evaluating", paths: Sequence[str] = ()
) -> Iterator[Report | None]:
    """A progress callback `(done, total)` that shows a bar on stderr once `delay` seconds pass.

    Only when stderr is a terminal; yields None otherwise, so nothing reaches pipes,
    files or tests. The bar appears from a timer (reading one large file reports no
    progress until it is done), counts under `label` once `total` is known, and is
    erased when the work ends, before any output is written. When `paths` has `-` and
    stdin is a terminal, a line says so instead (see `stdin_notice`), and no bar is drawn
    over the typing.
    """
    isatty = getattr(sys.stderr, "isatty", None)
    if stdin_notice(paths) or isatty is None or not isatty():
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from pmsize.render.table import make_console

    console = make_console(sys.stderr)
    if console.is_dumb_terminal:
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    task = bar.add_task("reading problem files", total=None)

    def report(done: int, total: int | None) -> None:
        if total is not None:
            bar.update(task, description=label, completed=done, total=total)

    timer = threading.Timer(delay, bar.start)
    timer.daemon = True
    timer.start()
    try:
        yield report
    finally:
        timer.cancel()
        timer.join()
        bar.stop()
