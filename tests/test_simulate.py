"""Monte Carlo over the ranges (`pmsize simulate`): sampling, the array engine, the JSON and CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

import pmsize
from pmsize import _engine as engine
from pmsize import _loader as loader
from pmsize import _sampling as sampling
from pmsize import _service as service
from pmsize import _simulation as sim
from pmsize import _summary as summary
from pmsize._engine import VERDICTS, Inputs
from pmsize._inputs import Input, catalogue
from pmsize._models import Problem
from pmsize._values import Range, central
from pmsize.cli import app
from pmsize.render import progress
from strategies import examples, problems, to_yaml

HERE = Path(__file__).resolve().parent
EXAMPLES = sorted((HERE.parent / "examples").glob("*.yaml"))
CASES = sorted((HERE / "cases").glob("*.yaml"))
RANGED_EXAMPLE = HERE.parent / "examples" / "utility-bill-audit.yaml"
ENV = {"NO_COLOR": "1", "COLUMNS": "80"}
PHI = NormalDist()


def problem_of(text: str) -> Problem:
    return loader.load_text(text)[0]


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner(env=ENV).invoke(app, list(args), input=input)


# A build that earns nothing: NPV = -build_cost, so NPV's distribution is the build cost's.
NOTHING_EARNED = """
name: Spend only
discount_rate: 0%
market: {{customers: 100, problem_cost: 100k}}
solution: {{build_cost: {build}, adoption: 0%}}
"""

# --------------------------------------------------------------------------- sampling


@pytest.mark.parametrize(
    ("q", "kind"),
    [
        (Range(50e3, 200e3, "lognormal"), "amount"),
        (Range(1e6, 4e6, "normal"), "amount"),
        (Range(0.02, 0.08, "lognormal"), "percent"),
        (Range(300.0, 900.0, "normal"), "count"),
    ],
)
def test_sampled_5th_and_95th_percentiles_reproduce_low_and_high(q: Range, kind: Any) -> None:
    n = 400_000
    x = sampling.draw(q, kind, np.random.default_rng(7), n)
    p5, p50, p95 = np.percentile(x, [5, 50, 95])
    # standard error of a sample quantile: sqrt(p(1-p)/n) / density at it; allow 5 of them
    for got, want, p in ((p5, q.low, 0.05), (p95, q.high, 0.95), (p50, q.central, 0.5)):
        if q.dist == "lognormal":
            density = PHI.pdf(PHI.inv_cdf(p)) / (q.sigma * want)
        else:
            density = PHI.pdf(PHI.inv_cdf(p)) / q.sigma
        assert abs(got - want) < 5 * math.sqrt(p * (1 - p) / n) / density


def test_uniform_samples_fill_the_bounds_evenly() -> None:
    q = Range(10.0, 30.0, "uniform")
    x = sampling.draw(q, "amount", np.random.default_rng(3), 400_000)
    assert x.min() >= 10.0
    assert x.max() <= 30.0
    # the 5th and 95th percentiles of U(10, 30) are 11 and 29; se ~ 20*sqrt(.0475/4e5) = 0.007
    p0, p5, p95, p100 = np.percentile(x, [0, 5, 95, 100])
    assert p0 == pytest.approx(10.0, abs=0.01)
    assert p100 == pytest.approx(30.0, abs=0.01)
    assert p5 == pytest.approx(11.0, abs=0.035)
    assert p95 == pytest.approx(29.0, abs=0.035)


def test_samples_of_percents_are_clipped_to_one_and_of_amounts_to_zero() -> None:
    rng = np.random.default_rng(1)
    shares = sampling.draw(Range(0.8, 1.0, "normal"), "percent", rng, 100_000)
    amounts = sampling.draw(Range(0.0, 10e3, "normal"), "amount", rng, 100_000)
    assert shares.max() == 1.0
    assert (shares == 1.0).mean() > 0.04  # ~P(z > 1.645 * 0.1/0.1) = 5% above 100%
    assert amounts.min() == 0.0
    assert (amounts == 0.0).mean() > 0.04


@pytest.mark.parametrize(
    "build",
    ["$1m to $4m", "{low: 1m, high: 4m, dist: normal}", "{low: 1m, high: 4m, dist: uniform}"],
)
def test_npv_percentiles_of_a_lone_input_mirror_its_low_and_high(build: str) -> None:
    problem = problem_of(NOTHING_EARNED.format(build=build))
    result = sim.simulate(problem, samples=200_000)
    q = problem.solution.build_cost
    assert isinstance(q, Range)
    width = q.high - q.low
    if q.dist == "uniform":
        # NPV = -U(1m, 4m): p5 = -(1m + 0.95 * 3m), p95 = -(1m + 0.05 * 3m)
        assert result.npv.p5 == pytest.approx(-(q.low + 0.95 * width), abs=0.01 * width)
        assert result.npv.p95 == pytest.approx(-(q.low + 0.05 * width), abs=0.01 * width)
    else:
        assert result.npv.p5 == pytest.approx(-q.high, abs=0.01 * width)
        assert result.npv.p95 == pytest.approx(-q.low, abs=0.01 * width)
    assert result.p_npv_positive == 0.0
    if q.dist != "normal":  # a normal build cost is clipped at $0 in ~0.3% of samples
        assert result.verdicts == {"pursue": 0.0, "reconsider": 0.0, "avoid": 1.0}


# --------------------------------------------------------------------------- closed forms

# NPV is linear in the build cost b: 10 customers (10% of 100) pay the given price $50k
# (below the ceiling $100k) for 5 years at 0% discount, nothing else costs anything:
# NPV = 5 * 10 * 50k - b = 2.5m - b.
LINEAR = """
name: Linear in the build cost
horizon_years: 5
discount_rate: 0%
market: {{customers: 100, problem_cost: 100k}}
solution: {{build_cost: {build}, adoption: 10%, price: 50k}}
"""


def test_normal_build_cost_gives_the_closed_form_mean_and_chance_of_paying() -> None:
    n = 400_000
    result = sim.simulate(
        problem_of(LINEAR.format(build="{low: 1m, high: 3m, dist: normal}")), samples=n
    )
    mu, sigma = 2e6, 2e6 / (2 * 1.6448536269514722)  # median 2m, 90% interval 1m..3m
    # b is clipped at 0: E[max(b, 0)] = mu * Phi(mu/sigma) + sigma * phi(mu/sigma)
    mean_b = mu * PHI.cdf(mu / sigma) + sigma * PHI.pdf(mu / sigma)
    assert result.npv.mean == pytest.approx(2.5e6 - mean_b, abs=5 * sigma / math.sqrt(n))
    p = PHI.cdf((2.5e6 - mu) / sigma)  # P(b < 2.5m) = Phi(0.822) = 0.794
    assert result.p_npv_positive == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / n))


def test_uniform_build_cost_gives_the_closed_form_mean_and_chance_of_paying() -> None:
    n = 400_000
    result = sim.simulate(
        problem_of(LINEAR.format(build="{low: 1m, high: 3m, dist: uniform}")), samples=n
    )
    sd = 2e6 / math.sqrt(12)
    assert result.npv.mean == pytest.approx(0.5e6, abs=5 * sd / math.sqrt(n))  # 2.5m - 2m
    p = 0.75  # P(b < 2.5m) for b ~ U(1m, 3m)
    assert result.p_npv_positive == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / n))


# --------------------------------------------------------------------------- reproducibility


def test_the_same_seed_gives_the_same_output() -> None:
    args = ("simulate", str(RANGED_EXAMPLE), "--format", "json", "--samples", "5000")
    first, second = run(*args, "--seed", "42"), run(*args, "--seed", "42")
    other = run(*args, "--seed", "43")
    assert first.exit_code == second.exit_code == other.exit_code == 0
    assert first.stdout == second.stdout
    assert other.stdout != first.stdout


def test_results_do_not_depend_on_the_number_of_threads() -> None:
    problem = loader.load_paths([str(RANGED_EXAMPLE)])[0]
    alone = sim.simulate(problem, samples=3 * sampling.BLOCK + 5, threads=1, learn=True)
    shared = sim.simulate(problem, samples=3 * sampling.BLOCK + 5, threads=3, learn=True)
    assert shared == alone


def test_a_new_range_leaves_the_draws_of_the_other_inputs_unchanged() -> None:
    base = problem_of(LINEAR.format(build="$1m to $3m"))
    wider = problem_of(LINEAR.format(build="$1m to $3m").replace("price: 50k", "price: 40k to 60k"))
    a, b = sampling.Sampler(5, 0, 1000), sampling.Sampler(5, 0, 1000)
    build_a = Inputs.take(base, a.pick).build_cost
    build_b = Inputs.take(wider, b.pick).build_cost
    assert np.array_equal(build_a, build_b)
    assert np.array_equal(
        a.standard_draws("solution.build_cost"), b.standard_draws("solution.build_cost")
    )


# --------------------------------------------------------------------------- one engine


def central_columns(n: int) -> Any:
    def pick(item: Input) -> Any:
        return np.full(n, central(item.value))

    return pick


def cases(problem: Problem) -> list[Problem]:
    """The problem as written without its scenarios (whose `scenario-risk` flag is the
    headline's, never the engine's), then each scenario's problem; or the problem alone."""
    if not problem.scenarios:
        return [problem]
    return [
        problem.model_copy(update={"scenarios": ()}),
        *(problem.in_scenario(s.name) for s in problem.scenarios),
    ]


