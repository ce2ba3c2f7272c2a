"""Standard streams and signals, with real processes: a stdout that cannot be written, closed
streams, SIGTERM and SIGHUP, Ctrl-C while starting up; and the command line's own
parsing (help, flags after the command, completion).

Writing to /dev/full through a redirection does not change it; no test writes any
other /dev node.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pmsize
from pmsize import __version__
from pmsize.cli import app
from pmsize.render import progress

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = str(ROOT / "examples" / "claims-processing.yaml")
SCRIPT = Path(sys.executable).parent / "pmsize"
FULL = Path("/dev/full")
ENTRIES = [
    pytest.param([sys.executable, "-m", "pmsize"], id="python -m pmsize"),
    pytest.param(
        [str(SCRIPT)],
        id="pmsize script",
        marks=pytest.mark.skipif(not SCRIPT.exists(), reason="the script is not installed"),
    ),
]
needs_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full")


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb", **extra}


def shell(command: str) -> subprocess.CompletedProcess[str]:
    """Run `command` in bash, where `$PMSIZE` starts pmsize, to close streams with `>&-`."""
    return subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        env=env(PMSIZE=f"{sys.executable} -m pmsize"),
        timeout=60,
        check=False,
    )


# ------------------------------------------------------------------ stdout that cannot be written


@needs_full
@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize(
    "args", [["evaluate", CLAIMS], ["evaluate", "-f", "json", CLAIMS], ["--version"], ["--help"]]
)
def test_a_full_stdout_is_a_message_and_exit_two(entry: list[str], args: list[str]) -> None:
    with FULL.open("w") as full:
        proc = subprocess.run(
            [*entry, *args], stdout=full, stderr=subprocess.PIPE, text=True, env=env(), timeout=60
        )
    assert (proc.returncode, proc.stderr) == (
        2,
        "pmsize: cannot write to stdout (No space left on device)\n",
    )


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["schema"]])
def test_a_closed_pipe_on_stdout_ends_quietly(args: list[str]) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pmsize", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
            timeout=60,
        )
    finally:
        os.close(write)
    assert (proc.returncode, proc.stderr) == (0, "")


# ------------------------------------------------------------------ closed streams


def test_a_closed_stdout_is_a_message_not_lost_output() -> None:
    for command in (f'$PMSIZE evaluate "{CLAIMS}" >&-', "$PMSIZE --version >&-"):
        proc = shell(command)
        assert (proc.returncode, proc.stderr) == (
            2,
            "pmsize: cannot write to stdout (it is closed)\n",
        )


def test_a_closed_stdout_does_not_matter_when_nothing_goes_there(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    proc = shell(f'$PMSIZE evaluate -f json "{CLAIMS}" -o "{target}" >&-')
    assert proc.returncode == 0
    assert proc.stderr.startswith(f"Wrote {target}: 1 problem, ")
    assert target.read_text().startswith("{")


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ("$PMSIZE evaluate missing.yaml 2>&-", 2),
        (f'$PMSIZE evaluate "{CLAIMS}" --fail-on reconsider 2>&-', 1),
        ("$PMSIZE evaluate --no-such-option 2>&-", 2),
    ],
)
def test_a_closed_stderr_never_changes_the_exit_code(command: str, code: int) -> None:
    assert shell(command).returncode == code


def test_a_closed_stdin_is_an_input_error() -> None:
    proc = shell("$PMSIZE evaluate - <&-")
    assert proc.returncode == 2
    assert proc.stderr == (
        "<stdin>:1:1: standard input is empty; `pmsize init` writes a starter\n"
        "pmsize: 1 input error; nothing evaluated\n"
    )


# ------------------------------------------------------------------ signals

# Sends the signal at the moment the temp file is complete and about to be renamed.
SIGNAL_AT_RENAME = """
import os, signal, sys
real = os.replace
def replace(src, dst, *args, **kwargs):
    os.kill(os.getpid(), signal.{name})
    return real(src, dst, *args, **kwargs)
