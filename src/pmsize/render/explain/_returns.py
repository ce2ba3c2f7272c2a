"""The memo's points from the cash flows to the verdict: the cash flows year by year (a
table), the returns beside the naive pitch, each flag with what would clear it, the
ranged and correlated inputs, and the verdict."""

from __future__ import annotations

from pmsize import _fmt as fmt
from pmsize import _messages as messages
from pmsize._results import Severity, Verdict
from pmsize.render.explain._memo import Bullet, Point, Writer, words
from pmsize.render.table import uncertain_text

CASH_FLOW_HEADERS = ("Year", "Paying", "Revenue", "Costs", "Net", "Discounted", "Cumulative")


def cash_flows(w: Writer) -> Point:
    """How the cash flows are made, and a table of them year by year."""
    r, money = w.r, w.money
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
        f"Building {w.sol} costs {money(build)} in year 0. {adoption}, each paying "
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
    rows.append((*build_row, *_flows(w, 0)))
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
                *_flows(w, y.year),
            )
        )
    return Point("Cash flows", text, table=tuple(rows))


def _flows(w: Writer, t: int) -> tuple[str, str, str]:
    """Year t's net, discounted and cumulative discounted cash flow."""
    r, money = w.r, w.money
    return (
        money(r.cash_flows[t]),
        money(r.discounted_cash_flows[t]),
        money(r.cumulative_discounted[t]),
    )


def returns(w: Writer) -> Point:
    """NPV, ROI, IRR and payback, beside what a naive pitch would claim."""
    r, money = w.r, w.money
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
        text += f" The IRR, the discount rate at which NPV would be zero, is {fmt.percent(r.irr)}."
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
        else f"the full {money(naive_price)} {w.sol} is worth, ignoring the alternatives"
    )
    if r.naive_is_sustainable:
        text += " The alternatives take nothing away here: a naive pitch would show the same."
    else:
        text += (
            f" A naive pitch that charges {basis}, would claim an NPV of "
            f"{money(r.naive_npv, sign=True)} and ROI {fmt.percent(r.naive_roi)}."
        )
    return Point("Returns", text)


def flags(w: Writer) -> Point:
    """Each flag, with what would clear it."""
    if not w.r.flags:
        return Point(
            "Flags",
            "None: it pays back, and the alternatives leave room to charge for the value.",
        )
    bullets = tuple(
        Bullet(
            f"{f.code} ({f.severity}): {f.message} "
            f"To clear it: {messages.how_to_clear(f.code, w.r)}",
            f.severity,
        )
        for f in w.r.flags
    )
    return Point("Flags", "Each with what would clear it:", bullets)


def ranges(w: Writer) -> Point:
    """The inputs given as ranges."""
    bullets = tuple(Bullet(uncertain_text(u, w.r.currency)) for u in w.r.uncertain)
    return Point(
        "Expected inputs",
        "These inputs are ranges; every figure above uses each one's central value (its "
        "median). pmsize simulate shows how the verdict moves across them.",
        bullets,
    )


def correlated(w: Writer) -> Point:
    """The pairs of ranges that move together."""
    bullets = tuple(Bullet(str(c)) for c in w.p.correlations)
    return Point(
        "Correlated inputs",
        "These pairs of ranges move together in pmsize simulate (Spearman rank "
        "correlation, -1 to 1); all other ranges vary independently. The figures above "
        "use central values, which correlation does not change.",
        bullets,
    )


def scenarios(w: Writer) -> Point:
    """The scenarios beside the file as written (SPEC §14): a row each, and when they are
    weighted the expected NPV and the chance of each verdict."""
    from pmsize._messages import SCENARIO_HEADERS, scenario_rows

    r = w.r
    text = (
        "The file as written is the base case, whose figures are the headline above; the "
        "scenarios change some of its inputs."
    )
    if r.expected_npv is None or r.scenario_verdicts is None:
        text += " They carry no probabilities, so they are shown side by side, unweighted."
    else:
        chances = words([f"{v} in {fmt.percent(p)}" for v, p in r.scenario_verdicts.items()])
        text += (
            f" Weighted by their probabilities, the expected NPV is {w.money(r.expected_npv)}"
            f", and the verdict is {chances}."
        )
    bullets = tuple(
        Bullet(
            f"{s.name}: "
            + "; ".join(f"{o.input} {o.value} (file: {o.was or 'none'})" for o in s.overrides)
        )
        for s in r.scenarios
        if s.overrides
    )
    rows = tuple(tuple(fmt.safe_text(cell) for cell in row) for row in scenario_rows(r))
    return Point("Scenarios", text, bullets, table=(SCENARIO_HEADERS, *rows))


def verdict(w: Writer) -> Point:
    """The verdict and the flags behind it."""
    r = w.r
    errors = [f.code for f in r.flags if f.severity == Severity.ERROR]
    warnings = [f.code for f in r.flags if f.severity != Severity.ERROR]
    if r.verdict == Verdict.AVOID:
        reason = f"{words(errors)} {'is an error' if len(errors) == 1 else 'are errors'}"
    elif r.verdict == Verdict.PURSUE:
        reason = "there are no flags; it pays back and the alternatives leave room to charge"
    else:
        verb = "needs" if len(warnings) == 1 else "need"
        reason = f"no errors, but {words(warnings)} {verb} a look"
    if r.verdict == Verdict.PURSUE and r.scenarios:
        reason = "there are no flags; it pays back, the alternatives leave room to charge "
        reason += "and the scenarios carry little risk"
    return Point("Verdict", f"{r.verdict.upper()}: {reason}.")


def _fractional(paying: float) -> bool:
    """Whether a count of paying customers shows a fraction where it matters (below 10)."""
    return paying < 10 and round(paying, 1) != round(paying)


def _paying(paying: float) -> str:
    """Paying customers: whole from 10 up (a fraction there is noise), else to 0.1."""
    return fmt.count(round(paying) if paying >= 10 else round(paying, 1))
