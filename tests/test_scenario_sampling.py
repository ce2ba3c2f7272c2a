"""Scenarios in the Monte Carlo (SPEC §14, docs/scenarios.md): each sample draws its case
(the base case or a scenario, by probability) from a stream of its own, then its ranges,
and is sized as that case's problem; in each block the base case takes the first samples,
then each scenario its run.

A case's samples are compared with the problem as that case (`Problem.in_scenario`, or the
file without `scenarios:` for the base case) simulated on its own with the same seed: the
inputs' streams are keyed by path, so the two draw the same values at the same samples.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import pmsize
from pmsize import _loader as loader
from pmsize import _sampling as sampling
from pmsize import _service as service
from pmsize import _simulation as sim
from pmsize._correlations import copula
from pmsize._engine import DEFAULT_THRESHOLDS, Inputs
from pmsize._inputs import catalogue
from pmsize._mixture import FEW_CASES, mixed_block, mixture, scenario_samples
from pmsize._models import Problem
from pmsize.cli import app
from strategies import examples

ENV = {"NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
REL = 1e-12  # two numeric paths agree to this, never bit for bit

# no range anywhere: each case's NPV is one number, so every sample's is known exactly
POINT = """\
name: Invoice matching
market:
  customers: 400
  problem_cost: $200k
solution:
  name: Matcher
  build_cost: $2m
  annual_cost: $300k
  cost_per_customer: $5k
  solves: 80%
  adoption: [2%, 5%, 8%]
alternatives:
  - name: Spreadsheets
    kind: manual
    annual_cost: $90k
    solves: 40%
"""

SCENARIOS = """\
scenarios:
  slow uptake:
    probability: 30%
    set:
      solution.adoption: [0.2%, 0.5%, 1%]
  fast follower:
    probability: 20%
    set:
      alternatives[Fast follower]: {kind: vendor, from_year: 2, annual_cost: $40k, solves: 70%}
"""

# ranges, one of which a scenario changes and one it leaves alone
RANGED = POINT.replace("customers: 400", "customers: 300 to 500").replace(
    "build_cost: $2m", "build_cost: $1.5m to $2.5m"
)
RANGED_SCENARIOS = """\
scenarios:
  dear build:
    probability: 40%
    set:
      solution.build_cost: $2.5m to $4m
      solution.cost_per_customer: $8k