os.replace = replace
sys.argv = ["pmsize", "evaluate", "-f", "json", {claims!r}, "-o", {target!r}]
from pmsize.__main__ import main
main()
"""


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_terminating_signal_removes_the_temp_file_and_says_so(tmp_path: Path, name: str) -> None:
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    code = SIGNAL_AT_RENAME.format(name=name, claims=CLAIMS, target=str(target))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env(), timeout=60
    )
    assert (proc.returncode, proc.stdout) == (128 + getattr(signal, name), "")
    assert proc.stderr == f"pmsize: interrupted by {name}\n"
    assert list(target.parent.iterdir()) == []


INTERRUPT_WHILE_IMPORTING = """
import sys
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "typer":
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupt())
sys.argv = ["pmsize", "--version"]
from pmsize.__main__ import main
main()
"""


def test_ctrl_c_while_starting_up_is_quiet() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", INTERRUPT_WHILE_IMPORTING],
        capture_output=True,
        text=True,
        env=env(),
        timeout=60,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (130, "", "pmsize: interrupted\n")


SIGNAL_AS_A_MODULE_LOADS = """
import os, signal, sys
class Signal:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.{name})
sys.meta_path.insert(0, Signal())
sys.argv = ["pmsize", "--version"]
from pmsize.__main__ import main
main()
"""


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("module", ["pmsize._errors", "pmsize._fmt"])
def test_a_signal_as_the_first_modules_load_says_so_with_its_code(name: str, module: str) -> None:
    # the handlers were installed after these imports: SIGINT gave a traceback, SIGTERM
    # and SIGHUP a silent death
    code = SIGNAL_AS_A_MODULE_LOADS.format(module=module, name=name)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env(), timeout=60
    )
    said = "" if name == "SIGINT" else f" by {name}"
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        128 + getattr(signal, name),
        "",
        f"pmsize: interrupted{said}\n",
    )


# Where pmsize's own code lies, as a traceback names its files
PACKAGE = str(Path(pmsize.__file__).parent)


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_a_signal_right_after_start_is_never_a_traceback(name: str) -> None:
    # a real signal at once, then a little later each time, through the whole start-up
    number = getattr(signal, name)
    said = f"pmsize: interrupted{'' if name == 'SIGINT' else f' by {name}'}\n"
    for delay in (0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08):
        proc = subprocess.Popen(
            [sys.executable, "-m", "pmsize", "--version"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env(),
            text=True,
        )
        time.sleep(delay)
        proc.send_signal(number)
        out, err = proc.communicate(timeout=60)
        # Before pmsize's code runs, the interpreter dies of the signal (a shell shows
        # 128 + the signal), or, for Ctrl-C while it imports `site` or `runpy`, says so
        # itself; a traceback never passes through pmsize's code.
        assert PACKAGE not in err, (delay, err)
        if name == "SIGTERM":
            assert proc.returncode in (-number, 128 + number, 0), (delay, err)
        if proc.returncode == 128 + number or err.startswith("pmsize"):
            assert (proc.returncode, err) == (128 + number, said), delay
            # on a loaded machine the signal may land after the version was printed
            assert out in ("", f"pmsize {__version__}\n"), delay


def test_the_entry_point_imports_nothing_heavy_before_the_handlers() -> None:
    """`pmsize` and `pmsize.__main__` import no more than the `signal` module before
    `main()` installs the handlers: a signal during a slow import is then reported."""
    heavy = ("typing", "re", "dataclasses", "contextlib", "pmsize._errors", "pmsize._fmt")
    code = "import sys; {}print(sorted(set({!r}) & set(sys.modules)))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    loaded = [
        subprocess.run(
            [sys.executable, "-c", code.format(imports, heavy)],
            capture_output=True,
            text=True,
            env=clean,
            check=True,
        ).stdout
        for imports in ("", "import pmsize.__main__; ")
    ]
    assert loaded[1] == loaded[0]  # what the interpreter itself had loaded, if anything


def test_the_script_starts_light() -> None:
    """The entry point imports neither Typer nor Rich before it has readied the signals."""
    code = "import sys; import pmsize.__main__; print(sorted({'typer', 'rich'} & set(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout == "[]\n"


# ------------------------------------------------------------------ the command line's parsing


def invoke(*args: str, **extra: str) -> tuple[int, str, str]:
    result = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "80", **extra}).invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_pmsize_alone_prints_the_help_on_stdout_and_exits_zero() -> None:
    code, out, err = invoke()
    assert (code, err) == (0, "")
    assert out.startswith("Usage: pmsize [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in out


def test_version_and_debug_work_after_the_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("evaluate", "--version") == (0, f"pmsize {__version__}\n", "")
    from pmsize import _service as service

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "evaluate", broken)  # a bug in the one point evaluation
    code, _, err = invoke("evaluate", CLAIMS, "--debug")
    assert code == 3
    assert "Traceback (most recent call last)" in err
    # a value of an option is never taken for the flag
    code, _, err = invoke("evaluate", CLAIMS, "-o", "--debug")
    assert (code, "Traceback" in err) == (3, False)


def test_an_unknown_shell_for_completion_is_refused_and_nothing_touched(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    code, out, err = invoke("--install-completion", "bogus", HOME=str(home), SHELL="/bin/bash")
    assert (code, out) == (2, "")
    assert "unknown shell 'bogus'" in err
    assert list(home.iterdir()) == []


# ------------------------------------------------------------------ reading a terminal


class _Terminal:
    def isatty(self) -> bool:
        return True


def test_reading_stdin_at_a_terminal_says_so_and_draws_no_bar(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr(sys, "platform", "linux")
    with progress.progress_bar(paths=["-"]) as report:
        assert report is None
    assert capsys.readouterr().err == (
        "pmsize: reading a problem from standard input (end it with Ctrl-D)\n"
    )
    with progress.progress_bar(paths=["a.yaml"]):
        pass
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------ output onto standard input


@pytest.mark.parametrize(
    "command", ["evaluate", "explain", "simulate -n 1000", "sensitivity -n 1000"]
)
def test_output_onto_the_file_standard_input_reads_is_refused(tmp_path: Path, command: str) -> None:
    target = tmp_path / "a.yaml"
    original = Path(CLAIMS).read_bytes()
    target.write_bytes(original)
    proc = shell(f'$PMSIZE {command} - -o "{target}" < "{target}"')
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        f"pmsize: --output {target}: it is the input file <stdin>; writing there would "
        "destroy it. Name another file\n"
    )
    assert target.read_bytes() == original


def test_output_beside_standard_input_is_written(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    proc = shell(f'$PMSIZE evaluate -f json - -o "{target}" < "{CLAIMS}"')
    assert proc.returncode == 0
    assert proc.stderr.startswith(f"Wrote {target}: 1 problem, ")
    assert target.read_text().startswith("{")


# ------------------------------------------------------------------ encodings that cannot hold it

ASCII = {"PYTHONIOENCODING": "ascii"}
NARROW_ENCODINGS = [
    pytest.param(ASCII, id="ascii"),
    pytest.param({"PYTHONIOENCODING": "latin-1"}, id="latin-1"),
    pytest.param({"PYTHONUTF8": "0", "LC_ALL": "C", "LANG": "C"}, id="C locale"),
]
EVERY_OUTPUT = [
    ["evaluate"],
    ["evaluate", "-f", "json"],
    ["evaluate", "-f", "jsonl"],
    ["evaluate", "-f", "csv"],
    ["evaluate", "-f", "markdown"],
    ["evaluate", "-f", "github"],
    ["explain"],
    ["explain", "-f", "markdown"],
    ["simulate", "-n", "500"],
    ["simulate", "-n", "500", "-f", "json"],
    ["sensitivity", "-n", "500"],
    ["sensitivity", "-n", "500", "-f", "json"],
    ["sensitivity", "-n", "500", "-f", "jsonl"],
    ["validate"],
]
# a name with what no narrow encoding holds: a minus, a euro, a CJK character, an emoji
WIDE_NAME = "Claims \u2212 \u20ac \u8acb \U0001f680 caf\u00e9"


def run_bytes(args: list[str], **extra: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "pmsize", *args],
        capture_output=True,
        env=env(**extra),
        timeout=60,
        check=False,
    )


@pytest.fixture
def wide(tmp_path: Path) -> Path:
    text = Path(CLAIMS).read_text(encoding="utf-8")
    path = tmp_path / "wide.yaml"
    text = text.replace(
        "name: Claims order processing", f"name: {json.dumps(WIDE_NAME, ensure_ascii=False)}"
    )
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("args", EVERY_OUTPUT, ids=" ".join)
def test_every_output_survives_an_ascii_stdout(wide: Path, args: list[str]) -> None:
    proc = run_bytes([*args, str(wide)], **ASCII)
    assert (proc.returncode, proc.stderr) == (0, b"")
    proc.stdout.decode("ascii")  # nothing but ASCII reached stdout
    if "json" in args:
        assert json.loads(proc.stdout)["results"][0]["name"] == WIDE_NAME
    if "jsonl" in args:  # one problem: one line
        assert json.loads(proc.stdout)["name"] == WIDE_NAME


@pytest.mark.parametrize("extra", NARROW_ENCODINGS)
@pytest.mark.parametrize("args", [["evaluate"], ["evaluate", "-f", "github"], ["schema"]])
def test_narrow_encodings_neither_fail_nor_break_json(
    wide: Path, args: list[str], extra: dict[str, str]
) -> None:
    proc = run_bytes([*args, str(wide)] if args != ["schema"] else args, **extra)
    assert (proc.returncode, proc.stderr) == (0, b"")
    if args == ["schema"]:
        assert json.loads(proc.stdout)["title"]
        return
    if args == ["evaluate"]:  # and the JSON, once an encoding
        proc = run_bytes(["evaluate", "-f", "json", str(wide)], **extra)
        assert (proc.returncode, proc.stderr) == (0, b"")
        assert json.loads(proc.stdout)["results"][0]["name"] == WIDE_NAME


def test_a_message_on_an_ascii_stderr_is_escaped_not_a_crash(tmp_path: Path) -> None:
    missing = tmp_path / "caf\u00e9 \u2212.yaml"
    proc = run_bytes(["evaluate", str(missing)], **ASCII)
    assert proc.returncode == 2
    assert b"caf\\xe9 \\u2212.yaml" in proc.stderr
    assert b"internal error" not in proc.stderr


# ------------------------------------------------------------------ sizes from the environment


@pytest.mark.parametrize("value", ["\u00b2", "1\u0663"])
def test_columns_and_lines_that_are_not_ascii_digits_read_as_unset(
    tmp_path: Path, value: str
) -> None:
    plain = run_bytes(["evaluate", CLAIMS])
    for name in ("COLUMNS", "LINES"):
        proc = run_bytes(["evaluate", CLAIMS], **{name: value})
        assert (proc.returncode, proc.stderr, proc.stdout) == (0, b"", plain.stdout)
    target = tmp_path / "out.txt"
    proc = run_bytes(["explain", CLAIMS, "-o", str(target)], COLUMNS=value, LINES=value)
    assert proc.returncode == 0
    assert proc.stderr.startswith(b"Wrote ")
    assert max(len(line) for line in target.read_text().splitlines()) <= 80


def test_columns_is_read_in_ascii_digits_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # pmsize's own reading of COLUMNS (a real run never gets such a value this far: the
    # entry point drops it first, see `startup`)
    from pmsize.cli import output

    for value, width in (("\u00b2", 80), ("\u0663\u0663", 80), (" 120 ", 120), ("0", 80)):
        monkeypatch.setenv("COLUMNS", value)
        assert output.columns() == width


# ------------------------------------------------------------------ a signal while options are read

# Sends the signal while Typer reads the command line, inside its own
# `except KeyboardInterrupt: raise Exit(130)`: in Typer's group, whatever pmsize builds on it.
SIGNAL_WHILE_PARSING = """
import os, signal, sys
from typer.core import TyperGroup
real = TyperGroup.parse_args
def parse_args(self, ctx, args):
    os.kill(os.getpid(), signal.{name})
    return real(self, ctx, args)
