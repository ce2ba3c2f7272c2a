"""`pmsize diff` (SPEC §8): matching by name, changes as written, Shapley attribution, git."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import pmsize
from pmsize import _diffing as diffing
from pmsize import _fmt as fmt
from pmsize import _gitfiles as gitfiles
from pmsize._models import Problem
from pmsize.cli import app
from strategies import examples, problems

ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def base(**changes: Any) -> dict[str, Any]:
    """A small problem as plain data; `changes` replaces top-level keys."""
    data: dict[str, Any] = {
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
    }
    data.update(changes)
    return data


def problem(data: dict[str, Any]) -> Problem:
    return Problem.model_validate(data)


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def changed(
    old: dict[str, Any], new: dict[str, Any], files: Path | None = None
) -> diffing.ProblemDiff:
    """The one problem compared: as files in `files` (values as written), else as problems."""
    if files is not None:
        d = pmsize.diff(write(files / "old.yaml", old), write(files / "new.yaml", new))
    else:
        d = pmsize.diff([problem(old)], [problem(new)])
    [result] = d.problems
    return result


def effects(p: diffing.ProblemDiff) -> dict[str, float]:
    return {e.input: e.npv_effect for e in p.attribution}


# ---------------------------------------------------------------------------------------------
# Attribution
# ---------------------------------------------------------------------------------------------


def test_one_changed_input_gets_the_whole_change() -> None:
    old = base()
    new = base(solution={**old["solution"], "build_cost": "$3m"})
    p = changed(old, new)
    assert p.status == "changed"
    assert p.npv_change == pytest.approx(-1e6)  # build cost is year 0: undiscounted
    assert [(e.input, e.npv_effect) for e in p.attribution] == [
        ("solution.build_cost", p.npv_change)
    ]
    assert p.exact


def test_a_hand_computed_two_input_split() -> None:
    # One year, no discounting, no costs, a price below the ceiling: NPV = N * s * price.
    # N = customers, s = 10% adoption. Old: N = 100, price $1,000; new: N = 200, price $3,000.
    #   f({})             = 100 * 0.1 * 1,000 = 10,000
    #   f({customers})    = 200 * 0.1 * 1,000 = 20,000
    #   f({price})        = 100 * 0.1 * 3,000 = 30,000
    #   f({customers, price}) = 200 * 0.1 * 3,000 = 60,000
    # phi(customers) = 1/2 (20,000 - 10,000) + 1/2 (60,000 - 30,000) = 5,000 + 15,000 = 20,000
    # phi(price)     = 1/2 (30,000 - 10,000) + 1/2 (60,000 - 20,000) = 10,000 + 20,000 = 30,000
    # together 50,000 = 60,000 - 10,000, the whole change
    def data(customers: str, price: str) -> dict[str, Any]:
        return {
            "name": "Simple",
            "horizon_years": 1,
            "discount_rate": "0%",
            "market": {"customers": customers, "problem_cost": "$1m"},
            "solution": {"adoption": "10%", "price": price},
        }

    p = changed(data("100", "$1,000"), data("200", "$3,000"))
    assert p.npv_change == pytest.approx(50_000)
    assert effects(p) == pytest.approx({"market.customers": 20_000, "solution.price": 30_000})
    assert [e.input for e in p.attribution] == ["solution.price", "market.customers"]


def test_symmetric_inputs_get_equal_shares() -> None:
    # NPV reads customers and adoption only through their product (paying customers), so
    # doubling either is the same change: the two are symmetric and split the change evenly
    old = base()
    new = base(
        market={"customers": "800", "problem_cost": "$200k"},
        solution={**old["solution"], "adoption": ["4%", "10%", "16%"]},
    )
    p = changed(old, new)
    share = effects(p)
    assert set(share) == {"market.customers", "solution.adoption"}
    assert share["market.customers"] == pytest.approx(share["solution.adoption"], rel=1e-12)
    assert share["market.customers"] == pytest.approx(p.npv_change / 2, rel=1e-12)


def test_the_problem_cost_is_one_input_however_it_is_written(tmp_path: Path) -> None:
    old = base()
    new = base(market={"customers": "400", "revenue": "$4m", "problem_share": "5%"})
    p = changed(old, new, tmp_path)
    assert [(c.input, c.old, c.new) for c in p.changes] == [
        ("market.problem_cost", "$200k", None),
        ("market.revenue", None, "$4m"),
        ("market.problem_share", None, "5%"),
    ]
    # $4m x 5% is $200k again: the same cost, so no NPV moves
    assert effects(p) == {"market.problem_cost": pytest.approx(0, abs=1e-6)}


def test_an_alternative_is_one_input_with_its_fields_and_its_being_there(tmp_path: Path) -> None:
    old = base()
    new = base(
        alternatives=[
            {"name": "ERP module", "kind": "vendor", "annual_cost": "$60k", "solves": "70%"},
            {"name": "Open-source stack", "annual_cost": "$20k", "solves": "60%"},
        ]
    )
    p = changed(old, new, tmp_path)
    assert [(c.input, c.old, c.new) for c in p.changes] == [
        (
            "alternatives[Spreadsheets]",
            {"name": "Spreadsheets", "kind": "manual", "annual_cost": "$40k", "solves": "30%"},
            None,
        ),
        ("alternatives[ERP module].annual_cost", "$90k", "$60k"),
        ("alternatives[ERP module].solves", "60%", "70%"),
        (
            "alternatives[Open-source stack]",
            None,
            {"name": "Open-source stack", "annual_cost": "$20k", "solves": "60%"},
        ),
    ]
    assert set(effects(p)) == {
        "alternatives[Spreadsheets]",
        "alternatives[ERP module]",
        "alternatives[Open-source stack]",
    }
    assert sum(effects(p).values()) == pytest.approx(p.npv_change)
    # reordering the alternatives alone changes nothing
    same = base(alternatives=list(reversed(base()["alternatives"])))
    assert changed(old, same, tmp_path).status == "unchanged"


def test_alternative_names_with_brackets_and_dots_are_one_input(tmp_path: Path) -> None:
    name = "ERP] module.v2 [beta]"
    old = base(alternatives=[{"name": name, "annual_cost": "$90k", "solves": "60%"}])
    new = base(
        discount_rate="12%",
        alternatives=[{"name": name, "annual_cost": "$20k", "solves": "60%"}],
    )
    p = changed(old, new, tmp_path)
    assert [(c.input, c.old, c.new) for c in p.changes] == [
        ("discount_rate", "10%", "12%"),
        (f"alternatives[{name}].annual_cost", "$90k", "$20k"),
    ]
    assert set(effects(p)) == {"discount_rate", f"alternatives[{name}]"}
    assert sum(effects(p).values()) == pytest.approx(p.npv_change, rel=1e-12)


def test_a_policy_change_is_listed_and_moves_no_npv(tmp_path: Path) -> None:
    old = base()
    new = base(policy={"cap_threshold": "90%"})
    p = changed(old, new, tmp_path)
    assert [(c.input, c.old, c.new) for c in p.changes] == [("policy.cap_threshold", None, "90%")]
    assert p.attribution == ()
    assert p.npv_change == 0
    assert p.old is not None
    assert p.new is not None
    assert (p.old.verdict, p.new.verdict) == ("pursue", "reconsider")


def test_text_changes_are_listed_and_attributed_nothing(tmp_path: Path) -> None:
    p = changed(base(), base(description="Now with a description"), tmp_path)
    assert [c.to_dict() for c in p.changes] == [
        {"input": "description", "old": None, "new": "Now with a description"}
    ]
    assert p.attribution == ()


def test_a_shorter_horizon_cuts_the_old_lists_to_it() -> None:
    old = base(horizon_years=5)
    old["solution"] = {**old["solution"], "adoption": ["1%", "2%", "3%", "4%", "5%"]}
    new = base(horizon_years=2)
    new["solution"] = {**old["solution"], "adoption": ["1%", "2%"]}
    p = changed(old, new)
    assert set(effects(p)) == {"horizon_years", "solution.adoption"}
    assert sum(effects(p).values()) == pytest.approx(p.npv_change, rel=1e-12)


# An independent reference: f(S) built by merging the files' data input by input (SPEC §8's
# naming), loaded and evaluated as any file is; Shapley by brute force over every order.
def _part(data: dict[str, Any], name: str) -> Any:
    if name == "market.problem_cost":
        return {k: v for k, v in data["market"].items() if k in _COST_KEYS}
    if name.startswith("alternatives["):
        wanted = name[len("alternatives[") : -1]
        return next((a for a in data.get("alternatives", []) if a["name"] == wanted), None)
    if "." in name:
        section, key = name.split(".", 1)
        return data[section].get(key)
    return data.get(name)


_COST_KEYS = ("problem_cost", "revenue", "problem_share")


def _reference_npv(old: dict[str, Any], new: dict[str, Any], chosen: set[str]) -> float:
    mixed = json.loads(json.dumps(old))
    for name in chosen:
        value = json.loads(json.dumps(_part(new, name)))
        if name == "market.problem_cost":
            for key in _COST_KEYS:
                mixed["market"].pop(key, None)
            mixed["market"].update(value)
        elif name.startswith("alternatives["):
            items = mixed["alternatives"]
            at = next((i for i, a in enumerate(items) if a is _part(mixed, name)), None)
            if at is None:
                items.append(value)
            elif value is None:
                items.pop(at)
            else:
                items[at] = value
        elif "." in name:
            section, key = name.split(".", 1)
            mixed[section].pop(key, None)
            if value is not None:
                mixed[section][key] = value
        else:
            mixed[name] = value
    horizon = int(mixed["horizon_years"])
    for holder in [mixed["market"], mixed["solution"], *mixed["alternatives"]]:
        for key, value in holder.items():
            if isinstance(value, list):
                holder[key] = value[:horizon]  # the lists cut to the horizon in force
    return pmsize.evaluate(problem(mixed)).npv


def _brute_force_shapley(
    old: dict[str, Any], new: dict[str, Any], inputs: list[str]
) -> dict[str, float]:
    npv = {
        frozenset(s): _reference_npv(old, new, set(s))
        for size in range(len(inputs) + 1)
        for s in itertools.combinations(inputs, size)
    }
    orders = list(itertools.permutations(inputs))
    phi = dict.fromkeys(inputs, 0.0)
    for order in orders:
        for at, name in enumerate(order):
            phi[name] += npv[frozenset(order[: at + 1])] - npv[frozenset(order[:at])]
    return {name: total / len(orders) for name, total in phi.items()}


def test_shapley_values_match_a_brute_force_over_every_order_with_the_landscape_keys() -> None:
    old = base(horizon_years=4)
    old["market"] = {"customers": "400", "problem_cost": "$200k", "growth": "5%"}
    old["solution"] = {**old["solution"], "adoption": ["2%", "5%", "8%", "9%"]}
    old["alternatives"] = [
        {"name": "Spreadsheets", "annual_cost": "$40k", "solves": "30%"},
        {"name": "ERP module", "annual_cost": ["$120k", "$90k"], "solves": "60%"},
        {"name": "Fast follower", "annual_cost": "$60k", "solves": "70%", "from_year": 3},
    ]
    new = json.loads(json.dumps(old))
    new["horizon_years"] = 3  # cuts the old adoption list to three years
    new["solution"]["adoption"] = ["2%", "5%", "7%"]
    new["market"] = {"customers": "400", "revenue": "$4m", "problem_share": "6%", "growth": "9%"}
    new["alternatives"] = [
        {"name": "Spreadsheets", "annual_cost": "$40k", "solves": "30%"},
        {"name": "ERP module", "annual_cost": ["$120k", "$70k", "$50k"], "solves": "60%"},
        {"name": "Fast follower", "annual_cost": "$60k", "solves": "70%", "from_year": 2},
        {"name": "Open-source stack", "annual_cost": "$30k", "solves": "40%", "from_year": 2},
    ]
    p = changed(old, new)
    got = effects(p)
    assert set(got) == {
        "horizon_years",
        "solution.adoption",
        "market.problem_cost",
        "market.growth",
        "alternatives[ERP module]",
        "alternatives[Fast follower]",
        "alternatives[Open-source stack]",
    }
    assert got == pytest.approx(_brute_force_shapley(old, new, list(got)), rel=1e-12, abs=1e-6)
    assert sum(got.values()) == pytest.approx(p.npv_change, rel=1e-12)


def test_every_subset_sized_at_once_is_each_mixed_problem_sized_alone() -> None:
    # 200 problems of 12 changed inputs took minutes when each of the 4,096 subsets was
    # built as a problem and sized alone (benchmarks/diff.py times such an edit); sized
    # together as arrays, each subset's NPV is still that of the mixed problem on its own
    old, new = _thirteen_changes()
    new["solution"]["price"] = old["solution"]["price"]  # twelve changed inputs
    inputs = [e.input for e in changed(old, new).attribution]
    assert len(inputs) == 12
    _, exact = diffing.attribute(problem(old), problem(new), inputs)
    assert exact
    masks = range(0, 1 << 12, 97)
    # each mixed problem merged as data, loaded and evaluated on its own (the reference)
    one_by_one = [
        _reference_npv(old, new, {name for i, name in enumerate(inputs) if mask >> i & 1})
        for mask in masks
    ]
    at_once = diffing.HybridInputs(problem(old), problem(new), inputs).npvs(masks)
    # arrays and floats raise to a power by different code (numpy's SIMD kernels differ by
    # CPU from Python's float `**`): the same figures up to the last bits, never bit for bit
    assert at_once == pytest.approx(one_by_one, rel=1e-12)


def test_more_mixes_than_one_block_holds_are_each_the_figure_of_their_mixed_problem() -> None:
    # past `EXACT_UP_TO` players the mixes outnumber one block of sizing (2^EXACT_UP_TO at
    # each horizon): every block's figures are those of its mixes, each sized on its own
    count = diffing.EXACT_UP_TO + 1
    head = {
        "name": "Many",
        "market": {"customers": 100, "problem_cost": 1_000_000},
        "solution": {"adoption": 0.05, "build_cost": 1_000_000},
    }
    tools = [{"name": f"Alt {i}", "annual_cost": 100_000 + i, "solves": 0.5} for i in range(count)]
    cheaper = [
        {**a, "annual_cost": a["annual_cost"] - 5_000 * (i + 1)} for i, a in enumerate(tools)
    ]
    old = problem({**head, "horizon_years": 5, "alternatives": tools})
    new = problem({**head, "horizon_years": 4, "alternatives": cheaper})
    inputs = [*(f"alternatives[Alt {i}]" for i in range(count)), "horizon_years"]
    every = 1 << len(inputs)
    sized = diffing.HybridInputs(old, new, inputs).npvs(range(every))
    for mask in [*range(0, every, 211), every - 1]:
        mixed = [(cheaper if mask >> i & 1 else tools)[i] for i in range(count)]
        horizon = 4 if mask >> count & 1 else 5
        alone = problem({**head, "horizon_years": horizon, "alternatives": mixed})
        assert sized[mask] == pytest.approx(pmsize.evaluate(alone).npv, rel=1e-12)


def _mutated(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A problem and a copy with a few of its keys taken from another random problem."""
    old = draw(problems())
    other = draw(problems())
    keys = draw(
        st.sets(
            st.sampled_from(
                [
                    "horizon_years",
                    "discount_rate",
                    "market",
                    "alternatives",
                    "build_cost",
                    "annual_cost",
                    "cost_per_customer",
                    "solves",
                    "adoption",
                    "price",
                ]
            ),
            max_size=4,
        )
    )
    new = {**old, "solution": dict(old["solution"])}
    for key in keys:
        if key in other:
            new[key] = other[key]
        elif key in other["solution"]:
            new["solution"][key] = other["solution"][key]
        else:
            new["solution"].pop(key, None)
    for data in (old, new):
        adoption = data["solution"]["adoption"]
        if isinstance(adoption, list):
            data["solution"]["adoption"] = adoption[: data["horizon_years"]]
    return old, new


