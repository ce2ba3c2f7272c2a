"""`pmsize diff` under uncertainty (SPEC §15): a changed problem with ranges, correlations or
scenarios is simulated on both sides with common random numbers, and the change in
expected NPV is split among the changed inputs by Shapley values over the same draws."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import pmsize
from pmsize import _diffing as diffing
from pmsize._simulation import npv_samples
from pmsize.cli import app
from test_diff_scenarios import write

ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}


def base(**changes: Any) -> dict[str, Any]:
    """A problem with one ranged input (the problem cost), `pursue` at central values."""
    data: dict[str, Any] = {
        "name": "Returns triage",
        "horizon_years": 5,
        "discount_rate": "10%",
        "market": {"customers": "1,000", "problem_cost": "$150k to $600k"},
        "solution": {
            "price": "$40k",
            "adoption": ["2%", "5%", "10%", "15%", "20%"],
            "build_cost": "$2m",
            "annual_cost": "$200k",
        },
        "alternatives": [
            {"name": "Spreadsheet", "kind": "manual", "annual_cost": "$30k", "solves": "60%"},
        ],
    }
    for path, value in changes.items():
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return data


def compared(
    tmp_path: Path, old: dict[str, Any], new: dict[str, Any], **kwargs: Any
) -> diffing.ProblemDiff:
    paths = write(tmp_path / "old.yaml", old), write(tmp_path / "new.yaml", new)
    [result] = pmsize.diff(*paths, **kwargs).problems
    return result


def mean_npv(data: dict[str, Any], samples: int, seed: int) -> float:
    """The mean NPV over `samples` draws of the problem the data writes."""
    [problem] = [pmsize.Problem.model_validate(data)]
    npv = npv_samples(problem, samples=samples, seed=seed)
    return float(npv[np.isfinite(npv)].mean())


# ---------------------------------------------------------------------------------------------
# A range-only edit
# ---------------------------------------------------------------------------------------------


def test_widening_a_range_moves_the_expected_npv_as_two_large_simulations_say(
    tmp_path: Path,
) -> None:
    old, new = base(), base(**{"market.problem_cost": "$50k to $1.8m"})
    p = compared(tmp_path, old, new)
    assert p.npv_change == 0.0  # the central value is the same: the point NPV does not move
    assert p.simulated
    change = p.expected_npv_change
    assert change is not None
    # the reference: two independent runs of a million draws each (other seeds)
    a = npv_samples(pmsize.Problem.model_validate(old), samples=1_000_000, seed=11)
    b = npv_samples(pmsize.Problem.model_validate(new), samples=1_000_000, seed=12)
    reference = b.mean() - a.mean()
    reference_se = math.sqrt(a.var() / a.size + b.var() / b.size)
    # diff's own error: common random numbers, so the variance of the paired difference
    paired = npv_samples(pmsize.Problem.model_validate(new), samples=10_000) - npv_samples(
        pmsize.Problem.model_validate(old), samples=10_000
    )
    own_se = paired.std(ddof=1) / math.sqrt(paired.size)
    assert reference < 0  # the same sign: the wider range costs value
    assert change < 0
    assert abs(change - reference) < 4 * math.hypot(reference_se, own_se)
    [effect] = p.expected_attribution
    assert effect.input == "market.problem_cost"
    assert math.isclose(effect.npv_effect, change, rel_tol=1e-12)
    assert p.expected_exact


def test_each_side_is_what_simulating_it_gives(tmp_path: Path) -> None:
    old, new = base(), base(**{"market.customers": "800 to 1,400"})
    p = compared(tmp_path, old, new, samples=20_000, seed=7)
    assert p.old is not None
    assert p.new is not None
    for side, data in ((p.old, old), (p.new, new)):
        problem = pmsize.Problem.model_validate(data)
        simulation = pmsize.simulate(problem, samples=20_000, seed=7).simulation
        assert simulation.npv.mean is not None
        assert side.expected_npv is not None
        assert math.isclose(side.expected_npv, simulation.npv.mean, rel_tol=1e-12)
        assert side.p_npv_positive == simulation.p_npv_positive


# ---------------------------------------------------------------------------------------------
# Common random numbers: an edit that moves no number moves nothing
# ---------------------------------------------------------------------------------------------


def test_a_policy_change_moves_the_expected_npv_by_exactly_nothing(tmp_path: Path) -> None:
    p = compared(tmp_path, base(), base(policy={"thin_margin": "40%"}))
    assert p.status == "changed"
    assert p.simulated
    assert p.expected_npv_change == 0.0
    assert p.expected_attribution == ()


def test_an_alternative_that_never_binds_added_first_moves_nothing(tmp_path: Path) -> None:
    """Each alternative draws by its name, so one added before the others leaves their
    draws as they were: every sample's NPV is the same, and so is the mean, exactly."""
    old = base()
    old["alternatives"][0]["annual_cost"] = "$20k to $40k"
    new = json.loads(json.dumps(old))
    dear = {"name": "Consultants", "kind": "vendor", "annual_cost": "$5m to $9m", "solves": "10%"}
    new["alternatives"].insert(0, dear)
    p = compared(tmp_path, old, new)
    assert p.expected_npv_change == 0.0
    [effect] = p.expected_attribution
    assert effect.input == "alternatives[Consultants]"
    assert effect.npv_effect == 0.0


