"""Named regression tests: each pins a defect found once, so it stays fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmsize import _service as service
from pmsize._errors import InputErrors
from pmsize._finance import unique_irr
from pmsize._loader import load_text
from pmsize.cli import app

ROOT = Path(__file__).resolve().parent.parent
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
ESCAPED = """
name: "evil\\e[31mRED"
market: {customers: 100, problem_cost: {low: 50k, high: 150k}}
solution: {name: "s\\e[1mB", build_cost: 1m, adoption: 10%}
alternatives:
  - {name: "alt\\e[5m", annual_cost: 20k, solves: 50%}
"""


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=ENV, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_simulate_and_sensitivity_never_send_control_codes_from_names() -> None:
    for command in ("simulate", "sensitivity"):
        code, out, _ = run(command, "-", "--samples", "200", stdin=ESCAPED)
        assert code == 0
        assert "\x1b" not in out
        assert "evil\\x1b[31mRED" in out


def test_github_annotations_never_carry_control_codes_from_names() -> None:
    avoid = ESCAPED.replace("build_cost: 1m", "build_cost: 1bn")  # annotated: avoid
    code, out, _ = run("evaluate", "-", "--format", "github", stdin=avoid)
    assert code == 0
    assert "\x1b" not in out
    assert "evil\\x1b[31mRED" in out


def test_explain_on_a_narrow_terminal_never_cuts_a_figure() -> None:
    claims = str(ROOT / "examples" / "claims-processing.yaml")
    result = CliRunner().invoke(app, ["explain", claims], env={**ENV, "COLUMNS": "60"})
    assert result.exit_code == 0
    assert "…" not in result.stdout
    assert "Year 5: paying 40 · revenue $0 · costs $3.10m ·" in result.stdout


def test_an_alternative_named_none_is_refused_as_reserved() -> None:
    text = """
name: P
market: {customers: 10, problem_cost: 1m}
solution: {adoption: 10%}
alternatives: [{name: none, annual_cost: 10k}]
"""
    with pytest.raises(InputErrors) as raised:
        load_text(text, "p.yaml")
    assert [str(e) for e in raised.value.errors] == [
        "p.yaml:5:23: alternatives[0].name: 'none' is reserved: it stands for no "
        "alternative setting the ceiling; rename this one"
    ]


def test_a_lognormal_range_wider_than_twelve_orders_is_refused() -> None:
    text = """
name: P
market: {customers: 10, problem_cost: 1m, }
solution: {adoption: 10%, solves: 1e-300 to 100%}
"""
    code, out, err = run("evaluate", "-", stdin=text)
    assert (code, out) == (2, "")
    assert "spans more than twelve orders of magnitude" in err


def test_irr_below_all_reach_is_null_with_a_note_not_a_crash() -> None:
    # one sign change, but the root sits at x = 1/(1+r) beyond 1e12: r within 1e-12 of -100%
    flows = (-1e15, *([1e-300] * 50))
    assert unique_irr(flows) == (None, "no IRR within reach: it would be below -99.9999999999%")


def test_empty_alternatives_and_policy_keys_mean_none_and_defaults() -> None:
    text = """
name: P
market: {customers: 10, problem_cost: 1m}
solution: {adoption: 10%}
alternatives:
  # - {name: Spreadsheets, annual_cost: 5k}
policy:
"""
    [problem] = load_text(text)
    assert problem.alternatives == ()
    assert problem.policy.cap_threshold is None


def test_a_file_named_twice_is_read_once() -> None:
    claims = str(ROOT / "examples" / "claims-processing.yaml")
    code, out, err = run("evaluate", claims, claims, str(ROOT / "examples"), "-f", "json")
    assert (code, err) == (0, "")
    names = [r["name"] for r in json.loads(out)["results"]]
    assert names.count("Claims order processing") == 1


def test_no_command_lets_a_name_start_a_ci_workflow_command() -> None:
    text = ESCAPED.replace('name: "evil\\e[31mRED"', 'name: "Bad\\n::error::injected"')
    for command in ("evaluate", "explain", "simulate", "sensitivity"):
        args = [command, "-"] + (
            ["--samples", "200"] if command in ("simulate", "sensitivity") else []
        )
        code, out, _ = run(*args, stdin=text)
        assert code == 0
        assert [line for line in out.splitlines() if line.lstrip().startswith("::")] == []


def test_a_bad_columns_value_does_not_break_output_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    claims = str(ROOT / "examples" / "claims-processing.yaml")
    result = CliRunner().invoke(
        app, ["evaluate", claims, "-o", str(target)], env={**ENV, "COLUMNS": "abc"}
    )
    assert (result.exit_code, result.stdout) == (0, "")
    assert target.read_text(encoding="utf-8").startswith("Claims order processing")


def test_an_alternative_named_like_a_flag_mark_is_not_styled_as_a_flag() -> None:
    from pmsize.render import explain

    text = """