@pytest.mark.parametrize("path", EXAMPLES + CASES, ids=lambda p: p.stem)
def test_point_evaluation_equals_the_array_engine_on_central_values(path: Path) -> None:
    for problem in (case for read in loader.load_paths([str(path)]) for case in cases(read)):
        thresholds = engine.resolve_thresholds(problem.policy, problem.portfolio_policy)
        point = service.evaluate(problem, thresholds)
        arrays = engine.size(Inputs.take(problem, central_columns(3)), thresholds, sampling.ARRAY)
        scalars = {
            "problem_cost_per_customer": point.problem_cost_per_customer,
            "market_size": point.market_size,
            "value_per_customer": point.value_per_customer,
            "ceiling_per_customer": point.ceiling_per_customer,
            "price_per_customer": point.price_per_customer,
            "npv": point.npv,
            "pv_revenue": point.pv_revenue,
            "pv_costs": point.pv_costs,
            "naive_npv": point.naive_npv,
            "cap_ratio": point.cap_ratio,
            "roi": point.roi,
            "naive_roi": point.naive_roi,
        }
        columns = {
            "problem_cost_per_customer": arrays.problem_cost,
            "market_size": arrays.market_size,
            "value_per_customer": arrays.value,
            "ceiling_per_customer": arrays.ceiling,
            "price_per_customer": arrays.price,
            "npv": arrays.npv,
            "pv_revenue": arrays.pv_revenue,
            "pv_costs": arrays.pv_costs,
            "naive_npv": arrays.naive_npv,
            "cap_ratio": arrays.cap_ratio,
            "roi": arrays.roi,
            "naive_roi": arrays.naive_roi,
        }
        for name, want in scalars.items():
            got = np.broadcast_to(columns[name], 3)
            if want is None:
                assert np.isnan(got).all(), name
            else:
                assert got == pytest.approx(np.full(3, want), rel=1e-12, abs=1e-9), name
        for got_flow, want_flow in zip(arrays.cash_flows, point.cash_flows, strict=True):
            assert np.broadcast_to(got_flow, 3) == pytest.approx(np.full(3, want_flow), rel=1e-12)
        set_by = [a.name for a in point.alternatives if a.sets_ceiling]
        assert (
            np.broadcast_to(arrays.set_by, 3).tolist()
            == [
                point.alternatives.index(next(a for a in point.alternatives if a.sets_ceiling))
                if set_by
                else -1
            ]
            * 3
        )
        assert [VERDICTS[v] for v in np.broadcast_to(arrays.verdict, 3)] == [point.verdict] * 3
        raised = {code for code, on in arrays.flags.items() if np.broadcast_to(on, 3).all()}
        assert raised == {f.code for f in point.flags}


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_sample_of_any_problem_is_a_point_evaluation_by_the_scalar_engine(data: Any) -> None:
    # the samples' draws again (block 0, seed 1), each sample sized alone by the scalar
    # engine: the simulation's percentiles, mean, P(NPV > 0) and shares are those figures'
    problem = problem_of(to_yaml(data))
    n = 40
    result = sim.simulate(problem, samples=n, seed=1, learn=True)
    ranged = engine.ranged_inputs(problem)
    assert set(result.ranged_inputs) == {path for path, _ in ranged}
    kinds = {item.path: item.kind for item in catalogue(problem)}
    draws = {
        path: sampling.draw(q, kinds[path], sampling.stream(1, path, 0), n) for path, q in ranged
    }
    npv, verdicts, set_by = [], dict.fromkeys(VERDICTS, 0), dict.fromkeys(result.set_by, 0)
    for k in range(n):

        def pick(item: Input, k: int = k) -> float:
            return float(draws[item.path][k]) if item.path in draws else central(item.value)

        s = engine.size(Inputs.take(problem, pick), sim.DEFAULT_THRESHOLDS, engine.SCALAR)
        npv.append(s.npv)
        verdicts[VERDICTS[s.verdict]] += 1
        set_by[problem.alternatives[s.set_by].name if s.set_by >= 0 else "none"] += 1
    x = np.array(npv)
    want = np.percentile(x, [5, 25, 50, 75, 95])
    got = [result.npv.p5, result.npv.p25, result.npv.p50, result.npv.p75, result.npv.p95]
    assert got == pytest.approx(want, rel=1e-9, abs=1e-6)
    assert result.npv.mean == pytest.approx(x.mean(), rel=1e-9, abs=1e-6)
    assert result.p_npv_positive == np.count_nonzero(x > 0) / n
    assert result.verdicts == {v: count / n for v, count in verdicts.items()}
    assert result.set_by == {name: count / n for name, count in set_by.items()}
    assert all(v.evpi >= 0 for v in result.value_of_information)


