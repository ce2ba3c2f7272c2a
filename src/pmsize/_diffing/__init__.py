"""What an edit to the assumptions does to each verdict, and which edit did it (SPEC §8).

Two sides (lists of problems, from paths or a git revision) are matched by problem
name; a problem on both sides has its changed inputs listed and its NPV change split
among them by their Shapley values. Each job has its module:

    _read          the two sides read: files and folders, files' bytes, paths at a git
                   revision; each problem with its data as the file writes it
    _changes       what changed in a problem, input by input, its values as written
    _attribution   which changed input moved the NPV by how much: exact Shapley values
                   over every mix of the sides (`HybridInputs`), in groups past
                   `EXACT_UP_TO` inputs
    _expected      a changed problem with ranges, correlations or scenarios: both sides
                   simulated on common random numbers, the change in expected NPV split
                   by Shapley values over the same draws (SPEC §15)

This module holds the result (`Diff`, `ProblemDiff`, `Side`, `Change`, `Effect`) and
`compare`, which puts them together; the names other modules use are imported from here.

Named `diffing` rather than `diff`: importing `pmsize.diff` would set the package's
`diff` attribute to the module, hiding the function `pmsize.diff`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pmsize import _display
from pmsize import _jsontext as jsontext
from pmsize import _service as service
from pmsize._diffing._attribution import (
    EXACT_UP_TO,
    HybridInputs,
    attribute,
    group_name,
    players,
)
from pmsize._diffing._changes import SCENARIOS, Change, changes
from pmsize._diffing._expected import Expected, expected_attribution, simulated, uncertain
from pmsize._diffing._read import both_sides, read_bytes, read_git, read_paths
from pmsize._limits import DEFAULT_SEED, DIFF_SAMPLES
from pmsize._models import NO_POLICY, Policy, Problem
from pmsize._results import Evaluation, Verdict
from pmsize._version import __version__

__all__ = [
    "ADDED",
    "CHANGED",
    "DIFF_SAMPLES",
    "EXACT_UP_TO",
    "FAIL_ON",
    "MIXED_CURRENCIES_NOTE",
    "REMOVED",
    "SCHEMA_VERSION",
    "STATUSES",
    "UNCHANGED",
    "Change",
    "Diff",
    "Effect",
    "Expected",
    "HybridInputs",
    "ProblemDiff",
    "Side",
    "attribute",
    "both_sides",
    "compare",
    "group_name",
    "players",
    "read_bytes",
    "read_git",
    "read_paths",
]

SCHEMA_VERSION = 1

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
STATUSES = (CHANGED, ADDED, REMOVED, UNCHANGED)  # the order problems are listed in
FAIL_ON = ("never", "worse", "reconsider", "avoid")


@dataclass(frozen=True)
class Side:
    """One side of a changed problem: its verdict, NPV, sustainable ceiling and flag codes,
    and the currency its amounts are in; when the problem was simulated (SPEC §15), its
    expected NPV and the chance that the NPV is above 0 over the draws (`simulated`)."""

    verdict: Verdict
    npv: float
    ceiling_per_customer: float
    flags: tuple[str, ...]
    currency: str = "USD"
    simulated: Expected | None = None

    @classmethod
    def of(cls, r: Evaluation, simulated: Expected | None = None) -> Side:
        flags = tuple(f.code.value for f in r.flags)
        return cls(r.verdict, r.npv, r.ceiling_per_customer, flags, r.currency, simulated)

    @property
    def expected_npv(self) -> float | None:
        """The mean NPV over the draws; None when not simulated or no draw is finite."""
        return None if self.simulated is None else self.simulated.expected_npv

    @property
    def p_npv_positive(self) -> float | None:
        """The share of draws with NPV above 0; None when not simulated."""
        return None if self.simulated is None else self.simulated.p_npv_positive

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "verdict": self.verdict.value,
            "npv": self.npv,
            "ceiling_per_customer": self.ceiling_per_customer,
            "flags": list(self.flags),
            "currency": self.currency,
        }
        if self.simulated is not None:
            found["expected_npv"] = self.simulated.expected_npv
            found["p_npv_positive"] = self.simulated.p_npv_positive
        return found


@dataclass(frozen=True)
class Effect:
    """The share of the NPV change one changed input, or one group of them, accounts for
    (its Shapley value); a group names its inputs in `inputs` (empty for one input)."""

    input: str
    npv_effect: float
    inputs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"input": self.input, "npv_effect": self.npv_effect}
        if self.inputs:
            found["inputs"] = list(self.inputs)
        return found


@dataclass(frozen=True)
class ProblemDiff:
    """One problem compared: its status, the two sides, what changed and what that did.

    `currency` is the new side's (the old side's for a removed problem). When the currency
    itself changed, `npv_change` is None and nothing is attributed: amounts in two
    currencies have no difference."""

    name: str
    status: str
    file: str
    line: int
    currency: str
    old: Side | None
    new: Side | None
    npv_change: float | None
    changes: tuple[Change, ...] = ()
    attribution: tuple[Effect, ...] = ()
    exact: bool = True
    # simulated (SPEC §15): the change in expected NPV split among the changed inputs
    expected_attribution: tuple[Effect, ...] = ()
    expected_exact: bool = True

    @property
    def simulated(self) -> bool:
        """Whether both sides were simulated (a changed problem with uncertainty)."""
        return (
            self.old is not None
            and self.new is not None
            and self.old.simulated is not None
            and self.new.simulated is not None
        )

    @property
    def expected_npv_change(self) -> float | None:
        """New expected NPV less old; None when not simulated, or a side has none."""
        if self.old is None or self.new is None:
            return None
        before, after = self.old.expected_npv, self.new.expected_npv
        if before is None or after is None or self.npv_change is None:
            return None
        return after - before

    @property
    def worse(self) -> bool:
        """Whether its verdict got worse; an added problem compares with `pursue`."""
        if self.new is None:
            return False
        before = self.old.verdict if self.old is not None else Verdict.PURSUE
        return self.new.verdict > before

    @property
    def better(self) -> bool:
        """Whether its verdict got better (a changed problem only)."""
        return self.old is not None and self.new is not None and self.new.verdict < self.old.verdict

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "name": self.name,
            "status": self.status,
            "file": self.file,
            "old": None if self.old is None else self.old.to_dict(),
            "new": None if self.new is None else self.new.to_dict(),
            "npv_change": self.npv_change,
            "changes": [c.to_dict() for c in self.changes],
            "attribution": [e.to_dict() for e in self.attribution],
            "exact": self.exact,
        }
        if self.simulated:
            found["expected_npv_change"] = self.expected_npv_change
            found["expected_attribution"] = [e.to_dict() for e in self.expected_attribution]
            found["expected_exact"] = self.expected_exact
        return found


@dataclass(frozen=True)
class Diff:
    """Two sets of problems compared (`pmsize diff`); `to_dict()` is the JSON of SPEC §8."""

    old: str | None
    new: str | None
    problems: tuple[ProblemDiff, ...]
    # the files read from disk (never a file at a git revision): what --output must not replace
    inputs: tuple[str, ...] = field(default=(), repr=False, compare=False)
    samples: int = DIFF_SAMPLES  # the draws of each side of a problem simulated, and their seed
    seed: int = DEFAULT_SEED

    def __repr__(self) -> str:
        """One line: how many problems changed, were added, removed or stayed, and how many
        verdicts got worse (the dataclass's own repr holds every problem)."""
        counts = self.summary()
        shown = ", ".join(f"{counts[status]:,} {status}" for status in STATUSES)
        return f"<Diff {self.old!r} -> {self.new!r}: {shown}; {counts['worse']:,} worse>"

    def _repr_html_(self) -> str | None:
        """What a notebook shows: what `pmsize diff` prints (drawn by render.notebook)."""
        return _display.drawn(self, "html")

    def _repr_markdown_(self) -> str | None:
        """`pmsize diff --format markdown`, for a markdown cell."""
        return _display.drawn(self, "markdown")

    def of_status(self, status: str) -> list[ProblemDiff]:
        """The problems with that status (`added`, `removed`, `changed`, `unchanged`)."""
        return [p for p in self.problems if p.status == status]

    @property
    def npv_change(self) -> float | None:
        """New total NPV less old: changed problems' changes, added NPV, removed NPV taken
        off; None when the problems use more than one currency (`npv_change_by_currency`)."""
        by_currency = self.npv_change_by_currency()
        if len(by_currency) > 1:
            return None
        return next(iter(by_currency.values()), 0.0)

    def npv_change_by_currency(self) -> dict[str, float]:
        """New total NPV less old in each currency, the currencies in the order the problems
        name them. A problem whose currency changed takes its old NPV off the old currency's
        total and adds its new NPV to the new currency's."""
        found: dict[str, list[float]] = {}
        for p in self.problems:
            if p.npv_change is not None:
                found.setdefault(p.currency, []).append(p.npv_change)
            elif p.old is not None and p.new is not None:
                found.setdefault(p.new.currency, []).append(p.new.npv)
                found.setdefault(p.old.currency, []).append(-p.old.npv)
        return {currency: math.fsum(changes) for currency, changes in found.items()}

    def summary(self) -> dict[str, Any]:
        """The counts of SPEC §8 and `npv_change`; when the problems use more than one
        currency, `npv_change` is null and, as `evaluate`'s summary does, `currencies`,
        `by_currency` (each one's counts and NPV change) and a `note` follow."""
        summary = _counts(self.problems)
        by_currency = self.npv_change_by_currency()
        if len(by_currency) <= 1:
            summary["npv_change"] = next(iter(by_currency.values()), 0.0)
            return summary
        summary["npv_change"] = None
        summary["currencies"] = list(by_currency)
        summary["by_currency"] = [
            {
                "currency": currency,
                **_counts([p for p in self.problems if p.currency == currency]),
                "npv_change": change,
            }
            for currency, change in by_currency.items()
        ]
        summary["note"] = MIXED_CURRENCIES_NOTE
        return summary

    def fails(self, fail_on: str) -> bool:
        """Whether `--fail-on` is met: `worse` when some problem got worse; `reconsider` or
        `avoid` when an added or changed problem has that verdict or a worse one."""
        if fail_on not in FAIL_ON:
            raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
        if fail_on == "never":
            return False
        if fail_on == "worse":
            return any(p.worse for p in self.problems)
        return any(
            p.new is not None and p.status in (ADDED, CHANGED) and p.new.verdict >= fail_on
            for p in self.problems
        )

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "old": self.old,
            "new": self.new,
        }
        if any(p.simulated for p in self.problems):  # what the expected figures were drawn with
            found |= {"samples": self.samples, "seed": self.seed}
        return found | {
            "problems": [p.to_dict() for p in self.problems],
            "summary": self.summary(),
        }

    def to_json(self, *, ascii_only: bool = False) -> str:
        """The JSON document `pmsize diff --format json` writes."""
        return jsontext.dumps(self.to_dict(), ascii_only=ascii_only)


