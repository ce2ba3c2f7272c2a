"""What every benchmark here shares: timing whole processes as a user would run them.

Processes run with Python's bytecode cache on (in a temporary folder, whatever
PYTHONDONTWRITEBYTECODE says), as an installed package would: without it,
every run would recompile every module and start-up figures would mean little.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="pmsize-bench-")


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of `command`, output discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def alternate(
    ours: list[str], theirs: list[str], runs: int, run: Callable[[list[str]], tuple[float, float]]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (wall, cpu) of each command over `runs` alternating runs, after one warm-up each."""
    run(ours), run(theirs)  # warm the file cache and the bytecode cache
    a, b = [], []
    for _ in range(runs):
        a.append(run(ours))
        b.append(run(theirs))

    def median(times: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(w for w, _ in times), statistics.median(c for _, c in times)

    return median(a), median(b)
