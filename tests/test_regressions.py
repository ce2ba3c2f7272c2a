"""Named regression tests: each pins a defect found once, so it stays fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmsize.cli import app
from pmsize.engine import unique_irr
from pmsize.errors import InputErrors
from pmsize.loader import load_text

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
    [entry] = load_text(text)
    assert entry.problem.alternatives == ()
    assert entry.problem.policy.cap_threshold is None


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
    from pmsize import engine
    from pmsize.render import explain

    text = """
name: P
market: {customers: 10, problem_cost: 1m}
solution: {adoption: 10%}
alternatives: [{name: "! Looks like a warning", annual_cost: 10k, solves: 50%}]
"""
    problem = load_text(text)[0].problem
    memo = explain.memo(problem, engine.evaluate(problem), engine.Thresholds())
    bullets = [b for p in memo.points for b in p.bullets]
    assert bullets[0].text.startswith("! Looks like a warning (other) costs")
    assert bullets[0].severity is None
