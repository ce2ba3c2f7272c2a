"""What a plan gives back: `Plan` (the funded set, what is left out, the marginal budget)
and the records it holds, with their JSON (`to_dict`). `_planning` makes them; these
types hold data only, so a renderer reads them without scipy or numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from pmsize import _display
from pmsize._options import DEFAULT_TIME_LIMIT
from pmsize._results import Verdict

Objective = Literal["npv", "expected-npv"]
OBJECTIVES: tuple[Objective, ...] = ("npv", "expected-npv")
SCHEMA_VERSION = 1  # of the JSON document; the same as `render.json`'s (a test holds it)


@dataclass(frozen=True)
class Candidate:
    """One problem as the plan weighs it."""

    name: str
    file: str
    line: int
    build_cost: float  # the central value of `solution.build_cost`
    npv: float  # the figure maximised: the point NPV, or with expected-npv the mean NPV
    point_npv: float
    verdict: Verdict

    @property
    def npv_per_build(self) -> float | None:
        """NPV per dollar of build cost; None when the build costs nothing."""
        return self.npv / self.build_cost if self.build_cost > 0 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "line": self.line,
            "build_cost": self.build_cost,
            "npv": self.npv,
            "npv_per_build": self.npv_per_build,
        }


@dataclass(frozen=True)
class LeftOut:
    """An eligible problem the plan does not fund, and what funding it on top would need."""

    candidate: Candidate
    extra_budget: float  # beyond the budget, to fund it as well as the plan (>= 0)

    def to_dict(self) -> dict[str, Any]:
        return self.candidate.to_dict() | {"extra_budget": self.extra_budget}


@dataclass(frozen=True)
class Marginal:
    """What `extra_budget` more (10% of the budget) would add to the optimum's total NPV,
    and how the optimum at that budget differs from the plan: the problems it funds that
    the plan does not (`adds`) and those of the plan it does not fund (`drops`)."""

    extra_budget: float
    npv_gain: float
    adds: tuple[Candidate, ...] = ()
    drops: tuple[Candidate, ...] = ()
    exact: bool = True  # False: a search stopped at the time limit, the gain is an estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "extra_budget": self.extra_budget,
            "npv_gain": self.npv_gain,
            "adds": [c.name for c in self.adds],
            "drops": [c.name for c in self.drops],
            "exact": self.exact,
        }


@dataclass(frozen=True)
class Plan:
    """The best set of problems to fund under a budget (`pmsize plan`, SPEC §9)."""

    currency: str
    budget: float
    objective: Objective
    max_problems: int | None
    funded: tuple[Candidate, ...]  # best NPV (the objective's) first, ties in the order loaded
    left_out: tuple[LeftOut, ...]  # best NPV first
    ineligible: tuple[Candidate, ...]  # avoid, or NPV not above 0; in the order loaded
    marginal: Marginal
    samples: int | None = None  # expected-npv only
    seed: int | None = None
    p_total_npv_positive: float | None = None  # expected-npv: P(total NPV of the funded > 0)
    # P(the funded build costs add up to more than the budget), when any of them is ranged
    p_over_budget: float | None = None
    exact: bool = True  # the optimum is proven; False: the time limit stopped the search
    gap: float = 0.0  # proven: no set that fits is worth more than total_npv / (1 - gap)
    time_limit: float | None = DEFAULT_TIME_LIMIT  # seconds for all the plan's solving
    # what `--set` changed (each problem's own `was` is on its evaluation): input, value
    overrides: tuple[tuple[str, str], ...] = ()
    # expected-npv: the scenarios drawn once per sample for every funded problem that takes
    # them (a portfolio's `defaults:` ones, SPEC §14), in the order first met
    shared_scenarios: tuple[str, ...] = ()
    # --budget-confidence: the share of the draws of build costs (`confidence_draws` of
    # them) in which the funded set must stay within the budget; p_over_budget is then
    # counted on the same draws
    budget_confidence: float | None = None
    confidence_draws: int | None = None

    @property
    def total_build(self) -> float:
        return math.fsum(c.build_cost for c in self.funded)

    @property
    def total_npv(self) -> float:
        return math.fsum(c.npv for c in self.funded)

    @property
    def eligible(self) -> int:
        """How many problems could be funded (funded and left out)."""
        return len(self.funded) + len(self.left_out)

    def __repr__(self) -> str:
        """One line a notebook can show: what is funded, for how much, within what budget."""
        return (
            f"<Plan: fund {len(self.funded):,} of {self.eligible:,} eligible, build "
            f"{self.total_build:,.0f} of {self.budget:,.0f} {self.currency}, "
            f"NPV {self.total_npv:,.0f}>"
        )

    def _repr_html_(self) -> str | None:
        """What a notebook shows: what `pmsize plan` prints (drawn by render.notebook)."""
        return _display.drawn(self, "html")

    def _repr_markdown_(self) -> str | None:
        """`pmsize plan --format markdown`, for a markdown cell."""
        return _display.drawn(self, "markdown")

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of `pmsize plan --format json`: SPEC §9's fields in its order,
        then the extras (currency first, as every result carries one; `exact` and `gap`
        beside the total NPV they qualify)."""
        from pmsize._version import __version__

        return {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "currency": self.currency,
            "budget": self.budget,
            "objective": self.objective,
            "max_problems": self.max_problems,
            "funded": [c.to_dict() for c in self.funded],
            "total_build": self.total_build,
            "total_npv": self.total_npv,
            "exact": self.exact,
            "gap": self.gap,
            "left_out": [o.to_dict() for o in self.left_out],
            "marginal": self.marginal.to_dict(),
            "samples": self.samples,
            "seed": self.seed,
            "p_total_npv_positive": self.p_total_npv_positive,
            "p_over_budget": self.p_over_budget,
            "budget_confidence": self.budget_confidence,
            "budget_confidence_draws": self.confidence_draws,
            "shared_scenarios": list(self.shared_scenarios),
            "time_limit": self.time_limit,
            "ineligible": [
                {"name": c.name, "file": c.file, "line": c.line, "verdict": str(c.verdict)}
                | {"npv": c.npv}
                for c in self.ineligible
            ],
        } | (
            {"overrides": [{"input": i, "value": v} for i, v in self.overrides]}
            if self.overrides
            else {}
        )

    def to_json(self, *, ascii_only: bool = False) -> str:
        """`to_dict()` as pmsize writes JSON (see `jsontext`), newline-terminated."""
        from pmsize import _jsontext as jsontext

        return jsontext.dumps(self.to_dict(), ascii_only=ascii_only)


__all__ = [
    "OBJECTIVES",
    "SCHEMA_VERSION",
    "Candidate",
    "LeftOut",
    "Marginal",
    "Objective",
    "Plan",
]