"""


def problem_of(text: str) -> Problem:
    return loader.load_text(text)[0]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env=ENV)


def uniform_draws(rng: np.random.Generator, size: int) -> Any:
    """A sample's uniform draw that picks its case: 32 bits, two from each 64 drawn."""
    bits = rng.bit_generator.random_raw((size + 1) // 2).view(np.uint32)[:size]
    return bits / 2.0**32  # exact in a double


def point_npv(problem: Problem) -> float:
    npv: float = service.evaluate(problem).npv
    return npv


# ------------------------------------------------------------------------------ simulate


def test_each_sample_has_the_point_npv_of_the_scenario_it_drew() -> None:
    problem = problem_of(POINT + SCENARIOS)
    samples = sampling.BLOCK + 3_000  # two blocks
    npv = sim.npv_samples(problem, samples=samples, seed=4)
    cases = scenario_samples(problem, samples, seed=4)
    assert cases is not None
    expected = [point_npv(problem_of(POINT))] + [
        point_npv(problem.in_scenario(s.name)) for s in problem.scenarios
    ]
    assert len(set(expected)) == 3  # the cases differ, so a wrong case would show
    np.testing.assert_allclose(npv, np.array(expected)[cases], rtol=REL)


def test_the_scenarios_are_drawn_by_their_probabilities() -> None:
    problem = problem_of(POINT + SCENARIOS)
    cases = scenario_samples(problem, 100_000, seed=1)
    assert cases is not None
    shares = np.bincount(cases, minlength=3) / cases.size
    # 4.5 standard errors of a share of 100,000 samples (at most 0.0016)
    np.testing.assert_allclose(shares, [0.5, 0.3, 0.2], atol=0.007)


def test_the_mixture_mean_is_the_scenarios_npvs_weighed_by_how_often_each_was_drawn() -> None:
    problem = problem_of(POINT + SCENARIOS)
    result = pmsize.simulate(problem, samples=40_000, seed=2)
    s = result.simulation
    names = [c.name for c in s.scenarios]
    assert names == ["base", "slow uptake", "fast follower"]
    assert [c.probability for c in s.scenarios] == pytest.approx([0.5, 0.3, 0.2], rel=REL)
    assert sum(c.samples for c in s.scenarios) == 40_000
    weighed = sum(c.samples * (c.mean_npv or 0.0) for c in s.scenarios) / s.samples
    assert s.npv.mean == pytest.approx(weighed, rel=REL)
    # and the expected NPV of evaluate, to sampling error: the NPVs are 3 fixed numbers,
    # so the mean's standard error is the spread of the draws of the case
    assert result.evaluation.expected_npv is not None
    assert s.npv.se is not None
    assert abs(s.npv.mean - result.evaluation.expected_npv) < 4.5 * s.npv.se
    for case, row in zip(s.scenarios, result.evaluation.scenarios, strict=True):
        assert case.mean_npv == pytest.approx(row.npv, rel=REL)
        assert case.p_npv_positive == (1.0 if row.npv > 0 else 0.0)


def test_a_scenarios_samples_are_the_file_with_its_values_written_in_simulated() -> None:
    problem = problem_of(RANGED + RANGED_SCENARIOS)
    samples = sampling.BLOCK + 20_000  # two blocks, each with its runs
    npv = sim.npv_samples(problem, samples=samples, seed=9)
    cases = scenario_samples(problem, samples, seed=9)
    assert cases is not None
    # base: the file without scenarios (adding them leaves the inputs' draws as they were)
    base = sim.npv_samples(problem_of(RANGED), samples=samples, seed=9)
    dear = sim.npv_samples(problem.in_scenario("dear build"), samples=samples, seed=9)
    written = problem_of(
        RANGED.replace("build_cost: $1.5m to $2.5m", "build_cost: $2.5m to $4m").replace(
            "cost_per_customer: $5k", "cost_per_customer: $8k"
        )
    )
    by_hand = sim.npv_samples(written, samples=samples, seed=9)
    np.testing.assert_allclose(dear, by_hand, rtol=REL)
    rows = cases == 0
    assert 0 < rows.sum() < samples
    np.testing.assert_allclose(npv[rows], base[rows], rtol=REL)
    np.testing.assert_allclose(npv[~rows], dear[~rows], rtol=REL)
    # the cases' own figures are over their own samples
    figures = pmsize.simulate(problem, samples=samples, seed=9).simulation.scenarios
    assert figures[0].mean_npv == pytest.approx(float(base[rows].mean()), rel=1e-9)
    assert figures[1].p_npv_positive == pytest.approx(float((dear[~rows] > 0).mean()), rel=REL)


def test_adding_scenarios_leaves_the_inputs_draws_as_they_were() -> None:
    plain, mixed = problem_of(RANGED), problem_of(RANGED + RANGED_SCENARIOS)
    a = sampling.Sampler(11, 1, 1000)
    plain_inputs = Inputs.take(plain, a.pick)
    draws = sampling.BlockDraws(11, 1, 1000)
    b = sampling.Subsampler(
        draws, [(slice(0, 1000), 0)], [{i.path: i for i in catalogue(mixed)}], [None]
    )
    mixed_inputs = Inputs.take(mixed, b.pick)
    np.testing.assert_allclose(mixed_inputs.customers, plain_inputs.customers, rtol=REL)
    np.testing.assert_allclose(mixed_inputs.build_cost, plain_inputs.build_cost, rtol=REL)
    mix = mixture(mixed)  # what each block bins for the value of information
    assert mix is not None
    assert mix.ranges.keys() == a.ranges.keys()


def test_a_scenarios_problem_is_made_once_and_a_copy_makes_its_own() -> None:
    problem = problem_of(RANGED + RANGED_SCENARIOS)
    dear = problem.in_scenario("dear build")
    assert problem.in_scenario(" Dear Build ") is dear  # checked once, not at every run
    copy = problem.model_copy()
    assert copy.in_scenario("dear build") is not dear


def test_the_case_drawn_does_not_depend_on_the_inputs() -> None:
    # the scenarios' stream is its own: ranges added or removed leave the cases as they were
    point = scenario_samples(problem_of(POINT + SCENARIOS), 5_000, seed=3)
    ranged = scenario_samples(problem_of(RANGED + SCENARIOS), 5_000, seed=3)
    assert point is not None
    assert ranged is not None
    assert np.array_equal(point, ranged)


def test_verdict_shares_are_each_samples_own_case_without_scenario_risk() -> None:
    problem = problem_of(POINT + SCENARIOS)
    result = pmsize.simulate(problem, samples=10_000, seed=5)
    verdicts = {str(r.name): str(r.verdict) for r in result.evaluation.scenarios}
    # the headline carries the flag; no case does, and the samples take the cases' verdicts
    assert "scenario-risk" in [str(f.code) for f in result.evaluation.flags]
    assert verdicts["base"] == "pursue"
    expected: dict[str, float] = {}
    for case in result.simulation.scenarios:
        verdict = verdicts[case.name]
        expected[verdict] = expected.get(verdict, 0.0) + case.samples / 10_000
    shares = {k: v for k, v in result.simulation.verdicts.items() if v}
    assert shares == pytest.approx(expected, rel=REL)


def test_set_by_counts_an_alternative_only_a_scenario_has() -> None:
    problem = problem_of(POINT + SCENARIOS)
    s = pmsize.simulate(problem, samples=10_000, seed=5).simulation
    follower = next(c for c in s.scenarios if c.name == "fast follower")
    assert list(s.set_by) == ["Spreadsheets", "Fast follower", "none"]
    assert s.set_by["Fast follower"] == pytest.approx(follower.samples / 10_000, rel=REL)


def test_the_same_seed_reproduces_and_threads_do_not_matter() -> None:
    problem = problem_of(RANGED + RANGED_SCENARIOS)
    samples = 2 * sampling.BLOCK + 7
    alone = sim.simulate(problem, samples=samples, seed=6, threads=1, learn=True)
    shared = sim.simulate(problem, samples=samples, seed=6, threads=3, learn=True)
    assert shared == alone
    other = sim.simulate(problem, samples=samples, seed=7, threads=1)
    assert [c.samples for c in other.scenarios] != [c.samples for c in alone.scenarios]


def test_each_block_gives_the_base_case_its_first_samples_then_each_scenario_its_run() -> None:
    problem = problem_of(POINT + SCENARIOS)
    mix = mixture(problem)
    assert mix is not None
    samples = 2 * sampling.BLOCK + 500
    cases = scenario_samples(problem, samples, seed=3)
    assert cases is not None
    for block in range(3):
        ran = cases[block * sampling.BLOCK : (block + 1) * sampling.BLOCK]
        assert np.all(np.diff(ran) >= 0)  # runs, in the cases' order
        # each case counted from the block's uniform draws by hand
        u = uniform_draws(sampling.stream(3, mix.key, block), ran.size)
        by_hand = [np.sum(u < 0.5), np.sum((u >= 0.5) & (u < 0.8)), np.sum(u >= 0.8)]
        assert np.bincount(ran, minlength=3).tolist() == by_hand


@pytest.mark.parametrize("n", [3, FEW_CASES + 3])
def test_many_cases_are_counted_as_a_few_are(n: int) -> None:
    lines = "".join(
        f"  case {i}:\n    probability: {100 // n}%\n    set:\n      market.customers: {i + 1}\n"
        for i in range(1, n)
    )
    mix = mixture(problem_of(POINT + "scenarios:\n" + lines))
    assert mix is not None
    assert len(mix.names) == n
    u = uniform_draws(sampling.stream(5, mix.key, 2), 10_000)
    edges = np.cumsum(mix.probabilities)[:-1]
    bounds = [0.0, *edges, 1.0]  # u < 1: the last case takes what is past the last edge
    by_hand = [int(np.sum((u >= low) & (u < high))) for low, high in itertools.pairwise(bounds)]
    assert mix.counts(5, 2, 10_000) == by_hand


def test_the_standard_draws_learned_from_are_the_streams_though_the_cases_shaped_theirs() -> None:
    # each case shapes its run of the block's kept draws in place, as `Sampler` shapes a
    # column: the value of information must draw them again, not read what was shaped
    problem = problem_of(RANGED + RANGED_SCENARIOS)
    mix = mixture(problem)
    assert mix is not None
    [(_, draws)] = mixed_block(mix, DEFAULT_THRESHOLDS, 4, 6, 5_000, {})
    assert set(draws.ranges) == {"market.customers", "solution.build_cost"}
    for path, q in draws.ranges.items():
        again = sampling.standard_draws(q, sampling.stream(4, path, 6), 5_000)
        assert np.array_equal(draws.standard_draws(path), again), path


# cases of one shape (the base case, dear, wide, fixed) and one of its own (a follower):
# a range made uniform, a point moved, correlated ranges widened, a range made a point
GROUPED = (
    RANGED.replace("problem_cost: $200k", "problem_cost: $100k to $300k").replace(
        "annual_cost: $90k", "annual_cost: $20k to $60k"
    )
    + """\
correlations:
  market.problem_cost ~ alternatives[Spreadsheets].annual_cost: 0.6
scenarios:
  dear:
    probability: 20%
    set:
      solution.build_cost: {low: $2m, high: $4m, dist: uniform}
      solution.annual_cost: $500k
  wide:
    probability: 15%
    set:
      market.problem_cost: $50k to $400k
      alternatives[Spreadsheets].annual_cost: $10k to $90k
      solution.cost_per_customer: $3k to $9k
  fixed:
    probability: 15%
    set:
      market.customers: 350
  follower:
    probability: 10%
    set:
      alternatives[Follower]: {kind: vendor, from_year: 2, annual_cost: $40k, solves: 70%}
"""
)


def figures_of(mixed: Any) -> dict[str, Any]:
    """A block's NPV, ROI and ceiling per sample, as `Mixed.write` puts them."""
    size = max(rows.stop for rows, *_ in mixed.parts)
    found = {field: np.full(size, np.nan) for field in ("npv", "roi", "ceiling")}
    mixed.write(found["npv"], found["roi"], found["ceiling"])
    return found


def test_each_cases_run_is_its_problem_sized_alone_on_the_same_draws() -> None:
    # the independent path: each case's problem through `sized_block` (`Sampler`), whose
    # draws at the run's samples are the block's; the mixture sizes four cases at once
    problem = problem_of(GROUPED)
    mix = mixture(problem)
    assert mix is not None
    assert mix.groups == ((0, 1, 2, 3), (4,))
    [(block, _)] = mixed_block(mix, DEFAULT_THRESHOLDS, 3, 2, 5_000, {})
    mixed = figures_of(block)
    start = 0
    for c in (0, 1, 2, 3, 4):
        count = mix.counts(3, 2, 5_000)[c]
        assert count > 100
        case = mix.problems[c]
        alone, _ = sim.sized_block(case, DEFAULT_THRESHOLDS, 3, 2, start + count, {}, copula(case))
        run = slice(start, start + count)
        for field in ("npv", "roi", "ceiling"):
            found = np.broadcast_to(getattr(alone, field), start + count)[run]
            np.testing.assert_allclose(mixed[field][run], found, rtol=REL)
        start += count
    assert start == 5_000


def test_cases_sized_together_give_what_each_gives_alone() -> None:
    problem = problem_of(GROUPED)
    mix = mixture(problem)
    assert mix is not None
    alone = dataclasses.replace(mix, groups=tuple((c,) for group in mix.groups for c in group))
    [(together, _)] = mixed_block(mix, DEFAULT_THRESHOLDS, 8, 0, 3_000, {})
    [(apart, _)] = mixed_block(alone, DEFAULT_THRESHOLDS, 8, 0, 3_000, {})
    assert len(together.parts) == 2
    assert len(apart.parts) == 5
    np.testing.assert_allclose(together.totals, apart.totals, rtol=REL)
    each = figures_of(together), figures_of(apart)
    for field in ("npv", "roi", "ceiling"):
        np.testing.assert_allclose(each[0][field], each[1][field], rtol=REL)
    for field in ("verdicts", "set_by"):
        assert np.array_equal(getattr(together, field), getattr(apart, field))


def test_blocks_sized_together_give_each_block_the_figures_it_has_alone() -> None:
    # each group of cases is sized once for a few blocks (its fixed cost paid once), on its
    # runs of every block side by side; each block's figures must be those it has alone,
    # bit for bit, and its draws too
    problem = problem_of(GROUPED)
    mix = mixture(problem)
    assert mix is not None
    size = 2 * sampling.BLOCK + 700
    together = mixed_block(mix, DEFAULT_THRESHOLDS, 4, 6, size, {})
    assert [draws.size for _, draws in together] == [sampling.BLOCK, sampling.BLOCK, 700]
    for b, (mixed, draws) in enumerate(together):
        [(alone, alone_draws)] = mixed_block(mix, DEFAULT_THRESHOLDS, 4, 6 + b, draws.size, {})
        apart, each = figures_of(mixed), figures_of(alone)
        for field in ("npv", "roi", "ceiling"):
            assert np.array_equal(apart[field], each[field]), (b, field)
        for field in ("verdicts", "set_by", "totals"):
            assert np.array_equal(getattr(mixed, field), getattr(alone, field)), (b, field)
        assert draws.block == alone_draws.block == 6 + b
        assert draws.ranges.keys() == alone_draws.ranges.keys()
        for path in alone_draws.ranges:
            assert np.array_equal(draws.standard_draws(path), alone_draws.standard_draws(path))


# what a scenario may set over GROUPED's base case: values (grouped with it), a shorter
# adoption list or a new alternative (sized apart); the correlated pair stays ranged
SETS = (
    ("market.customers", "350"),
    ("market.customers", "200 to 600"),
    ("market.problem_cost", "$50k to $400k"),
    ("solution.build_cost", "{low: $2m, high: $4m, dist: uniform}"),
    ("solution.annual_cost", "$500k"),
    ("solution.cost_per_customer", "$3k to $9k"),
    ("solution.adoption", "[1%, 2%, 3% to 6%]"),
    ("solution.adoption", "[1%, 2%]"),
    ("alternatives[Spreadsheets].annual_cost", "{low: $10k, high: $90k, dist: uniform}"),
    ("alternatives[Follower]", "{kind: vendor, from_year: 2, annual_cost: $40k, solves: 70%}"),
    ("discount_rate", "5%"),
    ("solution.solves", "60% to 90%"),
    ("solution.price", "$40k"),
)


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["5%", "10%", "20%"]),
            st.sets(st.integers(0, len(SETS) - 1), min_size=1, max_size=3),
        ),
        min_size=1,
        max_size=4,
    ),
    st.integers(0, 3),
)
def test_every_mixture_sizes_each_case_as_its_problem_alone(
    scenarios: list[tuple[str, set[int]]], seed: int
) -> None:
    # any scenarios: each case's samples are its own problem's at the same places, and two
    # blocks sized together give each what it has alone
    written = ""
    for n, (p, which) in enumerate(scenarios):
        values = {SETS[i][0]: SETS[i][1] for i in sorted(which)}  # one value a path
        lines = "".join(f"      {path}: {value}\n" for path, value in values.items())
        written += f"  case {n}:\n    probability: {p}\n    set:\n{lines}"
    text = GROUPED[: GROUPED.index("scenarios:")] + "scenarios:\n" + written
    mix = mixture(problem_of(text))
    assert mix is not None
    size = sampling.BLOCK + 900
    together = mixed_block(mix, DEFAULT_THRESHOLDS, seed, 3, size, {})
    for b, (mixed, draws) in enumerate(together):
        cases = mix.cases(seed, 3 + b, draws.size)
        found = figures_of(mixed)
        for c, case in enumerate(mix.problems):
            rows = np.flatnonzero(cases == c)
            if rows.size == 0:
                continue
            assert rows[-1] - rows[0] == rows.size - 1  # a run
            end = int(rows[-1]) + 1
            alone, _ = sim.sized_block(case, DEFAULT_THRESHOLDS, seed, 3 + b, end, {}, copula(case))
            np.testing.assert_allclose(
                found["npv"][rows], np.broadcast_to(alone.npv, end)[rows], rtol=REL
            )
        [(single, _)] = mixed_block(mix, DEFAULT_THRESHOLDS, seed, 3 + b, draws.size, {})
        assert np.array_equal(found["npv"], figures_of(single)["npv"])
        assert np.array_equal(mixed.totals, single.totals)


