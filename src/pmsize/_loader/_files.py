"""Which files a run reads, and their bytes.

Paths named (files, folders, `-` for standard input) become the files to read:
the *.yaml/*.yml files below a folder, each file once however it is reached, a
link followed only to a file within the folder named, and what is left out on
purpose told as a `SkippedPath` warning. `within` is the one rule for what a link
may reach, which `gitfiles` applies to a revision's tree too.
"""

from __future__ import annotations

import os
import stat
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path

from pmsize._errors import InputError, Location, SkippedPath, UsageError

# the most a file may hold: it is read to one byte past this, which `_yaml.decode` refuses
MAX_BYTES = 10 * 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")  # what a folder argument reads, compared in any case
STDIN = "-"
STDIN_NAME = "<stdin>"


def display_name(file: str) -> str:
    """How a file is named in messages: `<stdin>` for `-`."""
    return STDIN_NAME if file == STDIN else file


def expand_paths(
    paths: Iterable[str], errors: list[InputError], *, skip_repositories: bool = False
) -> list[str]:
    """Files named, and the *.yaml/*.yml files (any case) below directories named (not in
    hidden folders, and not hidden themselves), in sorted order; each file once, however
    many names it is reached by (`./a.yaml a.yaml`, a symlink).

    In a folder, a link to a file is followed only when the file lies in that folder
    (`within`); a link that leads out of it is skipped with a `SkippedPath` warning, so
    that a link committed among problems cannot read any file the process can. With
    `skip_repositories` (git's view of a repository, for `diff --git`), a folder below
    one named that holds another repository (a submodule: a `.git` in it) is skipped
    with a warning too.

    Raises `UsageError` for an empty path; any other path that cannot be read is an
    error in `errors`.
    """
    files: list[str] = []
    for path in paths:
        if not path:
            # Path("") is ".", which would quietly evaluate the current folder
            raise UsageError("an empty path names no file; give a file, a folder or - for stdin")
        if path == STDIN:
            files.append(STDIN)
            continue
        try:
            info = Path(path).stat()
        except FileNotFoundError:
            errors.append(InputError(Location(path), "no such file or folder"))
            continue
        except (OSError, ValueError) as exc:
            errors.append(_unreadable(path, exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            found = _yaml_files_below(path, errors, skip_repositories)
            if not found:
                errors.append(InputError(Location(path), "no *.yaml or *.yml files in this folder"))
            files.extend(found)
        else:
            files.append(path)
    return _once_each(files, errors)


def _yaml_files_below(
    folder: str, errors: list[InputError], skip_repositories: bool = False
) -> list[str]:
    """The *.yaml/*.yml files below `folder`, sorted; a folder that cannot be read is an
    error, never silently skipped. Symlinked folders are not followed (no loops); a
    symlinked file only when it lies in `folder` (see `expand_paths`)."""
    found: list[str] = []
    pending = [Path(folder)]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as exc:
            errors.append(_unreadable(str(current), exc))
            continue
        for entry in entries:
            # hidden folders (.github/, .git/) hold workflow and tool YAML, never problems
            if entry.name.startswith("."):
                continue
            path = current / entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if skip_repositories and os.path.lexists(path / ".git"):
                        skipped(f"{path} is a git submodule (another repository)")
                    else:
                        pending.append(path)
                elif entry.name.lower().endswith(YAML_SUFFIXES) and entry.is_file():
                    if entry.is_symlink() and within(str(path), folder) is None:
                        skipped(f"{path} is a link to a file outside {folder}")
                    else:
                        found.append(str(path))
            except OSError as exc:
                errors.append(_unreadable(str(path), exc))
    return sorted(found)


def within(path: str, folder: str) -> str | None:
    """`path` relative to `folder` (with `/`, "" for the folder itself), both with every
    link resolved; None when it lies outside. The one rule for what a link may reach:
    a file found in a folder stays in it, and `diff --git` stays in its repository."""
    resolved, root = os.path.realpath(path), os.path.realpath(folder)
    relative = os.path.relpath(resolved, root)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return "" if relative == os.curdir else relative.replace(os.sep, "/")


def skipped(what: str, *, several: bool = False) -> None:
    """Say that a path is left out on purpose (`what` is, so it is not read; with
    `several`, they are): a `SkippedPath` warning, which the command line prints as a
    note."""
    it = "they are" if several else "it is"
    warnings.warn(SkippedPath(f"{what}, so {it} not read"), stacklevel=2)


def _once_each(files: list[str], errors: list[InputError]) -> list[str]:
    """`files` with each file kept under the first name it was reached by."""
    seen: set[tuple[int, int] | str] = set()
    unique: list[str] = []
    for file in files:
        identity: tuple[int, int] | str = file
        if file != STDIN:
            try:
                info = Path(file).stat()
            except (OSError, ValueError) as exc:
                errors.append(_unreadable(file, exc))
                continue
            identity = (info.st_dev, info.st_ino)
        if identity not in seen:
            seen.add(identity)
            unique.append(file)
    return unique


def _unreadable(path: str, exc: OSError | ValueError) -> InputError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return InputError(Location(path), f"cannot read ({reason.lower()})")


def read_file(file: str) -> bytes:
    """A file's bytes as the loader reads them (`-` is stdin), at most one past the size
    limit; `InputError` when it cannot be read."""
    if file == STDIN:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        try:
            with Path(file).open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except (OSError, ValueError) as exc:
            raise _unreadable(file, exc) from None
    return data
