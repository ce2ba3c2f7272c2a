"""`pmsize simulate` with 1,000,000 samples beside a minimal hand-written numpy script.

Prints the median wall time of `pmsize simulate examples/utility-bill-audit.yaml
--samples 1000000` and of a numpy script that samples the same seven ranged inputs
of that example (with its one correlated pair) and computes the same NPV (and its
percentiles and P(NPV > 0)), measured in alternating runs, and the ratio of the two
whole processes. Target: ratio <= 1.8 (no slower than 2.5); 1M samples in about a second.

Then the cost of correlations (SPEC §10): the example with three correlated pairs
beside the same example with none, both through `pmsize simulate`. Target: <= 1.2.

A second case does the same for a landscape that moves (SPEC §7): a growing market,
an alternative with per-year lists (one item ranged) and a follower from year 3, so
the ceiling is computed year by year. Same limit: 2.5.

Both run with Python's bytecode cache on (in a temporary folder, whatever
PYTHONDONTWRITEBYTECODE says), as an installed package would.

    python benchmarks/simulate.py [--runs 11] [--samples 1000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import ENV, alternate, timed

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "utility-bill-audit.yaml"

# The example's model written out by hand: the inputs, then SPEC §3 for this one problem.
SCRIPT = """
import sys
import numpy as np

n = int(sys.argv[1])
rng = np.random.default_rng(0)
Z = 1.6448536269514722

def lognormal(low, high):
    return np.sqrt(low * high) * np.exp(rng.standard_normal(n) * np.log(high / low) / (2 * Z))

def lognormal_of(z, low, high):
    return np.sqrt(low * high) * np.exp(z * np.log(high / low) / (2 * Z))

customers = lognormal(600, 1500)
z_cost = rng.standard_normal(n)
problem_cost = lognormal_of(z_cost, 60e3, 250e3)
build_cost = lognormal(1.5e6, 4e6)
cost_per_customer = lognormal(5e3, 15e3)
solves = np.clip(0.70 + rng.standard_normal(n) * 0.30 / (2 * Z), 0, 1)
late_adoption = np.minimum(lognormal(0.04, 0.12), 1)
# rank correlation 0.7 with the problem cost: normal correlation 2 sin(pi 0.7 / 6)
rho = 2 * np.sin(np.pi * 0.7 / 6)
z_fees = rho * z_cost + np.sqrt(1 - rho**2) * rng.standard_normal(n)
consultancy = lognormal_of(z_fees, 15e3, 50e3)

r, years, annual_cost = 0.12, 5, 900e3
value = problem_cost * solves
limits = [consultancy + (value - problem_cost * 0.45), 20e3 + (value - problem_cost * 0.15)]
ceiling = np.maximum(0, np.minimum(value, np.minimum(*limits)))
npv = -build_cost
for t, share in enumerate([0.01, 0.03, late_adoption, late_adoption, late_adoption], 1):
    paying = customers * share
    npv = npv + (paying * ceiling - annual_cost - paying * cost_per_customer) / (1 + r) ** t
print(np.percentile(npv, [5, 25, 50, 75, 95]), npv.mean(), (npv > 0).mean())
"""


# A landscape that moves (SPEC §7), and the same model by hand, year by year.
LANDSCAPE = """
name: Landscape benchmark
horizon_years: 5
discount_rate: 12%
market: {customers: 600 to 1500, problem_cost: $60k to $250k, growth: 2% to 12%}
solution:
  build_cost: $1.5m to $4m
  annual_cost: $900k
  cost_per_customer: $10k
  solves: 70%
  adoption: [1%, 3%, 6%]
alternatives:
  - name: Open-source stack
    annual_cost: [$40k, $30k, $20k]
    solves: [30%, 40% to 60%, 70%]
  - name: Fast follower
    from_year: 3
    annual_cost: $25k to $60k
    solves: 60%
"""

LANDSCAPE_SCRIPT = """
import sys
import numpy as np

n = int(sys.argv[1])
rng = np.random.default_rng(0)
Z = 1.6448536269514722

def lognormal(low, high):
    return np.sqrt(low * high) * np.exp(rng.standard_normal(n) * np.log(high / low) / (2 * Z))

customers = lognormal(600, 1500)
problem_cost = lognormal(60e3, 250e3)
growth = lognormal(0.02, 0.12)
build_cost = lognormal(1.5e6, 4e6)
stack_solves = [0.3, np.minimum(lognormal(0.4, 0.6), 1), 0.7, 0.7, 0.7]
stack_cost = [40e3, 30e3, 20e3, 20e3, 20e3]
follower = lognormal(25e3, 60e3)

