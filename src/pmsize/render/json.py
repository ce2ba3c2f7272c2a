"""`--format json` (SPEC §5): one document, stable key order, plain finite numbers.

Text is UTF-8 as written, but every character a terminal or log viewer would act
on is a `\\uXXXX` escape: json.dumps escapes C0 controls; DEL, C1 (U+0080-U+009F),
the bidirectional overrides, isolates and marks and the line and paragraph
separators are escaped here, so `json.loads` still gives back the original text. No
number is written `-0.0`.

A file name that is not UTF-8 holds lone surrogates (U+DC80-U+DCFF, Python's
reading of the undecodable bytes): they are written as `\\udcff` escapes, which
is valid JSON, keeps the document valid UTF-8, and reads back (in Python) to the
very name, so the file can be opened again. When standard output cannot encode
every character (`PYTHONIOENCODING=ascii`, a C locale without UTF-8 mode), every
non-ASCII character is written as a `\\uXXXX` escape: the document stays valid and
exact rather than failing or being mangled by replacement characters.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import sys
from collections.abc import Sequence
from typing import Any

from pmsize import __version__
from pmsize.engine import VERDICTS, Evaluation

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
    return {
        "file": r.file,
        "line": r.line,
        "name": r.name,
        "currency": r.currency,
        "problem_cost_per_customer": r.problem_cost_per_customer,
        "customers": r.customers,
        "market_size": r.market_size,
        "value_per_customer": r.value_per_customer,
        "ceiling_per_customer": r.ceiling_per_customer,
        "ceiling_set_by": r.ceiling_set_by,
        "cap_ratio": r.cap_ratio,
        "price_per_customer": r.price_per_customer,
        "npv": r.npv,
        "roi": r.roi,
        "irr": r.irr,
        "payback_years": r.payback_years,
        "pv_revenue": r.pv_revenue,
        "pv_costs": r.pv_costs,
        "cash_flows": list(r.cash_flows),
        "naive_npv": r.naive_npv,
        "naive_roi": r.naive_roi,
        "flags": [{"code": f.code, "severity": f.severity, "message": f.message} for f in r.flags],
        "verdict": r.verdict,
        "description": r.description,
        "solution": r.solution_name,
        "horizon_years": r.horizon_years,
        "discount_rate": r.discount_rate,
        "price_given": r.price_given,
        "irr_note": r.irr_note,
        "customers_paying": list(r.adopters),
        "alternatives": [
            {
                "name": a.name,
                "kind": a.kind,
                "effective_annual_cost": a.effective_annual_cost,
                "relief": a.relief,
                "max_price": a.limit,
                "sets_ceiling": a.sets_ceiling,
            }
            for a in r.alternatives
        ],
        "uncertain_inputs": [
            {
                "input": u.path,
                "low": u.range.low,
                "high": u.range.high,
                "dist": u.range.dist,
                "central": u.central,
                "mean": u.range.mean,
            }
            for u in r.uncertain
        ],
    }


# What json.dumps(ensure_ascii=False) leaves raw but a terminal or a log viewer acts on.
# Outside strings a JSON document is ASCII, so these can only stand inside one.
_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _no_negative_zero(value: Any) -> Any:
    """`value` with every -0.0 inside it written 0.0 (it reads as a loss of nothing)."""
    if isinstance(value, float):
        return value + 0.0  # -0.0 + 0.0 == 0.0; every other float is unchanged
    if isinstance(value, dict):
        return {key: _no_negative_zero(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_no_negative_zero(item) for item in value]
    return value


def dumps(doc: Any) -> str:
    """A JSON document as pmsize writes every one: indented, finite numbers, no -0.0,
    no raw control characters or lone surrogates; all ASCII when stdout is not UTF-8
    (see the module docstring); newline-terminated."""
    ascii_only = not stdout_is_utf8()
    text = json.dumps(_no_negative_zero(doc), indent=2, ensure_ascii=ascii_only, allow_nan=False)
    return _UNSAFE.sub(_escape, text) + "\n"


def stdout_is_utf8() -> bool:
    """Whether standard output encodes every character (its encoding is UTF-8)."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def currency_groups(results: Sequence[Evaluation]) -> list[tuple[str, list[Evaluation]]]:
    """The results of each currency, in the order given, the currencies as they first appear.

    Amounts in different currencies never add up or rank together; `service.rank`
    already returns the results grouped this way.
    """
    groups: dict[str, list[Evaluation]] = {}
    for r in results:
        groups.setdefault(r.currency, []).append(r)
    return list(groups.items())


MIXED_CURRENCIES_NOTE = (
    "The problems use different currencies: the totals are null, the results are ranked "
    "within each currency, and by_currency holds each currency's totals."
)


def _counts(results: Sequence[Evaluation]) -> dict[str, Any]:
    counts: dict[str, Any] = {"problems": len(results)}
    for verdict in VERDICTS:
        counts[verdict] = sum(r.verdict == verdict for r in results)
    return counts


def _totals(results: Sequence[Evaluation]) -> dict[str, float]:
    return {
        "total_npv": math.fsum(r.npv for r in results),
        "total_market_size": math.fsum(r.market_size for r in results),
    }


def summary_record(results: Sequence[Evaluation]) -> dict[str, Any]:
    """Counts per verdict and the portfolio totals.

    When the problems use more than one currency the totals are null, and three more
    fields say why and give what does add up: `currencies` (in result order),
    `by_currency` (each currency's counts and totals) and a `note`.
    """
    groups = currency_groups(results)
    summary = _counts(results)
    if len(groups) <= 1:
        summary.update(_totals(results))
        return summary
    summary.update(total_npv=None, total_market_size=None)
    summary["currencies"] = [currency for currency, _ in groups]
    summary["by_currency"] = [
        {"currency": currency, **_counts(group), **_totals(group)} for currency, group in groups
    ]
    summary["note"] = MIXED_CURRENCIES_NOTE
    return summary


def document(results: Sequence[Evaluation], records: Sequence[dict[str, Any]] | None = None) -> str:
    """The whole JSON document, newline-terminated; `records` overrides the per-result objects."""
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "results": list(records) if records is not None else [result_record(r) for r in results],
        "summary": summary_record(results),
    }
    return dumps(doc)
