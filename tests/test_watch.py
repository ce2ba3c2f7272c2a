"""`--watch` (SPEC §13): a save runs the command again, a broken save shows its errors and
waits, Ctrl-C ends with 0; only at a terminal.

The loop runs in a thread over a temporary folder, with the commands' own bodies as its
run, and ends through `stop`; one test runs pmsize at a pseudo-terminal, as a person does.
"""

from __future__ import annotations

import functools
import io
import json
import os
import pty
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pmsize.cli import app, point, sampled, watch
from pmsize.cli.boundary import UsageExit

ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
WAIT = 5.0  # seconds a test waits for a run before it fails (a run takes milliseconds)

# At a 0% discount rate over 2 years, NPV = 2 x 10 customers x $5k - build = $100k - build.
PROBLEM = """\
name: {name}
horizon_years: 2
discount_rate: 0%
market: {{customers: 100, problem_cost: 10k}}
solution: {{name: Fixer, build_cost: {build}, solves: 50%, adoption: 10%}}
"""


def problem(build: str, name: str = "Tiny") -> str:
    return PROBLEM.format(name=name, build=build)


def save(path: Path, text: str) -> None:
    """Save as many editors do: a new file renamed over the old one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


class Runs:
    """The command as the watch runs it, each run's exit code, stdout and stderr kept."""

    def __init__(self, command: Callable[[], None]) -> None:
        self._command = command
        self._done: queue.Queue[tuple[int, str, str]] = queue.Queue()

    def __call__(self) -> None:
        out, err, code = io.StringIO(), io.StringIO(), 0
        try:
            with redirect_stdout(out), redirect_stderr(err):
                self._command()
        except typer.Exit as exc:
            code = exc.exit_code
            raise
        finally:
            self._done.put((code, out.getvalue(), err.getvalue()))

    def next(self) -> tuple[int, str, str]:
        """The next run's exit code, stdout and stderr."""
        return self._done.get(timeout=WAIT)

    def none_yet(self) -> bool:
        return self._done.empty()