TyperGroup.parse_args = parse_args
sys.argv = ["pmsize", "evaluate", {claims!r}, "-o", {target!r}]
from pmsize.__main__ import main
main()
"""


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_while_the_options_are_read_says_so_with_its_code(
    tmp_path: Path, name: str
) -> None:
    target = tmp_path / "out.txt"
    code = SIGNAL_WHILE_PARSING.format(name=name, claims=CLAIMS, target=str(target))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env(), timeout=60
    )
    said = "" if name == "SIGINT" else f" by {name}"
    assert (proc.returncode, proc.stdout) == (128 + getattr(signal, name), "")
    assert proc.stderr == f"pmsize: interrupted{said}\n"
    assert not target.exists()


# ------------------------------------------------------------------ what Typer writes to stderr


@pytest.mark.parametrize(
    ("option", "shown"),
    [("--\u202eformat", "--\\u202eformat"), ("--\u2028x", "--\\u2028x")],
)
def test_an_unknown_option_is_echoed_with_its_unseen_characters_escaped(
    option: str, shown: str
) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pmsize", "evaluate", CLAIMS, option],
        capture_output=True,
        text=True,
        env=env(),
        timeout=60,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert f"Error: No such option: {shown}" in proc.stderr
    assert not re.search(
        "[\x80-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]", proc.stderr
    )


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["--##[error]x"], "Error: No such option: --#\u200b#[error]x"),
        (["--fail-on", "##[add-mask]y"], "--fail-on #\u200b#[add-mask]y: evaluate takes"),
    ],
    ids=["unknown option", "invalid value"],
)
def test_a_usage_error_echoes_no_inline_workflow_command(args: list[str], shown: str) -> None:
    # the command line library's own messages reach stderr too, where a CI runner reads
    # `##[command]` anywhere in a line
    proc = subprocess.run(
        [sys.executable, "-m", "pmsize", "evaluate", CLAIMS, *args],
        capture_output=True,
        text=True,
        env=env(),
        timeout=60,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert shown in proc.stderr
    assert "##[" not in proc.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [(["init", "new.txt"], 0), (["validate", "missing.yaml"], 2)],
    ids=["init with a warning", "validate with an error"],
)
def test_a_full_stderr_never_changes_the_exit_code(
    args: list[str], code: int, tmp_path: Path
) -> None:
    # init wrote its "Wrote ..." line and warning with sys.stderr.write: a full stderr made
    # that an internal error (exit 3) after the file was written
    with open("/dev/full", "w") as full:  # noqa: PTH123 - a stream to hand the child
        proc = subprocess.run(
            [sys.executable, "-m", "pmsize", *args],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=full,
            env=env(),
            timeout=60,
        )
    assert proc.returncode == code
