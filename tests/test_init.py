"""`pmsize init`: a starter that validates and evaluates as it is, written without clobbering."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmsize import _starter as starter
from pmsize.cli import app


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "80"}).invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_init_writes_problem_yaml_here_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("init")
    assert (code, out) == (0, "")
    assert err == "Wrote problem.yaml. Edit it, then run: pmsize evaluate problem.yaml\n"
    assert (tmp_path / "problem.yaml").read_text(encoding="utf-8") == starter.text()
    assert [p.name for p in tmp_path.iterdir()] == ["problem.yaml"]  # no temporary file left


def test_the_starter_round_trips_through_validate_evaluate_and_explain(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    assert run("init", str(target))[0] == 0
    assert run("validate", str(target)) == (0, f"{target}: ok (1 problem)\n", "")
    code, out, _ = run("evaluate", str(target))
    assert code == 0
    assert out.startswith("Invoice matching for wholesale distributors")
    assert run("explain", str(target))[0] == 0


def test_the_starter_names_the_schema_for_editors() -> None:
    first = starter.text().splitlines()[0]
    assert first == (
        "# yaml-language-server: $schema="
        "https://raw.githubusercontent.com/pmsize/pmsize/main/pmsize.schema.json"
    )


def test_init_refuses_to_replace_a_file(tmp_path: Path) -> None:
    target = tmp_path / "problem.yaml"
    target.write_text("name: Mine, hand written\n")
    code, out, err = run("init", str(target))
    assert (code, out) == (2, "")
    assert err == f"pmsize: {target} already exists; use --force to replace it\n"
    assert target.read_text() == "name: Mine, hand written\n"


def test_init_force_replaces_a_file(tmp_path: Path) -> None:
    target = tmp_path / "problem.yaml"
    target.write_text("old\n")
    assert run("init", str(target), "--force")[0] == 0
    assert target.read_text(encoding="utf-8") == starter.text(str(target))


def test_the_starter_names_its_own_file_in_the_commands_it_suggests(tmp_path: Path) -> None:
    target = tmp_path / "claims.yaml"
    assert run("init", str(target))[0] == 0
    written = target.read_text(encoding="utf-8")
    assert f"#   pmsize evaluate {target}    the verdict" in written
    assert "problem.yaml" not in written


def test_init_to_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    assert run("init", str(tmp_path)) == (
        2,
        "",
        f"pmsize: {tmp_path} is a folder; name a file, such as {tmp_path / 'problem.yaml'}\n",
    )


def test_init_into_a_missing_folder_is_refused_as_output_refuses_it(tmp_path: Path) -> None:
    # init made missing folders (anywhere, outside the project too) where every
    # --output refused: it now writes as cp does, into a folder that exists
    target = tmp_path / "problems" / "new" / "problem.yaml"
    code, out, err = run("init", str(target))
    assert (code, out) == (2, "")
    assert err == f"pmsize: {target}: cannot write there (No such file or directory)\n"
    assert list(tmp_path.iterdir()) == []  # no folder made
    code, _, err = run("schema", "-o", str(target))
    assert (code, err) == (
        2,
        f"pmsize: --output {target}: cannot write there (No such file or directory)\n",
    )


def test_init_into_a_folder_that_exists_writes_there(tmp_path: Path) -> None:
    (tmp_path / "problems").mkdir()
    target = tmp_path / "problems" / "problem.yaml"
    code, out, err = run("init", str(target))
    assert (code, out) == (0, "")
    assert err == f"Wrote {target}. Edit it, then run: pmsize evaluate {target}\n"
    assert target.read_text(encoding="utf-8") == starter.text(str(target))


def test_init_under_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "problem.yaml"
    code, out, err = run("init", str(target))
    assert (code, out) == (2, "")
    assert err == f"pmsize: {target}: cannot write there (Not a directory)\n"
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_init_of_a_name_too_long_is_a_usage_error_as_with_output(tmp_path: Path) -> None:
    # the folder probe raised ENAMETOOLONG: an internal error (exit 3), where --output
    # gave exit 2 for the same path
    target = tmp_path / ("a" * 300 + ".yaml")
    code, out, err = run("init", str(target))
    assert (code, out) == (2, "")
    assert err == f"pmsize: {target}: cannot write there (File name too long)\n"
    assert list(tmp_path.iterdir()) == []
    code, _, err = run("schema", "-o", str(target))
    assert (code, err) == (
        2,
        f"pmsize: --output {target}: cannot write there (File name too long)\n",
    )


def test_init_in_a_folder_that_cannot_be_searched_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as a folder without the search bit (chmod 000) answers anyone but root
    locked = tmp_path / "locked"
    locked.mkdir()
    stat_of = os.stat

    def refusing(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path).startswith(f"{locked}/"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return stat_of(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", refusing)
    target = locked / "problem.yaml"
    code, out, err = run("init", str(target))
    assert (code, out) == (2, "")
    assert err == f"pmsize: {target}: cannot write there (Permission denied)\n"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root searches any folder")
def test_init_in_an_unreadable_folder_is_a_usage_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0)
    try:
        code, out, err = run("init", str(locked / "problem.yaml"))
    finally:
        locked.chmod(0o700)
    assert (code, out) == (2, "")
    assert err == f"pmsize: {locked / 'problem.yaml'}: cannot write there (Permission denied)\n"


def test_init_dash_prints_the_starter(tmp_path: Path) -> None:
    assert run("init", "-") == (0, starter.text(), "")


def test_the_file_is_readable_like_any_file_the_user_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run("init")
    mode = stat.S_IMODE((tmp_path / "problem.yaml").stat().st_mode)
    assert mode & stat.S_IRGRP  # not the private 0600 of a temporary file


def test_a_suffix_in_capitals_is_one_folders_read_so_no_warning(tmp_path: Path) -> None:
    # folder scans compare suffixes in any case; init warned about `b.YAML` all the same
    result = CliRunner().invoke(app, ["init", str(tmp_path / "b.YAML")], env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    assert result.stderr == (
        f"Wrote {tmp_path / 'b.YAML'}. Edit it, then run: pmsize evaluate {tmp_path / 'b.YAML'}\n"
    )
