"""`--format table`: what a person reads at a desk, built with Rich.

One problem gets a block that reads top to bottom like the argument: the
problem, our value, the ceiling and what sets it, NPV beside the naive NPV,
then the flags in words. Several problems get a ranked table, the summary and
every flag. Text from files is always passed as `Text` (never markup), and
number columns never shrink below their widest figure, so they are never cut.
Control characters in that text are shown as escapes (`\\x1b`), never sent to
the terminal, and it can never start a CI workflow command (see `fmt.safe_text`).
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Sequence
from typing import IO

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from pmsize import _fmt as fmt
from pmsize._messages import (
    SCENARIO_HEADERS,
    UNCAPPED,
    expected_text,
    scenario_notes,
    scenario_rows,
    whatif_text,
)
from pmsize._results import Evaluation, Severity, UncertainInput, Verdict

VERDICT_STYLE: dict[str, str] = {
    Verdict.PURSUE: "bold green",
    Verdict.RECONSIDER: "bold yellow",
    Verdict.AVOID: "bold red",
}
SEVERITY_MARK = {Severity.ERROR: ("✗", "red"), Severity.WARNING: ("!", "yellow")}


def make_console(file: IO[str] | None = None, *, terminal: bool | None = None) -> Console:
    """A console for people: colour only on a terminal and without NO_COLOR; no markup, no emoji."""
    return Console(
        file=file,
        force_terminal=terminal,
        no_color="NO_COLOR" in os.environ or None,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )


def scenarios_grid(r: Evaluation) -> RenderableType:
    """`scenario_rows` as aligned columns, or a line a scenario where they would not fit:
    figures never cut."""
    return _ScenarioRows(r)


class _ScenarioRows:
    """`scenarios_grid`, laid out at the width it is printed at."""

    def __init__(self, r: Evaluation) -> None:
        self.rows = [
            (
                fmt.safe_text(name),
                chance,
                verdict,
                f"NPV {npv}",
                f"ceiling {ceiling}",
                "" if setter == UNCAPPED else fmt.safe_text(f"set by {setter}"),
            )
            for name, chance, verdict, npv, ceiling, setter in scenario_rows(r)
        ]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = [max(cell_len(cell) for cell in column) for column in zip(*self.rows, strict=True)]
        if sum(widths) + 2 * (len(widths) - 1) <= options.max_width:
            grid = Table.grid(padding=(0, 2, 0, 0))
            for header in SCENARIO_HEADERS:
                grid.add_column(justify="right" if header == "Chance" else "left", no_wrap=True)
            for row in self.rows:
                cells = [Text(cell) for cell in row]
                cells[2].stylize(VERDICT_STYLE[row[2]])
                grid.add_row(*cells)
            yield grid
            return
        for name, chance, verdict, npv, ceiling, setter in self.rows:
            figures = " · ".join(part for part in (npv, ceiling, setter) if part)
            line = glued(
                f"{name} {chance} {verdict}: {figures.replace(' ', NBSP)}", options.max_width
            )
            yield line


def render(console: Console, results: Sequence[Evaluation]) -> None:
    """Print the evaluation of one problem as a block, of several as a ranked table; what
    `--set` changed first (`whatif_text`).

    Problems in several currencies get a ranked table each, under the currency's code,
    with that currency's summary below it.
    """
    whatif = whatif_text(results)
    if whatif is not None:
        console.print(glued(whatif, console.width, style="dim"))
    if len(results) == 1:
        print_trimmed(console, problem_block(results[0]))
        return
    from pmsize._portfolio import currency_groups

    groups = currency_groups(results)
    parts: list[RenderableType] = []
    for currency, group in groups:
        if len(groups) > 1:
            if parts:
                parts.append(Text())
            parts += [
                Text(f"{currency} · {fmt.plural(len(group), 'problem')}", style="bold"),
                ranked(group, console.width),
                summary_line(group, console.width, prefix=f"{currency}: "),
            ]
        else:
            parts.append(ranked(group, console.width))
    if len(groups) > 1:
        parts.append(Text())
    parts.append(summary_line(results, console.width, each_currency=len(groups) == 1))
    notes = scenario_notes(results)
    if notes:
        parts.append(Text())
        parts += [glued(f"Scenarios · {note}", console.width, style="dim") for note in notes]
    flagged = [r for r in results if r.flags]
    if flagged:
        parts.append(Text())
        for r in flagged:
            parts += [Text(fmt.safe_text(r.name), style="bold"), flag_lines(r)]
    print_trimmed(console, Group(*parts))


def ranked(results: Sequence[Evaluation], width: int) -> RenderableType:
    """The ranked table of `results`, or two lines a problem where it would not fit."""
    rows = ranked_rows(results)
    # Names may wrap, never the figures: the table needs every other column's full
    # width and some room for the names; narrower than that, two lines a problem.
    least = sum(_least_widths(rows)) + 2 * (len(RANKED_HEADERS) - 1)
    if least <= width:
        return ranked_table(rows, results)
    return ranked_records(results, width)


def _least_widths(rows: list[tuple[str, ...]]) -> list[int]:
    """The narrowest each ranked column may be: full width, or a little for the names."""
    widths = [max(_width(cell) for cell in column) for column in zip(*rows, strict=True)]
    return [
        min(width, MIN_NAME_WIDTH) if header in WRAPPING else width
        for width, header in zip(widths, RANKED_HEADERS, strict=True)
    ]


def _width(cell: str) -> int:
    """Columns a cell takes on a terminal (wide characters count twice), its widest line."""
    return max(cell_len(line) for line in cell.split("\n"))


_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)


def print_trimmed(console: Console, renderable: RenderableType) -> None:
    """Print without the spaces Rich pads lines with, so output diffs and pastes cleanly."""
    with console.capture() as captured:
        console.print(renderable)
    console.file.write(_TRAILING.sub(r"\1", captured.get()))
    console.file.flush()


def problem_block(r: Evaluation) -> RenderableType:
    """The argument for one problem's verdict, top to bottom."""

    def money(x: float | None, sign: bool = False) -> str:
        return fmt.money(x, r.currency, sign=sign)

    head = Table.grid(expand=True)
    head.add_column(ratio=1)
    head.add_column(justify="right", no_wrap=True)
    head.add_row(
        Text(fmt.safe_text(r.name), style="bold"), Text(r.verdict.upper(), VERDICT_STYLE[r.verdict])
    )

    body = Table.grid(padding=(0, 2, 0, 0))
    body.add_column(no_wrap=True, style="dim")
    body.add_column(overflow="fold")
    source = ""
    if r.revenue is not None and r.problem_share is not None:
        source = f" ({fmt.percent(r.problem_share)} of {money(r.revenue)} revenue)"
    body.add_row("Problem", f"{money(r.problem_cost_per_customer)} per customer a year{source}")
    body.add_row(
        "",
        f"× {fmt.plural(r.customers, 'customer')} = {money(r.market_size)} a year (the market)",
    )
    body.add_row(
        "Our value",
        Text(
            fmt.safe_text(
                f"{money(r.value_per_customer)} per customer a year "
                f"({r.solution_name} removes {fmt.percent(r.solution_solves)} of it)"
            )
        ),
    )
    body.add_row("Ceiling", Text(fmt.safe_text(ceiling_text(r))))
    if r.price_given is not None:
        if r.price_given <= r.ceiling_per_customer:
            price = f"{money(r.price_given)} per customer a year, as given (within the ceiling)"
        else:
            price = (
                f"{money(r.price_given)} asked, but only {money(r.price_per_customer)} holds "
                "(the ceiling)"
            )
        body.add_row("Price", price)
    body.add_row(
        "NPV",
        f"{money(r.npv)}   (naive, ignoring alternatives: {money(r.naive_npv, sign=True)})",
    )
    body.add_row(
        "",
        f"ROI {fmt.percent(r.roi)} · IRR {fmt.percent(r.irr)} · "
        f"payback {fmt.years(r.payback_years, r.horizon_years)}",
    )
    for u in r.uncertain:
        body.add_row("Range", uncertain_text(u, r.currency))
    if r.scenarios:
        body.add_row("Scenarios", scenarios_grid(r))
        expected = expected_text(r)
        if expected is not None:
            body.add_row("Expected", expected)
    parts: list[RenderableType] = [head, Padding(body, (0, 0, 0, 2)), Text()]
    parts.append(flag_lines(r) if r.flags else Text("  ✓ no flags", style="green"))
    return Group(*parts)


