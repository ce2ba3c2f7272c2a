"""`pmsize plan` for people (table, markdown) and for programs (JSON, CSV).

The figures are the `Plan`'s; this module only words and lays them out. The same
sentences serve the table and the markdown (`sentences`), names made safe for each
(`fmt.safe_text` for a terminal, `markdown.escape` for a pull request). NPV per dollar
of build is shown to three significant figures, and as `free` when a problem costs
nothing to build (JSON: null; CSV: an empty cell).
"""

from __future__ import annotations

import csv as csv_module
import io
import math
import textwrap
from collections.abc import Callable, Sequence

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from pmsize import _fmt as fmt
from pmsize._messages import whatif_line
from pmsize._planned import Candidate, Plan
from pmsize.render import csv, markdown
from pmsize.render.table import NBSP, glued, print_trimmed

FREE = "free"  # NPV per dollar of a problem that costs nothing to build
HEADERS = ("#", "Problem", "Build", "NPV", "NPV per $")
MAX_NAMED = 5  # ineligible problems named before "and N more"
CSV_COLUMNS = (
    "status",
    "name",
    "file",
    "line",
    "build_cost",
    "npv",
    "npv_per_build",
    "extra_budget",
)


def per_dollar(c: Candidate) -> str:
    """NPV per dollar of build: `6.69`, `0.838`, `1,234`, `3.79e+21`; `free` when the build
    costs 0."""
    ratio = c.npv_per_build
    if ratio is None:
        return FREE
    if abs(ratio) >= 100:
        return fmt.whole(ratio)
    return f"{ratio:#.3g}".rstrip(".") if ratio else "0"


def _npv_word(p: Plan) -> str:
    return "expected NPV" if p.objective == "expected-npv" else "NPV"


def headline(p: Plan) -> str:
    """`Fund 2 of 3 eligible problems: $7.50m of the $8.00m budget, total NPV $40.7m`."""
    money = _money(p)
    budget = f"the {money(p.budget)} budget"
    if p.max_problems is not None:
        budget += f" (at most {fmt.plural(p.max_problems, 'problem')})"
    if not p.funded:
        return f"Fund nothing within {budget}"
    return (
        f"Fund {len(p.funded):,} of {fmt.plural(p.eligible, 'eligible problem')}: "
        f"{money(p.total_build)} of {budget}, total {_npv_word(p)} {money(p.total_npv)}"
    )


def sentences(p: Plan, name: Callable[[str], str]) -> list[str]:
    """What the table does not show, a sentence each: why nothing is funded, the best
    problem left out, what 10% more budget adds, the chance the total is positive, and
    the problems that are not eligible; `name` makes a problem's name safe to show."""
    money = _money(p)
    said = []
    if not p.exact:
        said.append(
            f"The search for the best set stopped at its time limit ({_seconds(p.time_limit)}): "
            f"this plan's total {_npv_word(p)} is within {gap_text(p.gap)} of the best possible."
        )
    if not p.funded:
        if not p.left_out:
            said.append(
                "Nothing is funded: no problem is eligible (each is avoid, or its NPV is "
                "not above 0)."
            )
        elif p.max_problems is None or p.max_problems > 0:
            cheapest = min(p.left_out, key=lambda o: o.candidate.build_cost).candidate
            said.append(
                f"Nothing is funded: the budget is below every eligible problem's build cost "
                f"(the cheapest, {name(cheapest.name)}, costs {money(cheapest.build_cost)})."
            )
    if p.left_out:
        best = p.left_out[0]
        c = best.candidate
        needs = []
        if best.extra_budget > 0:
            needs.append(f"{money(best.extra_budget)} more budget")
        if p.max_problems is not None and len(p.funded) >= p.max_problems:
            needs.append(f"room for {len(p.funded) + 1:,} problems")
        said.append(
            f"Best left out: {name(c.name)} ({_npv_word(p)} {money(c.npv)}, build "
            f"{money(c.build_cost)}); funding it on top needs {' and '.join(needs)}."
        )
    more = (
        f"10% more budget ({money(p.marginal.extra_budget)}, "
        f"{money(p.budget + p.marginal.extra_budget)} in all)"
    )
    estimate = "" if p.marginal.exact else " (an estimate: the search stopped at its time limit)"
    if p.marginal.npv_gain > 0:
        how = f"funding {_names(p.marginal.adds, name)}"
        how += f" in place of {_names(p.marginal.drops, name)}" if p.marginal.drops else " too"
        about = "" if p.marginal.exact else "about "
        said.append(
            f"{more} would add {about}{money(p.marginal.npv_gain)} of {_npv_word(p)}, "
            f"{how}{estimate}."
        )
    elif p.eligible:
        bound = p.max_problems is not None and len(p.funded) >= p.max_problems
        cap = f" with at most {fmt.plural(p.max_problems or 0, 'problem')}" if bound else ""
        said.append(f"{more} would add nothing{cap}{estimate}.")
    if p.p_total_npv_positive is not None:
        said.append(
            f"Chance the funded problems' total NPV is above 0: "
            f"{fmt.percent(p.p_total_npv_positive)} ({p.samples:,} samples, seed {p.seed}; "
            f"{_drawn(p, name)})."
        )
    if p.budget_confidence is not None:
        stopped = "" if p.exact else " (the best found before the time limit)"
        said.append(
            f"The plan funds a set that stays within budget in at least "
            f"{fmt.percent(p.budget_confidence)} of {p.confidence_draws or 0:,} draws of the "
            f"ranged build costs{stopped}."
        )
    if p.p_over_budget is not None and p.budget_confidence is not None:
        said.append(
            f"In those draws, the funded builds cost more than the budget in "
            f"{fmt.percent(p.p_over_budget)}."
        )
    elif p.p_over_budget is not None:
        said.append(
            "The plan budgets each build cost's central value; with the ranges given, "
            f"the chance the funded builds cost more than the budget is "
            f"{fmt.percent(p.p_over_budget)}."
        )
    if p.ineligible:
        listed = _names(p.ineligible, name, ", ")
        said.append(f"Not eligible (avoid, or {_npv_word(p)} not above 0): {listed}.")
    return said