@contextmanager
def watching(runs: Runs, paths: list[str]) -> Iterator[threading.Thread]:
    """The watch loop in a thread, stopped on leaving."""
    stop = threading.Event()
    loop = functools.partial(watch.loop, stop=stop, step_ms=10, debounce_ms=300, wake_ms=20)
    thread = threading.Thread(target=loop, args=(runs, paths), daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(WAIT)
    assert not thread.is_alive()


def npvs(out: str) -> list[float]:
    return [result["npv"] for result in json.loads(out)["results"]]


def test_a_save_runs_the_command_again_with_the_new_figures(tmp_path: Path) -> None:
    file = tmp_path / "tiny.yaml"
    file.write_text(problem("50k"), encoding="utf-8")
    # a failed --fail-on gate is the run's exit code, not the end of the watch
    runs = Runs(functools.partial(point.evaluate, [str(file)], format="json", fail_on="avoid"))
    with watching(runs, [str(file)]):
        code, out, _ = runs.next()
        assert (code, npvs(out)) == (0, [50_000.0])
        save(file, problem("500k"))
        code, out, err = runs.next()
        assert (code, npvs(out), err) == (1, [-400_000.0], "")
        save(file, problem("70k"))  # the file renamed over the old one is watched too
        code, out, _ = runs.next()
        assert (code, npvs(out)) == (0, [30_000.0])
        (tmp_path / "other.yaml").write_text(problem("1k"), encoding="utf-8")  # not named
        time.sleep(0.2)
        assert runs.none_yet()


def test_a_broken_save_shows_its_errors_and_waits_for_the_next(tmp_path: Path) -> None:
    file = tmp_path / "tiny.yaml"
    file.write_text(problem("50k"), encoding="utf-8")
    runs = Runs(functools.partial(point.explain, [str(file)], format="markdown"))
    with watching(runs, [str(tmp_path)]) as thread:
        code, out, _ = runs.next()
        assert code == 0
        assert "$50.0k" in out
        file.write_text(problem("-5k"), encoding="utf-8")
        code, out, err = runs.next()
        assert (code, out) == (2, "")
        assert err.startswith(f"{file}:5:")  # as the command says it without --watch
        assert err.endswith("pmsize: 1 input error; nothing evaluated\n")
        time.sleep(0.1)
        assert thread.is_alive()
        assert runs.none_yet()
        file.write_text(problem("60k"), encoding="utf-8")
        code, out, err = runs.next()
        assert (code, err) == (0, "")
        assert "$40.0k" in out


def test_a_folder_counts_files_added_and_removed_below_it(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(problem("50k", "One"), encoding="utf-8")
    command = functools.partial(
        sampled.simulate, [str(tmp_path)], format="json", samples="200", seed="1"
    )
    runs = Runs(command)
    with watching(runs, [str(tmp_path)]):
        assert [r["name"] for r in json.loads(runs.next()[1])["results"]] == ["One"]
        below = tmp_path / "below"
        below.mkdir()  # a new folder: watched from then on
        assert runs.next()[0] == 0
        (below / "two.YML").write_text(problem("20k", "Two"), encoding="utf-8")
        out = runs.next()[1]
        assert sorted(r["name"] for r in json.loads(out)["results"]) == ["One", "Two"]
        (tmp_path / "one.yaml").unlink()
        out = runs.next()[1]
        assert [r["name"] for r in json.loads(out)["results"]] == ["Two"]


def test_what_no_run_reads_runs_nothing(tmp_path: Path) -> None:
    folder, named = tmp_path / "problems", tmp_path / "elsewhere" / "named.yaml"
    (folder / ".git").mkdir(parents=True)
    named.parent.mkdir()
    targets = watch._targets([str(folder), str(named)])
    assert targets.folders_watched == {str(folder), str(named.parent)}
    read = [folder / "a.yaml", folder / "sub" / "b.Yml", named]
    unread = [
        folder / "notes.txt",
        folder / "a.yaml~",
        folder / ".a.yaml.swp",
        folder / ".git" / "config.yaml",
        named.parent / "sibling.yaml",
    ]
    assert [targets.relevant(None, str(p)) for p in read] == [True] * len(read)
    assert [targets.relevant(None, str(p)) for p in unread] == [False] * len(unread)


def test_a_folder_is_watched_for_the_files_the_loader_reads_there() -> None:
    from pmsize import _loader as loader

    assert watch.YAML_SUFFIXES == loader.YAML_SUFFIXES


def test_a_path_that_does_not_exist_yet_is_watched_from_the_folder_above(tmp_path: Path) -> None:
    later = tmp_path / "new" / "problem.yaml"
    targets = watch._targets([str(later)])
    assert targets.folders_watched == {str(tmp_path)}
    assert targets.relevant(None, str(tmp_path / "new"))


def test_a_usage_error_ends_the_watch(tmp_path: Path) -> None:
    # no save can mend an option: the watch ends with the run's exit 2
    file = tmp_path / "tiny.yaml"
    file.write_text(problem("50k"), encoding="utf-8")
    runs = Runs(functools.partial(point.evaluate, [str(file)], sort="size"))
    with pytest.raises(UsageExit):
        watch.loop(runs, [str(file)], wake_ms=20)
    assert runs.next()[2] == "pmsize: --sort size: evaluate ranks by npv, roi, ceiling or name\n"


def test_ctrl_c_during_a_run_ends_the_watch_and_another_signal_ends_the_command(
    tmp_path: Path,
) -> None:
    def ended_by(code: int) -> Callable[[], None]:
        def run_once() -> None:  # as a run's boundary ends it after saying so
            raise typer.Exit(code)

        return run_once

    watch.loop(ended_by(130), [str(tmp_path)], wake_ms=20)  # returns: the command exits 0
    with pytest.raises(typer.Exit) as ended:
        watch.loop(ended_by(143), [str(tmp_path)], wake_ms=20)  # SIGTERM
    assert ended.value.exit_code == 143


# ------------------------------------------------------------------ the command line


@pytest.mark.parametrize("command", ["evaluate", "explain", "simulate", "sensitivity"])
def test_watch_needs_a_terminal(command: str, tmp_path: Path) -> None:
    file = tmp_path / "tiny.yaml"
    file.write_text(problem("50k"), encoding="utf-8")
    result = CliRunner().invoke(app, [command, str(file), "--watch"], env=ENV)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "pmsize: --watch clears the terminal before each run, and stdout is not a terminal "
        "(in a pipe or a script, run without --watch)\n"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["-o", "out.json"], "--watch shows each run at the terminal; it cannot write --output"),
        (["-"], "--watch reads the files again when they change; standard input (-) can be"),
    ],
)
def test_watch_refuses_an_output_file_and_stdin(args: list[str], said: str, tmp_path: Path) -> None:
    file = tmp_path / "tiny.yaml"
    file.write_text(problem("50k"), encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(file), "--watch", *args], env=ENV)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"pmsize: {said}")
    assert not (tmp_path / "out.json").exists()


def test_at_a_terminal_a_save_clears_it_and_runs_again_and_ctrl_c_ends_with_0(
    tmp_path: Path,
) -> None:
    file = tmp_path / "tiny.yaml"
    file.write_text(problem("50k"), encoding="utf-8")
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pmsize", "evaluate", str(file), "--watch"],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, **ENV},
    )
    os.close(terminal)
    shown = b""

    def read_until(text: bytes, count: int) -> None:
        nonlocal shown
        deadline = time.monotonic() + WAIT
        while shown.count(text) < count and time.monotonic() < deadline:
            if select.select([controller], [], [], 0.05)[0]:
                shown += os.read(controller, 65536)
        assert shown.count(text) >= count, shown

    try:
        read_until(b"Ctrl-C ends", 1)  # the first run, then the watch
        assert b"$50.0k" in shown
        assert watch.CLEAR.encode() not in shown
        save(file, problem("60k"))
        read_until(b"Ctrl-C ends", 2)
        again = shown.split(watch.CLEAR.encode(), 1)[1]
        assert b"$40.0k" in again
        proc.send_signal(signal.SIGINT)
        assert proc.wait(WAIT) == 0
    finally:
        proc.kill()
        proc.wait()
        os.close(controller)
    assert b"interrupted" not in shown
