"""What drives NPV (`pmsize sensitivity`): tornado, break-even and value of information."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from rich.console import Console
from typer.testing import CliRunner

from pmsize import _api as api
from pmsize import _drivers as sens
from pmsize import _engine as engine
from pmsize import _limits as limits
from pmsize import _loader as loader
from pmsize import _paths as paths
from pmsize import _sampling as sampling
from pmsize import _service as service
from pmsize import _simulation as sim
from pmsize._models import Policy, Problem
from pmsize._values import central
from pmsize.cli import app
from pmsize.render import simulate as render
from strategies import examples, to_yaml
from strategies import problems as problem_data
from test_simulate import LINEAR

HERE = Path(__file__).resolve().parent
EXAMPLES = sorted((HERE.parent / "examples").glob("*.yaml"))
RANGED_EXAMPLE = HERE.parent / "examples" / "utility-bill-audit.yaml"
ENV = {"NO_COLOR": "1", "COLUMNS": "80"}
PHI = NormalDist()


def problem_of(text: str) -> Problem:
    return loader.load_text(text)[0]


def problems() -> list[Problem]:
    return loader.load_paths([str(p) for p in EXAMPLES])


def with_value(problem: Problem, path: str, value: float) -> Problem:
    """A copy of `problem` with the input at `path` (SPEC §13) set to `value`."""
    named = paths.parse(path)
    if named.alternative is not None:
        alternatives = list(problem.alternatives)
        [i] = [
            i
            for i, a in enumerate(alternatives)
            if a.name.casefold() == named.alternative.casefold()
        ]
        alternative = alternatives[i]
        new: Any = value
        if named.year is not None:  # item 1 is the year it arrives
            items = list(getattr(alternative, named.field))
            items[named.year - alternative.from_year] = value
            new = tuple(items)
        alternatives[i] = alternative.model_copy(update={named.field: new})
        return problem.model_copy(update={"alternatives": tuple(alternatives)})
    head, _, field = named.field.partition(".")
    if not field:  # discount_rate
        return problem.model_copy(update={head: value})
    part = getattr(problem, head)
    if field == "adoption":
        shares = list(part.adoption)
        if named.year is None:
            shares = [value]
        else:
            shares[named.year - 1] = value
        return problem.model_copy(
            update={head: part.model_copy(update={"adoption": tuple(shares)})}
        )
    return problem.model_copy(update={head: part.model_copy(update={field: value})})


# --------------------------------------------------------------------------- tornado


@pytest.mark.parametrize("problem", problems(), ids=lambda p: p.name)
def test_tornado_ends_are_the_point_evaluations_with_that_input_at_its_low_and_high(
    problem: Problem,
) -> None:
    bars = sens.tornado(problem)
    case = sens.scenario_bar(problem)  # the scenario, an input when scenarios are drawn
    assert {bar.input for bar in bars} == {path for path, _ in engine.ranged_inputs(problem)} | (
        set() if case is None else {sens.SCENARIO}
    )
    for bar in bars:
        if bar == case:  # its ends are the cases with the lowest and highest NPV
            at_low, at_high = (
                service.evaluate(problem if name == "base" else problem.in_scenario(name))
                for name in (bar.low_value, bar.high_value)
            )
            assert bar.npv_at_low == pytest.approx(at_low.npv, rel=1e-12)
            assert bar.npv_at_high == pytest.approx(at_high.npv, rel=1e-12)
            continue
        at_low = service.evaluate(with_value(problem, bar.input, bar.low_value))
        at_high = service.evaluate(with_value(problem, bar.input, bar.high_value))
        assert bar.npv_at_low == pytest.approx(at_low.npv, rel=1e-12, abs=1e-6)
        assert bar.npv_at_high == pytest.approx(at_high.npv, rel=1e-12, abs=1e-6)
        assert bar.swing == pytest.approx(abs(at_high.npv - at_low.npv), rel=1e-12, abs=1e-6)


def test_tornado_puts_the_widest_swing_first() -> None:
    problem = loader.load_paths([str(RANGED_EXAMPLE)])[0]
    swings = [bar.swing for bar in sens.tornado(problem)]
    assert len(swings) == 7
    assert swings == sorted(swings, reverse=True)


def test_a_problem_without_ranges_has_no_tornado() -> None:
    problem = loader.load_paths([str(HERE / "cases" / "01-no-alternatives.yaml")])[0]
    assert sens.tornado(problem) == ()


# --------------------------------------------------------------------------- break-even


@pytest.mark.parametrize("problem", problems(), ids=lambda p: p.name)
def test_break_even_build_cost_is_central_npv_plus_central_build_cost(problem: Problem) -> None:
    # NPV falls one for one with the build cost (CF_0 = -build), so it crosses 0 at NPV + build
    point = service.evaluate(problem)
    build = central(problem.solution.build_cost)
    found = next(b for b in sens.break_even(problem) if b.input == "solution.build_cost")
    assert found.assumed == build
    if point.npv + build < 0:  # not even a free build pays back
        assert found.value is None
    else:
        assert found.value == pytest.approx(point.npv + build, rel=1e-9)


@pytest.mark.parametrize("problem", problems(), ids=lambda p: p.name)
def test_every_break_even_value_makes_npv_zero(problem: Problem) -> None:
    found = sens.break_even(problem)
    assert [b.input for b in found] == ["solution.build_cost"] + [
        path for path, _ in engine.ranged_inputs(problem) if path != "solution.build_cost"
    ]
    scale = max(abs(service.evaluate(problem).npv), 1.0)
    for b in found:
        if b.value is not None:
            npv = service.evaluate(with_value(problem, b.input, b.value)).npv
            assert abs(npv) < 1e-6 * scale, b.input


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem_data())
def test_break_even_values_of_any_problem_make_npv_zero(data: Any) -> None:
    problem = problem_of(to_yaml(data))
    scale = max(abs(service.evaluate(problem).npv), 1.0)

    def npv(path: str, value: float) -> float:
        return sens.npv_with(problem, sens.DEFAULT_THRESHOLDS, path, value)

    for b in sens.break_even(problem):
        assert b.value is None or b.value in b.values
        for value in b.values:
            if abs(npv(b.input, value)) <= 1e-6 * scale:
                continue
            # else NPV jumps across zero there (an alternative becomes worth its cost, and
            # the ceiling drops at once): its sign differs a hair either side
            step = 1e-9 * max(abs(value), 1e-9)
            below, above = npv(b.input, value - step), npv(b.input, value + step)
            assert below * above <= 0, (b, value, below, above)
    for bar in sens.tornado(problem):
        assert bar.swing >= 0


# Found by the property above: NPV is a hair below zero (the annual cost of $0.00012)
# until, at a discount rate near 46%, the alternative's one-time $288k spread over the
# years stops capping the price, then climbs at $52k a point. Regula falsi crept along the
# flat side for its 200 steps and stopped 1e-9 short, where NPV is still -$0.00024.
FLAT_THEN_STEEP = """
name: Flat then steep
horizon_years: 7
discount_rate: 1% to 2%
market: {customers: 1k, problem_cost: 144000}
solution: {build_cost: 0, annual_cost: 0.00012, solves: 1%, adoption: 10%}
alternatives:
  - {name: Spreadsheets, kind: open-source, one_time_cost: 288000}
