"""`pmsize plan` (SPEC §9): the exact budget optimum, its ties and edges, its outputs.

Problems here are built so their NPV is plain arithmetic: one customer, a one-year
horizon, a 0% discount rate and no alternatives give NPV = problem_cost - build_cost
(the price is the whole value, and nothing else is spent).
"""

from __future__ import annotations

import json
import math
import os
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import pmsize
from pmsize import _loader as loader
from pmsize._knapsack import best_subset
from pmsize._loader import load_text
from pmsize.cli import app

ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


def problem(name: str, npv_m: float, build_m: float, currency: str = "USD", extra: str = "") -> str:
    """A portfolio entry whose NPV is `npv_m` million and build cost `build_m` million."""
    return (
        f"  - name: {name}\n"
        f"    currency: {currency}\n"
        "    horizon_years: 1\n"
        "    discount_rate: 0%\n"
        "    market:\n"
        "      customers: 1\n"
        f"      problem_cost: {(npv_m + build_m) * 1e6:.0f}\n"
        "    solution:\n"
        f"      build_cost: {build_m * 1e6:.0f}\n"
        "      adoption: 100%\n" + extra
    )


def portfolio(tmp_path: Path, *entries: str, name: str = "p.yaml") -> str:
    path = tmp_path / name
    path.write_text("problems:\n" + "".join(entries), encoding="utf-8")
    return str(path)


def problems_of(*entries: str) -> list[pmsize.Problem]:
    return loader.load_text("problems:\n" + "".join(entries), "p.yaml")


# Budget $10m. Greedy by NPV takes X ($10m NPV), then only W fits: $12m.
# Greedy by NPV per dollar takes W (2.0), X (1.67), then neither Y nor Z fits: $12m.
# The optimum is Y + Z: $10m of build for $7m + $7.5m = $14.5m.
GREEDY_TRAPS = (
    problem("X", 10, 6),  # NPV per $ 1.67
    problem("Y", 7, 5),  # 1.40
    problem("Z", 7.5, 5),  # 1.50
    problem("W", 2, 1),  # 2.00
)


def test_the_plan_beats_both_greedy_rankings() -> None:
    plan = pmsize.plan(problems_of(*GREEDY_TRAPS), "$10m")
    assert [c.name for c in plan.funded] == ["Z", "Y"]  # best NPV first
    assert (plan.total_build, plan.total_npv) == (10e6, 14.5e6)
    assert [(o.candidate.name, o.extra_budget) for o in plan.left_out] == [
        ("X", 6e6),  # on top of Y + Z: 10 + 6 - 10
        ("W", 1e6),
    ]
    # at $11m: X + Z, $6m + $5m of build for $10m + $7.5m = $17.5m, $3m more
    assert (plan.marginal.extra_budget, plan.marginal.npv_gain) == (1e6, 3e6)


def test_max_problems_limits_the_count() -> None:
    problems = problems_of(*GREEDY_TRAPS)
    assert [c.name for c in pmsize.plan(problems, "$10m", max_problems=1).funded] == ["X"]
    assert [c.name for c in pmsize.plan(problems, "$10m", max_problems=2).funded] == ["Z", "Y"]
    # $12m and at most 2: X + Z ($17.5m) beats X + Y ($17m), where 3 would add W ($19.5m)
    assert [c.name for c in pmsize.plan(problems, "$12m", max_problems=2).funded] == ["X", "Z"]
    assert [c.name for c in pmsize.plan(problems, "$12m").funded] == ["X", "Z", "W"]


def _brute(values: list[float], costs: list[float], budget: float, k: int | None) -> float:
    """The best total value over every subset (costs are whole numbers: sums are exact)."""
    n = len(values)
    masks = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(float)
    fits = masks @ np.array(costs) <= budget
    if k is not None:
        fits &= masks.sum(axis=1) <= k
    return float((masks @ np.array(values))[fits].max())