def _drawn(p: Plan, name: Callable[[str], str]) -> str:
    """How the chance's samples draw the problems: independently, but for shared scenarios."""
    if not p.shared_scenarios:
        return "problems drawn independently"
    listed = ", ".join(name(s) for s in p.shared_scenarios)
    return (
        f"problems drawn independently, except the shared scenarios {listed}: each drawn once "
        "per sample for every problem that takes them"
    )


def gap_text(gap: float) -> str:
    """A proven gap as a percent rounded up to two significant figures, so that "within"
    stays true: `0.01%` at the least, `0.043%`, `1.3%`, `13%`."""
    percent = gap * 100
    if percent <= 0.01:
        return "0.01%"
    places = 1 - math.floor(math.log10(percent))
    up = math.ceil(percent * 10**places * (1 - 1e-12)) / 10**places
    shown = f"{up:.{max(places, 0)}f}"
    return (shown.rstrip("0").rstrip(".") if "." in shown else shown) + "%"


def _seconds(limit: float | None) -> str:
    """`10 seconds`, `1 second`, `0.05 seconds`."""
    if limit is None:  # pragma: no cover - without a limit the search always finishes
        return "no limit"
    return f"{limit:,.6g} second" + ("" if limit == 1 else "s")


def _names(candidates: Sequence[Candidate], name: Callable[[str], str], comma: str = "") -> str:
    """`X`, `X and Y`, `X, Y and Z`; past `MAX_NAMED`, `... and 3 more` (`comma` between
    every pair instead, when given)."""
    names = [name(c.name) for c in candidates[:MAX_NAMED]]
    more = len(candidates) - len(names)
    if comma:
        return comma.join(names) + (f" and {more:,} more" if more else "")
    if more:
        return ", ".join(names) + f" and {more:,} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _money(p: Plan) -> Callable[[float], str]:
    return lambda x: fmt.money(x, p.currency)


def _heads(p: Plan) -> tuple[str, ...]:
    return HEADERS if p.objective == "npv" else ("#", "Problem", "Build", "Mean NPV", "NPV per $")


def _rows(p: Plan) -> list[tuple[str, ...]]:
    money = _money(p)
    rows: list[tuple[str, ...]] = [_heads(p)]
    for i, c in enumerate(p.funded, 1):
        rows.append(
            (f"{i:,}", fmt.safe_text(c.name), money(c.build_cost), money(c.npv), per_dollar(c))
        )
    rows.append(("", "Total", money(p.total_build), money(p.total_npv), ""))
    rows.append(("", "Budget", money(p.budget), "", ""))
    rows.append(("", "Unspent", money(max(0.0, p.budget - p.total_build)), "", ""))
    return rows


def _whatif(p: Plan) -> str | None:
    """The line saying what `--set` changed for this plan, None when nothing was."""
    return whatif_line(f"{i} {v}" for i, v in p.overrides) if p.overrides else None


def render(console: Console, p: Plan) -> None:
    """The plan for a terminal: the headline, the funded problems and totals, the rest
    in sentences. Names may wrap; figures never shrink."""
    parts: list[RenderableType] = [Text(headline(p), style="bold"), Text()]
    whatif = _whatif(p)
    if whatif is not None:
        parts.insert(0, glued(whatif, console.width, style="dim"))
    if p.funded and _table_width(_rows(p)) > console.width:
        parts += [_records(p, console.width), Text()]
    elif p.funded:
        rows = _rows(p)
        table = Table(box=None, padding=(0, 1), header_style="bold", pad_edge=False)
        for n, header in enumerate(rows[0]):
            widest = max(len(row[n]) for row in rows)
            table.add_column(
                header,
                justify="left" if n == 1 else "right",
                no_wrap=n != 1,
                overflow="fold",
                min_width=_name_floor(rows) if n == 1 else widest,
            )
        for row in rows[1:-3]:
            table.add_row(*(Text(cell) for cell in row))
        for row in rows[-3:]:
            table.add_row(*(Text(cell, style="bold" if row[1] == "Total" else "") for cell in row))
        parts += [table, Text()]
    parts += [glued(line, console.width) for line in sentences(p, fmt.safe_text)]
    print_trimmed(console, Group(*parts))


