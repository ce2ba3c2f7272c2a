"""Cost of `pmsize plan` beside `pmsize evaluate` on the same portfolio (SPEC §9).

Generates the portfolio of benchmarks/portfolio.py (1,000 problems by default) and
prints the median wall time of `pmsize plan big.yaml --budget B --format json` beside
that of `pmsize evaluate big.yaml --format json`, each a whole process, in
alternating runs, and their ratio. Target: ratio < 2. The budget is a share of the
portfolio's total build cost (default 20%, so that the solver has a choice to make);
a second pair of runs adds `--max-problems` (a tenth of the problems).

`--hard` times a knapsack built to be hard instead: 200 problems (32 KB) whose NPV is
their build cost plus $1m, so all are nearly equally worth their cost, with a budget of
half the total. Without a time limit HiGHS ran 468 s on it; the plan must end within
its time limit (10 s by default) plus start-up, and prints whether it is exact and its gap.

`--confidence` times `pmsize plan --budget-confidence 90%` (SPEC §15) on a generated
product portfolio: 100 problems, 30 of them with a ranged build cost (lognormal, the
high end 1.3 to 2.5 times the low) and the others a point one, NPVs from 0.1 to 2 times
the build cost, a budget of 30% of the total build cost, 1,000 draws. Target: under 10 s
(the plan's default time limit), exact. `--sweep` then plans the same 100 problems with
0 to 60 ranged build costs, once each, to show where a proof of the optimum stops
fitting in the time limit (and the gap printed then).

    python benchmarks/plan.py [--runs 5] [--problems 1000] [--share 0.2]
    python benchmarks/plan.py --hard [--problems 200] [--time-limit 10]
    python benchmarks/plan.py --confidence [--problems 100] [--ranged 30] [--sweep]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from portfolio import write_portfolio
from timing import ENV, alternate, timed


def total_build(count: int) -> float:
    """The build costs of `portfolio.problem(i)` summed: ${1 + i % 9}m each."""
    return sum((1 + i % 9) * 1e6 for i in range(count))


def write_hard_knapsack(path: Path, count: int, seed: int = 1) -> int:
    """A portfolio of `count` problems, each with NPV = build cost + $1m (one customer, one
    year, 0% discount: NPV = problem_cost - build_cost) and build costs from $100k to $10m;
    returns a budget of half the total build cost."""
    rng = random.Random(seed)
    lines = ["problems:"]
    total = 0
    for i in range(count):
        build = rng.randint(100_000, 10_000_000)
        total += build
        lines += [
            f"  - name: P{i}",
            "    horizon_years: 1",
            "    discount_rate: 0%",
            f"    market: {{customers: 1, problem_cost: {2 * build + 1_000_000}}}",
            f"    solution: {{build_cost: {build}, adoption: 100%}}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return total // 2


def hard(count: int, time_limit: str) -> None:
    """Time one `pmsize plan` of the hard knapsack; print its exactness and gap."""
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "hard.yaml"
        budget = write_hard_knapsack(path, count)
        command = [sys.executable, "-m", "pmsize", "plan", str(path), "--budget", str(budget)]
        command += ["--format", "json", "--time-limit", time_limit]
        start = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True, env=ENV)
        wall = time.perf_counter() - start
        doc = json.loads(done.stdout)
        size = path.stat().st_size
        print(f"hard knapsack: {count:,} problems ({size / 1000:.0f} KB), limit {time_limit} s")
        print(f"pmsize plan: {wall:.2f} s wall; exact {doc['exact']}, gap {doc['gap']:.2e}")
        print(f"marginal exact {doc['marginal']['exact']}  (target: wall < limit + 2 s)")


def write_confidence_portfolio(path: Path, count: int, ranged: int, seed: int = 1) -> int:
    """A portfolio of `count` problems, `ranged` of them (chosen at random) with a build cost
    that is a range: one customer, one year, 0% discount, so NPV = problem_cost - build cost
    (its central value); returns a budget of 30% of the total build cost."""
    rng = random.Random(seed)
    uncertain = set(rng.sample(range(count), ranged))
    lines = ["problems:"]
    total = 0
    for i in range(count):
        build = round(rng.choice([0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10]) * rng.uniform(0.8, 1.25), 2)
        total += int(build * 1e6)
        npv = build * rng.uniform(0.1, 2.0)
        cost = f"${build}m"
        if i in uncertain:  # a lognormal range whose median (central value) is `build`
            spread = rng.uniform(1.3, 2.5) ** 0.5
            cost = f"'${build / spread:.3f}m to ${build * spread:.3f}m'"
        lines += [
            f"  - name: P{i}",
            "    horizon_years: 1",
            "    discount_rate: 0%",
            f"    market: {{customers: 1, problem_cost: ${build + npv:.3f}m}}",
            f"    solution: {{build_cost: {cost}, adoption: 100%}}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return int(total * 0.3)


def confidence(count: int, ranged: int, runs: int, time_limit: str, *, sweep: bool) -> None:
    """Time `pmsize plan --budget-confidence 90%` of the generated portfolio; print the
    median wall time beside the target, whether the plan is exact and its gap."""
    with tempfile.TemporaryDirectory() as temp:

        def plan(ranged: int) -> tuple[float, dict[str, object]]:
            path = Path(temp) / f"confidence{ranged}.yaml"
            budget = write_confidence_portfolio(path, count, ranged)
            command = [sys.executable, "-m", "pmsize", "plan", str(path), "--budget"]
            command += [str(budget), "--budget-confidence", "90%", "--format", "json"]
            command += ["--time-limit", time_limit]
            start = time.perf_counter()
            done = subprocess.run(command, check=False, capture_output=True, text=True, env=ENV)
            if done.returncode:
                raise SystemExit(f"pmsize plan exited {done.returncode}: {done.stderr}")
            return time.perf_counter() - start, json.loads(done.stdout)

        def line(wall: float, doc: dict[str, object]) -> str:
            funded = doc["funded"]
            assert isinstance(funded, list)
            return (
                f"{wall:5.2f} s wall; exact {doc['exact']}, gap {doc['gap']:.2%}, "
                f"{len(funded)} funded, p_over_budget {doc['p_over_budget']}"
            )

        timed_runs = [plan(ranged) for _ in range(runs)]
        wall = statistics.median(w for w, _ in timed_runs)
        draws = timed_runs[0][1]["budget_confidence_draws"]
        print(
            f"budget confidence 90%: {count} problems ({ranged} ranged build costs) x "
            f"{draws:,} draws, limit {time_limit} s"
        )
        print(f"median of {runs}: {line(wall, timed_runs[0][1])}  (target < 10 s, exact)")
        if sweep:
            for share in (0, 10, 20, 30, 40, 50, 60):
                print(f"  {share:3d} ranged: {line(*plan(share))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--problems", type=int, default=None)
    parser.add_argument("--share", type=float, default=0.2)
    parser.add_argument("--hard", action="store_true", help="time the hard knapsack instead")
    parser.add_argument("--time-limit", default="10", help="with --hard: plan's --time-limit")
    parser.add_argument("--confidence", action="store_true", help="time --budget-confidence")
    parser.add_argument("--ranged", type=int, default=30, help="with --confidence")
    parser.add_argument("--sweep", action="store_true", help="with --confidence: 0 to 60 ranged")
    args = parser.parse_args()
    if args.confidence:
        count = args.problems or 100
        confidence(count, args.ranged, args.runs, args.time_limit, sweep=args.sweep)
        return
    if args.hard:
        hard(args.problems or 200, args.time_limit)
        return
    args.problems = args.problems or 1_000
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
