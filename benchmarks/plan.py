"""Cost of `pmsize plan` beside `pmsize evaluate` on the same portfolio (SPEC §9).

Generates the portfolio of benchmarks/portfolio.py (1,000 problems by default) and
prints the median wall time of `pmsize plan big.yaml --budget B --format json` beside
that of `pmsize evaluate big.yaml --format json`, each a whole process, in
alternating runs, and their ratio. Target: ratio < 2. The budget is a share of the
portfolio's total build cost (default 20%, so that the solver has a choice to make);
a second pair of runs adds `--max-problems` (a tenth of the problems).

    python benchmarks/plan.py [--runs 5] [--problems 1000] [--share 0.2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from portfolio import write_portfolio
from timing import alternate, timed


def total_build(count: int) -> float:
    """The build costs of `portfolio.problem(i)` summed: ${1 + i % 9}m each."""
    return sum((1 + i % 9) * 1e6 for i in range(count))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--problems", type=int, default=1_000)
    parser.add_argument("--share", type=float, default=0.2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        big = Path(temp) / "big.yaml"
        write_portfolio(big, args.problems)
        budget = f"{total_build(args.problems) * args.share:.0f}"
        pmsize = [sys.executable, "-m", "pmsize"]
        evaluate = [*pmsize, "evaluate", str(big), "--format", "json"]
        plan = [*pmsize, "plan", str(big), "--budget", budget, "--format", "json"]
        print(f"portfolio: {args.problems:,} problems; budget ${float(budget) / 1e6:,.0f}m")
        (a, a_cpu), (b, b_cpu) = alternate(plan, evaluate, args.runs, timed)
        print(f"pmsize plan     (median of {args.runs}): {a:6.2f} s wall, {a_cpu:6.2f} s cpu")
        print(f"pmsize evaluate (median of {args.runs}): {b:6.2f} s wall, {b_cpu:6.2f} s cpu")
        print(f"ratio: {a / b:.2f} wall, {a_cpu / b_cpu:.2f} cpu  (target < 2)")
        most = str(max(1, args.problems // 10))
        (c, c_cpu), (d, d_cpu) = alternate(
            [*plan, "--max-problems", most], evaluate, args.runs, timed
        )
        print(
            f"with --max-problems {most}: plan {c:.2f} s, evaluate {d:.2f} s, "
            f"ratio {c / d:.2f} wall, {c_cpu / d_cpu:.2f} cpu"
        )


if __name__ == "__main__":
    main()
