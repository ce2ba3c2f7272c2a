"""`pmsize sensitivity` and `simulate` on a problem with hundreds or thousands of alternatives.

Generates one problem with N ranged alternatives (each with a ranged annual cost
and a ranged share solved, so 2N + 4 ranged inputs) in a temporary folder and
prints, for each N, the wall time and peak memory (maximum resident set size) of

    pmsize sensitivity FILE --format json      (tornado, break-even, value of information)
    pmsize simulate FILE --format json -n 100k

each in a fresh process, and the wall time of break-even alone in this process
(`pmsize._drivers.break_even`, the file loaded beforehand). Break-even is a root
search per input; the searches of all inputs run side by side, one engine call per
step (when each input searched on its own, 60 alternatives took some 12,000 engine
calls), and the sampled engine folds the alternatives one at a time into the running
minimum, so memory stays flat in N and time grows with N (inputs) times N
(alternatives per evaluation).

Measured on 2 shared cores (100,000 samples):

    alternatives  step                          before              after
    300           break-even alone (in-process) 79 s                1.5 s
    300           sensitivity (whole command)   minutes             14 s, 95 MB
    3,000         sensitivity (whole command)   hours, > 4 GB       127 s, 119 MB
    3,000         simulate -n 100000            4.2 GB per block    41 s, 86 MB

Most of what is left is sampling 2N ranged inputs and, for value of
information, binning every sample of each of them.

    python benchmarks/alternatives.py [--alternatives 300 3000] [--samples 100000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import ENV


def problem(alternatives: int) -> str:
    """A problem file with `alternatives` alternatives, each with two ranged inputs."""
    head = (
        "name: Many alternatives\n"
        "market: {customers: 500 to 1500, problem_cost: $60k to $250k}\n"
        "solution: {build_cost: $1.5m to $4m, adoption: 2% to 8%, solves: 70%}\n"
        "alternatives:\n"
    )
    rows = "".join(
        f"  - {{name: Alternative {i}, annual_cost: $20k to $90k, solves: 30% to 60%}}\n"
        for i in range(alternatives)
    )
    return head + rows


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one run of `command`."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{' '.join(command)} failed ({status})")
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alternatives", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--samples", default="100000")
    options = parser.parse_args()
    pmsize = [sys.executable, "-m", "pmsize"]
    print("alternatives  command                          wall      peak memory")
    with tempfile.TemporaryDirectory() as folder:
        for count in options.alternatives:
            path = Path(folder) / f"many-{count}.yaml"
            path.write_text(problem(count), encoding="utf-8")
            runs = {
                "sensitivity": [*pmsize, "sensitivity", str(path), "-f", "json"],
                f"simulate -n {options.samples}": [
                    *pmsize,
                    "simulate",
                    str(path),
                    "-f",
                    "json",
                    "-n",
                    options.samples,
                ],
            }
            for name, command in runs.items():
                wall, peak = measure(command)
                print(f"{count:>12,}  {name:<30} {wall:7.2f} s  {peak:8.0f} MB")
            wall = break_even_alone(path)
            print(f"{count:>12,}  {'break-even alone (in-process)':<30} {wall:7.2f} s")


def break_even_alone(path: Path) -> float:
    """Wall seconds of the break-even values of the problem in `path`, once it is loaded."""
    import pmsize
    from pmsize import _drivers as drivers

    [problem] = pmsize.load(path)
    start = time.perf_counter()
    drivers.break_even(problem)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