"""


def test_a_break_even_past_a_flat_stretch_is_the_root_itself() -> None:
    problem = problem_of(FLAT_THEN_STEEP)
    [rate] = [b for b in sens.break_even(problem) if b.input == "discount_rate"]
    assert rate.value == pytest.approx(0.46, abs=0.001)
    npv = sens.npv_with(problem, sens.DEFAULT_THRESHOLDS, "discount_rate", rate.value)
    assert abs(npv) <= 1e-6


# An alternative solves it all for $10k a year, so the ceiling is $10k whatever the problem
# costs; 10 customers pay it for 5 years at 0%: NPV = 5 * 10 * 10k - build = 500k - 2m,
# which stays below zero as problem_cost moves, and crosses it at a build of $500k.
CAPPED = """
name: Capped
discount_rate: 0%
market: {customers: 100, problem_cost: $100k to $400k}
solution: {build_cost: 2m, adoption: 10%}
alternatives:
  - {name: Cheap tool, annual_cost: 10k, solves: 100%}
"""


def test_break_even_is_none_when_npv_never_crosses_zero() -> None:
    found = {b.input: b for b in sens.break_even(problem_of(CAPPED))}
    assert found["market.problem_cost"].value is None
    assert found["solution.build_cost"].value == pytest.approx(500e3, rel=1e-9)


def test_break_even_of_a_share_finds_the_adoption_that_pays_back() -> None:
    # NPV = 5 years * (100 * s) customers * $50k - $1m = 25m * s - 1m: zero at s = 4%
    problem = problem_of(
        """
