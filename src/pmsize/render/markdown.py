"""`--format markdown`: the ranked table, a summary line and the reasons, for a pull request.

Plain text (no Rich). Text from files is escaped so that it renders as written:
markdown punctuation gets a backslash (so `[x](y)`, `*`, `<b>`, `$math$` and a `|`
that would end a cell stay literal), a line break becomes `<br>`, a tab a space, and
other control characters show as escapes (`\\x1b`). Problems in different currencies
get a table each, under a heading that names the currency. The document
is cut to fit `limit` bytes (a pull-request comment holds 65,536 characters, a
GitHub step summary 1 MiB): rows that do not fit are counted in a closing note,
never cut in the middle.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pmsize import _fmt as fmt
from pmsize._results import Evaluation, Verdict

COMMENT_LIMIT = 65_536  # characters in a GitHub pull-request comment; we count UTF-8 bytes
MIN_LIMIT = 1024  # room for the header, the summary and the closing note
HEADERS = (
    "#",
    "Problem",
    "Verdict",
    "NPV",
    "ROI",
    "Naive NPV",
    "Ceiling",
    "Set by",
    "Market/yr",
    "Payback",
)
_RIGHT = frozenset({"#", "NPV", "ROI", "Naive NPV", "Ceiling", "Market/yr", "Payback"})
# What could start markup inside a table cell or a list item; `$` starts math on GitHub.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$#])")
_BREAK = re.compile("\r\n|[\r\n\u2028\u2029]")
# GitHub turns `:x:` into an emoji and `@name` into a mention after markdown is parsed,
# so a backslash cannot stop them; a zero-width space after the `:` or `@` does.
_EMOJI_CODE = re.compile(r":(?=[A-Za-z0-9_+-]+:)")
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")


def escape(text: str) -> str:
    """Text from a file as literal markdown inline text: punctuation escaped, no emoji codes or
    mentions, control characters shown as escapes, line breaks as <br>."""
    return "<br>".join(_escape_line(line) for line in _BREAK.split(text))


def _escape_line(text: str) -> str:
    text = _SPECIAL.sub(r"\\\1", fmt.escape_controls(text.replace("\t", " ")))
    return _MENTION.sub("@\u200b", _EMOJI_CODE.sub(":\u200b", text))


def summary_text(results: Sequence[Evaluation], *, each_currency: bool = True) -> str:
    """The summary line, plain: counts of each verdict, then the totals said for what they
    are: the NPV of building every problem (those to avoid too), and what the problems
    cost their markets a year, added over segments that may not be one market.

    `3 problems · 1 pursue · 1 reconsider · 1 avoid · NPV if all are built $25.6m · the
    problems cost their markets $6.21b a year`; problems in several currencies get the
    totals of each currency (`· USD: NPV if all are built $3.98m, problems costing $50.0m
    a year · EUR: ...`), never one sum, or without `each_currency` (they are shown beside
    each currency's table) just a note.
    """
    from pmsize._portfolio import currency_groups
    from pmsize._portfolio import summary as summary_record

    summary = summary_record(results)
    counts = " · ".join(f"{summary[v]:,} {v}" for v in Verdict)
    text = f"{fmt.plural(len(results), 'problem')} · {counts}"
    groups = currency_groups(results)
    if len(groups) == 1:
        npv, market = _totals(results)
        return (
            f"{text} · NPV if all are built {npv} · the problems cost their markets {market} a year"
        )
    if groups and not each_currency:
        return f"{text} · {len(groups)} currencies, each totalled above"
    for currency, group in groups:
        npv, market = _totals(group)
        text += f" · {currency}: NPV if all are built {npv}, problems costing {market} a year"
    return text


def _totals(results: Sequence[Evaluation]) -> tuple[str, str]:
    """Total NPV and market size of problems in one currency, for people."""
    from pmsize._portfolio import totals

    currency, summed = results[0].currency, totals(results)
    return (
        fmt.money(summed["total_npv"], currency),
        fmt.money(summed["total_market_size"], currency),
    )


def row_cells(rank: int, r: Evaluation) -> tuple[str, ...]:
    """One row of the table, already escaped."""
    money = fmt.money
    return (
        f"{rank:,}",
        escape(r.name),
        f"**{r.verdict}**" if r.verdict != Verdict.PURSUE else r.verdict,
        money(r.npv, r.currency),
        fmt.percent(r.roi),
        money(r.naive_npv, r.currency),
        money(r.ceiling_per_customer, r.currency) + fmt.from_year(r.ceiling_year),
        escape(r.ceiling_set_by) if r.ceiling_set_by else "—",
        money(r.market_size, r.currency),
        fmt.payback(r.payback_years),
    )


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |\n"


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def document(
    results: Sequence[Evaluation], limit: int = COMMENT_LIMIT, *, heading: str = ""
) -> str:
    """The ranked table, the summary and the reasons for each flag, within `limit` bytes.

    `heading`, when given, comes first as a level-3 heading.
    """
    return fitted(results, limit, heading=heading)[0]


def fitted(
    results: Sequence[Evaluation], limit: int = COMMENT_LIMIT, *, heading: str = ""
) -> tuple[str, bool]:
    """`document`, and whether it holds every problem and every reason (nothing was cut)."""
    from pmsize._messages import whatif_text
    from pmsize._portfolio import currency_groups

    head = f"### {escape(heading)}\n\n" if heading else ""
    whatif = whatif_text(results)
    if whatif is not None:
        head += f"_{escape(whatif)}_\n\n"
    table_head = _line(HEADERS) + _line(["---:" if h in _RIGHT else "---" for h in HEADERS])
    summary = f"\n**{summary_text(results)}**\n" + scenarios_text(results)
    groups = currency_groups(results)
    rows = []
    for number, (currency, group) in enumerate(groups):
        # a table a currency, ranked on its own; the first row carries the heads
        heads = table_head
        if len(groups) > 1:
            heads = ("\n" if number else "") + f"#### {currency}\n\n{heads}"
        rows += [_line(row_cells(i, r)) for i, r in enumerate(group, 1)]
        rows[len(rows) - len(group)] = heads + rows[len(rows) - len(group)]
    reasons = [_reason(r) for r in results if r.flags]

    # The longest a closing note can be, so that adding it never breaks the limit.
    note_room = _size(_note(len(rows), len(reasons), len(rows)))
    budget = limit - _size(head) - _size(summary) - note_room
    shown_rows = _fit(rows, budget)
    budget -= sum(_size(row) for row in rows[:shown_rows])
    reasons_head = "\n**Why**\n\n"
    shown_reasons = _fit(reasons, budget - _size(reasons_head)) if reasons else 0

    text = head + "".join(rows[:shown_rows]) + summary
    if shown_reasons:
        text += reasons_head + "".join(reasons[:shown_reasons])
    rows_left, reasons_left = len(rows) - shown_rows, len(reasons) - shown_reasons
    return text + _note(rows_left, reasons_left, len(rows)), not rows_left and not reasons_left


def _fit(items: Sequence[str], budget: int) -> int:
    """How many of `items`, from the first, fit in `budget` bytes."""
    used = 0
    for count, item in enumerate(items):
        used += _size(item)
        if used > budget:
            return count
    return len(items)


def _note(rows_left: int, reasons_left: int, rows: int) -> str:
    if not rows_left and not reasons_left:
        return ""
    parts = []
    if rows_left:
        parts.append(f"{rows_left:,} of {rows:,} problems")
    if reasons_left:
        parts.append(f"the reasons for {reasons_left:,} flagged problems")
    return (
        f"\n_Not shown, to fit the size limit: {' and '.join(parts)}. "
        "`pmsize evaluate --format csv` or `--format json` gives every problem._\n"
    )


def scenarios_text(results: Sequence[Evaluation]) -> str:
    """For the problems with scenarios (SPEC §14): a line each, its expected NPV and chance
    of each verdict when weighted, then each scenario's chance, verdict and NPV."""
    from pmsize._messages import expected_text, scenario_rows

    lines = []
    for r in results:
        if not r.scenarios:
            continue
        expected = expected_text(r)
        # every figure escaped: two `$` on one line would start math on GitHub
        cases = " · ".join(
            " ".join(escape(cell) for cell in (name, chance, verdict, npv) if cell != "—")
            for name, chance, verdict, npv, *_ in scenario_rows(r)
        )
        lead = f"expected {escape(expected)}; " if expected else ""
        lines.append(f"- **{escape(r.name)}**: {lead}{cases}\n")
    return "\n**Scenarios**\n\n" + "".join(lines) if lines else ""


def _reason(r: Evaluation) -> str:
    flags = "".join(f"  - `{f.code}` {escape(f.message)}\n" for f in r.flags)
    return f"- **{escape(r.name)}** ({r.verdict})\n{flags}"
