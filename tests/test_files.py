"""`--output` and `init` write a path the way `cp` would: never onto an input, through a
link, into a device or FIFO in place, keeping a file's mode, refusing a read-only file
and a folder name; every OS error is an exit-2 message naming the path.

Every target here is made in a temporary folder; no test points at a real /dev node.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmsize import _starter as starter
from pmsize.cli import app

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "examples" / "claims-processing.yaml"
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(*args: str, **env: str | None) -> tuple[int, str, str]:
    result = CliRunner(env={**ENV, **env}).invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def problem(tmp_path: Path) -> Path:
    path = tmp_path / "problems" / "claims.yaml"
    path.parent.mkdir()
    shutil.copy(CLAIMS, path)
    return path


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------------ an input is never the output


@pytest.mark.parametrize(
    "args",
    [
        ["evaluate", "-f", "json"],
        ["evaluate"],
        ["explain", "-f", "markdown"],
        ["simulate", "-f", "json", "-n", "100"],
    ],
)
def test_output_onto_an_input_file_is_refused_and_the_file_kept(
    problem: Path, args: list[str]
) -> None:
    before = problem.read_bytes()
    code, out, err = run(*args, str(problem), "-o", str(problem))
    assert (code, out) == (2, "")
    assert err == (
        f"pmsize: --output {problem}: it is the input file {problem}; writing there would "
        "destroy it. Name another file\n"
    )
    assert problem.read_bytes() == before
    assert listing(problem.parent) == ["claims.yaml"]


def test_output_onto_a_file_found_in_a_folder_argument_is_refused(problem: Path) -> None:
    before = problem.read_bytes()
    code, _, err = run("evaluate", "-f", "csv", str(problem.parent), "-o", str(problem))
    assert code == 2
    assert "it is the input file" in err
    assert problem.read_bytes() == before


def test_output_onto_an_input_by_another_name_is_refused(
    problem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = problem.parent.parent / "alias.yaml"
    link.symlink_to(problem)
    monkeypatch.chdir(problem.parent)
    before = problem.read_bytes()
    code, _, err = run("evaluate", "-f", "json", "claims.yaml", "-o", str(link))
    assert code == 2
    assert err.startswith(f"pmsize: --output {link}: it is the input file claims.yaml;")
    assert problem.read_bytes() == before
    assert link.is_symlink()


# ------------------------------------------------------------------ what is at the path


def test_output_through_a_link_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real" / "report.json"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    _, expected, _ = run("evaluate", "-f", "json", str(CLAIMS))
    code, out, err = run("evaluate", "-f", "json", str(CLAIMS), "-o", str(link))
    assert (code, out) == (0, "")
    assert err.startswith(f"Wrote {link}: 1 problem, ")  # the name given, not the target
    assert link.is_symlink()
    assert target.read_text() == expected
    assert listing(target.parent) == ["report.json"]  # no temp file left beside the target


def test_output_through_a_link_to_a_missing_file_is_refused_like_cp(tmp_path: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to(tmp_path / "gone.json")
    code, _, err = run("evaluate", "-f", "json", str(CLAIMS), "-o", str(link))
    assert code == 2
    assert err == (
        f"pmsize: --output {link}: cannot write there (it is a link to "
        f"{tmp_path / 'gone.json'}, which does not exist)\n"
    )
    assert link.is_symlink()
    assert listing(tmp_path) == ["report.json"]


def test_init_force_through_a_link_writes_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_text("old\n")
    link = tmp_path / "problem.yaml"
    link.symlink_to(target)
    assert run("init", "--force", str(link))[0] == 0
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == starter.text(str(link))


def test_output_into_a_fifo_writes_it_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, out, err = run("schema", "-o", str(fifo))
    reader.join(timeout=10)
    assert (code, out, err) == (0, "", "")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received == [run("schema")[1].encode()]
    assert listing(tmp_path) == ["pipe"]


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/fd/1").exists(), reason="no /proc/self/fd, which /dev/stdout names"
)


def own_stdout(tmp_path: Path) -> Path:
    """A link made as /dev/stdout is, to the process's own standard output."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    return link


@needs_proc
def test_output_to_stdout_by_name_in_a_pipe_writes_the_pipe(tmp_path: Path) -> None:
    # the link resolves to /proc/N/fd/pipe:[...], which names nothing: that string was
    # stat'ed, and the pipe refused as a link to a missing file (exit 2), where cp writes it
    link = own_stdout(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "pmsize", "schema", "-o", str(link)],
        capture_output=True,
        env={**os.environ, **ENV},
        timeout=60,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert proc.stdout == run("schema")[1].encode()
    assert link.is_symlink()
    assert listing(tmp_path) == ["stdout"]


@needs_proc
def test_output_to_stdout_by_name_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pmsize", "schema", "-o", str(own_stdout(tmp_path))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **ENV},
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone, as with `| head -c 0`
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (0, b"")


