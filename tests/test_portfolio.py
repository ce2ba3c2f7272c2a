"""Portfolio files (SPEC §2): `problems:`, `defaults:` key by key, `policy:`, and locations.

Thresholds resolve as: CLI flag, else the problem's own `policy:`, else the
portfolio's `policy:`, else the built-in default (50% cap, 20% thin margin).
"""

from __future__ import annotations

import gc
import json
import re
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pmsize import _options as options
from pmsize.cli import app

ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}

# The capped problem: P = V = $100k; the suite gives C_a = 10k + 100k - 80k = $30k = C,
# so cap = 30%. Flagged capped-by-alternative when the cap threshold is above 30%.
CAPPED = """\
    market: {customers: 1000, problem_cost: $100k}
    solution: {name: Ours, build_cost: $1m, adoption: 10%}
    alternatives:
      - {name: Cheap suite, annual_cost: $10k, solves: 80%}
"""


CAP = "capped-by-alternative"


def evaluate(path: Path, *args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["evaluate", str(path), "-f", "json", *args], env=ENV)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    results: list[dict[str, Any]] = json.loads(result.stdout)["results"]
    return results


def by_name(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in results}


def test_defaults_fill_what_a_problem_leaves_out(tmp_path: Path) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(
        "defaults:\n"
        "  horizon_years: 1\n"
        "  discount_rate: 0%\n"
        "  market: {customers: 100, problem_cost: $10k}\n"
        "problems:\n"
        "  - name: Inherits everything\n"
        "    solution: {adoption: 50%}\n"
        "  - name: Own horizon\n"
        "    horizon_years: 2\n"
        "    solution: {adoption: 50%}\n"
    )
    results = by_name(evaluate(portfolio))
    # no alternatives, so C = V = $10k; 50 customers pay $10k: $500k a year, undiscounted
    assert results["Inherits everything"]["cash_flows"] == [0, 500_000]
    assert results["Inherits everything"]["npv"] == 500_000
    assert results["Own horizon"]["cash_flows"] == [0, 500_000, 500_000]
    assert results["Own horizon"]["market_size"] == 1_000_000  # 100 x $10k, from defaults


def test_a_problem_key_replaces_the_default_whole_without_deep_merge(tmp_path: Path) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(
        "defaults:\n"
        "  market: {customers: 100, revenue: $10m, problem_share: 10%}\n"
        "problems:\n"
        "  - name: Default market\n"
        "    solution: {adoption: 10%}\n"
        "  - name: Own market\n"
        "    market: {customers: 200, problem_cost: $1m}\n"  # merged, it would hold both forms
        "    solution: {adoption: 10%}\n"
    )
    results = by_name(evaluate(portfolio))
    assert results["Default market"]["problem_cost_per_customer"] == pytest.approx(1e6)  # 10% x 10m
    assert results["Default market"]["customers"] == 100
    assert results["Own market"]["problem_cost_per_customer"] == 1e6
    assert results["Own market"]["customers"] == 200


def test_each_problem_keeps_its_file_and_the_line_of_its_name(tmp_path: Path) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(
        "# a comment\n"
        "policy: {thin_margin: 10%}\n"
        "problems:\n"
        f"  - name: First\n{CAPPED}"  # lines 4 to 8
        "\n"
        "  - solution: {adoption: 1%}\n"  # line 10
        "    name: Second, its name not first\n"  # line 11
        "    market: {customers: 1000, problem_cost: $100k}\n"
    )
    results = by_name(evaluate(portfolio))
    assert (results["First"]["file"], results["First"]["line"]) == (str(portfolio), 4)
    assert results["Second, its name not first"]["line"] == 11


def test_errors_in_a_portfolio_point_at_the_problem_or_at_the_defaults(tmp_path: Path) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(
        "defaults:\n"
        "  discount_rate: 150%\n"
        "problems:\n"
        f"  - name: Fine\n{CAPPED}"
        "  - name: Broken\n"
        "    market: {customers: 10, problem_cost: -5}\n"
        "    solution: {adoption: 1%}\n"
    )
    result = CliRunner().invoke(app, ["evaluate", str(portfolio)], env=ENV)
    assert (result.exit_code, result.stdout) == (2, "")
    lines = result.stderr.splitlines()
    # the default's error is told once, where it is written, not once per problem
    assert [line.split(": ")[0:2] for line in lines] == [
        [f"{portfolio}:2:18", "defaults.discount_rate"],
        [f"{portfolio}:10:43", "problems[1].market.problem_cost"],
        ["pmsize", "2 input errors; nothing evaluated"],
    ]


