"""Output of `simulate` and `sensitivity`: blocks for people (Rich) and JSON records (SPEC §5).

The JSON reuses `render.json`: each result is the point record of `evaluate`
with a `simulation` object (and, for `sensitivity`, `tornado`, `break_even` and
`value_of_information`) added. The terminal shows the NPV histogram as block
columns and the tornado as horizontal bars on one shared NPV scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from pmsize import _fmt as fmt
from pmsize._drivers import BUILD_COST, SCENARIO, BarKind, BreakEven, TornadoBar
from pmsize._fmt import chance
from pmsize._messages import whatif_text
from pmsize._models import NO_ALTERNATIVE
from pmsize._simulated import TOO_FEW_SE, TORNADO_NOTE, Simulated, Simulation
from pmsize._summary import Histogram, Summary
from pmsize.render import json as render_json
from pmsize.render.table import VERDICT_STYLE, glued, print_trimmed

NOT_SET = "no alternative"  # how people read `set_by`'s none

RANGES_NOTE = (
    "Ranges: `a to b` is a 90% interval (a the 5th, b the 95th percentile), "
    "lognormal unless another shape is named; inputs vary independently."
)
# the same, when some problem declares correlations (SPEC §10)
CORRELATED_NOTE = RANGES_NOTE.replace(
    "inputs vary independently.",
    "inputs vary independently, except those paired under `correlations:` (a Spearman rank "
    "correlation, drawn through a Gaussian copula).",
)
# under a problem whose scenarios carry no probabilities (SPEC §14)
UNWEIGHTED_NOTE = (
    "Its scenarios have no probabilities, so none is drawn: these are the base case's figures "
    "(--scenario NAME simulates one)."
)
_BLOCKS = " ▁▂▃▄▅▆▇█"
HISTOGRAM_ROWS = 4
MIN_BAR = 8  # cells of tornado bar: both ends, the centre, and a cell each side of zero
ZERO_ROOM = 1.5  # cells the tornado's scale keeps each side of zero when it spans zero
POSITIVE, NEGATIVE = "green", "red"


# --------------------------------------------------------------------------- JSON


def json_chunks(results: Sequence[Simulated], *, lines: bool = False) -> Iterator[str]:
    """`simulate --format json` (the `evaluate` document, each result with its `simulation`)
    or `sensitivity`'s (with tornado, break-even and value of information), or with `lines`
    `--format jsonl` (one result a line), each record formatted as it is written."""
    evaluations = [r.evaluation for r in results]
    records = (r.to_dict() for r in results)
    if lines:
        return render_json.lines(evaluations, records)
    return render_json.chunks(evaluations, records)


# --------------------------------------------------------------------------- words


def value_text(value: float | str | None, kind: BarKind, currency: str) -> str:
    """An input's value as the file would write it: `$250k`, `4.5%`, `1,200`; a scenario
    by its name."""
    if value is None:
        return "n/a"
    if isinstance(value, str) or kind == "scenario":
        return fmt.safe_text(str(value))
    return fmt.quantity(value, kind, currency)


def spread_text(s: Summary, show: Any) -> str:
    """`p5 −$3.21m · p50 $1.89m · p95 $13.9m`."""
    if s.p50 is None:
        return "not defined in any sample"
    return f"p5 {show(s.p5)} · p50 {show(s.p50)} · p95 {show(s.p95)}"


def shares_text(shares: dict[str, float], styles: dict[str, str] | None = None) -> Text:
    """`pursue 49% · reconsider 19% · avoid 32%`, entries with no samples left out."""
    text = Text()
    for name, share in shares.items():
        if share == 0:
            continue
        if text:
            text.append(" · ")
        text.append(fmt.safe_text(name), style=(styles or {}).get(name, ""))
        text.append(f" {chance(share)}")
    return text


# --------------------------------------------------------------------------- simulate


def render_simulations(console: Console, results: Sequence[Simulated]) -> None:
    """One block per problem: chances, percentiles, what sets the ceiling, the NPV histogram."""
    _render_blocks(console, results, simulation_block)


def ranges_note(results: Iterable[Simulated | None], *, tornado: bool = False) -> str | None:
    """What a range means, for every view of simulated figures (simulate, sensitivity, the
    report): None when no problem has a range; when some problem declares correlations,
    says they are drawn together (and, with `tornado`, that the tornado ignores them)."""
    sampled = [r for r in results if r is not None]
    if any(r.simulation.correlations for r in sampled):
        return CORRELATED_NOTE + (f" The tornado moves {TORNADO_NOTE}." if tornado else "")
    if any(r.simulation.ranged_inputs for r in sampled):
        return RANGES_NOTE
    return None


def _render_blocks(
    console: Console,
    results: Sequence[Simulated],
    block: Callable[[Simulated, int], RenderableType],
    *,
    tornado: bool = False,
) -> None:
    """Each result's block, a blank line after each, then what a range means if any has one
    (`ranges_note`)."""
    parts: list[RenderableType] = []
    whatif = whatif_text([r.evaluation for r in results])
    if whatif is not None:
        parts.append(glued(whatif, console.width, style="dim"))
    for r in results:
        parts += [block(r, console.width), Text()]
    note = ranges_note(results, tornado=tornado)
    if note is not None:
        parts.append(Text(note, style="dim"))
    print_trimmed(console, Group(*parts))


def error_text(sim: Simulation) -> str:
    """How well the samples know P(NPV > 0): `(± 0.4 points)`, its standard error in
    percentage points; past one point, how many samples would bring it to half a point."""
    points = f"± {sim.p_npv_positive_se * 100:.1f} points"
    if not sim.too_few_samples:
        return f"({points})"
    p = sim.p_npv_positive
    needed = p * (1 - p) / (TOO_FEW_SE / 2) ** 2
    step = 10 ** max(3, math.floor(math.log10(needed)))
    enough = math.ceil(needed / step) * step
    return f"({points}: too few samples; --samples {enough:,} brings it to ± 0.5)"


def simulation_block(r: Simulated, width: int) -> RenderableType:
    """The simulation of one problem, top to bottom."""
    e, sim = r.evaluation, r.simulation
    varies = bool(sim.ranged_inputs or sim.scenarios)  # samples differ from one another

    def money(x: float | None) -> str:
        return fmt.money(x, e.currency)

    head = Table.grid(expand=True)
    head.add_column(ratio=1)
    head.add_column(justify="right", no_wrap=True)
    head.add_row(
        Text(fmt.safe_text(e.name), style="bold"),
        Text(f"{sim.samples:,} samples · seed {sim.seed}", "dim"),
    )
    body = Table.grid(padding=(0, 2, 0, 0))
    body.add_column(no_wrap=True, style="dim")
    body.add_column(overflow="fold")
    paying = Text(chance(sim.p_npv_positive), style="bold")
    paying.append(
        f" chance that {fmt.safe_text(e.solution_name)} pays back within "
        f"{fmt.plural(e.horizon_years, 'year')}"
        + (f" {error_text(sim)}" if varies else "")  # every sample the same: no error
    )
    body.add_row("P(NPV > 0)", paying)
    body.add_row("Verdicts", shares_text(sim.verdicts, VERDICT_STYLE))
    mean = money(sim.npv.mean)
    if sim.npv.se is not None and varies:
        mean += f" ± {money(sim.npv.se)}"
    body.add_row("NPV", f"{spread_text(sim.npv, money)}   (mean {mean})")
    body.add_row("ROI", spread_text(sim.roi, fmt.percent))
    body.add_row("Ceiling", f"{spread_text(sim.ceiling, money)} per customer a year")
    if e.alternatives:
        # JSON's key for "no alternative" is `none`; people read it as a name, so say it
        shown = {NOT_SET if k == NO_ALTERNATIVE else k: v for k, v in sim.set_by.items()}
        body.add_row("Set by", shares_text(shown))
    body.add_row(
        "Central",
        Text(f"NPV {money(e.npv)} at central values, ").append(e.verdict, VERDICT_STYLE[e.verdict]),
    )
    if sim.scenarios:
        body.add_row("Scenarios", scenario_lines(sim, money))
    if sim.correlations:
        body.add_row("Correlated", Text("\n".join(str(c) for c in sim.correlations)))
    parts: list[RenderableType] = [head, Padding(body, (0, 0, 0, 2))]
    if e.scenarios and not sim.scenarios:
        parts.append(Padding(Text(UNWEIGHTED_NOTE, style="dim"), (0, 0, 0, 2)))
    if not varies:
        parts.append(
            Padding(
                Text(
                    "No ranged inputs: every sample is the same. Write a range such as "
                    f"`{fmt.range_example(e.currency)}` for a value you are unsure of.",
                    style="dim",
                ),
                (1, 0, 0, 2),
            )
        )
    elif sim.histogram.counts:
        parts.append(Padding(histogram_chart(sim.histogram, e.currency, width - 2), (1, 0, 0, 2)))
    return Group(*parts)


def scenario_lines(sim: Simulation, money: Callable[[float | None], str]) -> Text:
    """A line per case drawn, base first: `slow uptake 25%: mean NPV −$1.21m · P(NPV > 0)
    0%`, over the samples that drew it."""
    text = Text()
    for case in sim.scenarios:
        if text:
            text.append("\n")
        text.append(f"{fmt.safe_text(case.name)} {fmt.percent(case.probability)}: ")
        if case.samples == 0:
            text.append("drawn in no sample", style="dim")
            continue
        positive = "n/a" if case.p_npv_positive is None else chance(case.p_npv_positive)
        text.append(f"mean NPV {money(case.mean_npv)} · P(NPV > 0) {positive}")
    return text


def histogram_chart(h: Histogram, currency: str, width: int) -> RenderableType:
    """NPV as block columns, red below zero, with the ends and zero marked underneath."""
    counts = list(h.counts)
    while len(counts) > max(width, 8) and len(counts) % 2 == 0:
        counts = [a + b for a, b in zip(counts[::2], counts[1::2], strict=True)]
    columns, tallest = len(counts), max(counts) or 1
    step = (h.high - h.low) / columns
    lines = Text()
    for row in range(HISTOGRAM_ROWS - 1, -1, -1):
        for i, count in enumerate(counts):
            eighths = round(count / tallest * HISTOGRAM_ROWS * 8)
            level = min(8, max(0, eighths - row * 8))
            negative = h.low + (i + 0.5) * step < 0
            lines.append(_BLOCKS[level], style=NEGATIVE if negative else POSITIVE)
        lines.append("\n")
    if h.low < 0 < h.high:
        zero = min(columns - 1, int(-h.low / step))
        marker = "↑ NPV = 0"
        if zero + len(marker) <= columns:
            lines.append(" " * zero + marker + "\n", style="dim")
        else:
            lines.append(" " * (zero + 1 - len(marker)) + "NPV = 0 ↑\n", style="dim")
    left, right = fmt.money(h.low, currency), fmt.money(h.high, currency)
    lines.append(left + " " * max(1, columns - len(left) - len(right)) + right)
    title = Text("NPV across the middle 98% of samples (1st to 99th percentile)", style="dim")
    return Group(title, lines)


# --------------------------------------------------------------------------- sensitivity


def render_sensitivities(console: Console, results: Sequence[Simulated]) -> None:
    """One block per problem: tornado, break-even values, value of information."""
    _render_blocks(console, results, sensitivity_block, tornado=True)


def sensitivity_block(r: Simulated, width: int) -> RenderableType:
    """What drives one problem's NPV, and what to find out first."""
    e, sim, sens = r.evaluation, r.simulation, r.sensitivity
    assert sens is not None

    def money(x: float | None) -> str:
        return fmt.money(x, e.currency)

    body: list[RenderableType] = [
        Text(
            f"NPV {money(sens.central_npv)} at central values; expected NPV "
            f"{money(sim.npv.mean)} and P(NPV > 0) {chance(sim.p_npv_positive)} over "
            f"{sim.samples:,} samples (seed {sim.seed})"
        ),
        Text(),
    ]
    if sens.tornado:
        body += [
            Text("NPV with each input at its low and high end, all else central", style="bold"),
            tornado_chart(sens.tornado, sens.central_npv, e.currency, width - 2),
        ]

    else:
        body.append(
            Text(
                "No ranged inputs: write a range such as "
                f"`{fmt.range_example(e.currency)}` for a value you are unsure of to see what "
                "drives NPV.",
                style="dim",
            )
        )
    body += [Text(), Text("Break-even: NPV = 0 with all else central", style="bold")]
    # a wide lognormal range's mean is far above its median: show both (SPEC §2)
    means = {u.input: u.range.mean for u in e.uncertain if u.range.mean_differs}
    body += [
        Text(break_even_text(b, sens.central_npv, e.currency, means.get(b.input)))
        for b in sens.break_even
    ]
    if sens.value_of_information:
        body += [Text(), value_of_information(r)]
    return Group(Text(fmt.safe_text(e.name), style="bold"), Padding(Group(*body), (0, 0, 0, 2)))


