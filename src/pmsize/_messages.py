"""Every sentence pmsize writes about a result: what a flag means and what would clear it.

The engine gives numbers and flag codes; the words are here, beside the renderers,
so a flag's message reads the same in the table, the JSON, a memo and an annotation.
Each function reads a finished `Evaluation` (its figures, its alternatives and the
thresholds its flags were raised under) and writes plain text, never markup.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from pmsize import _finance as finance
from pmsize import _fmt as fmt
from pmsize._models import scenarios
from pmsize._results import Evaluation, FlagCode, Verdict

BASE = scenarios.BASE


def flag_message(code: FlagCode, r: Evaluation) -> str:
    """The plain-language message of a raised flag, naming what causes it."""

    def money(x: float | None, sign: bool = False) -> str:
        return fmt.money(x, r.currency, sign=sign)

    binding = r.binding
    # a ceiling reached only later in the horizon says when (SPEC §7)
    when = f"From year {r.ceiling_year}, " if r.ceiling_year > 1 else ""
    if code == FlagCode.NO_SUSTAINABLE_PRICE:
        if binding is None:
            return f"The problem costs a customer nothing, so {r.solution_name} delivers no value."
        share = fmt.percent(binding.relief / r.problem_cost_per_customer)
        cost = money(binding.effective_annual_cost)
        return (
            f"{when}{binding.name} removes {share} of the problem for {cost} a year, "
            f"so no customer should pay for {r.solution_name}."
        )
    if code == FlagCode.NEGATIVE_NPV:
        text = f"NPV is {money(r.npv)} over {fmt.plural(r.horizon_years, 'year')}"
        if r.naive_npv > 0:
            text += (
                f", while a pitch that ignores alternatives would claim {money(r.naive_npv, True)}"
            )
        return text + "."
    if code == FlagCode.CAPPED_BY_ALTERNATIVE:
        assert binding is not None
        assert r.cap_ratio is not None
        return (
            f"{when}{binding.name} caps the price at {money(r.ceiling_per_customer)} a year, "
            f"{fmt.percent(r.cap_ratio)} of the {money(r.value_per_customer)} {r.solution_name} "
            f"is worth (below {fmt.percent(r.thresholds.cap_threshold)})."
        )
    if code == FlagCode.OVERPRICED:
        reason = (
            f"customers would rather use {binding.name}"
            if binding
            else f"that is more than {r.solution_name} is worth to them"
        )
        lower = f"{when}the price" if when else "The price"
        return (
            f"{lower} {money(r.price_given)} is above the ceiling "
            f"{money(r.ceiling_per_customer)}: {reason}; NPV assumes {money(r.price_per_customer)}"
            f"{' from then on' if when else ''}."
        )
    if code == FlagCode.THIN_MARGIN:
        return (
            f"ROI is {fmt.percent(r.roi)}, below the {fmt.percent(r.thresholds.thin_margin)} "
            f"thin-margin threshold."
        )
    if code == FlagCode.SCENARIO_RISK:
        avoided = [s for s in r.scenarios if s.verdict == Verdict.AVOID]
        names = fmt.and_list([scenario_name(s.name) for s in avoided])
        chance = sum(s.probability or 0.0 for s in avoided)
        return f"In {names} ({fmt.percent(chance)}), the verdict is avoid."
    raise ValueError(code)


def scenario_name(name: str) -> str:
    """A scenario as a sentence names it: the file as written is `the base case`."""
    return "the base case" if name == BASE else name


def how_to_clear(code: FlagCode, r: Evaluation) -> str:
    """What would have to change for the flag `code` to go away, with the figure to aim for."""

    def money(x: float | None) -> str:
        return fmt.money(x, r.currency)

    sol, b = r.solution_name, r.binding
    if code == FlagCode.NO_SUSTAINABLE_PRICE:
        need = solves_for_cap(r, 0.0)
        if need is None or b is None:
            return "check the market figures: the problem as written costs customers nothing."
        if need >= 1:
            return (
                f"no share of the problem would do it; look for customers for whom {b.name} "
                "costs more or removes less."
            )
        return (
            f"{sol} would have to remove more than {fmt.percent(need)} of the problem "
            f"(it removes {fmt.percent(r.solution_solves)}), or {b.name} cost customers more "
            "or remove less."
        )
    if code == FlagCode.NEGATIVE_NPV:
        even = price_for_roi(r, 0.0)
        if even is None:
            return "no customer ever pays; give an adoption above 0%."
        if not math.isfinite(even):
            return (
                "no price would: there are too few paying customers. Costs would have to "
                f"fall by {money(-r.npv)} in today's money (the build cost counts in full), "
                "or adoption grow."
            )
        if even <= r.ceiling_per_customer:
            return (
                f"a price of at least {money(even)} per customer a year breaks even "
                f"(the ceiling allows up to {money(r.ceiling_per_customer)})."
            )
        return (
            f"breaking even needs {money(even)} per customer a year, above the "
            f"{money(r.ceiling_per_customer)} ceiling, so price alone cannot do it; costs "
            f"would have to fall by {money(-r.npv)} in today's money (the build cost counts "
            "in full), or adoption grow."
        )
    if code == FlagCode.CAPPED_BY_ALTERNATIVE:
        threshold = r.thresholds.cap_threshold
        need = solves_for_cap(r, threshold)
        lever = (
            f"{sol} would have to remove at least {fmt.percent(need)} of the problem "
            f"(it removes {fmt.percent(r.solution_solves)})"
            if need is not None and need <= 1
            else "no share of the problem would lift it"
        )
        return (
            f"{lever}; or accept the cap and set a lower cap_threshold under policy: "
            f"(now {fmt.percent(threshold)})."
        )
    if code == FlagCode.OVERPRICED:
        return (
            f"set the price at or below {money(r.ceiling_per_customer)}, or leave it out to "
            "charge the ceiling."
        )
    if code == FlagCode.SCENARIO_RISK:
        return (
            "make the scenarios whose verdict is avoid better or less likely, or accept the "
            "risk and set a higher scenario_risk under policy: (now "
            f"{fmt.percent(r.thresholds.scenario_risk)})."
        )
    if code == FlagCode.THIN_MARGIN:
        target = r.thresholds.thin_margin
        needed = price_for_roi(r, target)
        if needed is None:
            return "no customer ever pays; give an adoption above 0%."
        if not math.isfinite(needed):
            return (
                f"no price would lift ROI to {fmt.percent(target)}: there are too few paying "
                "customers, so costs must fall or adoption grow."
            )
        text = (
            f"ROI reaches {fmt.percent(target)} at a price of {money(needed)} per customer "
            f"a year (now {money(r.price_per_customer)})"
        )
        if needed > r.ceiling_per_customer:
            text += (
                f", above the {money(r.ceiling_per_customer)} ceiling, so costs must fall or "
                "adoption grow"
            )
        return text + "."
    raise ValueError(code)


def price_for_roi(r: Evaluation, roi: float) -> float | None:
    """The price per customer a year at which ROI reaches `roi` (`finance.price_for_roi`)."""
    return finance.price_for_roi(r.pv_costs, r.customers_paying, r.discount_factors, roi)


def solves_for_cap(r: Evaluation, cap: float) -> float | None:
    """The share of the problem the solution must remove for the ceiling to reach `cap` of
    its value (`finance.solves_for_cap`), over every alternative's every year."""
    return finance.solves_for_cap(
        r.problem_cost_per_customer,
        [
            (relief, cost)
            for a in r.alternatives
            for relief, cost in zip(a.reliefs, a.effective_annual_costs, strict=True)
            if relief is not None and cost is not None
        ],
        cap,
    )