@pytest.mark.parametrize(
    ("portfolio_policy", "own_policy", "flags", "expected"),
    [
        # built-in 50%: cap 30% is below it
        ("", "", [], [CAP]),
        # the portfolio's 25%: 30% is not below it
        ("policy: {cap_threshold: 25%}\n", "", [], []),
        # the problem's own 40% beats the portfolio's 25%
        ("policy: {cap_threshold: 25%}\n", "    policy: {cap_threshold: 40%}\n", [], [CAP]),
        # the CLI's 20% beats both
        (
            "policy: {cap_threshold: 60%}\n",
            "    policy: {cap_threshold: 40%}\n",
            ["--cap-threshold", "20%"],
            [],
        ),
        # ... and the CLI's 35% flags it under a portfolio that would not
        ("policy: {cap_threshold: 25%}\n", "", ["--cap-threshold", "35%"], [CAP]),
    ],
)
def test_thresholds_resolve_cli_then_problem_then_portfolio_then_built_in(
    tmp_path: Path,
    portfolio_policy: str,
    own_policy: str,
    flags: list[str],
    expected: list[str],
) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(f"{portfolio_policy}problems:\n  - name: Capped\n{CAPPED}{own_policy}")
    [result] = evaluate(portfolio, *flags)
    assert [f["code"] for f in result["flags"]] == expected
    assert result["verdict"] == ("reconsider" if expected else "pursue")
    # explain resolves them the same way: it evaluates through the same service
    memo = CliRunner().invoke(app, ["explain", str(portfolio), "-f", "markdown", *flags], env=ENV)
    assert ("capped-by-alternative" in memo.stdout) == bool(expected)
    # ... and so does the library, which keeps the thresholds on the result
    from pmsize import _loader as loader
    from pmsize import _service as service

    policy = options.policy(*(flags[1:] if flags else [None]), None)
    [problem] = loader.load_paths([str(portfolio)])
    [r] = service.evaluate_problems([problem], policy)
    assert r.thresholds == service.thresholds_for(problem, policy)
    assert [f.code for f in r.flags] == expected


def test_thin_margin_from_the_portfolio_and_the_cli(tmp_path: Path) -> None:
    # The capped problem with a $10m build: NPV = -10m + 3m x 3.790787 = $1.372m,
    # ROI = 1.372m / 10m = 13.7%: thin under the built-in 20%, not under 10%.
    thin = CAPPED.replace("$1m", "$10m")
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(f"policy: {{cap_threshold: 0%}}\nproblems:\n  - name: Thin\n{thin}")
    [result] = evaluate(portfolio)
    assert result["roi"] == pytest.approx(0.137236, abs=1e-6)
    assert [f["code"] for f in result["flags"]] == ["thin-margin"]
    [result] = evaluate(portfolio, "--thin-margin", "10%")
    assert result["flags"] == []
    portfolio.write_text(
        f"policy: {{cap_threshold: 0%, thin_margin: 10%}}\nproblems:\n  - name: Thin\n{thin}"
    )
    [result] = evaluate(portfolio)
    assert result["flags"] == []
    [result] = evaluate(portfolio, "--thin-margin", "0.15")
    assert [f["code"] for f in result["flags"]] == ["thin-margin"]


def test_a_portfolio_with_unknown_top_level_keys_is_refused(tmp_path: Path) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(f"defualts: {{}}\nproblems:\n  - name: A\n{CAPPED}")
    result = CliRunner().invoke(app, ["evaluate", str(portfolio)], env=ENV)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"{portfolio}:1:1: defualts: unknown key 'defualts'; did you mean defaults?"
    )


def test_duplicate_names_in_one_portfolio_are_refused_with_both_places(tmp_path: Path) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(f"problems:\n  - name: Twin\n{CAPPED}  - name: Twin\n{CAPPED}")
    result = CliRunner().invoke(app, ["evaluate", str(portfolio)], env=ENV)
    assert (result.exit_code, result.stdout) == (2, "")
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{portfolio}:7:5: name: problem name 'Twin' is already used at ")
    assert re.search(r" at (.*:2:5|line 2); names must be unique$", first)


def test_a_portfolio_and_single_files_rank_together(tmp_path: Path) -> None:
    (tmp_path / "portfolio.yaml").write_text(
        f"problems:\n  - name: Capped one\n{CAPPED}  - name: Capped two\n"
        + CAPPED.replace("1000", "2000")
    )
    (tmp_path / "single.yaml").write_text(
        "name: Single\n" + "".join(line[4:] + "\n" for line in CAPPED.splitlines())
    )
    results = evaluate(tmp_path)
    # twice the customers, twice the revenue: NPV = -1m + 6m x 3.790787 = $21.7m first
    assert [r["name"] for r in results] == ["Capped two", "Capped one", "Single"]
    assert results[0]["npv"] == pytest.approx(-1e6 + 6e6 * (1 - 1.1**-5) / 0.1, abs=1e-6)


