"""Scenarios (SPEC §14): named sets of values written at input paths, each with its
probability.

```yaml
scenarios:
  slow uptake:
    probability: 30%
    set:
      solution.adoption: [1%, 2%, 3%]
```

The file as written is the scenario named `base`; its probability is 100% less the
others'. `parse` reads the block as written (names, probabilities, paths); `check` then
judges each scenario's values as the file's own would be, by writing them into the
problem's data (`whatif.apply`) and validating the result. A scenario's problem has no
scenarios of its own.

Every error is told in one run: when the problem or its `scenarios:` block has errors
of its own, `check_read` still judges the values of every scenario that can be read
(`read`), so a duplicate name does not hide a bad value in another scenario.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import PlainValidator

from pmsize import _paths as paths
from pmsize import _values as values
from pmsize._models import _whatif as whatif
from pmsize._models._rules import (
    AtKey,
    Hidden,
    Loc,
    Named,
    NamedKey,
    OfProblem,
    RuleError,
    loc_text,
)

BASE = "base"  # the name of the file as written
KEYS = ("probability", "set")
EXAMPLE = "solution.price: $50k"
# how far a sum of probabilities may pass 100% and still be 100% (30% + 70% in floats)
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Scenario:
    """A case beside the file as written: `values` (each input's path and its value, as the
    file writes them, in order) written over the problem, with its `probability` (a share
    from 0 to 1; None when the scenarios carry none)."""

    name: str
    probability: float | None
    values: tuple[tuple[str, Any], ...]

    @property
    def settings(self) -> dict[str, Any]:
        """`values` as `Problem.with_values` takes them."""
        return dict(self.values)

    def parsed(self) -> list[tuple[paths.Path, Any]]:
        """`values` with each path read (`parse` has checked that each names an input)."""
        return [(paths.parse(text), value) for text, value in self.values]


class ScenarioError(RuleError):
    """Every error found in a `scenarios:` block, each as (field path, message)."""


class _AtKeyOfProblem(AtKey, OfProblem):
    __slots__ = ()


class _HiddenOfProblem(Hidden, OfProblem):
    __slots__ = ()


def parse(raw: object) -> tuple[Scenario, ...]:
    """The scenarios of a `scenarios:` mapping (name -> {probability, set}), in file order.

    Raises `ScenarioError` with every name that is `base` or used twice (ignoring case),
    every bad probability or path, every empty `set:` (`read`); probabilities given to
    some scenarios only, or adding up to over 100%, are `check`'s.
    """
    found, problems, _ = read(raw)
    if problems:
        raise ScenarioError(problems)
    return found


def read(raw: object) -> tuple[tuple[Scenario, ...], list[tuple[Loc, str]], bool]:
    """What can be read of a `scenarios:` mapping, whatever is wrong with it: every scenario
    whose `set:` can be read (a name used twice or `base` included), with the paths that
    can be read; every error found (`parse`'s); and whether each probability written was
    read, so that the rule between them can be judged on the scenarios read.
    """
    if raw is None:  # `scenarios:` with every scenario commented out
        return (), [], True
    if (
        isinstance(raw, Sequence)
        and not isinstance(raw, str)
        and all(isinstance(item, Scenario) for item in raw)
    ):  # built in code
        raw = {
            s.name: {"set": dict(s.values)}
            | ({} if s.probability is None else {"probability": s.probability})
            for s in raw
            if isinstance(s, Scenario)
        }
    if not isinstance(raw, Mapping):
        return (
            (),
            [
                (
                    ("scenarios",),
                    "expected a mapping of scenarios, each a name with `set:` under it "
                    f"(and `probability:` if you weigh them), such as `slow uptake: {{set: "
                    f"{{{EXAMPLE}}}}}`",
                )
            ],
            False,
        )
    found: list[Scenario] = []
    problems: list[tuple[Loc, str]] = []
    weighed = True
    seen: dict[str, str] = {}
    for key, body in raw.items():
        name = str(key)
        at_name: Loc = ("scenarios", NamedKey(name))
        here: Loc = ("scenarios", Named(name))
        if not isinstance(key, str) or not name.strip():
            problems.append((at_name, "a scenario needs a name, such as `slow uptake`"))
            weighed = False
            continue
        folded = name.strip().casefold()
        first = seen.setdefault(folded, name)
        if folded == BASE:
            problems.append(
                (
                    at_name,
                    "`base` is the file as written; give this scenario another name",
                )
            )
        elif first != name:
            problems.append(
                (
                    at_name,
                    f"the name is already used by `{first.strip()}` (names ignore case); "
                    "give each scenario its own name",
                )
            )
        scenario, errors, probability_read = _scenario(name, body, here)
        problems += errors
        weighed = weighed and probability_read
        if scenario is not None:
            found.append(scenario)
    return tuple(found), problems, weighed


def _scenario(
    name: str, body: object, here: Loc
) -> tuple[Scenario | None, list[tuple[Loc, str]], bool]:
    """One scenario as far as it can be read (None when its `set:` cannot be), what is
    wrong with it, and whether its probability, if written, was read."""
    if not isinstance(body, Mapping):
        problem = (
            here,
            "expected `set:` with the inputs this scenario changes (and `probability:` "
            f"if you weigh the scenarios), such as `set: {{{EXAMPLE}}}`",
        )
        return None, [problem], False
    from pmsize._models._words import unknown_key

    problems: list[tuple[Loc, str]] = [
        (
            (*here, str(key)),
            unknown_key(str(key), KEYS),
        )
        for key in body
        if key not in KEYS
    ]
    probability = None
    probability_read = True
    if "probability" in body:
        try:
            probability = values.parse_number(body["probability"], "percent")
        except ValueError as exc:
            problems.append(((*here, "probability"), str(exc)))
            probability_read = False
    if "set" not in body:
        problems.append(
            (
                ("scenarios", NamedKey(name)),
                f"has no `set:`; give the inputs this scenario changes, such as `set: "
                f"{{{EXAMPLE}}}`",
            )
        )
        return None, problems, probability_read
    given = body["set"]
    if given is None or (isinstance(given, Mapping) and not given):
        problems.append(
            (
                (*here, AtKey("set")),
                f"`set:` is empty; give at least one input and its value, such as `{EXAMPLE}`",
            )
        )
        return None, problems, probability_read
    if not isinstance(given, Mapping):
        problems.append(
            (
                (*here, "set"),
                f"expected a mapping of input paths and their values, such as `{EXAMPLE}`",
            )
        )
        return None, problems, probability_read
    settings: list[tuple[str, Any]] = []
    named: dict[paths.Key, str] = {}
    for key, value in given.items():
        text = str(key)
        at: Loc = (*here, Hidden("set"), AtKey(text))
        try:
            path = paths.parse(text)
        except paths.PathError as exc:
            problems.append((at, str(exc)))
            continue
        first = named.setdefault(path.key, text)
        if first != text:
            problems.append(
                (at, f"{path} names the same input as `{first.strip()}` above; set it once")
            )
            continue
        settings.append((text, value))
    return Scenario(name, probability, tuple(settings)), problems, probability_read


def probabilities(found: Sequence[Scenario]) -> list[tuple[Loc, str]]:
    """Either every scenario has a probability or none has, and they add up to 100% at most."""
    weighed = [s for s in found if s.probability is not None]
    if not weighed:
        return []
    if len(weighed) < len(found):
        example = weighed[0].name.strip()
        return [
            (
                ("scenarios", NamedKey(s.name)),
                f"has no probability while `{example}` has one; give every scenario a "
                "probability, or none (then they are shown side by side, unweighted)",
            )
            for s in found
            if s.probability is None
        ]
    total = sum(s.probability for s in weighed if s.probability is not None)
    if total > 1 + TOLERANCE:
        return [
            (
                (AtKey("scenarios"),),
                f"the scenarios' probabilities add up to {_percent(total)}; they can add up to "
                "100% at most (the base case, the file as written, has what is left)",
            )
        ]
    return []


def _percent(x: float) -> str:
    return f"{x * 100:.4g}%"


# the field's type: read by `parse`, its JSON Schema named for `pmsize._schema`
Scenarios = Annotated[tuple[Scenario, ...], PlainValidator(parse), values.Schema("Scenarios")]


def base_probability(scenarios: Sequence[Scenario]) -> float | None:
    """The probability of the file as written: 100% less the scenarios' (None unweighted)."""
    if not scenarios or scenarios[0].probability is None:
        return None
    return max(0.0, 1.0 - sum(s.probability or 0.0 for s in scenarios))


def without_scenarios(data: Mapping[str, Any]) -> dict[str, Any]:
    """A problem's data without its `scenarios:`: what a scenario's values are written into."""
    return {key: value for key, value in data.items() if key != "scenarios"}


def apply(data: Mapping[str, Any], scenario: Scenario, after: whatif.Values = ()) -> whatif.Applied:
    """A scenario's data: the problem's, without scenarios, with the scenario's values
    written in, then `after` (the what-ifs of `--set`)."""
    return whatif.apply(without_scenarios(data), [*scenario.parsed(), *after])


# validates a problem's data as the loader does: (field path, message) pairs, none if sound
Judge = Callable[[Mapping[str, Any]], list[tuple[Loc, str]]]


def check(
    data: Mapping[str, Any], scenarios: Sequence[Scenario], judge: Judge
) -> list[tuple[Loc, str]]:
    """The probabilities (`probabilities`), then each scenario's values judged as the file's
    own would be: written into the problem's `data` and validated by `judge`. An error in a
    value is located at it and names its input; one that no value holds (a rule between
    inputs) at the scenario's `set:`."""
    return probabilities(scenarios) + _judged(data, scenarios, judge)


def check_read(data: Mapping[str, Any], judge: Judge) -> list[tuple[Loc, str]]:
    """What `check` finds in a problem that has errors of its own, or whose `scenarios:`
    block has (both told where they are found): the probabilities, when each written was
    read, and the values of every scenario that can be read (`read`), less the errors of
    the file as written, which are told once, where they are written."""
    found, _, weighed = read(data.get("scenarios"))
    own = set(judge(without_scenarios(data)))
    return (probabilities(found) if weighed else []) + _judged(
        data, [s for s in found if s.values], judge, own
    )


def _judged(
    data: Mapping[str, Any],
    scenarios: Sequence[Scenario],
    judge: Judge,
    own: Collection[tuple[Loc, str]] = (),
) -> list[tuple[Loc, str]]:
    """Each scenario's values judged (`check`); an error of the file's `own`, on no value of
    the scenario's, is left to the file."""
    found: list[tuple[Loc, str]] = []
    for scenario in scenarios:
        here: Loc = ("scenarios", Named(scenario.name))
        written = {str(paths.parse(text)): text for text, _ in scenario.values}
        applied = apply(data, scenario)
        # (the change that holds the error, or None; the input it names; the message)
        errors: list[tuple[str | None, str, str]] = [
            (path, path, message) for path, message in applied.errors
        ]
        for loc, message in dict.fromkeys(judge(applied.data)):
            hit = whatif.named(loc, applied.places)
            if hit is None:
                if (loc, message) in own:
                    continue
                errors.append((None, loc_text(loc), message))
            else:
                errors.append((hit[0], hit[0] + _rest(hit[1]), message))
        for change, shown, message in errors:
            text = f"{shown}: {message}" if shown else message
            if change is None or change not in written:
                found.append(((*here, _AtKeyOfProblem("set")), text))
            else:
                found.append(((*here, Hidden("set"), _HiddenOfProblem(written[change])), text))
    return found


def _rest(loc: Loc) -> str:
    """What is left of an error's field path under the value that holds it (`.solves`)."""
    text = loc_text(loc)
    return "" if not text else text if text.startswith("[") else f".{text}"


__all__ = [
    "BASE",
    "Scenario",
    "ScenarioError",
    "Scenarios",
    "apply",
    "base_probability",
    "check",
    "check_read",
    "parse",
    "probabilities",
    "read",
    "without_scenarios",
]