# a scenario that moves a point the engine raises to a power (the discount rate): a group
# of cases must take it as a column whichever of them drew samples in a block
RATES = RANGED.replace("market:", "discount_rate: 8%\nmarket:", 1) + (
    "scenarios:\n"
    "  cheap money:\n    probability: 40%\n    set:\n      discount_rate: 3%\n"
    "  dear build:\n    probability: 30%\n    set:\n      solution.build_cost: $2.5m to $4m\n"
)


def test_a_block_gives_the_same_bits_whatever_the_threads() -> None:
    # one thread sizes blocks two by two, four threads each alone; cheap money is so rare
    # that some blocks have none of it: its group still takes the rate as a column there
    # (numpy's power of a column and Python's of a number may differ in the last bit)
    problem = problem_of(RATES.replace("probability: 40%", "probability: 0.002%"))
    samples = 4 * sampling.BLOCK
    for seed in range(2):
        one = sim.npv_samples(problem, samples=samples, seed=seed, threads=1)
        four = sim.npv_samples(problem, samples=samples, seed=seed, threads=4)
        assert np.array_equal(one, four)
    short = sampling.BLOCK + 1
    one_learnt = sim.simulate(problem_of(RATES), samples=short, seed=3, threads=1, learn=True)
    assert one_learnt == sim.simulate(
        problem_of(RATES), samples=short, seed=3, threads=2, learn=True
    )


