"""Scenarios (SPEC §14, docs/scenarios.md): named sets of values at input paths, each with
its probability, evaluated beside the file as written (the scenario named `base`).

A scenario's figures are the figures of the file with its values written in: the tests
compare against the edited file, evaluated on its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import pmsize
from pmsize.cli import app

ENV = {"NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}

# a problem written as a file would be; its scenarios are added below it
BASE = """\
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
  price: $60k
alternatives:
  - name: Spreadsheets
    kind: manual
    annual_cost: $90k
    solves: 40%
"""  # 17 lines: `scenarios:` is line 18

SCENARIOS = """\
scenarios:
  slow uptake:
    probability: 30%
    set:
      solution.adoption: [1%, 2%, 3%]
      market.growth: 0%
  fast follower:
    probability: 20%
    set:
      alternatives[Fast follower]: {kind: vendor, from_year: 2, annual_cost: $40k, solves: 70%}
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def errors(tmp_path: Path, text: str) -> list[str]:
    """The errors `evaluate` reports for a file, each without the file's name; exit 2 and
    nothing on stdout."""
    file = write(tmp_path, text)
    code, out, err = invoke("evaluate", file)
    assert code == 2, out
    assert out == ""
    return [line.removeprefix(f"{file}:") for line in err.splitlines()[:-1]]


# ---------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("scenarios", "expected"),
    [
        pytest.param(
            "scenarios:\n  a:\n    probability: 60%\n    set: {market.growth: 0%}\n"
            "  b:\n    probability: 50%\n    set: {market.growth: 1%}\n",
            [
                "18:1: the scenarios' probabilities add up to 110%; they can add up to 100% at "
                "most (the base case, the file as written, has what is left)"
            ],
            id="over-100",
        ),
        pytest.param(
            "scenarios:\n  a:\n    probability: 60%\n    set: {market.growth: 0%}\n"
            "  b:\n    set: {market.growth: 1%}\n",
            [
                "22:3: scenarios[b]: has no probability while `a` has one; give every scenario "
                "a probability, or none (then they are shown side by side, unweighted)"
            ],
            id="some-weighted",
        ),
        pytest.param(
            "scenarios:\n  Base:\n    set: {market.growth: 0%}\n",
            [
                "19:3: scenarios[Base]: `base` is the file as written; give this scenario "
                "another name"
            ],
            id="named-base",
        ),
        pytest.param(
            "scenarios:\n  slow uptake:\n    set: {market.growth: 0%}\n"
            "  Slow Uptake:\n    set: {market.growth: 1%}\n",
            [
                "21:3: scenarios[Slow Uptake]: the name is already used by `slow uptake` "
                "(names ignore case); give each scenario its own name"
            ],
            id="named-twice",
        ),
        pytest.param(
            "scenarios:\n  a:\n    set:\n      solution.adopt: 1%\n",
            ["21:7: scenarios[a]: solution.adopt names no input; did you mean solution.adoption?"],
            id="not-an-input",
        ),
        pytest.param(
            "scenarios:\n  a:\n    set:\n      solution.adoption[2]: 1%\n",
            [
                "21:7: scenarios[a]: solution.adoption[2] counts list items from 0; name the "
                "calendar year instead: solution.adoption[year 3]"
            ],
            id="old-path",
        ),
        pytest.param(
            "scenarios:\n  a:\n    set:\n      scenarios[b]: {set: {market.growth: 0%}}\n"
            "  b:\n    set: {market.growth: 1%}\n",
            [
                "21:7: scenarios[a]: scenarios[b] names a scenario, not an input: a scenario "
                "is a set of values written under `scenarios:`; name an input instead "
                "(docs/paths.md)"
            ],
            id="a-scenario-is-not-an-input",
        ),
        pytest.param(
            "scenarios:\n  a:\n    set:\n      solution.price: -5k\n",
            ["21:23: scenarios[a]: solution.price: -5k is negative; amounts cannot be below zero"],
            id="bad-value",
        ),
        pytest.param(
            "scenarios:\n  a:\n    set:\n      solution.adoption: [1%, 2%, 3%, 4%, 5%, 6%]\n",
            [
                "21:26: scenarios[a]: solution.adoption: lists 6 years but horizon_years is "
                "5; shorten the list or raise the horizon"
            ],
            id="too-many-years",
        ),
        pytest.param(
            "scenarios:\n  a:\n    set:\n"
            "      alternatives[Rival]: {annual_cost: $40k, solves: 170%}\n",
            [
                "21:28: scenarios[a]: alternatives[Rival].solves: 170% is over 100%; a share "
                "is at most 100%"
            ],
            id="bad-alternative",
        ),
        pytest.param(
            "scenarios:\n  a:\n    set:\n      alternatives[Excel].solves: 10%\n",
            [
                "21:35: scenarios[a]: alternatives[Excel].solves: problem 'Invoice matching' "
                "has no alternative named 'Excel' (its alternatives: Spreadsheets); to add "
                "one, set alternatives[Excel] whole"
            ],
            id="no-such-alternative",
        ),
        pytest.param(
            # a rule between inputs: no one value holds it, so it is told at `set:`
            "scenarios:\n  a:\n    set:\n      market.revenue: $1m\n",
            [
                "20:5: scenarios[a]: market.problem_cost: give either problem_cost, or revenue "
                "and problem_share, not both"
            ],
            id="rule-between-inputs",
        ),
        pytest.param(
            "scenarios:\n  a:\n    probability: 30%\n    set: {}\n",
            [
                "21:5: scenarios[a]: `set:` is empty; give at least one input and its value, "
                "such as `solution.price: $50k`"
            ],
            id="empty-set",
        ),
        pytest.param(
            "scenarios:\n  a:\n    probability: 30%\n",
            [
                "19:3: scenarios[a]: has no `set:`; give the inputs this scenario changes, such "
                "as `set: {solution.price: $50k}`"
            ],
            id="no-set",
        ),
        pytest.param(
            "scenarios:\n  a:\n    probabilty: 30%\n    set: {market.growth: 0%}\n",
            ["20:5: scenarios[a].probabilty: unknown key 'probabilty'; did you mean probability?"],
            id="misspelt-key",
        ),
        pytest.param(
            "scenarios:\n  a:\n    probability: 130%\n    set: {market.growth: 0%}\n",
            ["20:18: scenarios[a].probability: 130% is over 100%; a share is at most 100%"],
            id="probability-over-100",
        ),
        pytest.param(
            "scenarios: [a, b]\n",
            [
                "18:12: scenarios: expected a mapping of scenarios, each a name with `set:` "
                "under it (and `probability:` if you weigh them), such as `slow uptake: {set: "
                "{solution.price: $50k}}`"
            ],
            id="not-a-mapping",
        ),
    ],
)
def test_a_bad_scenario_is_located_with_what_to_write(
    tmp_path: Path, scenarios: str, expected: list[str]
) -> None:
    assert errors(tmp_path, BASE + scenarios) == expected