@pytest.mark.parametrize("seed", range(8))
def test_the_optimum_equals_brute_force_on_random_portfolios(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(6):
        n = rng.randint(1, 16)
        values = [rng.choice([rng.uniform(-1e6, 5e7), rng.randint(1, 9) * 1e6]) for _ in range(n)]
        costs = [
            float(rng.choice([rng.randint(0, 20_000_000), rng.randint(0, 9) * 10**6]))
            for _ in range(n)
        ]
        budget = float(rng.randint(0, 40_000_000))
        k = rng.choice([None, rng.randint(1, 5)])
        chosen = best_subset(values, costs, budget, k)
        assert math.fsum(costs[i] for i in chosen) <= budget
        assert k is None or len(chosen) <= k
        best = _brute([max(v, 0.0) for v in values], costs, budget, k)
        assert math.fsum(values[i] for i in chosen) == pytest.approx(best, rel=1e-12, abs=1e-6)


def test_a_set_over_the_budget_by_a_rounding_error_is_not_funded() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 > 0.3: items 0 and 1 together (value 6) do not fit,
    # though a solver's tolerance accepts them; item 2 alone (value 5) is the optimum.
    assert best_subset([3.0, 3.0, 5.0], [0.1, 0.2, 0.3], 0.3) == (2,)
    assert best_subset([3e6, 3e6, 5e6], [1e5, 2e5, 3e5], 3e5) == (0, 1)  # exact sums fit


def test_identical_problems_fund_the_one_listed_first() -> None:
    a, b = problem("Region A", 5, 4), problem("Region B", 5, 4)
    assert [c.name for c in pmsize.plan(problems_of(a, b), "$6m").funded] == ["Region A"]
    assert [c.name for c in pmsize.plan(problems_of(b, a), "$6m").funded] == ["Region B"]


def test_of_two_sets_with_equal_npv_the_cheaper_is_funded() -> None:
    # P alone: NPV $5m for $5m of build; Q + R: $3m + $2m = $5m for $2m. Budget $5m.
    plan = pmsize.plan(problems_of(problem("P", 5, 5), problem("Q", 3, 1), problem("R", 2, 1)), 5e6)
    assert [c.name for c in plan.funded] == ["Q", "R"]
    assert plan.total_build == 2e6


def test_a_budget_below_every_build_cost_funds_nothing(tmp_path: Path) -> None:
    path = portfolio(tmp_path, *GREEDY_TRAPS)
    code, out, err = invoke("plan", path, "--budget", "$500k")
    assert (code, err) == (0, "")
    assert out == (
        "Fund nothing within the $500k budget\n"
        "\n"
        "Nothing is funded: the budget is below every eligible problem's build cost (the\n"
        "cheapest, W, costs $1.00m).\n"
        "Best left out: X (NPV $10.0m, build $6.00m); funding it on top needs $5.50m more\n"
        "budget.\n"
        "10% more budget ($50.0k, $550k in all) would add nothing.\n"
    )


def test_a_free_problem_is_always_funded_and_has_no_npv_per_dollar() -> None:
    plan = pmsize.plan(problems_of(problem("Free", 1, 0), *GREEDY_TRAPS), "$0")
    assert [(c.name, c.npv_per_build) for c in plan.funded] == [("Free", None)]
    assert plan.to_dict()["funded"][0]["npv_per_build"] is None


def test_the_table_at_80_columns(tmp_path: Path) -> None:
    avoid = problem("Loss", -1, 2)
    path = portfolio(tmp_path, *GREEDY_TRAPS, avoid)
    code, out, err = invoke("plan", path, "--budget", "$10m")
    assert (code, err) == (0, "")
    assert out == (
        "Fund 2 of 4 eligible problems: $10.0m of the $10.0m budget, total NPV $14.5m\n"
        "\n"
        "#  Problem   Build     NPV  NPV per $\n"
        "1  Z        $5.00m  $7.50m       1.50\n"
        "2  Y        $5.00m  $7.00m       1.40\n"
        "   Total    $10.0m  $14.5m\n"
        "   Budget   $10.0m\n"
        "   Unspent      $0\n"
        "\n"
        "Best left out: X (NPV $10.0m, build $6.00m); funding it on top needs $6.00m more\n"
        "budget.\n"
        "10% more budget ($1.00m, $11.0m in all) would add $3.00m of NPV, funding X in\n"
        "place of Y.\n"
        "Not eligible (avoid, or NPV not above 0): Loss.\n"
    )


def test_an_extreme_npv_per_dollar_leaves_the_names_in_the_table(tmp_path: Path) -> None:
    # a near-free build for nearly a quadrillion customers: NPV per $ once printed 60
    # digits, which pushed the rank and the name out of an 80-column table
    path = tmp_path / "p.yaml"
    path.write_text(
        "problems:\n"
        "  - name: Everyone, almost free\n"
        "    market: {customers: 999t, problem_cost: $100k}\n"
        "    solution: {build_cost: 0.0000000000000000000000000000000000000001, adoption: 10%}\n"
        "  - name: Ordinary\n"
        "    market: {customers: 1000, problem_cost: $100k}\n"
        "    solution: {build_cost: $1m, adoption: 10%}\n"
    )
    code, out, err = invoke("plan", str(path), "--budget", "$1m")
    assert (code, err) == (0, "")
    assert out.splitlines()[2:6] == [
        "#  Problem                    Build        NPV  NPV per $",
        "1  Everyone, almost free  $1.00e-40  $3.79e+19   3.79e+59",
        "2  Ordinary                  $1.00m     $36.9m       36.9",
        "   Total                     $1.00m  $3.79e+19",
    ]


def test_json_holds_the_contract_fields(tmp_path: Path) -> None:
    path = portfolio(tmp_path, *GREEDY_TRAPS)
    code, out, _ = invoke("plan", path, "--budget", "10m", "-f", "json", "--max-problems", "3")
    assert code == 0
    doc = json.loads(out)
    assert list(doc)[:2] == ["schema_version", "tool_version"]
    for key in ("budget", "objective", "funded", "total_build", "total_npv", "left_out"):
        assert key in doc
    assert (doc["budget"], doc["objective"], doc["currency"]) == (10e6, "npv", "USD")
    assert doc["max_problems"] == 3
    assert doc["funded"][0] == {
        "name": "Z",
        "file": path,
        "line": 22,
        "build_cost": 5e6,
        "npv": 7.5e6,
        "npv_per_build": 1.5,
    }
    assert (doc["total_build"], doc["total_npv"]) == (10e6, 14.5e6)
    assert doc["left_out"][0]["name"] == "X"
    assert doc["left_out"][0]["extra_budget"] == 6e6
    assert doc["marginal"] == {
        "extra_budget": 1e6,
        "npv_gain": 3e6,
        "adds": ["X"],  # at $11m: X + Z in place of Y + Z
        "drops": ["Y"],
        "exact": True,
    }


def test_markdown_and_csv(tmp_path: Path) -> None:
    path = portfolio(tmp_path, *GREEDY_TRAPS)
    code, out, _ = invoke("plan", path, "--budget", "$10m", "-f", "markdown")
    assert code == 0
    assert "| 1 | Z | \\$5.00m | \\$7.50m | 1.50 |\n" in out
    code, out, _ = invoke("plan", path, "--budget", "$10m", "-f", "csv")
    assert code == 0
    assert out.splitlines()[:2] == [
        "status,name,file,line,build_cost,npv,npv_per_build,extra_budget",
        f"funded,Z,{path},22,5000000.0,7500000.0,1.5,",
    ]


def test_problems_in_two_currencies_are_an_error_at_each_currency(tmp_path: Path) -> None:
    path = portfolio(tmp_path, problem("A", 1, 1), problem("B", 1, 1, currency="EUR"))
    code, out, err = invoke("plan", path, "--budget", "$10m")
    assert (code, out) == (2, "")
    assert err == (
        f"{path}:13:15: currency: EUR, but 'A' ({path}:3:15) is in USD; a plan adds build "
        "costs and NPVs, so plan one currency at a time: move the problems in EUR to a file "
        "of their own\n"
        "pmsize: 1 input error; nothing planned\n"
    )


CLINIC = """# Clinic scheduling
name: Clinic scheduling
market: {customers: 400, problem_cost: $150k}
solution: {adoption: 5%, build_cost: $1m}
"""
FREIGHT = """# Freight audit
name: Freight audit
currency: EUR
market: {customers: 400, problem_cost: €150k}
solution: {adoption: 5%, build_cost: €1m}
"""


def test_files_in_two_currencies_are_told_where_each_currency_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the freight file was located at its start (where `name:` happened to be), not at
    # its `currency:`, and the message did not say what to do
    monkeypatch.chdir(tmp_path)
    Path("clinic.yaml").write_text(CLINIC, encoding="utf-8")
    Path("freight.yaml").write_text(FREIGHT, encoding="utf-8")
    code, out, err = invoke("plan", "clinic.yaml", "freight.yaml", "--budget", "$10m")
    assert (code, out) == (2, "")
    assert err == (
        "freight.yaml:3:11: currency: EUR, but 'Clinic scheduling' (clinic.yaml:2:1) is in "
        "USD, the default; a plan adds build costs and NPVs, so plan one currency at a time: "
        "name only the files in USD, or only those in EUR\n"
        "pmsize: 1 input error; nothing planned\n"
    )


def test_a_currency_from_defaults_is_told_once_at_the_default(tmp_path: Path) -> None:
    (tmp_path / "clinic.yaml").write_text(CLINIC, encoding="utf-8")
    path = tmp_path / "eu.yaml"
    path.write_text(
        "defaults:\n  currency: eur\n  market: {customers: 4, problem_cost: 150k}\n"
        "  solution: {adoption: 5%}\nproblems:\n  - name: One\n  - name: Two\n",
        encoding="utf-8",
    )
    with pytest.raises(pmsize.InputErrors) as raised:
        pmsize.plan(pmsize.load([str(tmp_path / "clinic.yaml"), str(path)]), "$10m")
    assert [str(e) for e in raised.value.errors] == [
        f"{path}:2:13: currency: EUR, but 'Clinic scheduling' ({tmp_path / 'clinic.yaml'}:2:1) "
        "is in USD, the default; a plan adds build costs and NPVs, so plan one currency at a "
        "time: name only the files in USD, or only those in EUR"
    ]


def test_a_loaded_problem_knows_where_its_currency_is_written() -> None:
    text = (
        "defaults:\n  currency: EUR\n  market: {customers: 4, problem_cost: 150k}\n"
        "  solution: {adoption: 5%}\nproblems:\n  - name: One\n  - name: Two\n"
        "    currency: GBP\n"
    )
    one, two = load_text(text, "p.yaml")
    assert (str(one.currency_source), str(two.currency_source)) == ("p.yaml:2:13", "p.yaml:8:15")
    [single] = load_text(CLINIC, "c.yaml")
    assert (single.currency_source, str(single.source)) == (None, "c.yaml:2:1")


def test_problems_built_in_code_in_two_currencies_are_refused_in_words() -> None:
    data = {
        "name": "A",
        "market": {"customers": 4, "problem_cost": 1},
        "solution": {"adoption": "5%"},
    }
    built = [
        pmsize.Problem.model_validate(data),
        pmsize.Problem.model_validate(data | {"name": "B", "currency": "EUR"}),
    ]
    with pytest.raises(pmsize.InputErrors) as raised:
        pmsize.plan(built, "10m")
    [error] = raised.value.errors
    assert error.message == (
        "EUR, but 'A' is in USD; a plan adds build costs and NPVs, so plan one "
        "currency at a time: plan the problems in USD apart from those in EUR"
    )


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ("lots", "lots is not an amount; write an amount such as 250k, $5m or 1,200,000"),
        ("-5m", "-5m is negative; amounts cannot be below zero"),
        ("", "give an amount such as $10m or 2.5 million"),
        ("€5m", "€5m is not in USD, the currency of the problems"),
    ],
)
def test_a_bad_budget_is_a_usage_error(tmp_path: Path, budget: str, message: str) -> None:
    path = portfolio(tmp_path, *GREEDY_TRAPS)
    code, out, err = invoke("plan", path, "--budget", budget)
    assert (code, out, err) == (2, "", f"pmsize: --budget: {message}\n")


