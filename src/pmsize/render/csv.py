"""`--format csv`: one row a problem, flat columns, safe to open in a spreadsheet.

The columns are the scalar fields of SPEC §5 in the JSON's order, with `flags` as
the codes joined by `;` (the messages are in the JSON). Written with the csv
module: RFC 4180 quoting, `\\n` line ends, UTF-8, a header row.

Spreadsheet safety. A spreadsheet runs a cell that starts with `=`, `+`, `-` or
`@` (and, in some, a tab or carriage return) as a formula. Text cells, which
come from files a pull request author controls, are neutralised by a leading
apostrophe when they start with one of those characters, or with an apostrophe
(so that reading one apostrophe back off is never ambiguous). Number cells are
written as plain numbers and never prefixed: a negative NPV is `-15183215.38`,
which every spreadsheet reads as a number (a minus sign, digits, a point and at
most an exponent such as `e+16` cannot form a formula that calls anything), and
an apostrophe would turn it into text that no longer sums. An absent value
(`null` in JSON) is an empty cell.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence

from pmsize.engine import Evaluation

COLUMNS: tuple[str, ...] = (
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
    "naive_npv",
    "naive_roi",
    "flags",
    "verdict",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")

Cell = str | int | float | None


def neutralise(text: str) -> str:
    """A text cell a spreadsheet shows as text: `'` before a leading = + - @ tab CR or '."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def number(value: float | None) -> float | None:
    """A finite number as itself; None (absent) and non-finite values as an empty cell."""
    return value if value is not None and math.isfinite(value) else None


def row(r: Evaluation) -> list[Cell]:
    """One problem's cells, in `COLUMNS` order."""
    return [
        neutralise(r.file),
        r.line,
        neutralise(r.name),
        neutralise(r.currency),
        number(r.problem_cost_per_customer),
        number(r.customers),
        number(r.market_size),
        number(r.value_per_customer),
        number(r.ceiling_per_customer),
        None if r.ceiling_set_by is None else neutralise(r.ceiling_set_by),
        number(r.cap_ratio),
        number(r.price_per_customer),
        number(r.npv),
        number(r.roi),
        number(r.irr),
        number(r.payback_years),
        number(r.pv_revenue),
        number(r.pv_costs),
        number(r.naive_npv),
        number(r.naive_roi),
        ";".join(f.code for f in r.flags),
        r.verdict,
    ]


def document(results: Sequence[Evaluation]) -> str:
    """The header and one row a result, in the order given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(row(r) for r in results)
    return buffer.getvalue()
