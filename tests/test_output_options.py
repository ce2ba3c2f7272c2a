"""How `--format`, `--output` and the other options read to a newcomer: a format taken
from the output file's name, a word on stderr for each file written, choices in any case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmsize.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CLAIMS = str(EXAMPLES / "claims-processing.yaml")
RANGED = str(EXAMPLES / "utility-bill-audit.yaml")
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
FEW = ("-n", "500")  # samples: enough to draw every figure, quick


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


# each command with both --format and --output, with the arguments it needs
COMMANDS = {
    "evaluate": [CLAIMS],
    "explain": [CLAIMS],
    "simulate": [RANGED, *FEW],
    "sensitivity": [RANGED, *FEW],
    "plan": [str(EXAMPLES), "--budget", "8m"],
    "diff": [CLAIMS, str(EXAMPLES / "dock-scheduling.yaml")],
}


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- format from --output


@pytest.mark.parametrize(
    ("command", "name", "same_as"),
    [
        ("evaluate", "out.json", "json"),
        ("evaluate", "out.jsonl", "jsonl"),
        ("evaluate", "out.csv", "csv"),
        ("evaluate", "out.md", "markdown"),
        ("evaluate", "OUT.MARKDOWN", "markdown"),
        ("explain", "memo.md", "markdown"),
        ("simulate", "sim.json", "json"),
        ("simulate", "sim.jsonl", "jsonl"),
        ("sensitivity", "drivers.json", "json"),
        ("sensitivity", "drivers.jsonl", "jsonl"),
        ("plan", "plan.json", "json"),
        ("plan", "plan.csv", "csv"),
        ("plan", "plan.markdown", "markdown"),
        ("diff", "diff.json", "json"),
        ("diff", "diff.md", "markdown"),
    ],
)
def test_the_output_files_extension_picks_the_format(
    tmp_path: Path, command: str, name: str, same_as: str
) -> None:
    inferred, given = tmp_path / name, tmp_path / f"given-{name}"
    code, out, _ = invoke(command, *COMMANDS[command], "-o", str(inferred))
    assert (code, out) == (0, "")
    code, _, _ = invoke(command, *COMMANDS[command], "-f", same_as, "-o", str(given))
    assert code == 0
    assert inferred.read_bytes() == given.read_bytes()
    if same_as == "json":
        assert _is_json(inferred.read_text(encoding="utf-8"))


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("name", ["out.txt", "out.ndjson", "out"])
def test_an_extension_that_names_no_format_of_the_command_keeps_the_table(
    tmp_path: Path, command: str, name: str
) -> None:
    inferred, table = tmp_path / name, tmp_path / "table"
    assert invoke(command, *COMMANDS[command], "-o", str(inferred))[0] == 0
    assert invoke(command, *COMMANDS[command], "-f", "table", "-o", str(table))[0] == 0
    assert inferred.read_bytes() == table.read_bytes()


@pytest.mark.parametrize(
    ("command", "name", "told"),
    [
        # out.txt for the table, and each other format's own name
        (
            "simulate",
            "out.csv",
            "out.txt for the table (the default), or out.json for --format json, "
            "or out.jsonl for --format jsonl",
        ),
        (
            "sensitivity",
            "out.md",
            "out.txt for the table (the default), or out.json for --format json, "
            "or out.jsonl for --format jsonl",
        ),
        # a result list one a line is evaluate's, simulate's and sensitivity's only
        (
            "plan",
            "out.jsonl",
            "out.txt for the table (the default), or out.json for --format json, "
            "or out.csv for --format csv, or out.md for --format markdown",
        ),
        (
            "diff",
            "out.jsonl",
            "out.txt for the table (the default), or out.json for --format json, "
            "or out.md for --format markdown",
        ),
        (
            "explain",
            "out.json",
            "out.txt for the text (the default), or out.md for --format markdown",
        ),
        (
            "evaluate",
            "out.html",
            "out.txt for the table (the default), or out.json for --format json, "
            "or out.jsonl for --format jsonl, or out.csv for --format csv, or out.md for "
            "--format markdown; an HTML page is what pmsize report writes",
        ),
        ("report", "out.json", "out.html for an HTML page"),
        ("schema", "out.csv", "out.json for the json (the default)"),
    ],
)
def test_an_extension_of_a_format_the_command_lacks_is_refused_when_none_is_given(
    tmp_path: Path, command: str, name: str, told: str
) -> None:
    # the table written into out.csv would read as a broken CSV file, later, somewhere else
    target = tmp_path / name
    arguments = {"report": [CLAIMS], "schema": []}.get(command) or COMMANDS.get(command, [])
    code, out, err = invoke(command, *arguments, "-o", str(target))
    assert (code, out) == (2, "")
    extension = target.suffix
    assert err == (
        f"pmsize: --output {target}: {command} does not write {extension} files; "
        f"name the file {told.replace('out.', str(tmp_path / 'out.'))}\n"
    )
    assert not target.exists()


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_format_that_contradicts_the_extension_is_refused(tmp_path: Path, command: str) -> None:
    target = tmp_path / "out.json"
    code, out, err = invoke(command, *COMMANDS[command], "-f", "table", "-o", str(target))
    assert (code, out) == (2, "")
    shown_format = "text" if command == "explain" else "table"  # explain's memo is text
    assert err.startswith(
        f"pmsize: --format {shown_format}: --output {target} is a .json file, "
        "which means --format json; "
    )
    assert err.endswith(f"name the file {tmp_path / 'out.txt'}\n")
    assert not target.exists()


def test_the_refusal_says_how_to_agree() -> None:
    code, _, err = invoke("evaluate", CLAIMS, "-f", "csv", "-o", "missing/out.md")
    assert code == 2
    assert err == (
        "pmsize: --format csv: --output missing/out.md is a .md file, which means --format "
        "markdown; give --format markdown (or no --format), or name the file missing/out.csv\n"
    )
    code, _, err = invoke("simulate", RANGED, *FEW, "-f", "json", "-o", "missing/out.csv")
    assert code == 2
    assert err == (
        "pmsize: --format json: --output missing/out.csv is a .csv file, which means --format "
        "csv; simulate does not write csv; name the file missing/out.json\n"
    )


@pytest.mark.parametrize("output", ["-", "out.JSON"])
def test_a_format_that_agrees_or_stdout_is_never_refused(tmp_path: Path, output: str) -> None:
    target = output if output == "-" else str(tmp_path / output)
    code, out, _ = invoke("evaluate", CLAIMS, "-f", "JSON", "-o", target)
    assert code == 0
    assert _is_json(out if output == "-" else Path(target).read_text(encoding="utf-8"))


def test_stdout_keeps_the_table_without_a_format() -> None:
    code, out, _ = invoke("evaluate", CLAIMS, "-o", "-")
    assert code == 0
    assert out.startswith("Claims order processing")


# --------------------------------------------------------------------------- report at a terminal


def _report_at_a_terminal(*args: str, cwd: Path) -> tuple[int, bytes, str]:
    """`pmsize report` with stdout a pseudo-terminal: its exit code, what reached the
    terminal, and stderr."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pmsize", "report", *args],
            stdout=follower,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env={**os.environ, **ENV},
            timeout=120,
            check=False,
        )
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    return proc.returncode, shown, proc.stderr.decode()


