"""How numbers read for people: `$10.0m`, `$450k`, `6%`, `2.4 years` (three significant figures).

Plain functions with no Rich, shared by the table, markdown, explain and flag messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

MINUS = "\u2212"  # a typographic minus reads better than a hyphen in tables
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_SCALES = ((1e12, "t"), (1e9, "b"), (1e6, "m"), (1e3, "k"))
# From a quadrillion up a number written whole is over 20 characters wide, and its last
# digits are float noise (a double holds 15 to 17): it is written `1.54e+18`, as amounts
# beyond trillions are, so that an extreme figure never pushes the names out of a table.
SCIENTIFIC_FROM = 1e15


def money(value: float | None, currency: str = "USD", *, sign: bool = False) -> str:
    """`$10.0m`, `$450k`, `−$15.6m`, `€3.00b`, `CHF 250k`; `n/a` for None, NaN or infinity
    (never `$inf`: a caller that can meet an infinite figure says what it means in words)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    prefix = MINUS if value < 0 else ("+" if sign and value > 0 else "")
    return f"{prefix}{symbol}{_scaled(abs(value))}"


def money_ticks(values: Sequence[float], currency: str = "USD") -> list[str]:
    """Labels for a chart's money ticks: each tick in its unit (`k`, `m`, `b`, `t`) with as
    few decimals as show every tick of that unit exactly, the same for all of them:
    `−$10m`, `$0`, `$500k`, `$1.0m`, `$1.5m`. A tick no unit shows exactly within two
    decimals, or beyond trillions, reads as `money` writes it."""
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    largest = max((abs(v) for v in values), default=0.0)
    values = [0.0 if abs(v) <= 1e-9 * largest else v for v in values]  # noise about zero
    units = [_unit(abs(v)) for v in values]
    decimals: dict[str, int | None] = {}
    for scale, suffix in set(units):
        group = [abs(v) / scale for v, u in zip(values, units, strict=True) if u[1] == suffix]
        decimals[suffix] = next((d for d in range(3) if all(_exact(x, d) for x in group)), None)
    labels = []
    for v, (scale, suffix) in zip(values, units, strict=True):
        d = decimals[suffix]
        if d is None or suffix == "?":
            labels.append(money(v, currency))
        elif v == 0:
            labels.append(f"{symbol}0")
        else:
            prefix = MINUS if v < 0 else ""
            labels.append(f"{prefix}{symbol}{abs(v) / scale:.{d}f}{suffix}")
    return labels


def _unit(value: float) -> tuple[float, str]:
    """The scale and suffix a tick of this size is written in; `?` past what they cover."""
    if value >= 999.5e12 or 0 < value < 0.005:
        return (1.0, "?")
    for scale, suffix in _SCALES:
        if value >= scale * (1 - 1e-9):  # 999,999.9999 is a tick at 1m
            return (scale, suffix)
    return (1.0, "")


def _exact(x: float, decimals: int) -> bool:
    return abs(round(x, decimals) - x) <= 1e-6 * max(1.0, abs(x))


def range_example(currency: str = "USD") -> str:
    """`$1m to $4m` in the file's currency (`CHF 1m to CHF 4m`), as the file would write it."""
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    return f"{symbol}1m to {symbol}4m"


def _scaled(value: float) -> str:
    if value == 0:
        return "0"
    if value >= 999.5e12 or value < 0.005:  # beyond trillions or below a cent: 1.54e+18
        return _scientific(value)
    for scale, suffix in _SCALES:
        if _round3(value / scale) >= 1:
            return f"{_three(value / scale)}{suffix}"
    return _three(value)


def _scientific(x: float) -> str:
    """Three significant figures in scientific notation: `1.54e+18`."""
    return f"{x:.2e}"


def whole(value: float) -> str:
    """A number rounded whole, with thousands separators (`1,234`), or `1.54e+18` from a
    quadrillion up (`SCIENTIFIC_FROM`)."""
    if abs(value) >= SCIENTIFIC_FROM:
        return _scientific(value)
    return f"{round(value):,}"


