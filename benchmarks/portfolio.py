"""Cost of evaluating a large portfolio beside the cost of merely parsing it.

Generates a portfolio file of 10,000 problems in a temporary folder and prints
the median wall time of `pmsize evaluate big.yaml --format json` (output to
/dev/null) beside the median time of `yaml.load(..., Loader=yaml.CSafeLoader)`
of the same file, each in a fresh subprocess and measured in alternating runs,
and their ratio. Target: ratio <= 2 (no slower than 3). Then the peak memory
(maximum resident set size) of `evaluate` at 2,500, 5,000 and 10,000 problems,
which should grow linearly. Last, `--format table` (at 80 columns: two lines a
problem, then every flag) beside `--format csv` of the same file, at 5,000 problems.
Target: table within 2x the CSV. Before the table was laid out by hand it took
22.1 s beside the CSV's 5.9 s on 2 shared cores (3.7x); after, 9.6 s (1.6x).

    python benchmarks/portfolio.py [--runs 5] [--problems 10000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from timing import alternate, timed

# The parse baseline: PyYAML's C loader when the build has it, else the pure-Python one.
PARSE = """
import sys, yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
with open(sys.argv[1], "rb") as handle:
    yaml.load(handle, Loader=loader)
"""

# Runs `evaluate` in-process and reports the peak RSS of the process (Linux: KiB).
PEAK = """
import resource, sys
from pmsize.cli import app
sys.argv = ["pmsize", "evaluate", sys.argv[1], "--format", "json"]
try:
    app(prog_name="pmsize")
except SystemExit as exc:
    if exc.code:
        raise
sys.stderr.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""

KINDS = ("open-source", "vendor", "in-house", "manual", "other")


def problem(i: int) -> str:
    """One problem of the portfolio, varied so no two evaluate alike; about 1 KB of YAML."""
    cost_form = (
        f"      problem_cost: ${50 + i % 400}k\n"
        if i % 3
        else f"      revenue: ${20 + i % 80}m\n      problem_share: {1 + i % 9}%\n"
    )
    customers = f"{200 + i % 5000:,}" if i % 2 else f"{(200 + i % 5000) / 1000:.1f}k"
    return (
        f"  - name: Problem {i:05d} in segment {i % 97}\n"
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


def write_portfolio(path: Path, count: int) -> None:
    """A portfolio file of `count` problems with shared defaults and a policy."""
    body = "".join(problem(i) for i in range(count))
    path.write_text(
        "pmsize: 1\n"
        "defaults:\n  currency: USD\n"
        "policy:\n  cap_threshold: 40%\n  thin_margin: 15%\n"
        "problems:\n" + body,
        encoding="utf-8",
    )


def peak_kib(path: Path) -> int:
    """Peak resident memory of one `evaluate --format json` of `path`, in KiB."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK, str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--problems", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        big = Path(temp) / "big.yaml"
        write_portfolio(big, args.problems)
        evaluate = [sys.executable, "-m", "pmsize", "evaluate", str(big), "--format", "json"]
        parse = [sys.executable, "-c", PARSE, str(big)]
        (a, _), (b, _) = alternate(evaluate, parse, args.runs, timed)
        size_mb = big.stat().st_size / 1e6
        print(f"portfolio: {args.problems:,} problems, {size_mb:.1f} MB of YAML")
        print(f"pmsize evaluate --format json (median of {args.runs}): {a:6.2f} s")
        which = "C loader" if hasattr(yaml, "CSafeLoader") else "pure-Python loader (no C)"
        print(f"yaml.load, {which:<20}(median of {args.runs}): {b:6.2f} s")
        print(f"ratio: {a / b:.2f}  (target <= 2, limit 3)")
        print("peak memory of evaluate (max RSS):")
        sizes = [args.problems // 4, args.problems // 2, args.problems]
        peaks = []
        for count in sizes:
            path = Path(temp) / f"p{count}.yaml"
            write_portfolio(path, count)
            peaks.append(peak_kib(path))
            print(f"  {count:>7,} problems: {peaks[-1] / 1024:7.1f} MiB")
        per_problem = (peaks[-1] - peaks[0]) / (sizes[-1] - sizes[0])
        print(f"  growth: {per_problem:.1f} KiB a problem between {sizes[0]:,} and {sizes[-1]:,}")
        five = Path(temp) / "p5000.yaml"
        write_portfolio(five, 5_000)
        show = [sys.executable, "-m", "pmsize", "evaluate", str(five)]
        (table, _), (csv, _) = alternate(
            [*show, "--format", "table"], [*show, "--format", "csv"], args.runs, timed
        )
        print(f"5,000 problems: table {table:.2f} s, csv {csv:.2f} s, ratio {table / csv:.2f}")


if __name__ == "__main__":
    main()