def tornado_chart(
    bars: Sequence[TornadoBar], central_npv: float, currency: str, width: int
) -> RenderableType:
    """Horizontal bars on one NPV scale: `┃` is NPV at central values; `╌` NPV below zero.

    Zero is kept in sight at any width: a bar whose end lies below zero while the
    centre lies above (or the reverse) shows at least one cell on each side of zero,
    and the scale leaves room for that. Narrower than `MIN_BAR` cells of bar, the
    chart is a list instead (`tornado_list`).
    """
    rows = []
    for bar in bars:
        low_first = bar.npv_at_low <= bar.npv_at_high
        left, right = (
            (bar.low_value, bar.high_value) if low_first else (bar.high_value, bar.low_value)
        )
        rows.append(
            (
                bar.input,
                value_text(left, bar.kind, currency),
                value_text(right, bar.kind, currency),
                min(bar.npv_at_low, bar.npv_at_high),
                max(bar.npv_at_low, bar.npv_at_high),
                f"swing {fmt.money(bar.swing, currency)}",
            )
        )
    name_w = max(len(row[0]) for row in rows)
    left_w = max(len(row[1]) for row in rows)
    right_w = max(len(row[2]) for row in rows)
    swing_w = max(len(row[5]) for row in rows)
    fixed = (left_w + 1) + (1 + right_w + 2) + swing_w
    if width - fixed < MIN_BAR:
        return tornado_list(bars, central_npv, currency)
    names_apart = width - (name_w + 1) - fixed < 16
    bar_w = width - fixed if names_apart else width - (name_w + 1) - fixed
    low = min([central_npv, *(row[3] for row in rows)])
    high = max([central_npv, *(row[4] for row in rows)])
    if low < 0 < high:
        # leave ZERO_ROOM cells each side of zero, so a bar crossing it has a cell on each side
        room = ZERO_ROOM / (bar_w - 1 - ZERO_ROOM)
        low = min(low, -room * high)
        high = max(high, -room * low)
    scale = (bar_w - 1) / (high - low) if high > low else 0.0

    def column(x: float) -> int:
        return round((x - low) * scale)

    # the cells left of `zero` stand for NPV below zero
    below = math.ceil(-low * scale) if scale else bar_w if central_npv < 0 else 0
    zero = min(bar_w, max(0, below))
    # a sub-cell nudge, so the centre is drawn on its own side of zero
    center = (
        max(column(central_npv), zero) if central_npv >= 0 else min(column(central_npv), zero - 1)
    )
    lines: list[RenderableType] = []
    for name, left_label, right_label, lo, hi, swing in rows:
        start, end = column(min(lo, central_npv)), column(max(hi, central_npv))
        if lo < 0 <= central_npv:
            start = min(start, zero - 2)  # a dashed cell between the end and zero
        if hi > 0 > central_npv:
            end = max(end, zero + 1)  # a solid cell between zero and the end
        line = Text(overflow="fold")
        if names_apart:
            lines.append(Text(name))
        else:
            line.append(f"{name:<{name_w}} ")
        line.append(f"{left_label:>{left_w}} ")
        for i in range(bar_w):
            if i == center:
                line.append("┃", style="bold")
            elif start <= i <= end:
                mark = "◀" if i == start and i < center else "▶" if i == end and i > center else ""
                dashed = i < zero
                line.append(
                    mark or ("╌" if dashed else "━"), style=NEGATIVE if dashed else POSITIVE
                )
            else:
                line.append(" ")
        line.append(f" {right_label:<{right_w}}  {swing}")
        lines.append(line)
    legend = Text(
        f"┃ NPV at central values ({fmt.money(central_npv, currency)}) · ━ NPV above zero · "
        "╌ below zero",
        style="dim",
    )
    return Group(*lines, legend)


