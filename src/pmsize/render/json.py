"""`--format json` (SPEC §5): one document, stable key order, plain finite numbers; and
`--format jsonl` (SPEC §16): the same records, one a line, and no summary.

Each result is its `Evaluation.to_dict()`; the text is written by `jsontext.dumps`
(UTF-8 as written, every character a terminal acts on escaped, no `-0.0`). When
standard output cannot encode every character (`PYTHONIOENCODING=ascii`, a C locale
without UTF-8 mode), every non-ASCII character is written as a `\\uXXXX` escape:
the document stays valid and exact rather than failing or being mangled by
replacement characters.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pmsize import _jsontext as jsontext
from pmsize import _portfolio as portfolio
from pmsize._results import Evaluation
from pmsize._version import __version__

SCHEMA_VERSION = 1
# The fields SPEC §5 promises in every result, in the order `result_record` writes them.
CONTRACT_FIELDS: tuple[str, ...] = (
    "file",
    "line",
    "name",
    "currency",
    "problem_cost_per_customer",
    "customers",
    "market_size",
    "value_per_customer",
    "ceiling_per_customer",
    "ceiling_set_by",
    "cap_ratio",
    "price_per_customer",
    "npv",
    "roi",
    "irr",
    "payback_years",
    "pv_revenue",
    "pv_costs",
    "cash_flows",
    "naive_npv",
    "naive_roi",
    "flags",
    "verdict",
)


def result_record(r: Evaluation) -> dict[str, Any]:
    """One result as SPEC §5 names its fields, then the extras that explain it."""
    return r.to_dict()


def dumps(doc: Any) -> str:
    """A JSON document as pmsize writes every one: indented, finite numbers, no -0.0,
    no raw control characters or lone surrogates; all ASCII when stdout is not UTF-8
    (see the module docstring); newline-terminated."""
    return jsontext.dumps(doc, ascii_only=not stdout_is_utf8())


def stdout_is_utf8() -> bool:
    """Whether standard output encodes every character (its encoding is UTF-8)."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def document(results: Sequence[Evaluation], records: Iterable[dict[str, Any]] | None = None) -> str:
    """The whole JSON document, newline-terminated; `records` overrides the per-result objects."""
    return "".join(chunks(results, records))


def chunks(
    results: Sequence[Evaluation], records: Iterable[dict[str, Any]] | None = None
) -> Iterator[str]:
    """`document` a piece at a time: each result is formatted as it is written, so the
    text of a large portfolio is never held whole."""
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "results": iter(records if records is not None else map(result_record, results)),
        "summary": portfolio.summary(results),
    }
    return jsontext.chunks(doc, ascii_only=not stdout_is_utf8())


def lines(
    results: Sequence[Evaluation], records: Iterable[dict[str, Any]] | None = None
) -> Iterator[str]:
    """`--format jsonl`: each result's record on one line of compact JSON, in the order
    ranked, and nothing else (no summary: it is the `json` document's); each line written
    as it is formatted. The text is `document`'s, escapes and all, without the indent."""
    ascii_only = not stdout_is_utf8()
    for record in records if records is not None else map(result_record, results):
        yield jsontext.line(record, ascii_only=ascii_only)