def test_every_scenario_error_is_told_at_once(tmp_path: Path) -> None:
    text = BASE + (
        "scenarios:\n  a:\n    probability: 70%\n    set: {solution.price: -5k}\n"
        "  b:\n    probability: 40%\n    set: {market.growth: 200}\n"
    )
    assert errors(tmp_path, text) == [
        "18:1: the scenarios' probabilities add up to 110%; they can add up to 100% at most "
        "(the base case, the file as written, has what is left)",
        "21:27: scenarios[a]: solution.price: -5k is negative; amounts cannot be below zero",
        "24:26: scenarios[b]: market.growth: 200 is read as 20000%; write 200%",
    ]


def test_a_name_or_path_error_hides_no_bad_value_of_another_scenario(tmp_path: Path) -> None:
    # the block's errors (a name used twice, a path that names no input) and the values'
    # (judged as the file's) are told together, each where it is written
    text = BASE + (
        "scenarios:\n"
        "  slow uptake:\n"
        "    probability: 60%\n"
        "    set:\n"
        "      solution.price: -5k\n"  # 22
        "  Slow Uptake:\n"  # 23: the name again, ignoring case
        "    probability: 50%\n"
        "    set:\n"
        "      market.growth: 200\n"  # 26
        "  rival:\n"
        "    probability: 10%\n"
        "    set:\n"
        "      solution.adopt: 1%\n"  # 30
        "      alternatives[Rival]: {annual_cost: $40k, solves: 170%}\n"  # 31
    )
    assert errors(tmp_path, text) == [
        "18:1: the scenarios' probabilities add up to 120%; they can add up to 100% at most "
        "(the base case, the file as written, has what is left)",
        "22:23: scenarios[slow uptake]: solution.price: -5k is negative; amounts cannot be "
        "below zero",
        "23:3: scenarios[Slow Uptake]: the name is already used by `slow uptake` (names "
        "ignore case); give each scenario its own name",
        "26:22: scenarios[Slow Uptake]: market.growth: 200 is read as 20000%; write 200%",
        "30:7: scenarios[rival]: solution.adopt names no input; did you mean solution.adoption?",
        "31:28: scenarios[rival]: alternatives[Rival].solves: 170% is over 100%; a share is "
        "at most 100%",
    ]