def test_the_value_of_information_bins_every_input_a_case_ranges_in_every_block() -> None:
    # the build cost is ranged in the scenario only: a block where no sample drew it still
    # bins it (it used to be a KeyError, or left out, depending on the threads)
    problem = problem_of(RATES.replace("build_cost: $1.5m to $2.5m", "build_cost: $2m"))
    for seed in range(3):
        found = [
            {
                v.input
                for v in sim.simulate(
                    problem, samples=sampling.BLOCK + 1, seed=seed, threads=t, learn=True
                ).value_of_information
            }
            for t in (1, 2)
        ]
        assert found[0] == found[1] == {"market.customers", "solution.build_cost", "scenario"}


def test_no_threads_asked_is_one() -> None:
    problem = problem_of(RATES)
    assert np.array_equal(
        sim.npv_samples(problem, samples=1_000, seed=1, threads=0),
        sim.npv_samples(problem, samples=1_000, seed=1, threads=1),
    )


def test_a_scenario_that_changes_shape_leaves_the_other_cases_on_their_draws() -> None:
    # dear build brings an alternative too dear ever to set the ceiling: it is then sized
    # apart from the base case and slow uptake, but every sample keeps its case and its
    # draws, so no NPV moves (diff's promise: an edit that moves no number moves the
    # expected NPV by 0)
    slow = "  slow:\n    probability: 20%\n    set:\n      solution.adoption: [1%, 2%, 3%]\n"
    dear = "      alternatives[Gold plated]: {kind: vendor, annual_cost: $900m, solves: 1%}\n"
    old = problem_of(RANGED + RANGED_SCENARIOS + slow)
    new = problem_of(RANGED + RANGED_SCENARIOS + dear + slow)
    assert [m.groups for m in (mixture(old), mixture(new)) if m] == [((0, 1, 2),), ((0, 2), (1,))]
    for threads in (1, 2):
        a = sim.npv_samples(old, samples=sampling.BLOCK + 500, seed=0, threads=threads)
        b = sim.npv_samples(new, samples=sampling.BLOCK + 500, seed=0, threads=threads)
        np.testing.assert_allclose(b, a, rtol=REL)