def _priced(name: str, currency: str, customers: int) -> str:
    """A problem whose NPV and ceiling grow with `customers`; no symbol, so any currency."""
    return (
        f"  - name: {name}\n"
        f"    currency: {currency}\n"
        f"    market: {{customers: {customers}, problem_cost: {customers * 10}}}\n"
        "    solution: {adoption: 10%}\n"
    )


@pytest.fixture
def currencies(tmp_path: Path) -> Path:
    # NPV and ceiling: the euro problems are numerically the largest, but a euro figure
    # never outranks a dollar one; dollars come first (most problems), then EUR, GBP.
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(
        "problems:\n"
        + _priced("Dollars small", "USD", 100)
        + _priced("Euros big", "EUR", 1000)
        + _priced("Dollars big", "USD", 300)
        + _priced("Pounds", "GBP", 200)
        + _priced("Euros small", "EUR", 50)
        + _priced("Dollars mid", "USD", 200)
    )
    return portfolio


GROUPED = ["Dollars big", "Dollars mid", "Dollars small", "Euros big", "Euros small", "Pounds"]


@pytest.mark.parametrize("sort", ["npv", "ceiling", "roi"])
def test_problems_in_different_currencies_rank_within_their_currency(
    currencies: Path, sort: str
) -> None:
    assert [r["name"] for r in evaluate(currencies, "--sort", sort)] == GROUPED


def test_json_summary_totals_each_currency_and_says_why_totals_are_null(
    currencies: Path,
) -> None:
    result = CliRunner().invoke(app, ["evaluate", str(currencies), "-f", "json"], env=ENV)
    doc = json.loads(result.stdout)
    summary = doc["summary"]
    assert (summary["total_npv"], summary["total_market_size"]) == (None, None)
    assert summary["currencies"] == ["USD", "EUR", "GBP"]
    by = {c["currency"]: c for c in summary["by_currency"]}
    assert by["USD"]["problems"] == 3
    # markets: P x N = 10 N^2: 100k + 900k + 400k
    assert by["USD"]["total_market_size"] == pytest.approx(1.4e6)
    assert by["EUR"]["total_npv"] == pytest.approx(
        sum(r["npv"] for r in doc["results"] if r["currency"] == "EUR")
    )
    assert "different currencies" in summary["note"]


def test_tables_and_markdown_give_each_currency_its_heading_ranks_and_totals(
    currencies: Path,
) -> None:
    out = CliRunner().invoke(app, ["evaluate", str(currencies)], env={**ENV, "COLUMNS": "200"})
    lines = out.stdout.splitlines()
    assert lines[0] == "USD · 3 problems"
    assert lines.index("EUR · 2 problems") < lines.index("GBP · 1 problem")
    assert [line.split()[0] for line in lines[2:5]] == ["1", "2", "3"]
    assert lines[lines.index("EUR · 2 problems") + 2].split()[:3] == ["1", "Euros", "big"]
    assert any(line.startswith("EUR: 2 problems · 2 pursue · ") for line in lines)
    assert (
        lines[-1]
        == "6 problems · 6 pursue · 0 reconsider · 0 avoid · 3 currencies, each totalled above"
    )

    text = CliRunner().invoke(app, ["evaluate", str(currencies), "-f", "markdown"], env=ENV).stdout
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        "#### USD",
        "#### EUR",
        "#### GBP",
    ]
    assert "· USD: NPV if all are built $" in text
    assert "| 1 | Euros big |" in text

    rows = CliRunner().invoke(app, ["evaluate", str(currencies), "-f", "csv"], env=ENV).stdout
    assert [row.split(",")[2] for row in rows.splitlines()[1:]] == GROUPED


def test_amounts_in_a_currency_without_a_symbol_carry_its_code(tmp_path: Path) -> None:
    path = tmp_path / "chf.yaml"
    path.write_text(
        "name: Franks\ncurrency: CHF\n"
        "market: {customers: 1000, problem_cost: 100k}\n"
        "solution: {name: Ours, build_cost: 1m, adoption: 10%}\n"
        "alternatives:\n  - {name: Suite, annual_cost: 10k, solves: 80%}\n"
    )
    for args in ([], ["-f", "markdown"], ["-f", "github"]):
        out = CliRunner().invoke(app, ["evaluate", str(path), *args], env=ENV).stdout
        assert "CHF 30.0k" in out, args  # the ceiling
        assert "$" not in out.replace("\\$", ""), args
        assert not re.search(r"CHF\d", out), args
    out = CliRunner().invoke(app, ["explain", str(path)], env=ENV).stdout
    assert "CHF 1.00m in year 0" in out
    assert "$" not in out