def test_the_file_s_own_errors_hide_no_scenario_s_and_are_told_once(tmp_path: Path) -> None:
    # the customers are wrong in the file, so in every scenario too: told once, at the
    # file's line; the scenario that sets the price to a good value fixes that error in it
    text = BASE.replace("customers: 400", "customers: -400").replace(
        "price: $60k", "price: -$60k"
    ) + (
        "scenarios:\n"
        "  base:\n"  # 19
        "    set: {market.growth: 0%}\n"
        "  dear:\n"
        "    set: {solution.price: $90k, market.growth: 200}\n"  # 22
    )
    assert errors(tmp_path, text) == [
        "3:14: market.customers: -400 is negative; counts cannot be below zero",
        "12:10: solution.price: -$60k is negative; amounts cannot be below zero",
        "19:3: scenarios[base]: `base` is the file as written; give this scenario another name",
        "22:48: scenarios[dear]: market.growth: 200 is read as 20000%; write 200%",
    ]


def test_a_correlation_error_hides_no_scenario_error(tmp_path: Path) -> None:
    text = BASE.replace("problem_cost: $200k", "problem_cost: $150k to $250k") + (
        "correlations:\n"
        "  market.problem_cost ~ solution.solves: 0.5\n"  # 19: solves is no range
        "scenarios:\n"
        "  a:\n"
        "    set:\n"
        "      solution.price: -5k\n"  # 23
    )
    assert errors(tmp_path, text) == [
        "19:3: correlations: solution.solves is a single value, not a range, so it cannot "
        "vary with another input; ranged inputs: market.problem_cost",
        "23:23: scenarios[a]: solution.price: -5k is negative; amounts cannot be below zero",
    ]


def test_the_library_tells_every_layer_s_errors_at_once() -> None:
    data: dict[str, Any] = {
        "name": "Coded",
        "market": {"customers": -10, "problem_cost": "$1m"},
        "solution": {"adoption": "5%"},
        "scenarios": {
            "a": {"set": {"solution.price": "-$5k"}},
            "A": {"set": {"market.growth": "0%"}},
        },
    }
    with pytest.raises(ValueError, match="customers") as raised:
        pmsize.Problem.model_validate(data)
    text = str(raised.value)
    assert "the name is already used by `a`" in text
    assert "scenarios[a]: solution.price: -$5k is negative" in text


def test_scenarios_of_defaults_are_judged_against_each_problem(tmp_path: Path) -> None:
    text = """\
defaults:
  market: {customers: 400, problem_cost: $200k}
  scenarios:
    cheaper excel:
      set:
        alternatives[Excel].solves: 10%
problems:
  - name: One
    solution: {adoption: 5%}
    alternatives: [{name: Excel, annual_cost: $10k, solves: 20%}]
  - name: Two
    solution: {adoption: 5%}
"""
    assert errors(tmp_path, text) == [
        "6:37: defaults.scenarios[cheaper excel]: alternatives[Excel].solves: problem 'Two' "
        "has no alternative named 'Excel' (it has no alternatives); to add one, set "
        "alternatives[Excel] whole (in problem 'Two')"
    ]


def test_a_scenario_is_read_as_written(tmp_path: Path) -> None:
    [problem] = pmsize.load(write(tmp_path, BASE + SCENARIOS))
    slow, fast = problem.scenarios
    assert (slow.name, slow.probability) == ("slow uptake", 0.3)
    assert slow.settings == {"solution.adoption": ["1%", "2%", "3%"], "market.growth": "0%"}
    assert (fast.name, fast.probability) == ("fast follower", 0.2)