name: Adoption
discount_rate: 0%
market: {customers: 100, problem_cost: 100k}
solution: {build_cost: 1m, adoption: 2% to 12%, price: 50k}
"""
    )
    found = {b.input: b for b in sens.break_even(problem)}
    assert found["solution.adoption"].value == pytest.approx(0.04, rel=1e-9)
    assert found["solution.build_cost"].value == pytest.approx(
        25e6 * math.sqrt(0.02 * 0.12), rel=1e-9
    )


def test_root_near_picks_the_crossing_nearest_the_assumed_value() -> None:
    # (x - 10)(x - 100) crosses at 10 and 100; from 30 the nearer is 10, from 80 it is 100
    def f(x: float) -> float:
        return (x - 10) * (x - 100)

    assert sens.root_near(f, 30.0, upper=1e15) == pytest.approx(10.0, rel=1e-9)
    assert sens.root_near(f, 80.0, upper=1e15) == pytest.approx(100.0, rel=1e-9)
    assert sens.root_near(lambda x: x + 1.0, 5.0, upper=1e15) is None


# --------------------------------------------------------------------------- value of information

# NPV = 2.5m - b (test_simulate.LINEAR); with b normal(median m, sigma s) and no other
# uncertainty, learning b exactly is worth E[max(NPV, 0)] - max(E[NPV], 0).


def test_value_of_information_of_a_lone_input_matches_the_closed_form() -> None:
    problem = problem_of(LINEAR.format(build="{low: 1m, high: 3m, dist: normal}"))
    result = sim.simulate(problem, samples=200_000, learn=True)
    mu, s = 0.5e6, 2e6 / (2 * 1.6448536269514722)  # NPV ~ normal(0.5m, 0.608m)
    # E[max(X, 0)] - max(E[X], 0) = mu * Phi(mu/s) + s * phi(mu/s) - mu = $79.9k
    expected = mu * PHI.cdf(mu / s) + s * PHI.pdf(mu / s) - mu
    (voi,) = result.value_of_information
    assert voi.input == "solution.build_cost"
    # binning into 50 equal-probability bins loses a little of the information
    assert voi.evpi == pytest.approx(expected, rel=0.03)


def test_value_of_information_is_zero_for_an_input_that_cannot_change_the_decision() -> None:
    # NPV = 2.5m - build, with the build between $800k and $1.2m: always build. The
    # alternative costs $1m to $2m a year for $100k of relief: it never sets the ceiling.
    problem = problem_of(
        LINEAR.format(build="$800k to $1.2m")
        + "alternatives:\n  - {name: Pricey, annual_cost: $1m to $2m}\n"
    )
    result = sim.simulate(problem, samples=50_000, learn=True)
    assert result.p_npv_positive == 1.0
    assert {v.input: v.evpi for v in result.value_of_information} == {
        "solution.build_cost": 0.0,
        "alternatives[Pricey].annual_cost": 0.0,
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("problem", problems(), ids=lambda p: p.name)
def test_value_of_information_is_never_negative(problem: Problem, seed: int) -> None:
    result = sim.simulate(problem, samples=5_000, seed=seed, learn=True)
    values = [v.evpi for v in result.value_of_information]
    drawn = set() if sens.scenario_bar(problem) is None else {sens.SCENARIO}
    assert {v.input for v in result.value_of_information} == set(result.ranged_inputs) | drawn
    assert values == sorted(values, reverse=True)
    assert all(value >= 0 for value in values)


def test_most_worth_researching_is_an_input_that_can_flip_the_decision() -> None:
    problem = loader.load_paths([str(RANGED_EXAMPLE)])[0]
    result = sim.simulate(problem, samples=20_000, learn=True)
    found = {v.input: v.evpi for v in result.value_of_information}
    assert result.value_of_information[0].evpi > 0
    # a build of up to $4.50m pays back and the 95th percentile is $4m: learning it changes nothing
    assert found["solution.build_cost"] == 0.0


# --------------------------------------------------------------------------- the command


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner(env=ENV).invoke(app, list(args), input=input)


def test_sensitivity_json_has_tornado_break_even_and_value_of_information() -> None:
    result = run("sensitivity", str(RANGED_EXAMPLE), "--format", "json", "--samples", "4000")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    record = json.loads(result.stdout)["results"][0]
    assert list(record["tornado"][0]) == [
        "input",
        "low_value",
        "high_value",
        "npv_at_low",
        "npv_at_high",
        "swing",
    ]
    swings = [bar["swing"] for bar in record["tornado"]]
    assert swings == sorted(swings, reverse=True)
    assert record["break_even"][0]["input"] == "solution.build_cost"
    assert record["break_even"][0]["value"] == pytest.approx(
        record["npv"] + record["break_even"][0]["assumed"], rel=1e-9
    )
    assert {v["input"] for v in record["value_of_information"]} == {
        bar["input"] for bar in record["tornado"]
    }
    assert all(v["evpi"] >= 0 for v in record["value_of_information"])
    assert record["simulation"]["samples"] == 4000


def test_sensitivity_table_says_what_to_spend_and_what_to_research() -> None:
    result = run("sensitivity", str(RANGED_EXAMPLE), "--samples", "4000")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "  You can spend up to $4.50m on the build (you assumed $2.45m).\n" in out
    assert "  market.problem_cost: NPV stays positive down to $70.2k (you assumed $122k).\n" in out
    assert re.search(
        r"\n  Most worth researching: [\w.\[\]]+ \(value of information \$[\d.]+k\)\.\n", out
    )
    assert all(len(line) <= 80 for line in out.splitlines())


# NPV = 500k - b over 5 years at 0% (10 customers x $10k ceiling); b from $100k to $900k
TORNADO = """
name: Two drivers
discount_rate: 0%
market: {customers: 100, problem_cost: 10k}
solution: {build_cost: $100k to $900k, adoption: 5% to 20%}
"""


def test_tornado_chart_draws_bars_on_one_npv_scale() -> None:
    problem = problem_of(TORNADO)
    bars = sens.tornado(problem)
    console = Console(width=80, no_color=True, highlight=False, markup=False, emoji=False)
    central_npv = service.evaluate(problem).npv
    with console.capture() as captured:
        console.print(render.tornado_chart(bars, central_npv, "USD", 78))
    # NPV = 5 years * 100 * adoption * $10k - build, centrally 5 * 10 * 10k - 300k = $200k.
    # Build $900k: -400k, $100k: 400k. Adoption 5%: -50k, 20%: 700k. The 33 columns of bar
    # span -400k..700k, $34.4k each: 200k at column 17 (┃), -50k at 10, 400k at 23, 700k
    # at 32; columns 0 to 11 are below zero (dashed).
    assert [line.rstrip() for line in captured.get().splitlines()] == [
        "solution.build_cost $900k ◀╌╌╌╌╌╌╌╌╌╌╌━━━━━┃━━━━━▶          $100k  swing $800k",
        "solution.adoption      5%           ◀╌━━━━━┃━━━━━━━━━━━━━━▶ 20%    swing $750k",
        "┃ NPV at central values ($200k) · ━ NPV above zero · ╌ below zero",
    ]


def test_sensitivity_of_a_bad_file_reports_it_and_exits_2() -> None:
    result = run(
        "sensitivity", "-", input="name: x\nmarket: {customers: 10}\nsolution: {adoption: 5%}\n"
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("<stdin>:")


def test_the_docs_show_the_tornado_and_break_even_the_command_prints() -> None:
    docs = (HERE.parent / "docs" / "uncertainty.md").read_text(encoding="utf-8")
    lines = run("sensitivity", str(RANGED_EXAMPLE)).stdout.splitlines()
    start = lines.index("  NPV with each input at its low and high end, all else central")
    end = lines.index("  Break-even: NPV = 0 with all else central")
    for line in lines[start : end + 3]:  # the tornado (not sampled) and two break-even lines
        assert f"\n{line}\n" in docs


def test_break_even_beside_a_wide_range_shows_its_median_and_mean() -> None:
    # 10 customers pay $50k for 5 years at 10%: 500k * 3.7908 = $1.90m of value, so the build
    # must cost less; the median of $1m..$100m is $10.0m, its mean 10m * exp(1.40^2 / 2) = $26.6m
    text = "name: Wide\nmarket: {customers: 100, problem_cost: 100k}\n"
    text += "solution: {build_cost: $1m to $100m, adoption: 10%, price: 50k}\n"
    result = run("sensitivity", "-", "--samples", "1000", input=text)
    assert result.exit_code == 0, result.stderr
    assert (
        "  The build would have to cost less than $1.90m to pay back (you assumed $10.0m,\n"
        "  the median; mean $26.6m).\n"
    ) in result.stdout


# --------------------------------------------------------------------------- many alternatives


def many_alternatives(count: int) -> Problem:
    """A problem whose `count` alternatives each have a ranged cost and a ranged share solved."""
    text = (
        "name: Many\nmarket: {customers: 500 to 1500, problem_cost: $60k to $250k}\n"
        "solution: {build_cost: $1.5m to $4m, adoption: 2% to 8%, solves: 70%}\nalternatives:\n"
    )
    text += "".join(
        f"  - {{name: Alt {i}, annual_cost: $20k to $90k, solves: 30% to 60%}}\n"
        for i in range(count)
    )
    return problem_of(text)


def test_break_even_of_every_input_searched_side_by_side_is_that_inputs_own_root() -> None:
    # Each input's root search once called the engine ~100 times on its own: 60 alternatives
    # (124 inputs) took ~12,000 calls, 300 alternatives minutes; now every search takes one
    # step per engine call (benchmarks/alternatives.py times break-even alone). Run side by
    # side, each input still gets its own root, checked one at a time over floats.
    problem = many_alternatives(60)
    found = sens.break_even(problem)
    assert len(found) == 124
    scale = abs(service.evaluate(problem).npv)
    thresholds = sens.DEFAULT_THRESHOLDS
    for b in found:
        if b.value is not None:
            assert abs(sens.npv_with(problem, thresholds, b.input, b.value)) < 1e-6 * scale
    # no alternative's cost moves NPV across zero: even free, each leaves NPV above it
    never = [b.input for b in found if b.value is None]
    assert never == [f"alternatives[Alt {i}].annual_cost" for i in range(60)]
    assert all(sens.npv_with(problem, thresholds, path, 0.0) > 0 for path in never)


def test_sampled_alternatives_are_folded_into_the_ceiling_one_at_a_time() -> None:
    # Every alternative's samples and c_a, R_a, C_a were all kept per block: 100 alternatives
    # at 20,000 samples held ~80 MB (4.2 GB for 3,000 at a full block). Now only running minima.
    import tracemalloc

    problem = many_alternatives(100)
    tracemalloc.start()
    try:
        result = sim.simulate(problem, samples=20_000, threads=1, learn=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12e6
    assert sum(result.set_by.values()) == pytest.approx(1.0)
    assert len(result.value_of_information) == 204


def test_folding_keeps_the_ceiling_and_what_set_it() -> None:
    problem = many_alternatives(20)
    full = engine.size(
        engine.Inputs.take(problem, sampling.Sampler(3, 0, 500).pick),
        sens.DEFAULT_THRESHOLDS,
        sampling.ARRAY,
    )
    lazy = engine.Inputs.take(problem, sampling.Sampler(3, 0, 500).pick, lazy=True)
    folded = engine.size(lazy, sens.DEFAULT_THRESHOLDS, sampling.ARRAY, per_alternative=False)
    assert len(full.alternative_max_prices) == 20
    assert folded.alternative_max_prices == ()
    assert np.array_equal(folded.ceiling, full.ceiling)
    assert np.array_equal(folded.set_by, full.set_by)
    assert np.array_equal(folded.npv, full.npv)


# --------------------------------------------------------------------------- tornado at any width

TORNADO_AT = {
    100: """\
  NPV with each input at its low and high end, all else central
  market.problem_cost                                $60.0k ◀╌━━━━━┃━━━━━━━━━━▶ $250k   swing $7.52m
  market.customers                                      600 ◀╌━━━━━┃━━━━━━━━━▶  1,500   swing $7.35m
  solution.adoption[year 3]                              4% ◀╌━━━━━┃━━━━━━━━━▶  12%     swing $7.17m
  solution.solves                                       55% ◀╌━━━━━┃━━━━━▶      85%     swing $5.77m
  alternatives[Energy consultancy audit].annual_cost $15.0k   ◀━━━━┃━━━━━━━▶    $50.0k  swing $5.50m
  solution.build_cost                                $4.00m    ◀━━━┃━▶          $1.50m  swing $2.50m
  solution.cost_per_customer                         $15.0k     ◀━━┃▶           $5.00k  swing $1.57m
  ┃ NPV at central values ($2.05m) · ━ NPV above zero · ╌ below zero
