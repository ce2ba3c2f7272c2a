"""Correlated inputs (SPEC §10): the copula's rank correlations, unchanged marginals, a
closed-form variance, reproducibility, the output, and every bad `correlations:` block."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import pmsize
from pmsize import _correlations as correlations
from pmsize import _engine as engine
from pmsize import _loader as loader
from pmsize import _pairs as pairs
from pmsize import _simulation as sim
from pmsize._engine import DEFAULT_THRESHOLDS, Inputs
from pmsize._errors import InputErrors
from pmsize._inputs import catalogue
from pmsize._models import Problem
from pmsize._sampling import ARRAY, Sampler, draw, stream
from pmsize.cli import app

ENV = {"NO_COLOR": "1", "COLUMNS": "80"}
Z95 = 1.6448536269514722


def problem_of(text: str) -> Problem:
    return loader.load_text(text)[0]


def run(*args: str) -> Any:
    return CliRunner(env=ENV).invoke(app, list(args))


def columns(problem: Problem, size: int, seed: int = 0) -> tuple[Inputs, Any]:
    """One block of `size` samples as `simulate` draws them: the inputs and NPV."""
    sampler = Sampler(seed, 0, size, None, correlations.copula(problem))
    inputs = Inputs.take(problem, sampler.pick)
    return inputs, engine.size(inputs, DEFAULT_THRESHOLDS, ARRAY).npv


# Two inputs of each shape the copula maps: lognormal, normal and uniform.
SHAPES = """
name: Shapes
market:
  customers: {{low: 300, high: 900, dist: normal}}
  problem_cost: $50k to $200k
solution:
  solves: {{low: 40%, high: 90%, dist: uniform}}
  adoption: 5%
correlations:
  {pair}: {rho}
"""


def spearman(x: Any, y: Any) -> float:
    """Spearman's rank correlation, scipy's (imported here: scipy.stats takes half a second
    to import, which every test process would pay while it collects)."""
    from scipy import stats

    return float(stats.spearmanr(x, y).statistic)


@pytest.mark.parametrize(
    ("pair", "a", "b"),
    [
        ("market.problem_cost ~ solution.solves", "problem_cost", "solves"),  # lognormal, uniform
        (
            "market.customers ~ market.problem_cost",
            "customers",
            "problem_cost",
        ),  # normal, lognormal
        ("solution.solves ~ market.customers", "solves", "customers"),  # uniform, normal
    ],
)
@pytest.mark.parametrize("rho", [0.6, -0.4, 0.9])
def test_sampled_rank_correlation_is_the_declared_one(
    pair: str, a: str, b: str, rho: float
) -> None:
    inputs, _ = columns(problem_of(SHAPES.format(pair=pair, rho=rho)), 100_000, seed=3)
    found = spearman(getattr(inputs, a), getattr(inputs, b))
    # the standard error of Spearman's rho at n = 100,000 is under 0.003; taking rho as the
    # normal correlation instead of 2 sin(pi rho / 6) would be 0.018 off at 0.6
    assert found == pytest.approx(rho, abs=0.008)


def test_the_copula_factor_holds_the_normal_correlations() -> None:
    text = SHAPES.format(pair="market.problem_cost ~ solution.solves", rho=0.6)
    copula = correlations.copula(problem_of(text + "  market.customers ~ solution.solves: -0.3\n"))
    assert copula is not None
    # in the order of the model (`engine.ranged_inputs`), whatever the order of the pairs
    assert copula.paths == ("market.problem_cost", "market.customers", "solution.solves")
    s = copula.factor @ copula.factor.T
    a, b = 2 * math.sin(math.pi * 0.6 / 6), 2 * math.sin(math.pi * -0.3 / 6)
    assert s == pytest.approx(np.array([[1, 0, a], [0, 1, b], [a, b, 1]]), abs=1e-12)


def test_unlisted_pairs_stay_uncorrelated() -> None:
    inputs, _ = columns(
        problem_of(SHAPES.format(pair="market.problem_cost ~ solution.solves", rho=0.8)), 20_000
    )
    found = spearman(inputs.customers, inputs.problem_cost)
    assert abs(found) < 0.03


@pytest.mark.parametrize("rho", [0.0, 0.7, -0.7])
def test_correlation_leaves_every_marginal_as_its_range_says(rho: float) -> None:
    text = SHAPES.format(pair="market.problem_cost ~ solution.solves", rho=rho)
    text = text.replace(
        "  market.problem_cost ~ solution.solves", "  market.customers ~ market.problem_cost"
    )
    text += "  solution.solves ~ market.problem_cost: 0.5\n"
    inputs, _ = columns(problem_of(text), 100_000, seed=1)
    # each range's low and high are its 5th and 95th percentiles (bounds for uniform)
    for x, (low, middle, high), tolerance in (
        (inputs.problem_cost, (50e3, math.sqrt(50e3 * 200e3), 200e3), 0.02),
        (inputs.customers, (300, 600, 900), 0.02),
        (inputs.solves, (0.4 + 0.05 * 0.5, 0.65, 0.9 - 0.05 * 0.5), 0.01),
    ):
        p5, p50, p95 = np.percentile(x, [5, 50, 95])
        assert (p5, p50, p95) == pytest.approx((low, middle, high), rel=tolerance)
    assert inputs.solves.min() >= 0.4
    assert inputs.solves.max() <= 0.9


# NPV = 3 * (100 * $100k - annual) - build = $30m - build - 3 * annual (r = 0, no alternative,
# every customer paying the ceiling $100k): linear in two normal inputs.
LINEAR = """
name: Linear
horizon_years: 3
discount_rate: 0%
market: {{customers: 100, problem_cost: 100k}}
solution:
  build_cost: {{low: 4m, high: 6m, dist: normal}}
  annual_cost: {{low: 2m, high: 4m, dist: normal}}
  adoption: 100%
