"""What an evaluation gives back: typed results, and their JSON (SPEC §5).

`Evaluation` holds one problem's point evaluation: every figure of SPEC §3, the
alternatives as the model saw them, the ranged inputs, the flags and the verdict.
`to_dict()` is the record `--format json` writes for it, in the contract's order;
`to_json()` is that record as pmsize writes JSON.

The verdicts, flag codes and severities are `str` enums: each member is its own
JSON string ("avoid", "negative-npv", "error"), equal to it and hashed like it.
`Verdict` is also ordered by concern: pursue < reconsider < avoid.

This module holds data only: the figures come from `engine`, the sentences from
`messages`, and `service.evaluate` puts them together.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pmsize import _display
from pmsize import _finance as finance

if TYPE_CHECKING:
    from pmsize._models import Override, Policy
    from pmsize._values import Kind, Range

# The built-in policy thresholds. Here, not beside the file's `policy:` model, so that a
# result can be read back (unpickled, in a chart worker) without importing pydantic.
DEFAULT_CAP_THRESHOLD = 0.5
DEFAULT_THIN_MARGIN = 0.2
DEFAULT_SCENARIO_RISK = 0.25


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Policy thresholds in force for one problem."""

    cap_threshold: float = DEFAULT_CAP_THRESHOLD
    thin_margin: float = DEFAULT_THIN_MARGIN
    scenario_risk: float = DEFAULT_SCENARIO_RISK


DEFAULT_THRESHOLDS = Thresholds()  # the built-in thresholds, when no policy sets any


def resolve_thresholds(*policies: Policy) -> Thresholds:
    """The first threshold set in `policies` (CLI, problem, portfolio), else the built-in."""
    cap = next((p.cap_threshold for p in policies if p.cap_threshold is not None), None)
    thin = next((p.thin_margin for p in policies if p.thin_margin is not None), None)
    risk = next((p.scenario_risk for p in policies if p.scenario_risk is not None), None)
    return Thresholds(
        DEFAULT_CAP_THRESHOLD if cap is None else cap,
        DEFAULT_THIN_MARGIN if thin is None else thin,
        DEFAULT_SCENARIO_RISK if risk is None else risk,
    )