def test_problems_compare_by_their_values_whatever_they_kept() -> None:
    # what a problem keeps of itself (its scenarios' problems, its mixture) is no part of
    # it: one that kept them equals one that did not, and two that did no longer recurse
    a, b = problem_of(POINT + SCENARIOS), problem_of(POINT + SCENARIOS)
    a.in_scenario("slow uptake")
    assert mixture(a) is not None
    assert a == b
    b.in_scenario("slow uptake")
    assert mixture(b) is not None
    assert a == b
    assert a != problem_of(POINT.replace("customers: 400", "customers: 401") + SCENARIOS)
    assert a.model_copy() == a


def test_a_problem_makes_its_mixture_once() -> None:
    problem = problem_of(GROUPED)
    assert mixture(problem) is mixture(problem)
    assert mixture(problem.model_copy()) is not mixture(problem)


def test_json_gives_each_case_beside_the_mixture(tmp_path: Any) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(POINT + SCENARIOS, encoding="utf-8")
    result = invoke("simulate", str(path), "--samples", "5000", "--format", "json")
    assert result.exit_code == 0, result.stderr
    simulation = json.loads(result.stdout)["results"][0]["simulation"]
    cases = simulation["scenarios"]
    assert [c["name"] for c in cases] == ["base", "slow uptake", "fast follower"]
    assert all(list(c) == ["name", "probability", "mean_npv", "p_npv_positive"] for c in cases)
    assert [c["probability"] for c in cases] == pytest.approx([0.5, 0.3, 0.2], rel=REL)
    assert {"npv", "p_npv_positive", "verdicts", "set_by"} <= simulation.keys()