def test_a_problem_without_ranges_simulates_to_its_point_evaluation() -> None:
    problem = loader.load_paths([str(HERE / "cases" / "01-no-alternatives.yaml")])[0]
    point = service.evaluate(problem)
    result = sim.simulate(problem, samples=1000)
    assert result.ranged_inputs == ()
    for figure in (result.npv.mean, result.npv.p5, result.npv.p50, result.npv.p95):
        assert figure == pytest.approx(point.npv, rel=1e-12)
    assert result.ceiling.p50 == pytest.approx(point.ceiling_per_customer, rel=1e-12)
    assert result.verdicts[point.verdict] == 1.0
    assert result.set_by == {"none": 1.0}


# --------------------------------------------------------------------------- summaries


@pytest.mark.parametrize("n", [1, 2, 7, 1000, 65_537])
def test_percentiles_are_numpys_linear_percentiles(n: int) -> None:
    x = np.random.default_rng(n).lognormal(size=n)
    qs = (0.0, 1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0, 100.0)
    assert summary.percentiles(x, qs) == pytest.approx(np.percentile(x, qs), rel=1e-12)


def test_npv_spread_below_float_precision_draws_no_histogram() -> None:
    # regression: np.histogram refused 48 bins between 0.01 and its next floats
    x = np.array([0.01, np.nextafter(0.01, 1), np.nextafter(np.nextafter(0.01, 1), 1)])
    found = summary.histogram(x, float(x[0]), float(x[-1]))
    assert found.counts == ()