@pytest.mark.skipif(not IS_ROOT, reason="making a device node needs root")
def test_output_through_a_link_to_a_device_writes_the_device(tmp_path: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    (tmp_path / "link").symlink_to(null)
    assert run("schema", "-o", str(tmp_path / "link")) == (0, "", "")
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert (tmp_path / "link").is_symlink()
    assert listing(tmp_path) == ["link", "null"]


@pytest.mark.skipif(not IS_ROOT, reason="making a device node needs root")
def test_output_onto_a_null_device_keeps_the_device(tmp_path: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    assert run("evaluate", "-f", "json", str(CLAIMS), "-o", str(null)) == (0, "", "")
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert listing(tmp_path) == ["null"]


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old\n")
    target.chmod(0o600)
    assert run("evaluate", "-f", "json", str(CLAIMS), "-o", str(target))[0] == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().startswith("{")


def test_a_read_only_file_is_refused_even_for_root(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("keep me\n")
    target.chmod(0o444)
    code, out, err = run("evaluate", "-f", "json", str(CLAIMS), "-o", str(target))
    assert (code, out) == (2, "")
    assert err == f"pmsize: --output {target}: cannot write there (the file is read-only)\n"
    assert target.read_text() == "keep me\n"
    assert listing(tmp_path) == ["report.json"]


@pytest.mark.parametrize("exists", [False, True])
def test_a_name_ending_in_a_slash_is_a_folder_and_refused(tmp_path: Path, exists: bool) -> None:
    good = tmp_path / "good.yaml"
    if exists:
        good.write_text("name: Mine\n")
    code, out, err = run("evaluate", str(CLAIMS), "-o", f"{good}/")
    assert (code, out) == (2, "")
    assert err == (
        f"pmsize: --output {good}/: cannot write there "
        "(a name ending in / is a folder; name a file)\n"
    )
    assert listing(tmp_path) == (["good.yaml"] if exists else [])
    if exists:
        assert good.read_text() == "name: Mine\n"


def test_init_of_a_name_ending_in_a_slash_writes_nothing(tmp_path: Path) -> None:
    code, _, err = run("init", f"{tmp_path}/newdir/")
    assert code == 2
    assert "a name ending in / is a folder" in err
    assert listing(tmp_path) == []


# ------------------------------------------------------------------ OS errors are messages


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("x" * 300 + ".json", "File name too long"),
        ("a-file/report.json", "Not a directory"),
        ("missing/report.json", "No such file or directory"),
    ],
)
def test_an_os_error_on_the_output_path_is_a_message_naming_it(
    tmp_path: Path, name: str, reason: str
) -> None:
    (tmp_path / "a-file").write_text("x")
    target = tmp_path / name
    code, out, err = run("evaluate", "-f", "json", str(CLAIMS), "-o", str(target))
    assert (code, out) == (2, "")
    assert err == f"pmsize: --output {target}: cannot write there ({reason})\n"


@pytest.mark.skipif(IS_ROOT, reason="root may write into any folder")
def test_a_folder_without_write_permission_is_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, _, err = run("schema", "-o", str(folder / "s.json"))
    finally:
        folder.chmod(0o755)
    assert code == 2
    assert err == f"pmsize: --output {folder / 's.json'}: cannot write there (Permission denied)\n"


def test_a_long_name_that_fits_gets_a_temp_file_that_fits(tmp_path: Path) -> None:
    target = tmp_path / ("x" * 250 + ".json")
    code, out, err = run("schema", "-o", str(target))
    assert (code, out) == (0, "")
    assert err.startswith(f"Wrote {target}: ")
    assert listing(tmp_path) == [target.name]


# ------------------------------------------------------------------ --output -


@pytest.mark.parametrize(
    "args",
    [
        ["evaluate", str(CLAIMS)],
        ["evaluate", "-f", "json", str(CLAIMS)],
        ["explain", str(CLAIMS)],
        ["simulate", "-f", "json", "-n", "100", str(CLAIMS)],
        ["schema"],
    ],
)
def test_output_dash_is_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    expected = run(*args)
    assert expected[0] == 0
    assert run(*args, "--output", "-") == expected
    assert listing(tmp_path) == []  # no file called "-"


# ------------------------------------------------------------------ one width for files


@pytest.mark.parametrize("columns", [None, "abc", "0", "100"])
def test_a_table_to_a_file_is_as_wide_as_a_redirected_one(
    tmp_path: Path, columns: str | None
) -> None:
    folder = ROOT / "examples"
    target = tmp_path / "table.txt"
    _, redirected, _ = run("evaluate", str(folder), COLUMNS=columns)
    assert run("evaluate", str(folder), "-o", str(target), COLUMNS=columns)[0] == 0
    assert target.read_text() == redirected
    width = int(columns) if columns == "100" else 80
    assert max(len(line) for line in redirected.splitlines()) <= width


def test_a_huge_columns_value_is_capped(tmp_path: Path) -> None:
    code, out, _ = run("explain", str(CLAIMS), COLUMNS="30000")
    assert code == 0
    assert 80 < max(len(line) for line in out.splitlines()) <= 400


# ------------------------------------------------------------------ init's file name


def test_init_of_a_name_with_a_line_break_writes_a_sound_starter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = "a\nb.yaml"
    code, out, err = run("init", name)
    assert (code, out) == (0, "")
    assert err == "Wrote a b.yaml. Edit it, then run: pmsize evaluate 'a b.yaml'\n"
    written = (tmp_path / name).read_text(encoding="utf-8")
    assert "#   pmsize evaluate 'a b.yaml'    the verdict" in written
    # the starter still validates as it is
    assert run("validate", str(tmp_path / name))[0] == 0


def test_init_of_a_name_folder_scans_skip_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("init", "new.txt")
    assert code == 0
    assert err == (
        "Wrote new.txt. Edit it, then run: pmsize evaluate new.txt\n"
        "pmsize: warning: new.txt does not end in .yaml or .yml: a folder argument reads only "
        "*.yaml and *.yml files, so name the file itself to evaluate it\n"
    )
    assert (tmp_path / "new.txt").read_text(encoding="utf-8") == starter.text("new.txt")


@pytest.mark.parametrize("args", [["evaluate", str(CLAIMS), "-o"], ["init"]])
def test_a_nul_in_an_output_name_is_refused_not_a_crash(args: list[str]) -> None:
    # the system raises ValueError (not OSError) for it: once an internal error, exit 3
    result = CliRunner().invoke(app, [*args, "a\x00b.yaml"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(
        "a\\x00b.yaml: cannot write there (a file name cannot hold a NUL character (\\x00))\n"
    )
