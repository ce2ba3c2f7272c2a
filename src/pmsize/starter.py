"""`pmsize init`: the commented starter problem file, and writing it without clobbering."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pmsize import files
from pmsize.errors import UsageError

DEFAULT_FILE = "problem.yaml"


def text(file: str = DEFAULT_FILE) -> str:
    """The starter file: a complete, commented problem that validates and evaluates as it is;
    its comments name `file` in the commands they suggest."""
    starter = resources.files("pmsize").joinpath("starter.yaml").read_text(encoding="utf-8")
    return starter.replace(f" {DEFAULT_FILE}", f" {file}")


def write(path: Path, *, force: bool = False) -> None:
    """Write the starter to `path` atomically; refuse to replace a file unless `force`."""
    if path.is_dir():
        raise UsageError(f"{path} is a folder; name a file, such as {path / DEFAULT_FILE}")
    files.write_atomically(path, text(str(path)), overwrite=force)
