"""`--format csv`: one row a problem, flat columns, safe to open in a spreadsheet.

The columns are the scalar fields of SPEC §5 in the JSON's order, with `flags` as
the codes joined by `;` (the messages are in the JSON), then `expected_npv` when any
problem has scenarios (SPEC §14). Written with the csv
module: RFC 4180 quoting, `\\n` line ends, UTF-8, a header row. With `excel`, for
spreadsheets on Windows: a byte-order mark first and `\\r\\n` line ends.

Numbers are rounded to 15 significant digits, the most a double holds exactly in
decimal, so `244999.99999999997` is written `245000.0` (JSON keeps full precision).

Text from files is made safe for a terminal and a CI log as everywhere else
(`fmt.safe_text`): a line break in a name becomes a space, other control
characters show as escapes, and no line can start a workflow command.

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
from typing import Any

from pmsize import _fmt as fmt
from pmsize._results import Evaluation
from pmsize.render.json import CONTRACT_FIELDS

# the JSON's contract fields that hold one value each (cash_flows is a list), with the
# year the headline ceiling is first reached beside its setter (SPEC §7)
COLUMNS: tuple[str, ...] = tuple(
    column
    for key in CONTRACT_FIELDS
    if key != "cash_flows"
    for column in ((key, "ceiling_year") if key == "ceiling_set_by" else (key,))
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")

Cell = str | int | float | None


def neutralise(text: str) -> str:
    """A text cell a spreadsheet shows as text: `'` before a leading = + - @ tab CR or '."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def text(value: str) -> str:
    """A text cell from a file: on one line, no control characters, never a formula."""
    return neutralise(fmt.safe_text(value))


def number(value: float | None) -> float | None:
    """A finite number to 15 significant digits (no float noise); None (absent) and
    non-finite values as an empty cell."""
    if value is None or not math.isfinite(value):
        return None
    return float(f"{value:.15g}") + 0.0  # + 0.0: never `-0.0`


SCENARIO_COLUMNS = ("expected_npv",)  # after COLUMNS, when any problem has scenarios


def columns(results: Sequence[Evaluation]) -> tuple[str, ...]:
    """The header: `COLUMNS`, then `expected_npv` when any problem has scenarios (SPEC
    §14) and `overrides` when `--set` changed any (SPEC §13), so a CSV of problems
    without them is as it was."""
    return (
        COLUMNS
        + (SCENARIO_COLUMNS if any(r.scenarios for r in results) else ())
        + (("overrides",) if any(r.overrides for r in results) else ())
    )


def row(r: Evaluation, keys: Sequence[str] = COLUMNS) -> list[Cell]:
    """One problem's cells, in the order of `keys` (`columns`), read from its JSON record;
    a key it does not carry is an empty cell."""
    record = r.to_dict()
    cells: list[Cell] = []
    for key in keys:
        value: Any = record.get(key)
        if key == "flags":
            cells.append(";".join(flag["code"] for flag in value))
        elif key == "overrides":  # each input and its value: `solution.price=$50k; ...`
            cells.append(text("; ".join(f"{o['input']}={o['value']}" for o in value or ())))
        elif isinstance(value, str):
            cells.append(value if key == "verdict" else text(value))
        elif isinstance(value, float):
            cells.append(number(value))
        else:  # the line (an int) or an absent value (None)
            cells.append(value)
    return cells


def document(results: Sequence[Evaluation], *, excel: bool = False) -> str:
    """The header and one row a result, in the order given; `excel`: BOM and CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if excel else "\n")
    keys = columns(results)
    writer.writerow(keys)
    writer.writerows(row(r, keys) for r in results)
    return ("\ufeff" if excel else "") + buffer.getvalue()


def excel_document(results: Sequence[Evaluation]) -> str:
    """`document` for Excel on Windows: a UTF-8 byte-order mark, so it reads the file as
    UTF-8 rather than the local code page, and CRLF line ends."""
    return document(results, excel=True)