def test_roi_is_summarised_over_the_samples_where_it_is_defined() -> None:
    x = np.array([1.0, np.nan, 3.0, np.nan, 2.0])
    found = summary.summarise(x)
    assert found.mean == 2.0
    assert found.p50 == 2.0
    assert summary.summarise(np.array([np.nan, np.nan])) == summary.Summary(
        None, None, None, None, None, None
    )
    # regression: ROI overflowed to infinity where almost nothing was spent
    assert summary.summarise(np.array([1.0, np.inf, -np.inf])).p50 == 1.0


def test_shares_of_verdicts_and_of_what_sets_the_ceiling_each_sum_to_one() -> None:
    problem = loader.load_paths([str(RANGED_EXAMPLE)])[0]
    result = sim.simulate(problem, samples=20_000)
    assert math.fsum(result.verdicts.values()) == pytest.approx(1.0, abs=1e-12)
    assert math.fsum(result.set_by.values()) == pytest.approx(1.0, abs=1e-12)
    assert list(result.set_by) == [a.name for a in problem.alternatives] + ["none"]
    assert 0 < result.p_npv_positive < 1
    assert result.npv.p5 < result.npv.p25 < result.npv.p50 < result.npv.p75 < result.npv.p95  # type: ignore[operator]


# --------------------------------------------------------------------------- the command