@settings(
    max_examples=examples(6),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_contributions_add_up_to_the_change_in_any_order(data: st.DataObject) -> None:
    old_data, new_data = _mutated(data.draw)
    old, new = problem(old_data), problem({**new_data, "name": old_data["name"]})
    [p] = pmsize.diff([old], [new]).problems
    scale = 1 + abs(p.old.npv if p.old else 0) + abs(p.new.npv if p.new else 0)
    total = sum(e.npv_effect for e in p.attribution)
    assert total == pytest.approx(p.npv_change, abs=1e-9 * scale)
    inputs = [e.input for e in p.attribution]
    backwards, _ = diffing.attribute(old, new, inputs[::-1])
    for name, effect in zip(inputs[::-1], backwards, strict=True):
        assert effect == pytest.approx(effects(p)[name], abs=1e-9 * scale)


def _thirteen_changes() -> tuple[dict[str, Any], dict[str, Any]]:
    old = base()
    old["solution"] = {**old["solution"], "price": "$150k"}
    new = {
        "name": "Invoice matching",
        "horizon_years": 4,
        "discount_rate": "8%",
        "market": {"customers": "500", "problem_cost": "$250k"},
        "solution": {
            "build_cost": "$2.5m",
            "annual_cost": "$250k",
            "cost_per_customer": "$6k",
            "solves": "85%",
            "adoption": ["3%", "6%"],
            "price": "$140k",
        },
        "alternatives": [
            {"name": "Spreadsheets", "kind": "manual", "annual_cost": "$45k", "solves": "30%"},
            {"name": "ERP module", "kind": "vendor", "annual_cost": "$95k", "solves": "60%"},
            {"name": "Open-source stack", "annual_cost": "$30k", "solves": "40%"},
        ],
    }
    return old, new


def test_above_twelve_inputs_the_alternatives_are_grouped_flagged_and_still_add_up() -> None:
    old, new = _thirteen_changes()
    p = changed(old, new)
    assert p.exact is False
    # ten inputs outside the alternatives keep a player each; the three alternatives share
    # the two players left, in their order
    assert len(p.attribution) == 12
    grouped = {e.input: e.inputs for e in p.attribution if e.inputs}
    assert grouped == {
        "alternatives[Spreadsheets] and 1 more": (
            "alternatives[Spreadsheets]",
            "alternatives[ERP module]",
        )
    }
    assert "alternatives[Open-source stack]" in effects(p)
    record = p.to_dict()
    assert record["exact"] is False
    assert [a for a in record["attribution"] if len(a) == 3] == [
        {
            "input": "alternatives[Spreadsheets] and 1 more",
            "npv_effect": effects(p)["alternatives[Spreadsheets] and 1 more"],
            "inputs": ["alternatives[Spreadsheets]", "alternatives[ERP module]"],
        }
    ]
    assert sum(effects(p).values()) == pytest.approx(p.npv_change, rel=1e-9)


def test_groups_get_the_shapley_values_of_the_game_between_the_groups() -> None:
    # three players for five inputs: the two top-level inputs alone, the alternatives as one
    old = base()
    new = base(
        discount_rate="12%",
        market={"customers": "500", "problem_cost": "$200k"},
        alternatives=[
            {"name": "Spreadsheets", "kind": "manual", "annual_cost": "$30k", "solves": "30%"},
            {"name": "ERP module", "kind": "vendor", "annual_cost": "$60k", "solves": "60%"},
            {"name": "Open-source stack", "annual_cost": "$20k", "solves": "40%"},
        ],
    )
    alternatives = (
        "alternatives[Spreadsheets]",
        "alternatives[ERP module]",
        "alternatives[Open-source stack]",
    )
    inputs = ["discount_rate", "market.customers", *alternatives]
    groups = [("discount_rate",), ("market.customers",), alternatives]
    assert diffing.players(inputs, exact_up_to=3) == groups
    found, exact = diffing.attribute(problem(old), problem(new), inputs, exact_up_to=3)
    assert exact is False
    # each coalition of groups merged as data, loaded and evaluated on its own
    npv = {
        frozenset(c): _reference_npv(old, new, {name for g in c for name in g})
        for size in range(4)
        for c in itertools.combinations(groups, size)
    }
    orders = list(itertools.permutations(groups))
    for group, effect in zip(groups, found, strict=True):
        phi = sum(
            npv[frozenset(o[: o.index(group) + 1])] - npv[frozenset(o[: o.index(group)])]
            for o in orders
        ) / len(orders)
        assert effect == pytest.approx(phi, rel=1e-12, abs=1e-6)
    assert sum(found) == pytest.approx(changed(old, new).npv_change, rel=1e-12)


def test_inputs_are_grouped_in_runs_of_consecutive_items_as_even_as_can_be() -> None:
    items = [f"alternatives[{i}]" for i in range(30)]
    assert diffing.players(["discount_rate", *items[:11]]) == [
        ("discount_rate",),
        *[(name,) for name in items[:11]],
    ]
    grouped = diffing.players(["discount_rate", "solution.adoption", *items])
    assert grouped[:2] == [("discount_rate",), ("solution.adoption",)]
    assert [len(g) for g in grouped[2:]] == [3] * 10
    assert [name for g in grouped[2:] for name in g] == items
    # a name that only looks like an item is an input of its own
    assert diffing.players([*items[:12], "market.x[1]"])[0] == ("market.x[1]",)


def test_grouped_inputs_say_so_in_the_table_and_the_markdown(tmp_path: Path) -> None:
    # fifteen changed inputs: the discount rate alone, fourteen alternatives in eleven runs
    tools = [
        {"name": f"Tool {i}", "annual_cost": f"${40 + i}k", "solves": "30%"} for i in range(1, 15)
    ]
    cheaper = [{**t, "annual_cost": f"${20 + i}k"} for i, t in enumerate(tools, start=1)]
    old = write(tmp_path / "old.yaml", base(alternatives=tools))
    new = write(tmp_path / "new.yaml", base(discount_rate="12%", alternatives=cheaper))
    text = run(str(old), str(new)).stdout
    assert (
        "  what moved NPV (15 changed inputs in 12 groups)\n"
        "    alternatives[Tool 1] and 1 more   −$255k  ████████████████│\n"
        "    discount_rate                     −$211k     █████████████│\n"
        "    alternatives[Tool 3] and 1 more   −$161k        ██████████│\n"
    ) in text
    markdown = run(str(old), str(new), "-f", "markdown").stdout
    assert (
        "| alternatives\\[Tool 1\\] and 1 more | _2 inputs as one_ |  | −$255k |\n"
        "| discount\\_rate | 10% | 12% | −$211k |\n"
    ) in markdown
    assert markdown.endswith(
        "| alternatives\\[Tool 14\\] | annual\\_cost: \\$54k | annual\\_cost: \\$34k | −$30.3k |\n"
        "\n"
        "_NPV effects of 15 changed inputs in 12 groups; `--format json` lists them._\n"
    )


def _many_alternatives(count: int, cheaper: int) -> tuple[Problem, Problem]:
    alternatives = [
        {"name": f"Alt {i}", "annual_cost": 100_000 + i, "solves": 0.5} for i in range(count)
    ]
    base = {
        "name": "Many",
        "market": {"customers": 100, "problem_cost": 1_000_000},
        "solution": {"adoption": 0.05, "build_cost": 1_000_000},
    }
    old = pmsize.Problem.model_validate({**base, "alternatives": alternatives})
    changed = [{**a, "annual_cost": a["annual_cost"] - cheaper} for a in alternatives]
    return old, pmsize.Problem.model_validate({**base, "alternatives": changed})


def test_more_changed_inputs_than_a_machine_integer_holds_are_grouped() -> None:
    # 64 changed alternatives: a bit a subset of them would need 64 bits, past numpy's int64
    old, new = _many_alternatives(64, 60_000)
    [changed] = pmsize.diff([old], [new]).to_dict()["problems"]
    assert changed["exact"] is False
    sizes = sorted((len(a["inputs"]) for a in changed["attribution"]), reverse=True)
    assert sizes == [6] * 4 + [5] * 8  # 64 in 12 groups
    listed = sorted(name for a in changed["attribution"] for name in a["inputs"])
    assert listed == sorted(f"alternatives[Alt {i}]" for i in range(64))
    total = sum(a["npv_effect"] for a in changed["attribution"])
    assert total == pytest.approx(changed["npv_change"], rel=1e-9)
    assert changed["npv_change"] < 0


def test_a_thousand_changed_alternatives_are_attributed_in_twelve_groups_in_little_memory(
    tmp_path: Path,
) -> None:
    # regression: 1 -> 3,000 alternatives sized 2,000 random orders of 3,000 prefixes each
    # as 3,000-bit masks (time in k squared: past 3 GB and still growing at 45 s); now the
    # inputs go in 12 groups and every subset of them is sized at once, each alternative
    # mixed only as the engine reaches it (benchmarks/diff.py times it at 3,000 and 30,000)
    import tracemalloc

    head = {
        "name": "Many alternatives",
        "horizon_years": 5,
        "market": {"customers": 2000, "problem_cost": "$250k"},
        "solution": {"build_cost": "$3m", "solves": "80%", "adoption": ["2%", "5%", "8%"]},
    }
    tools = [
        {"name": f"Tool {i}", "annual_cost": f"${40 + i % 90}k", "solves": f"{30 + i % 50}%"}
        for i in range(1_000)
    ]
    old = pmsize.load(write(tmp_path / "old.yaml", {**head, "alternatives": tools[:1]}))
    new = pmsize.load(write(tmp_path / "new.yaml", {**head, "alternatives": tools}))
    tracemalloc.start()
    try:
        [p] = pmsize.diff(old, new).problems
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # about 9 MB; the 4,096 mixes of every alternative alive at once pass 100 MB
    assert peak < 30e6
    assert p.exact is False
    assert len(p.attribution) == 12
    assert sum(len(e.inputs) for e in p.attribution) == 999
    assert sum(effects(p).values()) == pytest.approx(p.npv_change, rel=1e-9)


# ---------------------------------------------------------------------------------------------
# Matching, values as written, the JSON
# ---------------------------------------------------------------------------------------------


def test_files_match_by_problem_name_across_renames_and_portfolios(tmp_path: Path) -> None:
    write(tmp_path / "old" / "invoice.yaml", base())
    write(tmp_path / "old" / "gone.yaml", base(name="Gone"))
    write(
        tmp_path / "new" / "renamed.yaml",
        {
            "defaults": {"horizon_years": 3, "discount_rate": "12%"},
            "problems": [
                {k: v for k, v in base().items() if k not in ("horizon_years", "discount_rate")},
                {**base(name="Fresh"), "solution": {"adoption": "1%", "build_cost": "$9m"}},
            ],
        },
    )
    d = pmsize.diff(tmp_path / "old", tmp_path / "new")
    assert [(p.name, p.status) for p in d.problems] == [
        ("Invoice matching", "changed"),
        ("Fresh", "added"),
        ("Gone", "removed"),
    ]
    invoice = d.problems[0]
    # the value from `defaults:` counts as written
    assert [c.to_dict() for c in invoice.changes] == [
        {"input": "discount_rate", "old": "10%", "new": "12%"}
    ]
    assert invoice.file == str(tmp_path / "new" / "renamed.yaml")
    same = pmsize.diff(tmp_path / "old" / "invoice.yaml", tmp_path / "new" / "renamed.yaml")
    assert same.problems[0].status == "changed"
    moved = tmp_path / "moved.yaml"
    shutil.copy(tmp_path / "old" / "invoice.yaml", moved)
    [p] = pmsize.diff(tmp_path / "old" / "invoice.yaml", moved).problems
    assert (p.status, p.changes, p.npv_change) == ("unchanged", (), 0)


def test_each_file_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # regression: each side's files were parsed to validate, then again for their values
    # as written
    write(tmp_path / "old.yaml", base())
    write(tmp_path / "new.yaml", {"problems": [base(discount_rate="12%"), base(name="Fresh")]})
    parsed: list[str] = []
    parse = yaml.parse

    def counted(text: str, **kwargs: Any) -> Any:
        parsed.append(text)
        return parse(text, **kwargs)

    monkeypatch.setattr(yaml, "parse", counted)
    d = pmsize.diff(tmp_path / "old.yaml", tmp_path / "new.yaml")
    assert [(p.name, p.status) for p in d.problems] == [
        ("Invoice matching", "changed"),
        ("Fresh", "added"),
    ]
    assert len(parsed) == 2


def test_the_json_has_the_fields_of_the_spec(tmp_path: Path) -> None:
    old = write(tmp_path / "old.yaml", base())
    new = write(tmp_path / "new.yaml", base(discount_rate="12%"))
    result = CliRunner().invoke(app, ["diff", str(old), str(new), "-f", "json"], env=ENV)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == ["schema_version", "tool_version", "old", "new", "problems", "summary"]
    assert (doc["old"], doc["new"]) == (str(old), str(new))
    [p] = doc["problems"]
    assert list(p) == [
        "name",
        "status",
        "file",
        "old",
        "new",
        "npv_change",
        "changes",
        "attribution",
        "exact",
    ]
    assert list(p["old"]) == ["verdict", "npv", "ceiling_per_customer", "flags", "currency"]
    assert p["changes"] == [{"input": "discount_rate", "old": "10%", "new": "12%"}]
    assert [list(a) for a in p["attribution"]] == [["input", "npv_effect"]]
    assert p["attribution"][0]["npv_effect"] == p["npv_change"]
    assert doc["summary"] == {
        "added": 0,
        "removed": 0,
        "changed": 1,
        "unchanged": 0,
        "worse": 0,
        "better": 0,
        "npv_change": p["npv_change"],
    }


def in_currency(currency: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` in another currency: the same figures, without the dollar signs."""
    return {**json.loads(json.dumps(data).replace("$", "")), "currency": currency}


def test_npv_changes_in_different_currencies_are_not_added(tmp_path: Path) -> None:
    # regression: summary.npv_change added dollars and euros together
    write(tmp_path / "old" / "a.yaml", base())
    write(tmp_path / "old" / "b.yaml", in_currency("EUR", base(name="Euro")))
    write(tmp_path / "new" / "a.yaml", base(discount_rate="12%"))
    write(tmp_path / "new" / "b.yaml", in_currency("EUR", base(name="Euro", discount_rate="5%")))
    write(tmp_path / "new" / "c.yaml", in_currency("GBP", base(name="Pound")))
    d = pmsize.diff(tmp_path / "old", tmp_path / "new")
    change = {p.name: p.npv_change for p in d.problems}
    summary = d.to_dict()["summary"]
    assert summary["npv_change"] is None
    assert summary["currencies"] == ["EUR", "USD", "GBP"]  # as the problems are listed
    assert summary["by_currency"] == [
        {
            "currency": "EUR",
            "added": 0,
            "removed": 0,
            "changed": 1,
            "unchanged": 0,
            "worse": 0,
            "better": 0,
            "npv_change": change["Euro"],
        },
        {
            "currency": "USD",
            "added": 0,
            "removed": 0,
            "changed": 1,
            "unchanged": 0,
            "worse": 0,
            "better": 0,
            "npv_change": change["Invoice matching"],
        },
        {
            "currency": "GBP",
            "added": 1,
            "removed": 0,
            "changed": 0,
            "unchanged": 0,
            "worse": 0,
            "better": 0,
            "npv_change": change["Pound"],
        },
    ]
    assert "different currencies" in summary["note"]
    text = run(str(tmp_path / "old"), str(tmp_path / "new")).stdout
    assert text.endswith(
        f"2 changed · 1 added · verdicts 0 worse, 0 better · NPV "
        f"{fmt.money(change['Euro'], 'EUR', sign=True)}, "
        f"{fmt.money(change['Invoice matching'], 'USD', sign=True)}, "
        f"{fmt.money(change['Pound'], 'GBP', sign=True)}\n"
    )


def test_a_problem_whose_currency_changed_shows_each_side_in_its_own(tmp_path: Path) -> None:
    # regression: `€3.23m -> €3.23m (€0)`, the old side shown in the new currency, and the
    # dollars taken from the euros
    old = write(tmp_path / "old.yaml", base())
    new = write(tmp_path / "new.yaml", in_currency("EUR", base()))
    [p] = pmsize.diff(old, new).problems
    assert (p.status, p.npv_change, p.attribution) == ("changed", None, ())
    assert (p.old and p.old.currency, p.new and p.new.currency) == ("USD", "EUR")
    record = p.to_dict()
    assert (record["old"]["currency"], record["new"]["currency"]) == ("USD", "EUR")
    assert record["npv_change"] is None
    assert record["changes"] == [{"input": "currency", "old": None, "new": "EUR"}]
    summary = pmsize.diff(old, new).to_dict()["summary"]
    assert summary["npv_change"] is None
    assert [(c["currency"], c["npv_change"]) for c in summary["by_currency"]] == [
        ("EUR", p.new.npv),
        ("USD", -p.old.npv),
    ]
    text = run(str(old), str(new)).stdout
    assert text.splitlines()[:4] == [
        "Invoice matching",
        "  verdict  pursue -> pursue",
        "  NPV      $3.23m -> €3.23m (the currency changed: USD -> EUR)",
        "  ceiling  $130k -> €130k a customer a year",
    ]
    markdown = run(str(old), str(new), "-f", "markdown").stdout
    assert "| **NPV** | $3.23m | €3.23m | **the currency changed** |\n" in markdown
    assert "| Ceiling a customer a year | $130k | €130k | |\n" in markdown
    assert "| currency | — | EUR | — |\n" in markdown


def test_problems_given_in_code_show_values_as_given() -> None:
    # a problem keeps the data it was validated from, so its values read as written
    p = changed(base(), base(discount_rate="12%"))
    assert p.changes[0].to_dict() == {"input": "discount_rate", "old": "10%", "new": "12%"}


def test_the_function_works_twice_though_its_module_is_imported() -> None:
    # a module named `pmsize.diff` would replace the function on the package once imported
    first = pmsize.diff([problem(base())], [problem(base())])
    second = pmsize.diff([problem(base())], [problem(base())])
    assert first == second
    assert callable(pmsize.diff)


def test_a_side_is_paths_or_problems_not_both(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", base())
    with pytest.raises(ValueError, match="paths or problems, not both"):
        pmsize.diff([path, problem(base())], [problem(base())])  # type: ignore[list-item]


# ---------------------------------------------------------------------------------------------
# The command: formats, --fail-on, errors
# ---------------------------------------------------------------------------------------------


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    old = write(tmp_path / "old" / "invoice.yaml", base())
    write(tmp_path / "old" / "dock.yaml", base(name="Dock scheduling"))
    write(tmp_path / "old" / "gone.yaml", base(name="Gone"))
    write(
        tmp_path / "new" / "invoice.yaml",
        base(
            market={"customers": "400", "problem_cost": "$200k"},
            alternatives=[
                {"name": "Spreadsheets", "kind": "manual", "annual_cost": "$40k", "solves": "30%"},
                {"name": "ERP module", "kind": "vendor", "annual_cost": "$20k", "solves": "60%"},
            ],
            discount_rate="12%",
        ),
    )
    write(tmp_path / "new" / "dock.yaml", base(name="Dock scheduling"))
    write(tmp_path / "new" / "fresh.yaml", base(name="Fresh", policy={"cap_threshold": "90%"}))
    return old.parent, tmp_path / "new"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["diff", *args], env=ENV)


def test_the_table_at_80_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pair(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("old", "new")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Invoice matching\n"
        "  verdict  pursue -> avoid (worse)\n"
        "  NPV      $3.23m -> −$198k (−$3.43m)\n"
        "  ceiling  $130k -> $60.0k a customer a year\n"
        "  flags    none -> negative-npv, capped-by-alternative\n"
        "  what moved NPV\n"
        "    alternatives[ERP module]  −$3.28m  ████████████████████│\n"
        "    discount_rate              −$153k                     █│\n"
        "  changes\n"
        "    discount_rate: 10% -> 12%\n"
        "    alternatives[ERP module].annual_cost: $90k -> $20k\n"
        "\n"
        "added: 1 — Fresh (reconsider, NPV $3.23m)\n"
        "removed: 1 — Gone (pursue, NPV $3.23m)\n"
        "1 changed · 1 added · 1 removed · 1 unchanged · verdicts 2 worse, 0 better\n"
        "NPV −$3.43m\n"
    )
    assert result.stderr == ""


def test_the_markdown_for_a_pull_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pair(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("old", "new", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "### pmsize diff\n"
        "\n"
        "**1 changed · 1 added · 1 removed · 1 unchanged · verdicts 2 worse, 0 better · "
        "NPV −$3.43m**\n"
        "\n"
        "#### Invoice matching (worse)\n"
        "\n"
        "| | Old | New | NPV effect |\n"
        "| --- | --- | --- | ---: |\n"
        "| **Verdict** | pursue | **avoid** | |\n"
        "| **NPV** | $3.23m | −$198k | **−$3.43m** |\n"
        "| Ceiling a customer a year | $130k | $60.0k | |\n"
        "| Flags | none | negative-npv, capped-by-alternative | |\n"
        "| alternatives\\[ERP module\\] | annual\\_cost: \\$90k | annual\\_cost: \\$20k "
        "| −$3.28m |\n"
        "| discount\\_rate | 10% | 12% | −$153k |\n"
        "\n"
        "added: 1 — Fresh (reconsider, NPV $3.23m)\n"
        "\n"
        "removed: 1 — Gone (pursue, NPV $3.23m)\n"
    )


def test_a_pull_request_editing_three_assumptions_reads_in_one_table(tmp_path: Path) -> None:
    # SPEC §8's "done when": the comment says, in one table, that the verdict went from
    # pursue to reconsider, NPV fell, and how much of that came from the new alternative
    def claims(customers: str, rate: str, *alternatives: dict[str, str]) -> dict[str, Any]:
        return {
            "name": "Claims order processing",
            "horizon_years": 5,
            "discount_rate": rate,
            "market": {"customers": customers, "problem_cost": "$1m"},
            "solution": {
                "build_cost": "$2m",
                "annual_cost": "$500k",
                "solves": "80%",
                "adoption": ["1%", "2%", "3%"],
            },
            "alternatives": [
                {"name": "Manual", "kind": "manual", "annual_cost": "$900k", "solves": "50%"},
                *alternatives,
            ],
        }

    stack = {"name": "Open-source stack", "annual_cost": "$250k", "solves": "60%"}
    write(tmp_path / "old.yaml", claims("120", "10%"))
    write(tmp_path / "new.yaml", claims("110", "12%", stack))
    result = run(str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml"), "-f", "markdown")
    assert result.exit_code == 0, result.stderr
    table = result.stdout.split("#### Claims order processing (worse)\n\n", 1)[1]
    assert table == (
        "| | Old | New | NPV effect |\n"
        "| --- | --- | --- | ---: |\n"
        "| **Verdict** | pursue | **reconsider** | |\n"
        "| **NPV** | $4.48m | $272k | **−$4.21m** |\n"
        "| Ceiling a customer a year | $800k | $450k | |\n"
        "| Flags | none | thin-margin | |\n"
        "| alternatives\\[Open-source stack\\] | — | **new**: annual\\_cost: \\$250k, "
        "solves: 60% | −$3.41m |\n"
        "| market.customers | 120 | 110 | −$531k |\n"
        "| discount\\_rate | 10% | 12% | −$265k |\n"
    )
    removed = run(str(tmp_path / "new.yaml"), str(tmp_path / "old.yaml"), "-f", "markdown")
    assert (
        "| alternatives\\[Open-source stack\\] | annual\\_cost: \\$250k, solves: 60% "
        "| **removed** | +$3.41m |"
    ) in removed.stdout


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [("never", 0), ("worse", 1), ("reconsider", 1), ("avoid", 1)],
)
def test_fail_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_on: str, code: int) -> None:
    _pair(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("old", "new", "--fail-on", fail_on, "-f", "json")
    assert result.exit_code == code, result.stderr
    assert json.loads(result.stdout)["summary"]["worse"] == 2  # the changed one and Fresh


def test_fail_on_worse_passes_when_nothing_got_worse(tmp_path: Path) -> None:
    old = write(tmp_path / "old.yaml", base())
    new = write(tmp_path / "new.yaml", base(discount_rate="5%"))
    assert run(str(old), str(new), "--fail-on", "worse").exit_code == 0
    assert run(str(old), str(new), "--fail-on", "reconsider").exit_code == 0
    assert run(str(new), str(old), "--fail-on", "reconsider").exit_code == 0  # still pursue


def test_github_annotates_worsened_problems_and_fills_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pair(tmp_path)
    monkeypatch.chdir(tmp_path)
    summary = tmp_path / "summary.md"
    env = {**ENV, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(tmp_path)}
    result = CliRunner().invoke(app, ["diff", "old", "new", "-f", "github"], env=env)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        "::warning file=new/invoice.yaml,line=1,title=pursue -> avoid%3A Invoice matching::"
        "Invoice matching: pursue -> avoid. NPV $3.23m -> −$198k (−$3.43m); "
        "flags: negative-npv, capped-by-alternative.%0AMoved most by: "
        "alternatives[ERP module] −$3.28m, discount_rate −$153k",
        "::warning file=new/fresh.yaml,line=1,title=new -> reconsider%3A Fresh::"
        "Fresh: new -> reconsider. NPV $3.23m; flags: capped-by-alternative.",
        "pmsize diff: 1 changed · 1 added · 1 removed · 1 unchanged · verdicts 2 worse, "
        "0 better "
        "· NPV −$3.43m",
    ]
    assert "#### Invoice matching (worse)" in summary.read_text()
    assert "| **Verdict** | pursue | **avoid** | |" in summary.read_text()


def test_a_full_or_unwritable_step_summary_warns_and_keeps_the_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same writer as evaluate's: GitHub's 1 MiB is kept, a failure is a warning
    _pair(tmp_path)
    monkeypatch.chdir(tmp_path)
    full = tmp_path / "full.md"
    full.write_text("x" * (1024 * 1024 - 100))
    for summary, said in (
        (full, f"pmsize: GITHUB_STEP_SUMMARY {full} is full; nothing added\n"),
        (tmp_path / "missing" / "summary.md", "pmsize: cannot append to GITHUB_STEP_SUMMARY "),
    ):
        env = {**ENV, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(tmp_path)}
        result = CliRunner().invoke(app, ["diff", "old", "new", "-f", "github"], env=env)
        assert result.exit_code == 0
        assert result.stdout.startswith("::warning file=new/invoice.yaml,")
        assert result.stderr.startswith(said)
    assert full.stat().st_size == 1024 * 1024 - 100


def test_hostile_names_stay_data(tmp_path: Path) -> None:
    name = "Evil\n::error::pwned %0A [b]x[/b]"
    old = write(tmp_path / "old.yaml", base(name=name))
    new = write(tmp_path / "new.yaml", base(name=name, discount_rate="30%"))
    for format in ("table", "markdown", "github"):
        result = run(str(old), str(new), "-f", format)
        assert result.exit_code == 0, result.stderr
        assert not any(line.startswith("::error") for line in result.stdout.splitlines())
        assert "Evil\n" not in result.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = run(str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == (
        "pmsize: give two paths, OLD and NEW, or --git REV and the paths to compare\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [\n", encoding="utf-8")
    result = run(str(bad), str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{bad}:2:1: invalid YAML: the file ends before a [ or {{ is closed; close it or remove it",
        f"{tmp_path / 'missing.yaml'}:1:1: no such file or folder",
        "pmsize: 2 input errors; nothing compared",
    ]
    assert run(str(bad), str(bad), "-f", "xml").exit_code == 2


def test_output_is_written_like_cp(tmp_path: Path) -> None:
    old = write(tmp_path / "old.yaml", base())
    new = write(tmp_path / "new.yaml", base(discount_rate="12%"))
    target = tmp_path / "diff.md"
    result = run(str(old), str(new), "-f", "markdown", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("### pmsize diff\n")
    result = run(str(old), str(new), "--output", str(new))
    assert result.exit_code == 2
    assert "it is the input file" in result.stderr


# ---------------------------------------------------------------------------------------------
# --git
# ---------------------------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> None:
    assert GIT is not None
    subprocess.run(
        [GIT, "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
    )


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with problems/ committed, then edited in the working tree."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo / "problems" / "invoice.yaml", base())
    write(repo / "problems" / "dock.yaml", base(name="Dock scheduling"))
    write(repo / "problems" / ".github" / "workflow.yaml", {"on": "push"})
    write(repo / "other" / "x.yaml", base(name="Elsewhere"))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    write(repo / "problems" / "invoice.yaml", base(discount_rate="12%"))
    (repo / "problems" / "dock.yaml").rename(repo / "problems" / "dock-renamed.yaml")
    write(repo / "problems" / "fresh.yaml", base(name="Fresh"))
    monkeypatch.chdir(repo)
    return repo


@needs_git
def test_git_compares_a_revision_with_the_working_tree(repository: Path) -> None:
    result = run("--git", "HEAD", "problems/", "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["old"], doc["new"]) == ("HEAD:problems/", "problems/")
    assert [(p["name"], p["status"], p["file"]) for p in doc["problems"]] == [
        ("Invoice matching", "changed", "problems/invoice.yaml"),
        ("Fresh", "added", "problems/fresh.yaml"),
        ("Dock scheduling", "unchanged", "problems/dock-renamed.yaml"),
    ]
    assert doc["problems"][0]["changes"] == [{"input": "discount_rate", "old": "10%", "new": "12%"}]
    # the default path is the current folder: other/ comes in on both sides
    whole = json.loads(run("--git", "HEAD", "-f", "json").stdout)
    assert whole["summary"]["unchanged"] == 2


@needs_git
def test_git_names_files_at_the_revision_in_errors(repository: Path) -> None:
    (repository / "problems" / "broken.yaml").write_text("name: [\n", encoding="utf-8")
    git(repository, "add", ".")
    git(repository, "commit", "-q", "-m", "broken")
    (repository / "problems" / "broken.yaml").unlink()
    result = run("--git", "HEAD", "problems")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "HEAD:problems/broken.yaml:2:1: invalid YAML: the file ends before a [ or { is closed; "
        "close it or remove it",
        "pmsize: 1 input error; nothing compared",
    ]


@needs_git
def test_git_path_absent_at_the_revision_is_all_added(repository: Path) -> None:
    write(repository / "later" / "new.yaml", base(name="Later"))
    doc = json.loads(run("--git", "HEAD", "later", "-f", "json").stdout)
    assert [(p["name"], p["status"]) for p in doc["problems"]] == [("Later", "added")]
    result = run("--git", "HEAD", "nowhere")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "nowhere:1:1: no such file or folder, here or at HEAD"


@needs_git
def test_git_errors_exit_2(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("--git", "no-such-branch")
    assert result.exit_code == 2
    assert result.stderr.startswith("pmsize: --git no-such-branch: unknown revision; ")
    result = run("--git", "--help-me")
    assert result.exit_code == 2
    assert "is not a revision" in result.stderr
    outside = repository.parent / "outside"
    outside.mkdir()
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repository.parent))
    result = run("--git", "HEAD")
    assert result.exit_code == 2
    assert "is not in a git repository" in result.stderr
    monkeypatch.setenv("PATH", str(outside))
    result = run("--git", "HEAD")
    assert result.exit_code == 2
    assert result.stderr == (
        "pmsize: --git needs the git command, and git is not on PATH; install git, or "
        "compare two paths: pmsize diff OLD NEW\n"
    )


@needs_git
def test_git_reads_the_same_files_at_the_revision_and_in_the_working_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # regression: the working tree followed links and walked into a submodule while the
    # revision skipped both, so with nothing changed their problems came out added (and
    # --fail-on avoid failed)
    repo = tmp_path / "repo"
    avoid = {"solution": {"adoption": "1%", "build_cost": "$900m"}}
    write(repo / "problems" / "a.yaml", base())
    (repo / "problems" / "current.yaml").symlink_to("a.yaml")  # inside: one problem
    write(repo / "problems" / ".versions" / "c.yaml", base(name="Versioned"))
    (repo / "problems" / "c.yaml").symlink_to(Path(".versions", "c.yaml"))  # read through it
    write(repo / "shared" / "b.yaml", base(name="Shared", **avoid))
    (repo / "problems" / "b.yaml").symlink_to(Path("..", "shared", "b.yaml"))  # outside
    vendor = repo / "problems" / "vendor"
    write(vendor / "v.yaml", base(name="Vendored", **avoid))
    git(vendor, "init", "-q")
    git(vendor, "add", ".")
    git(vendor, "commit", "-q", "-m", "vendored")
    git(repo, "init", "-q")
    git(repo, "add", ".")  # the vendored repository goes in as a submodule
    git(repo, "commit", "-q", "-m", "first")
    monkeypatch.chdir(repo)
    result = run("--git", "HEAD", "problems", "-f", "json", "--fail-on", "avoid")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [(p["name"], p["status"]) for p in doc["problems"]] == [
        ("Invoice matching", "unchanged"),
        ("Versioned", "unchanged"),
    ]
    assert sorted(result.stderr.splitlines()) == [
        "pmsize: note: HEAD:problems/b.yaml is a link to a file outside problems, so it is "
        "not read",
        "pmsize: note: HEAD:problems/vendor is a git submodule (another repository), so it "
        "is not read",
        "pmsize: note: problems/b.yaml is a link to a file outside problems, so it is not read",
        "pmsize: note: problems/vendor is a git submodule (another repository), so it is not read",
    ]
    # the whole repository: the link now leads to a file within the folder named
    whole = json.loads(run("--git", "HEAD", "-f", "json").stdout)
    assert whole["summary"] == {**whole["summary"], "unchanged": 3, "added": 0, "removed": 0}
    result = run("--git", "HEAD", "problems/vendor/v.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        "pmsize: problems/vendor/v.yaml: in the git submodule problems/vendor, whose files "
        "are another repository's; run pmsize diff --git inside it\n"
    )


@needs_git
def test_a_link_at_the_revision_leads_where_the_system_would_lead_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo / "problems" / "a.yaml", base())
    write(repo / "problems" / "sub" / "x.yaml", base(name="X"))
    links = {
        "chain.yaml": "next.yaml",
        "next.yaml": "a.yaml",
        "loop.yaml": "loop.yaml",
        "dir-link": "sub",
        "via.yaml": "dir-link/x.yaml",
        "above.yaml": "../../outside.yaml",
        "absolute.yaml": str(repo / "problems" / "a.yaml"),
        "absolute-out.yaml": str(tmp_path / "outside.yaml"),
        "missing.yaml": "gone.yaml",
        "folder.yaml": "sub",
        "file-as-folder.yaml": "a.yaml/x",
        "back.yaml": "../elsewhere/back/a.yaml",
    }
    (tmp_path / "outside.yaml").write_text("name: outside\n")
    (repo / "elsewhere").mkdir()
    (repo / "elsewhere" / "back").symlink_to(Path("..", "problems"))
    for name, target in links.items():
        (repo / "problems" / name).symlink_to(target)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "links")
    commit = subprocess.run(
        [GIT or "git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = gitfiles._Tree(commit, str(repo), str(repo))
    tree.listing("problems")
    seen: dict[str, str | None] = {}
    for name in links:
        real = Path(os.path.realpath(repo / "problems" / name))
        if not real.is_file():
            expected = None
        else:
            inside = pmsize._loader.within(str(real), str(repo))
            expected = "" if inside is None else inside
        reached = tree.follow(f"problems/{name}")
        assert (reached[0] if reached else None) == expected, name
        seen[name] = expected
    assert seen == {  # what the system says, for the record
        "chain.yaml": "problems/a.yaml",
        "next.yaml": "problems/a.yaml",
        "loop.yaml": None,
        "dir-link": None,
        "via.yaml": "problems/sub/x.yaml",
        "above.yaml": "",
        "absolute.yaml": "problems/a.yaml",
        "absolute-out.yaml": "",
        "missing.yaml": None,
        "folder.yaml": None,
        "file-as-folder.yaml": None,
        "back.yaml": "problems/a.yaml",
    }
    assert tree.follow("problems/back.yaml") == tree.follow("problems/chain.yaml")
    assert tree.follow("problems/chain.yaml") == (
        "problems/a.yaml",
        tree.entries["problems/a.yaml"][2],
    )


@needs_git
def test_git_says_why_it_refused_a_repository(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # regression: a repository git refused (dubious ownership: another user's checkout)
    # was reported as "not in a git repository", hiding the fix git gives
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)  # no safe.directory of the machine's
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    result = run("--git", "HEAD")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"pmsize: --git: git refused the repository at {repository}: detected dubious "
        f"ownership in repository at '{repository}' "
    )
    assert f"git config --global --add safe.directory {repository}\n" in result.stderr
    assert "not in a git repository" not in result.stderr


def test_what_git_says_is_printed_as_untrusted_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\nprintf 'fatal: odd \\033[31mred\\n::error::pwned\\n' >&2\nexit 128\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    monkeypatch.chdir(tmp_path)
    result = run("--git", "HEAD")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"pmsize: --git: git refused the repository at {tmp_path}: odd \\x1b[31mred "
    )
    assert result.stderr.count("\n") == 1
    assert "::error::" not in result.stderr


def test_a_shorter_horizon_that_ends_before_an_alternative_arrives_is_sized() -> None:
    # the old side's late alternatives, seen at the new side's 3-year horizon, arrive after
    # it: their lists (which count from arrival) must still lay out on three years
    old: dict[str, Any] = {
        "name": "P",
        "horizon_years": 5,
        "market": {"customers": 100, "problem_cost": "100k"},
        "solution": {"build_cost": "1m", "adoption": "10%"},
        "alternatives": [
            {"name": "Late", "from_year": 5, "annual_cost": ["10k"], "solves": "90%"},
            {"name": "Later", "from_year": 4, "annual_cost": ["10k", "5k"], "solves": "90%"},
        ],
    }
    new = json.loads(json.dumps(old))
    new["horizon_years"] = 3
    new["alternatives"] = [{"name": "Late", "annual_cost": "10k"}, {"name": "Later"}]
    p = changed(old, new)
    got = effects(p)
    assert set(got) == {"horizon_years", "alternatives[Late]", "alternatives[Later]"}
    assert sum(got.values()) == pytest.approx(p.npv_change, rel=1e-12)


def test_a_price_set_on_one_side_and_a_late_alternative_added_match_a_brute_force() -> None:
    # mixes where the price is set on one side only charge the ceiling on the other, and an
    # alternative listed on one side only is there from its from_year in its mixes alone:
    # each mix is the figure of that mixed problem, for every year (no infinite stand-ins)
    old = base(horizon_years=4)
    old["solution"].pop("price", None)
    old["alternatives"] = [{"name": "Spreadsheets", "annual_cost": "$40k", "solves": "30%"}]
    new = json.loads(json.dumps(old))
    new["solution"]["price"] = "$90k"
    new["alternatives"].append(
        {"name": "Fast follower", "from_year": 3, "annual_cost": ["$30k", "$20k"], "solves": "70%"}
    )
    new["discount_rate"] = "12%"
    p = changed(old, new)
    got = effects(p)
    assert set(got) == {"solution.price", "alternatives[Fast follower]", "discount_rate"}
    assert got == pytest.approx(_brute_force_shapley(old, new, list(got)), rel=1e-12, abs=1e-6)
    assert sum(got.values()) == pytest.approx(p.npv_change, rel=1e-12)


def test_the_table_ends_on_one_line_of_counts_that_leaves_out_zeros(tmp_path: Path) -> None:
    write(tmp_path / "old" / "a.yaml", base())
    write(tmp_path / "new" / "a.yaml", base(discount_rate="12%"))
    out = run(str(tmp_path / "old"), str(tmp_path / "new")).stdout
    # no `added: 0`, `removed: 0`, `unchanged: 0` lines; `worse`/`better` count verdicts
    assert "added" not in out
    assert "removed" not in out
    last = out.splitlines()[-1]
    assert last.startswith("1 changed · verdicts 0 worse, 0 better · NPV ")