""",
    60: """\
  NPV with each input at its low and high end, all else
  central
  market.problem_cost
  $60.0k  ◀╌╌━━━━━━━┃━━━━━━━━━━━━━━━━━▶ $250k   swing $7.52m
  market.customers
     600 ◀╌╌╌━━━━━━━┃━━━━━━━━━━━━━━━▶   1,500   swing $7.35m
  solution.adoption[year 3]
      4%  ◀╌╌━━━━━━━┃━━━━━━━━━━━━━━━▶   12%     swing $7.17m
  solution.solves
     55% ◀╌╌╌━━━━━━━┃━━━━━━━━━▶         85%     swing $5.77m
  alternatives[Energy consultancy audit].annual_cost
  $15.0k    ◀━━━━━━━┃━━━━━━━━━━━━▶      $50.0k  swing $5.50m
  solution.build_cost
  $4.00m      ◀━━━━━┃━━▶                $1.50m  swing $2.50m
  solution.cost_per_customer
  $15.0k        ◀━━━┃━▶                 $5.00k  swing $1.57m
  ┃ NPV at central values ($2.05m) · ━ NPV above zero · ╌
  below zero
""",
    40: """\
  NPV with each input at its low and
  high end, all else central
  market.problem_cost
  $60.0k ◀╌━━┃━━━━▶ $250k   swing $7.52m
  market.customers
     600 ◀╌━━┃━━━▶  1,500   swing $7.35m
  solution.adoption[year 3]
      4% ◀╌━━┃━━━━▶ 12%     swing $7.17m
  solution.solves
     55% ◀╌━━┃━━▶   85%     swing $5.77m
  alternatives[Energy consultancy
  audit].annual_cost
  $15.0k   ◀━┃━━▶   $50.0k  swing $5.50m
  solution.build_cost
  $4.00m   ◀━┃▶     $1.50m  swing $2.50m
  solution.cost_per_customer
  $15.0k    ◀┃      $5.00k  swing $1.57m
  ┃ NPV at central values ($2.05m) · ━
  NPV above zero · ╌ below zero
