"""`pmsize evaluate` as a person and a script see it: exit codes, stdout and stderr apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmsize import _options as options
from pmsize import _service as service
from pmsize.cli import app

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = str(ROOT / "examples" / "claims-processing.yaml")
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=ENV, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_seed_example_is_avoided_and_says_why() -> None:
    code, out, err = invoke("evaluate", CLAIMS)
    assert (code, err) == (0, "")
    head = out.splitlines()[0]
    assert head.startswith("Claims order processing")
    assert head.endswith("AVOID")
    assert "set by Open-source workflow stack" in out
    assert "✗ no-sustainable-price" in out
    assert "naive, ignoring alternatives: +$992m" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_two_problems_are_ranked_by_npv_with_a_summary() -> None:
    examples = ROOT / "examples"
    code, out, _ = invoke(
        "evaluate", str(examples / "claims-processing.yaml"), str(examples / "dock-scheduling.yaml")
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("1 Dock appointment scheduling")
    assert lines[0].endswith("reconsider")  # the verdict stands at the right edge, line 1
    assert len(lines[0]) == 80
    assert lines[3].startswith("2 Claims order processing")
    assert "2 problems · 0 pursue · 1 reconsider · 1 avoid" in out


def test_json_gives_the_seed_case_its_figures_and_summary() -> None:
    code, out, err = invoke("evaluate", CLAIMS, "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["schema_version"] == 1
    result = doc["results"][0]
    # every field and its order: test_formats.test_json_keeps_the_contract_order...
    assert result["verdict"] == "avoid"
    assert result["ceiling_per_customer"] == 0
    assert result["irr"] is None
    assert [f["code"] for f in result["flags"]] == ["no-sustainable-price", "negative-npv"]
    assert doc["summary"] == {
        "problems": 1,
        "pursue": 0,
        "reconsider": 0,
        "avoid": 1,
        "total_npv": result["npv"],
        "total_market_size": 5e9,  # $10m x 500 customers
    }


def test_fail_on_avoid_exits_one_and_still_prints() -> None:
    code, out, _ = invoke("evaluate", CLAIMS, "--fail-on", "avoid")
    assert code == 1
    assert "AVOID" in out


def test_bad_input_reports_every_error_located_and_exits_two(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: Typo\n"
        "market:\n"
        "  customers: 400\n"
        "  problem_cots: $1m\n"
        "solution:\n"
        "  adoption: 5\n"
        "  solves: 80%\n"
    )
    code, out, err = invoke("evaluate", str(bad))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{bad}:4:3: market.problem_cots: unknown key 'problem_cots'; did you mean problem_cost?",
        f"{bad}:6:13: solution.adoption: 5 is read as 500%; write 5%",
        "pmsize: 2 input errors; nothing evaluated",
    ]


def test_an_internal_error_exits_three_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(service, "evaluate", broken)
    code, out, err = invoke("evaluate", CLAIMS)
    assert (code, out) == (3, "")
    assert "internal error (ZeroDivisionError: boom)" in err
    assert "Traceback" not in err


def test_output_file_gets_the_document_and_stdout_stays_empty(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, out, _ = invoke("evaluate", CLAIMS, "--format", "json", "--output", str(target))
    assert (code, out) == (0, "")
    assert json.loads(target.read_text())["results"][0]["name"] == "Claims order processing"


def test_runs_as_a_real_process_with_python_dash_m() -> None:
    env = {**os.environ, **ENV}
    proc = subprocess.run(
        [sys.executable, "-m", "pmsize", "evaluate", CLAIMS, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["results"][0]["verdict"] == "avoid"
    assert proc.stderr == ""


@pytest.mark.parametrize("args", [["-f", "xml"], ["--format", "xml"], ["-f", "xml", "--excel"]])
def test_a_format_evaluate_lacks_gets_pmsizes_sentence(tmp_path: Path, args: list[str]) -> None:
    # was Typer's "Invalid value for '--format' / '-f': Value error, 'xml' is not one of ..."
    target = tmp_path / "out"
    code, out, err = invoke("evaluate", CLAIMS, *args, "-o", str(target))
    assert (code, out) == (2, "")
    assert (
        err == "pmsize: --format xml: evaluate writes table, json, jsonl, csv, markdown or github\n"
    )
    assert not target.exists()


def test_evaluate_reads_a_format_as_the_other_commands_do() -> None:
    code, out, err = invoke("evaluate", CLAIMS, "-f", " JSON ")
    assert (code, err) == (0, "")
    assert json.loads(out)["results"][0]["verdict"] == "avoid"


# --------------------------------------------------------------------------- thin margin in a file

# Revenue $3.00m a year for 5 years against a $5m build: NPV $6.37m, ROI 127%.
THIN_AT_150 = """\
name: Thin at 150%
policy: {cap_threshold: 0%, thin_margin: 150%}
market: {customers: 1000, problem_cost: $100k}
solution: {name: Ours, build_cost: $5m, adoption: 10%}
alternatives:
  - {name: Cheap suite, annual_cost: $10k, solves: 80%}