r, years, annual_cost, cost_per_customer = 0.12, 5, 900e3, 10e3
value = problem_cost * 0.7
npv = -build_cost
for t, share in enumerate([0.01, 0.03, 0.06, 0.06, 0.06], 1):
    limit = stack_cost[t - 1] + (value - problem_cost * stack_solves[t - 1])
    if t >= 3:
        limit = np.minimum(limit, follower + (value - problem_cost * 0.6))
    ceiling = np.maximum(0, np.minimum(value, limit))
    paying = customers * (1 + growth) ** (t - 1) * share
    npv = npv + (paying * ceiling - annual_cost - paying * cost_per_customer) / (1 + r) ** t
print(np.percentile(npv, [5, 25, 50, 75, 95]), npv.mean(), (npv > 0).mean())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--samples", type=int, default=1_000_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        landscape = Path(folder) / "landscape.yaml"
        landscape.write_text(LANDSCAPE, encoding="utf-8")
        for title, problem, script in (
            ("utility-bill-audit.yaml", EXAMPLE, SCRIPT),
            ("a moving landscape (SPEC §7)", landscape, LANDSCAPE_SCRIPT),
        ):
            compare(title, problem, script, options.runs, options.samples)
    correlation_cost(options.runs, options.samples)


def compare(title: str, problem: Path, source: str, runs: int, samples: int) -> None:
    simulate = [sys.executable, "-m", "pmsize", "simulate", str(problem)]
    simulate += ["--samples", str(samples)]
    script = [sys.executable, "-c", source, str(samples)]
    check_same_model(simulate, script)
    (a, a_cpu), (b, b_cpu) = alternate(simulate, script, runs, timed)
    print(f"{title}: median of {runs} runs, {samples:,} samples")
    print(f"  pmsize simulate                              {a:6.3f} s  {a_cpu:6.3f} s")
    print(f"  hand-written numpy script, same inputs, NPV  {b:6.3f} s  {b_cpu:6.3f} s")
    print(f"  ratio (wall): {a / b:.2f}  (target <= 1.8, limit 2.5); cpu: {a_cpu / b_cpu:.2f}")


# Three correlated pairs, six inputs in all, for `correlation_cost`.
THREE_PAIRS = """correlations:
  market.problem_cost ~ alternatives[Energy consultancy audit].annual_cost: 0.7
  market.customers ~ solution.adoption[year 3]: 0.4
  solution.build_cost ~ solution.cost_per_customer: 0.3
"""


def correlation_cost(runs: int, samples: int) -> None:
    """`pmsize simulate` of the example with three correlated pairs and with none."""
    text = EXAMPLE.read_text(encoding="utf-8").split("\ncorrelations:")[0] + "\n"
    with tempfile.TemporaryDirectory(prefix="pmsize-bench-") as folder:
        plain, paired = Path(folder) / "plain.yaml", Path(folder) / "paired.yaml"
        plain.write_text(text, encoding="utf-8")
        paired.write_text(text + THREE_PAIRS, encoding="utf-8")
        commands = [
            [sys.executable, "-m", "pmsize", "simulate", str(path), "--samples", str(samples)]
            for path in (paired, plain)
        ]
        (a, a_cpu), (b, b_cpu) = alternate(commands[0], commands[1], runs, timed)
    print(f"\nmedian of {runs} runs, {samples:,} samples     wall      cpu")
    print(f"three correlated pairs                       {a:6.3f} s  {a_cpu:6.3f} s")
    print(f"no correlations                              {b:6.3f} s  {b_cpu:6.3f} s")
    print(f"ratio (wall): {a / b:.2f}  (target <= 1.2); cpu: {a_cpu / b_cpu:.2f}")


def output(command: list[str]) -> str:
    """What `command` writes to stdout; fails loudly if it fails."""
    return subprocess.run(command, check=True, capture_output=True, text=True, env=ENV).stdout


def check_same_model(simulate: list[str], script: list[str]) -> None:
    """Fail unless both report the same NPV distribution (to sampling error)."""
    ours = json.loads(output([*simulate, "--format", "json"]))
    npv = ours["results"][0]["simulation"]["npv"]
    out = output(script)
    median = float(out.strip("[ ").split()[2])
    if abs(median - npv["p50"]) > 0.02 * (npv["p95"] - npv["p5"]):
        sys.exit(f"the script's median NPV {median:,.0f} is not pmsize's {npv['p50']:,.0f}")


if __name__ == "__main__":
    main()