name: P
market: {customers: 10, problem_cost: 1m}
solution: {adoption: 10%}
alternatives: [{name: "! Looks like a warning", annual_cost: 10k, solves: 50%}]
"""
    problem = load_text(text)[0]
    memo = explain.memo(problem, service.evaluate(problem))
    bullets = [b for p in memo.points for b in p.bullets]
    assert bullets[0].text.startswith("! Looks like a warning (other) costs")
    assert bullets[0].severity is None


# ------------------------------------------------------------ found on a second newcomer walk


def errors_of(text: str) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        load_text(text, "p.yaml")
    return [str(e) for e in caught.value.errors]


def test_a_replaced_default_names_every_key_it_drops() -> None:
    portfolio = (
        "defaults:\n"
        "  market: {customers: 300, problem_cost: $200k}\n"
        "  solution: {name: Tool, build_cost: $500k, solves: 60%, adoption: 5%}\n"
        "problems:\n"
        "  - name: Gamma\n"
        "    solution: {price: $50k}\n"
    )
    [message] = errors_of(portfolio)
    assert message.endswith(
        "this problem's own `solution:` replaces the whole `solution` of `defaults:`; repeat "
        "adoption here (the default's name, build_cost and solves are dropped too)"
    )


def test_a_bare_one_for_a_discount_rate_suggests_only_one_percent() -> None:
    text = "name: T\ndiscount_rate: 1\nmarket: {customers: 1, problem_cost: 1m}\n"
    assert errors_of(text + "solution: {adoption: 5%}\n") == [
        "p.yaml:2:16: discount_rate: 1 is ambiguous; write 1% (a discount rate is below 100%)"
    ]


def test_alternative_names_that_differ_only_in_case_are_one_name() -> None:
    text = (
        "name: T\nmarket: {customers: 1, problem_cost: 1m}\nsolution: {adoption: 5%}\n"
        "alternatives: [{name: Excel}, {name: excel}]\n"
    )
    assert errors_of(text) == [
        "p.yaml:4:38: alternatives[1].name: alternative name `excel` is already used by "
        "alternatives[0]; give each alternative its own name"
    ]


COSTLESS = """
problems:
  - name: Costless
    market: {customers: 100, problem_cost: 100k}
    solution: {adoption: 10%}
    alternatives: []
  - name: Costly
    market: {customers: 100, problem_cost: 100k}
    solution: {build_cost: 50m, adoption: 10%}
"""


def test_sorting_by_roi_puts_a_costless_profitable_problem_first() -> None:
    # Costless spends nothing (ROI undefined) and earns 10 customers x $100k a year:
    # an unbounded return, ranked above Costly's ROI of about -87%.
    code, out, _ = run("evaluate", "-", "--sort", "roi", "-f", "json", stdin=COSTLESS)
    assert code == 0
    results = json.loads(out)["results"]
    assert (results[0]["name"], results[0]["roi"]) == ("Costless", None)
    assert results[1]["roi"] < 0


def test_no_setter_reads_as_a_dash_or_uncapped_never_as_a_name() -> None:
    wide = (
        CliRunner()
        .invoke(app, ["evaluate", "-"], input=COSTLESS, env={**ENV, "COLUMNS": "200"})
        .stdout
    )
    assert " none " not in wide
    [row] = [line for line in wide.splitlines() if "Costless" in line]
    assert " — " in row
    _, markdown, _ = run("evaluate", "-", "-f", "markdown", stdin=COSTLESS)
    assert "| none |" not in markdown
    assert "| — |" in markdown
    narrow = CliRunner().invoke(
        app, ["evaluate", "-"], input=COSTLESS, env={**ENV, "COLUMNS": "50"}
    )
    assert "uncapped" in narrow.stdout
    assert "set by none" not in narrow.stdout
    ranged = (
        "name: R\nmarket: {customers: 10, problem_cost: 1m to 2m}\nsolution: {adoption: 5%}\n"
        "alternatives: [{name: Spreadsheet, annual_cost: 1.4m, solves: 100%}]\n"
    )
    _, simulated, _ = run("simulate", "-", "-n", "500", stdin=ranged)
    [set_by] = [line for line in simulated.splitlines() if "Set by" in line]
    assert "no alternative" in set_by
    assert "none" not in set_by


def test_the_range_example_is_written_in_the_file_s_currency() -> None:
    pounds = "name: P\ncurrency: GBP\nmarket: {customers: 10, problem_cost: 1m}\n"
    _, out, _ = run("simulate", "-", "-n", "100", stdin=pounds + "solution: {adoption: 5%}\n")
    assert "`£1m to £4m`" in out
    assert "$" not in out


def test_explain_says_there_is_no_roi_when_nothing_is_spent() -> None:
    costless = "name: C\nmarket: {customers: 100, problem_cost: 100k}\nsolution: {adoption: 10%}\n"
    _, out, _ = run("explain", "-", stdin=costless)
    assert "no ROI: nothing is spent" in " ".join(out.split())
    assert "is n/a" not in out


def test_csv_of_mixed_currencies_says_so_beside_the_data(tmp_path: Path) -> None:
    for code in ("USD", "EUR"):
        (tmp_path / f"{code}.yaml").write_text(
            f"name: In {code}\ncurrency: {code}\nmarket: {{customers: 1, problem_cost: 1m}}\n"
            "solution: {adoption: 5%}\n"
        )
    code, out, err = run("evaluate", str(tmp_path), "-f", "csv")
    assert code == 0
    assert err == (
        "pmsize: note: the rows mix EUR, USD; they are grouped by currency and ranked within "
        "each, so compare figures only within one currency\n"
    )
    assert out.count("\n") == 3


def test_the_count_of_errors_includes_those_a_file_s_cap_left_unlisted(tmp_path: Path) -> None:
    keys = "".join(f"k{i}: 1\n" for i in range(300))
    bad = tmp_path / "many.yaml"
    bad.write_text(
        "name: T\nmarket: {customers: 1, problem_cost: 1m}\nsolution: {adoption: 5%}\n" + keys
    )
    code, _, err = run("validate", str(bad))
    lines = err.splitlines()
    assert code == 2
    assert len(lines) == 102  # 100 errors, the line counting the other 200, the count
    assert lines[-2].endswith(
        "... and 200 more errors in this file; fix the ones above and run again"
    )
    assert lines[-1] == "pmsize: 300 input errors"
