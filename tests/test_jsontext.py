"""pmsize's JSON writer against the standard library's: the same bytes, always.

`jsontext` writes with orjson where orjson writes what `json.dumps` writes, and with
json.dumps where it does not (tiny numbers, -0.0, lone surrogates, ASCII-only output).
The oracle here is the writer pmsize had before orjson, written out again:
`json.dumps(indent=2, ensure_ascii=...)` of the record with -0.0 made 0.0, then the
escapes of what a terminal or a CI runner acts on.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmsize import _jsontext as jsontext
from pmsize import _service as service
from pmsize._fmt import UNSEEN
from pmsize._models import NO_POLICY
from strategies import examples

ROOT = Path(__file__).resolve().parent.parent
_ESCAPED = re.compile(f"[\x7f{UNSEEN}]|#(?=#\\[)")


def _positive_zero(value: Any) -> Any:
    if isinstance(value, float):
        return value + 0.0
    if isinstance(value, dict):
        return {k: _positive_zero(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_positive_zero(v) for v in value]
    return value


def oracle(value: Any, *, ascii_only: bool, indent: bool = True) -> str:
    """The JSON pmsize wrote before orjson (indented), or its compact form for JSON Lines."""
    text = json.dumps(
        _positive_zero(value),
        indent=2 if indent else None,
        separators=None if indent else (",", ":"),
        ensure_ascii=ascii_only,
        allow_nan=False,
    )
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# Text that json and orjson write differently, or that pmsize escapes: C0 and C1 controls,
# DEL, the bidirectional marks, the line and paragraph separators, lone surrogates (a file
# name's undecodable bytes), the inline workflow command, non-ASCII, and text that looks
# like the numbers orjson writes otherwise.
HOSTILE = [
    *"\x00\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x80\x85\x9b\x9f",
    *"\u061c\u200b\u200e\u200f\u202a\u202e\u2066\u2069\u2028\u2029\ufeff",
    "\ud800",
    "\udcff",
    "\udc80\udc81",
    "\ud83d\ude00",  # a surrogate pair as two code points
    "##[error]",
    "#",
    "é",
    "日本",
    "😀",
    '"',
    "\\",
    "/",
    "-0.0",
    "1e-05",
    "0.00001",
    "negative-npv",
]
texts = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=4)), max_size=5).map("".join)
floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1e-05, 1.5e-07, 0.0001, 1e16, 1e-320, 5e-324, -1e-300, 1e300]),
    st.floats(-1e-3, 1e-3),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(2**70), 2**70),
    floats,
    texts,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(texts, inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=examples(200), deadline=None)
@given(values, st.booleans(), st.booleans())
def test_any_value_is_written_as_json_dumps_writes_it(
    value: Any, ascii_only: bool, indent: bool
) -> None:
    written = jsontext.text(value, ascii_only=ascii_only, indent=indent)
    assert written == oracle(value, ascii_only=ascii_only, indent=indent)


@settings(max_examples=examples(100), deadline=None)
@given(st.dictionaries(texts, values, max_size=4), values, st.booleans())
def test_a_document_is_written_as_json_dumps_writes_it_streamed_or_not(
    doc: dict[str, Any], items: Any, ascii_only: bool
) -> None:
    expected = oracle(doc, ascii_only=ascii_only) + "\n"
    assert jsontext.dumps(doc, ascii_only=ascii_only) == expected
    # a list given as an iterator is written item by item, to the same bytes
    listed = list(items) if isinstance(items, (list, tuple)) else [items]
    whole = {**doc, "results": listed, "summary": {"problems": len(listed)}}
    streamed = {**whole, "results": iter(listed)}
    expected = oracle(whole, ascii_only=ascii_only) + "\n"
    assert "".join(jsontext.chunks(streamed, ascii_only=ascii_only)) == expected


def _records() -> list[dict[str, Any]]:
    problems = service.load_paths([str(ROOT / "examples"), str(ROOT / "docs" / "examples")])
    return [r.to_dict() for r in service.evaluate_problems(problems, NO_POLICY)]


@pytest.mark.parametrize("ascii_only", [False, True])
def test_the_examples_records_are_written_as_json_dumps_writes_them(ascii_only: bool) -> None:
    for record in _records():
        assert jsontext.text(record, ascii_only=ascii_only) == oracle(record, ascii_only=ascii_only)
        assert jsontext.line(record, ascii_only=ascii_only) == (
            oracle(record, ascii_only=ascii_only, indent=False) + "\n"
        )


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_name_in_a_record_is_written_as_json_dumps_writes_it(name: str) -> None:
    record = {**_records()[0], "name": f"a {name} b", "file": f"{name}.yaml"}
    for ascii_only in (False, True):
        assert jsontext.text(record, ascii_only=ascii_only) == oracle(record, ascii_only=ascii_only)
        back = json.loads(jsontext.line(record, ascii_only=ascii_only))
        # (json.loads joins an escaped surrogate pair into the one character it encodes)
        joined = "a \U0001f600 b" if name == "\ud83d\ude00" else f"a {name} b"
        assert back["name"] == joined


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_as_json_dumps_refuses_them(bad: float) -> None:
    for value in (bad, [1.0, bad], {"a": {"b": (bad,)}}):
        with pytest.raises(ValueError, match="Out of range float values"):
            jsontext.text(value)
        with pytest.raises(ValueError, match="Out of range float values"):
            oracle(value, ascii_only=False)


def test_negative_zero_is_written_zero_and_tiny_numbers_as_python_writes_them() -> None:
    doc = {"zero": -0.0, "flows": [-0.0, -1.5, 1e-05, 1.5e-07, -0.05], "x-0.0": "1e-5"}
    assert jsontext.line(doc) == (
        '{"zero":0.0,"flows":[0.0,-1.5,1e-05,1.5e-07,-0.05],"x-0.0":"1e-5"}\n'
    )


def test_orjson_writes_numbers_as_the_writer_expects_so_it_is_used() -> None:
    # else every document would be written by json.dumps: right, but twenty times slower
    assert jsontext._orjson() is not None