def ceiling_text(r: Evaluation) -> str:
    """What caps the price and why, in a sentence."""
    money = fmt.money
    binding = next((a for a in r.alternatives if a.sets_ceiling), None)
    if binding is None:
        if not r.alternatives:
            ceiling = money(r.ceiling_per_customer, r.currency)
            return f"{ceiling} per customer a year (no alternatives listed)"
        return (
            f"{money(r.ceiling_per_customer, r.currency)} per customer a year: no alternative "
            "undercuts the value we deliver"
        )
    text = (
        f"{money(r.ceiling_per_customer, r.currency)} per customer a year"
        f"{fmt.from_year(r.ceiling_year)}, set by {binding.name}: "
        f"it removes {fmt.percent(binding.solves)} for "
        f"{money(binding.effective_annual_cost, r.currency)} a year"
    )
    if binding.one_time_cost:
        text += (
            f" ({money(binding.annual_cost, r.currency)} + "
            f"{money(binding.one_time_cost, r.currency)} setup over "
            f"{fmt.plural(r.horizon_years, 'year')})"
        )
    return text


def uncertain_text(u: UncertainInput, currency: str) -> str:
    """A ranged input: its interval, shape, and the central value used (and mean if far off)."""
    kind = u.kind

    def show(x: float) -> str:
        return fmt.quantity(x, kind, currency)

    q = u.range
    text = f"{u.input} {show(q.low)} to {show(q.high)} ({q.dist}), central {show(q.central)}"
    if q.mean_differs:
        text += f", mean {show(q.mean)}"
    return text


