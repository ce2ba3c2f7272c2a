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

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from test_hostile_new import paired_problem as problem  # noqa: E402  the test's own problem


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