def test_output_never_overwrites_an_input(tmp_path: Path) -> None:
    path = portfolio(tmp_path, *GREEDY_TRAPS)
    before = Path(path).read_bytes()
    code, _, err = invoke("plan", path, "--budget", "$10m", "-o", path)
    assert code == 2
    assert "it is the input file" in err
    assert Path(path).read_bytes() == before


# A ranged annual cost, normal with sigma $1m (the 5th and 95th percentiles are
# 1.6449 sigma either side): NPV = $11m - $1m - cost ~ Normal($0.5m, $1m) for each.
RANGED = "      annual_cost: {low: 7855146.373, high: 11144853.627, dist: normal}\n"


def test_expected_npv_uses_simulated_means_and_independent_draws() -> None:
    problems = problems_of(problem("A", 10, 1, extra=RANGED), problem("B", 10, 1, extra=RANGED))
    samples = 50_000
    plan = pmsize.plan(problems, "$10m", objective="expected-npv", samples=samples, seed=7)
    assert [c.name for c in plan.funded] == ["A", "B"]
    for c, p in zip(plan.funded, problems, strict=True):
        simulated = pmsize.simulate(p, samples=samples, seed=7).simulation.npv.mean
        assert c.npv == pytest.approx(simulated, rel=1e-12)
        assert c.npv == pytest.approx(0.5e6, abs=0.03e6)  # the mean, within 5 standard errors
    # Drawn independently, the total is Normal($1m, sqrt(2) $1m): P(> 0) = Phi(1/sqrt(2)).
    # (Drawn alike -- both ranges sit at the same path -- it would be Phi(0.5) = 0.691.)
    independent = 0.5 * (1 + math.erf(1 / math.sqrt(2) / math.sqrt(2)))
    assert plan.p_total_npv_positive == pytest.approx(independent, abs=0.01)
    assert (plan.samples, plan.seed) == (samples, 7)


def test_expected_npv_is_simulates_mean_to_the_last_bit_over_several_blocks() -> None:
    # more samples than a block (65,536): blocks drawn on several threads, summed in order
    problems = problems_of(problem("A", 10, 1, extra=RANGED), problem("B", 12, 2, extra=RANGED))
    samples = 70_000
    plan = pmsize.plan(problems, "$10m", objective="expected-npv", samples=samples, seed=3)
    means = {c.name: c.npv for c in plan.funded}
    assert means == {
        p.name: pmsize.simulate(p, samples=samples, seed=3).simulation.npv.mean for p in problems
    }


def test_plan_stays_the_function_once_its_module_is_imported() -> None:
    # A submodule import sets the package's attribute of its name: a module named
    # `pmsize/plan.py` would replace the function `pmsize.plan` here.
    import pmsize._planning

    assert callable(pmsize.plan)
    assert pmsize.plan.__module__ == "pmsize._api"


def test_expected_npv_from_the_command_line(tmp_path: Path) -> None:
    path = portfolio(tmp_path, problem("A", 10, 1, extra=RANGED), problem("B", 10, 1, extra=RANGED))
    args = ("plan", path, "--budget", "$10m", "--objective", "expected-npv", "-n", "20k")
    code, out, err = invoke(*args, "-f", "json", "--seed", "3")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert (doc["objective"], doc["samples"], doc["seed"]) == ("expected-npv", 20_000, 3)
    assert 0.7 < doc["p_total_npv_positive"] < 0.82
    code, out, _ = invoke(*args)
    assert code == 0
    assert out.startswith("Fund 2 of 2 eligible problems: $2.00m of the $10.0m budget, total")
    assert "Chance the funded problems' total NPV is above 0: " in out
    assert "(20,000 samples, seed 0; problems drawn independently)." in out.replace("\n", " ")


def test_the_schema_version_is_the_json_renderers() -> None:
    from pmsize import _planned as planned
    from pmsize.render import json as render_json

    assert planned.SCHEMA_VERSION == render_json.SCHEMA_VERSION


def test_what_c_prints_while_the_solver_runs_is_discarded_and_python_still_writes(
    capfd: pytest.CaptureFixture[str],
) -> None:
    # Some HiGHS releases printf a debugging line whatever their options (HiGHS#2783);
    # a JSON document on stdout would carry it. Only C's stream is swapped: descriptor 1
    # stays, so what Python writes meanwhile (another thread, a notebook) arrives, and
    # C's buffer is flushed first, so what C wrote before the solve arrives too.
    import ctypes

    from pmsize._knapsack import _c_stdout_discarded

    libc = ctypes.CDLL(None)
    print("before", flush=True)
    libc.printf(b"C before\n")  # buffered: stdout is a file here
    with _c_stdout_discarded():
        libc.printf(b"HighsMipSolverData::transformNewIntegerFeasibleSolution\n")
        os.write(1, b"Python meanwhile\n")
    print("after", flush=True)
    libc.fflush(None)
    assert capfd.readouterr().out == "before\nC before\nPython meanwhile\nafter\n"


