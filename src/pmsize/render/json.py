"""`--format json` (SPEC §5): one document, stable key order, plain finite numbers."""

from __future__ import annotations

import json
import math
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


def summary_record(results: Sequence[Evaluation]) -> dict[str, Any]:
    """Counts per verdict and the portfolio totals (null when the problems mix currencies)."""
    summary: dict[str, Any] = {"problems": len(results)}
    for verdict in VERDICTS:
        summary[verdict] = sum(r.verdict == verdict for r in results)
    currencies = {r.currency for r in results}
    one = len(currencies) <= 1
    summary["total_npv"] = math.fsum(r.npv for r in results) if one else None
    summary["total_market_size"] = math.fsum(r.market_size for r in results) if one else None
    return summary


def document(results: Sequence[Evaluation], records: Sequence[dict[str, Any]] | None = None) -> str:
    """The whole JSON document, newline-terminated; `records` overrides the per-result objects."""
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "results": list(records) if records is not None else [result_record(r) for r in results],
        "summary": summary_record(results),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
