"""Cost of evaluating a large portfolio beside the cost of merely parsing it (SPEC §16).

For 10,000 and 100,000 problems (10,000 in one portfolio file, 100,000 as a folder of
ten such files: a file holds at most 10 MB), in a temporary folder:

- time: the median wall and CPU time of `pmsize evaluate PATH --format json` (output to
  /dev/null) beside that of `yaml.load(..., Loader=yaml.CSafeLoader)` of the same files,
  each in a fresh process and measured in alternating runs, and their ratio.
  Target: evaluate within 1.2x the parse;
- memory: the peak resident memory of that `evaluate` above the interpreter's, in KiB
  a problem: (peak - peak of the same command on a portfolio of one problem) / problems.
  Target: at most 8 KiB a problem, the same at 10,000 and 100,000 (linear).

With `--table`, last, `--format table` (at 80 columns: two lines a problem, then every
flag) beside `--format csv` of 5,000 problems. Target: table within 2x the CSV.

    python benchmarks/portfolio.py [--runs 5] [--sizes 10000,100000] [--table]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from timing import ENV, alternate, timed

# The parse baseline: PyYAML's C loader when the build has it, else the pure-Python one.
PARSE = """
import sys, yaml
from pathlib import Path
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
given = Path(sys.argv[1])
for path in sorted(given.glob("*.yaml")) if given.is_dir() else [given]:
    with path.open("rb") as handle:
        yaml.load(handle, Loader=loader)
"""

KINDS = ("open-source", "vendor", "in-house", "manual", "other")
PER_FILE = 10_000  # problems in one portfolio file (6.3 MB of the 10 MB a file may hold)
TIME_TARGET = 1.2  # evaluate's time over the parse's
MEMORY_TARGET = 8.0  # KiB a problem above the interpreter


def problem(i: int) -> str:
    """One problem of the portfolio, varied so no two evaluate alike; about 1 KB of YAML."""
    cost_form = (
        f"      problem_cost: ${50 + i % 400}k\n"
        if i % 3
        else f"      revenue: ${20 + i % 80}m\n      problem_share: {1 + i % 9}%\n"
    )
    customers = f"{200 + i % 5000:,}" if i % 2 else f"{(200 + i % 5000) / 1000:.1f}k"
    return (
        f"  - name: Problem {i:06d} in segment {i % 97}\n"
        f"    description: Generated problem number {i} for the portfolio benchmark.\n"
        f"    horizon_years: {3 + i % 8}\n"
        f"    discount_rate: {8 + i % 7}%\n"
        f"    market:\n"
        f"      customers: {customers}\n"
        f"{cost_form}"
        f"    solution:\n"
        f"      name: Product {i}\n"
        f"      build_cost: ${1 + i % 9}m\n"
        f"      annual_cost: ${200 + i % 800}k\n"
        f"      cost_per_customer: ${5 + i % 20}k\n"
        f"      solves: {50 + i % 50}%\n"
        f"      adoption: [1%, {2 + i % 3}%, {3 + i % 5}%]\n"
        + (f"      price: ${40 + i % 300}k\n" if i % 4 == 0 else "")
        + "    alternatives:\n"
        f"      - name: Incumbent {i % 13}\n"
        f"        kind: {KINDS[i % 5]}\n"
        f"        annual_cost: ${10 + i % 150}k\n"
        f"        one_time_cost: ${i % 300}k\n"
        f"        solves: {20 + i % 75}%\n"
        f"      - name: Spreadsheets\n"
        f"        kind: manual\n"
        f"        annual_cost: 5,000\n"
        f"        solves: 10%\n"
    )


def write_portfolio(path: Path, count: int, start: int = 0) -> None:
    """A portfolio file of `count` problems (numbered from `start`) with shared defaults and
    a policy."""
    body = "".join(problem(i) for i in range(start, start + count))
    path.write_text(
        "pmsize: 1\n"
        "defaults:\n  currency: USD\n"
        "policy:\n  cap_threshold: 40%\n  thin_margin: 15%\n"
        "problems:\n" + body,
        encoding="utf-8",
    )


def make_portfolio(folder: Path, count: int) -> Path:
    """`count` problems: one file up to `PER_FILE`, else a folder of files of `PER_FILE`."""
    if count <= PER_FILE:
        path = folder / f"p{count}.yaml"
        write_portfolio(path, count)
        return path
    path = folder / f"p{count}"
    path.mkdir()
    for part, start in enumerate(range(0, count, PER_FILE)):
        write_portfolio(path / f"part{part:03d}.yaml", min(PER_FILE, count - start), start)
    return path


def peak_kib(path: Path) -> int:
    """Peak resident memory of one `pmsize evaluate PATH --format json`, in KiB (Linux)."""
    command = [sys.executable, "-m", "pmsize", "evaluate", str(path), "--format", "json"]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"evaluate of {path} exited {child.returncode}")
    return int(usage.ru_maxrss)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (and 1 warm-up)")
    parser.add_argument("--sizes", default="10000,100000", help="problems, comma-separated")
    parser.add_argument("--table", action="store_true", help="also time the table vs CSV")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    which = "C loader" if hasattr(yaml, "CSafeLoader") else "pure-Python loader (no C)"
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        interpreter = peak_kib(make_portfolio(folder, 1))
        print(f"evaluate --format json vs yaml.load ({which}); median of {args.runs} runs")
        print(f"interpreter (a portfolio of one problem): {interpreter / 1024:.1f} MiB peak")
        print(
            f"{'problems':>9}  {'evaluate':>16}  {'parse':>16}  {'ratio wall/cpu':>14}"
            f"  {'target':>6}  {'KiB a problem':>13}  {'target':>6}"
        )
        for count in sizes:
            path = make_portfolio(folder, count)
            evaluate = [sys.executable, "-m", "pmsize", "evaluate", str(path), "--format", "json"]
            parse = [sys.executable, "-c", PARSE, str(path)]
            (wall, cpu), (base_wall, base_cpu) = alternate(evaluate, parse, args.runs, timed)
            per_problem = (peak_kib(path) - interpreter) / count
            print(
                f"{count:>9,}  {wall:6.2f} s {cpu:5.2f} cpu  {base_wall:6.2f} s {base_cpu:5.2f} cpu"
                f"  {wall / base_wall:6.2f} {cpu / base_cpu:6.2f}  {TIME_TARGET:>6}"
                f"  {per_problem:13.1f}  {MEMORY_TARGET:>6}"
            )
        if args.table:
            five = make_portfolio(folder, 5_000)
            show = [sys.executable, "-m", "pmsize", "evaluate", str(five)]
            (table, _), (csv, _) = alternate(
                [*show, "--format", "table"], [*show, "--format", "csv"], args.runs, timed
            )
            print(f"5,000 problems: table {table:.2f} s, csv {csv:.2f} s, ratio {table / csv:.2f}")


if __name__ == "__main__":
    main()