MIXED_CURRENCIES_NOTE = (
    "The problems use different currencies: npv_change is null, and by_currency holds each "
    "currency's change (a problem whose currency changed takes its old NPV off the old "
    "currency and adds its new NPV to the new one)."
)


def _counts(problems: Sequence[ProblemDiff]) -> dict[str, Any]:
    counts: dict[str, Any] = {
        status: sum(p.status == status for p in problems)
        for status in (ADDED, REMOVED, CHANGED, UNCHANGED)
    }
    counts["worse"] = sum(p.worse for p in problems)
    counts["better"] = sum(p.better for p in problems)
    return counts


def compare(
    old: Sequence[Problem],
    new: Sequence[Problem],
    *,
    policy: Policy = NO_POLICY,
    old_label: str | None = None,
    new_label: str | None = None,
    inputs: Iterable[str] = (),
    samples: int = DIFF_SAMPLES,
    seed: int = DEFAULT_SEED,
) -> Diff:
    """Match `old` and `new` by problem name and compare each pair (SPEC §8). A changed
    problem with ranges, correlations or scenarios on either side is also simulated,
    `samples` draws a side with `seed` (SPEC §15).

    A problem read with its data as written (`read_paths`, `read_bytes`, `read_git`) shows
    its changed values as the file writes them; any other, as parsed."""
    from pmsize._limits import check_sampling

    check_sampling(samples, seed)
    draws = (samples, seed)
    before = {p.name: p for p in old}
    after = {p.name: p for p in new}
    found: list[ProblemDiff] = []
    for name, problem in after.items():
        result = _evaluate(problem, policy)
        if name not in before:
            found.append(_one_sided(problem, result, ADDED))
        else:
            old_result = _evaluate(before[name], policy)
            found.append(_pair(before[name], problem, old_result, result, draws))
    found += [
        _one_sided(p, _evaluate(p, policy), REMOVED) for n, p in before.items() if n not in after
    ]
    found.sort(key=lambda p: (STATUSES.index(p.status), p.name.casefold(), p.name))
    return Diff(old_label, new_label, tuple(found), tuple(inputs), samples, seed)


