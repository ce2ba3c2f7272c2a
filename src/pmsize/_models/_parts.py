"""The parts of a problem, each a frozen model that forbids unknown keys: its market, our
solution, the alternatives customers have, and the policy its flags are raised under."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from pmsize._models._fields import (
    Adoption,
    AlternativeKind,
    Amount,
    AmountByYear,
    ByYear,
    Count,
    FromYear,
    Growth,
    Percent,
    PercentByYear,
    Relief,
    RoiThreshold,
    Text,
    Threshold,
    from_arrival,
)
from pmsize._values import MARKET_RULE_MARK, Quantity

FROZEN = ConfigDict(frozen=True, extra="forbid")


class Policy(BaseModel):
    """Thresholds for the flags; unset means "inherit" (CLI, problem, portfolio, built-in)."""

    model_config = FROZEN

    cap_threshold: Threshold | None = None  # a share of our value, at most 100%
    thin_margin: RoiThreshold | None = None  # an ROI, which may be over 100%
    # the share of probability whose scenarios' verdict is avoid that flags the headline
    scenario_risk: Threshold | None = None


NO_POLICY = Policy()  # a policy that sets no threshold: the file's, or the built-in, apply


class Alternative(BaseModel):
    """An existing way customers solve the problem today, costed per customer."""

    model_config = FROZEN

    name: Text
    kind: AlternativeKind = "other"
    from_year: FromYear = 1  # the year it becomes available (SPEC §7)
    # one value, or one a year whose last value repeats (SPEC §7)
    annual_cost: AmountByYear = 0.0
    one_time_cost: AmountByYear = 0.0
    solves: PercentByYear = 1.0

    def by_year(self, field: str, horizon: int) -> tuple[Quantity, ...]:
        """A figure's value in each calendar year 1..horizon: item 1 of a list is the year
        the alternative arrives, and the last value repeats (`from_arrival`)."""
        given: ByYear = getattr(self, field)
        return from_arrival(
            given if isinstance(given, tuple) else (given,), self.from_year, horizon
        )


def _market_rule(schema: dict[str, Any]) -> None:
    """Marks the market's JSON Schema for its own rule (`schema.MARKET_RULE`), which
    `pmsize._schema` writes in when a schema is generated."""
    schema[MARKET_RULE_MARK] = True


class Market(BaseModel):
    """Who has the problem and what it costs one of them a year."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=_market_rule)

    customers: Count
    growth: Growth = 0.0  # yearly growth of customers, signed (SPEC §7)
    problem_cost: Amount | None = None
    revenue: Amount | None = None
    problem_share: Percent | None = None


class Solution(BaseModel):
    """The candidate we might build, its costs, adoption and price."""

    model_config = FROZEN

    name: Text = "our solution"
    build_cost: Amount = 0.0
    annual_cost: Amount = 0.0
    cost_per_customer: Amount = 0.0
    solves: Relief = 1.0
    adoption: Adoption
    price: Amount | None = None
