"""`--set PATH=VALUE` read: the input's path (docs/paths.md) and its value, written as in
a file and read as YAML flow by the file's own reader (`$50k`, `[2%, 5%, 8%]`,
`{kind: vendor, solves: 70%}`, `null`), so the same limits and the same errors apply.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from typing import Any

from pmsize import _fmt as fmt
from pmsize import _paths as paths
from pmsize._errors import InputError, InputErrors, UsageError
from pmsize._loader import _yaml
from pmsize._models import Values

EXAMPLE = "--set 'solution.price=$50k'"


def read_settings(items: Iterable[str]) -> Values:
    """Each `PATH=VALUE` as its path and its value as plain data, in the order given (a
    later setting of an input wins, as a later line of a file would). `UsageError` for
    a setting that is not `PATH=VALUE` or names no input; `InputErrors` for a value YAML
    cannot read."""
    found: list[tuple[paths.Path, Any]] = []
    for item in items:
        path_text, value_text = _split(item)
        try:
            path = paths.parse(path_text)
        except paths.ScenarioPathError:
            name = paths.parse(path_text, scenario=True).scenario or ""
            raise UsageError(
                f"--set {fmt.safe_text(path_text.strip()[:100])}: a scenario is not an input "
                f"and takes no --set; evaluate as it with --scenario {_quoted(name)}, or set "
                "an input it changes"
            ) from None
        except paths.PathError as exc:
            raise UsageError(f"--set {fmt.safe_text(path_text.strip()[:100])}: {exc}") from None
        duplicates: list[InputError] = []
        value = (
            None  # removes the field or the alternative (a file's reader refuses a null file)
            if value_text.strip() in _yaml.PLAIN_NULLS
            else _yaml.build(value_text, f"--set {path}", duplicates)
        )
        if duplicates:
            raise InputErrors(duplicates)
        found.append((path, value))
    return found


def _quoted(name: str) -> str:
    """A scenario's name as a shell word: `'slow uptake'`, `recession`."""
    text = fmt.safe_text(name.strip()[:100])
    return text if text.replace("-", "").replace("_", "").isalnum() else shlex.quote(text)


def _split(item: str) -> tuple[str, str]:
    """`PATH=VALUE` at its first `=` outside the path's brackets (a name may hold `=`)."""
    depth = 0
    for at, char in enumerate(item):
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        elif char == "=" and depth == 0:
            if item[:at].strip():
                return item[:at], item[at + 1 :]
            break
    raise UsageError(
        f"--set {fmt.safe_text(item[:100])}: expected PATH=VALUE, an input's path and its "
        f"value as the file writes it, such as {EXAMPLE}"
    )


__all__ = ["read_settings"]