NAME_WIDTH = 12  # the narrowest a name column gets before the plan is laid out as records


def _table_width(rows: list[tuple[str, ...]]) -> int:
    """The least width the table takes with every figure whole: a figure cut to fit
    (`6.` for 6.69) would be a wrong answer, so a narrower terminal gets records."""
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    widths[1] = _name_floor(rows)
    return sum(widths) + 2 * (len(widths) - 1)  # a space each side between columns


def _name_floor(rows: list[tuple[str, ...]]) -> int:
    """The name column's least width: NAME_WIDTH, or the longest word (never split)."""
    widest = max(len(row[1]) for row in rows)
    longest_word = max((len(word) for row in rows for word in row[1].split()), default=0)
    return min(widest, max(NAME_WIDTH, longest_word))


def _records(p: Plan, width: int) -> Text:
    """The funded problems for a narrow terminal: the name, then its figures labelled,
    wrapped between figures (never inside one); then the totals the same way."""
    heads = _heads(p)
    rows = _rows(p)
    rank_width = max(len(row[0]) for row in rows)
    indent = " " * (rank_width + 1)
    lines: list[Text] = []
    for row in rows[1:-3]:
        name = textwrap.wrap(row[1], max(width - rank_width - 1, 8), break_on_hyphens=False)
        name = name or [""]
        lines.append(Text(row[0].rjust(rank_width) + " " + name[0], style="bold"))
        lines += [Text(indent + more, style="bold") for more in name[1:]]
        figures = " · ".join(
            f"{head} {cell}".replace(" ", NBSP)
            for head, cell in zip(heads[2:], row[2:], strict=True)
            if cell
        )
        lines += [Text(indent) + line for line in glued(figures, width - len(indent)).split()]
    total, budget, unspent = rows[-3:]
    lines.append(Text())
    tail = (
        f"Total{NBSP}build{NBSP}{total[2]} · {heads[3]}{NBSP}{total[3]} · "
        f"Budget{NBSP}{budget[2]} · Unspent{NBSP}{unspent[2]}"
    )
    lines += list(glued(tail, width, style="bold").split())
    return Text("\n", no_wrap=True, overflow="ignore").join(lines)


def markdown_document(p: Plan) -> str:
    """The plan for a pull request or a wiki: a table of the funded problems, then the
    sentences."""
    money = _money(p)
    text = f"### Plan: {markdown.escape(money(p.budget))} budget\n\n"
    whatif = _whatif(p)
    if whatif is not None:  # as the table says it, in the markdown of evaluate and explain
        text += f"_{markdown.escape(whatif)}_\n\n"
    text += f"**{markdown.escape(headline(p))}.**\n\n"
    if p.funded:
        text += "| " + " | ".join(markdown.escape(h) for h in _heads(p)) + " |\n"
        text += "| ---: | --- | ---: | ---: | ---: |\n"
        for i, c in enumerate(p.funded, 1):
            cells = (
                f"{i:,}",
                c.name,  # escaped with the figures below, once
                money(c.build_cost),
                money(c.npv),
                per_dollar(c),
            )
            text += "| " + " | ".join(markdown.escape(x) if n else x for n, x in enumerate(cells))
            text += " |\n"
        total = (money(p.total_build), money(p.total_npv))
        text += f"|  | **Total** | **{markdown.escape(total[0])}** | "
        text += f"**{markdown.escape(total[1])}** |  |\n\n"
    # names as written, each whole sentence escaped once (names, and the $ of amounts)
    text += "".join(f"- {markdown.escape(line)}\n" for line in sentences(p, str))
    return text


def csv_document(p: Plan) -> str:
    """One row a problem: funded, left out (with the extra budget it needs), ineligible."""
    buffer = io.StringIO()
    writer = csv_module.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows: list[tuple[str, Candidate, float | None]] = [("funded", c, None) for c in p.funded]
    rows += [("left-out", o.candidate, o.extra_budget) for o in p.left_out]
    rows += [("ineligible", c, None) for c in p.ineligible]
    for status, c, extra in rows:
        ineligible = status == "ineligible"
        writer.writerow(
            [
                status,
                csv.text(c.name),
                csv.text(c.file),
                c.line,
                csv.number(c.build_cost),
                csv.number(c.npv),
                None if ineligible else csv.number(c.npv_per_build),
                csv.number(extra),
            ]
        )
    return buffer.getvalue()


def json_document(p: Plan) -> str:
    """`Plan.to_dict()` as every pmsize JSON document is written (`render.json.dumps`)."""
    from pmsize.render.json import dumps

    return dumps(p.to_dict())