def test_without_scenarios_or_probabilities_the_json_has_no_cases(tmp_path: Any) -> None:
    unweighted = SCENARIOS.replace("    probability: 30%\n", "").replace(
        "    probability: 20%\n", ""
    )
    for text in (POINT, POINT + unweighted):
        path = tmp_path / "p.yaml"
        path.write_text(text, encoding="utf-8")
        result = invoke("simulate", str(path), "--samples", "500", "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert "scenarios" not in json.loads(result.stdout)["results"][0]["simulation"]
    # unweighted: the base case is simulated, and the table says so
    problem = problem_of(POINT + unweighted)
    assert scenario_samples(problem, 500, seed=0) is None
    result = invoke("simulate", str(path), "--samples", "500")
    assert result.exit_code == 0, result.stderr
    assert "no probabilities, so none is drawn" in " ".join(result.stdout.split())


def test_the_table_shows_a_line_per_scenario(tmp_path: Any) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(POINT + SCENARIOS, encoding="utf-8")
    result = invoke("simulate", str(path), "--samples", "5000", "--seed", "1")
    assert result.exit_code == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("Scenarios"))
    assert lines[start].startswith("Scenarios   base 50%: mean NPV ")
    assert lines[start + 1].startswith("slow uptake 30%: mean NPV ")
    assert lines[start + 2].startswith("fast follower 20%: mean NPV ")
    assert "P(NPV > 0) 100%" in lines[start]


def test_scenario_option_simulates_that_scenario_alone(tmp_path: Any) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(RANGED + RANGED_SCENARIOS, encoding="utf-8")
    args = ("simulate", str(path), "--samples", "3000", "--format", "json")
    result = invoke(*args, "--scenario", "dear build")
    assert result.exit_code == 0, result.stderr
    simulation = json.loads(result.stdout)["results"][0]["simulation"]
    assert "scenarios" not in simulation
    alone = sim.npv_samples(
        problem_of(RANGED + RANGED_SCENARIOS).in_scenario("dear build"), samples=3000, seed=0
    )
    assert simulation["npv"]["mean"] == pytest.approx(float(alone.mean()), rel=1e-9)


# ------------------------------------------------------------------------ shared scenarios

PORTFOLIO = """\
defaults:
  market: {customers: 400, problem_cost: $200k}
  scenarios:
    recession:
      probability: 30%
      set:
        market.customers: 100
problems:
  - name: Takes the defaults
    solution: {build_cost: $1m, annual_cost: $100k, solves: 80%, adoption: 5%}
  - name: Has its own
    solution: {build_cost: $1m, annual_cost: $100k, solves: 80%, adoption: 5%}
    scenarios:
      recession:
        probability: 30%
        set:
          market.customers: 100
"""


def test_a_problem_knows_whether_its_scenarios_are_its_portfolios_defaults() -> None:
    shared, own = loader.load_text(PORTFOLIO)
    assert shared.shared_scenarios
    assert not own.shared_scenarios
    # a what-if keeps the mark; a problem built in code has none
    assert shared.with_values({"solution.build_cost": "$2m"}).shared_scenarios
    assert not problem_of(POINT + SCENARIOS).shared_scenarios


