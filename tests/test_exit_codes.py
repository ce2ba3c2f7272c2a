"""Exit codes (SPEC §5): the policy gate, input and usage errors, bugs, Ctrl-C; and the README.

0 success; 1 the `--fail-on` policy was met; 2 bad input or usage; 3 an internal
error; 130 interrupted. A crash must never exit 1, or a CI gate could not tell a
bug from a problem to avoid.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmsize import _loader as loader
from pmsize._errors import ExitCode
from pmsize.cli import app

ROOT = Path(__file__).resolve().parent.parent
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}

# One problem of each verdict (figures worked out in test_cli_evaluate.py).
BODIES = {
    "pursue": """\
market: {customers: 5k, problem_cost: $50k}
solution: {annual_cost: $500k, cost_per_customer: $5k, adoption: 2%}
alternatives:
  - {name: Expense tool add-on, annual_cost: $35k}
""",
    "reconsider": """\
market: {customers: 1000, problem_cost: $100k}
solution: {build_cost: $1m, adoption: 10%}
alternatives:
  - {name: Cheap suite, annual_cost: $10k, solves: 80%}
""",
    "avoid": """\
market: {customers: 100, problem_cost: $1m}
solution: {build_cost: $1m, adoption: 10%}
alternatives:
  - {name: Free tool, annual_cost: 0}
""",
}


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=ENV, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def folder_of(tmp_path: Path, verdicts: str) -> Path:
    """A folder with one problem of each verdict named in `verdicts` (space-separated)."""
    for verdict in verdicts.split():
        (tmp_path / f"{verdict}.yaml").write_text(f"name: {verdict}\n{BODIES[verdict]}")
    return tmp_path


@pytest.mark.parametrize(
    ("verdicts", "fail_on", "code"),
    [
        ("pursue reconsider avoid", "never", 0),
        ("pursue reconsider avoid", "reconsider", 1),
        ("pursue reconsider avoid", "avoid", 1),
        ("pursue reconsider", "avoid", 0),
        ("pursue reconsider", "reconsider", 1),
        ("pursue", "reconsider", 0),
        ("pursue", "avoid", 0),
        ("avoid", "reconsider", 1),  # beyond the level counts too
    ],
)
@pytest.mark.parametrize("format", ["table", "json", "csv", "markdown", "github"])
def test_the_gate_exits_one_when_a_verdict_is_at_or_beyond_the_level(
    tmp_path: Path, verdicts: str, fail_on: str, code: int, format: str
) -> None:
    folder = folder_of(tmp_path, verdicts)
    got, out, err = invoke("evaluate", str(folder), "--fail-on", fail_on, "--format", format)
    assert (got, err) == (code, "")
    assert out  # the report is printed whether or not the gate fails


def test_the_gate_is_off_unless_asked(tmp_path: Path) -> None:
    code, _, _ = invoke("evaluate", str(folder_of(tmp_path, "avoid")))
    assert code == ExitCode.OK


def test_the_gate_sees_thresholds_from_the_command_line(tmp_path: Path) -> None:
    # reconsider only because its cap (30%) is below the 50% default
    folder = folder_of(tmp_path, "reconsider")
    assert invoke("evaluate", str(folder), "--fail-on", "reconsider")[0] == 1
    code, _, _ = invoke(
        "evaluate", str(folder), "--fail-on", "reconsider", "--cap-threshold", "25%"
    )
    assert code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "pmsize: --format xml: evaluate writes table, json, jsonl, csv"),
        (["--fail-on", "sometimes"], "pmsize: --fail-on sometimes: evaluate takes never, "),
        (["--sort", "size"], "pmsize: --sort size: evaluate ranks by npv, roi, "),
        (["--cap-threshold", "lots"], "pmsize: --cap-threshold: "),
        (["--thin-margin", "20"], "pmsize: --thin-margin: 20 is read as 2000%; write 20%"),
    ],
)
def test_usage_errors_exit_two_and_print_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    code, out, err = invoke("evaluate", str(folder_of(tmp_path, "pursue")), *args)
    assert (code, out) == (ExitCode.BAD_INPUT, "")
    assert message in err


def test_bad_input_exits_two_even_with_the_gate_off(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: Bad\nmarket: [\n")
    code, out, err = invoke("evaluate", str(tmp_path), "--fail-on", "never")
    assert (code, out) == (ExitCode.BAD_INPUT, "")
    assert err.startswith(f"{tmp_path / 'bad.yaml'}:")


def test_bad_input_wins_over_the_gate(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "avoid")
    (folder / "bad.yaml").write_text("name: Bad\n")
    code, out, _ = invoke("evaluate", str(folder), "--fail-on", "avoid")
    assert (code, out) == (ExitCode.BAD_INPUT, "")


def test_an_internal_error_exits_three_not_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmsize.render import github

    def broken(*args: object, **kwargs: object) -> str:
        raise KeyError("oops")

    monkeypatch.setattr(github, "document", broken)
    code, out, err = invoke(
        "evaluate", str(folder_of(tmp_path, "avoid")), "-f", "github", "--fail-on", "avoid"
    )
    assert (code, out) == (ExitCode.INTERNAL_ERROR, "")
    assert "internal error (KeyError: 'oops'). This is a bug" in err


def test_ctrl_c_exits_130_quietly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(loader, "each_problem", interrupted)
    code, out, err = invoke("evaluate", str(folder_of(tmp_path, "pursue")))
    assert (code, out, err) == (ExitCode.INTERRUPTED, "", "pmsize: interrupted\n")


def test_stdin_problems_are_gated_like_files() -> None:
    code, out, _ = invoke(
        "evaluate", "-", "-f", "json", "--fail-on", "avoid", stdin="name: x\n" + BODIES["avoid"]
    )
    assert code == ExitCode.POLICY_FAILED
    assert json.loads(out)["summary"]["avoid"] == 1


# ------------------------------------------------------------------ the README's table


def readme_exit_codes() -> dict[int, str]:
    """The rows `| code | meaning |` of the table under the README's `## Exit codes`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Exit codes\n", 1)
    assert len(section) == 2, "README.md has no `## Exit codes` section"
    body = section[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\|\s*(\d+)\s*\|\s*(.+?)\s*\|\s*$", body, re.MULTILINE)
    return {int(code): meaning for code, meaning in rows}


def test_the_readme_exit_code_table_matches_the_code() -> None:
    documented = readme_exit_codes()
    assert sorted(documented) == sorted(code.value for code in ExitCode)
    words = {
        ExitCode.OK: "success",
        ExitCode.POLICY_FAILED: "--fail-on",
        ExitCode.BAD_INPUT: "bad input",
        ExitCode.INTERNAL_ERROR: "internal error",
        ExitCode.INTERRUPTED: "interrupted",
    }
    for code, word in words.items():
        assert word in documented[code.value], (code, documented[code.value])