def test_scenarios_built_in_code_are_held_to_the_same_rules() -> None:
    data: dict[str, Any] = {
        "name": "Coded",
        "market": {"customers": 10, "problem_cost": "$1m"},
        "solution": {"adoption": "5%"},
        "scenarios": [
            pmsize.Scenario("a", 0.7, (("solution.price", "$5k"),)),
            pmsize.Scenario("b", 0.4, (("solution.price", "$6k"),)),
        ],
    }
    with pytest.raises(ValueError, match="add up to 110%"):
        pmsize.Problem.model_validate(data)
    data["scenarios"][1] = pmsize.Scenario("b", 0.3, (("solution.price", "$6k"),))
    problem = pmsize.Problem.model_validate(data)
    assert [s.name for s in problem.scenarios] == ["a", "b"]


def test_a_problem_without_scenarios_gives_the_same_json_as_before(tmp_path: Path) -> None:
    file = write(tmp_path, BASE)
    code, out, err = invoke("evaluate", file, "-f", "json")
    assert code == 0, err
    [result] = json.loads(out)["results"]
    assert list(result) == RESULT_KEYS


# the keys of a JSON result of a problem without scenarios, in order, as before scenarios
RESULT_KEYS = [
    *("file", "line", "name", "currency", "problem_cost_per_customer", "customers"),
    *("market_size", "value_per_customer", "ceiling_per_customer", "ceiling_set_by"),
    *("cap_ratio", "price_per_customer", "npv", "roi", "irr", "payback_years", "pv_revenue"),
    *("pv_costs", "cash_flows", "naive_npv", "naive_roi", "flags", "verdict", "description"),
    *("solution", "horizon_years", "discount_rate", "price_given", "irr_note"),
    *("customers_paying", "ceiling_year", "growth", "years", "alternatives", "uncertain_inputs"),
]


# ------------------------------------------------------------------------------ the figures


def figures(*args: str) -> list[dict[str, Any]]:
    """The JSON results of `evaluate`, without what tells the runs apart."""
    code, out, err = invoke("evaluate", *args, "-f", "json")
    assert code in (0, 1), err
    results = json.loads(out)["results"]
    for r in results:
        for key in ("overrides", "file", "scenario", "scenarios", "expected_npv"):
            r.pop(key, None)
        r.pop("scenario_verdicts", None)
    return results


BY_HAND = {
    # slow uptake written into the file
    "slow uptake": BASE.replace("adoption: [2%, 5%, 8%]", "adoption: [1%, 2%, 3%]").replace(
        "  customers: 400\n", "  customers: 400\n  growth: 0%\n"
    ),
    "fast follower": BASE
    + "  - name: Fast follower\n    kind: vendor\n    from_year: 2\n    annual_cost: $40k\n"
    "    solves: 70%\n",
}


@pytest.mark.parametrize("name", ["slow uptake", "fast follower"])
def test_a_scenario_s_figures_are_the_file_s_with_its_values_written_in(
    tmp_path: Path, name: str
) -> None:
    file = write(tmp_path, BASE + SCENARIOS)
    by_file = write(tmp_path, BY_HAND[name], "edited.yaml")
    [edited] = figures(by_file)
    [result] = json.loads(invoke("evaluate", file, "-f", "json")[1])["results"]
    row = next(s for s in result["scenarios"] if s["name"] == name)
    assert row["npv"] == edited["npv"]
    assert row["verdict"] == edited["verdict"]
    assert row["ceiling_per_customer"] == edited["ceiling_per_customer"]
    assert row["ceiling_year"] == edited["ceiling_year"]
    assert row["ceiling_set_by"] == edited["ceiling_set_by"]
    assert row["flags"] == edited["flags"]
    # and --scenario evaluates the file as that scenario (names ignore case)
    assert figures(file, "--scenario", name.upper()) == [edited]