def printing_knapsack() -> tuple[list[float], list[float], float]:
    """30 items nearly equally worth their cost, on which HiGHS 1.12 (scipy 1.17's)
    prints its debugging line while solving: values, costs and a budget."""
    rng = random.Random(2)
    costs = [float(rng.randint(100_000, 10_000_000)) for _ in range(30)]
    return [c + 1e6 for c in costs], costs, math.fsum(costs) / 2


def test_what_the_solver_prints_never_reaches_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    import ctypes

    from pmsize._knapsack import optimum

    values, costs, budget = printing_knapsack()
    found = optimum(values, costs, budget)
    ctypes.CDLL(None).fflush(None)
    assert found.exact
    assert capfd.readouterr().out == ""


def highs_version() -> tuple[int, int] | None:
    """The release of the HiGHS scipy bundles (a private module: None if it moves)."""
    try:
        from scipy.optimize._highspy import _core

        return _core.HIGHS_VERSION_MAJOR, _core.HIGHS_VERSION_MINOR
    except (ImportError, AttributeError):
        return None


@pytest.mark.skipif(highs_version() != (1, 12), reason="only HiGHS 1.12 prints the line")
def test_the_knapsack_that_makes_the_solver_print_does(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # what keeps the test above meaningful: without the guard, the line is printed
    import contextlib
    import ctypes

    from pmsize import _knapsack as knapsack

    monkeypatch.setattr(knapsack, "_c_stdout_discarded", contextlib.nullcontext)
    knapsack.optimum(*printing_knapsack())
    ctypes.CDLL(None).fflush(None)
    assert "HighsMipSolverData::transformNewIntegerFeasibleSolution" in capfd.readouterr().out


def test_the_table_says_when_the_count_binds_and_shows_a_free_problem(tmp_path: Path) -> None:
    path = portfolio(tmp_path, problem("Free", 1, 0), *GREEDY_TRAPS)
    code, out, err = invoke("plan", path, "--budget", "$10m", "--max-problems", "1")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        "Fund 1 of 5 eligible problems: $6.00m of the $10.0m budget (at most 1 problem),"
    )
    assert "1  X        $6.00m  $10.0m       1.67\n" in out
    # the best left out is Z ($7.5m NPV, $5m): $6m + $5m is $1m over the budget
    assert "funding it on top needs $1.00m more budget and room for 2 problems." in out.replace(
        "\n", " "
    ).replace("  ", " ")
    assert (
        "10% more budget ($1.00m, $11.0m in all) would add nothing with at most 1 problem.\n"
    ) in out.replace("1\nproblem", "1 problem")
    code, out, _ = invoke("plan", path, "--budget", "$10m")
    [free] = [line for line in out.splitlines() if "Free" in line]
    assert free.startswith("3  Free")  # $1m of NPV: ranked last
    assert free.endswith("free")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        # the library names its parameters; only the command line names options
        ({"objective": "npv-ish"}, "^objective: 'npv-ish': plan maximises npv or expected-npv"),
        ({"max_problems": 0}, "^max_problems: 0 is not a whole number from 1"),
        ({"objective": "expected-npv", "samples": 0}, "samples must be from 1 to 10,000,000"),
    ],
)
def test_the_library_refuses_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pmsize.plan(problems_of(*GREEDY_TRAPS), 1e7, **options)  # type: ignore[arg-type]


def test_expected_npv_draws_a_problems_correlations_as_simulate_does() -> None:
    # customers and problem cost multiply: correlated, the mean NPV rises (E[XY] grows with
    # their correlation), so a plan that sampled them independently would show another mean
    text = """
name: Correlated
market: {customers: 600 to 1500, problem_cost: $60k to $250k}
solution: {build_cost: 1m, adoption: 5%}
correlations:
  market.customers ~ market.problem_cost: 0.9
"""
    [correlated] = load_text(text)
    plain = correlated.model_copy(update={"correlations": ()})
    plan = pmsize.plan([correlated], "$5m", objective="expected-npv", samples=20_000)
    simulated = pmsize.simulate(correlated, samples=20_000).simulation.npv.mean
    independent = pmsize.simulate(plain, samples=20_000).simulation.npv.mean
    assert plan.funded[0].npv == pytest.approx(simulated, rel=1e-12)
    assert simulated > independent * 1.05


@pytest.mark.parametrize("budget", ["0", "0m", "$0", " 0k"])
def test_a_zero_budget_is_a_usage_error_that_names_the_shells_trap(
    tmp_path: Path, budget: str
) -> None:
    # `--budget $10m` unquoted: the shell puts its (empty) $1 in place and pmsize gets 0m
    path = portfolio(tmp_path, *GREEDY_TRAPS)
    code, out, err = invoke("plan", path, "--budget", budget)
    assert (code, out) == (2, "")
    assert err == (
        f"pmsize: --budget: {budget.strip()} is a budget of 0, which funds nothing; give the "
        "sum to spend, such as 10m (in a shell, an unquoted or double-quoted $10m arrives as "
        "0m: write '$10m' in single quotes)\n"
    )


@pytest.mark.parametrize("budget", ["$10m/month", "10m per year", "$5m a quarter"])
def test_a_budget_given_as_a_rate_is_refused_without_a_yearly_hint(
    tmp_path: Path, budget: str
) -> None:
    # the grammar's hint for prices (`write $120,000,000`, a yearly figure) is wrong here
    path = portfolio(tmp_path, *GREEDY_TRAPS)
    code, out, err = invoke("plan", path, "--budget", budget)
    assert (code, out) == (2, "")
    assert err == (
        f"pmsize: --budget: {budget}: a budget is one sum to spend on building (build costs "
        "are one-time), not a rate; write the whole sum, such as $10m\n"
    )


def test_markdown_escapes_a_funded_name_once(tmp_path: Path) -> None:
    path = portfolio(tmp_path, problem("'*Core* [ops] | 1'", 5, 1))
    code, out, _ = invoke("plan", path, "--budget", "$10m", "-f", "markdown")
    assert code == 0
    assert "| 1 | \\*Core\\* \\[ops\\] \\| 1 | \\$1.00m | \\$5.00m | 5.00 |\n" in out


def test_what_more_budget_would_buy_names_the_problems(tmp_path: Path) -> None:
    # $10m funds Y + Z; $11m (10% more) funds Y + Z + W: W too, $2m more NPV
    path = portfolio(tmp_path, *GREEDY_TRAPS[1:])
    code, out, _ = invoke("plan", path, "--budget", "$10m")
    assert code == 0
    assert (
        "10% more budget ($1.00m, $11.0m in all) would add $2.00m of NPV, funding W too.\n"
    ) in out
    code, out, _ = invoke("plan", path, "--budget", "$10m", "-f", "json")
    assert json.loads(out)["marginal"] == {
        "extra_budget": 1e6,
        "npv_gain": 2e6,
        "adds": ["W"],
        "drops": [],
        "exact": True,
    }
    # nothing more to buy: no problems named
    code, out, _ = invoke("plan", path, "--budget", "$20m", "-f", "json")
    assert json.loads(out)["marginal"] == {
        "extra_budget": 2e6,
        "npv_gain": 0.0,
        "adds": [],
        "drops": [],
        "exact": True,
    }