def _evaluate(problem: Problem, policy: Policy) -> Evaluation:
    return service.evaluate(problem, service.thresholds_for(problem, policy))


def _one_sided(problem: Problem, result: Evaluation, status: str) -> ProblemDiff:
    side = Side.of(result)
    added = status == ADDED
    return ProblemDiff(
        name=problem.name,
        status=status,
        file=result.file,
        line=result.line,
        currency=result.currency,
        old=None if added else side,
        new=side if added else None,
        npv_change=result.npv if added else -result.npv,
    )


def _pair(
    old: Problem, new: Problem, before: Evaluation, after: Evaluation, draws: tuple[int, int]
) -> ProblemDiff:
    listed = changes(old, new)
    same_currency = before.currency == after.currency
    # amounts in two currencies have no difference to split
    inputs = list(dict.fromkeys(i for _, i in listed if i is not None)) if same_currency else []
    effects, exact = attribute(old, new, inputs)
    attribution = _effects(zip(players(inputs), effects, strict=True))
    old_side, new_side = Side.of(before), Side.of(after)
    status = CHANGED if listed or old_side != new_side else UNCHANGED
    expected: tuple[Effect, ...] = ()
    expected_exact = True
    if status == CHANGED and same_currency and (uncertain(old) or uncertain(new)):
        samples, seed = draws
        figures = simulated(old, samples, seed)[0], simulated(new, samples, seed)[0]
        old_side, new_side = Side.of(before, figures[0]), Side.of(after, figures[1])
        # a scenario moves no point NPV, but does move the expected one
        moving = dict.fromkeys(
            i if i is not None else c.input
            for c, i in listed
            if i is not None or c.input.startswith(f"{SCENARIOS}[")
        )
        found, expected_exact = expected_attribution(old, new, list(moving), figures, samples, seed)
        expected = _effects(found)
    return ProblemDiff(
        name=new.name,
        status=status,
        file=after.file,
        line=after.line,
        currency=after.currency,
        old=old_side,
        new=new_side,
        npv_change=after.npv - before.npv if same_currency else None,
        changes=tuple(c for c, _ in listed),
        attribution=attribution,
        exact=exact,
        expected_attribution=expected,
        expected_exact=expected_exact,
    )


def _effects(split: Iterable[tuple[tuple[str, ...], float]]) -> tuple[Effect, ...]:
    """Each player's effect, largest first; a group names its inputs."""
    return tuple(
        sorted(
            (
                Effect(group_name(group), effect, group if len(group) > 1 else ())
                for group, effect in split
            ),
            key=lambda e: -abs(e.npv_effect),
        )
    )
