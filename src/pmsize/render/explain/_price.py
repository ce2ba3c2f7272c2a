"""The memo's points from the problem to the price: what the problem costs, what the
solution is worth, what customers can do instead, which alternative sets the ceiling (and
how it moves over the years), and the price the figures assume.

A problem may list thousands of alternatives; the memo describes the
`SHOWN_ALTERNATIVES` that allow the lowest price (the one that sets the ceiling
first) and counts the rest in one sentence, so it stays short and is written in
time linear in their number.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence

from pmsize import _fmt as fmt
from pmsize._results import AlternativeResult, Evaluation, Year
from pmsize.render.explain._memo import Bullet, Point, Writer, words

SHOWN_ALTERNATIVES = 10  # alternatives (and ties) a memo describes; the rest are counted


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


def problem(w: Writer) -> Point:
    """What the problem costs a customer, and the market."""
    r, money = w.r, w.money
    if r.revenue is not None and r.problem_share is not None:
        first = (
            f"A typical customer has {money(r.revenue)} in revenue and the problem costs it "
            f"{fmt.percent(r.problem_share)} of that: {money(r.problem_cost_per_customer)} "
            "a year."
        )
    else:
        first = f"The problem costs a typical customer {money(r.problem_cost_per_customer)} a year."
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


def worth(w: Writer) -> Point:
    """What the solution is worth to a customer that adopts it."""
    r = w.r
    share = fmt.percent(r.solution_solves)
    return Point(
        f"What {w.sol} is worth",
        f"It removes {share} of the problem: {w.money(r.value_per_customer)} a year for "
        f"each customer that adopts it ({share} × {w.money(r.problem_cost_per_customer)}).",
    )


def instead(w: Writer) -> Point:
    """What customers can do instead, each alternative with the most it lets us charge."""
    r, money = w.r, w.money
    title = "What customers can do instead"
    if not r.alternatives:
        return Point(
            title,
            f"No alternatives are listed, so nothing caps the price below what {w.sol} is "
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
                f" That is more than {w.sol} removes, so a customer would pay {w.sol} at "
                f"most {money(a.effective_annual_cost)} − {money(-gap)} = {money(a.max_price)} "
                "rather than use it."
            )
        elif gap > 0:
            limit = (
                f" {w.sol} removes {money(gap)} more, so a customer would pay it "
                f"at most {money(a.effective_annual_cost)} + {money(gap)} = "
                f"{money(a.max_price)} rather than use it."
            )
        else:
            limit = (
                f" It removes as much as {w.sol}, so a customer would pay {w.sol} at "
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
                f"{them}, a customer would pay {w.sol} that much or more."
            )
        )
    return Point(title, text, tuple(bullets))


def ceiling(w: Writer) -> Point:
    """Which alternative sets the ceiling, or why none does."""
    r, money, b = w.r, w.money, w.bound
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
                f"No alternative undercuts {w.sol}: every limit above is at least the "
                f"{value} it is worth, so the ceiling is that full value, "
                f"{money(r.ceiling_per_customer)} per customer a year."
            )
        return Point(title, text)
    text = (
        f"{b.name} binds: its limit, {money(b.max_price)}, is the lowest, and below the "
        f"{value} {w.sol} is worth."
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
            f" A customer would pay nothing at all for {w.sol}, so the ceiling is "
            f"{money(r.ceiling_per_customer)}."
        )
    else:
        share = fmt.percent(r.cap_ratio) if r.cap_ratio is not None else "n/a"
        text += (
            f" So the ceiling is {money(r.ceiling_per_customer)} per customer a year: "
            f"{share} of the value {w.sol} delivers."
        )
    return Point(title, text)


def over_time(w: Writer) -> Point:
    """The story of a ceiling that moves: a sentence for each year it changes."""
    r, money = w.r, w.money
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
        bullets.append(Bullet(f"Year {now.year}: {_cause(w, before, now)}; {change}."))
    low = r.ceiling_per_customer
    text = (
        "The alternatives change over the horizon, and with them the most a customer "
        f"would pay {w.sol}. The sustainable ceiling is the lowest of the years: "
        f"{money(low)}, first reached in year {r.ceiling_year}."
    )
    return Point("The ceiling over time", text, tuple(bullets))


def _cause(w: Writer, before: Year, now: Year) -> str:
    """Why the ceiling moved from one year to the next: which alternative, and what."""
    by_name = {a.name: a for a in w.r.alternatives}
    setter = by_name.get(now.ceiling_set_by or "")
    t = now.year - 1
    if setter is None:
        was = before.ceiling_set_by or "none"
        return f"{was} no longer costs a customer less than {w.sol} is worth"
    if setter.from_year == now.year:
        return f"{setter.name} arrives and allows at most {w.money(now.ceiling_per_customer)}"
    cost, relief = setter.effective_annual_costs, setter.reliefs
    moves = []
    if cost[t] is not None and cost[t - 1] is not None and cost[t] != cost[t - 1]:
        cheaper = cost[t] < cost[t - 1]  # type: ignore[operator]
        shown = f"{w.money(cost[t])} a year"
        moves.append(f"gets cheaper ({shown})" if cheaper else f"costs more ({shown})")
    if relief[t] is not None and relief[t - 1] is not None and relief[t] != relief[t - 1]:
        better = relief[t] > relief[t - 1]  # type: ignore[operator]
        share = fmt.percent(setter.shares[t])
        moves.append(f"removes {'more' if better else 'less'} ({share} of the problem)")
    what = f"{setter.name} {words(moves)}" if moves else f"{setter.name} changes"
    if now.ceiling_set_by != before.ceiling_set_by:
        instead = f" in place of {before.ceiling_set_by}" if before.ceiling_set_by else ""
        return f"{what}, so it now sets the ceiling{instead}"
    return what


def price(w: Writer) -> Point:
    """The price the figures assume: the one set, or the ceiling."""
    r, money = w.r, w.money
    title = "The sustainable price"
    if r.price_given is None and r.ceiling_moves:
        text = (
            f"No price is set, so the figures assume {w.sol} charges each year's "
            f"ceiling (the Ceiling column below), down to {money(r.price_per_customer)} per "
            "customer a year."
        )
    elif r.price_given is None:
        text = (
            f"No price is set, so the figures assume {w.sol} charges the ceiling: "
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


def _moves(per_year: Sequence[float | None]) -> bool:
    """Whether a per-year figure takes more than one value in the years it is given."""
    return len({x for x in per_year if x is not None}) > 1