class _Words(str, enum.Enum):
    """A `str` enum whose members print, format and compare as their value."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Verdict(_Words):
    """The verdict on a problem, in rising order of concern (`<` compares concern)."""

    PURSUE = "pursue"
    RECONSIDER = "reconsider"
    AVOID = "avoid"

    @property
    def concern(self) -> int:
        """0 for pursue, 1 for reconsider, 2 for avoid."""
        return _CONCERN[self]

    def __lt__(self, other: object) -> bool:
        other = _verdict(other)
        if other is None:
            return NotImplemented
        return self.concern < other.concern

    def __le__(self, other: object) -> bool:
        other = _verdict(other)
        if other is None:
            return NotImplemented
        return self.concern <= other.concern

    def __gt__(self, other: object) -> bool:
        other = _verdict(other)
        if other is None:
            return NotImplemented
        return self.concern > other.concern

    def __ge__(self, other: object) -> bool:
        other = _verdict(other)
        if other is None:
            return NotImplemented
        return self.concern >= other.concern


_CONCERN = {verdict: i for i, verdict in enumerate(Verdict)}


def _verdict(other: object) -> Verdict | None:
    """`other` as a Verdict, so `verdict >= "reconsider"` compares concern, not spelling;
    None for what is no string. A string that is no verdict's word is a TypeError (else
    Python would fall back to comparing spellings)."""
    if isinstance(other, Verdict):
        return other
    if isinstance(other, str):
        try:
            return Verdict(other)
        except ValueError:
            message = f"a verdict compares with pursue, reconsider or avoid, not {other!r}"
            raise TypeError(message) from None
    return None


class Severity(_Words):
    """How much a flag weighs: an error makes the verdict avoid, a warning reconsider."""

    ERROR = "error"
    WARNING = "warning"


class FlagCode(_Words):
    """The stable code of a flag (SPEC §4)."""

    NO_SUSTAINABLE_PRICE = "no-sustainable-price"
    NEGATIVE_NPV = "negative-npv"
    CAPPED_BY_ALTERNATIVE = "capped-by-alternative"
    OVERPRICED = "overpriced"
    THIN_MARGIN = "thin-margin"
    SCENARIO_RISK = "scenario-risk"

    @property
    def severity(self) -> Severity:
        return Severity.ERROR if self in _ERRORS else Severity.WARNING


_ERRORS = frozenset({FlagCode.NO_SUSTAINABLE_PRICE, FlagCode.NEGATIVE_NPV})


@dataclass(frozen=True, slots=True)
class Flag:
    """A finding about a problem: a stable `code`, its `severity` and a plain message."""

    code: FlagCode
    severity: Severity
    message: str


@dataclass(frozen=True, slots=True)
class AlternativeResult:
    """One alternative as the model sees it, per customer a year.

    Its figures are those of `year`, the first year it is at its most competitive (its
    lowest C_a,t); they are every year's when nothing about it changes over time. The
    per-year tuples hold each year 1..H, None before `from_year`.
    """

    name: str
    kind: str
    annual_cost: float
    one_time_cost: float
    solves: float
    effective_annual_cost: float  # c_a
    relief: float  # R_a
    max_price: float  # C_a: the most a customer would pay us rather than use it
    sets_ceiling: bool
    from_year: int = 1
    year: int = 1
    effective_annual_costs: tuple[float | None, ...] = ()  # c_a,t
    reliefs: tuple[float | None, ...] = ()  # R_a,t
    max_prices: tuple[float | None, ...] = ()  # C_a,t
    one_time_spread: float = 0.0  # one_time_cost x CRF, in `year`
    extra_relief: float = 0.0  # V - R_a in `year`: what we remove beyond it (< 0: less)
    problem_cost: float = 0.0  # P, the problem's cost per customer (for `shares`)

    @property
    def shares(self) -> tuple[float | None, ...]:
        """R_a,t / P: the share of the problem it removes each year (0 when P is 0)."""
        cost = self.problem_cost
        return tuple(None if x is None else x / cost if cost else 0.0 for x in self.reliefs)


@dataclass(frozen=True, slots=True)
class Year:
    """One year t of the horizon (SPEC §7): the market, the ceiling and the cash flow."""

    year: int
    customers: float  # N_t
    paying_customers: float  # w_t
    ceiling_per_customer: float  # C_t
    ceiling_set_by: str | None  # set_by_t
    price_per_customer: float  # p_t
    revenue: float  # w_t p_t
    costs: float  # cost_t
    cash_flow: float  # CF_t

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "customers": self.customers,
            "paying_customers": self.paying_customers,
            "ceiling_per_customer": self.ceiling_per_customer,
            "ceiling_set_by": self.ceiling_set_by,
            "price_per_customer": self.price_per_customer,
            "revenue": self.revenue,
            "costs": self.costs,
            "cash_flow": self.cash_flow,
        }


@dataclass(frozen=True, slots=True)
class UncertainInput:
    """A ranged input of the problem, as the point evaluation used it."""

    input: str  # its path (SPEC §13), such as `alternatives[Excel].annual_cost`
    range: Range
    central: float
    kind: Kind  # amount, percent, count or growth: how its values are written


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """One scenario's point evaluation beside the headline (SPEC §14): the file as written
    (`base`) or a named scenario, its probability (None when unweighted), what it sets and
    what it gives. Its flags are its own: `scenario-risk` is the headline's only."""

    name: str
    probability: float | None
    overrides: tuple[Override, ...]
    verdict: Verdict
    npv: float
    ceiling_per_customer: float
    ceiling_year: int
    ceiling_set_by: str | None
    flags: tuple[Flag, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "probability": self.probability,
            "overrides": [o.to_dict() for o in self.overrides],
            "verdict": self.verdict.value,
            "npv": self.npv,
            "ceiling_per_customer": self.ceiling_per_customer,
            "ceiling_year": self.ceiling_year,
            "ceiling_set_by": self.ceiling_set_by,
            "flags": _flags(self.flags),
        }