def test_the_headline_is_the_base_case_and_scenarios_follow_it(tmp_path: Path) -> None:
    file = write(tmp_path, BASE + SCENARIOS)
    [result] = json.loads(invoke("evaluate", file, "-f", "json")[1])["results"]
    [plain] = figures(write(tmp_path, BASE, "plain.yaml"))
    assert result["npv"] == plain["npv"]
    assert [s["name"] for s in result["scenarios"]] == ["base", "slow uptake", "fast follower"]
    base = result["scenarios"][0]
    assert (base["probability"], base["overrides"], base["npv"]) == (0.5, [], plain["npv"])
    assert result["scenarios"][1]["overrides"] == [
        {"input": "solution.adoption", "value": "[1%, 2%, 3%]", "was": "[2%, 5%, 8%]"},
        {"input": "market.growth", "value": "0%", "was": None},
    ]


def test_expected_npv_is_the_probability_weighted_sum(tmp_path: Path) -> None:
    file = write(tmp_path, BASE + SCENARIOS)
    [result] = json.loads(invoke("evaluate", file, "-f", "json")[1])["results"]
    npv = {s["name"]: s["npv"] for s in result["scenarios"]}
    # base 100% - 30% - 20% = 50%
    expected = 0.5 * npv["base"] + 0.3 * npv["slow uptake"] + 0.2 * npv["fast follower"]
    assert result["expected_npv"] == pytest.approx(expected, rel=1e-12)
    # base pursue, slow uptake avoid (NPV < 0), fast follower reconsider (capped from year 2)
    assert [s["verdict"] for s in result["scenarios"]] == ["pursue", "avoid", "reconsider"]
    assert result["scenario_verdicts"] == pytest.approx(
        {"pursue": 0.5, "reconsider": 0.2, "avoid": 0.3}
    )


def test_without_probabilities_nothing_is_weighted(tmp_path: Path) -> None:
    text = BASE + SCENARIOS.replace("    probability: 30%\n", "").replace(
        "    probability: 20%\n", ""
    )
    [result] = json.loads(invoke("evaluate", write(tmp_path, text), "-f", "json")[1])["results"]
    assert [s["probability"] for s in result["scenarios"]] == [None, None, None]
    assert result["expected_npv"] is None
    assert result["scenario_verdicts"] is None


def test_the_library_gives_the_scenarios_beside_the_headline(tmp_path: Path) -> None:
    [problem] = pmsize.load(write(tmp_path, BASE + SCENARIOS))
    r = pmsize.evaluate(problem)
    assert [s.name for s in r.scenarios] == ["base", "slow uptake", "fast follower"]
    slow = problem.in_scenario("slow uptake")
    assert slow.scenarios == ()
    assert slow.scenario is not None
    assert slow.scenario.name == "slow uptake"
    assert pmsize.evaluate(slow).npv == r.scenarios[1].npv
    # a scenario's problem is `with_values` of its settings
    assert pmsize.evaluate(problem.with_values(problem.scenarios[0].settings)).npv == (
        r.scenarios[1].npv
    )


# ------------------------------------------------------------------------------ scenario-risk


def risky(probability: str, policy: str = "") -> str:
    """BASE (pursue) with one scenario whose verdict is avoid (its NPV is negative)."""
    return (
        BASE
        + policy
        + (
            "scenarios:\n  slow uptake:\n"
            f"    probability: {probability}\n"
            "    set: {solution.adoption: [1%, 2%, 3%]}\n"
            "  fast follower:\n    probability: 10%\n"
            "    set: {solution.price: $55k}\n"
        )
    )


def headline(tmp_path: Path, text: str, *args: str) -> dict[str, Any]:
    code, out, err = invoke("evaluate", write(tmp_path, text), "-f", "json", *args)
    assert code == 0, err
    [result] = json.loads(out)["results"]
    return {"verdict": result["verdict"], "flags": [f["message"] for f in result["flags"]]}


@pytest.mark.parametrize(
    ("probability", "raised"),
    [("25%", True), ("24.9%", False), ("26%", True), ("0.25", True)],
)
def test_scenario_risk_is_raised_from_its_threshold_on(
    tmp_path: Path, probability: str, raised: bool
) -> None:
    found = headline(tmp_path, risky(probability))
    if raised:
        assert found == {
            "verdict": "reconsider",
            "flags": [
                f"In slow uptake ({probability.replace('0.25', '25%')}), the verdict is avoid."
            ],
        }
    else:
        assert found == {"verdict": "pursue", "flags": []}