def flag_lines(r: Evaluation) -> RenderableType:
    """One line a flag: its mark, its code, its message."""
    return _FlagLines(r)


class _FlagLines:
    """`flag_lines`, laid out at the width it is printed at: a grid a problem, which Rich
    measured and rendered several times over, took seconds for a portfolio of thousands."""

    def __init__(self, r: Evaluation) -> None:
        self.r = r

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        flags = self.r.flags
        code_width = max(cell_len(flag.code) for flag in flags)
        width = options.max_width - 2 - 1 - 1 - code_width - 1
        if width < MIN_RECORD_NAME:
            yield _flag_grid(self.r)
            return
        lines: list[Text] = []
        for flag in flags:
            mark, style = SEVERITY_MARK[flag.severity]
            message = _wrapped(Text(fmt.safe_text(flag.message)), console, width)
            for n, line in enumerate(message):
                lead = Text.assemble(
                    "  ",
                    (mark, style) if n == 0 else " ",
                    " ",
                    (flag.code.ljust(code_width), style) if n == 0 else " " * code_width,
                    " ",
                )
                lines.append(lead + line)
        yield Text("\n", no_wrap=True, overflow="ignore").join(lines)


def _flag_grid(r: Evaluation) -> RenderableType:
    """`flag_lines` through Rich's grid, for a terminal too narrow to lay out by hand."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for flag in r.flags:
        mark, style = SEVERITY_MARK[flag.severity]
        grid.add_row(
            Text(mark, style=style), Text(flag.code, style=style), Text(fmt.safe_text(flag.message))
        )
    return Padding(grid, (0, 0, 0, 2))


NBSP = "\u00a0"  # ties words that must stay on one line; see `glued`
WRAPPING = frozenset({"Problem", "Set by"})  # columns of names, which may wrap
MIN_NAME_WIDTH = 24
RANKED_HEADERS: tuple[str, ...] = (
    "#",
    "Problem",
    "Verdict",
    "Market/yr",
    "Ceiling",
    "Set by",
    "NPV",
    "ROI",
    "Naive NPV",
    "Payback",
)


def ranked_rows(results: Sequence[Evaluation]) -> list[tuple[str, ...]]:
    """The cells of the ranked table, headers first, as people read them."""
    rows: list[tuple[str, ...]] = [RANKED_HEADERS]
    return rows + [
        (
            f"{i:,}",
            fmt.safe_text(r.name),
            r.verdict,
            fmt.money(r.market_size, r.currency),
            fmt.money(r.ceiling_per_customer, r.currency) + fmt.from_year(r.ceiling_year),
            fmt.safe_text(r.ceiling_set_by) if r.ceiling_set_by else UNCAPPED,
            fmt.money(r.npv, r.currency),
            fmt.percent(r.roi),
            fmt.money(r.naive_npv, r.currency),
            fmt.payback(r.payback_years),
        )
        for i, r in enumerate(results, 1)
    ]


def ranked_table(rows: list[tuple[str, ...]], results: Sequence[Evaluation]) -> Table:
    """One row a problem, in the order given; only the name columns may wrap."""
    table = Table(box=None, padding=(0, 1), header_style="bold", pad_edge=False)
    for header, least in zip(rows[0], _least_widths(rows), strict=True):
        is_text = header in ("Problem", "Set by", "Verdict")
        table.add_column(
            header,
            justify="left" if is_text else "right",
            no_wrap=header not in WRAPPING,
            overflow="fold",
            min_width=least,
        )
    for row, r in zip(rows[1:], results, strict=True):
        cells = [Text(cell) for cell in row]
        cells[2].stylize(VERDICT_STYLE[r.verdict])
        table.add_row(*cells)
    return table


def ranked_records(results: Sequence[Evaluation], width: int) -> RenderableType:
    """The ranked results for a narrow terminal: two lines a problem, figures never cut.

    The lines are laid out here, each name and detail wrapped once: a grid of a nested grid
    a problem, which Rich measured several times over, took 16 s for 5,000 problems."""
    rank_width = len(f"{len(results):,}")
    inner = width - rank_width - 1
    if inner - 2 - len(Verdict.RECONSIDER) < MIN_RECORD_NAME:
        return _ranked_records_grid(results, width)
    console = Console(width=inner, highlight=False, emoji=False, markup=False)
    blank = " " * rank_width
    lines: list[Text] = []
    for i, r in enumerate(results, 1):
        verdict = Text(r.verdict, style=VERDICT_STYLE[r.verdict])
        name_width = inner - 2 - verdict.cell_len
        names = _wrapped(Text(fmt.safe_text(r.name), style="bold"), console, name_width)
        for n, name in enumerate(names):
            head = Text.assemble(f"{i:,}".rjust(rank_width) if n == 0 else blank, " ", name)
            if n == 0:
                head.append(" " * (name_width - name.cell_len + 2))
                head.append_text(verdict)
            lines.append(head)
        detail = glued(
            detail_line(r),
            inner,
            style="dim",
        )
        lines += (Text.assemble(blank, " ", line) for line in _wrapped(detail, console, inner))
    # every line fits: Rich need not wrap the whole again
    return Text("\n", no_wrap=True, overflow="ignore").join(lines)


def _wrapped(text: Text, console: Console, width: int) -> list[Text]:
    """`text` folded to `width` as a table cell would be; most already fit, and are split."""
    lines = text.split("\n")
    if all(line.cell_len <= width for line in lines):
        return list(lines)
    return list(text.wrap(console, width, overflow="fold"))


MIN_RECORD_NAME = 8  # narrower than this, Rich's grid shares out the little room there is


def _ranked_records_grid(results: Sequence[Evaluation], width: int) -> RenderableType:
    """`ranked_records` on a terminal too narrow to lay out by hand, through Rich's grids."""
    rank_width = len(f"{len(results):,}")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for i, r in enumerate(results, 1):
        head = Table.grid(expand=True, padding=(0, 0, 0, 2))
        head.add_column(ratio=1, overflow="fold")
        head.add_column(justify="right", no_wrap=True)
        head.add_row(
            Text(fmt.safe_text(r.name), style="bold"),
            Text(r.verdict, style=VERDICT_STYLE[r.verdict]),
        )
        detail = glued(
            detail_line(r),
            width - rank_width - 1,
            style="dim",
        )
        grid.add_row(f"{i:,}", head)
        grid.add_row("", detail)
    return grid


