"""`pmsize simulate` of a problem with three scenarios beside the same problem without
them, 200,000 samples each (SPEC §14). Target: the scenarios cost at most 1.1x.

The problem is examples/utility-bill-audit.yaml (seven ranges, one correlated pair); the
scenarios change a range, a point and an alternative, so each sample is sized as one of
four problems. Two figures: the `simulate` library call alone (the sampling, in one
process, the two problems alternating, best of the runs in wall and in CPU time), where
the cost of scenarios shows, and the whole `pmsize simulate` process (median of
alternating runs), as a user waits for it.

Measured (three runs on a 2-core machine at a load of 1.3-2): the library call in CPU
0.054-0.055 s vs 0.051-0.053 s, 1.04-1.07 (1.15-1.17 before each case took a run of the
block and cases of one shape were sized together; docs/performance.md has the steps); in
wall time 1.06-1.08; the whole process 1.03-1.06 wall, 1.03-1.07 CPU.

    python benchmarks/scenarios.py [--runs 9] [--samples 200000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import ENV, alternate, timed

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "utility-bill-audit.yaml"
TARGET = 1.1

THREE_SCENARIOS = """
scenarios:
  slow uptake:
    probability: 25%
    set:
      solution.adoption: [0.5%, 1%, 2% to 6%]
  dear build:
    probability: 15%
    set:
      solution.build_cost: $3m to $6m
      solution.annual_cost: $1.2m
  fast follower:
    probability: 20%
    set:
      alternatives[Fast follower]: {kind: vendor, from_year: 3, annual_cost: $30k, solves: 60%}
"""

IN_PROCESS = """
import sys, time
import pmsize
from pmsize import _simulation as simulation
from pmsize._memory import keep_freed_memory

[mixed], [plain] = pmsize.load(sys.argv[1]), pmsize.load(sys.argv[2])
samples, runs = int(sys.argv[3]), int(sys.argv[4])
keep_freed_memory()
best = {"mixed": [float("inf")] * 2, "plain": [float("inf")] * 2}
for turn in range(runs + 1):  # the first warms up: imports, each problem's scenarios
    for name, problem in (("mixed", mixed), ("plain", plain)):
        start, start_cpu = time.perf_counter(), time.process_time()
        simulation.simulate(problem, samples=samples, seed=0)
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        if turn:
            best[name] = [min(best[name][0], wall), min(best[name][1], cpu)]
print(*best["mixed"], *best["plain"])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--samples", type=int, default=200_000)
    options = parser.parse_args()
    runs, samples = options.runs, options.samples
    with tempfile.TemporaryDirectory(prefix="pmsize-bench-") as folder:
        plain, mixed = Path(folder) / "plain.yaml", Path(folder) / "scenarios.yaml"
        text = EXAMPLE.read_text(encoding="utf-8")
        plain.write_text(text, encoding="utf-8")
        mixed.write_text(text + THREE_SCENARIOS, encoding="utf-8")
        (a, a_cpu), (b, b_cpu) = in_process(mixed, plain, samples, runs)
        commands = [
            [sys.executable, "-m", "pmsize", "simulate", str(path), "--samples", str(samples)]
            for path in (mixed, plain)
        ]
        (c, c_cpu), (d, d_cpu) = alternate(commands[0], commands[1], runs, timed)
    print(f"utility-bill-audit.yaml, {samples:,} samples, {runs} runs")
    print("                              three scenarios   none   ratio  (target <= 1.1)")
    print(f"simulate (library, best wall) {a:12.3f} s {b:7.3f} s  {a / b:5.2f}")
    print(f"simulate (library, best cpu)  {a_cpu:12.3f} s {b_cpu:7.3f} s  {a_cpu / b_cpu:5.2f}")
    print(f"pmsize simulate (median wall) {c:12.3f} s {d:7.3f} s  {c / d:5.2f}")
    print(f"pmsize simulate (median cpu)  {c_cpu:12.3f} s {d_cpu:7.3f} s  {c_cpu / d_cpu:5.2f}")
    verdict = "meets" if a_cpu / b_cpu <= TARGET else "misses"
    print(f"the library call {verdict} the target of {TARGET}x in CPU time (wall time on a")
    print("shared machine moves with the others' load more than with pmsize's work)")


def in_process(
    mixed: Path, plain: Path, samples: int, runs: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The fastest of `runs` calls of `simulate` on each problem, alternating in one
    process: (wall, CPU) for each. CPU time counts every thread's and is what a busy
    machine moves least; wall time on a shared machine mostly measures the others."""
    found = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(mixed), str(plain), str(samples), str(runs)],
        check=True,
        capture_output=True,
        text=True,
        env=ENV,
    )
    a, a_cpu, b, b_cpu = map(float, found.stdout.split())
    return (a, a_cpu), (b, b_cpu)


if __name__ == "__main__":
    main()