LANDSCAPE = """
problems:
  - name: Landscape
    horizon_years: 6
    market:
      customers: 300 to 900
      growth: {low: -2%, high: 12%, dist: normal}
      problem_cost: $80k to $300k
    solution: {build_cost: 2m, adoption: [2%, 4% to 8%, 10%], price: $60k to $90k}
    alternatives:
      - name: OSS
        annual_cost: [$150k, $100k to $130k, $90k]
        solves: [50%, 60% to 80%]
      - name: Follower
        from_year: 3
        annual_cost: $60k to $100k
        solves: 70%
    correlations:
      market.problem_cost ~ alternatives[OSS].solves[year 2]: 0.5
      market.growth ~ solution.adoption[year 2]: -0.3
  - name: Second
    market: {customers: 500, problem_cost: $50k to $150k}
    solution: {build_cost: 1m, adoption: 5%}
"""


def test_expected_npv_is_simulates_mean_to_the_last_bit() -> None:
    # growth, per-year alternative lists, a later arrival and correlations; simulate takes
    # the mean after a partial sort, and summed in another order it was an ulp off
    problems = load_text(LANDSCAPE, "p.yaml")
    plan = pmsize.plan(problems, "$10m", objective="expected-npv", samples=7000, seed=5)
    assert [c.name for c in plan.funded] == ["Landscape", "Second"]
    for c, p in zip(plan.funded, problems, strict=True):
        assert c.npv == pmsize.simulate(p, samples=7000, seed=5).simulation.npv.mean


def test_a_problem_at_npv_exactly_zero_is_never_eligible() -> None:
    # NPV = $1m of value - $1m of build = 0 exactly: it earns nothing, so with budget to
    # spare it is neither funded nor left out, but ineligible (SPEC §9: NPV above 0)
    [zero] = [pmsize.evaluate(p) for p in problems_of(problem("Zero", 0, 1))]
    assert zero.npv == 0
    plan = pmsize.plan(problems_of(problem("Zero", 0, 1), problem("One", 1, 1)), "$10m")
    assert [c.name for c in plan.funded] == ["One"]
    assert plan.left_out == ()
    assert [c.name for c in plan.ineligible] == ["Zero"]


def test_funded_problems_are_ranked_by_npv_not_listed_in_file_order() -> None:
    # all three fit: listed small, large, middle; funded best NPV first, as everywhere
    entries = (problem("Small", 1, 1), problem("Large", 9, 1), problem("Middle", 4, 1))
    plan = pmsize.plan(problems_of(*entries), "$10m")
    assert [c.name for c in plan.funded] == ["Large", "Middle", "Small"]


def test_the_table_ranks_the_funded_problems(tmp_path: Path) -> None:
    path = portfolio(tmp_path, problem("Small", 1, 1), problem("Large", 9, 1))
    code, out, _ = invoke("plan", path, "--budget", "10m")
    assert code == 0
    assert out.index("Large") < out.index("Small")


# ------------------------------------------------------------------ the time limit

# A hard knapsack: every problem's NPV is its build cost plus $1m, so all are nearly
# equally worth their cost, and proving which half fits best took HiGHS minutes.