def _round3(x: float) -> float:
    return float(f"{x:.3g}")


def _three(x: float) -> str:
    """Three significant figures: 9.999 -> `10.0`, 0.5 -> `0.500`, 450 -> `450`."""
    rounded = _round3(x)
    if rounded == 0:
        return "0"
    decimals = max(0, 2 - math.floor(math.log10(rounded)))
    return f"{rounded:.{decimals}f}"


def percent(value: float | None, *, sign: bool = False) -> str:
    """`6%`, `12.5%`, `0.4%`, `−100%`, `3.79e+23%` from a quadrillion percent up; `n/a`
    for None or NaN."""
    if value is None or math.isnan(value):
        return "n/a"
    pct = value * 100
    if abs(pct) < 0.005:  # rounds to zero: never `−0%`
        pct = 0.0
    prefix = MINUS if pct < 0 else ("+" if sign and pct > 0 else "")
    magnitude = abs(pct)
    if magnitude >= 100 or magnitude == 0:
        body = whole(magnitude)
    elif magnitude >= 1:
        body = f"{magnitude:.1f}".removesuffix(".0")
    else:
        body = f"{magnitude:.2f}".rstrip("0").rstrip(".")
    return f"{prefix}{body}%"


def chance(share: float) -> str:
    """A share of samples, never rounded to 0% or 100% unless it is exactly that."""
    if 0 < share < 0.001:
        return "<0.1%"
    if 0.999 < share < 1:
        return ">99.9%"
    return percent(share)


def from_year(year: int) -> str:
    """What follows a ceiling reached only later in the horizon: ` from year 3` (SPEC §7);
    nothing when it holds from year 1."""
    return f" from year {year}" if year > 1 else ""


IMMEDIATELY = "immediately"  # a payback of 0: the cumulative cash flow is never negative


def years(value: float | None, horizon: int | None = None) -> str:
    """A payback: `2.4 years`, `2.0 years`, `1.0 year`; `immediately` when it is 0 (the
    cumulative cash flow is never negative); when None, `not within H years`."""
    if value is None:
        return f"not within {plural(horizon, 'year')}" if horizon else "n/a"
    if value == 0:
        return IMMEDIATELY
    text = f"{value:.1f}"
    return f"{text} year" if text == "1.0" else f"{text} years"


def payback(value: float | None, space: str = " ") -> str:
    """Payback for a table cell: `2.0 y`, `immediately` at 0, or `—` when it is not reached."""
    if value is None:
        return "—"
    return IMMEDIATELY if value == 0 else f"{value:.1f}{space}y"


