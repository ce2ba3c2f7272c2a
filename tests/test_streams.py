"""Standard streams and signals, with real processes: a stdout that cannot be written, closed
streams, SIGTERM and SIGHUP, Ctrl-C while starting up; and the command line's own
parsing (help, flags after the command, completion).

Writing to /dev/full through a redirection does not change it; no test writes any
other /dev node.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

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
    assert (proc.returncode, proc.stderr) == (0, "")
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
    from pmsize import service

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "evaluate_paths", broken)
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