def hard_knapsack(count: int = 200, seed: int = 1, unit: int = 1) -> tuple[list[str], float]:
    """Portfolio entries of a hard knapsack (build costs from $100k to $10m in whole `unit`s
    of $1) and a budget of half their total build cost."""
    rng = random.Random(seed)
    builds = [rng.randint(100_000, 10_000_000) // unit * unit / 1e6 for _ in range(count)]
    entries = [problem(f"P{i}", b + 1, b) for i, b in enumerate(builds)]
    return entries, round(sum(builds) / 2 * 1e6)


def _dp_optimum(values: list[float], costs: list[float], budget: float) -> float:
    """The exact 0/1 optimum by dynamic programming over costs in whole $1k."""
    units = [round(c / 1000) for c in costs]
    best = np.zeros(int(budget // 1000) + 1)
    for value, unit in zip(values, units, strict=True):
        if unit <= len(best) - 1:
            np.maximum(best[unit:], best[:-unit] + value if unit else best + value, out=best[unit:])
    return float(best[-1])


def test_a_hard_knapsack_stops_at_the_time_limit_with_its_proven_gap() -> None:
    entries, budget = hard_knapsack()
    problems = problems_of(*entries)
    plan = pmsize.plan(problems, budget, time_limit=0.2)
    assert not plan.exact
    assert 0 < plan.gap < 0.02
    assert plan.total_build <= budget
    assert not plan.marginal.exact  # the 10% more budget figure is an estimate then
    doc = plan.to_dict()
    assert (doc["exact"], doc["gap"], doc["time_limit"]) == (False, plan.gap, 0.2)
    assert doc["marginal"]["exact"] is False


def test_every_solve_of_a_plan_shares_the_time_limit() -> None:
    # the plan's optimum and the one at 10% more budget: within the limit together
    # (plus evaluation and a greedy fill; seconds apart from the minutes of no limit)
    import time

    entries, budget = hard_knapsack(seed=2)
    problems = problems_of(*entries)
    start = time.monotonic()
    plan = pmsize.plan(problems, budget, time_limit=0.5)
    assert time.monotonic() - start < 20  # minutes without the limit; generous for busy CI
    assert not plan.exact


def test_an_exact_plan_says_so() -> None:
    plan = pmsize.plan(problems_of(*GREEDY_TRAPS), "$10m")
    assert (plan.exact, plan.gap, plan.marginal.exact) == (True, 0.0, True)
    doc = plan.to_dict()
    assert (doc["exact"], doc["gap"], doc["time_limit"]) == (True, 0.0, 10.0)


def test_the_gap_of_an_optimum_stopped_early_is_proven() -> None:
    import time

    from pmsize._knapsack import optimum

    entries, budget = hard_knapsack(seed=4, unit=1000)  # for the exact optimum
    builds = [c.solution.build_cost for c in problems_of(*entries)]
    costs = [float(b) for b in builds]
    values = [c + 1e6 for c in costs]
    found = optimum(values, costs, budget, deadline=time.monotonic() + 0.1)
    best = _dp_optimum(values, costs, budget)
    assert not found.exact
    assert math.fsum(costs[i] for i in found.items) <= budget
    assert found.value <= best * (1 + 1e-12) <= found.bound * (1 + 1e-9)
    assert found.gap == pytest.approx((found.bound - found.value) / found.bound)
    # with time to spare, the proven optimum: no gap
    small = optimum(values[:12], costs[:12], sum(costs[:12]) / 2)
    assert small.exact
    best_small = _dp_optimum(values[:12], costs[:12], sum(costs[:12]) / 2)
    assert small.value == small.bound == pytest.approx(best_small, rel=1e-12)


def test_with_no_time_left_a_greedy_fill_is_funded_with_the_relaxations_bound() -> None:
    import time

    from pmsize._knapsack import optimum

    entries, budget = hard_knapsack(seed=4, unit=1000)
    costs = [float(p.solution.build_cost) for p in problems_of(*entries)]
    values = [c + 1e6 for c in costs]
    found = optimum(values, costs, budget, deadline=time.monotonic())
    best = _dp_optimum(values, costs, budget)
    assert not found.exact
    assert found.items  # a set that fits, found without the solver
    assert math.fsum(costs[i] for i in found.items) <= budget
    assert found.value <= best * (1 + 1e-12) <= found.bound * (1 + 1e-9)
    assert 0 < found.gap < 0.05


def test_an_error_in_the_solver_thread_reaches_the_caller() -> None:
    from pmsize._knapsack import interruptible

    assert interruptible(lambda: 42) == 42
    with pytest.raises(ZeroDivisionError):
        interruptible(lambda: 1 / 0)


@pytest.mark.parametrize(
    ("gap", "shown"),
    [
        (0.0, "0.01%"),
        (4e-5, "0.01%"),
        (1.0001e-4, "0.011%"),
        (4.23e-4, "0.043%"),
        (0.0123, "1.3%"),
        (0.05, "5%"),
        (0.123, "13%"),
    ],
)
def test_a_gap_is_shown_rounded_up_so_within_stays_true(gap: float, shown: str) -> None:
    from pmsize.render.plan import gap_text

    assert gap_text(gap) == shown


def test_the_table_says_when_the_time_limit_stopped_the_search(tmp_path: Path) -> None:
    entries, budget = hard_knapsack()
    path = portfolio(tmp_path, *entries)
    code, out, err = invoke("plan", path, "--budget", str(budget), "--time-limit", "0.2")
    assert (code, err) == (0, "")
    text = " ".join(out.split())
    assert (
        "The search for the best set stopped at its time limit (0.2 seconds): this plan's "
        "total NPV is within "
    ) in text
    assert "% of the best possible." in text
    assert "(an estimate: the search stopped at its time limit)." in text
    code, out, _ = invoke(
        "plan", path, "--budget", str(budget), "--time-limit", "0.2", "-f", "json"
    )
    doc = json.loads(out)
    assert (doc["exact"], doc["time_limit"]) == (False, 0.2)
    assert 0 < doc["gap"] < 0.02


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "inf", "nan", "1e9", ""])
def test_a_bad_time_limit_is_a_usage_error(tmp_path: Path, limit: str) -> None:
    path = portfolio(tmp_path, *GREEDY_TRAPS)
    code, out, err = invoke("plan", path, "--budget", "$10m", "--time-limit", limit)
    assert (code, out) == (2, "")
    assert err.startswith(f"pmsize: --time-limit: {limit} is not a number of seconds above 0")


@pytest.mark.parametrize("limit", [0, -1.0, math.inf, math.nan, True, "10"])
def test_the_library_refuses_a_bad_time_limit(limit: object) -> None:
    with pytest.raises(ValueError, match=r"^time_limit: .* is not a number of seconds above 0"):
        pmsize.plan(problems_of(*GREEDY_TRAPS), 1e7, time_limit=limit)  # type: ignore[arg-type]


# Runs `pmsize plan` as the script does, with scipy's milp wrapped to leave a mark when
# a solve starts (the solve itself is HiGHS's, unchanged), so the signal lands mid-solve.
SIGNAL_MID_SOLVE = """
import pathlib, sys
import scipy.optimize
real = scipy.optimize.milp
def milp(*args, **kwargs):
    pathlib.Path({mark!r}).touch()
    return real(*args, **kwargs)
scipy.optimize.milp = milp
sys.argv = ["pmsize", "plan", {path!r}, "--budget", {budget!r}, "-f", "json"]
from pmsize.__main__ import main
main()
"""


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_a_signal_mid_solve_ends_the_plan_at_once(tmp_path: Path, name: str) -> None:
    # HiGHS runs in C: a signal waited until it returned (minutes on this knapsack)
    import signal
    import subprocess
    import sys
    import time

    entries, budget = hard_knapsack()
    path = portfolio(tmp_path, *entries)
    mark = tmp_path / "solving"
    code = SIGNAL_MID_SOLVE.format(mark=str(mark), path=path, budget=str(budget))
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **ENV},
    )
    try:
        deadline = time.monotonic() + 60
        while not mark.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert mark.exists(), proc.communicate()[1]
        time.sleep(0.3)  # well inside HiGHS
        sent = time.monotonic()
        proc.send_signal(getattr(signal, name))
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        proc.kill()
        proc.wait()
    said = "" if name == "SIGINT" else f" by {name}"
    assert (proc.returncode, out, err) == (
        128 + getattr(signal, name),
        "",
        f"pmsize: interrupted{said}\n",
    )
    assert took < 2, took


def test_the_library_names_the_budget_parameter_and_the_command_line_its_option(
    tmp_path: Path,
) -> None:
    with pytest.raises(ValueError, match=r"^budget: \$10m/month: a budget is one sum"):
        pmsize.plan(problems_of(*GREEDY_TRAPS), "$10m/month")
    path = portfolio(tmp_path, *GREEDY_TRAPS)
    code, out, err = invoke("plan", path, "--budget", "$10m/month")
    assert (code, out) == (2, "")
    assert err.startswith("pmsize: --budget: $10m/month: a budget is one sum")


def test_a_plan_shows_one_line_in_a_notebook() -> None:
    plan = pmsize.plan(problems_of(*GREEDY_TRAPS), "$10m")
    # Z + Y: $5m + $5m of build for $7.5m + $7m of NPV
    assert repr(plan) == (
        "<Plan: fund 2 of 4 eligible, build 10,000,000 of 10,000,000 USD, NPV 14,500,000>"
    )


# ----------------------------------------------------------------- a narrow terminal


@pytest.mark.parametrize("width", [20, 30, 40, 42, 43, 60, 80, 120])
def test_every_figure_is_whole_at_any_width(width: int) -> None:
    # at 40 columns the table once cut NPV per $ to `6.` for 6.69: a wrong answer, shown
    result = CliRunner().invoke(
        app,
        ["plan", str(EXAMPLES), "--budget", "10m"],
        env={"NO_COLOR": "1", "COLUMNS": str(width), "TERM": "dumb"},
    )
    assert result.exit_code == 0
    shown = result.stdout.split()
    for figure in ("$4.00m", "$26.7m", "6.69", "$3.50m", "$14.0m", "3.99", "2.15", "$46.1m"):
        assert figure in shown, (width, figure)
    assert all(len(line) <= max(width, 20) for line in result.stdout.splitlines())


