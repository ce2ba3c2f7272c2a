"""Cost of `pmsize report` beside `pmsize evaluate` on the same problems (SPEC §16).

Generates the portfolio of benchmarks/portfolio.py (point problems: a cash-flow chart
each, and the two portfolio charts) at 10 and 100 problems, and prints the median wall
time of `pmsize report big.yaml -o page.html` beside that of `pmsize evaluate big.yaml`
(the table, to /dev/null), each a whole process, in alternating runs, and their ratio
beside its target: report within 6x evaluate. Then the same page drawn in one process
(`--serial`, through the library's `workers=1`) beside the command's own choice, whose
bytes must be the same: the command draws its charts in a process a core (on a machine
of several cores).

    python benchmarks/report.py [--runs 5] [--problems 10 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from portfolio import write_portfolio
from timing import alternate, timed

TARGET = 6.0  # report of 100 problems within this many times evaluate (SPEC §16)

# The page as the command writes it, but every chart drawn in this process.
SERIAL = """
import sys
import pmsize
page = pmsize.report(pmsize.load(sys.argv[1]), workers=1)
with open(sys.argv[2], "w", encoding="utf-8", newline="") as handle:
    handle.write(page)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--problems", type=int, nargs="+", default=[10, 100])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        for count in args.problems:
            path = Path(temp) / f"p{count}.yaml"
            write_portfolio(path, count)
            page = Path(temp) / f"p{count}.html"
            pmsize = [sys.executable, "-m", "pmsize"]
            report = [*pmsize, "report", str(path), "-o", str(page)]
            evaluate = [*pmsize, "evaluate", str(path)]
            (a, a_cpu), (b, b_cpu) = alternate(report, evaluate, args.runs, timed)
            print(f"{count} problems (median of {args.runs}):")
            print(f"  pmsize report   {a:6.2f} s  (CPU {a_cpu:5.2f} s, this process only)")
            print(f"  pmsize evaluate {b:6.2f} s  (CPU {b_cpu:5.2f} s)")
            print(f"  ratio: {a / b:.2f}  (target <= {TARGET:g})")
            serial_page = Path(temp) / f"p{count}-serial.html"
            serial = [sys.executable, "-c", SERIAL, str(path), str(serial_page)]
            (c, _), (d, _) = alternate(serial, report, args.runs, timed)
            same = serial_page.read_bytes() == page.read_bytes()
            print(
                f"  every chart in one process: {c:6.2f} s against {d:.2f} s "
                f"({c / d:.2f}x); the same bytes: {'yes' if same else 'NO'}"
            )


if __name__ == "__main__":
    main()
