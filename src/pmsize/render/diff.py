"""`pmsize diff` for people and pull requests: a text block, markdown, GitHub annotations.

Plain text writers (no Rich). Everything that came from a file (problem and
alternative names, values as written, file names) goes through `fmt.safe_text` in
the text block, `markdown.escape` in markdown and the workflow-command escapes in
annotations. Figures are formatted here; none is computed.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pmsize import _fmt as fmt
from pmsize._diffing import (
    ADDED,
    CHANGED,
    REMOVED,
    STATUSES,
    UNCHANGED,
    Diff,
    Effect,
    ProblemDiff,
    Side,
)
from pmsize._diffing._expected import ORDERS
from pmsize.render import github
from pmsize.render.markdown import COMMENT_LIMIT, escape

ARROW = "->"
MD_ARROW = "→"
LISTED = 10  # names listed on the added and removed lines; the rest are counted
_MIN_BAR = 8  # bar columns each side of the axis, however narrow the width


def shown(value: Any) -> str:
    """A value as written in a file, on one line: `$5m`, `[1%, 2%]`, `{low: 1m, high: 4m}`;
    `—` where the file does not give it. Not yet made safe."""
    if value is None:
        return "—"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _flags(codes: Sequence[str]) -> str:
    return ", ".join(codes) if codes else "none"


def _grouped(effects: Sequence[Effect]) -> str:
    """`3,000 changed inputs in 12 groups`: what an attribution in groups covers."""
    inputs = sum(len(e.inputs) or 1 for e in effects)
    groups = f"{len(effects):,} groups" if len(effects) > 1 else "one group"
    return f"{inputs:,} changed inputs in {groups}"


def _direction(p: ProblemDiff) -> str:
    return " (worse)" if p.worse else (" (better)" if p.better else "")


def summary_text(d: Diff) -> str:
    """`1 changed · 1 added · 2 unchanged · verdicts 1 worse, 0 better · NPV +$3.10m`: the
    counts of problems (those that are not 0), how many verdicts got worse and better,
    and the NPV change given in each currency."""
    s = d.summary()
    counts = [f"{s[status]:,} {status}" for status in STATUSES if s[status]] or ["no problems"]
    return f"{' · '.join(counts)} · {_outcome(d)}"


def _outcome(d: Diff) -> str:
    """`verdicts 1 worse, 0 better · NPV +$3.10m`: the NPV change in each currency, never added
    across currencies (`NPV +$3.10m, −€1.20m`)."""
    s = d.summary()
    text = f"verdicts {s['worse']:,} worse, {s['better']:,} better"
    changes = d.npv_change_by_currency()
    if changes:
        text += " · NPV " + ", ".join(
            fmt.money(change, currency, sign=True) for currency, change in changes.items()
        )
    return text


def _npv_change(p: ProblemDiff) -> str:
    """`−$3.43m`, or what stands for it when the currency changed (amounts in two
    currencies have no difference)."""
    if p.npv_change is None:
        assert p.old is not None
        assert p.new is not None
        return f"the currency changed: {p.old.currency} {ARROW} {p.new.currency}"
    return fmt.money(p.npv_change, p.currency, sign=True)


def _listing(problems: Sequence[ProblemDiff], status: str, safe: Any) -> str:
    """`removed: 1 — Foo (pursue, NPV $2.05m)`; the first `LISTED` named, the rest counted."""
    line = f"{status}: {len(problems):,}"
    if status == UNCHANGED or not problems:
        return line
    named = []
    for p in problems[:LISTED]:
        side = p.new if p.new is not None else p.old
        assert side is not None
        named.append(f"{safe(p.name)} ({side.verdict}, NPV {fmt.money(side.npv, side.currency)})")
    more = len(problems) - LISTED
    return f"{line} — {', '.join(named)}" + (f" and {more:,} more" if more > 0 else "")


# ---------------------------------------------------------------------------------------------
# The text block (`--format table`)
# ---------------------------------------------------------------------------------------------


def text(d: Diff, width: int = 80) -> str:
    """A block per changed problem, a line naming the added and one naming the removed
    problems (when there are any), and one line of counts: changed, added, removed and
    unchanged problems, how many verdicts got worse or better, the NPV change in total."""
    out: list[str] = []
    changed = d.of_status(CHANGED)
    for p in changed:
        out += _block(p, width)
        out.append("")
    out += [_listing(d.of_status(s), s, fmt.safe_text) for s in (ADDED, REMOVED) if d.of_status(s)]
    out += _wrapped(summary_text(d).split(" · "), width)
    note = draws_note(d)
    if note:
        out += textwrap.wrap(note, width)
    return "".join(f"{line}\n" for line in out)


def draws_note(d: Diff) -> str:
    """What the expected figures were drawn with, when some problem was simulated."""
    if not any(p.simulated for p in d.problems):
        return ""
    return (
        f"Expected NPV and P(NPV > 0) over {d.samples:,} draws a side (seed {d.seed}), "
        "the same draws for an input unchanged on both sides."
    )


def _wrapped(parts: Sequence[str], width: int) -> list[str]:
    """`parts` joined by ` · ` on lines of at most `width` (a part longer stands alone)."""
    lines = [parts[0]]
    for part in parts[1:]:
        if len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += f" · {part}"
        else:
            lines.append(part)
    return lines


def _block(p: ProblemDiff, width: int) -> list[str]:
    assert p.old is not None
    assert p.new is not None
    money, old, new = fmt.money, p.old, p.new
    lines = [
        fmt.safe_text(p.name),
        f"  verdict  {old.verdict} {ARROW} {new.verdict}{_direction(p)}",
        f"  NPV      {money(old.npv, old.currency)} {ARROW} {money(new.npv, new.currency)} "
        f"({_npv_change(p)})",
        f"  ceiling  {money(old.ceiling_per_customer, old.currency)} {ARROW} "
        f"{money(new.ceiling_per_customer, new.currency)} a customer a year",
    ]
    if p.old.flags != p.new.flags:
        lines.append(f"  flags    {_flags(p.old.flags)} {ARROW} {_flags(p.new.flags)}")
    if p.attribution:
        how = "" if p.exact else f" ({_grouped(p.attribution)})"
        lines.append(f"  what moved NPV{how}")
        lines += _bars(p.attribution, p.currency, width)
    lines += _expected_lines(p, width)
    if p.changes:
        lines.append("  changes")
        for c in p.changes:
            name, was, now = (fmt.safe_text(t) for t in (c.input, shown(c.old), shown(c.new)))
            line = f"    {name}: {was} {ARROW} {now}"
            if len(line) <= width:
                lines.append(line)
            else:  # a long value (a scenario, a list of years): old and new a line each
                lines += [f"    {name}:", f"      {was}", f"      {ARROW} {now}"]
    return lines


def _expected_lines(p: ProblemDiff, width: int) -> list[str]:
    """A simulated problem's expected NPV and chance of paying back, old and new, and what
    moved the expected NPV (SPEC §15); nothing for one not simulated."""
    if not p.simulated:
        return []
    assert p.old is not None
    assert p.new is not None
    lines = [
        f"  expected NPV  {_expected_npv(p.old)} {ARROW} {_expected_npv(p.new)} "
        f"({_expected_change(p)})",
        f"  P(NPV > 0)    {_chance(p.old)} {ARROW} {_chance(p.new)} ({_points(p)})",
    ]
    if p.expected_attribution:
        how = "" if p.expected_exact else f" ({_estimated(p)})"
        lines.append(f"  what moved expected NPV{how}")
        lines += _bars(p.expected_attribution, p.currency, width)
    return lines


def _expected_npv(side: Side) -> str:
    return "n/a" if side.expected_npv is None else fmt.money(side.expected_npv, side.currency)


def _expected_change(p: ProblemDiff) -> str:
    change = p.expected_npv_change
    return "n/a" if change is None else fmt.money(change, p.currency, sign=True)


def _chance(side: Side) -> str:
    return "n/a" if side.p_npv_positive is None else fmt.chance(side.p_npv_positive)


def _points(p: ProblemDiff) -> str:
    """`−1.9 points`: the change in P(NPV > 0), in percentage points."""
    assert p.old is not None
    assert p.new is not None
    assert p.old.p_npv_positive is not None
    assert p.new.p_npv_positive is not None
    change = (p.new.p_npv_positive - p.old.p_npv_positive) * 100
    if abs(change) < 0.05:
        return "no change" if change == 0 else f"{'+' if change > 0 else fmt.MINUS}<0.1 points"
    sign = "+" if change > 0 else fmt.MINUS
    return f"{sign}{abs(change):.1f} points"


def _estimated(p: ProblemDiff) -> str:
    """How an attribution that is not exact was made."""
    if any(e.inputs for e in p.expected_attribution):
        return _grouped(p.expected_attribution)
    return f"the mean over {ORDERS:,} random orders"


def _bars(effects: Sequence[Effect], currency: str, width: int) -> list[str]:
    """Each input, its signed effect and a bar either side of an axis, largest first."""
    labels = [fmt.safe_text(e.input) for e in effects]
    values = [fmt.money(e.npv_effect, currency, sign=True) for e in effects]
    value_width = max(len(v) for v in values)
    # the labels take what the figures and the narrowest bars leave; the bars the rest
    fixed = 4 + 2 + value_width + 2 + 1  # indent, gaps, figure, axis
    label_width = min(max(len(label) for label in labels), max(12, width - fixed - 2 * _MIN_BAR))
    half = max(_MIN_BAR, (width - fixed - label_width) // 2)
    largest = max(abs(e.npv_effect) for e in effects)
    lines = []
    for label, value, effect in zip(labels, values, effects, strict=True):
        if len(label) > label_width:
            label = label[: label_width - 1] + "…"
        cells = round(half * abs(effect.npv_effect) / largest) if largest > 0 else 0
        left = ("█" * cells).rjust(half) if effect.npv_effect < 0 else " " * half
        right = "█" * cells if effect.npv_effect > 0 else ""
        lines.append(
            f"    {label.ljust(label_width)}  {value.rjust(value_width)}  {left}│{right}".rstrip()
        )
    return lines


# ---------------------------------------------------------------------------------------------
# Markdown (a pull-request comment, the step summary)
# ---------------------------------------------------------------------------------------------


def markdown(d: Diff, limit: int = COMMENT_LIMIT, *, heading: str = "pmsize diff") -> str:
    """A heading and the summary, then a table per changed problem, within `limit` bytes
    (problems that do not fit are counted in a closing note), then the added and removed."""
    head = f"### {escape(heading)}\n\n**{summary_text(d)}**\n"
    tail = "".join(
        f"\n{_listing(d.of_status(s), s, escape)}\n" for s in (ADDED, REMOVED) if d.of_status(s)
    )
    changed = d.of_status(CHANGED)
    blocks = [_md_block(p) for p in changed]
    note_room = len(_md_note(len(blocks), len(blocks)).encode()) + len(draws_note(d)) + 4
    budget = limit - len(head.encode()) - len(tail.encode()) - note_room
    shown_blocks = 0
    for block in blocks:
        budget -= len(block.encode())
        if budget < 0:
            break
        shown_blocks += 1
    note = _md_note(len(blocks) - shown_blocks, len(blocks))
    drawn = draws_note(d)
    if drawn:
        note += f"\n_{escape(drawn)}_\n"
    return head + "".join(blocks[:shown_blocks]) + tail + note


def _md_note(left: int, total: int) -> str:
    if not left:
        return ""
    return (
        f"\n_Not shown, to fit the size limit: {left:,} of {total:,} changed problems. "
        "`pmsize diff --format json` gives every one._\n"
    )


def _md_block(p: ProblemDiff) -> str:
    """One table: the verdict, NPV (with its change), ceiling and flags old and new, then
    each changed input, old and new, with its share of the NPV change, largest first."""
    assert p.old is not None
    assert p.new is not None
    money, old, new = fmt.money, p.old, p.new
    change = "the currency changed" if p.npv_change is None else _npv_change(p)
    lines = [
        f"\n#### {escape(p.name)}{_direction(p)}\n",
        "| | Old | New | NPV effect |",
        "| --- | --- | --- | ---: |",
        f"| **Verdict** | {old.verdict} | **{new.verdict}** | |",
        f"| **NPV** | {money(old.npv, old.currency)} | {money(new.npv, new.currency)} "
        f"| **{change}** |",
        f"| Ceiling a customer a year | {money(old.ceiling_per_customer, old.currency)} "
        f"| {money(new.ceiling_per_customer, new.currency)} | |",
    ]
    if p.old.flags != p.new.flags:
        lines.append(f"| Flags | {_flags(p.old.flags)} | {_flags(p.new.flags)} | |")
    if p.simulated:
        lines += [
            f"| **Expected NPV** | {_expected_npv(old)} | {_expected_npv(new)} "
            f"| **{_expected_change(p)}** |",
            f"| P(NPV > 0) | {_chance(old)} | {_chance(new)} | {_points(p)} |",
        ]
    lines += [
        f"| {escape(name)} | {was} | {now} | {effect} |" for name, was, now, effect in _rows(p)
    ]
    lines += _md_expected(p)
    if not p.exact:
        lines.append(
            f"\n_NPV effects of {escape(_grouped(p.attribution))}; `--format json` lists them._"
        )
    return "\n".join(lines) + "\n"


def _md_expected(p: ProblemDiff) -> list[str]:
    """What moved the expected NPV of a simulated problem, as a table of its own."""
    if not p.simulated or not p.expected_attribution:
        return []
    how = "" if p.expected_exact else f" ({escape(_estimated(p))})"
    lines = [
        "",
        f"| What moved expected NPV{how} | Effect |",
        "| --- | ---: |",
    ]
    lines += [
        f"| {escape(e.input)} | {fmt.money(e.npv_effect, p.currency, sign=True)} |"
        for e in p.expected_attribution
    ]
    return lines


def _rows(p: ProblemDiff) -> Iterable[tuple[str, str, str, str]]:
    """A row per attributed input (largest effect first), then the changes that move no NPV;
    an input of several leaves (an alternative's fields) shows each as `field: value`, an
    item added or removed as a whole (an alternative) says so."""
    for e in p.attribution:
        if e.inputs:  # a group: its inputs are too many for a cell
            effect = fmt.money(e.npv_effect, p.currency, sign=True)
            yield e.input, f"_{len(e.inputs):,} inputs as one_", "", effect
            continue
        changes = [c for c in p.changes if c.attributed_to == e.input]
        if len(changes) == 1 and changes[0].input == e.input:
            before, after = changes[0].old, changes[0].new
            old = _item(before)
            new = "**removed**" if after is None and before is not None else _item(after)
            if before is None and isinstance(after, Mapping):
                new = f"**new**: {new}"
        else:
            old = "<br>".join(_part(c.input, e.input, c.old) for c in changes)
            new = "<br>".join(_part(c.input, e.input, c.new) for c in changes)
        yield e.input, old, new, fmt.money(e.npv_effect, p.currency, sign=True)
    for c in p.changes:
        if c.attributed_to is None:
            yield c.input, escape(shown(c.old)), escape(shown(c.new)), "—"


def _item(value: Any) -> str:
    """A changed value; an item of a list (an alternative) as its fields but its name, which
    labels the row."""
    if isinstance(value, Mapping) and "name" in value:
        return escape(", ".join(f"{k}: {shown(v)}" for k, v in value.items() if k != "name"))
    return escape(shown(value))


def _part(path: str, input: str, value: Any) -> str:
    field = path[len(input) :].lstrip(".") or path.rsplit(".", 1)[-1]
    return f"{escape(field)}: {escape(shown(value))}"


# ---------------------------------------------------------------------------------------------
# GitHub annotations
# ---------------------------------------------------------------------------------------------


def github_document(d: Diff, workspace: str | None = None) -> str:
    """A `::warning` at the `name:` line of each problem whose verdict got worse (GitHub
    shows 10 a step; the rest are counted in a notice), then the summary line."""
    worse = [p for p in d.problems if p.worse]
    lines = [_annotation(p, workspace) for p in worse[: github.MAX_PER_LEVEL]]
    left = len(worse) - github.MAX_PER_LEVEL
    if left > 0:
        lines.append(
            f"::notice title=pmsize diff::{left:,} more worsened "
            f"{'problem' if left == 1 else 'problems'} not annotated; GitHub shows "
            f"{github.MAX_PER_LEVEL} warnings a step. The step summary lists every one.\n"
        )
    lines.append(f"pmsize diff: {fmt.safe_text(summary_text(d))}\n")
    return "".join(lines)


def _annotation(p: ProblemDiff, workspace: str | None) -> str:
    assert p.new is not None
    properties = []
    if p.file:
        properties.append(f"file={github.escape_property(github.relative_to(p.file, workspace))}")
        if p.line:
            properties.append(f"line={p.line}")
    before = p.old.verdict if p.old is not None else "new"
    properties.append(f"title={github.escape_property(f'{before} -> {p.new.verdict}: {p.name}')}")
    money = fmt.money
    message = f"{p.name}: {before} -> {p.new.verdict}. NPV "
    if p.old is not None:
        message += f"{money(p.old.npv, p.old.currency)} -> "
    message += f"{money(p.new.npv, p.new.currency)}"
    if p.old is not None:
        message += f" ({_npv_change(p)})"
    message += f"; flags: {_flags(p.new.flags)}."
    if p.simulated:
        assert p.old is not None
        message += (
            f"\nExpected NPV {_expected_npv(p.old)} -> {_expected_npv(p.new)} "
            f"({_expected_change(p)}); P(NPV > 0) {_chance(p.old)} -> {_chance(p.new)}."
        )
        moved = [e for e in p.expected_attribution if e.npv_effect][:3]
        if moved:
            message += "\nMoved expected NPV most by: " + ", ".join(
                f"{e.input} {money(e.npv_effect, p.currency, sign=True)}" for e in moved
            )
    top = [e for e in p.attribution if e.npv_effect and not math.isnan(e.npv_effect)][:3]
    if top:
        message += "\nMoved most by: " + ", ".join(
            f"{e.input} {money(e.npv_effect, p.currency, sign=True)}" for e in top
        )
    # what moves no NPV may still move the verdict (a policy threshold, a scenario)
    still = [c.input for c in p.changes if c.attributed_to is None]
    if still:
        more = len(still) - 3
        message += "\nChanged without moving NPV: " + ", ".join(still[:3])
        message += f" and {more:,} more" if more > 0 else ""
    return f"::warning {','.join(properties)}::{github.escape_data(message)}\n"