def test_the_threshold_is_the_policy_s_and_the_command_line_s_wins(tmp_path: Path) -> None:
    text = risky("20%", policy="policy:\n  scenario_risk: 20%\n")
    assert headline(tmp_path, text)["verdict"] == "reconsider"
    assert headline(tmp_path, text, "--scenario-risk", "21%")["verdict"] == "pursue"
    assert headline(tmp_path, risky("20%"), "--scenario-risk", "20%")["verdict"] == "reconsider"


def test_the_avoided_scenarios_are_named_base_included(tmp_path: Path) -> None:
    # a price of $10k makes the base case lose money too
    text = risky("30%").replace("price: $60k", "price: $10k")
    found = headline(tmp_path, text)
    assert found["verdict"] == "avoid"  # the base case's own negative-npv
    assert found["flags"][-1] == "In the base case and slow uptake (90%), the verdict is avoid."


def test_a_scenario_s_own_row_never_carries_scenario_risk(tmp_path: Path) -> None:
    [problem] = pmsize.load(write(tmp_path, risky("40%")))
    r = pmsize.evaluate(problem)
    assert r.flags[-1].code is pmsize.FlagCode.SCENARIO_RISK
    assert all(f.code != "scenario-risk" for s in r.scenarios for f in s.flags)
    assert r.scenarios[0].verdict == "pursue"  # the base case's row: its own verdict
    policy = pmsize.Policy(scenario_risk=0.5)
    assert pmsize.evaluate(problem, policy=policy).verdict == "pursue"


def test_unweighted_scenarios_raise_no_scenario_risk(tmp_path: Path) -> None:
    text = risky("40%").replace("    probability: 40%\n", "").replace("    probability: 10%\n", "")
    assert headline(tmp_path, text) == {"verdict": "pursue", "flags": []}


# ------------------------------------------------------------------------------ --scenario


def test_scenario_picks_a_scenario_its_values_first_then_set(tmp_path: Path) -> None:
    file = write(tmp_path, BASE + SCENARIOS)
    # slow uptake sets the adoption; --set then changes its year 2 only
    by_hand = BY_HAND["slow uptake"].replace("adoption: [1%, 2%, 3%]", "adoption: [1%, 9%, 3%]")
    edited = write(tmp_path, by_hand, "edited.yaml")
    args = ("--scenario", "slow uptake", "--set", "solution.adoption[year 2]=9%")
    assert figures(file, *args) == figures(edited)


@pytest.mark.parametrize(
    "command", ["evaluate", "explain", "simulate", "sensitivity", "plan", "report"]
)
def test_a_scenario_that_is_not_there_is_a_usage_error_listing_them(
    tmp_path: Path, command: str
) -> None:
    file = write(tmp_path, BASE + SCENARIOS)
    extra = ["--budget", "$10m"] if command == "plan" else []
    code, out, err = invoke(command, file, "--scenario", "fast folower", *extra)
    assert (code, out) == (2, "")
    assert err == (
        "pmsize: --scenario: problem 'Invoice matching' has no scenario named 'fast folower' "
        "(its scenarios: slow uptake, fast follower)\n"
    )


# ---------------------------------------------------------------------------------- output