def test_a_large_portfolio_table_is_laid_out_without_a_rich_table_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # regression: on a narrow terminal each problem was a grid in a grid and its flags a
    # third grid, each measured and rendered several times (5,000 problems took 22 s,
    # the CSV 3.7 s); now the lines are laid out directly, whatever the number of problems
    from rich.table import Table

    problems = "".join(
        f"  - name: Capped problem {i} with a name long enough to wrap at sixty columns\n" + CAPPED
        for i in range(40)
    )
    path = tmp_path / "many.yaml"
    path.write_text("policy: {cap_threshold: 50%}\nproblems:\n" + problems, encoding="utf-8")
    built: list[object] = []
    original = Table.__init__

    def counting(self: Table, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Table, "__init__", counting)
    result = CliRunner().invoke(app, ["evaluate", str(path)], env={**ENV, "COLUMNS": "60"})
    assert (result.exit_code, result.stderr) == (0, "")
    assert built == []  # before: two grids a problem and one for its flags
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        " 1 Capped problem 0 with a name long enough to    reconsider",
        "   wrap at sixty columns",
        "   NPV $10.4m (naive $36.9m) · ROI 1,037% · ceiling $30.0k",
        "   set by Cheap suite · market $100m/yr · payback 0.4 y",
    ]
    assert lines[-3:] == [
        "  ! capped-by-alternative Cheap suite caps the price at",
        "                          $30.0k a year, 30% of the $100k",
        "                          Ours is worth (below 50%).",
    ]
    assert sum(CAP in line for line in lines) == 40


# ------------------------------------------------------------------ memory (SPEC §16)

MANY = "".join(
    f"  - name: Problem {i}\n"
    f"    market: {{customers: {100 + i}, problem_cost: ${10 + i}k}}\n"
    f"    solution: {{adoption: [1%, 2%], build_cost: $1m}}\n"
    f"    alternatives:\n"
    f"      - {{name: Suite, annual_cost: ${i % 7}k, solves: 40%}}\n"
    for i in range(60)
)


def _alive(kind: type) -> int:
    return sum(1 for o in gc.get_objects() if type(o) is kind)


def test_parsed_data_is_freed_without_the_garbage_collector() -> None:
    # evaluate pauses the collector: a cycle through the parser's handlers once held a
    # whole file's data to the end of the run
    from pmsize._loader import _yaml

    was = gc.isenabled()
    gc.disable()
    try:
        before = _alive(_yaml.Map)
        root = _yaml.build(f"problems:\n{MANY}", "p.yaml", [])
        assert _alive(_yaml.Map) > before
        del root
        assert _alive(_yaml.Map) == before
    finally:
        if was:
            gc.enable()


def test_evaluating_a_portfolio_holds_results_not_problems(tmp_path: Path) -> None:
    from pmsize import _service as service
    from pmsize._models import NO_POLICY, Problem

    path = tmp_path / "p.yaml"
    path.write_text(f"problems:\n{MANY}")
    was = gc.isenabled()
    gc.disable()
    try:
        before = _alive(Problem)
        results = service.evaluate_paths([str(path)], NO_POLICY)
        assert len(results) == 60
        assert _alive(Problem) == before  # each let go once evaluated, its data with it
    finally:
        if was:
            gc.enable()


def test_a_portfolio_lets_go_of_each_entry_once_its_problem_is_made() -> None:
    from pmsize._loader import _portfolio, _yaml

    root = _yaml.build(f"problems:\n{MANY}", "p.yaml", [])
    listed = root["problems"]
    made = _portfolio.each_problem_of(root, "p.yaml")
    first = next(made)
    assert listed[0] is not None  # the entry the problem was made from, still located
    second = next(made)
    assert listed[0] is None  # held by the first problem alone now
    assert first.as_written is not None
    assert first.as_written["name"] == "Problem 0"
    assert second.name == "Problem 1"
    assert len(list(made)) == 58


def test_a_result_keeps_what_it_shows_in_a_few_kib() -> None:
    # what 10,000 problems' results weigh is benchmarks/portfolio.py's to measure; this
    # holds the line above it: about 3.2 KiB a result here on Python 3.11, and 5.6 KiB
    # when results kept a dict each, the discounted flows and every year as an object
    from pmsize import _service as service
    from pmsize._loader import load_text
    from pmsize._models import NO_POLICY

    problems = load_text(f"problems:\n{MANY}")
    tracemalloc.start()
    try:
        results = [service.evaluate(p, service.thresholds_for(p, NO_POLICY)) for p in problems]
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(results) == 60
    assert held / len(results) < 4.5 * 1024
    assert not hasattr(results[0], "__dict__")  # slotted