""",
    37: """\
  NPV with each input at its low and
  high end, all else central
  market.problem_cost
    at $60.0k: NPV −$459k
    at $250k: NPV $7.06m
  market.customers
    at 600: NPV −$794k
    at 1,500: NPV $6.56m
  solution.adoption[year 3]
    at 4%: NPV −$571k
    at 12%: NPV $6.60m
  solution.solves
    at 55%: NPV −$831k
    at 85%: NPV $4.94m
  alternatives[Energy consultancy
  audit].annual_cost
    at $15.0k: NPV $109k
    at $50.0k: NPV $5.60m
  solution.build_cost
    at $1.50m: NPV $3.00m
    at $4.00m: NPV $503k
  solution.cost_per_customer
    at $5.00k: NPV $2.63m
    at $15.0k: NPV $1.06m
  NPV at central values: $2.05m
""",
}


@pytest.mark.parametrize("columns", sorted(TORNADO_AT, reverse=True))
def test_the_tornado_keeps_zero_in_sight_at_any_width(columns: int) -> None:
    # NPV runs from -$831k (solves at 55%) to $7.06m; four bars cross zero, three do not
    result = CliRunner(env={"NO_COLOR": "1", "COLUMNS": str(columns)}).invoke(
        app, ["sensitivity", str(RANGED_EXAMPLE), "--samples", "2000"]
    )
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "NPV with each input" in line)
    end = next(i for i, line in enumerate(lines) if "Break-even: NPV = 0" in line)
    assert "\n".join(lines[start : end - 1]) + "\n" == TORNADO_AT[columns]
    assert max(len(line) for line in lines) <= columns


def chart_lines(bars: list[sens.TornadoBar], central_npv: float, width: int) -> list[str]:
    console = Console(width=width, no_color=True, highlight=False, markup=False, emoji=False)
    with console.capture() as captured:
        console.print(render.tornado_chart(bars, central_npv, "USD", width))
    return [line.rstrip() for line in captured.get().splitlines()]


def test_an_end_a_little_below_zero_still_shows_a_cell_below_zero() -> None:
    # $10k below zero is a twentieth of a cell of $239k: it was drawn `◀━━━┃`, as if NPV
    # stayed positive. The scale now keeps 1.5 cells below zero, so the end gets a `╌`.
    bars = [sens.TornadoBar("market.customers", 100, 900, -10_000, 5_000_000, "count")]
    assert chart_lines(bars, 1_000_000, 62)[0] == (
        "market.customers 100 ◀╌━━━━┃━━━━━━━━━━━━━━━▶ 900  swing $5.01m"
    )


def test_a_negative_centre_shows_where_a_bar_climbs_above_zero() -> None:
    # NPV -$1.00m centrally, $100k at 900 customers: it was drawn `┃╌╌╌▶`, as if it stayed
    # below zero; now one solid cell stands between zero and the end
    bars = [
        sens.TornadoBar("market.customers", 100, 900, -5_000_000, 100_000, "count"),
        sens.TornadoBar("solution.solves", 0.5, 0.9, -2_000_000, -500_000, "percent"),
    ]
    assert chart_lines(bars, -1_000_000, 60)[:2] == [
        "market.customers 100 ◀╌╌╌╌╌╌╌╌╌╌╌╌╌╌┃╌╌╌━▶ 900  swing $5.10m",
        "solution.solves  50%            ◀╌╌╌┃╌▶    90%  swing $1.50m",
    ]


# --------------------------------------------------------------------------- the decision


def test_the_decision_without_information_follows_expected_npv_not_central_npv() -> None:
    # NPV = 2.5m - build; a build of $500k to $8m (lognormal) has median $2m but mean
    # $2.85m: NPV is $500k at central values, about -$350k expected. Not building is the
    # decision learning is measured against, and the table says why it differs.
    problems = loader.load_text(LINEAR.format(build="$500k to $8m"))
    (lopsided,) = sim.sensitivity_problems(problems, samples=20_000)
    assert lopsided.sensitivity is not None
    assert lopsided.evaluation.npv == pytest.approx(0.5e6)
    assert lopsided.simulation.npv.mean is not None
    assert lopsided.simulation.npv.mean < 0
    assert (lopsided.sensitivity.build, lopsided.sensitivity.lopsided) == (False, True)
    shown = CliRunner(env=ENV).invoke(
        app, ["sensitivity", "-", "-n", "20000"], input=LINEAR.format(build="$500k to $8m")
    )
    assert shown.exit_code == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "you would not build (expected NPV" in text
    assert "although NPV at central values is $500k: the ranges are lopsided" in text

    (even,) = sim.sensitivity_problems(
        loader.load_text(LINEAR.format(build="{low: 1m, high: 3m, dist: normal}")), samples=2_000
    )
    assert even.sensitivity is not None
    assert (even.sensitivity.build, even.sensitivity.lopsided) == (True, False)


def test_build_when_expected_npv_is_zero_or_undefined() -> None:
    assert [sens.builds(x) for x in (1.0, 0.0, -0.0, None, -1e-9)] == [
        True,
        True,
        True,
        True,
        False,
    ]


# --------------------------------------------------------------------------- the library


@pytest.mark.parametrize("samples", [0, -5, limits.MAX_SAMPLES + 1])
def test_a_sample_count_out_of_range_is_a_plain_value_error(samples: int) -> None:
    problems = loader.load_text(LINEAR.format(build="$1m to $3m"))
    message = f"samples must be from 1 to 10,000,000, not {samples:,}"
    for run_it in (sim.simulate_problems, sim.sensitivity_problems):
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            run_it(problems, samples=samples)
    with pytest.raises(ValueError, match=re.escape(message)):
        sim.simulate(problems[0], samples=samples)


def test_simulate_problems_resolve_thresholds_and_report_progress_over_all_problems() -> None:
    text = LINEAR.format(build="$1m to $3m")
    problems = loader.load_text(text) + loader.load_text(text + "policy: {thin_margin: 90%}\n")
    seen: list[tuple[int, int]] = []
    found = sim.simulate_problems(
        problems,
        Policy(),
        samples=sampling.BLOCK + 10,
        seed=4,
        progress=lambda d, t: seen.append((d, t)),
    )
    total = 2 * (sampling.BLOCK + 10)
    assert sorted(seen) == seen
    # one call per block, in the order blocks finish: each adds a block of 65,536 or 10
    done = [d for d, _ in seen]
    steps = [b - a for a, b in zip([0, *done], done, strict=False)]
    assert sorted(steps) == [10, 10, sampling.BLOCK, sampling.BLOCK]
    assert seen[-1] == (total, total)
    assert {t for _, t in seen} == {total}
    assert [r.sensitivity for r in found] == [None, None]
    # the problem's own thin margin (90%) turns samples with ROI under 90% into warnings
    first, second = (r.simulation.verdicts for r in found)
    assert second["pursue"] < first["pursue"]
    assert second["reconsider"] > first["reconsider"]
    # a policy given (as by a CLI flag) wins over the problem's
    (flagged,) = sim.simulate_problems(
        problems[1:], Policy(thin_margin=0.2), samples=sampling.BLOCK + 10, seed=4
    )
    assert flagged.simulation.verdicts == first


def test_an_error_in_one_block_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = problem_of(LINEAR.format(build="$1m to $3m"))
    real = engine.size
    calls = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("block failed")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "size", failing)
    with pytest.raises(RuntimeError, match=r"^block failed$"):
        sim.simulate(problem, samples=4 * sampling.BLOCK, threads=2)


def test_sizing_without_extras_skips_only_what_a_simulation_never_shows() -> None:
    problem = loader.load_paths([str(RANGED_EXAMPLE)])[0]
    full = engine.size(
        engine.Inputs.take(problem, sampling.Sampler(2, 0, 300).pick),
        sens.DEFAULT_THRESHOLDS,
        sampling.ARRAY,
    )
    lean = engine.size(
        engine.Inputs.take(problem, sampling.Sampler(2, 0, 300).pick),
        sens.DEFAULT_THRESHOLDS,
        sampling.ARRAY,
        extras=False,
    )
    assert math.isnan(lean.pv_revenue)
    assert math.isnan(lean.naive_npv)
    assert math.isnan(lean.naive_roi)
    assert np.all(np.isfinite(full.pv_revenue))
    assert np.all(np.isfinite(full.naive_npv))
    for figure in ("npv", "roi", "ceiling", "set_by", "verdict", "pv_costs"):
        assert np.array_equal(getattr(lean, figure), getattr(full, figure)), figure


# ----------------------------------------------------------------- every crossing (SPEC §15)

TWO_CROSSINGS = """\
name: Two crossings
horizon_years: 3
discount_rate: 0%
market:
  customers: 100
  problem_cost: $100k to $150k