def whatif_text(results: Sequence[Evaluation]) -> str | None:
    """What `--set` changed, as a line above the figures: each input and its value, and
    for one problem what its file had (`what-if: solution.price $50k (file: $80k)`); None
    when nothing was set. A problem evaluated as one of its scenarios (`--scenario`) says
    so first (`what-if: scenario slow uptake: ...`). Text from the command line and the
    file, made safe."""
    if not results or not (results[0].overrides or results[0].scenario):
        return None
    one = len(results) == 1
    shown = []
    for o in results[0].overrides:
        was = f" (file: {'none' if o.was is None else o.was})" if one else ""
        shown.append(f"{o.input} {o.value}{was}")
    return whatif_line(shown, results[0].scenario)


def whatif_line(changes: Iterable[str], scenario: str | None = None) -> str:
    """`what-if: ` and each change (`solution.price $50k`), led by the scenario evaluated
    as when there is one; made safe. Every format's what-if line is this one."""
    lead = "what-if: " if scenario is None else f"what-if: scenario {scenario}: "
    return fmt.safe_text(lead + " · ".join(changes))


UNCAPPED = "—"  # the Set by cell when no alternative caps the price
SCENARIO_HEADERS = ("Scenario", "Chance", "Verdict", "NPV", "Ceiling", "Set by")


def scenario_rows(r: Evaluation) -> list[tuple[str, ...]]:
    """A row per scenario, base first (SPEC §14): its name, probability (`—` unweighted),
    verdict, NPV, ceiling with the year it is first reached, and what sets it. Names are
    as the file writes them (each format makes them safe)."""
    return [
        (
            s.name,
            "—" if s.probability is None else fmt.percent(s.probability),
            str(s.verdict),
            fmt.money(s.npv, r.currency),
            fmt.money(s.ceiling_per_customer, r.currency) + fmt.from_year(s.ceiling_year),
            s.ceiling_set_by or UNCAPPED,
        )
        for s in r.scenarios
    ]


def expected_text(r: Evaluation) -> str | None:
    """With weighted scenarios, the expected NPV and the chance of each verdict
    (`NPV $11.1m · pursue 50% · reconsider 30% · avoid 20%`); None otherwise."""
    if r.expected_npv is None or r.scenario_verdicts is None:
        return None
    chances = " · ".join(f"{v} {fmt.percent(p)}" for v, p in r.scenario_verdicts.items())
    return f"NPV {fmt.money(r.expected_npv, r.currency)} · {chances}"


def scenario_notes(results: Sequence[Evaluation]) -> list[str]:
    """Under a ranked table, a line for each problem with scenarios: its expected NPV and
    the chance of each verdict, or how many scenarios it has unweighted."""
    notes = []
    for r in results:
        if not r.scenarios:
            continue
        expected = expected_text(r)
        cases = fmt.plural(len(r.scenarios) - 1, "scenario")
        said = f"expected {expected}" if expected else f"{cases}, unweighted"
        notes.append(fmt.safe_text(f"{r.name}: {said}"))
    return notes