def test_report_refuses_to_pour_html_onto_a_terminal(tmp_path: Path) -> None:
    code, shown, err = _report_at_a_terminal(CLAIMS, cwd=tmp_path)
    assert (code, shown) == (2, b"")
    assert err == (
        "pmsize: report writes an HTML page, not text for a terminal; name the file to "
        "write it to: -o report.html\n"
    )


def test_report_at_a_terminal_writes_the_file_it_is_given(tmp_path: Path) -> None:
    code, shown, _ = _report_at_a_terminal(CLAIMS, "-o", "report.html", cwd=tmp_path)
    assert (code, shown) == (0, b"")
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_piped_still_writes_stdout() -> None:
    code, out, _ = invoke("report", CLAIMS)
    assert code == 0
    assert out.startswith("<!DOCTYPE html>")


# --------------------------------------------------------------------------- a file written is said


@pytest.mark.parametrize(
    ("args", "held"),
    [
        (["evaluate", CLAIMS, str(EXAMPLES / "dock-scheduling.yaml")], "2 problems"),
        (["evaluate", CLAIMS, "-f", "github"], "1 problem"),
        (["explain", CLAIMS], "1 problem"),
        (["simulate", RANGED, *FEW], "1 problem"),
        (["sensitivity", RANGED, *FEW, "-f", "json"], "1 problem"),
        (["plan", str(EXAMPLES), "--budget", "8m"], "6 problems"),
        (["diff", *COMMANDS["diff"]], "2 problems compared"),
        (["report", CLAIMS, *FEW], "1 problem"),
    ],
)
def test_a_file_written_is_said_on_stderr(tmp_path: Path, args: list[str], held: str) -> None:
    target = tmp_path / "out"
    code, out, err = invoke(*args, "-o", str(target))
    assert (code, out) == (0, "")
    size = len(target.read_bytes())
    assert err.endswith(f"Wrote {target}: {held}, {_size(size)}\n")
    assert err.count("Wrote ") == 1


