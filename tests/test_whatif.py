"""What-ifs: `--set PATH=VALUE` and `Problem.with_values` (docs/paths.md, the README).

A value set at a path is the same as that value written in the file: every test compares
against the edited file, evaluated on its own.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import pmsize
from pmsize._models import Problem
from pmsize.cli import app
from strategies import examples

ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}

BASE: dict[str, Any] = {
    "name": "Invoice matching",
    "horizon_years": 5,
    "discount_rate": "10%",
    "market": {"customers": "400", "problem_cost": "$200k"},
    "solution": {
        "name": "Matcher",
        "build_cost": "$2m",
        "annual_cost": "$300k",
        "cost_per_customer": "$5k",
        "solves": "80%",
        "adoption": ["2%", "5%", "8%"],
        "price": "$60k",
    },
    "alternatives": [
        {"name": "Spreadsheets", "kind": "manual", "annual_cost": "$90k", "solves": "40%"},
        {
            "name": "Fast follower",
            "kind": "vendor",
            "from_year": 3,
            "annual_cost": ["$90k", "$70k"],
            "solves": "60%",
        },
    ],
}


def write(path: Path, data: dict[str, Any]) -> str:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


def figures(*args: str) -> list[dict[str, Any]]:
    """The JSON results of `evaluate`, without what tells the runs apart."""
    code, out, err = invoke("evaluate", *args, "-f", "json")
    assert code in (0, 1), err
    results = json.loads(out)["results"]
    for r in results:
        r.pop("overrides", None)
        r.pop("file")
    return results


def edited(**at: Any) -> dict[str, Any]:
    """BASE with values written in by hand: `solution__price="$50k"` sets solution.price."""
    data = copy.deepcopy(BASE)
    for key, value in at.items():
        owner = data
        *parents, field = key.split("__")
        for part in parents:
            owner = owner[part]
        owner[field] = value
    return data


# ---------------------------------------------------------------------------- the same as the file


@pytest.mark.parametrize(
    ("setting", "by_hand"),
    [
        ("solution.price=$50k", {"solution__price": "$50k"}),
        ("market.problem_cost=$100k to $300k", {"market__problem_cost": "$100k to $300k"}),
        ("solution.adoption=[1%, 2%, 3%]", {"solution__adoption": ["1%", "2%", "3%"]}),
        ("discount_rate=20%", {"discount_rate": "20%"}),
        ("market.growth=5%", {"market__growth": "5%"}),
        # one year of a per-year list: written out to the horizon, then that year replaced
        ("solution.adoption[year 4]=50%", {"solution__adoption": ["2%", "5%", "8%", "50%", "8%"]}),
    ],
)
def test_a_setting_is_the_value_written_in_the_file(
    tmp_path: Path, setting: str, by_hand: dict[str, Any]
) -> None:
    file = write(tmp_path / "a.yaml", BASE)
    by_file = write(tmp_path / "b.yaml", edited(**by_hand))
    assert figures(file, "--set", setting) == figures(by_file)


def test_a_year_of_an_alternative_counts_from_its_arrival(tmp_path: Path) -> None:
    # Fast follower arrives in year 3 with [$90k, $70k]: years 3, 4, 5 are $90k, $70k, $70k
    file = write(tmp_path / "a.yaml", BASE)
    data = edited()
    data["alternatives"][1]["annual_cost"] = ["$90k", "$10k", "$70k"]
    by_file = write(tmp_path / "b.yaml", data)
    setting = "alternatives[fast FOLLOWER].annual_cost[year 4]=$10k"  # names ignore case
    assert figures(file, "--set", setting) == figures(by_file)


def test_a_whole_alternative_is_added_replaced_or_removed(tmp_path: Path) -> None:
    file = write(tmp_path / "a.yaml", BASE)
    added = edited()
    added["alternatives"].append({"name": "Vendor X", "annual_cost": "$40k", "solves": "70%"})
    assert figures(
        file, "--set", "alternatives[Vendor X]={annual_cost: $40k, solves: 70%}"
    ) == figures(write(tmp_path / "added.yaml", added))
    replaced = edited()
    replaced["alternatives"][0] = {"name": "Spreadsheets", "annual_cost": "$1k", "solves": "5%"}
    assert figures(
        file, "--set", "alternatives[Spreadsheets]={annual_cost: $1k, solves: 5%}"
    ) == figures(write(tmp_path / "replaced.yaml", replaced))
    removed = edited()
    del removed["alternatives"][0]
    assert figures(file, "--set", "alternatives[Spreadsheets]=null") == figures(
        write(tmp_path / "removed.yaml", removed)
    )


def test_null_removes_a_field_so_its_default_holds(tmp_path: Path) -> None:
    file = write(tmp_path / "a.yaml", BASE)
    data = edited()
    del data["solution"]["price"]  # the price defaults to each year's ceiling
    assert figures(file, "--set", "solution.price=null") == figures(
        write(tmp_path / "b.yaml", data)
    )


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    price=st.integers(0, 500),
    solves=st.integers(0, 100),
    year=st.integers(1, 5),
    share=st.integers(0, 100),
)
def test_setting_equals_editing_the_file_for_any_values(
    tmp_path_factory: pytest.TempPathFactory, price: int, solves: int, year: int, share: int
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    file = write(folder / "a.yaml", BASE)
    adoption = ["2%", "5%", "8%", "8%", "8%"]
    adoption[year - 1] = f"{share}%"
    data = edited(solution__price=f"${price}k", solution__adoption=adoption)
    data["alternatives"][0]["solves"] = f"{solves}%"
    by_file = write(folder / "b.yaml", data)
    settings_given = [
        f"solution.price=${price}k",
        f"alternatives[Spreadsheets].solves={solves}%",
        f"solution.adoption[year {year}]={share}%",
    ]
    args = [a for s in settings_given for a in ("--set", s)]
    assert figures(file, *args) == figures(by_file)


# ---------------------------------------------------------------------------- what the output says


def test_the_output_says_what_was_set(tmp_path: Path) -> None:
    file = write(tmp_path / "a.yaml", BASE)
    _, out, _ = invoke(
        "evaluate", file, "--set", "solution.price=$50k", "--set", "market.growth=5%"
    )
    assert out.splitlines()[:2] == [
        "what-if: solution.price $50k (file: $60k) · market.growth 5% (file: none)",
        "Invoice matching                                                          PURSUE",
    ]
    _, out, _ = invoke("evaluate", file, "-f", "json", "--set", "solution.price=$50k")
    assert json.loads(out)["results"][0]["overrides"] == [
        {"input": "solution.price", "value": "$50k", "was": "$60k"}
    ]
    _, out, _ = invoke("evaluate", file, "-f", "json")
    assert "overrides" not in json.loads(out)["results"][0]  # the contract, unchanged
    _, out, _ = invoke("explain", file, "--set", "solution.price=$50k")
    assert out.splitlines()[1] == "what-if: solution.price $50k (file: $60k)"
    _, out, _ = invoke("explain", file, "-f", "markdown", "--set", "solution.price=$50k")
    assert "_what-if: solution.price \\$50k (file: \\$60k)_" in out.splitlines()


@pytest.mark.parametrize("command", ["simulate", "sensitivity", "plan", "report"])
def test_every_command_that_sizes_takes_it(tmp_path: Path, command: str) -> None:
    file = write(tmp_path / "a.yaml", BASE)
    extra = {"plan": ["--budget", "5m"], "report": ["-o", str(tmp_path / "r.html")]}
    args = [command, file, "-n", "200", *extra.get(command, [])]
    code, _, err = invoke(*args, "--set", "solution.price=-5k")
    assert (code, err.splitlines()[0]) == (
        2,
        "--set solution.price: -5k is negative; amounts cannot be below zero",
    )
    assert invoke(*args, "--set", "solution.price=$50k")[0] == 0


# ---------------------------------------------------------------------------- bad settings


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        (
            "solution.price",
            "pmsize: --set solution.price: expected PATH=VALUE, an input's path "
            "and its value as the file writes it, such as --set 'solution.price=$50k'",
        ),
        (
            "solution.prize=$5k",
            "pmsize: --set solution.prize: solution.prize names no input; "
            "did you mean solution.price?",
        ),
        (
            "solution.adoption[3]=5%",
            "pmsize: --set solution.adoption[3]: solution.adoption[3] "
            "counts list items from 0; name the calendar year instead: solution.adoption[year 4]",
        ),
        (
            "solution.price=-5k",
            "--set solution.price: -5k is negative; amounts cannot be below zero",
        ),
        (
            "alternatives[Excel].solves=5%",
            "--set alternatives[Excel].solves: problem 'Invoice "
            "matching' has no alternative named 'Excel' (its alternatives: Spreadsheets, Fast "
            "follower); to add one, set alternatives[Excel] whole",
        ),
        (
            "solution.adoption[year 6]=5%",
            "--set solution.adoption[year 6]: year 6 is past the horizon (5 years)",
        ),
        (
            "alternatives[Fast follower].solves[year 2]=5%",
            "--set alternatives[Fast "
            "follower].solves[year 2]: the alternative arrives in year 3, so its solves has no "
            "year 2; set a year from 3 on",
        ),
        (
            "alternatives[Spreadsheets]={solves: 150%}",
            "--set alternatives[Spreadsheets]: solves: 150% is over 100%; a share is at most 100%",
        ),
        (
            "scenarios[slow uptake]={probability: 10%}",
            "pmsize: --set scenarios[slow uptake]: a scenario is not an input and takes no "
            "--set; evaluate as it with --scenario 'slow uptake', or set an input it changes",
        ),
    ],
)
def test_a_bad_setting_is_refused_with_its_name(tmp_path: Path, setting: str, said: str) -> None:
    file = write(tmp_path / "a.yaml", BASE)
    code, out, err = invoke("evaluate", file, "--set", setting)
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == said


# ---------------------------------------------------------------------------- the library


def test_with_values_is_the_edited_problem() -> None:
    problem = Problem.model_validate(BASE)
    changed = problem.with_values({"solution.price": "$50k", "alternatives[Spreadsheets]": None})
    by_hand = edited(solution__price="$50k")
    del by_hand["alternatives"][0]
    assert changed.model_dump() == Problem.model_validate(by_hand).model_dump()
    assert problem.solution.price == 60_000  # unchanged: a new problem
    assert [o.to_dict() for o in changed.overrides] == [
        {"input": "solution.price", "value": "$50k", "was": "$60k"},
        {
            "input": "alternatives[Spreadsheets]",
            "value": "null",
            "was": "{name: Spreadsheets, kind: manual, annual_cost: $90k, solves: 40%}",
        },
    ]
    assert pmsize.evaluate(changed).npv == pmsize.evaluate(Problem.model_validate(by_hand)).npv


def test_with_values_refuses_as_a_file_would() -> None:
    problem = Problem.model_validate(BASE)
    with pytest.raises(pmsize.InputErrors) as caught:
        problem.with_values({"solution.price": "-5k", "solution.prize": "$5k"})
    assert [str(e) for e in caught.value.errors] == [
        "Invoice matching: solution.prize names no input; did you mean solution.price?"
    ]
    with pytest.raises(pmsize.InputErrors) as caught:
        problem.with_values({"solution.price": "-5k"})
    assert [str(e) for e in caught.value.errors] == [
        "solution.price: -5k is negative; amounts cannot be below zero"
    ]
    with pytest.raises(pmsize.InputErrors, match=r"scenarios\[slow\] names a scenario, not an"):
        problem.with_values({"scenarios[slow]": None})  # a scenario is not an input
    with pytest.raises(TypeError, match="keyed by input path"):
        problem.with_values({3: "5%"})  # type: ignore[dict-item]


def test_load_takes_values_as_set_does(tmp_path: Path) -> None:
    file = write(tmp_path / "a.yaml", BASE)
    [loaded] = pmsize.load(file, values={"solution.price": "$50k"})
    assert (
        loaded.model_dump() == Problem.model_validate(edited(solution__price="$50k")).model_dump()
    )
    with pytest.raises(ValueError, match=r"values: solution\.prize names no input"):
        pmsize.load(file, values={"solution.prize": "$50k"})


def test_every_format_says_what_was_set(tmp_path: Path) -> None:
    file = write(tmp_path / "a.yaml", BASE)
    setting = ("--set", "solution.price=$50k")
    _, out, _ = invoke("evaluate", file, "-f", "csv", *setting)
    header, row = out.splitlines()
    assert header.endswith(",overrides")
    assert row.endswith(",solution.price=$50k")
    _, out, _ = invoke("evaluate", file, "-f", "csv")
    assert "overrides" not in out  # without --set the columns are the contract's
    _, out, _ = invoke("evaluate", file, "-f", "markdown", *setting)
    assert out.startswith("_what-if: solution.price \\$50k (file: \\$60k)_\n\n| # |")
    _, out, _ = invoke("plan", file, "--budget", "5m", *setting)
    assert out.startswith("what-if: solution.price $50k\nFund ")
    _, out, _ = invoke("plan", file, "--budget", "5m", "-f", "markdown", *setting)
    assert out.startswith(
        "### Plan: \\$5.00m budget\n\n_what-if: solution.price \\$50k_\n\n**Fund "
    )
    _, out, _ = invoke("plan", file, "--budget", "5m", "-f", "markdown")
    assert "what-if" not in out
    _, out, _ = invoke("plan", file, "--budget", "5m", "-f", "json", *setting)
    assert json.loads(out)["overrides"] == [{"input": "solution.price", "value": "$50k"}]


def test_a_bad_value_is_one_error_for_a_folder(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", BASE)
    write(tmp_path / "b.yaml", edited(name="Other"))
    code, out, err = invoke("evaluate", str(tmp_path), "--set", "solution.price=-5k")
    assert (code, out) == (2, "")
    assert err == (
        "--set solution.price: -5k is negative; amounts cannot be below zero\n"
        "pmsize: 1 input error; nothing evaluated\n"
    )