def test_a_plan_too_wide_for_the_terminal_is_laid_out_as_records() -> None:
    result = CliRunner().invoke(
        app,
        ["plan", str(EXAMPLES), "--budget", "10m"],
        env={"NO_COLOR": "1", "COLUMNS": "40", "TERM": "dumb"},
    )
    assert result.stdout.split("\n\n")[1:3] == [
        "1 Dock appointment scheduling for\n"
        "  distribution centres\n"
        "  Build $4.00m · NPV $26.7m ·\n"
        "  NPV per $ 6.69\n"
        "2 Supplier onboarding for mid-sized\n"
        "  manufacturers\n"
        "  Build $3.50m · NPV $14.0m ·\n"
        "  NPV per $ 3.99\n"
        "3 Returns authorisation for online\n"
        "  retailers\n"
        "  Build $2.50m · NPV $5.38m ·\n"
        "  NPV per $ 2.15",
        "Total build $10.0m · NPV $46.1m ·\nBudget $10.0m · Unspent $0",
    ]


# ----------------------------------------------------------------- budget risk (SPEC §15)


UNIFORM = "{low: $1m, high: $3m, dist: uniform}"


def ranged_build(name: str, build: str) -> str:
    """A portfolio entry worth funding whose build cost is `build` (a range or a point)."""
    return (
        f"  - name: {name}\n"
        "    horizon_years: 1\n"
        "    discount_rate: 0%\n"
        "    market: {customers: 100, problem_cost: $1m}\n"
        f"    solution: {{build_cost: {build}, annual_cost: 0, solves: 100%,"
        " adoption: [100%], price: $100k}\n"
    )


@pytest.mark.parametrize(
    ("entries", "budget", "expected"),
    [
        # uniform $1m to $3m, budgeted at its central $2m within $2.5m: P(X > $2.5m) = 1/4
        ([("A", UNIFORM)], "2.5m", 0.25),
        # two independent uniforms budgeted at their centrals exactly: P(X + Y > 4m) = 1/2
        ([("A", UNIFORM), ("B", UNIFORM)], "4m", 0.5),
        # a lognormal's median is its central value: P(X > median) = 1/2, a point adds 0
        ([("A", "'$1m to $4m'"), ("B", "$1m")], "3m", 0.5),
    ],
)
def test_the_chance_of_overrunning_the_budget(
    entries: list[tuple[str, str]], budget: str, expected: float
) -> None:
    text = "problems:\n" + "".join(ranged_build(n, b) for n, b in entries)
    problems = load_text(text)
    result = pmsize.plan(problems, budget)
    assert len(result.funded) == len(entries)
    assert result.p_over_budget is not None
    # 100,000 draws: the standard error is at most 0.0016
    assert result.p_over_budget == pytest.approx(expected, abs=0.008)
    assert result.to_dict()["p_over_budget"] == result.p_over_budget


def test_no_ranged_build_cost_no_budget_risk() -> None:
    result = pmsize.plan(load_text("problems:\n" + ranged_build("A", "$1m")), "2m")
    assert result.p_over_budget is None
    assert "chance the funded builds cost more" not in " ".join(result._repr_markdown_().split())


# ------------------------------------------------------ budget confidence (SPEC §15)


CONFIDENCE_PORTFOLIOS = [
    # (build costs, budget): some ranged, some points; central budgets that overrun often
    (["'$1m to $3m'", "$1m", "'$2m to $4m'", "$2m"], 5e6),
    (["'$1m to $3m'", "'$1m to $2m'", "$1.5m", "'$2m to $5m'", "$1m"], 6e6),
    (["$1m", "'$0.5m to $2m'", "'$1m to $4m'", "$2m", "'$1m to $1.5m'", "'$2m to $3m'"], 7e6),
]


def priced(i: int, build: str) -> str:
    """A problem worth funding, of NPV $5m plus $1m per place, built for `build`."""
    return ranged_build(f"P{i}", build).replace("price: $100k", f"price: ${50 + 10 * i}k")


@pytest.mark.parametrize(("builds", "budget"), CONFIDENCE_PORTFOLIOS)
@pytest.mark.parametrize("confidence", [0.5, 0.9])
def test_budget_confidence_is_the_best_set_within_budget_that_often(
    builds: list[str], budget: float, confidence: float
) -> None:
    from itertools import combinations

    from pmsize import _planning as planning

    problems = load_text("problems:\n" + "".join(priced(i, b) for i, b in enumerate(builds)))
    draws = 300
    result = pmsize.plan(problems, budget, budget_confidence=confidence, samples=draws)
    rows = planning.build_cost_draws(problems, range(len(problems)), draws, 0)
    allowed = int((1 - confidence) * draws + 1e-9)
    npvs = [pmsize.evaluate(p).npv for p in problems]
    best = max(
        math.fsum(npvs[i] for i in subset)
        for k in range(len(problems) + 1)
        for subset in combinations(range(len(problems)), k)
        if planning.overruns(rows[list(subset)], budget) <= allowed
    )
    assert result.exact
    assert result.total_npv == pytest.approx(best, rel=1e-9)
    assert result.budget_confidence == confidence
    assert result.confidence_draws == draws
    assert result.p_over_budget is not None
    assert result.p_over_budget <= 1 - confidence + 1e-12
    document = result.to_dict()
    assert document["budget_confidence"] == confidence
    assert document["p_over_budget"] == result.p_over_budget


def test_budget_confidence_says_so_with_1000_draws_by_default() -> None:
    builds, budget = CONFIDENCE_PORTFOLIOS[0]
    problems = load_text("problems:\n" + "".join(priced(i, b) for i, b in enumerate(builds)))
    result = pmsize.plan(problems, budget, budget_confidence="90%")
    assert result.confidence_draws == 1_000
    text = " ".join(result._repr_markdown_().split())
    assert "funds a set that stays within budget in at least 90% of 1,000 draws" in text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0%", "0% would ask nothing of the draws"),
        ("100%", "100% would never overrun in any of the draws"),
        ("95", "95 is read as 9500%"),
        ("most", "most is not a percent"),
    ],
)
def test_a_bad_budget_confidence_is_refused(raw: str, message: str) -> None:
    problems = load_text("problems:\n" + ranged_build("A", UNIFORM))
    with pytest.raises(ValueError, match=message):
        pmsize.plan(problems, "2.5m", budget_confidence=raw)
    run = CliRunner().invoke(app, ["plan", "-", "--budget", "2.5m", "--budget-confidence", raw])
    assert run.exit_code == 2
    assert "--budget-confidence" in run.output


def brute_chance_optimum(
    values: list[float], rows: np.ndarray, budget: float, allowed: int, most: int | None
) -> float:
    """The chance-constrained optimum by trying every subset, counted as the plan counts."""
    from itertools import combinations

    from pmsize._planning import overruns

    best = 0.0
    for k in range(len(values) + 1):
        for subset in combinations(range(len(values)), k):
            fits = (most is None or k <= most) and all(values[i] > 0 for i in subset)
            if fits and overruns(rows[list(subset)], budget) <= allowed:
                best = max(best, math.fsum(values[i] for i in subset))
    return best


