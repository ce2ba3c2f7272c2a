"""The arguments and options that several commands declare alike, declared once.

Formats, counts and thresholds are read as text and checked by pmsize
(`pmsize._options`, `options.policy`), so `-n 1e6` works and a bad value gets pmsize's
own sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer

PathsArg = Annotated[
    list[str],
    typer.Argument(
        help="Problem files, folders (every *.yaml/*.yml below) or - for stdin.",
        metavar="PATH",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (atomically, as cp would) instead of stdout; - for stdout.",
        metavar="FILE",
    ),
]
CapOpt = Annotated[
    str | None,
    typer.Option(
        help="Flag capped-by-alternative when the ceiling is below this share of our value "
        "(default 50%).",
        metavar="PERCENT",
    ),
]
ThinOpt = Annotated[
    str | None,
    typer.Option(
        help="Flag thin-margin when 0 <= ROI is below this (default 20%; may be over 100%).",
        metavar="PERCENT",
    ),
]

RiskOpt = Annotated[
    str | None,
    typer.Option(
        help="Flag scenario-risk when the scenarios whose verdict is avoid carry at least "
        "this share of the probability (default 25%).",
        metavar="PERCENT",
    ),
]
ScenarioOpt = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        help="Evaluate as this scenario of the file's scenarios: (its values first, then --set).",
        metavar="NAME",
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="A what-if without editing the file: PATH=VALUE, the value as the file writes "
        "it (--set 'solution.price=$50k'); repeatable.",
        metavar="PATH=VALUE",
        show_default=False,
    ),
]

WatchOpt = Annotated[
    bool,
    typer.Option(
        "--watch",
        help="After the first run, run again whenever a file read changes, clearing the "
        "terminal first; Ctrl-C ends it.",
    ),
]


def what_ifs(items: list[str] | None) -> dict[str, object]:
    """`--set` settings as `pmsize.load(values=...)` takes them, each value read as the
    file's YAML reads it; a bad one is refused before anything is loaded."""
    from pmsize import _loader as loader

    return {str(path): value for path, value in loader.read_settings(items or ())}


def one_of(values: Sequence[str], *, help: str) -> Any:
    """An option that takes one of `values`, read as text (any case) and checked by
    `options.choice`, so a wrong value gets pmsize's sentence rather than the parser's
    (`Value error, 'AVOID' is not one of ...`); help and completion list the values."""
    return typer.Option(
        help=help, metavar="<" + "|".join(values) + ">", autocompletion=_completion(values)
    )


def _completion(values: Sequence[str]) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        return [value for value in values if value.startswith(incomplete.lower())]

    return complete


SamplesOpt = Annotated[
    str,
    typer.Option(
        "--samples",
        "-n",
        help="Monte Carlo samples per problem, such as 50k or 1e6 (at most 10,000,000).",
        metavar="N",
    ),
]
SeedOpt = Annotated[
    str,
    typer.Option(
        help="Seed of the random draws, a whole number; the same seed, the same output.",
        metavar="SEED",
    ),
]


__all__ = [
    "CapOpt",
    "OutputOpt",
    "PathsArg",
    "RiskOpt",
    "SamplesOpt",
    "ScenarioOpt",
    "SeedOpt",
    "SetOpt",
    "ThinOpt",
    "WatchOpt",
    "one_of",
    "what_ifs",
]
