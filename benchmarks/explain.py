"""`pmsize explain` on a problem with thousands of alternatives.

Generates one problem with N point-valued alternatives (seeded, so every run
writes the same file) and prints, for each N, the wall time of

    pmsize explain FILE                  (the memo for a terminal, 100 columns)
    pmsize explain FILE --format markdown

each in a fresh process, and how many lines it printed. The memo describes the
ten alternatives that allow the lowest price and counts the rest in one
sentence, so its length does not grow with N and its time is loading plus one
pass over the alternatives.

Measured on 2 shared (busy) cores, 20,000 alternatives (a 1.5 MB file):

    command              before                after
    explain (table)      36 s, 82,000 lines    7.1 s, 85 lines
    explain -f markdown  10.7 s, 20,033 lines  6.0 s, 44 lines

In process, what is left is loading the file (1.7 s); evaluating takes 0.3 s and
writing the memo 0.02 s. With 200 alternatives the memo has the same length.

    python benchmarks/explain.py [--alternatives 200 20000]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import ENV


def problem(alternatives: int, seed: int = 0) -> str:
    """A problem file with `alternatives` alternatives of random cost and share solved."""
    rng = random.Random(seed)
    head = (
        "name: Huge\n"
        "market: {customers: 500, problem_cost: 1m}\n"
        "solution: {build_cost: 1m, adoption: 5%, solves: 90%}\n"
        "alternatives:\n"
    )
    rows = "".join(
        f"  - {{name: Alt {i}, annual_cost: {rng.randint(100, 900)}k, "
        f"one_time_cost: {rng.randint(1, 9)}00k, solves: {rng.randint(10, 99)}%}}\n"
        for i in range(alternatives)
    )
    return head + rows


def run(command: list[str]) -> tuple[float, int]:
    """Wall seconds of one run of `command` and the lines it printed."""
    start = time.perf_counter()
    out = subprocess.run(command, check=True, capture_output=True, env={**ENV, "COLUMNS": "100"})
    return time.perf_counter() - start, out.stdout.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alternatives", type=int, nargs="+", default=[200, 20_000])
    options = parser.parse_args()
    pmsize = [sys.executable, "-m", "pmsize"]
    print("alternatives  command               wall     lines")
    with tempfile.TemporaryDirectory() as folder:
        for count in options.alternatives:
            path = Path(folder) / f"huge-{count}.yaml"
            path.write_text(problem(count), encoding="utf-8")
            for name, extra in (("explain", []), ("explain -f markdown", ["-f", "markdown"])):
                wall, lines = run([*pmsize, "explain", str(path), *extra])
                print(f"{count:>12,}  {name:<20} {wall:6.2f} s  {lines:>6,}")


if __name__ == "__main__":
    main()
