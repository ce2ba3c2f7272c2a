"""A page's charts drawn in worker processes, handed back in the order they were asked for.

matplotlib draws in one thread at a time, so a page of many charts is drawn by several
processes. Each chart is drawn from its kind, its arguments and its number alone
(`_draw.drawn`), so it is the same bytes whichever process draws it. A process is not
free: starting the workers imports matplotlib again (about half a second, though this
process then never imports it), so the library draws a page of few charts in this one
(`workers_for`), and the workers are started as soon as a page is known to need them,
in the background, while the page's words are put together (`Pool`). `pmsize report`
starts the fork server as it begins (`start_early`), while it reads its files, and
draws every page in processes.

Workers are started by the fork server where there is one (POSIX), which imports
matplotlib once (`_worker`) and forks each worker from it, else spawned (Windows). Never
forked from this process, which may have threads running (a progress bar): a fork copies
their locks held, and Python 3.12 warns of it. Ctrl-C is left to this process, which
stops the workers: they ignore it, and so does the fork server from its first
instruction (`_start_server`), so that none prints a traceback of its own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.context import BaseContext

# charts a page has before they are drawn in processes (`workers_for`): on two cores, 12
# charts took as long either way, 26 a third less in two processes
PARALLEL_FROM = 16
MAX_WORKERS = 4  # processes at most, each with its own matplotlib (about 100 MB)

Request = tuple[str, tuple[Any, ...], int]  # a chart's kind, its arguments and its number


def workers_for(charts: int) -> int:
    """Processes to draw a page's `charts` in: 1 (this one) below `PARALLEL_FROM`, else
    one a core this process may run on, at most `MAX_WORKERS`."""
    if charts < PARALLEL_FROM:
        return 1
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_WORKERS))


class Pool:
    """`workers` processes that draw charts, started in the background as soon as made."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._failed: BaseException | None = None
        # here, not in the thread: only the main thread may set how Ctrl-C is handled;
        # no processes to be had is raised where they are used
        with contextlib.suppress(OSError):
            _start_server()
        self._starting = threading.Thread(target=self._start, name="pmsize-charts", daemon=True)
        self._starting.start()

    def _start(self) -> None:
        from concurrent.futures import ProcessPoolExecutor

        try:
            context = _context()
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_started,
                initargs=(logging.getLogger("matplotlib").level,),
            )
            # a task each, so that each worker starts now rather than when charts come
            for started in [self._executor.submit(int) for _ in range(self.workers)]:
                started.result()
        except Exception as exc:  # no processes to be had here: raised where they are used
            self._failed = exc

    def draw(self, requests: Sequence[Request]) -> Iterator[str]:
        """Each chart requested, drawn in the workers, in the order of `requests`."""
        from pmsize.render.charts._draw import drawn

        self._starting.join()
        if self._failed is not None:
            raise self._failed
        assert self._executor is not None
        kinds, args, numbers = zip(*requests, strict=True) if requests else ((), (), ())
        # a chart at a time (a few kilobytes each way): the workers stay evenly loaded, and
        # stopping them waits for a chart or two each, not a batch
        yield from self._executor.map(drawn, kinds, args, numbers)

    def close(self) -> None:
        """Stop the workers; charts not yet started (on an error or Ctrl-C) are not drawn."""
        self._starting.join()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)


def _context() -> BaseContext:
    """How workers start: forked from the fork server where there is one, else spawned."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["pmsize.render.charts._worker"])
        return context
    return multiprocessing.get_context("spawn")


def start_early() -> int | None:
    """Start the fork server now, for a command that will draw a page: it imports
    matplotlib (half a second) on a core this process leaves idle while it reads its
    files, and the page is then drawn in processes forked from it, however few its
    charts (one a core, as `workers_for` picks for many): this process never imports
    matplotlib, so drawing there costs no more than here, and takes less time.
    The workers to draw the page in; None where there is no fork server or one core
    (`pmsize.report` then decides as it does for the library)."""
    workers = workers_for(PARALLEL_FROM)
    if workers == 1:
        return None
    try:
        return workers if _start_server() else None
    except OSError:  # no processes to be had: the page is drawn here
        return None


def _start_server() -> bool:
    """Start the fork server unless it runs, with Ctrl-C ignored from its first
    instruction; False where there is no fork server. It ignores Ctrl-C itself only once
    it has imported what it preloads, and a Ctrl-C while it imported matplotlib was a
    traceback of its own on stderr. It inherits the ignoring from this process, which
    ignores Ctrl-C for the few milliseconds it takes to start it, holding back one that
    comes meanwhile (delivered as soon as it is handled again). Only the main thread may
    do so; from another the server starts as it would."""
    import multiprocessing
    import signal
    from multiprocessing import forkserver

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    _context()
    handler = signal.getsignal(signal.SIGINT)
    if (
        threading.current_thread() is not threading.main_thread()
        or handler is None  # set outside Python: it could not be put back
        or not hasattr(signal, "pthread_sigmask")
    ):
        forkserver.ensure_running()
        return True
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGINT, handler)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return True


def _started(matplotlib_log_level: int) -> None:
    """A worker's start: Ctrl-C is for the process that started it; matplotlib's messages
    as that process has them (the command line keeps them off stderr); garbage collected
    (the fork server imported matplotlib without collecting: `_worker`)."""
    import gc
    import signal

    gc.enable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("matplotlib").setLevel(matplotlib_log_level)
