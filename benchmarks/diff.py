"""`pmsize diff` of edits that change many inputs at once: how long, how much memory.

Two shapes, each written to a temporary folder as an old and a new side and compared
with `pmsize diff OLD NEW --format json` in a fresh process (wall time and peak
resident memory printed, and the wall time beside that of `pmsize evaluate NEW
--format json`, which reads and sizes the new side once):

    alternatives  one problem whose one alternative becomes N (default 300 and 3,000;
                  3,000 is a 158 KB file): N changed inputs, most of them added
    defaults      a portfolio of 100 problems sharing a `defaults:` block of 39
                  alternatives and the market, each edited (a 40-line change): every
                  problem has 41 changed inputs

Above 12 changed inputs a problem's inputs are attributed in at most 12 groups, so
each changed problem is sized at most 4,096 times (2^12 mixes of old and new), in
one block of arrays at each horizon, whatever the number of changed inputs; memory
holds each side's inputs once and one block of 4,096 figures a year.

Measured on 2 shared cores, busy with other work (ranges over several runs; "before"
sizes every prefix of 2,000 random orders, each as a k-bit mask):

    shape                           before               after        memory  / evaluate
    1 -> 300 alternatives           32 s                 0.8-1.2 s    54 MB   2.6-3.4
    1 -> 3,000 alternatives         > 45 s, > 3.2 GB     0.7-1.9 s    62 MB   1.9-2.1
    1 -> 30,000 alternatives        (not tried)          5.3-9.8 s    177 MB  1.7-2.9
    100 problems, shared defaults   60 s                 1.6-3.4 s    63 MB   4.0-5.1

At 300 alternatives and below, start-up is most of either command. What is left at
30,000 is reading both sides (and the new side's text again, to show values as written),
comparing their leaves, and the 4,096 mixes themselves, about a third of the time. The
portfolio's 100 problems are sized 4,096 times each: a few times what evaluating them
once takes, and no longer growing with the number of inputs the edit changed.

A third shape holds the target of SPEC §15: a portfolio of 50 ranged problems, each
with one input changed, diffed at 10,000 samples (both sides of every problem simulated
on common random numbers) beside `pmsize simulate` of the new side at 10,000 samples.
Target: within 3x.

    python benchmarks/diff.py [--alternatives 300 3000] [--problems 100] [--ranged 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import ENV

HEAD = """\
name: Many alternatives
horizon_years: 5
market: {customers: 2000, problem_cost: $250k}
solution: {build_cost: $3m, annual_cost: $400k, solves: 80%, adoption: [2%, 5%, 8%]}
alternatives:
"""


def alternatives(count: int, start: int = 0) -> str:
    """A problem file whose alternatives are `count` ordinary tools, each a line."""
    rows = "".join(
        f"  - {{name: Tool {i}, annual_cost: ${40 + i % 90}k, solves: {30 + i % 50}%}}\n"
        for i in range(start, start + count)
    )
    return HEAD + rows


def portfolio(problems: int, edited: bool) -> str:
    """`problems` problems sharing `defaults:` (the market and 39 alternatives, a line
    each); `edited` changes 40 lines of the defaults: the market and every alternative."""
    cost, growth = ("$260k", "4%") if edited else ("$250k", "3%")
    lines = [
        "defaults:",
        "  horizon_years: 5",
        f"  market: {{customers: 2000, problem_cost: {cost}, growth: {growth}}}",
        "  alternatives:",
    ]
    lines += [
        f"    - {{name: Tool {i}, annual_cost: ${40 + 5 * i + (3 if edited else 0)}k, "
        f"solves: {30 + i + (1 if edited else 0)}%}}"
        for i in range(39)
    ]
    lines.append("problems:")
    for p in range(problems):
        lines += [
            f"  - name: Problem {p}",
            f"    solution: {{build_cost: ${1 + p % 5}m, solves: {60 + p % 30}%, adoption: 4%}}",
        ]
    return "\n".join(lines) + "\n"


def ranged(problems: int, edited: bool) -> str:
    """`problems` problems of five ranged inputs each; `edited` widens each one's problem
    cost (one changed input a problem, which moves its expected NPV, not its point NPV)."""
    lines = ["problems:"]
    for p in range(problems):
        cost = f"${50 + p}k to ${900 + p}k" if edited else f"${100 + p}k to ${450 + p}k"
        lines += [
            f"  - name: Problem {p}",
            "    horizon_years: 5",
            f"    market: {{customers: {800 + p} to {1500 + p}, problem_cost: {cost}, "
            "growth: 1% to 8%}",
            f"    solution: {{build_cost: $1m to ${3 + p % 4}m, annual_cost: $200k, "
            "price: $40k, adoption: [2%, 5%, 10%, 15%, 20%]}",
            "    alternatives:",
            f"      - {{name: Spreadsheet, annual_cost: $20k to ${40 + p}k, solves: 60%}}",
        ]
    return "\n".join(lines) + "\n"


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one run of `command`."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({status})")
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alternatives", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--problems", type=int, default=100)
    parser.add_argument("--ranged", type=int, default=50)
    options = parser.parse_args()
    pmsize = [sys.executable, "-m", "pmsize", "diff"]
    evaluate = [sys.executable, "-m", "pmsize", "evaluate"]
    simulate = [sys.executable, "-m", "pmsize", "simulate"]
    print("shape                                   file       wall      peak memory   / evaluate")
    with tempfile.TemporaryDirectory() as folder:
        cases = []
        for count in options.alternatives:
            old, new = Path(folder) / f"old-{count}.yaml", Path(folder) / f"new-{count}.yaml"
            old.write_text(alternatives(1), encoding="utf-8")
            new.write_text(alternatives(1) + alternatives(count - 1, 1)[len(HEAD) :])
            cases.append((f"1 -> {count:,} alternatives", old, new))
        old, new = Path(folder) / "old-portfolio.yaml", Path(folder) / "new-portfolio.yaml"
        old.write_text(portfolio(options.problems, edited=False), encoding="utf-8")
        new.write_text(portfolio(options.problems, edited=True), encoding="utf-8")
        cases.append((f"{options.problems} problems, shared defaults", old, new))
        measure([*pmsize, str(old), str(old)])  # warm the bytecode cache, timed apart
        for label, old, new in cases:
            wall, peak = measure([*pmsize, str(old), str(new), "-f", "json"])
            alone, _ = measure([*evaluate, str(new), "-f", "json"])
            size = new.stat().st_size / 1024
            print(
                f"{label:<38} {size:6.0f} KB  {wall:7.2f} s  {peak:8.0f} MB   {wall / alone:5.2f}"
            )
        old, new = Path(folder) / "old-ranged.yaml", Path(folder) / "new-ranged.yaml"
        old.write_text(ranged(options.ranged, edited=False), encoding="utf-8")
        new.write_text(ranged(options.ranged, edited=True), encoding="utf-8")
        draws = ["--samples", "10000"]
        diffs, simulates = [], []
        for _ in range(3):  # alternating, medians: the machine is shared
            diffs.append(measure([*pmsize, str(old), str(new), "-f", "json", *draws])[0])
            simulates.append(measure([*simulate, str(new), "-f", "json", *draws])[0])
        wall, alone = statistics.median(diffs), statistics.median(simulates)
        print(
            f"\n{options.ranged} ranged problems, one input changed each, 10,000 samples:\n"
            f"  diff {wall:.2f} s, simulate {alone:.2f} s: {wall / alone:.2f}x (target 3x)"
        )


if __name__ == "__main__":
    main()