def tornado_list(bars: Sequence[TornadoBar], central_npv: float, currency: str) -> RenderableType:
    """The tornado too narrow for bars: each input, then NPV at its low and at its high end."""
    lines: list[RenderableType] = []
    for bar in bars:
        lines.append(Text(bar.input))
        for value, npv in ((bar.low_value, bar.npv_at_low), (bar.high_value, bar.npv_at_high)):
            line = Text(f"  at {value_text(value, bar.kind, currency)}: NPV ")
            line.append(fmt.money(npv, currency), style=NEGATIVE if npv < 0 else POSITIVE)
            lines.append(line)
    legend = Text(f"NPV at central values: {fmt.money(central_npv, currency)}", style="dim")
    return Group(*lines, legend)


def break_even_text(
    b: BreakEven, central_npv: float, currency: str, mean: float | None = None
) -> str:
    """A break-even value in words, beside the value assumed (and the range's mean if given)."""
    value, assumed = (
        value_text(b.value, b.kind, currency),
        value_text(b.assumed, b.kind, currency),
    )
    if mean is not None:
        assumed += f", the median; mean {value_text(mean, b.kind, currency)}"
    paying = central_npv >= 0
    if b.input == BUILD_COST:
        if b.value is None:
            return (
                f"Even a free build does not pay back (you assumed {assumed})."
                if not paying
                else f"The build pays back at any cost (you assumed {assumed})."
            )
        if paying:
            return f"You can spend up to {value} on the build (you assumed {assumed})."
        return (
            f"The build would have to cost less than {value} to pay back (you assumed {assumed})."
        )
    if b.value is None:
        state = "positive" if paying else "negative"
        return f"{b.input}: NPV stays {state} at any value (you assumed {assumed})."
    if paying:
        below, above = b.around()
        if below is not None and above is not None:  # it turns negative on both sides
            low, high = (value_text(v, b.kind, currency) for v in (below, above))
            return (
                f"{b.input}: NPV stays positive between {low} and {high} (you assumed {assumed})."
            )
        direction = "up to" if b.value > b.assumed else "down to"
        return f"{b.input}: NPV stays positive {direction} {value} (you assumed {assumed})."
    direction = "above" if b.value > b.assumed else "below"
    return f"{b.input}: NPV turns positive {direction} {value} (you assumed {assumed})."