correlations:
  solution.build_cost ~ solution.annual_cost: {rho}
"""


@pytest.mark.parametrize("rho", [0.5, -0.3, 0.0])
def test_npv_variance_of_a_linear_model_has_its_closed_form(rho: float) -> None:
    # Var(a X + b Y) = a²σx² + b²σy² + 2ab ρ σx σy, with a = -1, b = -3, σ = $2m / (2 z95)
    # and the normal copula's Pearson ρ = 2 sin(π ρ_s / 6)
    sigma = 2e6 / (2 * Z95)
    pearson = 2 * math.sin(math.pi * rho / 6)
    variance = sigma**2 + 9 * sigma**2 + 2 * 3 * pearson * sigma**2
    _, npv = columns(problem_of(LINEAR.format(rho=rho)), 200_000, seed=2)
    # the variance's relative standard error at n = 200,000 is 0.3%
    assert float(np.var(npv)) == pytest.approx(variance, rel=0.006)
    assert float(np.mean(npv)) == pytest.approx(30e6 - 5e6 - 3 * 3e6, rel=0.002)


def test_simulate_spreads_npv_as_the_correlation_says() -> None:
    # the public simulation: a normal NPV's p95 - p5 is 2 z95 sd
    sigma = 2e6 / (2 * Z95)
    wide = pmsize.simulate(problem_of(LINEAR.format(rho=0.8)), samples=100_000).simulation
    narrow = pmsize.simulate(problem_of(LINEAR.format(rho=-0.8)), samples=100_000).simulation
    for found, rho in ((wide, 0.8), (narrow, -0.8)):
        pearson = 2 * math.sin(math.pi * rho / 6)
        sd = sigma * math.sqrt(10 + 6 * pearson)
        assert found.npv.p95 - found.npv.p5 == pytest.approx(2 * Z95 * sd, rel=0.02)


# --------------------------------------------------------------------------- the streams

RANGED = """
name: Ranged
market:
  customers: 600 to 1,500
  problem_cost: $60k to $250k
solution:
  build_cost: $1.5m to $4m
  solves: {low: 55%, high: 85%, dist: uniform}
  adoption: [1%, 3%, 4% to 12%]
