"""The two sides of a diff read: files and folders, files' bytes, or paths at a git revision.

Each problem is read with its data as the file writes it (`Problem.as_written`), so
that changed values are shown as written; every input error of both sides is reported
together (`both_sides`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from pmsize import _loader as loader
from pmsize._errors import InputError, InputErrors, Location
from pmsize._models import Problem


def read_paths(paths: Iterable[str]) -> list[Problem]:
    """Every problem in files and folders, each with its data as written
    (`Problem.as_written`); `InputErrors` with every error found."""
    errors: list[InputError] = []
    return read_bytes(_read_files(loader.expand_paths(paths, errors), errors))


def _read_files(files: Iterable[str], errors: list[InputError]) -> list[tuple[str, bytes]]:
    """Each file's `(name, bytes)`; raises `InputErrors` with `errors` and every file that
    cannot be read."""
    named: list[tuple[str, bytes]] = []
    for file in files:
        try:
            named.append((file, loader.read_file(file)))
        except InputError as exc:
            errors.append(exc)
    if errors:
        raise InputErrors(errors)
    return named


def read_bytes(named: Iterable[tuple[str, bytes]]) -> list[Problem]:
    """Problems from files' bytes, each `(name in messages, bytes)`, with their data as
    written."""
    return loader.load_written(named)


def read_git(rev: str, paths: Sequence[str]) -> tuple[list[Problem], list[Problem], list[str]]:
    """`paths` as of git revision `rev` and in the working tree, and the working tree's files.

    A path absent at `rev` has its problems added; one absent from the working tree but
    there at `rev`, removed. Files at `rev` are named `REV:path` in messages.
    """
    from pmsize import _gitfiles as gitfiles

    at_rev = gitfiles.files_at(rev, list(paths))
    present = [p for p in paths if p == loader.STDIN or _exists(p)]
    named_at_rev = {f.name.split(":", 1)[1] for f in at_rev}
    errors: list[InputError] = []
    for path in paths:
        if path not in present and not any(_below(name, path) for name in named_at_rev):
            errors.append(InputError(Location(path), f"no such file or folder, here or at {rev}"))
    if errors:
        raise InputErrors(errors)
    # read as git reads the revision: no submodule (the same files on both sides)
    files = loader.expand_paths(present, errors, skip_repositories=True) if present else []
    named = _read_files(files, errors)
    old, new = both_sides(
        lambda: read_bytes((f.name, f.data) for f in at_rev), lambda: read_bytes(named)
    )
    return old, new, files


T = TypeVar("T")


def both_sides(old: Callable[[], T], new: Callable[[], T]) -> tuple[T, T]:
    """Both sides read, every input error of both reported together."""
    errors: list[InputError] = []
    sides: list[T] = []
    for read in (old, new):
        try:
            sides.append(read())
        except InputErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise InputErrors(errors)
    return sides[0], sides[1]


def _exists(path: str) -> bool:
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def _below(name: str, path: str) -> bool:
    """Whether a file's name lies at or below `path` (both as the working tree spells them)."""
    name, path = os.path.normpath(name), os.path.normpath(path)
    return path == "." or name == path or name.startswith(path.rstrip(os.sep) + os.sep)
