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

The text is, byte for byte, what `json.dumps(value, indent=2, ensure_ascii=ascii_only)`
writes (`separators=(",", ":")` without indent) after the escapes above: that writer
(`reference`) is the definition, and the one used where the fast one differs. The fast
one is orjson, some twenty times quicker on a large portfolio; a value is written by it
when its text is the same: orjson writes a number below 1e-4 in another form (`0.00001`
for `1e-05`, `1.5e-7` for `1.5e-07`), `-0.0` as it is, NaN as `null`, and refuses lone
surrogates, so non-finite numbers are refused before it runs, and a text that holds any
of the others is written by `reference` instead.

`results` (the library's `to_json`) and `render.json` (the command's output) both write
through `dumps` or `chunks`; orjson is imported here, when a document is first written.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pmsize._fmt import INLINE_COMMAND, UNSEEN

# What json.dumps(ensure_ascii=False) leaves raw but a terminal, a log viewer or a CI
# runner acts on. Outside strings a JSON document is ASCII with no `#`, so these can only
# stand inside one, where `#` is never part of an escape.
_UNSAFE = re.compile(f"[\x7f{UNSEEN}]|{INLINE_COMMAND}")
_DIGITS = frozenset(b"0123456789")
_NUMBER_START = frozenset(b"0123456789.")
# an exponent's `e` (orjson writes no `E`: `_orjson` checks), found from the literal `e`
_EXPONENT = re.compile(rb"e[-+0-9]")
INDENT = "  "  # json.dumps(indent=2)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def no_negative_zero(value: Any) -> Any:
    """`value` with every -0.0 inside it written 0.0 (it reads as a loss of nothing)."""
    if isinstance(value, float):
        return value + 0.0  # -0.0 + 0.0 == 0.0; every other float is unchanged
    if isinstance(value, dict):
        return {key: no_negative_zero(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [no_negative_zero(item) for item in value]
    return value


def reference(value: Any, *, ascii_only: bool = False, indent: bool = True) -> str:
    """`value` as pmsize's JSON defines it: `json.dumps` (indented by two, or compact),
    no -0.0, non-finite numbers refused (`ValueError`), then the escapes above."""
    text = json.dumps(
        no_negative_zero(value),
        indent=2 if indent else None,
        separators=None if indent else (",", ":"),
        ensure_ascii=ascii_only,
        allow_nan=False,
    )
    return _UNSAFE.sub(_escape, text)


def text(value: Any, *, ascii_only: bool = False, indent: bool = True, level: int = 0) -> str:
    """`value` as `reference` writes it, `level` deep in an indented document (each line
    after the first indented by two spaces a level), without a final newline."""
    written = _fast(value, ascii_only=ascii_only, indent=indent)
    if written is None:
        written = reference(value, ascii_only=ascii_only, indent=indent)
    # no line break stands inside a JSON string: each one starts a line of the layout
    return written.replace("\n", "\n" + INDENT * level) if level and indent else written


# Numbers orjson must write as json.dumps does, checked once (`_orjson`): plain decimals
# the same, and every number json writes with an exponent (or below 1e-4) written by
# orjson with an `e` or as `0.0000...`, so that `_numbers_differ` sees it.
_PLAIN = (0.0, 1.0, -2.5, 0.1, 1 / 3, 0.0001, 0.00012, 123456789.125, 1e15, 2.0**53, 2**63)
_NOT_PLAIN = (1e16, 1.5e17, 1e22, 1e-05, 1.5e-07, 5e-324, -1e300)


@functools.cache
def _orjson() -> Any:
    """orjson, imported on first use (`import pmsize` and tables never pay for it); None
    if this release writes a number in a form `_numbers_differ` does not expect."""
    import orjson

    same = orjson.dumps(_PLAIN) == json.dumps(_PLAIN, separators=(",", ":")).encode()
    seen = all(_numbers_differ(orjson.dumps([x])) for x in _NOT_PLAIN)
    return orjson if same and seen else None


def _fast(value: Any, *, ascii_only: bool, indent: bool) -> str | None:
    """`value` as `reference` writes it, by orjson; None when orjson would write it otherwise."""
    orjson = _orjson()
    if orjson is None:
        return None
    _refuse_non_finite(value)
    options = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
    try:
        raw = orjson.dumps(value, option=options | orjson.OPT_INDENT_2 if indent else options)
    except orjson.JSONEncodeError:  # a lone surrogate, an int past 64 bits, a key not text
        return None
    if _numbers_differ(raw):
        return None
    if raw.isascii():
        written = raw.decode("ascii")  # of the escapes, only DEL and `##[` are ASCII
        return _UNSAFE.sub(_escape, written) if "##[" in written or "\x7f" in written else written
    if ascii_only:
        return None
    return _UNSAFE.sub(_escape, raw.decode("utf-8"))


def _numbers_differ(raw: bytes) -> bool:
    """Whether orjson's `raw` may write a number otherwise than json.dumps: a `-0.0`, a
    number with an exponent (json writes `1e+16`, `1e-05`; orjson's form has changed
    between releases) or one below 1e-4 written out (`0.00001`). Text that merely looks
    so (a name `x-0.0`) is taken for one: it is then written by `reference`."""
    at = raw.find(b"-0.0")
    while at >= 0:
        if at + 4 == len(raw) or raw[at + 4] not in _DIGITS:
            return True
        at = raw.find(b"-0.0", at + 4)
    for found in _EXPONENT.finditer(raw):
        at = found.start()
        if at and raw[at - 1] in _DIGITS:
            return True
    at = raw.find(b"0.0000")
    while at >= 0:
        if at == 0 or raw[at - 1] not in _NUMBER_START:
            return True
        at = raw.find(b"0.0000", at + 6)
    return False


def _refuse_non_finite(value: Any) -> None:
    """Raise `ValueError`, as json.dumps(allow_nan=False) does, when a NaN or an infinity
    stands anywhere in `value` (orjson would write `null`)."""
    kind = type(value)
    if kind is dict:
        items: Iterable[Any] = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        items = (value,)
    for item in items:
        kind = type(item)
        if kind is float:
            if item - item != 0.0:  # NaN - NaN and inf - inf are NaN
                raise ValueError(f"Out of range float values are not JSON compliant: {item!r}")
        elif kind is dict or kind is list or kind is tuple:
            _refuse_non_finite(item)
        elif kind not in (str, int, bool, type(None)):
            _refuse_non_finite_other(item)


def _refuse_non_finite_other(item: Any) -> None:
    """`_refuse_non_finite` for the subclasses of float, dict, list and tuple."""
    if isinstance(item, float):
        _refuse_non_finite(float(item))
    elif isinstance(item, Mapping):
        _refuse_non_finite(dict(item))
    elif isinstance(item, (list, tuple)):
        _refuse_non_finite(list(item))


def chunks(doc: Mapping[str, Any], *, ascii_only: bool = False) -> Iterator[str]:
    """The indented document `doc` as `dumps` writes it, a piece at a time: a value that
    is a list, or an iterator (written as a list), is written an item at a time, as the
    items come, so a large document is never held whole."""
    if not doc or any(type(key) is not str for key in doc):
        yield reference(doc, ascii_only=ascii_only) + "\n"  # json.dumps writes such keys
        return
    before = "{\n" + INDENT
    for key, value in doc.items():
        head = f"{before}{text(key, ascii_only=ascii_only)}: "
        before = ",\n" + INDENT
        if not isinstance(value, (Iterator, list)):
            yield head + text(value, ascii_only=ascii_only, level=1)
            continue
        # item by item, so that an item orjson would write otherwise is the only one
        # written by `reference`
        opened = "[\n" + INDENT * 2
        for item in value:
            yield head + opened + text(item, ascii_only=ascii_only, level=2)
            head, opened = "", ",\n" + INDENT * 2
        yield head + "[]" if head else "\n" + INDENT + "]"
    yield "\n}\n"


def dumps(doc: Any, *, ascii_only: bool = False) -> str:
    """`doc` as JSON: indented, finite numbers, no -0.0, no raw control characters or
    lone surrogates; all ASCII with `ascii_only`; newline-terminated."""
    if isinstance(doc, Mapping):
        return "".join(chunks(doc, ascii_only=ascii_only))
    return text(doc, ascii_only=ascii_only) + "\n"


def line(value: Any, *, ascii_only: bool = False) -> str:
    """`value` as one line of JSON Lines: compact (`{"a":1,"b":[2]}`), newline-terminated."""
    return text(value, ascii_only=ascii_only, indent=False) + "\n"
