"""The rules that span fields: the problem cost given once, and each alternative named
once (never `none`).

`cross_checks` reads a problem's raw data (so the loader reports them together with
every field error) and names the field to blame; a `Problem` checks the same rules once
its fields are valid, so one built in code holds them too (`RuleError`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pmsize._models._parts import Market

Loc = tuple[str | int, ...]


class AtKey(str):
    """A key in a field path that an error is about: located at the key itself, and left
    out of the path printed (the message names it)."""

    __slots__ = ()


class Hidden(str):
    """A key in a field path walked to find where a value is written, and left out of the
    path printed (the message names what is there)."""

    __slots__ = ()


class Named(str):
    """A key that names an entry of a mapping (a scenario's name): printed in brackets,
    `scenarios[slow uptake]`, as an alternative is named in a path."""

    __slots__ = ()


class NamedKey(Named, AtKey):
    """A `Named` key that an error is about: printed, and located at the key itself."""

    __slots__ = ()


class OfProblem:
    """Marks the last key of a field path whose error comes from judging what `defaults:`
    give against one problem: the loader says which problem."""

    __slots__ = ()


NO_ALTERNATIVE = "none"  # what reports call the ceiling's setter when no alternative sets it


class RuleError(ValueError):
    """Every rule spanning fields that a problem breaks, each as (field path, message):
    the loader locates each at its field; the library shows them all."""

    def __init__(self, problems: Sequence[tuple[Loc, str]]) -> None:
        super().__init__("; ".join(f"{loc_text(loc)}: {message}" for loc, message in problems))
        self.problems = tuple(problems)


def loc_text(loc: Loc) -> str:
    """A field path as messages print it: `alternatives[0].solves`, `scenarios[slow
    uptake].probability`; keys marked `AtKey` or `Hidden` left out."""
    out = ""
    for part in loc:
        if isinstance(part, int | Named):
            out += f"[{part}]"
        elif isinstance(part, AtKey | Hidden):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def cross_checks(data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """Rules that span fields, checked on a problem's raw data as (field path, message) pairs.

    They read only the structure (which keys are given, how names repeat), so the loader
    reports them together with any field errors; empty when the rules hold. A `Problem`
    checks the same rules once its fields are valid (`Problem._rules_hold`), so one built
    in code holds them too.
    """
    found: list[tuple[Loc, str]] = []
    market = data.get("market")
    if isinstance(market, Mapping) and set(market) <= set(Market.model_fields):
        found += cost_rule({key for key in COST_KEYS if market.get(key) is not None})
    alternatives = data.get("alternatives")
    if isinstance(alternatives, list):
        found += name_rules(
            [a.get("name") if isinstance(a, Mapping) else None for a in alternatives]
        )
    return found


COST_KEYS = ("problem_cost", "revenue", "problem_share")


def cost_rule(given: set[str]) -> list[tuple[Loc, str]]:
    """The problem cost is given once: as `problem_cost`, or as revenue × problem_share."""
    if "problem_cost" in given and given & {"revenue", "problem_share"}:
        return [
            (
                ("market", "problem_cost"),
                "give either problem_cost, or revenue and problem_share, not both",
            )
        ]
    if "problem_cost" not in given and given != {"revenue", "problem_share"}:
        if not given:
            message = "give problem_cost (per customer a year), or revenue and problem_share"
        else:
            missing = "problem_share" if "revenue" in given else "revenue"
            message = f"{missing} is missing; revenue and problem_share go together"
        return [(("market",), message)]
    return []


def name_rules(names: Sequence[object]) -> list[tuple[Loc, str]]:
    """Each alternative has its own name (ignoring case and spaces), and none is `none`."""
    found: list[tuple[Loc, str]] = []
    named: dict[str, int] = {}
    for index, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            continue
        if name.strip().casefold() == NO_ALTERNATIVE:
            found.append(
                (
                    ("alternatives", index, "name"),
                    f"{NO_ALTERNATIVE!r} is reserved: it stands for no alternative setting the "
                    "ceiling; rename this one",
                )
            )
            continue
        # `Excel` and `excel` would read as one alternative in every report
        first = named.setdefault(name.strip().casefold(), index)
        if first != index:
            found.append(
                (
                    ("alternatives", index, "name"),
                    f"alternative name `{name.strip()}` is already used by "
                    f"alternatives[{first}]; give each alternative its own name",
                )
            )
    return found
