"""`pmsize explain`: the reasoning for a problem as a product manager's memo.

`memo()` writes the argument once, as numbered points of plain sentences, in
the order it would be presented: the problem, what our solution is worth,
what customers can do instead, which alternative binds, the price, the cash
flows year by year, the returns beside the naive pitch, each flag with what
would clear it, the ranged inputs, and the verdict. Every figure is an input,
an engine result, or shown with the arithmetic that makes it: the memo is written
from an `Evaluation` the library computed, and computes no figure of the model
itself (those are `Evaluation` methods over the engine's formulas; a flag's
message and what would clear it are `messages`). Then `render()` prints the memo
with Rich (file text is always `Text`, never markup) and `markdown()` writes it as
plain markdown with file text escaped.

A problem may list thousands of alternatives; the memo describes the
`SHOWN_ALTERNATIVES` that allow the lowest price (the one that sets the ceiling
first) and counts the rest in one sentence, so it stays short and is written in
time linear in their number.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from pmsize import fmt, messages
from pmsize.models import Problem
from pmsize.render import markdown as markdown_format
from pmsize.render.table import (
    NBSP,
    SEVERITY_MARK,
    VERDICT_STYLE,
    glued,
    print_trimmed,
    uncertain_text,
)
from pmsize.results import AlternativeResult, Evaluation, Severity, Verdict, Year

CASH_FLOW_HEADERS = ("Year", "Paying", "Revenue", "Costs", "Net", "Discounted", "Cumulative")
SHOWN_ALTERNATIVES = 10  # alternatives (and ties) a memo describes; the rest are counted


@dataclass(frozen=True)
class Bullet:
    """One item under a point; a flag's carries its severity, shown as ✗ or ! and colour."""

    text: str
    severity: Severity | None = None