solution:
  name: Half
  build_cost: $1m
  annual_cost: $0
  solves: 50%
  adoption: [50%]
alternatives:
  - name: Better and dear
    annual_cost: $100k
    solves: 80%
"""


def test_a_break_even_lists_every_crossing() -> None:
    # By hand: the price is min(50% P, $100k + 50% P - 80% P) = min(0.5 P, $100k - 0.3 P);
    # 50 customers pay it for 3 years at 0%, so NPV = 150 price - $1m, zero at a price of
    # $6,666.67: P = $13,333.33 on the way up and P = $311,111.11 on the way down.
    [problem] = loader.load_text(TWO_CROSSINGS)
    [found] = [b for b in sens.break_even(problem) if b.input == "market.problem_cost"]
    low, high = 1e6 / 150 / 0.5, (100_000 - 1e6 / 150) / 0.3
    assert found.values == pytest.approx((low, high), rel=1e-9)
    assert found.value == pytest.approx(low, rel=1e-9)  # the nearer to the median, $122k
    assert found.around() == pytest.approx((low, high), rel=1e-9)


def test_the_text_names_the_interval_where_npv_stays_positive() -> None:
    [problem] = loader.load_text(TWO_CROSSINGS)
    result = api.sensitivity(problem, samples=500)
    as_json = json.loads(result.to_json())
    [entry] = [b for b in as_json["break_even"] if b["input"] == "market.problem_cost"]
    assert entry["values"] == pytest.approx([1e6 / 150 / 0.5, (100_000 - 1e6 / 150) / 0.3])
    code = CliRunner().invoke(
        app,
        ["sensitivity", "-", "-n", "500"],
        input=TWO_CROSSINGS,
        env={"NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb"},
    )
    assert (
        "market.problem_cost: NPV stays positive between $13.3k and $311k (you assumed $122k)."
        in code.stdout
    )


def test_one_crossing_is_one_value() -> None:
    # a monotone input keeps its single crossing: values holds exactly the value
    [problem] = loader.load_text(TWO_CROSSINGS)
    [build] = [b for b in sens.break_even(problem) if b.input == "solution.build_cost"]
    assert build.values == (build.value,)