"""


def test_without_correlations_each_input_draws_its_own_stream_as_before() -> None:
    # the draws before correlations existed: `draw` on the input's own stream
    sampler = Sampler(7, 2, 1000, None, None)
    problem = problem_of(RANGED)
    kinds = {item.path: item.kind for item in catalogue(problem)}
    inputs = Inputs.take(problem, sampler.pick)
    for path, q in sampler.ranges.items():
        expected = draw(q, kinds[path], stream(7, path, 2), 1000)
        found = {
            "market.customers": inputs.customers,
            "market.problem_cost": inputs.problem_cost,
            "solution.build_cost": inputs.build_cost,
            "solution.solves": inputs.solves,
            "solution.adoption[year 3]": inputs.adoption[2],
        }[path]
        assert np.array_equal(found, expected), path


def test_an_empty_correlations_block_changes_no_byte_of_the_output(tmp_path: Path) -> None:
    plain, empty = tmp_path / "plain.yaml", tmp_path / "empty.yaml"
    plain.write_text(RANGED)
    empty.write_text(RANGED + "correlations:\n")
    a = run("sensitivity", str(plain), "-f", "json", "--samples", "3000")
    b = run("sensitivity", str(empty), "-f", "json", "--samples", "3000")
    assert (a.exit_code, b.exit_code) == (0, 0)
    assert b.stdout.replace("empty.yaml", "plain.yaml") == a.stdout
    [record] = json.loads(a.stdout)["results"]
    assert "tornado_note" not in record
    assert "correlations" not in record["simulation"]


def test_a_correlation_changes_only_the_inputs_it_pairs() -> None:
    plain = problem_of(RANGED)
    paired = problem_of(
        RANGED + "correlations:\n  solution.adoption[year 3] ~ market.customers: -0.5\n"
    )
    a, _ = columns(plain, 5000, seed=4)
    b, _ = columns(paired, 5000, seed=4)
    for name in ("problem_cost", "build_cost", "solves"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    # the first of the pair in the model's order keeps its own draw (L's first row is 1, 0)
    assert np.array_equal(a.adoption[2], b.adoption[2])
    assert not np.array_equal(a.customers, b.customers)


CORRELATED = (
    RANGED
    + """correlations:
  market.problem_cost ~ solution.solves: 0.6
  solution.adoption[year 3] ~ market.customers: -0.4
"""
)


def test_same_seed_same_output_whatever_the_threads() -> None:
    problem = problem_of(CORRELATED)
    # 70,000 samples are two blocks, each drawn from streams of its own
    one = sim.simulate(problem, samples=70_000, seed=5, threads=1, learn=True)
    two = sim.simulate(problem, samples=70_000, seed=5, threads=2, learn=True)
    assert one == two
    other = sim.simulate(problem, samples=70_000, seed=6, threads=1)
    assert other.npv != one.npv


def test_simulate_json_echoes_the_correlations_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CORRELATED)
    result = run("simulate", str(path), "-f", "json", "--samples", "2000")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)["results"][0]["simulation"]["correlations"]
    assert found == [
        {"a": "market.problem_cost", "b": "solution.solves", "coefficient": 0.6},
        {"a": "solution.adoption[year 3]", "b": "market.customers", "coefficient": -0.4},
    ]
    again = run("simulate", str(path), "-f", "json", "--samples", "2000")
    assert again.stdout == result.stdout


def test_sensitivity_says_the_tornado_moves_one_input_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CORRELATED)
    record = json.loads(run("sensitivity", str(path), "-f", "json", "--samples", "2000").stdout)
    assert record["results"][0]["tornado_note"] == (
        "one input at a time, every other input central; the declared correlations are not "
        "applied (simulate and the value of information use them)"
    )
    table = run("sensitivity", str(path), "--samples", "2000").stdout
    assert table.endswith(
        "copula). The tornado moves one input at a time, every other input central; the\n"
        "declared correlations are not applied (simulate and the value of information use\n"
        "them).\n"
    )


def test_simulate_table_lists_the_pairs_and_says_which_inputs_move_together(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CORRELATED)
    out = run("simulate", str(path), "--samples", "2000").stdout
    assert (
        "  Correlated  market.problem_cost ~ solution.solves: 0.6\n"
        "              solution.adoption[year 3] ~ market.customers: -0.4\n"
    ) in out
    assert out.endswith(
        "Ranges: `a to b` is a 90% interval (a the 5th, b the 95th percentile), lognormal\n"
        "unless another shape is named; inputs vary independently, except those paired\n"
        "under `correlations:` (a Spearman rank correlation, drawn through a Gaussian\n"
        "copula).\n"
    )


# NPV depends on the build cost alone; the alternative's cost never binds (its limit is
# always above the value we deliver), so on its own it tells nothing about NPV.
INFORMED = """
name: Learn
horizon_years: 1
discount_rate: 0%
market: {{customers: 100, problem_cost: 100k}}
solution:
  build_cost: {{low: 6m, high: 12m, dist: normal}}
  adoption: 100%