def random_chance_case(
    rng: random.Random,
) -> tuple[list[float], np.ndarray, float, int, int | None]:
    """A small chance-constrained knapsack: point, lognormal, two-valued and tied costs."""
    n, draws = rng.randint(1, 9), rng.choice([1, 3, 40, 150])
    gen = np.random.default_rng(rng.randrange(2**32))
    rows = np.empty((n, draws))
    for i in range(n):
        central, kind = rng.choice([0.0, 0.5, 1.0, 2.0, 3.0, 5.0]), rng.random()
        if kind < 0.4:
            rows[i] = central
        elif kind < 0.7:
            rows[i] = central * gen.lognormal(0.0, rng.uniform(0.05, 0.6), draws)
        elif kind < 0.85:
            rows[i] = gen.choice([central, 2 * central, 0.0], draws)
        else:  # whole numbers: totals tie with each other and with the budget
            rows[i] = np.round(gen.uniform(0.0, 4.0, draws))
    values = [rng.choice([-1.0, 0.0, 1.0, 2.0, 3.0, 3.0, 5.5, 7.0]) for _ in range(n)]
    budget = rng.choice([0.0, 1.0, 3.0, 5.0, 8.0, 12.0])
    return values, rows, budget, rng.randrange(draws), rng.choice([None, None, 1, 2, 4])


@pytest.mark.parametrize("seed", range(4))
def test_the_chance_constrained_optimum_is_the_brute_force_one(seed: int) -> None:
    # the search over ranged sets prunes by bounds; a bound that is not one would drop
    # the optimum on some of these
    from pmsize._chance import chance_optimum
    from pmsize._planning import overruns

    rng = random.Random(seed)
    for _ in range(60):
        values, rows, budget, allowed, most = random_chance_case(rng)
        found = chance_optimum(values, rows, budget, allowed, most, overruns=overruns)
        assert found.exact
        assert overruns(rows[list(found.items)], budget) <= allowed
        assert most is None or len(found.items) <= most
        best = brute_chance_optimum(values, rows, budget, allowed, most)
        assert found.value == pytest.approx(best, rel=1e-12, abs=1e-12)


def test_the_chance_constrained_optimum_refuses_a_negative_cost() -> None:
    # its bounds rest on a set's totals only growing as it grows
    from pmsize._chance import chance_optimum
    from pmsize._planning import overruns

    rows = np.array([[1.0, -1.0], [2.0, 2.0]])
    with pytest.raises(ValueError, match="negative"):
        chance_optimum([1.0, 1.0], rows, 2.0, 0, overruns=overruns)


def test_budget_confidence_of_point_build_costs_is_the_plain_optimum() -> None:
    # no build cost is ranged: every draw is the same, and the plan is the knapsack's
    entries = [priced(i, f"${b}m") for i, b in enumerate([1, 2, 1.5, 3, 2.5, 1, 4])]
    problems = load_text("problems:\n" + "".join(entries))
    plain = pmsize.plan(problems, 7e6)
    confident = pmsize.plan(problems, 7e6, budget_confidence=0.9)
    assert confident.exact
    assert confident.total_npv == pytest.approx(plain.total_npv, rel=1e-12)
    assert confident.p_over_budget == 0


def test_a_budget_confidence_stopped_by_its_time_limit_funds_a_set_that_fits() -> None:
    # 60 ranged build costs at 1,000 draws: far more than a few hundredths of a second of
    # search proves; the set funded still stays within budget often enough, and the plan
    # says how far from the best it may be
    rng = random.Random(3)
    builds = [
        f"'${b:.2f}m to ${b * rng.uniform(1.3, 2.5):.2f}m'"
        for b in (rng.uniform(0.5, 5.0) for _ in range(60))
    ]
    problems = load_text("problems:\n" + "".join(priced(i, b) for i, b in enumerate(builds)))
    result = pmsize.plan(problems, "40m", budget_confidence="90%", time_limit=0.05)
    assert not result.exact
    assert 0 < result.gap < 1
    assert result.funded
    assert result.p_over_budget is not None
    assert result.p_over_budget <= 0.1
    text = " ".join(result._repr_markdown_().split())
    assert "stopped at its time limit" in text
    assert "(the best found before the time limit)" in text


def test_a_set_over_by_a_rounding_error_is_cut_off_under_a_budget_confidence() -> None:
    # 0.1 + 0.2 is 0.30000000000000004: over a budget of 0.3 in every draw, though the
    # solver, within its tolerance, calls that set feasible
    from pmsize._chance import chance_optimum
    from pmsize._planning import overruns

    rows = np.array([[0.1] * 3, [0.2] * 3, [0.25] * 3])
    found = chance_optimum([1.0, 2.0, 1.5], rows, 0.3, 0, overruns=overruns)
    assert (found.items, found.value, found.exact) == ((1,), 2.0, True)


def test_a_budget_confidence_of_a_hard_knapsack_stops_at_its_time_limit() -> None:
    # no build cost is ranged, so the search is over at once and the MILP of the point
    # problems is the hard knapsack: stopped, with the solver's set and bound
    entries, budget = hard_knapsack()
    plan = pmsize.plan(problems_of(*entries), budget, budget_confidence=0.9, time_limit=0.5)
    assert not plan.exact
    assert 0 < plan.gap < 0.02
    assert plan.total_build <= budget
    assert plan.p_over_budget == 0


def test_the_search_of_ranged_sets_finds_better_sets_than_it_was_given() -> None:
    # started from the empty set, the search fills the ranged sets it keeps with points
    # and raises the best known, which then prunes; the MILP after it finds the optimum
    from pmsize import _chance, _ranged
    from pmsize._planning import overruns

    rng = random.Random(5)
    gen = np.random.default_rng(5)
    rows = np.array(
        [[rng.uniform(1, 3)] * 200 for _ in range(6)]
        + [rng.uniform(1, 3) * gen.lognormal(0, 0.3, 200) for _ in range(5)]
    )
    values = [rng.uniform(1, 5) for _ in range(11)]

    def fits(chosen: list[int]) -> bool:
        return overruns(rows[sorted(chosen)], 8.0) <= 20

    usable = np.arange(11)
    v = np.array(values)
    drawn = _ranged.Drawn(v, rows, 8.0, 20, 11)
    searched = _ranged.search(drawn, usable, [], fits, None)
    assert searched.leaves is not None
    assert fits(searched.best)
    assert math.fsum(v[searched.best]) > 0
    best = brute_chance_optimum(values, rows, 8.0, 20, None)
    solved = _chance.chance_optimum(values, rows, 8.0, 20, overruns=overruns)
    assert solved.exact
    assert solved.value == pytest.approx(best, rel=1e-12)
    # with no time left for the MILP: the best known, not exact, and a bound above it
    stopped = _chance._combined(drawn, usable, searched, fits, 0.0)
    assert stopped.chosen is None
    assert not stopped.proven
    assert stopped.bound >= best


def test_a_budget_confidence_too_large_to_solve_exactly_is_refused() -> None:
    from pmsize._planning import MAX_CONFIDENCE_SIZE

    problems = load_text("problems:\n" + "".join(priced(i, UNIFORM) for i in range(4)))
    draws = MAX_CONFIDENCE_SIZE // 4 + 1
    with pytest.raises(ValueError, match=f"more than the {MAX_CONFIDENCE_SIZE:,}"):
        pmsize.plan(problems, "5m", budget_confidence=0.9, samples=draws)