def test_simulate_json_carries_the_simulation_beside_the_point_result() -> None:
    result = run(
        "simulate", str(RANGED_EXAMPLE), "--format", "json", "--samples", "2000", "--seed", "9"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    record = doc["results"][0]
    assert record["name"] == "Utility bill audit for multi-site businesses"
    assert {"npv", "verdict", "flags"} <= set(record)  # the point record of `evaluate`
    simulation = record["simulation"]
    assert simulation["samples"] == 2000
    assert simulation["seed"] == 9
    assert simulation["numpy_version"] == np.__version__
    for figure in ("roi", "ceiling_per_customer"):
        assert list(simulation[figure]) == ["mean", "p5", "p25", "p50", "p75", "p95"]
    assert list(simulation["npv"]) == ["mean", "p5", "p25", "p50", "p75", "p95", "se"]
    assert list(simulation["verdicts"]) == list(VERDICTS)
    assert math.fsum(simulation["verdicts"].values()) == pytest.approx(1.0)
    assert set(simulation["set_by"]) == {
        "Energy consultancy audit",
        "Facilities staff with spreadsheets",
        "none",
    }
    assert 0 <= simulation["p_npv_positive"] <= 1
    assert doc["summary"]["problems"] == 1


POINT_ONLY = """\
name: Sure thing
discount_rate: 0%
horizon_years: 2
market: {customers: 100, problem_cost: 100k}
solution: {build_cost: 1m, adoption: 10%, price: 50k}
"""


def test_simulate_table_of_a_problem_without_ranges() -> None:
    # NPV = 2 years * 10 customers * $50k - $1m = $0: not positive in any sample; ROI 0 is thin
    result = run("simulate", "-", "--samples", "100", input=POINT_ONLY)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Sure thing                                                  100 samples · seed 0\n"
        "  P(NPV > 0)  0% chance that our solution pays back within 2 years\n"
        "  Verdicts    reconsider 100%\n"
        "  NPV         p5 $0 · p50 $0 · p95 $0   (mean $0)\n"
        "  ROI         p5 0% · p50 0% · p95 0%\n"
        "  Ceiling     p5 $100k · p50 $100k · p95 $100k per customer a year\n"
        "  Central     NPV $0 at central values, reconsider\n"
        "\n"
        "  No ranged inputs: every sample is the same. Write a range such as `$1m to $4m`\n"
        "  for a value you are unsure of.\n"
        "\n"
    )


def test_simulate_table_shows_chances_percentiles_and_a_histogram() -> None:
    result = run("simulate", str(RANGED_EXAMPLE), "--samples", "3000")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Utility bill audit for multi-site businesses")
    assert lines[0].endswith("3,000 samples · seed 0")
    assert any(line.startswith("  P(NPV > 0)") for line in lines)
    assert any(line.startswith("  Set by      Energy consultancy audit") for line in lines)
    assert "  NPV across the middle 98% of samples (1st to 99th percentile)" in lines
    assert any("█" in line for line in lines)
    assert any("↑ NPV = 0" in line for line in lines)  # NPV below zero is plausible here
    # the example pairs two of its ranges under `correlations:`
    assert lines[-4:] == [
        "Ranges: `a to b` is a 90% interval (a the 5th, b the 95th percentile), lognormal",
        "unless another shape is named; inputs vary independently, except those paired",
        "under `correlations:` (a Spearman rank correlation, drawn through a Gaussian",
        "copula).",
    ]
    assert all(len(line) <= 80 for line in lines)


