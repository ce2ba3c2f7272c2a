"""`pmsize init`: the commented starter problem file, and writing it without clobbering."""

from __future__ import annotations

import contextlib
import os
import tempfile
from importlib import resources
from pathlib import Path

from pmsize.errors import UsageError

DEFAULT_FILE = "problem.yaml"


def text() -> str:
    """The starter file: a complete, commented problem that validates and evaluates as it is."""
    return resources.files("pmsize").joinpath("starter.yaml").read_text(encoding="utf-8")


def write(path: Path, *, force: bool = False) -> None:
    """Write the starter to `path` atomically; refuse to replace a file unless `force`.

    The text goes to a temporary file beside `path` first. With `force` it is renamed
    over `path`; without, it is hard-linked to `path`, which fails if anything exists
    there, so a file created meanwhile is never replaced either.
    """
    if path.is_dir():
        raise UsageError(f"{path} is a folder; name a file, such as {path / DEFAULT_FILE}")
    if not force and path.exists():
        raise UsageError(f"{path} already exists; use --force to replace it")
    directory = path.parent if str(path.parent) else Path()
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text())
        Path(temp).chmod(0o666 & ~_umask())  # mkstemp makes it private; the file is the user's
        if force:
            Path(temp).replace(path)
        else:
            _place_new(Path(temp), path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(temp).unlink()


def _place_new(temp: Path, path: Path) -> None:
    try:
        os.link(temp, path)
    except FileExistsError:
        raise UsageError(f"{path} already exists; use --force to replace it") from None
    except OSError:
        # a file system without hard links: the existence check above has to do
        if path.exists():
            raise UsageError(f"{path} already exists; use --force to replace it") from None
        temp.replace(path)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
