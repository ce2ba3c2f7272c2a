"""How a notebook shows a result: drawings that the layer above registers.

Jupyter shows the value of a cell by calling its `_repr_html_` (preferred) or
`_repr_markdown_`. The result types (`Evaluation`, `Simulated`, `Plan`, `Diff`) sit
below the renderers, so drawing themselves would be an import that points up a layer.
Each asks here instead; `render.notebook` registers how to draw each type when it is
imported, and `pmsize._api` imports it, so every result a caller can get (they all come
through the library's functions) finds its drawing. A type with none shows its `repr`
(Jupyter falls back when these return None).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Drawing = Callable[[Any], str]

# "module.Type" -> {"html": drawing, "markdown": drawing}: a type is named, not imported,
# so registering costs no import of numpy (a `Simulated`) before anything is drawn
_DRAWINGS: dict[str, dict[str, Drawing]] = {}


def register(kind: str, *, html: Drawing, markdown: Drawing | None = None) -> None:
    """How to show the type named `kind` (`pmsize._results.Evaluation`) in a notebook: as
    HTML, and as markdown when it has one."""
    _DRAWINGS[kind] = {"html": html} | ({} if markdown is None else {"markdown": markdown})


def drawn(result: object, form: str) -> str | None:
    """`result` drawn as `form` ("html" or "markdown"), or None when nothing draws it so."""
    kind = type(result)
    drawing = _DRAWINGS.get(f"{kind.__module__}.{kind.__qualname__}", {}).get(form)
    return None if drawing is None else drawing(result)


__all__ = ["Drawing", "drawn", "register"]
