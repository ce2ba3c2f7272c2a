"""Text from files is untrusted wherever pmsize prints it.

A pull request author controls every name, description and value in a problem
file, and the file names. Whatever they hold, no output of pmsize (stdout in any
format, stderr, a file) carries a raw control character a terminal or a CI log
would act on, no line of it starts a GitHub workflow command (`::error::...`)
except the annotations pmsize itself writes in `--format github`, and no line holds
the older command syntax a runner reads anywhere in a line (`##[error]...`). JSON
keeps the text exactly: it escapes what it must and reads back to the original.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmsize.cli import app

ENV = {"NO_COLOR": "1", "TERM": "dumb"}

# The GitHub runner's older command syntax, which it finds anywhere in a log line: each
# command that could harm a run (an annotation, a mask, commands stopped, an output set,
# a problem matcher), `###[` and two in a row.
INLINE_COMMANDS = (
    "##[error]old ##[add-mask]secret ##[stop-commands]token "
    "##[set-output name=ok;]pwned ##[add-matcher]m.json ###[warning]x ##[##[debug]y"
)
# Every class of control character, a terminal hyperlink, workflow commands after
# line breaks of each kind and in the older syntax a runner reads anywhere in a line,
# and the starts of spreadsheet formulas.
HOSTILE = (
    "=Evil\x1b[31mRED\x1b[0m"  # C0: ESC, a colour
    "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"  # OSC 8 hyperlink
    "\x1b]0;retitled\x07"  # OSC 0 window title, ended by BEL
    "\r\n::error file=x,line=1::crlf"  # CR LF, then a workflow command
    "\n::warning::lf"  # LF
    "\r::notice::cr"  # CR alone
    "\ttab\x08bs\x00nul\x7fdel"  # TAB, BS, NUL, DEL
    "\x9b2Jcsi\x85nel\x90dcs"  # C1: CSI, NEL, DCS
    "\u202eRLO\u202aLRE\u2066LRI\u2069PDI"  # bidi overrides and isolates
    "\u2028::error::ls\u2029::error::ps"  # line and paragraph separators
    f" {INLINE_COMMANDS}"  # `##[command]`, honoured anywhere in a line
    " +plus -minus @at"
)
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
OUR_ANNOTATION = re.compile(r"^::(error|warning|notice) (file=[^,:]*,line=\d+,)?title=")

RECONSIDER = """\
market: {customers: 1000, problem_cost: $100k}
solution: {name: %s, build_cost: $1m, adoption: 10%%}
alternatives:
  - {name: %s, annual_cost: $10k, solves: 80%%}
"""
AVOID = """\
market: {customers: 100, problem_cost: $1m}
solution: {name: %s, build_cost: $1m, adoption: 10%%}
alternatives:
  - {name: %s, annual_cost: 0}
"""


def yaml_text(text: str) -> str:
    """`text` as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text)


