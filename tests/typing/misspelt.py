"""Type-checked by mypy in CI (pyproject's `[tool.mypy] files`), never run: a misspelt name of
the library is an error for mypy, not only at run time. Were `pmsize.evalute` a name, the
ignore below would be unused, and strict mypy fails on an unused ignore."""

import pmsize

misspelt = pmsize.evalute  # type: ignore[attr-defined]
