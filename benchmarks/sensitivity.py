"""`pmsize sensitivity` against the number of ranged inputs: it stays linear (SPEC §16).

One problem shape throughout (4 market and solution inputs, 64 alternatives, each with
an annual cost and a share solved: 132 inputs), of which the first K are ranged and the
rest points, for K = 4, 8, ... 128. Each K is timed in a fresh process: the library's
`pmsize.sensitivity` (tornado, break-even, value of information) on the loaded problem,
best of `--runs` calls after one that warms up, so start-up plays no part. Printed: the
seconds for each K, the seconds per ranged input, the ratio of each doubling (linear:
about 2, less while the fixed cost of sampling the problem still counts), and a
least-squares line through the points with how much of the variation it explains (R²).

    python benchmarks/sensitivity.py [--samples 100000] [--runs 3] [--ranged 4 8 16 32 64 128]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import ENV

ALTERNATIVES = 64
TARGET = 2.2  # at most this ratio for a doubling of the ranged inputs, past the smallest

IN_PROCESS = """
import json, sys, time
import pmsize

[problem] = pmsize.load(sys.argv[1])
samples, runs = int(sys.argv[2]), int(sys.argv[3])
best = float("inf")
for turn in range(runs + 1):  # the first warms up: imports, caches
    start = time.perf_counter()
    pmsize.sensitivity(problem, samples=samples, seed=0)
    if turn:
        best = min(best, time.perf_counter() - start)
print(json.dumps(best))
"""


def problem(ranged: int) -> str:
    """The benchmark's problem with its first `ranged` inputs ranged, the rest points."""
    inputs = ["customers", "problem_cost", "build_cost", "adoption"]
    inputs += [f"{field}{i}" for i in range(ALTERNATIVES) for field in ("cost", "solves")]
    chosen = set(inputs[:ranged])

    def value(name: str, low: str, high: str, point: str) -> str:
        return f"{low} to {high}" if name in chosen else point

    head = (
        "name: Ranged inputs\n"
        f"market: {{customers: {value('customers', '500', '1500', '1000')}, "
        f"problem_cost: {value('problem_cost', '$60k', '$250k', '$150k')}}}\n"
        f"solution: {{build_cost: {value('build_cost', '$1.5m', '$4m', '$2.5m')}, "
        f"adoption: {value('adoption', '2%', '8%', '5%')}, solves: 70%}}\n"
        "alternatives:\n"
    )
    rows = "".join(
        f"  - {{name: Alternative {i}, "
        f"annual_cost: {value(f'cost{i}', '$20k', '$90k', '$50k')}, "
        f"solves: {value(f'solves{i}', '30%', '60%', '45%')}}}\n"
        for i in range(ALTERNATIVES)
    )
    return head + rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)  # the command's
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ranged", type=int, nargs="+", default=[4, 8, 16, 32, 64, 128])
    args = parser.parse_args()
    points: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        for ranged in args.ranged:
            path = Path(folder) / f"ranged-{ranged}.yaml"
            path.write_text(problem(ranged), encoding="utf-8")
            command = [sys.executable, "-c", IN_PROCESS, str(path)]
            out = subprocess.run(
                [*command, str(args.samples), str(args.runs)],
                check=True,
                capture_output=True,
                text=True,
                env=ENV,
            ).stdout
            points.append((ranged, json.loads(out)))
    print(f"sensitivity of one problem, {args.samples:,} samples (best of {args.runs}):")
    print("  ranged   seconds   per input   doubling")
    worst = 0.0
    for i, (ranged, seconds) in enumerate(points):
        doubling = ""
        if i and ranged == 2 * points[i - 1][0]:
            ratio = seconds / points[i - 1][1]
            doubling = f"{ratio:.2f}"
            if i > 1:  # past the smallest, where the fixed cost still dominates
                worst = max(worst, ratio)
        print(f"  {ranged:6d}   {seconds:7.3f}   {seconds / ranged * 1000:6.1f} ms   {doubling}")
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    residual = sum((y - intercept - slope * x) ** 2 for x, y in points)
    total = sum((y - mean_y) ** 2 for _, y in points)
    r2 = 1 - residual / total if total else 1.0
    print(f"  a line: {intercept:.3f} s + {slope * 1000:.1f} ms a ranged input, R² {r2:.4f}")
    print(f"  worst doubling past the smallest: {worst:.2f}  (target <= {TARGET:g}: linear)")


if __name__ == "__main__":
    main()
