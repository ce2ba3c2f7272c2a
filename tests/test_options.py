"""Option values and help as pmsize words them: counts in the file's grammar, own sentences."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pmsize import _limits as limits
from pmsize import _options as options
from pmsize.cli import app

ROOT = Path(__file__).resolve().parent.parent
RANGED = str(ROOT / "examples" / "utility-bill-audit.yaml")
CLAIMS = str(ROOT / "examples" / "claims-processing.yaml")
DOCK = str(ROOT / "examples" / "dock-scheduling.yaml")
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
SMALL = (
    "name: Small\ndiscount_rate: 0%\nmarket: {customers: 100, problem_cost: 10k}\n"
    "solution: {build_cost: $100k to $900k, adoption: 5% to 20%}\n"
)


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner(env=ENV).invoke(app, list(args), input=input)


# --------------------------------------------------------------------------- one default


def test_simulate_and_sensitivity_draw_the_same_samples_by_default() -> None:
    # simulate drew 10,000 samples and sensitivity 100,000: the same file and seed gave two
    # different P(NPV > 0)
    simulated = run("simulate", "-", "-f", "json", "--seed", "7", input=SMALL)
    sensed = run("sensitivity", "-", "-f", "json", "--seed", "7", input=SMALL)
    assert (simulated.exit_code, sensed.exit_code) == (0, 0), simulated.stderr + sensed.stderr
    a = json.loads(simulated.stdout)["results"][0]["simulation"]
    b = json.loads(sensed.stdout)["results"][0]["simulation"]
    assert a["samples"] == b["samples"] == limits.DEFAULT_SAMPLES
    assert a["p_npv_positive"] == b["p_npv_positive"]
    assert a["npv"] == b["npv"]
    assert a == b


def _default_in_help(command: str, option: str) -> str:
    """The `[default: ...]` that `pmsize COMMAND --help` shows for `option`."""
    help = " ".join(run(command, "--help").stdout.split())
    found = re.search(re.escape(option) + r" [A-Z]+ [^\[]*\[default: ([^\]]+)\]", help)
    assert found is not None, help
    return found.group(1)


@pytest.mark.parametrize("command", ["simulate", "sensitivity", "plan", "report"])
def test_the_default_in_the_help_is_the_default_drawn(command: str) -> None:
    # the command line writes its defaults out (it imports no numpy to read them)
    assert options.samples(_default_in_help(command, "--samples")) == limits.DEFAULT_SAMPLES
    assert options.samples(None) == limits.DEFAULT_SAMPLES


def test_the_time_limit_in_the_help_is_the_limit_used() -> None:
    assert options.time_limit(_default_in_help("plan", "--time-limit")) == (
        options.DEFAULT_TIME_LIMIT
    )
    assert options.time_limit(None) == options.DEFAULT_TIME_LIMIT


# --------------------------------------------------------------------------- several paths


@pytest.mark.parametrize("command", ["explain", "sensitivity"])
def test_explain_and_sensitivity_take_several_files(command: str) -> None:
    # they took one FILE: `pmsize explain a.yaml b.yaml` was refused as an extra argument
    extra = ["-n", "500"] if command == "sensitivity" else []
    result = run(command, CLAIMS, DOCK, *extra)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "Claims order processing" in result.stdout
    assert "Dock appointment scheduling" in result.stdout


# --------------------------------------------------------------------------- counts and seeds


@pytest.mark.parametrize(
    ("raw", "count"),
    [("1e6", 1_000_000), ("10,000", 10_000), ("50k", 50_000), ("1", 1), ("10m", 10_000_000)],
)
def test_samples_are_counts_in_the_file_grammar(raw: str, count: int) -> None:
    assert options.samples(raw) == count


def test_samples_written_as_the_file_writes_them_reach_the_simulation() -> None:
    # `-n 1e3` and `-n 1,000` were "Input should be a valid integer"
    for raw in ("1e3", "1,000", "1k"):
        result = run("simulate", RANGED, "-f", "json", "-n", raw, "--seed", "1e0")
        assert result.exit_code == 0, result.stderr
        simulation = json.loads(result.stdout)["results"][0]["simulation"]
        assert (simulation["samples"], simulation["seed"]) == (1000, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "0"], "--samples: 0 is too few; draw at least 1 sample"),
        (["-n", "-5"], "--samples: -5 is negative; write a count such as 10,000, 50k or 1e6"),
        (
            ["-n", "2.5"],
            "--samples: 2.5 is not a whole number; write a count such as 10,000, 50k or 1e6",
        ),
        (["-n", "20m"], "--samples: 20m is over 10,000,000; more adds nothing"),
        (
            ["-n", "lots"],
            "--samples: lots is not a whole number; write a count such as 10,000, 50k or 1e6",
        ),
        (["--seed", "-1"], "--seed: -1 is negative; write a whole number such as 0 or 42"),
        (
            ["--seed", "0.5"],
            "--seed: 0.5 is not a whole number; write a whole number such as 0 or 42",
        ),
        (["-f", "csv"], "--format csv: simulate writes table, json or jsonl"),
    ],
)
def test_bad_simulate_options_get_pmsizes_sentence(args: list[str], message: str) -> None:
    result = run("simulate", RANGED, *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"pmsize: {message}\n"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("explain", "--format csv: explain writes text or markdown"),
        ("sensitivity", "--format csv: sensitivity writes table, json or jsonl"),
    ],
)
def test_a_format_a_command_lacks_names_the_ones_it_has(command: str, message: str) -> None:
    # was Typer's "Invalid value for '--format' / '-f': Value error, 'csv' is not one of ..."
    result = run(command, RANGED, "-f", "csv")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"pmsize: {message}\n"


def test_a_format_is_echoed_without_its_control_characters() -> None:
    result = run("simulate", RANGED, "-f", "x\x1b[31m")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr


# --------------------------------------------------------------------------- thin margin


def test_thin_margin_is_an_roi_and_may_be_over_100_percent() -> None:
    # was "--thin-margin: 150% is over 100%; a share is at most 100%"
    result = run("evaluate", RANGED, "-f", "json", "--thin-margin", "150%")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)["results"][0]
    assert record["roi"] < 1.5
    assert [f["code"] for f in record["flags"]] == ["thin-margin"]
    assert record["flags"][0]["message"].endswith("below the 150% thin-margin threshold.")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--cap-threshold", "150%"],
            "--cap-threshold: 150% is over 100%; a share is at most 100%",
        ),
        (
            ["--thin-margin", "1.5"],
            "--thin-margin: 1.5 is read as 150%; write 1.5%, or 150% if you mean that",
        ),
        (["--thin-margin", "-5%"], "--thin-margin: -5% is negative; ROI thresholds start at 0%"),
        (
            ["--thin-margin", "lots%"],
            "--thin-margin: lots% is not a percent; write one such as 20% or 150%",
        ),
    ],
)
def test_bad_thresholds_are_refused_in_pmsizes_words(args: list[str], message: str) -> None:
    result = run("evaluate", RANGED, *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"pmsize: {message}\n"


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("evaluate", "Usage: pmsize evaluate [OPTIONS] PATH..."),
        ("validate", "Usage: pmsize validate [OPTIONS] PATH..."),
        ("explain", "Usage: pmsize explain [OPTIONS] PATH..."),
        ("simulate", "Usage: pmsize simulate [OPTIONS] PATH..."),
        ("sensitivity", "Usage: pmsize sensitivity [OPTIONS] PATH..."),
        ("init", "Usage: pmsize init [OPTIONS] [FILE]"),
        ("schema", "Usage: pmsize schema [OPTIONS]"),
    ],
)
def test_help_names_arguments_as_the_docs_do(command: str, usage: str) -> None:
    # typer 0.27+ wrote `{PATH}...` in the usage line and `PATH <list[str]>` below it
    result = run(command, "--help")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == usage
    assert "{" not in result.stdout
    assert "<list" not in result.stdout
    name = usage.split()[-1]
    if name not in ("[OPTIONS]",):
        arguments = lines.index("Arguments:")
        assert lines[arguments + 1].startswith(f"  {name}  ")


def test_the_most_samples_in_the_help_is_the_most_drawn() -> None:
    for command in ("simulate", "sensitivity", "plan", "report"):
        text = " ".join(run(command, "--help").stdout.split())
        assert f"(at most {limits.MAX_SAMPLES:,})" in text, command


def test_help_of_a_number_option_says_how_to_write_it() -> None:
    out = run("simulate", "--help").stdout
    assert "-n, --samples N" in out
    assert "[default: 100,000]" in out
    assert "x>=1" not in out