"""


def test_a_file_may_set_thin_margin_over_100_percent(tmp_path: Path) -> None:
    # was "policy.thin_margin: 150% is over 100%; a share is at most 100%", exit 2
    problem = tmp_path / "thin.yaml"
    problem.write_text(THIN_AT_150)
    code, out, err = invoke("evaluate", str(problem), "-f", "json")
    assert (code, err) == (0, "")
    [record] = json.loads(out)["results"]
    assert record["roi"] == pytest.approx(1.2745, abs=1e-4)
    assert record["flags"] == [
        {
            "code": "thin-margin",
            "severity": "warning",
            "message": "ROI is 127%, below the 150% thin-margin threshold.",
        }
    ]
    assert record["verdict"] == "reconsider"
    code, out, _ = invoke("evaluate", str(problem), "-f", "json", "--thin-margin", "120%")
    assert code == 0
    assert json.loads(out)["results"][0]["flags"] == []


@pytest.mark.parametrize(
    ("policy", "column", "message"),
    [
        (
            "thin_margin: 1.5",
            23,
            "policy.thin_margin: 1.5 is read as 150%; write 1.5%, or 150% if you mean that",
        ),
        ("thin_margin: -5%", 23, "policy.thin_margin: -5% is negative; ROI thresholds start at 0%"),
        (
            "thin_margin: -0.5",
            23,
            "policy.thin_margin: -0.5 is negative; ROI thresholds start at 0%",
        ),
        (
            "thin_margin: lots%",
            23,
            "policy.thin_margin: lots% is not a percent; write one such as 20% or 150%",
        ),
        (
            "cap_threshold: 150%",
            25,
            "policy.cap_threshold: 150% is over 100%; a share is at most 100%",
        ),
    ],
)
def test_a_files_thresholds_are_refused_as_the_command_line_refuses_them(
    tmp_path: Path, policy: str, column: int, message: str
) -> None:
    problem = tmp_path / "bad.yaml"
    problem.write_text(THIN_AT_150.replace("cap_threshold: 0%, thin_margin: 150%", policy))
    code, out, err = invoke("evaluate", str(problem))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{problem}:2:{column}: {message}",
        "pmsize: 1 input error; nothing evaluated",
    ]


def test_the_command_line_builds_the_policy_a_file_would() -> None:
    from pmsize._models import Policy

    given = {"cap_threshold": "40%", "thin_margin": "150%"}
    assert options.policy("40%", "150%") == Policy.model_validate(given)
    assert options.policy(None, None) == Policy()


HEAVY = ("numpy", "rich", "pydantic", "yaml", "scipy", "orjson")


def _modules_after(code: str, extra: tuple[str, ...] = (), **env: str) -> dict[str, bool]:
    """Which of `typer`, `HEAVY` and `extra` a fresh interpreter has imported once `code` ran."""
    report = (
        "import atexit, json, sys\n"
        "names = ('typer',) + " + repr(HEAVY + extra) + "\n"
        "atexit.register(lambda: sys.__stderr__.write("
        "'\\n' + json.dumps({n: n in sys.modules for n in names})))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", report + code],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV, **env},
        check=False,
    )
    loaded: dict[str, bool] = json.loads(proc.stderr.splitlines()[-1])
    return loaded


def test_import_pmsize_imports_no_library() -> None:
    # `import pmsize` is for `pmsize.__version__` and the API: no CLI or rendering library
    loaded = _modules_after("import pmsize")
    assert loaded == {
        "typer": False,
        "numpy": False,
        "rich": False,
        "pydantic": False,
        "yaml": False,
        "scipy": False,
        "orjson": False,
    }


START = "import sys\nsys.argv = {argv!r}\nfrom pmsize.__main__ import main\nmain()\n"


def test_evaluate_imports_neither_scipy_nor_numpy() -> None:
    # scipy is for `plan` alone (and numpy for simulation), watchfiles for --watch:
    # evaluate starts without them
    argv = ["pmsize", "evaluate", CLAIMS, "-f", "json"]
    loaded = _modules_after(START.format(argv=argv), ("watchfiles",))
    assert (loaded["scipy"], loaded["numpy"], loaded["watchfiles"]) == (False, False, False)


def test_orjson_is_imported_to_write_json_only() -> None:
    # the JSON writer's own library: a table is drawn without it
    table = _modules_after(START.format(argv=["pmsize", "evaluate", CLAIMS]))
    json_ = _modules_after(START.format(argv=["pmsize", "evaluate", CLAIMS, "-f", "json"]))
    assert (table["orjson"], json_["orjson"]) == (False, True)


def test_plan_imports_scipy() -> None:
    # the other side of the test above: the check sees scipy when a command loads it
    # ($8m cannot build all three eligible examples, so the solver runs)
    argv = ["pmsize", "plan", str(ROOT / "examples"), "--budget", "$8m", "-f", "json"]
    assert _modules_after(START.format(argv=argv))["scipy"] is True


def test_version_imports_no_heavy_library() -> None:
    loaded = _modules_after(START.format(argv=["pmsize", "--version"]))
    assert [name for name in HEAVY if loaded[name]] == []


def test_shell_completion_imports_no_heavy_library() -> None:
    # (Typer 0.29 itself imports pydantic to read the group's options while completing)
    env = {"_PMSIZE_COMPLETE": "complete_bash", "COMP_WORDS": "pmsize ev", "COMP_CWORD": "1"}
    loaded = _modules_after(START.format(argv=["pmsize"]), **env)
    assert [name for name in HEAVY if loaded[name] and name != "pydantic"] == []


def test_evaluate_imports_neither_jinja2_nor_matplotlib() -> None:
    # the report's libraries are the report's: evaluating a folder never pays for them
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.__stderr__.write("
        "'\\n' + repr(sorted({'jinja2', 'matplotlib', 'markupsafe'} & set(sys.modules)))))\n"
        + START.format(argv=["pmsize", "evaluate", str(ROOT / "examples"), "--format", "json"])
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **ENV}
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[-1] == "[]"


CORRELATED = """
name: Correlated
market: {customers: {low: 600, high: 1500, dist: uniform}, problem_cost: $60k to $250k}
solution: {adoption: 5%}
correlations:  # a uniform range's copula draw goes through scipy's normal CDF
  market.customers ~ market.problem_cost: 0.5