def value_of_information(r: Simulated) -> RenderableType:
    """Each input's value of information, highest first, and which to research first."""
    e, sim, sens = r.evaluation, r.simulation, r.sensitivity
    assert sens is not None
    decision = "build" if sens.build else "not build"
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(style="dim")
    for v in sens.value_of_information:
        note = "" if v.evpi > 0 else "would not change the decision"
        grid.add_row(Text(v.input), Text(fmt.money(v.evpi, e.currency)), note)
    best = sens.value_of_information[0]
    if best.evpi > 0:
        advice = Text("Most worth researching: ", style="bold")
        what = "which scenario holds" if best.input == SCENARIO else best.input
        advice.append(f"{what} (value of information {fmt.money(best.evpi, e.currency)}).")
    else:
        advice = Text(
            "Nothing here is worth researching first: learning any one input would not "
            f"change the decision to {decision}."
        )
    return Group(
        Text("Value of information", style="bold"),
        Text(
            "Expected NPV gained by learning the input exactly before deciding; without it "
            f"you would {decision} (expected NPV {fmt.money(sim.npv.mean, e.currency)})"
            + (
                f", although NPV at central values is {fmt.money(e.npv, e.currency)}: "
                "the ranges are lopsided, so the average outcome is not the central one."
                if sens.lopsided
                else "."
            ),
            style="dim",
        ),
        grid,
        advice,
    )


__all__ = [
    "histogram_chart",
    "json_chunks",
    "render_sensitivities",
    "render_simulations",
    "tornado_chart",
    "tornado_list",
]
