"""Command-line option values read with the file's grammar and refused in pmsize's words.

`-n 1e6`, `-n 10,000` and `-n 250k` are counts as a problem file writes them
(`values.parse_number`); a value out of bounds, a fraction or a format a command
does not have is a `UsageError` naming the option, so it reads like every other
pmsize message and exits 2.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING

from pmsize import _fmt as fmt
from pmsize import _values as values
from pmsize._errors import UsageError
from pmsize._limits import DEFAULT_SAMPLES, MAX_SAMPLES

if TYPE_CHECKING:
    from pmsize._models import Policy

# Seconds all the solving of one `plan` may take: a hard knapsack of 200 problems kept
# the solver busy for minutes. Past it, the best set found is funded with its proven gap.
DEFAULT_TIME_LIMIT = 10.0
# Problems `report` gives a section of their own (the first by rank); past it the page
# summarises. A ranged problem's section takes about half a second to simulate and draw:
# a couple of minutes at most, where 60,000 sections took most of an hour.
MAX_SECTIONS = 200
MAX_TIME_LIMIT = 86_400.0  # a day: a limit, not a way to switch the limit off
# What an --output file's extension says it holds, as hledger reads it; a command with no
# --format (`report`: html) has nothing to infer.
EXTENSION_FORMATS = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".csv": "csv",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
}
FORMAT_EXTENSIONS = {
    "json": ".json",
    "jsonl": ".jsonl",
    "csv": ".csv",
    "markdown": ".md",
    "html": ".html",
}
_SECONDS = re.compile(r"\s*(?:s|secs?|seconds?)\s*$", re.IGNORECASE)


def _echo(raw: str) -> str:
    return fmt.safe_text(raw.strip())


def whole_number(raw: str, option: str, example: str) -> int:
    """`raw` as a whole number >= 0 in the count grammar (`1e6`, `10,000`, `40k`)."""
    try:
        value = values.parse_number(raw, "count")
    except ValueError as exc:
        reason = "is negative" if " is negative" in str(exc) else "is not a whole number"
        raise UsageError(f"{option}: {_echo(raw)} {reason}; write {example}") from None
    if value != int(value):
        raise UsageError(f"{option}: {_echo(raw)} is not a whole number; write {example}")
    return int(value)


def samples(raw: str | None) -> int:
    """`--samples`: a whole number from 1 to `MAX_SAMPLES`; `DEFAULT_SAMPLES` when not given.

    The bounds are those `limits.check_sampling` holds the library to; the words here
    name the option and echo what was typed."""
    if raw is None:
        return DEFAULT_SAMPLES
    count = whole_number(raw, "--samples", "a count such as 10,000, 50k or 1e6")
    if count < 1:
        raise UsageError(f"--samples: {_echo(raw)} is too few; draw at least 1 sample")
    if count > MAX_SAMPLES:
        raise UsageError(f"--samples: {_echo(raw)} is over {MAX_SAMPLES:,}; more adds nothing")
    return count


def time_limit(raw: str | None) -> float:
    """`--time-limit`: seconds above 0 (`30`, `2.5`, `30s`), at most a day;
    `DEFAULT_TIME_LIMIT` when not given."""
    if raw is None:
        return DEFAULT_TIME_LIMIT
    text = _SECONDS.sub("", raw)
    try:
        seconds = float(text) if text.strip() else math.nan
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_TIME_LIMIT:
        raise UsageError(
            f"--time-limit: {_echo(raw)} is not a number of seconds above 0 and at most "
            f"{MAX_TIME_LIMIT:,.0f} (a day); write seconds such as 30"
        )
    return seconds


def seed(raw: str) -> int:
    """`--seed`: a whole number >= 0."""
    return whole_number(raw, "--seed", "a whole number such as 0 or 42")


def choice(
    raw: str,
    allowed: Sequence[str],
    command: str,
    *,
    aliases: Mapping[str, str] | None = None,
    option: str = "--format",
    verb: str = "writes",
) -> str:
    """One of `allowed`, whatever its case (`JSON`, ` npv `), or an alias's value;
    otherwise a `UsageError` in pmsize's words: `--format xml: evaluate writes table,
    json, ...`, `--sort x: evaluate ranks by npv, ...` (`option`, `verb`)."""
    found = raw.strip().lower()
    found = (aliases or {}).get(found, found)
    if found in allowed:
        return found
    listed = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
    raise UsageError(f"{option} {_echo(raw)}: {command} {verb} {listed}")


def extension_format(output: str | None) -> str | None:
    """The format an `--output` file's extension names (`out.json`: json), or None for
    stdout (`-`), no extension or one that names no format."""
    if output is None or output == "-":
        return None
    return EXTENSION_FORMATS.get(PurePath(output).suffix.lower())


def output_format(
    raw: str | None,
    output: str | None,
    allowed: Sequence[str],
    command: str,
    *,
    aliases: Mapping[str, str] | None = None,
) -> str:
    """`--format`, or with none given the format the `--output` file's extension names
    when `command` writes it, else `allowed[0]` (the default, as before).

    A `--format` that contradicts the extension (`-f csv -o out.json`) is a `UsageError`
    that says what the extension means and how to agree, before anything is read."""
    meant = extension_format(output)
    aliases = {"md": "markdown", **(aliases or {})}  # the extension's word works too
    if raw is None:
        if meant is None or meant in allowed:
            return meant or allowed[0]
        # `simulate -o out.csv` writing a table into out.csv would be a silent wrong answer
        assert output is not None  # a format was meant: there is a file name
        extension = PurePath(output).suffix
        names = [
            f"{_renamed(output, f)} for {_format_words(f, allowed)}"
            for f in allowed
            if f == allowed[0] or f in FORMAT_EXTENSIONS  # github has no file of its own
        ]
        report = "; an HTML page is what pmsize report writes" if meant == "html" else ""
        raise UsageError(
            f"--output {fmt.safe_text(output)}: {command} does not write "
            f"{fmt.safe_text(extension.lower())} files; name the file "
            + ", or ".join(names)
            + report
        )
    chosen = choice(raw, allowed, command, aliases=aliases)
    if meant is None or meant == chosen:
        return chosen
    assert output is not None  # a format was meant: there is a file name
    extension = PurePath(output).suffix
    renamed = _renamed(output, chosen)
    agree = (
        f"give --format {meant} (or no --format), or name the file {renamed}"
        if meant in allowed
        else f"{command} does not write {meant}; name the file {renamed}"
    )
    raise UsageError(
        f"--format {chosen}: --output {fmt.safe_text(output)} is a "
        f"{fmt.safe_text(extension.lower())} file, which means --format {meant}; {agree}"
    )


def _renamed(output: str, format: str) -> str:
    """`output` with the extension that names `format` (`.txt` for text)."""
    extension = PurePath(output).suffix
    return fmt.safe_text(output.removesuffix(extension) + FORMAT_EXTENSIONS.get(format, ".txt"))


def _format_words(format: str, allowed: Sequence[str]) -> str:
    """How a user asks for `format`: the default needs no option."""
    if format == allowed[0]:
        return "an HTML page" if format == "html" else f"the {format} (the default)"
    return f"--format {format}"


__all__ = [
    "DEFAULT_TIME_LIMIT",
    "EXTENSION_FORMATS",
    "FORMAT_EXTENSIONS",
    "MAX_SECTIONS",
    "choice",
    "extension_format",
    "output_format",
    "samples",
    "seed",
    "time_limit",
    "whole_number",
]


def policy(
    cap_threshold: str | None, thin_margin: str | None, scenario_risk: str | None = None
) -> Policy:
    """Thresholds given on the command line (`--cap-threshold 40%`), checked as a file's are.

    `--cap-threshold` is a share of our value, at most 100%. `--thin-margin` is an ROI,
    which can be over 100% (`150%`); a bare number over 1 is refused as ambiguous.
    `--scenario-risk` is a share of probability, at most 100%.
    """
    from pydantic import ValidationError

    from pmsize._models import Policy

    given = {
        "cap_threshold": cap_threshold,
        "thin_margin": thin_margin,
        "scenario_risk": scenario_risk,
    }
    try:
        return Policy.model_validate({key: raw for key, raw in given.items() if raw is not None})
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        option = "--" + str(error["loc"][0]).replace("_", "-")
        reason = error["ctx"]["error"] if error["type"] == "value_error" else error["msg"]
        raise UsageError(fmt.safe_text(f"{option}: {reason}")) from None