"""


@pytest.mark.parametrize(
    ("argv", "imported"),
    [
        (["evaluate", "{correlated}"], False),
        (["simulate", "--samples", "100", "{plain}"], False),
        (["simulate", "--samples", "100", "{correlated}"], True),
    ],
)
def test_scipy_is_imported_only_to_sample_a_correlated_uniform_range(
    tmp_path: Path, argv: list[str], imported: bool
) -> None:
    correlated, plain = tmp_path / "correlated.yaml", tmp_path / "plain.yaml"
    correlated.write_text(CORRELATED)
    plain.write_text(CORRELATED.split("correlations:")[0])
    argv = [arg.format(correlated=correlated, plain=plain) for arg in argv]
    loaded = _modules_after(START.format(argv=["pmsize", *argv]), extra=("scipy",))
    assert loaded["scipy"] is imported


def test_the_collector_paused_for_start_up_runs_again_in_the_command() -> None:
    # start-up pauses the garbage collector; a long command (simulate) must not run without it
    code = (
        "import gc, atexit, sys\n"
        "atexit.register(lambda: sys.__stderr__.write(f'\\ncollector {gc.isenabled()}'))\n"
        + START.format(argv=["pmsize", "init", "-"])
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **ENV}
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[-1] == "collector True"


def test_every_command_in_the_help_is_described_by_a_whole_sentence() -> None:
    # Click cuts a description longer than 45 characters ("report every..."): each
    # command's first line is a whole sentence that fits
    result = CliRunner().invoke(app, ["--help"], env={"NO_COLOR": "1", "COLUMNS": "80"})
    listed = result.stdout.split("Commands:", 1)[1].strip().splitlines()
    assert len(listed) == 10
    for line in listed:
        assert line.endswith("."), line
        assert "..." not in line