def problem(variant: str, body: str) -> str:
    quoted = yaml_text(f"{variant} {HOSTILE}")
    return f"name: {quoted}\ndescription: {yaml_text('Description ' + HOSTILE)}\n" + body % (
        yaml_text("Solution " + HOSTILE),
        yaml_text("Alternative " + HOSTILE),
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    # the file names are hostile too (a file system allows all but / and NUL)
    folder = tmp_path / "problems"
    folder.mkdir()
    stem = "x\x1b[2J\n::error::file\u202e ##[error]f"
    (folder / f"a {stem}.yaml").write_text(problem("Reconsider", RECONSIDER))
    (folder / f"b {stem}.yaml").write_text(problem("Avoid", AVOID))
    return folder


def invoke(*args: str, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={**ENV, **env})
    return result.exit_code, result.stdout, result.stderr


def assert_safe(text: str, annotations: int = 0) -> None:
    """No raw control character; no `##[` anywhere; no line that starts `::` but
    `annotations` of ours."""
    assert not RAW.findall(text), sorted(set(RAW.findall(text)))
    assert "##[" not in text, [line for line in text.split("\n") if "##[" in line]
    commands = [line for line in text.split("\n") if line.lstrip().startswith("::")]
    assert len(commands) == annotations, commands
    assert all(OUR_ANNOTATION.match(line) for line in commands), commands


@pytest.mark.parametrize("format", ["table", "csv", "markdown"])
@pytest.mark.parametrize("columns", ["40", "200"])
def test_evaluate_prints_no_control_character_and_no_workflow_command(
    folder: Path, format: str, columns: str
) -> None:
    for path in (folder, next(folder.glob("a *"))):  # the ranked table, and one problem's block
        code, out, err = invoke("evaluate", str(path), "-f", format, COLUMNS=columns)
        assert (code, err) == (0, "")
        assert "Evil" in out
        assert_safe(out)


def test_evaluate_github_writes_only_its_own_annotations(folder: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    code, out, err = invoke(
        "evaluate", str(folder), "-f", "github", GITHUB_STEP_SUMMARY=str(summary)
    )
    assert (code, err) == (0, "")
    assert_safe(out, annotations=2)  # one warning, one error
    assert_safe(summary.read_text())


def test_json_escapes_every_control_character_and_reads_back_exactly(folder: Path) -> None:
    code, out, err = invoke("evaluate", str(folder), "-f", "json")
    assert (code, err) == (0, "")
    assert_safe(out)
    results = json.loads(out)["results"]
    assert sorted(r["name"] for r in results) == [f"Avoid {HOSTILE}", f"Reconsider {HOSTILE}"]
    for r in results:
        assert r["description"] == f"Description {HOSTILE}"
        assert r["solution"] == f"Solution {HOSTILE}"
        assert r["ceiling_set_by"] in (None, f"Alternative {HOSTILE}")
        assert r["alternatives"][0]["name"] == f"Alternative {HOSTILE}"
        assert "\x1b" in r["file"]  # the file name too, exactly


@pytest.mark.parametrize("format", ["table", "markdown"])
@pytest.mark.parametrize("columns", ["40", "200"])
def test_explain_prints_no_control_character_and_no_workflow_command(
    folder: Path, format: str, columns: str
) -> None:
    for path in folder.glob("*.yaml"):
        code, out, err = invoke("explain", str(path), "-f", format, COLUMNS=columns)
        assert (code, err) == (0, "")
        assert "Evil" in out
        assert_safe(out)


@pytest.mark.parametrize("command", ["simulate", "sensitivity"])
def test_simulate_and_sensitivity_print_no_control_character(folder: Path, command: str) -> None:
    path = next(folder.glob("a *"))
    for format in ("table", "json"):
        code, out, err = invoke(command, str(path), "-f", format, "-n", "200", COLUMNS="100")
        assert (code, err) == (0, "")
        assert_safe(out)


def test_validate_lists_hostile_file_names_safely(folder: Path) -> None:
    code, out, err = invoke("validate", str(folder))
    assert (code, err) == (0, "")
    assert_safe(out)
    assert out.count("\n") == 2
    assert out.endswith(" ok (1 problem)\n")


@pytest.mark.parametrize("command", ["validate", "evaluate"])
def test_error_messages_on_stderr_are_neutralised(tmp_path: Path, command: str) -> None:
    bad = tmp_path / "bad \x1b]0;retitled\x07\n::error::name.yaml"
    bad.write_text(
        f"name: {yaml_text(HOSTILE)}\n"
        f"market: {{customers: {yaml_text(chr(0x1B) + ']0;retitled' + chr(7))}, "
        "problem_cost: $100k}\n"
        f"solution: {{adoption: {yaml_text('x' + chr(10) + '::error::injected')}}}\n"
    )
    code, out, err = invoke(command, str(bad))
    assert (code, out) == (2, "")
    assert_safe(err)
    lines = err.splitlines()
    assert len(lines) == 3  # two errors and the count, each on one line
    assert "::error::" not in err  # `:\u200b:` between the colons
    assert "\\x1b]0;retitled\\x07" in lines[0]  # the values are shown as escapes
    tail = "" if command == "validate" else "; nothing evaluated"
    assert lines[-1] == f"pmsize: 2 input errors{tail}"


def test_usage_errors_that_echo_a_path_are_neutralised(tmp_path: Path) -> None:
    folder = tmp_path / "out\x1b[2J\n::error::dir"
    folder.mkdir()
    code, out, err = invoke("schema", "-o", str(folder))
    assert (code, out) == (2, "")
    assert_safe(err)
    assert err.count("\n") == 1


def test_a_step_summary_warning_that_echoes_a_path_is_neutralised(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(problem("Avoid", AVOID))
    summary = tmp_path / "missing\x1b[2J\n::error::x" / "summary.md"
    code, out, err = invoke(
        "evaluate", str(tmp_path / "a.yaml"), "-f", "github", GITHUB_STEP_SUMMARY=str(summary)
    )
    assert code == 0
    assert_safe(out, annotations=1)
    assert err.startswith("pmsize: cannot append to GITHUB_STEP_SUMMARY")
    assert_safe(err)
    assert err.count("\n") == 1


def test_an_internal_error_line_is_neutralised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmsize.render import csv

    def broken(results: object) -> str:
        raise RuntimeError("broke on \x1b]0;x\x07\n::error::injected")

    monkeypatch.setattr(csv, "document", broken)
    (tmp_path / "a.yaml").write_text(problem("Avoid", AVOID))
    code, out, err = invoke("evaluate", str(tmp_path / "a.yaml"), "-f", "csv")
    assert (code, out) == (3, "")
    assert_safe(err)
    assert err.startswith("pmsize: internal error (RuntimeError: broke on \\x1b]0;x\\x07 :")


# ------------------------------------------------------------------ names that are not UTF-8

# A file system name is bytes; Python reads the bytes that are not UTF-8 as lone
# surrogates (\xff -> U+DCFF). 0x9B alone is an 8-bit CSI to a terminal.
UNDECODABLE = b"bad\xff\x9b\xfe"
RAW_BYTES = (b"\xff", b"\x9b", b"\xfe", b"\xc2\x9b")


def run_real(*args: str | bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "pmsize", *args],
        capture_output=True,
        cwd=cwd,
        env={**os.environ, **ENV, "COLUMNS": "100"},
        timeout=60,
        check=False,
    )


@pytest.fixture
def undecodable(tmp_path: Path) -> Path:
    """A folder with two problems in files whose names are not UTF-8."""
    for stem, body in ((b"a-", RECONSIDER), (b"b-", AVOID)):
        text = body % ('"Solution"', '"Alternative"')
        (tmp_path / os.fsdecode(stem + UNDECODABLE + b".yaml")).write_text(
            f"name: Plain {stem.decode()}\n{text}"
        )
    return tmp_path


def assert_clean(data: bytes, annotations: int = 0) -> str:
    """Valid UTF-8 with no raw byte of the names and no raw control character."""
    assert not [raw for raw in RAW_BYTES if raw in data]
    text = data.decode("utf-8")
    assert_safe(text, annotations)
    return text


@pytest.mark.parametrize("format", ["table", "csv", "markdown", "github"])
def test_undecodable_file_names_are_shown_as_their_bytes(undecodable: Path, format: str) -> None:
    proc = run_real("evaluate", ".", "-f", format, cwd=undecodable)
    assert (proc.returncode, proc.stderr) == (0, b"")
    text = assert_clean(proc.stdout, annotations=2 if format == "github" else 0)
    if format in ("csv", "github"):  # the table and markdown name problems, not files
        assert "bad\\xff\\x9b\\xfe" in text


def test_json_keeps_undecodable_file_names_exactly(undecodable: Path) -> None:
    proc = run_real("evaluate", ".", "-f", "json", cwd=undecodable)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert_clean(proc.stdout)
    files = sorted(os.fsencode(r["file"]) for r in json.loads(proc.stdout)["results"])
    assert files == [b"a-" + UNDECODABLE + b".yaml", b"b-" + UNDECODABLE + b".yaml"]


def test_json_lines_keep_undecodable_file_names_exactly(undecodable: Path) -> None:
    proc = run_real("evaluate", ".", "-f", "jsonl", cwd=undecodable)
    assert (proc.returncode, proc.stderr) == (0, b"")
    lines = assert_clean(proc.stdout).splitlines()
    assert len(lines) == 2  # one a problem: no line break of a name stands raw
    files = sorted(os.fsencode(json.loads(line)["file"]) for line in lines)
    assert files == [b"a-" + UNDECODABLE + b".yaml", b"b-" + UNDECODABLE + b".yaml"]


def test_json_written_with_output_keeps_an_undecodable_name(undecodable: Path) -> None:
    name = b"a-" + UNDECODABLE + b".yaml"
    proc = run_real("evaluate", name, "-f", "json", "-o", b"out" + UNDECODABLE, cwd=undecodable)
    assert (proc.returncode, proc.stdout) == (0, b"")
    assert proc.stderr.startswith(b"Wrote outbad\\xff\\x9b\\xfe: ")  # shown, never raw
    assert_clean(proc.stderr)
    written = (undecodable / os.fsdecode(b"out" + UNDECODABLE)).read_bytes()
    assert_clean(written)
    assert os.fsencode(json.loads(written)["results"][0]["file"]) == name


def test_validate_lists_undecodable_names_as_their_bytes(undecodable: Path) -> None:
    proc = run_real("validate", ".", cwd=undecodable)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert assert_clean(proc.stdout).splitlines() == [
        "a-bad\\xff\\x9b\\xfe.yaml: ok (1 problem)",
        "b-bad\\xff\\x9b\\xfe.yaml: ok (1 problem)",
    ]
    (undecodable / os.fsdecode(b"c-" + UNDECODABLE + b".yaml")).write_text("name: [\n")
    proc = run_real("validate", ".", cwd=undecodable)
    assert proc.returncode == 2
    assert assert_clean(proc.stderr).startswith("c-bad\\xff\\x9b\\xfe.yaml:")


def test_init_of_an_undecodable_name_writes_a_sound_starter(tmp_path: Path) -> None:
    name = b"j" + UNDECODABLE + b".yaml"
    proc = run_real("init", name, cwd=tmp_path)
    assert proc.returncode == 0
    assert assert_clean(proc.stderr) == (
        "Wrote jbad\\xff\\x9b\\xfe.yaml. Edit it, then run: "
        "pmsize evaluate 'jbad\\xff\\x9b\\xfe.yaml'\n"
    )
    written = (tmp_path / os.fsdecode(name)).read_bytes()
    assert "pmsize evaluate 'jbad\\xff\\x9b\\xfe.yaml'" in assert_clean(written)
    proc = run_real("validate", name, cwd=tmp_path)
    assert proc.returncode == 0


@pytest.mark.parametrize("command", ["validate", "evaluate", "explain"])
def test_keys_values_and_file_names_reach_stderr_without_a_workflow_command(
    tmp_path: Path, command: str
) -> None:
    # the runner's older syntax works anywhere in a line, so a key, a value or a file
    # name in the middle of an error message is enough
    bad = tmp_path / "bad ##[error]file.yaml"
    bad.write_text(
        "name: Keys\n"
        f"{yaml_text('##[add-mask]key')}: 1\n"
        f"market: {{customers: {yaml_text('##[stop-commands]value')}, problem_cost: $100k}}\n"
        "solution: {adoption: 5%}\n"
    )
    code, out, err = invoke(command, str(bad))
    assert (code, out) == (2, "")
    assert_safe(err)
    lines = err.splitlines()
    assert len(lines) == 3  # two errors and the count
    assert all(line.startswith(f"{tmp_path}/bad #\u200b#[error]file.yaml:") for line in lines[:2])
    assert "#\u200b#[add-mask]key" in lines[0]
    assert "#\u200b#[stop-commands]value" in lines[1]


def test_a_missing_path_is_named_without_a_workflow_command(tmp_path: Path) -> None:
    code, out, err = invoke("validate", str(tmp_path / "##[error]missing.yaml"))
    assert (code, out) == (2, "")
    assert_safe(err)
    assert err.startswith(f"{tmp_path}/#\u200b#[error]missing.yaml:1:1: ")