# ---------------------------------------------------------------------------------------------
# The Shapley split over the same draws
# ---------------------------------------------------------------------------------------------

EDITS = {
    "market.problem_cost": "$50k to $1.8m",
    "market.customers": "700 to 1,500",
    "solution.build_cost": "$1m to $4m",
}


def shapley(values: dict[frozenset[str], float], names: list[str]) -> dict[str, float]:
    """phi_i = sum over S without i of |S|!(k-|S|-1)!/k! (f(S+i) - f(S)), by the formula."""
    k = len(names)
    found = {}
    for name in names:
        others = [n for n in names if n != name]
        total = 0.0
        for size in range(k):
            for s in itertools.combinations(others, size):
                weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
                total += weight * (values[frozenset(s) | {name}] - values[frozenset(s)])
        found[name] = total
    return found


def test_the_split_is_the_shapley_value_of_each_mix_written_out_as_a_file(
    tmp_path: Path,
) -> None:
    old, new = base(), base(**EDITS)
    p = compared(tmp_path, old, new, samples=5_000, seed=3)
    names = list(EDITS)
    # every mix written as a file would write it, and simulated on its own
    values = {}
    for size in range(len(names) + 1):
        for chosen in itertools.combinations(names, size):
            values[frozenset(chosen)] = mean_npv(base(**{n: EDITS[n] for n in chosen}), 5_000, 3)
    expected = shapley(values, names)
    got = {e.input: e.npv_effect for e in p.expected_attribution}
    assert set(got) == set(names)
    for name in names:
        assert math.isclose(got[name], expected[name], rel_tol=1e-9, abs_tol=1e-6)
    change = p.expected_npv_change
    assert change is not None
    assert math.isclose(math.fsum(got.values()), change, rel_tol=1e-9)
    assert [abs(e.npv_effect) for e in p.expected_attribution] == sorted(
        (abs(v) for v in got.values()), reverse=True
    )
    assert p.expected_exact


def test_more_than_eight_inputs_are_split_over_random_orders_and_add_up(
    tmp_path: Path,
) -> None:
    old, new = base(), base()
    old["alternatives"] = [
        {"name": f"Tool {i}", "annual_cost": f"${20 + i}k to ${60 + i}k", "solves": "50%"}
        for i in range(9)
    ]
    new["alternatives"] = [
        {"name": f"Tool {i}", "annual_cost": f"${25 + i}k to ${70 + i}k", "solves": "50%"}
        for i in range(9)
    ]
    p = compared(tmp_path, old, new, samples=500)
    assert len(p.expected_attribution) == 9
    assert not p.expected_exact
    change = p.expected_npv_change
    assert change is not None
    total = math.fsum(e.npv_effect for e in p.expected_attribution)
    assert math.isclose(total, change, rel_tol=1e-9)