def test_schema_says_its_file_and_size(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    code, out, err = invoke("schema", "-o", str(target))
    assert (code, out) == (0, "")
    assert err == f"Wrote {target}: {_size(len(target.read_bytes()))}\n"


@pytest.mark.parametrize("output", [None, "-"])
def test_stdout_is_not_said(output: str | None) -> None:
    more = [] if output is None else ["-o", output]
    code, out, err = invoke("evaluate", CLAIMS, "-f", "json", *more)
    assert (code, err) == (0, "")
    assert _is_json(out)


def test_a_failed_write_says_nothing_was_written(tmp_path: Path) -> None:
    code, _, err = invoke("evaluate", CLAIMS, "-o", str(tmp_path / "missing" / "out.json"))
    assert code == 2
    assert "Wrote" not in err


def test_the_path_said_is_made_safe(tmp_path: Path) -> None:
    target = tmp_path / "a\x1b[31m\n::error::x.json"
    code, _, err = invoke("evaluate", CLAIMS, "-o", str(target))
    assert code == 0
    assert _is_json(target.read_text(encoding="utf-8"))  # the extension still names JSON
    line = err.splitlines()[0]
    assert "\x1b" not in err
    assert err.count("\n") == 1
    assert line.startswith("Wrote ")
    assert "\\x1b[31m" in line


def _size(count: int) -> str:
    from pmsize.cli.output import size_text

    return size_text(count)


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1,023 bytes"),
        (1024, "1.0 KB"),
        (9_830, "9.6 KB"),
        (225_280, "220 KB"),
        (1_023_000, "999 KB"),
        (1_023_500, "1.0 MB"),
        (1024 * 1024 * 3 // 2, "1.5 MB"),
    ],
)
def test_sizes_read_as_people_write_them(count: int, shown: str) -> None:
    from pmsize.cli.output import size_text

    assert size_text(count) == shown


# --------------------------------------------------------------------------- choices in any case


@pytest.mark.parametrize(
    ("args", "option", "given", "sentence"),
    [
        (["evaluate", CLAIMS], "--sort", "NPV", "evaluate ranks by npv, roi, ceiling or name"),
        (["evaluate", CLAIMS], "--fail-on", "Never", "evaluate takes never, reconsider or avoid"),
        (
            ["diff", CLAIMS, CLAIMS],
            "--fail-on",
            "WORSE",
            "diff takes never, worse, reconsider or avoid",
        ),
        (
            ["plan", str(EXAMPLES), "--budget", "8m", *FEW],
            "--objective",
            "Expected-NPV",
            "plan maximises npv or expected-npv",
        ),
        (["evaluate", CLAIMS], "--format", "JSON", "evaluate writes table, json, jsonl, csv"),
    ],
)
def test_every_choice_takes_any_case_and_refuses_in_pmsizes_words(
    args: list[str], option: str, given: str, sentence: str
) -> None:
    code, _, err = invoke(*args, option, given)
    assert code == 0, err
    code, out, err = invoke(*args, option, f"{given}x")
    assert (code, out) == (2, "")
    assert err.startswith(f"pmsize: {option} {given}x: {sentence}")
    assert "Value error" not in err


def test_a_choice_in_capitals_means_the_same() -> None:
    assert invoke("evaluate", CLAIMS, "--fail-on", "AVOID")[0] == 1
    lower = invoke("evaluate", str(EXAMPLES), "--sort", "name", "-f", "json")
    upper = invoke("evaluate", str(EXAMPLES), "--sort", "NAME", "-f", "json")
    assert lower == upper
    assert lower[0] == 0


def test_a_choice_is_checked_before_any_file_is_read() -> None:
    code, _, err = invoke("evaluate", "missing.yaml", "--sort", "best")
    assert code == 2
    assert err == "pmsize: --sort best: evaluate ranks by npv, roi, ceiling or name\n"


@pytest.mark.parametrize("command", ["evaluate", "explain", "plan", "diff"])
def test_md_names_markdown_as_the_extension_does(command: str) -> None:
    assert invoke(command, *COMMANDS[command], "-f", "md") == invoke(
        command, *COMMANDS[command], "-f", "markdown"
    )
