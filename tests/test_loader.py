"""The loader: YAML text to problems, every error located; YAML 1.1 never guesses a type."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from pmsize import loader
from pmsize.errors import InputError, InputErrors
from pmsize.loader import load_bytes, load_text

ITEM = "{name: A, market: {customers: 1, problem_cost: 1}, solution: {adoption: 1%}}"
BASE = "name: {name}\nmarket: {{customers: 400, problem_cost: $150k}}\nsolution:\n  adoption: 5%\n"


def errors_of(text: str) -> list[str]:
    try:
        load_text(text, "p.yaml")
    except InputErrors as exc:
        return [str(e) for e in exc.errors]
    except InputError as exc:
        return [str(exc)]
    return []


@pytest.fixture(params=["C", "Python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the C parser (when built) and with the pure-Python one."""
    if request.param == "Python":
        monkeypatch.setattr(loader, "_Loader", yaml.SafeLoader)
    return str(request.param)


@pytest.mark.parametrize("null", ["", "~", "null", "Null", "NULL"])
def test_a_plain_null_means_the_key_is_absent(parser: str, null: str) -> None:
    # regression: the C parser marks plain scalars with style "", not None
    [entry] = load_text(BASE.format(name="Priced") + f"  price: {null}\n")
    assert entry.problem.solution.price is None


def test_a_quoted_null_is_text(parser: str) -> None:
    [entry] = load_text(BASE.format(name="'null'"))
    assert entry.problem.name == "null"


@pytest.mark.parametrize("name", ["no", "yes", "2024-01-01", "0x10", "012", "1e3", "1:30"])
def test_yaml_11_never_guesses_the_type_of_text(parser: str, name: str) -> None:
    [entry] = load_text(BASE.format(name=name))
    assert entry.problem.name == name


def test_the_same_errors_come_from_either_parser(parser: str) -> None:
    text = "name: a\n" + BASE.format(name="b")
    assert errors_of(text) == [
        "p.yaml:2:1: duplicate key 'name' (first at line 1); each key may appear once, so "
        "remove one of them"
    ]


def test_duplicate_keys_are_reported_with_every_other_error(parser: str) -> None:
    text = "name: a\nname: b\nmarket: {customers: 4, customers: 5}\n"
    assert errors_of(text) == [
        "p.yaml:1:1: solution: is required; add `solution:` with at least `adoption:`",
        "p.yaml:2:1: duplicate key 'name' (first at line 1); each key may appear once, so "
        "remove one of them",
        "p.yaml:3:9: market: give problem_cost (per customer a year), or revenue and problem_share",
        "p.yaml:3:24: duplicate key 'customers' (first at line 3); each key may appear once, "
        "so remove one of them",
    ]


def test_a_utf8_byte_order_mark_and_windows_line_ends_are_fine() -> None:
    data = b"\xef\xbb\xbf" + BASE.format(name="Windows").replace("\n", "\r\n").encode()
    [entry] = load_bytes(data, "w.yaml")
    assert entry.problem.name == "Windows"


def test_a_default_applies_key_by_key_and_a_problem_key_replaces_it_whole() -> None:
    entries = load_text(
        "defaults:\n  horizon_years: 3\n  market: {customers: 400, problem_cost: $150k}\n"
        "problems:\n  - {name: One, solution: {adoption: 5%}}\n"
        "  - {name: Two, market: {customers: 10, problem_cost: 1m}, solution: {adoption: 5%}}\n"
    )
    one, two = (e.problem for e in entries)
    assert (one.horizon_years, one.market.customers, one.market.problem_cost) == (3, 400, 150e3)
    assert (two.horizon_years, two.market.customers, two.market.problem_cost) == (3, 10, 1e6)


def test_a_bad_default_is_reported_once_at_the_default() -> None:
    text = (
        "defaults:\n  discount_rate: 150%\n"
        f"problems:\n  - {ITEM.replace('A', 'One')}\n  - {ITEM.replace('A', 'Two')}\n"
    )
    assert errors_of(text) == [
        "p.yaml:2:18: defaults.discount_rate: 150% is over 100%; a share is at most 100%"
    ]


def test_two_problems_with_one_name_in_a_portfolio_are_an_error() -> None:
    text = (
        "defaults:\n  market: {customers: 1, problem_cost: 1}\n  solution: {adoption: 1%}\n"
        "problems:\n  - name: Same\n  - name: Same\n"
    )
    assert errors_of(text) == [
        "p.yaml:6:5: name: problem name 'Same' is already used at line 5; names must be unique"
    ]


@pytest.mark.parametrize(
    ("portfolio", "message"),
    [
        (
            "defaults: []\n",
            "p.yaml:1:11: defaults: expected a mapping of problem keys (key: value)",
        ),
        (
            "pmsize: 3\n",
            "p.yaml:1:9: pmsize: format version 3 is not supported; this pmsize reads `pmsize: 1`",
        ),
        (
            "problems: []\n",
            "p.yaml:1:11: problems: expected a list of problems, each `- name: ...`",
        ),
    ],
)
def test_portfolio_keys_are_checked_too(portfolio: str, message: str) -> None:
    text = portfolio + (f"problems:\n  - {ITEM}\n" if not portfolio.startswith("problems") else "")
    assert errors_of(text) == [message]


def test_empty_policy_and_defaults_in_a_portfolio_mean_none() -> None:
    entries = load_text(f"defaults:\npolicy:\nproblems:\n  - {ITEM}\n")
    assert [e.problem.name for e in entries] == ["A"]


def test_defaults_in_a_single_problem_says_where_it_belongs() -> None:
    assert errors_of(BASE.format(name="A") + "defaults: {currency: EUR}\n") == [
        "p.yaml:5:1: defaults: unknown key 'defaults'; `defaults:` works only beside "
        "`problems:` in a portfolio"
    ]


def test_errors_come_in_file_order_whatever_finds_them() -> None:
    text = (
        "name: Order\nhorizon_years: 1\nmarket: {customers: 1, problem_cost: 1, revenu: 3}\n"
        "solution: {adoption: [1%, 2%], solves: 0%}\ncolour: red\n"
    )
    lines = [int(e.split(":")[1]) for e in errors_of(text)]
    assert lines == sorted(lines)
    assert len(lines) == 4  # unknown revenu, adoption too long, solves 0%, unknown colour


@pytest.mark.parametrize(
    ("written", "years"), [("5", 5), ("'7'", 7), ("5.0", 5), ("50", 50), ("1", 1)]
)
def test_horizon_years_is_any_whole_number_from_one_to_fifty(written: str, years: int) -> None:
    [entry] = load_text(f"horizon_years: {written}\n" + BASE.format(name="H"))
    assert entry.problem.horizon_years == years


def test_minus_zero_is_zero() -> None:
    [entry] = load_text(BASE.format(name="Z") + "  build_cost: -0\n")
    assert entry.problem.solution.build_cost == 0


def test_check_paths_counts_problems_per_file(tmp_path: Any) -> None:
    (tmp_path / "a.yaml").write_text(BASE.format(name="A"))
    (tmp_path / "b.yml").write_text(BASE.format(name="B"))
    assert loader.check_paths([str(tmp_path)]) == (
        [(str(tmp_path / "a.yaml"), 1), (str(tmp_path / "b.yml"), 1)],
        [],
    )
