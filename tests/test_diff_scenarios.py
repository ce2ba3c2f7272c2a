"""`pmsize diff` over scenarios (SPEC §8, §14): each scenario added, removed or changed is
one change, `scenarios[NAME]`, with its values as written; it moves no point NPV (the
headline is the base case), but the verdict can move through `scenario-risk`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import pmsize
from pmsize import _diffing as diffing
from pmsize._models import Problem, Scenario
from pmsize.cli import app

ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}

SLOW = {"probability": "10%", "set": {"solution.adoption": ["1%", "2%"]}}
RIVAL = {"probability": "10%", "set": {"alternatives[ERP module].solves": "70%"}}


def base(**scenarios: Any) -> dict[str, Any]:
    """A small problem that is `pursue` as written, with `scenarios` (names with spaces
    are given as `slow_uptake`)."""
    return {
        "name": "Invoice matching",
        "horizon_years": 3,
        "discount_rate": "10%",
        "market": {"customers": "400", "problem_cost": "$200k"},
        "solution": {
            "build_cost": "$2m",
            "annual_cost": "$300k",
            "cost_per_customer": "$5k",
            "solves": "80%",
            "adoption": ["2%", "5%", "8%"],
        },
        "alternatives": [
            {"name": "Spreadsheets", "kind": "manual", "annual_cost": "$40k", "solves": "30%"},
            {"name": "ERP module", "kind": "vendor", "annual_cost": "$90k", "solves": "60%"},
        ],
        "scenarios": {name.replace("_", " "): body for name, body in scenarios.items()},
    }


def write(path: Path, data: Any) -> str:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


def files(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, str]:
    return write(tmp_path / "old.yaml", old), write(tmp_path / "new.yaml", new)


def compared(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> diffing.ProblemDiff:
    """The one problem compared, read from files (values as written)."""
    [result] = pmsize.diff(*files(tmp_path, old, new)).problems
    return result


def listed(p: diffing.ProblemDiff) -> list[tuple[str, Any, Any]]:
    return [(c.input, c.old, c.new) for c in p.changes]


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["diff", *args], env=ENV)


# ---------------------------------------------------------------------------------------------
# What is a change
# ---------------------------------------------------------------------------------------------


def test_a_scenario_added_is_one_change_with_its_value_as_written(tmp_path: Path) -> None:
    p = compared(tmp_path, base(), base(slow_uptake=SLOW))
    assert p.status == "changed"
    assert listed(p) == [
        (
            "scenarios[slow uptake]",
            None,
            {"probability": "10%", "set": {"solution.adoption": ["1%", "2%"]}},
        )
    ]


def test_a_scenario_removed_is_one_change(tmp_path: Path) -> None:
    p = compared(tmp_path, base(slow_uptake=SLOW, Rival=RIVAL), base(slow_uptake=SLOW))
    assert listed(p) == [
        (
            "scenarios[Rival]",
            {"probability": "10%", "set": {"alternatives[ERP module].solves": "70%"}},
            None,
        )
    ]


@pytest.mark.parametrize(
    ("new", "what"),
    [
        ({**SLOW, "probability": "30%"}, "its probability"),
        ({**SLOW, "set": {"solution.adoption": ["1%", "3%"]}}, "one of its values"),
        ({**SLOW, "set": {**SLOW["set"], "market.growth": "0%"}}, "an input more"),
    ],
)
def test_a_scenario_changed_is_one_change_old_and_new(
    tmp_path: Path, new: dict[str, Any], what: str
) -> None:
    p = compared(tmp_path, base(slow_uptake=SLOW, Rival=RIVAL), base(slow_uptake=new, Rival=RIVAL))
    assert listed(p) == [("scenarios[slow uptake]", SLOW, new)], what


def test_a_scenario_renamed_is_removed_and_added(tmp_path: Path) -> None:
    p = compared(tmp_path, base(slow_uptake=SLOW), base(late_uptake=SLOW))
    assert listed(p) == [
        ("scenarios[slow uptake]", SLOW, None),
        ("scenarios[late uptake]", None, SLOW),
    ]


def test_names_that_differ_only_in_case_are_the_same_scenario(tmp_path: Path) -> None:
    # as a path names it: `scenarios[Slow Uptake]` is `scenarios[slow uptake]`
    same = compared(tmp_path, base(slow_uptake=SLOW), base(Slow_Uptake=SLOW))
    assert (same.status, same.changes) == ("unchanged", ())
    # and the inputs it sets are named as paths are: `alternatives[erp module]` is the same
    renamed = {**RIVAL, "set": {"alternatives[erp module].solves": "70%"}}
    assert compared(tmp_path, base(Rival=RIVAL), base(rival=renamed)).changes == ()
    # changed, it is named as the new side names it
    raised = {**SLOW, "probability": "20%"}
    p = compared(tmp_path, base(slow_uptake=SLOW), base(Slow_Uptake=raised))
    assert listed(p) == [("scenarios[Slow Uptake]", SLOW, raised)]


def test_a_scenario_moves_no_npv_and_is_attributed_nothing(tmp_path: Path) -> None:
    p = compared(tmp_path, base(), base(slow_uptake=SLOW))
    assert p.npv_change == 0
    assert p.attribution == ()
    assert [c.attributed_to for c in p.changes] == [None]


def test_a_scenario_changed_beside_an_input_leaves_that_input_the_whole_npv_change(
    tmp_path: Path,
) -> None:
    new = base(slow_uptake=SLOW)
    new["discount_rate"] = "12%"
    p = compared(tmp_path, base(), new)
    assert [(e.input, e.npv_effect) for e in p.attribution] == [("discount_rate", p.npv_change)]
    assert [c.input for c in p.changes] == ["discount_rate", "scenarios[slow uptake]"]


def test_scenarios_built_in_code_show_their_values_as_given() -> None:
    built = Scenario("slow uptake", 0.3, (("solution.adoption", ["1%", "2%"]),))
    old, new = (
        Problem.model_validate(base()),
        Problem.model_validate(base() | {"scenarios": [built]}),
    )
    [p] = pmsize.diff([old], [new]).problems
    assert listed(p) == [
        (
            "scenarios[slow uptake]",
            None,
            {"probability": 0.3, "set": {"solution.adoption": ["1%", "2%"]}},
        )
    ]


# ---------------------------------------------------------------------------------------------
# Every format
# ---------------------------------------------------------------------------------------------


def _risky(tmp_path: Path) -> tuple[str, str]:
    """A pair whose scenarios change three ways, raising scenario-risk: slow uptake (an
    avoid case) goes from 10% to 30%."""
    old = base(slow_uptake=SLOW, Rival=RIVAL)
    new = base(slow_uptake={**SLOW, "probability": "30%"}, recession=RECESSION)
    return files(tmp_path, old, new)


RECESSION = {"probability": "10%", "set": {"market.growth": "-10%"}}


def test_the_table_at_80_columns(tmp_path: Path) -> None:
    result = run(*_risky(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Invoice matching\n"
        "  verdict  pursue -> reconsider (worse)\n"
        "  NPV      $3.23m -> $3.23m ($0)\n"
        "  ceiling  $130k -> $130k a customer a year\n"
        "  flags    none -> scenario-risk\n"
        # simulated on the same draws (SPEC §15): the scenarios move the expected NPV
        "  expected NPV  $2.74m -> $1.98m (−$757k)\n"
        "  P(NPV > 0)    89.9% -> 70.3% (−19.6 points)\n"
        "  what moved expected NPV\n"
        "    scenarios[slow uptake]   −$779k  █████████████████████│\n"
        "    scenarios[Rival]        +$91.8k                       │██\n"
        "    scenarios[recession]    −$69.6k                     ██│\n"
        "  changes\n"
        "    scenarios[slow uptake]:\n"
        "      {probability: 10%, set: {solution.adoption: [1%, 2%]}}\n"
        "      -> {probability: 30%, set: {solution.adoption: [1%, 2%]}}\n"
        "    scenarios[Rival]:\n"
        "      {probability: 10%, set: {alternatives[ERP module].solves: 70%}}\n"
        "      -> —\n"
        "    scenarios[recession]: — -> {probability: 10%, set: {market.growth: -10%}}\n"
        "\n"
        "1 changed · verdicts 1 worse, 0 better · NPV $0\n"
        "Expected NPV and P(NPV > 0) over 10,000 draws a side (seed 0), the same draws\n"
        "for an input unchanged on both sides.\n"
    )
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    assert result.stderr == ""


def test_the_markdown(tmp_path: Path) -> None:
    result = run(*_risky(tmp_path), "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "### pmsize diff\n"
        "\n"
        "**1 changed · verdicts 1 worse, 0 better · NPV $0**\n"
        "\n"
        "#### Invoice matching (worse)\n"
        "\n"
        "| | Old | New | NPV effect |\n"
        "| --- | --- | --- | ---: |\n"
        "| **Verdict** | pursue | **reconsider** | |\n"
        "| **NPV** | $3.23m | $3.23m | **$0** |\n"
        "| Ceiling a customer a year | $130k | $130k | |\n"
        "| Flags | none | scenario-risk | |\n"
        "| **Expected NPV** | $2.74m | $1.98m | **−$757k** |\n"
        "| P(NPV > 0) | 89.9% | 70.3% | −19.6 points |\n"
        "| scenarios\\[slow uptake\\] | {probability: 10%, set: {solution.adoption: \\[1%, 2%\\]}} "
        "| {probability: 30%, set: {solution.adoption: \\[1%, 2%\\]}} | — |\n"
        "| scenarios\\[Rival\\] | {probability: 10%, set: {alternatives\\[ERP module\\].solves: "
        "70%}} | — | — |\n"
        "| scenarios\\[recession\\] | — | {probability: 10%, set: {market.growth: -10%}} | — |\n"
        "\n"
        "| What moved expected NPV | Effect |\n"
        "| --- | ---: |\n"
        "| scenarios\\[slow uptake\\] | −$779k |\n"
        "| scenarios\\[Rival\\] | +$91.8k |\n"
        "| scenarios\\[recession\\] | −$69.6k |\n"
        "\n"
        "_Expected NPV and P(NPV \\> 0) over 10,000 draws a side (seed 0), the same draws for an "
        "input unchanged on both sides._\n"
    )


def test_the_json_lists_each_scenario_in_changes(tmp_path: Path) -> None:
    result = run(*_risky(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["changes"] == [
        {
            "input": "scenarios[slow uptake]",
            "old": {"probability": "10%", "set": {"solution.adoption": ["1%", "2%"]}},
            "new": {"probability": "30%", "set": {"solution.adoption": ["1%", "2%"]}},
        },
        {
            "input": "scenarios[Rival]",
            "old": {"probability": "10%", "set": {"alternatives[ERP module].solves": "70%"}},
            "new": None,
        },
        {
            "input": "scenarios[recession]",
            "old": None,
            "new": {"probability": "10%", "set": {"market.growth": "-10%"}},
        },
    ]
    assert problem["attribution"] == []
    assert (problem["old"]["flags"], problem["new"]["flags"]) == ([], ["scenario-risk"])


def test_github_names_the_scenarios_that_turned_the_verdict(tmp_path: Path) -> None:
    result = run(*_risky(tmp_path), "--format", "github")
    assert result.exit_code == 0, result.stderr
    warning = result.stdout.splitlines()[0]
    assert warning.endswith(
        "Invoice matching: pursue -> reconsider. NPV $3.23m -> $3.23m ($0); "
        "flags: scenario-risk.%0AExpected NPV $2.74m -> $1.98m (−$757k); P(NPV > 0) 89.9%25 "
        "-> 70.3%25.%0AMoved expected NPV most by: scenarios[slow uptake] −$779k, "
        "scenarios[Rival] +$91.8k, scenarios[recession] −$69.6k%0AChanged without moving "
        "NPV: scenarios[slow uptake], scenarios[Rival], scenarios[recession]"
    )


def test_fail_on_worse_when_scenario_risk_turns_the_verdict(tmp_path: Path) -> None:
    old, new = _risky(tmp_path)
    assert run(old, new, "--fail-on", "worse").exit_code == 1
    assert run(new, old, "--fail-on", "worse").exit_code == 0  # better: scenario-risk cleared
    assert run(old, new, "--fail-on", "avoid").exit_code == 0  # reconsider, not avoid