# --------------------------------------------------------------------------- sensitivity

ONE_SCENARIO = """\
scenarios:
  slow uptake:
    probability: {p}
    set:
      solution.adoption: [0.2%, 0.5%, 1%]
"""


@pytest.mark.parametrize("p", ["30%", "90%"])
def test_value_of_knowing_the_scenario_is_what_it_saves_in_the_cases_that_go_the_other_way(
    p: str,
) -> None:
    problem = problem_of(POINT + ONE_SCENARIO.format(p=p))
    samples = 30_000
    result = pmsize.sensitivity(problem, samples=samples, seed=8)
    assert result.sensitivity is not None
    found = {v.input: v.evpi for v in result.sensitivity.value_of_information}
    assert list(found) == ["scenario"]  # no range: the scenario is the only input
    cases = scenario_samples(problem, samples, seed=8)
    assert cases is not None
    good, bad = point_npv(problem_of(POINT)), point_npv(problem.in_scenario("slow uptake"))
    assert good > 0 > bad
    n_good, n_bad = int((cases == 0).sum()), int((cases == 1).sum())
    # by hand: without knowing, build when the mean NPV is >= 0 (at 30%) and lose in the
    # bad case, which knowing avoids; else (at 90%) don't, and miss the good case's NPV
    mean = (n_good * good + n_bad * bad) / samples
    by_hand = n_bad * -bad / samples if mean >= 0 else n_good * good / samples
    assert (mean >= 0) == (p == "30%")
    assert found["scenario"] == pytest.approx(by_hand, rel=1e-9)
    # and what the probabilities give, to sampling error (4.5 standard errors of a share)
    share = 0.3 if p == "30%" else 0.1
    worth = -bad if p == "30%" else good
    assert abs(found["scenario"] - share * worth) < 4.5 * (0.3 * 0.7 / samples) ** 0.5 * worth


def test_the_tornado_moves_the_scenario_from_its_lowest_to_its_highest_npv() -> None:
    problem = problem_of(RANGED + RANGED_SCENARIOS)
    result = pmsize.sensitivity(problem, samples=2_000, seed=1)
    assert result.sensitivity is not None
    bars = {bar.input: bar for bar in result.sensitivity.tornado}
    assert {"scenario", "market.customers", "solution.build_cost"} <= bars.keys()
    bar = bars["scenario"]
    assert (bar.low_value, bar.high_value) == ("dear build", "base")
    assert bar.npv_at_high == pytest.approx(result.evaluation.npv, rel=REL)
    dear = service.evaluate(problem.in_scenario("dear build")).npv
    assert bar.npv_at_low == pytest.approx(dear, rel=REL)
    # widest swing first, the scenario among the inputs
    swings = [b.swing for b in result.sensitivity.tornado]
    assert swings == sorted(swings, reverse=True)
    record = result.to_dict()
    assert {"input": "scenario", "low_value": "dear build", "high_value": "base"}.items() <= next(
        b for b in record["tornado"] if b["input"] == "scenario"
    ).items()
    assert "scenario" in [v["input"] for v in record["value_of_information"]]


def test_a_scenario_no_sample_can_draw_is_not_in_the_tornado() -> None:
    text = POINT + SCENARIOS.replace("probability: 20%", "probability: 0%")
    bar = pmsize.sensitivity(problem_of(text), samples=1_000).sensitivity
    assert bar is not None
    [scenario] = bar.tornado
    assert "fast follower" not in (scenario.low_value, scenario.high_value)


def test_without_probabilities_the_scenario_is_no_input_of_sensitivity() -> None:
    unweighted = SCENARIOS.replace("    probability: 30%\n", "").replace(
        "    probability: 20%\n", ""
    )
    result = pmsize.sensitivity(problem_of(RANGED + unweighted), samples=1_000)
    assert result.sensitivity is not None
    assert "scenario" not in [bar.input for bar in result.sensitivity.tornado]
    assert "scenario" not in [v.input for v in result.sensitivity.value_of_information]


def test_sensitivity_table_names_the_scenarios_at_the_tornados_ends(tmp_path: Any) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(POINT + ONE_SCENARIO.format(p="30%"), encoding="utf-8")
    result = invoke("sensitivity", str(path), "--samples", "5000")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    line = next(line for line in lines if line.strip().startswith("scenario ") and "swing" in line)
    assert "slow uptake" in line
    assert "base" in line
    assert "Most worth researching: which scenario holds" in result.stdout