def test_simulate_names_every_bad_file_and_writes_nothing_to_stdout() -> None:
    result = run("simulate", "-", input="name: x\nmarket: {customers: 10, problem_cost: 0 to 5}\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "<stdin>:2:" in result.stderr
    assert "must name its shape" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--samples", "0"), "--samples"), (("--samples", "30000000"), "over 10,000,000")],
)
def test_simulate_refuses_sample_counts_out_of_range(args: tuple[str, ...], message: str) -> None:
    result = run("simulate", str(RANGED_EXAMPLE), *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_simulate_writes_json_to_a_file_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "sim.json"
    result = run("simulate", str(RANGED_EXAMPLE), "-f", "json", "-n", "500", "--output", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(out.read_text())["results"][0]["simulation"]["samples"] == 500


def test_no_progress_bar_is_drawn_off_a_terminal() -> None:
    result = run("simulate", str(RANGED_EXAMPLE), "-n", "200000", "-f", "json")
    assert result.exit_code == 0
    assert result.stderr == ""


@pytest.mark.parametrize("command", ["simulate", "sensitivity"])
def test_the_command_counts_one_progress_bar_over_every_problem(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("First", "Second"):
        text = NOTHING_EARNED.format(build="$1m to $3m").replace("Spend only", name)
        (tmp_path / f"{name}.yaml").write_text(text)
    told: list[tuple[int, int | None]] = []

    @contextmanager
    def bar(**_: object) -> Iterator[Callable[[int, int | None], None]]:
        yield lambda done, total: told.append((done, total))

    monkeypatch.setattr(progress, "progress_bar", bar)
    samples = sampling.BLOCK + 10
    result = run(command, str(tmp_path), "-n", str(samples), "-f", "json")
    assert result.exit_code == 0, result.stderr
    total = 2 * samples
    # one step a block, the second problem's counted on from the first's, to the whole run
    done = [d for d, _ in told]
    assert done == sorted(done)
    assert {t for _, t in told} == {total}
    assert told[-1] == (total, total)
    steps = [b - a for a, b in zip([0, *done], done, strict=False)]
    assert sorted(steps) == [10, 10, sampling.BLOCK, sampling.BLOCK]


def test_evaluate_does_not_import_numpy() -> None:
    code = (
        "import sys\n"
        "from pmsize.cli import app\n"
        f"app([ 'evaluate', {str(RANGED_EXAMPLE)!r}], standalone_mode=False)\n"
        "print('numpy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**ENV}
    )
    assert out.stdout.splitlines()[-1] == "False"


# ---------------------------------------------------------------------------- Monte Carlo error


def test_the_standard_errors_are_the_samples_own() -> None:
    # npv.se is s / sqrt(n) of the NPV samples (s with n - 1), P's is sqrt(p (1 - p) / n):
    # computed here from the samples themselves, by numpy's own std, not pmsize's summary
    [problem] = pmsize.load(str(RANGED_EXAMPLE))
    result = pmsize.simulate(problem, samples=4_000, seed=3)
    npv = sim.npv_samples(problem, samples=4_000, seed=3)
    se = float(np.std(npv, ddof=1)) / math.sqrt(npv.size)
    assert result.simulation.npv.se == pytest.approx(se, rel=1e-9)
    p = float(np.mean(npv > 0))
    assert result.simulation.p_npv_positive_se == pytest.approx(
        math.sqrt(p * (1 - p) / 4_000), rel=1e-12
    )


def test_the_standard_error_says_how_far_seeds_scatter() -> None:
    # the means of 40 seeds scatter about as far as one run's standard error says
    [problem] = pmsize.load(str(RANGED_EXAMPLE))
    runs = [pmsize.simulate(problem, samples=1_000, seed=s).simulation for s in range(40)]
    means = np.array([r.npv.mean for r in runs])
    shares = np.array([r.p_npv_positive for r in runs])
    said = np.mean([r.npv.se for r in runs])
    assert 0.7 < float(np.std(means, ddof=1)) / said < 1.3
    assert 0.7 < float(np.std(shares, ddof=1)) / np.mean([r.p_npv_positive_se for r in runs]) < 1.3


@pytest.mark.parametrize(
    ("samples", "said"),
    [
        (100_000, "(± 0.1"),
        (2_000, "(± 1.1 points: too few samples; --samples 9,000 brings it to ± 0.5)"),
    ],
)
def test_the_table_says_how_well_p_is_known(samples: int, said: str) -> None:
    result = CliRunner().invoke(
        app,
        ["simulate", str(RANGED_EXAMPLE), "-n", str(samples)],
        env={"NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb"},
    )
    line = result.stdout.splitlines()[1]
    assert line.startswith("  P(NPV > 0)")
    assert said in line