def _flags(flags: tuple[Flag, ...]) -> list[dict[str, str]]:
    return [
        {"code": f.code.value, "severity": f.severity.value, "message": f.message} for f in flags
    ]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The point evaluation of one problem: SPEC §5's result fields and what explains them."""

    file: str
    line: int
    name: str
    description: str | None
    currency: str
    horizon_years: int
    discount_rate: float
    solution_name: str
    solution_solves: float
    revenue: float | None  # when the problem cost is given as revenue x share
    problem_share: float | None
    problem_cost_per_customer: float
    customers: float
    market_size: float
    value_per_customer: float
    ceiling_per_customer: float
    ceiling_set_by: str | None
    cap_ratio: float | None
    price_per_customer: float
    price_given: float | None
    npv: float
    roi: float | None
    irr: float | None
    irr_note: str | None
    payback_years: float | None
    pv_revenue: float
    pv_costs: float
    cash_flows: tuple[float, ...]  # CF_t, t = 0..H
    build_cost: float  # paid in year 0 (-CF_0)
    running_cost: float  # the solution's fixed cost a year
    cost_per_customer: float  # its cost to serve one paying customer a year
    adoption_given: tuple[float, ...]  # the shares paying, as the file lists them (from year 1)
    # whether the naive figures are the sustainable ones: in every year with paying
    # customers, the price charged is the naive price (no alternative takes anything away)
    naive_is_sustainable: bool
    customers_paying: tuple[float, ...]  # w_t, t = 1..H
    naive_price: float  # p_naive: the asked price, or V
    naive_npv: float
    naive_roi: float | None
    crf: float
    alternatives: tuple[AlternativeResult, ...]
    uncertain: tuple[UncertainInput, ...]
    flags: tuple[Flag, ...]
    verdict: Verdict
    thresholds: Thresholds  # the policy thresholds the flags were raised under
    years: tuple[Year, ...] = ()  # t = 1..H (SPEC §7)
    ceiling_year: int = 1  # the first year the headline ceiling is reached
    growth: float = 0.0  # yearly growth of customers
    overrides: tuple[Override, ...] = ()  # the what-ifs evaluated (`--set`, `with_values`)
    # the scenarios beside the headline, base first (SPEC §14); none without `scenarios:`
    scenarios: tuple[ScenarioResult, ...] = ()
    expected_npv: float | None = None  # sum_s p_s NPV_s; None unweighted or without scenarios
    # the chance of each verdict over the scenarios; None unweighted or without scenarios
    scenario_verdicts: Mapping[Verdict, float] | None = None
    scenario: str | None = None  # the scenario evaluated (`--scenario`), None for the file

    # What explains the figures but is never shown for every problem at once is worked out
    # when asked, from what is kept (a portfolio of results holds only what it shows).

    @property
    def discount_factors(self) -> tuple[float, ...]:
        """(1 + r)^-t, t = 0..H, as the engine discounts (`engine.size`)."""
        r = self.discount_rate
        return tuple((1 + r) ** -t for t in range(self.horizon_years + 1))

    @property
    def discounted_cash_flows(self) -> tuple[float, ...]:
        """CF_t (1 + r)^-t, t = 0..H: each year's cash flow in today's money."""
        return finance.discounted(self.cash_flows, self.discount_factors)

    @property
    def cumulative_discounted(self) -> tuple[float, ...]:
        """D_t, t = 0..H: where the discounted cash flow stands each year (payback is read
        where it reaches 0)."""
        return finance.cumulative_discounted(self.cash_flows, self.discount_factors)

    @property
    def has_scenarios(self) -> bool:
        """Whether the problem names scenarios (so its result shows them)."""
        return bool(self.scenarios)

    @property
    def ceiling_moves(self) -> bool:
        """Whether the ceiling is not the same in every year of the horizon."""
        return len({y.ceiling_per_customer for y in self.years}) > 1

    @property
    def binding(self) -> AlternativeResult | None:
        """The alternative that sets the ceiling, None when none is below our value."""
        return next((a for a in self.alternatives if a.sets_ceiling), None)

    def to_dict(self) -> dict[str, Any]:
        """The result as SPEC §5 names its fields, then the extras that explain it."""
        return {
            "file": self.file,
            "line": self.line,
            "name": self.name,
            "currency": self.currency,
            "problem_cost_per_customer": self.problem_cost_per_customer,
            "customers": self.customers,
            "market_size": self.market_size,
            "value_per_customer": self.value_per_customer,
            "ceiling_per_customer": self.ceiling_per_customer,
            "ceiling_set_by": self.ceiling_set_by,
            "cap_ratio": self.cap_ratio,
            "price_per_customer": self.price_per_customer,
            "npv": self.npv,
            "roi": self.roi,
            "irr": self.irr,
            "payback_years": self.payback_years,
            "pv_revenue": self.pv_revenue,
            "pv_costs": self.pv_costs,
            "cash_flows": list(self.cash_flows),
            "naive_npv": self.naive_npv,
            "naive_roi": self.naive_roi,
            "flags": _flags(self.flags),
            "verdict": self.verdict.value,
            "description": self.description,
            "solution": self.solution_name,
            "horizon_years": self.horizon_years,
            "discount_rate": self.discount_rate,
            "price_given": self.price_given,
            "irr_note": self.irr_note,
            "customers_paying": list(self.customers_paying),
            "ceiling_year": self.ceiling_year,
            "growth": self.growth,
            "years": [y.to_dict() for y in self.years],
            "alternatives": [
                {
                    "name": a.name,
                    "kind": a.kind,
                    "effective_annual_cost": a.effective_annual_cost,
                    "relief": a.relief,
                    "max_price": a.max_price,
                    "sets_ceiling": a.sets_ceiling,
                    "from_year": a.from_year,
                    "year": a.year,
                    "max_prices": list(a.max_prices),
                }
                for a in self.alternatives
            ],
            "uncertain_inputs": [
                {
                    "input": u.input,
                    "low": u.range.low,
                    "high": u.range.high,
                    "dist": u.range.dist,
                    "central": u.central,
                    "mean": u.range.mean,
                }
                for u in self.uncertain
            ],
        } | self._extras()

    def _extras(self) -> dict[str, Any]:
        """What only some results carry: what-ifs, the scenario evaluated, the scenarios
        (so the record of a problem without them is as it was before scenarios)."""
        extras: dict[str, Any] = {}
        if self.overrides:
            extras["overrides"] = [o.to_dict() for o in self.overrides]
        if self.scenario is not None:
            extras["scenario"] = self.scenario
        if self.scenarios:
            verdicts = self.scenario_verdicts
            extras |= {
                "scenarios": [s.to_dict() for s in self.scenarios],
                "expected_npv": self.expected_npv,
                "scenario_verdicts": None
                if verdicts is None
                else {v.value: share for v, share in verdicts.items()},
            }
        return extras

    def __repr__(self) -> str:
        """One line a notebook can show: `<Evaluation 'Claims order processing': avoid, NPV
        -15,164,662 USD, ...>` (the dataclass's own repr ran to thousands of characters)."""
        return (
            f"<Evaluation {self.name!r}: {self.verdict}, NPV {self.npv:,.0f} {self.currency}, "
            f"ceiling {self.ceiling_per_customer:,.0f} per customer a year>"
        )

    def _repr_html_(self) -> str | None:
        """What a notebook shows: the block `pmsize evaluate` prints (drawn by render.notebook)."""
        return _display.drawn(self, "html")

    def _repr_markdown_(self) -> str | None:
        """`pmsize evaluate --format markdown` of this problem, for a markdown cell."""
        return _display.drawn(self, "markdown")

    def to_json(self, *, ascii_only: bool = False) -> str:
        """`to_dict()` as pmsize writes JSON (see `jsontext`), newline-terminated."""
        from pmsize import _jsontext as jsontext

        return jsontext.dumps(self.to_dict(), ascii_only=ascii_only)
