"""`pmsize init`: the commented starter problem file, and writing it without clobbering."""

from __future__ import annotations

import os
import shlex
from importlib import resources
from pathlib import Path

from pmsize import _files as files
from pmsize._errors import UsageError
from pmsize._fmt import safe_text

DEFAULT_FILE = "problem.yaml"


def text(file: str = DEFAULT_FILE) -> str:
    """The starter file: a complete, commented problem that validates and evaluates as it is;
    its comments name `file` in the commands they suggest (shell-quoted, on one line)."""
    starter = resources.files("pmsize").joinpath("starter.yaml").read_text(encoding="utf-8")
    return starter.replace(f" {DEFAULT_FILE}", f" {shown(file)}")


def shown(file: str) -> str:
    """`file` as a command to type: one line, no control characters, quoted for a shell."""
    return shlex.quote(safe_text(file))


def write(path: str, *, force: bool = False) -> list[str]:
    """Write the starter to `path` as `--output` writes (`files.write_atomically`): into a
    folder that exists, never making one, as `cp` would; refuse to replace a file unless
    `force`. Returns warnings for the user (an unscanned suffix)."""
    folder_name = path.endswith(("/", os.sep))  # refused by files.write_atomically
    if not folder_name and files.is_folder(path):  # a name too long is refused here
        example = str(Path(path) / DEFAULT_FILE)
        raise UsageError(
            f"{safe_text(path)} is a folder; name a file, such as {safe_text(example)}"
        )
    files.write_atomically(path, text(path), overwrite=force)
    from pmsize._loader import YAML_SUFFIXES

    if not path.lower().endswith(YAML_SUFFIXES):
        return [
            f"{safe_text(path)} does not end in .yaml or .yml: a folder argument reads only "
            "*.yaml and *.yml files, so name the file itself to evaluate it"
        ]
    return []