@dataclass(frozen=True)
class Point:
    """One numbered point of the memo: a title, its sentences, and optional bullets or a table."""

    title: str
    text: str
    bullets: tuple[Bullet, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()  # header row first


@dataclass(frozen=True)
class Memo:
    """The explanation of one problem, ready to print in any format."""

    name: str
    description: str | None
    verdict: Verdict
    points: tuple[Point, ...] = field(default=())


def memos(problems: Iterable[Problem], results: Iterable[Evaluation]) -> list[Memo]:
    """A memo for each problem beside its evaluation (`pmsize.evaluate`)."""
    return [memo(problem, r) for problem, r in zip(problems, results, strict=True)]


def memo(problem: Problem, r: Evaluation) -> Memo:
    """The argument for one problem's verdict, point by point.

    `r` is the problem's evaluation; the memo reads the problem only for its inputs as
    written (the adoption shares, the running costs).
    """
    w = _Writer(problem, r)
    points = (
        w.problem(),
        w.worth(),
        w.instead(),
        w.ceiling(),
        *((w.over_time(),) if r.ceiling_moves else ()),
        w.price(),
        w.cash_flows(),
        w.returns(),
        w.flags(),
        *((w.ranges(),) if r.uncertain else ()),
        *((w.correlated(),) if problem.correlations else ()),
        w.verdict(),
    )
    return Memo(r.name, r.description, r.verdict, points)


def nearest_alternatives(
    r: Evaluation, count: int = SHOWN_ALTERNATIVES
) -> tuple[AlternativeResult, ...]:
    """The `count` alternatives with the lowest max_price, lowest first (the first listed
    first on a tie, so the one that sets the ceiling leads), in one pass over them."""
    alternatives = r.alternatives
    order = heapq.nsmallest(
        count, range(len(alternatives)), key=lambda i: (alternatives[i].max_price, i)
    )
    return tuple(alternatives[i] for i in order)


class _Writer:
    """Sentences about one evaluation; each method writes one point."""

    def __init__(self, problem: Problem, r: Evaluation) -> None:
        self.p, self.r = problem, r
        self.sol = r.solution_name  # as written, even at the start of a sentence ("iPhone")
        self.bound = r.binding

    def money(self, x: float | None, *, sign: bool = False) -> str:
        return fmt.money(x, self.r.currency, sign=sign)

    def problem(self) -> Point:
        r, money = self.r, self.money
        if r.revenue is not None and r.problem_share is not None:
            first = (
                f"A typical customer has {money(r.revenue)} in revenue and the problem costs it "
                f"{fmt.percent(r.problem_share)} of that: {money(r.problem_cost_per_customer)} "
                "a year."
            )
        else:
            first = (
                f"The problem costs a typical customer {money(r.problem_cost_per_customer)} a year."
            )
        customers = fmt.count(r.customers)
        noun = "customer" if r.customers == 1 else "customers"
        text = (
            f"{first} There {'is' if r.customers == 1 else 'are'} {customers} such {noun}, so it "
            f"costs the market {money(r.market_size)} a year ({customers} × "
            f"{money(r.problem_cost_per_customer)})."
        )
        if r.growth and r.years:
            last = r.years[-1]
            verb = "grows" if r.growth > 0 else "shrinks"
            text += (
                f" The market {verb} by {fmt.percent(abs(r.growth))} a year: "
                f"{fmt.plural(last.customers, 'customer')} in year {last.year}."
            )
        return Point("The problem", text)

    def worth(self) -> Point:
        r = self.r
        share = fmt.percent(r.solution_solves)
        return Point(
            f"What {self.sol} is worth",
            f"It removes {share} of the problem: {self.money(r.value_per_customer)} a year for "
            f"each customer that adopts it ({share} × {self.money(r.problem_cost_per_customer)}).",
        )

    def instead(self) -> Point:
        r, money = self.r, self.money
        title = "What customers can do instead"
        if not r.alternatives:
            return Point(
                title,
                f"No alternatives are listed, so nothing caps the price below what {self.sol} is "
                "worth. List what customers do today (a vendor, an in-house tool, manual work) "
                "to see what really caps it.",
            )
        shown = r.alternatives
        if len(shown) > SHOWN_ALTERNATIVES:
            shown = nearest_alternatives(r, SHOWN_ALTERNATIVES + 1)
        bullets = []
        for a in shown[:SHOWN_ALTERNATIVES]:
            cost = f"{a.name} ({a.kind}) costs a customer {money(a.effective_annual_cost)} a year"
            if a.from_year > 1 or _moves(a.max_prices):
                when = f"arrives in year {a.from_year}" if a.from_year > 1 else ""
                if _moves(a.max_prices):
                    when += (" and " if when else "") + (
                        f"changes over the years; these are year {a.year}'s figures, when it "
                        "allows the lowest price"
                    )
                cost = f"{a.name} ({a.kind}) {when}. It costs a customer " + (
                    f"{money(a.effective_annual_cost)} a year"
                )
            if a.one_time_cost:
                cost += (
                    f" ({money(a.annual_cost)} a year plus {money(a.one_time_cost)} setup spread "
                    f"over {fmt.plural(r.horizon_years, 'year')} "
                    f"at {fmt.percent(r.discount_rate)}: "
                    f"{money(a.one_time_cost)} × {r.crf:.3f} = {money(a.one_time_spread)})"
                )
            cost += f" and removes {fmt.percent(a.solves)} of the problem ({money(a.relief)})."
            gap = a.extra_relief
            if gap < 0:
                limit = (
                    f" That is more than {self.sol} removes, so a customer would pay {self.sol} at "
                    f"most {money(a.effective_annual_cost)} − {money(-gap)} = {money(a.max_price)} "
                    "rather than use it."
                )
            elif gap > 0:
                limit = (
                    f" {self.sol} removes {money(gap)} more, so a customer would pay it "
                    f"at most {money(a.effective_annual_cost)} + {money(gap)} = "
                    f"{money(a.max_price)} rather than use it."
                )
            else:
                limit = (
                    f" It removes as much as {self.sol}, so a customer would pay {self.sol} at "
                    f"most its cost, {money(a.max_price)}."
                )
            bullets.append(Bullet(cost + limit))
        text = (
            "A customer pays us at most what its best alternative costs, plus the value of the "
            "extra relief we give (less, if we give less)."
        )
        if len(shown) > SHOWN_ALTERNATIVES:  # the rest, counted: none allows less than `floor`
            rest, floor = len(r.alternatives) - SHOWN_ALTERNATIVES, shown[SHOWN_ALTERNATIVES]
            text += (
                f" Of the {fmt.count(len(r.alternatives))} alternatives listed, these "
                f"{SHOWN_ALTERNATIVES} allow the lowest price, lowest first:"
            )
            others, them = (
                ("1 other alternative leaves", "it")
                if rest == 1
                else (f"{fmt.count(rest)} other alternatives each leave", "any of them")
            )
            bullets.append(
                Bullet(
                    f"{others} room of at least {money(floor.max_price)}: rather than use "
                    f"{them}, a customer would pay {self.sol} that much or more."
                )
            )
        return Point(title, text, tuple(bullets))

    def ceiling(self) -> Point:
        r, money, b = self.r, self.money, self.bound
        title = "What sets the ceiling"
        value = money(r.value_per_customer)
        if b is None:
            if not r.alternatives:
                text = (
                    "With no alternatives, the ceiling is the full value: "
                    f"{money(r.ceiling_per_customer)} per customer a year."
                )
            else:
                text = (
                    f"No alternative undercuts {self.sol}: every limit above is at least the "
                    f"{value} it is worth, so the ceiling is that full value, "
                    f"{money(r.ceiling_per_customer)} per customer a year."
                )
            return Point(title, text)
        text = (
            f"{b.name} binds: its limit, {money(b.max_price)}, is the lowest, and below the "
            f"{value} {self.sol} is worth."
        )
        if r.ceiling_year > 1:
            text = f"From year {r.ceiling_year}, {text}"
        ties = [a.name for a in r.alternatives if a is not b and a.max_price == b.max_price]
        if len(ties) > SHOWN_ALTERNATIVES:
            more = len(ties) - SHOWN_ALTERNATIVES
            text += (
                f" ({', '.join(ties[:SHOWN_ALTERNATIVES])} and {fmt.count(more)} more tie with "
                "it; the first listed counts.)"
            )
        elif ties:
            text += f" ({', '.join(ties)} ties with it; the first listed counts.)"
        if b.max_price < 0:
            text += (
                f" A customer would pay nothing at all for {self.sol}, so the ceiling is "
                f"{money(r.ceiling_per_customer)}."
            )
        else:
            share = fmt.percent(r.cap_ratio) if r.cap_ratio is not None else "n/a"
            text += (
                f" So the ceiling is {money(r.ceiling_per_customer)} per customer a year: "
                f"{share} of the value {self.sol} delivers."
            )
        return Point(title, text)

    def over_time(self) -> Point:
        """The story of a ceiling that moves: a sentence for each year it changes."""
        r, money = self.r, self.money
        bullets = []
        for before, now in itertools.pairwise(r.years):
            if now.ceiling_per_customer == before.ceiling_per_customer:
                continue
            old, new = money(before.ceiling_per_customer), money(now.ceiling_per_customer)
            change = (
                f"the ceiling falls from {old} to {new}"
                if now.ceiling_per_customer < before.ceiling_per_customer
                else f"the ceiling rises from {old} to {new}"
            )
            bullets.append(Bullet(f"Year {now.year}: {self._cause(before, now)}; {change}."))
        low = r.ceiling_per_customer
        text = (
            "The alternatives change over the horizon, and with them the most a customer "
            f"would pay {self.sol}. The sustainable ceiling is the lowest of the years: "
            f"{money(low)}, first reached in year {r.ceiling_year}."
        )
        return Point("The ceiling over time", text, tuple(bullets))

    def _cause(self, before: Year, now: Year) -> str:
        """Why the ceiling moved from one year to the next: which alternative, and what."""
        by_name = {a.name: a for a in self.r.alternatives}
        setter = by_name.get(now.ceiling_set_by or "")
        t = now.year - 1
        if setter is None:
            was = before.ceiling_set_by or "none"
            return f"{was} no longer costs a customer less than {self.sol} is worth"
        if setter.from_year == now.year:
            return (
                f"{setter.name} arrives and allows at most {self.money(now.ceiling_per_customer)}"
            )
        cost, relief = setter.effective_annual_costs, setter.reliefs
        moves = []
        if cost[t] is not None and cost[t - 1] is not None and cost[t] != cost[t - 1]:
            cheaper = cost[t] < cost[t - 1]  # type: ignore[operator]
            shown = f"{self.money(cost[t])} a year"
            moves.append(f"gets cheaper ({shown})" if cheaper else f"costs more ({shown})")
        if relief[t] is not None and relief[t - 1] is not None and relief[t] != relief[t - 1]:
            better = relief[t] > relief[t - 1]  # type: ignore[operator]
            share = fmt.percent(setter.shares[t])
            moves.append(f"removes {'more' if better else 'less'} ({share} of the problem)")
        what = f"{setter.name} {_words(moves)}" if moves else f"{setter.name} changes"
        if now.ceiling_set_by != before.ceiling_set_by:
            instead = f" in place of {before.ceiling_set_by}" if before.ceiling_set_by else ""
            return f"{what}, so it now sets the ceiling{instead}"
        return what

    def price(self) -> Point:
        r, money = self.r, self.money
        title = "The sustainable price"
        if r.price_given is None and r.ceiling_moves:
            text = (
                f"No price is set, so the figures assume {self.sol} charges each year's "
                f"ceiling (the Ceiling column below), down to {money(r.price_per_customer)} per "
                "customer a year."
            )
        elif r.price_given is None:
            text = (
                f"No price is set, so the figures assume {self.sol} charges the ceiling: "
                f"{money(r.price_per_customer)} per customer a year."
            )
        elif r.price_given <= r.ceiling_per_customer:
            text = (
                f"The price set, {money(r.price_given)} per customer a year, is within the "
                f"{money(r.ceiling_per_customer)} ceiling, so it holds."
            )
        else:
            text = (
                f"The price set, {money(r.price_given)} per customer a year, is above the "
                f"{money(r.ceiling_per_customer)} ceiling; customers would take the alternative "
                f"instead, so the figures assume {money(r.price_per_customer)}."
            )
        return Point(title, text)

    def cash_flows(self) -> Point:
        r, money = self.r, self.money
        build = r.build_cost
        given = r.adoption_given
        shares = ", ".join(fmt.percent(share) for share in given)
        if r.growth:  # a share of each year's customers, not of year 1's
            of_customers = (
                f"that year's customers ({fmt.count(r.customers)} in year 1, "
                f"{'growing' if r.growth > 0 else 'shrinking'} "
                f"{fmt.percent(abs(r.growth))} a year)"
            )
        elif fmt.count(r.customers) == "1":
            of_customers = "the only customer"
        else:
            of_customers = f"the {fmt.plural(r.customers, 'customer')}"
        adoption = (
            f"{shares} of {of_customers} pay every year"
            if len(given) == 1
            else f"{shares} of {of_customers} pay in years "
            f"1 {'and' if len(given) == 2 else 'to'} {len(given)}"
            + (", and the last share holds after that" if len(given) < r.horizon_years else "")
        )
        fixed, per_customer = r.running_cost, r.cost_per_customer
        if fixed and per_customer:
            running = (
                f"Running it costs {money(fixed)} a year plus {money(per_customer)} for each "
                "paying customer."
            )
        elif fixed or per_customer:
            running = "Running it costs " + (
                f"{money(fixed)} a year."
                if fixed
                else f"{money(per_customer)} a year for each paying customer."
            )
        else:
            running = "It costs nothing to run."
        moves = r.ceiling_moves
        paying = (
            "the year's price (the lower of the price set and that year's ceiling)"
            if moves and r.price_given is not None
            else "that year's ceiling"
            if moves
            else f"{money(r.price_per_customer)} a year"
        )
        text = (
            f"Building {self.sol} costs {money(build)} in year 0. {adoption}, each paying "
            f"{paying}. {running} "
            f"Each year's net cash flow is discounted at {fmt.percent(r.discount_rate)}: "
            "divided by (1 + rate) to the power of the year."
        )
        # each year's ceiling after the paying customers when it moves, and the price
        # charged beside it when one is set (the lower of the two)
        shown = (("Ceiling",) if moves else ()) + (("Price",) if r.price_given is not None else ())
        headers = (*CASH_FLOW_HEADERS[:2], *shown, *CASH_FLOW_HEADERS[2:])
        if any(_fractional(y.paying_customers) for y in r.years):
            text += (
                " Paying customers are averages (customers × share), so a year may count "
                "a fraction of one."
            )
        rows: list[tuple[str, ...]] = [headers]
        build_row = ("0", "", *([""] * len(shown)), "", money(build))
        rows.append((*build_row, *self._flows(0)))
        for y in r.years:
            prices: tuple[str, ...] = (money(y.ceiling_per_customer),) if moves else ()
            if r.price_given is not None:
                prices += (money(y.price_per_customer),)
            rows.append(
                (
                    str(y.year),
                    _paying(y.paying_customers),
                    *prices,
                    money(y.revenue),
                    money(y.costs),
                    *self._flows(y.year),
                )
            )
        return Point("Cash flows", text, table=tuple(rows))

    def _flows(self, t: int) -> tuple[str, str, str]:
        """Year t's net, discounted and cumulative discounted cash flow."""
        r, money = self.r, self.money
        return (
            money(r.cash_flows[t]),
            money(r.discounted_cash_flows[t]),
            money(r.cumulative_discounted[t]),
        )

    def returns(self) -> Point:
        r, money = self.r, self.money
        text = (
            f"Added up, the discounted cash flows give an NPV of {money(r.npv)} (year 0 is not "
            f"discounted). Revenue is worth {money(r.pv_revenue)} today and the costs "
            f"{money(r.pv_costs)} (the build plus discounted running costs), "
            + (
                f"so ROI, NPV ÷ costs, is {fmt.percent(r.roi)}."
                if r.roi is not None
                else "so there is no ROI: nothing is spent to divide NPV by."
            )
        )
        if r.irr is not None:
            text += (
                f" The IRR, the discount rate at which NPV would be zero, is {fmt.percent(r.irr)}."
            )
        elif r.irr_note:
            text += f" There is {r.irr_note}."
        if r.payback_years == 0:
            text += (
                " Nothing is spent up front and year 1 brings in at least what it costs, so it "
                "pays back immediately."
            )
        elif r.payback_years is not None:
            text += f" The discounted cash flow turns positive after {fmt.years(r.payback_years)}."
        else:
            text += (
                " The discounted cash flow does not turn positive within "
                f"{fmt.plural(r.horizon_years, 'year')}: "
                "no payback."
            )
        naive_price = r.naive_price
        basis = (
            f"the price set, {money(naive_price)}, whatever the alternatives"
            if r.price_given is not None
            else f"the full {money(naive_price)} {self.sol} is worth, ignoring the alternatives"
        )
        if r.naive_is_sustainable:
            text += " The alternatives take nothing away here: a naive pitch would show the same."
        else:
            text += (
                f" A naive pitch that charges {basis}, would claim an NPV of "
                f"{money(r.naive_npv, sign=True)} and ROI {fmt.percent(r.naive_roi)}."
            )
        return Point("Returns", text)

    def flags(self) -> Point:
        if not self.r.flags:
            return Point(
                "Flags",
                "None: it pays back, and the alternatives leave room to charge for the value.",
            )
        bullets = tuple(
            Bullet(
                f"{f.code} ({f.severity}): {f.message} "
                f"To clear it: {messages.how_to_clear(f.code, self.r)}",
                f.severity,
            )
            for f in self.r.flags
        )
        return Point("Flags", "Each with what would clear it:", bullets)

    def ranges(self) -> Point:
        bullets = tuple(Bullet(uncertain_text(u, self.r.currency)) for u in self.r.uncertain)
        return Point(
            "Uncertain inputs",
            "These inputs are ranges; every figure above uses each one's central value (its "
            "median). pmsize simulate shows how the verdict moves across them.",
            bullets,
        )

    def correlated(self) -> Point:
        bullets = tuple(Bullet(str(c)) for c in self.p.correlations)
        return Point(
            "Correlated inputs",
            "These pairs of ranges move together in pmsize simulate (Spearman rank "
            "correlation, -1 to 1); all other ranges vary independently. The figures above "
            "use central values, which correlation does not change.",
            bullets,
        )

    def verdict(self) -> Point:
        r = self.r
        errors = [f.code for f in r.flags if f.severity == Severity.ERROR]
        warnings = [f.code for f in r.flags if f.severity != Severity.ERROR]
        if r.verdict == Verdict.AVOID:
            reason = f"{_words(errors)} {'is an error' if len(errors) == 1 else 'are errors'}"
        elif r.verdict == Verdict.PURSUE:
            reason = "there are no flags; it pays back and the alternatives leave room to charge"
        else:
            verb = "needs" if len(warnings) == 1 else "need"
            reason = f"no errors, but {_words(warnings)} {verb} a look"
        return Point("Verdict", f"{r.verdict.upper()}: {reason}.")


def _moves(per_year: Sequence[float | None]) -> bool:
    """Whether a per-year figure takes more than one value in the years it is given."""
    return len({x for x in per_year if x is not None}) > 1


def _words(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# -------------------------------------------------------------------------------------------
# Rich, for a terminal
# -------------------------------------------------------------------------------------------


def render(console: Console, memos: Sequence[Memo]) -> None:
    """Print each memo, separated by a blank line."""
    parts: list[RenderableType] = []
    for i, m in enumerate(memos):
        if i:
            parts.append(Text())
        parts.append(memo_renderable(m, console.width))
    print_trimmed(console, Group(*parts))


def memo_renderable(m: Memo, width: int = 80) -> RenderableType:
    """One memo for a terminal `width` wide: the title and verdict, then the numbered points."""
    head = Table.grid(expand=True)
    head.add_column(ratio=1)
    head.add_column(justify="right", no_wrap=True)
    head.add_row(
        Text(fmt.safe_text(m.name), style="bold"), Text(m.verdict.upper(), VERDICT_STYLE[m.verdict])
    )
    parts: list[RenderableType] = [head]
    if m.description:
        parts.append(Text(fmt.safe_text(" ".join(m.description.split())), style="dim"))
    for number, point in enumerate(m.points, 1):
        parts += [Text(), _point(number, point, width)]
    return Group(*parts)


def _point(number: int, point: Point, width: int) -> RenderableType:
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True, width=3, justify="right")
    grid.add_column(ratio=1)
    body = Text()
    body.append(fmt.safe_text(f"{point.title}."), style="bold")
    if point.text:
        body.append(" " + fmt.safe_text(point.text))
    inner: list[RenderableType] = [body]
    if point.bullets:
        bullets = Table.grid(padding=(0, 1, 0, 0))
        bullets.add_column(no_wrap=True)
        bullets.add_column(ratio=1)
        for bullet in point.bullets:
            text = Text(fmt.safe_text(bullet.text))
            if bullet.severity is None:
                bullets.add_row(Text("•"), text)
                continue
            mark, style = SEVERITY_MARK[bullet.severity]
            text.stylize(style, 0, len(bullet.text.split(" ", 1)[0]))  # the flag's code
            bullets.add_row(Text(mark, style=style), text)
        inner.append(bullets)
    if point.table:
        inner.append(Padding(_cash_flows(point.table, width - POINT_INDENT), (1, 0, 0, 0)))
    grid.add_row(Text(f"{number}."), Group(*inner))
    return grid


POINT_INDENT = 4  # the point's number column and its padding


def _cash_flows(rows: tuple[tuple[str, ...], ...], width: int) -> RenderableType:
    """The year-by-year table, or where it would not fit, a line a year: figures never cut."""
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
    if sum(widths) + 2 * (len(widths) - 1) <= width:  # padding (0, 1), no edge
        return _cash_table(rows)
    headers, lines = rows[0], []
    for row in rows[1:]:
        figures = " · ".join(
            f"{header.lower()}{NBSP}{cell}"
            for header, cell in zip(headers[1:], row[1:], strict=True)
            if cell
        )
        lines.append(glued(f"{headers[0]}{NBSP}{row[0]}: {figures}", width))
    return Group(*lines)


def _cash_table(rows: tuple[tuple[str, ...], ...]) -> Table:
    table = Table(box=None, padding=(0, 1), header_style="bold", pad_edge=False)
    for header in rows[0]:
        table.add_column(header, justify="right", no_wrap=True)
    for row in rows[1:]:
        table.add_row(*(Text(cell) for cell in row))
    return table


# -------------------------------------------------------------------------------------------
# Markdown, to paste into a document
# -------------------------------------------------------------------------------------------


def escape_markdown(text: str) -> str:
    """Text shown as written in markdown, on one line (see `markdown.escape`)."""
    return markdown_format.escape(" ".join(text.split()))


def markdown(memos: Sequence[Memo]) -> str:
    """Every memo as markdown, newline-terminated."""
    return "\n".join(_memo_markdown(m) for m in memos)


def _memo_markdown(m: Memo) -> str:
    lines = [f"## {escape_markdown(m.name)}", ""]
    if m.description:
        lines += [f"_{escape_markdown(m.description)}_", ""]
    lines += [f"**Verdict: {m.verdict.upper()}**", ""]
    for number, point in enumerate(m.points, 1):
        head = f"**{number}. {escape_markdown(point.title)}.**"
        lines += [f"{head} {escape_markdown(point.text)}".rstrip(), ""]
        if point.bullets:
            lines += [f"- {_markdown_mark(b)}{escape_markdown(b.text)}" for b in point.bullets] + [
                ""
            ]
        if point.table:
            header, *rows = point.table
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---:|" * len(header))
            lines += ["| " + " | ".join(escape_markdown(c) for c in row) + " |" for row in rows]
            lines.append("")
    return "\n".join(lines)


def _markdown_mark(bullet: Bullet) -> str:
    return f"{SEVERITY_MARK[bullet.severity][0]} " if bullet.severity else ""


def _fractional(paying: float) -> bool:
    """Whether a count of paying customers shows a fraction where it matters (below 10)."""
    return paying < 10 and round(paying, 1) != round(paying)


def _paying(paying: float) -> str:
    """Paying customers: whole from 10 up (a fraction there is noise), else to 0.1."""
    return fmt.count(round(paying) if paying >= 10 else round(paying, 1))