alternatives:
  - name: Dear
    annual_cost: $50m to $100m
    solves: 10%
{block}"""


def test_value_of_information_uses_the_correlated_samples() -> None:
    def evpi(block: str) -> dict[str, float]:
        found = pmsize.sensitivity(problem_of(INFORMED.format(block=block)), samples=40_000)
        assert found.sensitivity is not None
        return {v.input: v.evpi for v in found.sensitivity.value_of_information}

    alone = evpi("")
    paired = evpi("correlations:\n  solution.build_cost ~ alternatives[Dear].annual_cost: 0.9\n")
    assert alone["alternatives[Dear].annual_cost"] == 0
    assert paired["solution.build_cost"] == alone["solution.build_cost"] > 0
    # learning the alternative's cost now tells much of the build cost
    assert paired["alternatives[Dear].annual_cost"] > 0.5 * paired["solution.build_cost"]


# --------------------------------------------------------------------------- bad input

BASE = """name: Bad
market:
  customers: 600 to 1,500
  problem_cost: $60k to $250k
solution:
  build_cost: $2m
  solves: {low: 55%, high: 85%, dist: normal}
  adoption: [1%, 3%, 4% to 12%]
correlations:
"""
RANGED_LIST = (
    "ranged inputs: market.problem_cost, solution.adoption[year 3], market.customers, "
    + "solution.solves"
)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["market.problem_cost ~ market.customer: 0.5"],
            [
                "10:3: correlations: market.customer is not a ranged input of this problem; "
                f"did you mean market.customers? {RANGED_LIST}"
            ],
        ),
        (
            ["market.problem_cost ~ market.churn: 0.5"],
            [
                "10:3: correlations: market.churn is not a ranged input of this problem; "
                + RANGED_LIST
            ],
        ),
        (
            ["solution.build_cost ~ market.customers: 0.5"],
            [
                "10:3: correlations: solution.build_cost is a single value, not a range, so it "
                f"cannot vary with another input; {RANGED_LIST}"
            ],
        ),
        (
            ["market.problem_cost solution.solves: 0.5", "a ~ b ~ c: 0.1"],
            [
                "10:3: correlations: `market.problem_cost solution.solves` is not a pair of "
                "inputs; write `A ~ B: coefficient`, such as `market.problem_cost ~ "
                "solution.solves: 0.6`",
                "11:3: correlations: `a ~ b ~ c` is not a pair of inputs; write `A ~ B: "
                "coefficient`, such as `market.problem_cost ~ solution.solves: 0.6`",
            ],
        ),
        (
            [
                "market.problem_cost ~ solution.solves: 0.5",
                "solution.solves ~ market.problem_cost: 0.2",
            ],
            [
                "11:3: correlations: solution.solves ~ market.problem_cost pairs the same inputs "
                "as `market.problem_cost ~ solution.solves` above; list each pair once"
            ],
        ),
        (
            [
                "market.problem_cost ~ solution.solves: 1",
                "market.customers ~ solution.solves: -1.5",
            ],
            [
                "10:3: correlations: market.problem_cost ~ solution.solves: 1 is outside (-1, 1); "
                "a rank correlation lies strictly between -1 and 1 (at ±1 the two inputs would be "
                "one), such as 0.6",
                "11:3: correlations: market.customers ~ solution.solves: -1.5 is outside (-1, 1); "
                "a rank correlation lies strictly between -1 and 1 (at ±1 the two inputs would be "
                "one), such as 0.6",
            ],
        ),
        (
            [
                "market.problem_cost ~ solution.solves: strong",
                "market.customers ~ solution.solves: 60%",
                "market.customers ~ market.problem_cost:",
            ],
            [
                "10:3: correlations: market.problem_cost ~ solution.solves: `strong` is not a "
                "number; write a coefficient between -1 and 1, such as 0.6",
                "11:3: correlations: market.customers ~ solution.solves: 60% is a percent; a "
                "correlation is a number between -1 and 1, such as 0.6",
                "12:3: correlations: market.customers ~ market.problem_cost: the coefficient is "
                "not a number; write one between -1 and 1, such as 0.6",
            ],
        ),
        (
            ["scenarios[slow] ~ market.customers: 0.5"],
            [
                "10:3: correlations: scenarios[slow] names a scenario, not an input: a "
                "scenario is a set of values written under `scenarios:`; name an input "
                "instead (docs/paths.md)"
            ],
        ),
        (
            ["market.customers ~ market.customers: 0.5"],
            ["10:3: correlations: pairs market.customers with itself; name two different inputs"],
        ),
        (
            [
                "market.problem_cost ~ solution.solves: 0.1",
                "market.customers ~ solution.solves: 0.9",
                "solution.adoption[year 3] ~ market.problem_cost: 0.3",
                "market.customers ~ market.problem_cost: -0.9",
            ],
            [
                "13:3: correlations: these correlations cannot hold together: "
                "`market.customers ~ solution.solves: 0.9`, "
                "`market.customers ~ market.problem_cost: -0.9`; no inputs can be correlated "
                "that way at once, so weaken or drop one of them"
            ],
        ),
    ],
)
def test_a_bad_correlation_is_a_located_error(
    tmp_path: Path, lines: list[str], expected: list[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BASE + "".join(f"  {line}\n" for line in lines))
    result = run("simulate", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    count = len(expected)
    assert result.stderr.splitlines() == [
        *(f"{path}:{line}" for line in expected),
        f"pmsize: {count} input error{'s' if count > 1 else ''}; nothing evaluated",
    ]


def test_a_correlations_block_that_is_not_a_mapping_is_located_at_its_key() -> None:
    with pytest.raises(InputErrors) as caught:
        loader.load_text(BASE + "  - market.problem_cost ~ solution.solves: 0.5\n", "f.yaml")
    assert [str(e) for e in caught.value.errors] == [
        "f.yaml:10:3: correlations: expected a mapping of pairs, one a line, such as "
        "`market.problem_cost ~ solution.solves: 0.6`"
    ]


def test_a_problem_without_ranges_has_nothing_to_correlate() -> None:
    text = BASE.replace("600 to 1,500", "600").replace("$60k to $250k", "$60k")
    text = text.replace("{low: 55%, high: 85%, dist: normal}", "70%").replace("4% to 12%", "4%")
    with pytest.raises(InputErrors) as caught:
        loader.load_text(text + "  market.customers ~ solution.solves: 0.5\n", "f.yaml")
    assert [str(e) for e in caught.value.errors] == [
        "f.yaml:10:3: correlations: market.customers is not a ranged input: this problem has no "
        "ranges to correlate",
        "f.yaml:10:3: correlations: solution.solves is not a ranged input: this problem has no "
        "ranges to correlate",
    ]


PORTFOLIO = """defaults:
  market: {customers: 100 to 200, problem_cost: 100k to 200k}
  correlations:
    market.customers ~ market.problem_cost: 0.5