def and_list(words: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def plural(n: float, noun: str) -> str:
    """`1 year`, `5 years`, `1 customer`, `1,200 customers` (counts as `count` shows them)."""
    shown = count(n)
    return f"{shown} {noun}" if shown == "1" else f"{shown} {noun}s"


def quantity(value: float, kind: str, currency: str = "USD") -> str:
    """An input's value as the file would write it: `$250k` (amount), `4.5%`, `1,200`."""
    if kind == "percent":
        return percent(value)
    if kind == "growth":
        return percent(value, sign=True)
    if kind == "count":
        return count(value if abs(value) >= 100 else round(value, 1))
    return money(value, currency)


def count(value: float) -> str:
    """`400`, `1,200`, `949` (for 948.7), `2.5`, `1.54e+18`: counts are estimates, shown
    whole from 100 up (`whole`)."""
    if float(value).is_integer() or abs(value) >= 100:
        return whole(value)
    return f"{value:,.1f}"


# Every control character but line feed: C0 (tab and carriage return included), DEL, C1,
# the bidirectional overrides, isolates and marks, the Unicode line and paragraph
# separators, and lone surrogates (a file name's undecodable bytes, as Python reads them).
# Characters a terminal, a log viewer or an editor acts on or hides, that are not C0
# controls: C1 controls, bidirectional marks, overrides and isolates, line and paragraph
# separators, and lone surrogates (a file name's undecodable bytes). One list for every
# rule below and for JSON's (`jsontext`).
UNSEEN = "\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_CONTROL = re.compile(f"[\x00-\x09\x0b-\x1f\x7f{UNSEEN}]")
# What breaks a line or spaces it out, shown as one space on one line.
_BREAK = re.compile("\r\n|[\r\n\t\u2028\u2029]")


# GitHub's runner reads two workflow-command syntaxes from every line of a step's
# output: `::name::` at the start of a line, leading spaces skipped, and the
# older `##[name]` anywhere in a line. `INLINE_COMMAND` finds the first `#` of `##[`,
# where each format puts its break (JSON, which must read back exactly, an escape).
INLINE_COMMAND = r"#(?=#\[)"
_INLINE_COMMAND = re.compile(INLINE_COMMAND)
_COMMANDS = re.compile(f":(?=:)|{INLINE_COMMAND}")
ZERO_WIDTH_SPACE = "\u200b"


def break_commands(text: str) -> str:
    """`text` with a zero-width space inside every `::` and `##[` (`:\\u200b:`, `#\\u200b#[`),
    so that no CI runner finds a workflow command in it; it reads the same."""
    return _COMMANDS.sub(_with_zero_width_space, text)


def break_inline_commands(text: str) -> str:
    """`text` with a zero-width space inside every `##[`, the command syntax a CI runner
    honours anywhere in a line; `::` is left alone (it only starts a command at the start
    of a line, where the caller writes its own text)."""
    return _INLINE_COMMAND.sub(_with_zero_width_space, text)


def _with_zero_width_space(match: re.Match[str]) -> str:
    # A runner's culture-aware search may skip the zero-width space and still find `##[`,
    # but it reads the command's name three characters after where the match starts,
    # which is then at the `[` or before it: never a name.
    return match.group() + ZERO_WIDTH_SPACE


def safe_text(text: str) -> str:
    """Text from a file made harmless for a terminal and a CI log, on one line.

    The one rule for file text (names, descriptions, values, paths) wherever it is
    printed, stderr included. Line breaks and tabs become spaces; other control
    characters show as escapes (`\\x1b`) and never reach the terminal; and `::` and
    `##[` get a zero-width space after their first character (`break_commands`), so a CI
    runner that reads `::command` at the start of a log line (those runners ignore
    leading spaces, and names can wrap) or `##[command]` anywhere in one never finds one
    in a name.
    """
    return escape_controls(break_commands(_BREAK.sub(" ", text)))


def safe_line(text: str) -> str:
    """One line for stderr or a log, newline-terminated: `safe_text` of `text`."""
    return safe_text(text) + "\n"


def escape_controls(text: str) -> str:
    """File text made harmless for a terminal: `\\x1b` shown instead of a raw escape.

    Every control character but line feed is escaped; a caller that keeps line
    breaks (markdown's `<br>`, a workflow command's `%0A`) turns them into its own
    form first. A byte of a file name that is not UTF-8 (which Python reads as a lone
    surrogate, U+DC80-U+DCFF) shows as that byte, `\\xff`: it is never written raw,
    which would make the output invalid UTF-8 (or, as 0x9B, a terminal's CSI).
    """
    return _CONTROL.sub(_escape, text)


# What a terminal or a log viewer acts on unseen, C0 aside: C1, the bidirectional
# overrides, isolates and marks, the line and paragraph separators, lone surrogates.
_UNSEEN = re.compile(f"[{UNSEEN}]")


def escape_unseen(text: str) -> str:
    """`text` with the characters of `_UNSEEN` shown as escapes, C0 controls (line feed,
    tab, ESC) kept: the filter of everything written to standard error (`__main__`),
    where Rich's progress bar needs ESC and carriage return."""
    return _UNSEEN.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if "\udc80" <= char <= "\udcff":  # an undecodable byte of a name: show the byte
        return f"\\x{ord(char) - 0xDC00:02x}"
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")
