"""JSON text as pmsize writes every document: plain, safe to print, exact.

Text is UTF-8 as written, but every character a terminal or log viewer would act
on is a `\\uXXXX` escape: json.dumps escapes C0 controls; DEL, C1 (U+0080-U+009F),
the bidirectional overrides, isolates and marks and the line and paragraph
separators are escaped here, so `json.loads` still gives back the original text. So
is the `#` that starts a `##[`, the workflow-command syntax a CI runner reads anywhere in
a log line (`\\u0023#[`), so a document printed in a CI log carries no command. No
number is written `-0.0`, and NaN or infinity is refused (they are not JSON).

A file name that is not UTF-8 holds lone surrogates (U+DC80-U+DCFF, Python's
reading of the undecodable bytes): they are written as `\\udcff` escapes, which
is valid JSON, keeps the document valid UTF-8, and reads back (in Python) to the
very name. With `ascii_only`, every non-ASCII character is a `\\uXXXX` escape.

Standard library only: `results` (the library's `to_json`) and `render.json` (the
command's output) both write through `dumps`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pmsize._fmt import INLINE_COMMAND, UNSEEN

# What json.dumps(ensure_ascii=False) leaves raw but a terminal, a log viewer or a CI
# runner acts on. Outside strings a JSON document is ASCII with no `#`, so these can only
# stand inside one, where `#` is never part of an escape.
_UNSAFE = re.compile(f"[\x7f{UNSEEN}]|{INLINE_COMMAND}")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def no_negative_zero(value: Any) -> Any:
    """`value` with every -0.0 inside it written 0.0 (it reads as a loss of nothing)."""
    if isinstance(value, float):
        return value + 0.0  # -0.0 + 0.0 == 0.0; every other float is unchanged
    if isinstance(value, dict):
        return {key: no_negative_zero(item) for key, item in value.items()}
    if isinstance(value, list):
        return [no_negative_zero(item) for item in value]
    return value


def dumps(doc: Any, *, ascii_only: bool = False) -> str:
    """`doc` as JSON: indented, finite numbers, no -0.0, no raw control characters or
    lone surrogates; all ASCII with `ascii_only`; newline-terminated."""
    text = json.dumps(no_negative_zero(doc), indent=2, ensure_ascii=ascii_only, allow_nan=False)
    return _UNSAFE.sub(_escape, text) + "\n"
