"""Checking hundreds of correlated pairs: `pmsize validate` on one problem with N
alternatives whose two ranged costs are paired, with and without a clash among three
more pairs (which the check must find and name).

S is factorised group by group of linked inputs, so N pairs of two inputs cost N small
factorisations, and finding the clash one more pass over its own group. 300 pairs once
took 15 s to check, and a clash among them minutes; each now takes a fraction of a
second in-process (`pmsize validate`, a fresh process, adds start-up).

    python benchmarks/correlations.py [--pairs 300 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import ENV

HERE = Path(__file__).resolve().parent


def problem(pairs: int, clash: bool) -> str:
    """The problem of tests/test_hostile_new.py's `paired_problem`."""
    alternatives = "".join(
        f"  - {{name: a{i}, annual_cost: $10k to $20k, one_time_cost: $1k to $2k}}\n"
        for i in range(pairs)
    )
    listed = "".join(
        f"  alternatives[a{i}].annual_cost ~ alternatives[a{i}].one_time_cost: 0.5\n"
        for i in range(pairs)
    )
    if clash:
        listed += (
            "  market.problem_cost ~ solution.solves: 0.5\n"
            "  solution.solves ~ solution.adoption: 0.5\n"
            "  market.problem_cost ~ solution.adoption: -0.5\n"
        )
    return (
        "name: Pairs\nmarket: {customers: 100, problem_cost: $100k to $200k}\n"
        "solution: {solves: 50% to 80%, adoption: 5% to 10%}\n"
        f"alternatives:\n{alternatives}correlations:\n{listed}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    print(f"{'pairs':>6}  {'clash':>5}  {'validate (s, fastest of runs)':>30}")
    with tempfile.TemporaryDirectory() as folder:
        for pairs in options.pairs:
            for clash in (False, True):
                path = Path(folder) / f"pairs-{pairs}-{clash}.yaml"
                path.write_text(problem(pairs, clash), encoding="utf-8")
                best = float("inf")
                for _ in range(options.runs):
                    started = time.perf_counter()
                    subprocess.run(
                        [sys.executable, "-m", "pmsize", "validate", str(path)],
                        env=ENV,
                        capture_output=True,
                        check=False,
                    )
                    best = min(best, time.perf_counter() - started)
                print(f"{pairs:>6,}  {clash!s:>5}  {best:>30.2f}")


if __name__ == "__main__":
    main()