problems:
  - name: Inherits
    solution: {adoption: 5%}
  - name: Own
    solution: {adoption: 5%}
    correlations:
      market.customers ~ market.problem_cost: -0.5
"""


def test_defaults_carry_correlations_and_a_problem_replaces_them_whole() -> None:
    inherits, own = loader.load_text(PORTFOLIO)
    assert [c.coefficient for c in inherits.correlations] == [0.5]
    assert [c.coefficient for c in own.correlations] == [-0.5]


def test_a_default_pair_that_fails_one_problem_says_which() -> None:
    text = (
        PORTFOLIO
        + "  - name: Fixed customers\n    market: {customers: 100, problem_cost: 1m to 2m}\n"
    )
    text += "    solution: {adoption: 5%}\n"
    with pytest.raises(InputErrors) as caught:
        loader.load_text(text, "p.yaml")
    assert [str(e) for e in caught.value.errors] == [
        "p.yaml:4:5: defaults.correlations: market.customers is a single value, not a range, so "
        "it cannot vary with another input; ranged inputs: market.problem_cost (in problem "
        "'Fixed customers')"
    ]


def test_a_bad_default_pair_is_one_error_however_many_problems_inherit_it() -> None:
    text = PORTFOLIO.replace("market.problem_cost: 0.5", "market.problem_cost: 1.5")
    with pytest.raises(InputErrors) as caught:
        loader.load_text(text + "  - name: Third\n    solution: {adoption: 5%}\n", "p.yaml")
    assert [str(e) for e in caught.value.errors] == [
        "p.yaml:4:5: defaults.correlations: market.customers ~ market.problem_cost: 1.5 is "
        "outside (-1, 1); a rank correlation lies strictly between -1 and 1 (at ±1 the two "
        "inputs would be one), such as 0.6"
    ]


def test_a_problem_built_in_code_is_checked_too() -> None:
    data: dict[str, Any] = {
        "name": "Code",
        "market": {"customers": "600 to 1,500", "problem_cost": "$60k to $250k"},
        "solution": {"adoption": "5%"},
        "correlations": {"market.customers ~ market.problem_cost": 0.3},
    }
    built = Problem.model_validate(data)
    assert built.correlations == (
        pairs.Correlation("market.customers", "market.problem_cost", 0.3),
    )
    data["correlations"] = {"market.customers ~ solution.solves": 0.3}
    with pytest.raises(ValueError, match=r"solution\.solves is a single value, not a range"):
        Problem.model_validate(data)


def test_explain_lists_the_pairs(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CORRELATED)
    result = run("explain", str(path), "-f", "markdown")
    assert result.exit_code == 0, result.stderr
    assert (
        "**10. Correlated inputs.** These pairs of ranges move together in pmsize simulate "
        "(Spearman rank correlation, -1 to 1); all other ranges vary independently. The figures "
        "above use central values, which correlation does not change.\n\n"
        "- market.problem\\_cost \\~ solution.solves: 0.6\n"
        "- solution.adoption\\[year 3\\] \\~ market.customers: -0.4\n"
    ) in result.stdout


def test_the_schema_takes_a_correlations_block() -> None:
    import jsonschema

    from pmsize._schema import json_schema

    validator = jsonschema.Draft7Validator(json_schema())
    good = {
        "name": "S",
        "market": {"customers": 10, "problem_cost": "1m to 2m"},
        "solution": {"adoption": "5%"},
        "correlations": {"market.customers ~ solution.adoption[year 3]": -0.4},
    }
    assert validator.is_valid(good)
    for bad in ({"market.customers": 0.4}, {"a ~ b": 1}, {"a ~ b": "60%"}, ["a ~ b"]):
        assert not validator.is_valid(good | {"correlations": bad}), bad


@pytest.mark.parametrize(
    ("rho", "holds"),
    [
        # S = [[1, n], [n, 1]] with n = 2 sin(pi rho / 6); its last pivot is 1 - n^2:
        ("0.999999999", True),  # 1.8e-9, above the 1e-10 tolerance: a real correlation
        ("0.99999999999", False),  # 1.8e-11: positive, but within rounding of singular
        ("-0.99999999999", False),
    ],
)
def test_a_correlation_within_rounding_of_one_cannot_hold(rho: str, holds: bool) -> None:
    text = SHAPES.format(pair="market.problem_cost ~ solution.solves", rho=rho)
    if holds:
        assert problem_of(text).correlations[0].coefficient == float(rho)
        return
    with pytest.raises(InputErrors) as caught:
        problem_of(text)
    [error] = caught.value.errors
    assert error.message.startswith("these correlations cannot hold together")