def test_evaluate_shows_a_row_per_scenario_and_the_expected_npv(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["evaluate", write(tmp_path, BASE + SCENARIOS)], env={**ENV, "COLUMNS": "120"}
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    start = out.index("  Scenarios")
    assert out[start : out.index("\n\n", start)] == (
        "  Scenarios  base           50%  pursue      NPV $1.79m   ceiling $160k\n"
        "             slow uptake    30%  avoid       NPV −$1.22m  ceiling $160k\n"
        "             fast follower  20%  reconsider  NPV $1.79m   ceiling $60.0k from year 2"
        "  set by Fast follower\n"
        "  Expected   NPV $887k · pursue 50% · reconsider 20% · avoid 30%"
    )
    assert "! scenario-risk In slow uptake (30%), the verdict is avoid." in out


def test_several_problems_get_a_note_each_with_scenarios(tmp_path: Path) -> None:
    write(tmp_path, BASE + SCENARIOS, "a.yaml")
    write(tmp_path, BASE.replace("Invoice matching", "Plain"), "b.yaml")
    code, out, err = invoke("evaluate", str(tmp_path))
    assert code == 0, err
    assert (
        "Scenarios · Invoice matching: expected NPV $887k · pursue 50% · reconsider 20% · "
        "avoid 30%\n" in out
    )
    assert "Plain:" not in out
    code, out, err = invoke("evaluate", str(tmp_path), "-f", "markdown")
    assert (
        "- **Invoice matching**: expected NPV \\$887k · pursue 50% · reconsider 20% · avoid "
        "30%; base 50% pursue \\$1.79m · slow uptake 30% avoid −\\$1.22m · fast follower 20% "
        "reconsider \\$1.79m\n" in out
    )


def test_csv_gains_an_expected_npv_column_only_with_scenarios(tmp_path: Path) -> None:
    plain = write(tmp_path, BASE.replace("Invoice matching", "Plain"), "b.yaml")
    _, out, _ = invoke("evaluate", plain, "-f", "csv")
    assert out.splitlines()[0].endswith(",verdict")
    write(tmp_path, BASE + SCENARIOS, "a.yaml")
    _, out, _ = invoke("evaluate", str(tmp_path), "-f", "csv")
    header, first, second = out.splitlines()
    assert header.endswith(",verdict,expected_npv")
    assert first.startswith(f"{tmp_path}/a.yaml,")
    assert first.endswith(",reconsider,887225.413067909")
    assert second.endswith(",pursue,")


def test_explain_has_a_scenarios_point(tmp_path: Path) -> None:
    code, out, err = invoke("explain", write(tmp_path, BASE + SCENARIOS), "-f", "markdown")
    assert code == 0, err
    assert (
        "**9. Scenarios.** The file as written is the base case, whose figures are the headline "
        "above; the scenarios change some of its inputs. Weighted by their probabilities, the "
        "expected NPV is \\$887k, and the verdict is pursue in 50%, reconsider in 20% and "
        "avoid in 30%.\n" in out
    )
    assert "| fast follower | 20% | reconsider | \\$1.79m | \\$60.0k from year 2 |" in out


def test_evaluating_as_a_scenario_says_so(tmp_path: Path) -> None:
    file = write(tmp_path, BASE + SCENARIOS)
    _, out, _ = invoke("evaluate", file, "--scenario", "slow uptake")
    assert out.startswith(
        "what-if: scenario slow uptake: solution.adoption [1%, 2%, 3%] (file: [2%, 5%, 8%]) "
    )
    _, out, _ = invoke("evaluate", file, "--scenario", "slow uptake", "-f", "json")
    [result] = json.loads(out)["results"]
    assert result["scenario"] == "slow uptake"
    assert "scenarios" not in result


def test_the_starters_commented_scenarios_are_valid_once_uncommented() -> None:
    from pmsize import _starter as starter
    from pmsize._loader import load_text

    text = starter.text()
    assert "# scenarios:" in text
    head, block = text.split("# scenarios:\n")
    lines = [line.removeprefix("# ") for line in block.splitlines()]
    [problem] = load_text(head + "scenarios:\n" + "\n".join(lines))
    r = pmsize.evaluate(problem)
    assert [(s.name, s.probability) for s in r.scenarios] == [
        ("base", pytest.approx(0.5)),
        ("slow uptake", 0.3),
        ("fast follower", 0.2),
    ]
    assert r.expected_npv is not None


def test_the_report_simulates_a_problem_whose_only_uncertainty_is_its_scenarios() -> None:
    # no range anywhere: the scenarios alone are what a reader is unsure of
    problem = pmsize.Problem.model_validate(
        {
            "name": "Point with scenarios",
            "market": {"customers": 100, "problem_cost": "$100k"},
            "solution": {
                "build_cost": "$1m",
                "annual_cost": "$100k",
                "solves": "80%",
                "adoption": ["10%", "20%"],
                "price": "$30k",
            },
            "scenarios": {
                "slow": {"probability": "30%", "set": {"solution.adoption": ["1%", "2%"]}}
            },
        }
    )
    page = pmsize.report([problem], samples=500)
    assert "Uncertainty: the simulation" in page