def summary_line(
    results: Sequence[Evaluation], width: int, *, prefix: str = "", each_currency: bool = True
) -> Text:
    """The summary line: counts of each verdict, the NPV if all are built and what the
    problems cost their markets (of each currency), each figure kept with its words."""
    from pmsize.render.markdown import summary_text

    text = prefix + summary_text(results, each_currency=each_currency)
    for label in ("are built ", "their markets ", "problems costing "):
        text = text.replace(label, label.replace(" ", NBSP))
    return glued(text.replace(" a year", f"{NBSP}a{NBSP}year"), width)


def detail_line(r: Evaluation) -> str:
    """The figures under a problem's name in the narrow ranked view, glued with no-break
    spaces so each figure stays whole when the line wraps."""
    money, payback = fmt.money, fmt.payback(r.payback_years, NBSP)
    setter = f"set by {fmt.safe_text(r.ceiling_set_by)}" if r.ceiling_set_by else "uncapped"
    return (
        f"NPV{NBSP}{money(r.npv, r.currency)} (naive{NBSP}{money(r.naive_npv, r.currency)}) · "
        f"ROI{NBSP}{fmt.percent(r.roi)} · "
        f"ceiling{NBSP}{money(r.ceiling_per_customer, r.currency)}"
        f"{fmt.from_year(r.ceiling_year).replace(' ', NBSP)} {setter} · "
        f"market{NBSP}{money(r.market_size, r.currency)}/yr · payback{NBSP}{payback}"
    )


def glued(text: str, width: int, style: str = "") -> Text:
    """`text` wrapped to `width` at plain spaces only: a no-break space (`NBSP`) ties a label
    to its figure. (Rich would break at it: its wrapping splits on any Unicode space.)"""
    text = text.replace(" · ", f"{NBSP}· ")  # a line may end with a separator, never start
    lines = textwrap.wrap(text, max(width, 20), break_long_words=False, break_on_hyphens=False)
    return Text("\n".join(lines).replace(NBSP, " "), style=style)
