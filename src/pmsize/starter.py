"""`pmsize init`: the commented starter problem file, and writing it without clobbering."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pmsize import files
from pmsize.errors import UsageError

DEFAULT_FILE = "problem.yaml"


def text() -> str:
    """The starter file: a complete, commented problem that validates and evaluates as it is."""
    return resources.files("pmsize").joinpath("starter.yaml").read_text(encoding="utf-8")


def write(path: Path, *, force: bool = False) -> None:
    """Write the starter to `path` atomically; refuse to replace a file unless `force`."""
    if path.is_dir():
        raise UsageError(f"{path} is a folder; name a file, such as {path / DEFAULT_FILE}")
    files.write_atomically(path, text(), overwrite=force)