def test_a_mix_the_rules_refuse_is_attributed_as_one_group(tmp_path: Path) -> None:
    """A correlation of an input that only the new side ranges cannot be mixed with the old
    side's point value: the two inputs are credited together, never guessed apart."""
    old = base(**{"market.customers": "1,000"})
    new = base(**{"market.customers": "800 to 1,400"})
    new["correlations"] = {"market.customers ~ market.problem_cost": 0.6}
    p = compared(tmp_path, old, new)
    [effect] = p.expected_attribution
    assert set(effect.inputs) == {"market.customers", "correlations"}
    assert not p.expected_exact
    change = p.expected_npv_change
    assert change is not None
    assert math.isclose(effect.npv_effect, change, rel_tol=1e-12)


# ---------------------------------------------------------------------------------------------
# What is simulated, and the output
# ---------------------------------------------------------------------------------------------


def test_a_problem_without_uncertainty_is_not_simulated(tmp_path: Path) -> None:
    point = base(**{"market.problem_cost": "$300k"})
    p = compared(tmp_path, point, base(**{"market.problem_cost": "$250k"}))
    assert not p.simulated
    assert "expected_npv" not in p.to_dict()["old"]
    assert "expected_attribution" not in p.to_dict()


def test_the_json_carries_the_expected_figures(tmp_path: Path) -> None:
    old = write(tmp_path / "old.yaml", base())
    new = write(tmp_path / "new.yaml", base(**{"market.problem_cost": "$50k to $1.8m"}))
    result = CliRunner().invoke(app, ["diff", old, new, "-f", "json", "-n", "5k", "--seed", "2"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["samples"], document["seed"]) == (5_000, 2)
    [p] = document["problems"]
    assert set(p["old"]) >= {"expected_npv", "p_npv_positive"}
    assert p["expected_npv_change"] == p["new"]["expected_npv"] - p["old"]["expected_npv"]
    assert p["expected_attribution"] == [
        {"input": "market.problem_cost", "npv_effect": p["expected_npv_change"]}
    ]
    assert p["expected_exact"] is True


def test_the_table_at_80_columns(tmp_path: Path) -> None:
    old = write(tmp_path / "old.yaml", base())
    new = write(tmp_path / "new.yaml", base(**{"market.problem_cost": "$50k to $1.8m"}))
    result = CliRunner().invoke(app, ["diff", old, new], env=ENV)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Returns triage\n"
        "  verdict  pursue -> pursue\n"
        "  NPV      $11.7m -> $11.7m ($0)\n"
        "  ceiling  $150k -> $150k a customer a year\n"
        "  what moved NPV\n"
        "    market.problem_cost  $0                           │\n"
        "  expected NPV  $11.7m -> $11.5m (−$144k)\n"
        "  P(NPV > 0)    100% -> >99.9% (−<0.1 points)\n"
        "  what moved expected NPV\n"
        "    market.problem_cost  −$144k  ███████████████████████│\n"
        "  changes\n"
        "    market.problem_cost: $150k to $600k -> $50k to $1.8m\n"
        "\n"
        "1 changed · verdicts 0 worse, 0 better · NPV $0\n"
        "Expected NPV and P(NPV > 0) over 10,000 draws a side (seed 0), the same draws\n"
        "for an input unchanged on both sides.\n"
    )


def test_fail_on_worse_still_reads_verdicts(tmp_path: Path) -> None:
    """The expected NPV falls, the verdict holds: `--fail-on worse` passes."""
    old = write(tmp_path / "old.yaml", base())
    new = write(tmp_path / "new.yaml", base(**{"market.problem_cost": "$50k to $1.8m"}))
    result = CliRunner().invoke(app, ["diff", old, new, "--fail-on", "worse"], env=ENV)
    assert result.exit_code == 0


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--samples", "0"], "--samples: 0 is too few"),
        (["--samples", "many"], "--samples"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_bad_draws_are_refused(tmp_path: Path, option: list[str], message: str) -> None:
    old = write(tmp_path / "old.yaml", base())
    result = CliRunner().invoke(app, ["diff", old, old, *option], env=ENV)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