# a strong scenario: the recession takes most customers away from every problem in it
SHARED = """\
defaults:
  market: {customers: 300 to 500, problem_cost: $200k}
  scenarios:
    recession:
      probability: 40%
      set:
        market.customers: 30
problems:
  - name: One
    solution: {build_cost: $1m to $2m, annual_cost: $100k, solves: 80%, adoption: 5%}
  - name: Two
    solution: {build_cost: $1m to $2m, annual_cost: $150k, solves: 70%, adoption: 5%}
"""
# the same problems, each with the recession as its own
OWN = """\
defaults:
  market: {customers: 300 to 500, problem_cost: $200k}
problems:
  - name: One
    scenarios: {recession: {probability: 40%, set: {market.customers: 30}}}
    solution: {build_cost: $1m to $2m, annual_cost: $100k, solves: 80%, adoption: 5%}
  - name: Two
    scenarios: {recession: {probability: 40%, set: {market.customers: 30}}}
    solution: {build_cost: $1m to $2m, annual_cost: $150k, solves: 70%, adoption: 5%}
"""


def correlation(a: Any, b: Any) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def test_shared_scenarios_hit_every_problem_in_the_same_sample() -> None:
    one, two = loader.load_text(SHARED)
    assert one.shared_scenarios
    assert two.shared_scenarios
    a = scenario_samples(one, 20_000, seed=2)
    b = scenario_samples(two, 20_000, seed=2)
    assert a is not None
    assert b is not None
    assert np.array_equal(a, b)
    own_one, own_two = loader.load_text(OWN)
    assert not own_one.shared_scenarios
    assert [s.name for s in own_one.scenarios] == [s.name for s in one.scenarios]
    c = scenario_samples(own_one, 20_000, seed=2)
    d = scenario_samples(own_two, 20_000, seed=2)
    assert c is not None
    assert d is not None
    # drawn apart: as many samples draw the recession for each only by chance (it does
    # not here); `plan` then puts each problem's samples in an order of its own (below)
    assert np.count_nonzero(c) != np.count_nonzero(d)


def test_plan_draws_problems_with_shared_scenarios_together_and_own_ones_apart() -> None:
    shared = pmsize_plan_draws(SHARED)
    own = pmsize_plan_draws(OWN)
    assert correlation(*shared) > 0.3
    assert abs(correlation(*own)) < 0.05


def pmsize_plan_draws(text: str) -> list[Any]:
    from pmsize import _planning as planning
    from pmsize._models import NO_POLICY

    return planning.plan_draws(loader.load_text(text), NO_POLICY, 20_000, 5)


# shared scenarios that leave one problem's shape as it is and change the other's (three
# years of adoption become two): their runs come in other orders, their cases must not
SHAPES = """\
defaults:
  market: {customers: 400, problem_cost: $200k}
  scenarios:
    slow: {probability: 30%, set: {solution.adoption: [1%, 2%]}}
    recession: {probability: 20%, set: {market.customers: 100}}
problems:
  - name: Two years
    solution: {build_cost: $1m, annual_cost: $100k, solves: 80%, adoption: [3%, 5%]}
  - name: Three years
    solution: {build_cost: $1m, annual_cost: $100k, solves: 80%, adoption: [3%, 5%, 8%]}
"""


def test_plan_lines_up_shared_scenarios_whatever_order_each_problem_sizes_them_in() -> None:
    problems = loader.load_text(SHAPES)
    layouts = [scenario_samples(p, 20_000, seed=5) for p in problems]
    assert layouts[0] is not None
    assert layouts[1] is not None
    # the same runs whatever the groups: a case's samples are where its count puts them
    assert np.array_equal(layouts[0], layouts[1])
    assert [m.groups for m in map(mixture, problems)] == [((0, 1, 2),), ((0, 2), (1,))]
    drawn = pmsize_plan_draws(SHAPES)
    cases = []
    for problem, npv in zip(problems, drawn, strict=True):
        mix = mixture(problem)
        assert mix is not None
        # no range: each case's NPV is one number, so it says which case a sample drew
        each = np.array([point_npv(case) for case in mix.problems])
        assert len(set(each)) == 3
        cases.append(np.abs(npv[:, None] - each).argmin(axis=1))
        np.testing.assert_allclose(npv, each[cases[-1]], rtol=REL)
    assert np.array_equal(cases[0], cases[1])
    assert np.bincount(cases[0]).tolist() == np.bincount(layouts[0]).tolist()


def test_plan_names_the_shared_scenarios_and_counts_them_in_its_chance(tmp_path: Any) -> None:
    path = tmp_path / "p.yaml"
    args = ("--budget", "$5m", "--objective", "expected-npv", "--samples", "5000")
    path.write_text(SHARED, encoding="utf-8")
    result = invoke("plan", str(path), *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    shared = json.loads(result.stdout)
    assert [c["name"] for c in shared["funded"]] == ["One", "Two"]
    assert shared["shared_scenarios"] == ["recession"]
    table = invoke("plan", str(path), *args)
    assert "except the shared scenarios recession" in " ".join(table.stdout.split())
    path.write_text(OWN, encoding="utf-8")
    own = json.loads(invoke("plan", str(path), *args, "--format", "json").stdout)
    assert own["shared_scenarios"] == []
    # a recession that hits both at once loses money together more often
    assert shared["p_total_npv_positive"] < own["p_total_npv_positive"]
