"""The problem file as frozen Pydantic models (SPEC §2, format version 1).

Fields hold parsed values: money, shares and counts are floats or `Range`s
(see `values`). Amount fields read the file's currency from the validation
context, so a `€` in a USD file is caught where it is written. Checks that
span several fields live in `cross_checks`, which names the field to blame.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
)

from pmsize import values
from pmsize.values import Quantity, Range

_NUMBER_TEXT = (
    r"^\s*[$€£¥]?\s*([0-9][0-9,_]*(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*"
    r"(?i:k|mm|m|bn|b|t|thousand|million|billion|trillion)?\s*%?\s*$"
)
_RANGE_TEXT = _NUMBER_TEXT[:-3].replace("^", "^(") + r"\s+(?i:to)\s+" + _NUMBER_TEXT[1:-3] + ")$"


def _quantity_schema(description: str, *, maximum: float | None = None) -> dict[str, Any]:
    number: dict[str, Any] = {"type": "number", "minimum": 0}
    if maximum is not None:
        number["maximum"] = maximum
    text = {"type": "string", "pattern": _NUMBER_TEXT}
    range_text = {"type": "string", "pattern": _RANGE_TEXT}
    range_map = {
        "type": "object",
        "properties": {
            "low": {"anyOf": [number, text]},
            "high": {"anyOf": [number, text]},
            "dist": {"enum": list(values.DISTS)},
        },
        "required": ["low", "high"],
        "additionalProperties": False,
    }
    return {"anyOf": [number, text, range_text, range_map], "description": description}


def _amount(raw: object, info: ValidationInfo) -> Quantity:
    currency = (info.context or {}).get("currency", "")
    return values.parse_amount(raw, currency)


def _percent(raw: object) -> Quantity:
    return values.parse_percent(raw)


def _count(raw: object) -> Quantity:
    return values.parse_count(raw)


def _threshold(raw: object) -> float:
    return values.parse_number(raw, "percent")


def _text(raw: object) -> str:
    if raw is None:
        raise ValueError("is empty; write a name")
    if not isinstance(raw, str):
        raise ValueError(f"expected text, got a {values._type_name(raw)}")
    if not raw.strip():
        raise ValueError("is empty; write a name")
    return raw


def _years(raw: object) -> int:
    if isinstance(raw, str) and re.match(r"^\s*[0-9]+\s*$", raw):
        years = int(raw)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        years = raw
    else:
        raise ValueError(f"{raw} is not a whole number of years; write a number from 1 to 50")
    if not 1 <= years <= 50:
        raise ValueError(f"{years} is outside 1..50 years")
    return years


def _currency(raw: object) -> str:
    if not isinstance(raw, str) or not re.match(r"^[A-Z]{3}$", raw.strip()):
        raise ValueError(f"{raw} is not an ISO 4217 currency code; write e.g. USD, EUR or GBP")
    return raw.strip()


def _format_version(raw: object) -> int:
    if raw not in ("1", 1):
        raise ValueError(f"format version {raw} is not supported; this pmsize reads `pmsize: 1`")
    return 1


def _adoption(raw: object) -> tuple[Quantity, ...]:
    if isinstance(raw, list | tuple):
        if not raw:
            raise ValueError(
                "the adoption list is empty; give at least one share, such as [1%, 2%]"
            )
        return tuple(values.parse_percent(item) for item in raw)
    return (values.parse_percent(raw),)


Amount = Annotated[
    Quantity,
    PlainValidator(_amount),
    WithJsonSchema(_quantity_schema("An amount of money: 250k, $5m, 1.2bn, or a range")),
]
Percent = Annotated[
    Quantity,
    PlainValidator(_percent),
    WithJsonSchema(_quantity_schema("A share: 10% or 0.1, or a range", maximum=1)),
]
Count = Annotated[
    Quantity,
    PlainValidator(_count),
    WithJsonSchema(_quantity_schema("A count: 400, 1,200, 40k, or a range")),
]
Threshold = Annotated[
    float,
    PlainValidator(_threshold),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "string"}]}),
]
Text = Annotated[str, PlainValidator(_text), WithJsonSchema({"type": "string", "minLength": 1})]
Adoption = Annotated[
    tuple[Quantity, ...],
    PlainValidator(_adoption),
    WithJsonSchema(
        {
            "anyOf": [
                _quantity_schema("One share for every year", maximum=1),
                {"type": "array", "minItems": 1, "items": _quantity_schema("", maximum=1)},
            ],
            "description": "Share of customers paying in year 1, 2, ...; the last repeats",
        }
    ),
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
AlternativeKind = Literal["open-source", "vendor", "in-house", "manual", "other"]
ALTERNATIVE_KINDS: tuple[str, ...] = ("open-source", "vendor", "in-house", "manual", "other")


class Policy(BaseModel):
    """Thresholds for the flags; unset means "inherit" (CLI, problem, portfolio, built-in)."""

    model_config = _FROZEN

    cap_threshold: Threshold | None = None
    thin_margin: Threshold | None = None


DEFAULT_CAP_THRESHOLD = 0.5
DEFAULT_THIN_MARGIN = 0.2


class Alternative(BaseModel):
    """An existing way customers solve the problem today, costed per customer."""

    model_config = _FROZEN

    name: Text
    kind: AlternativeKind = "other"
    annual_cost: Amount = 0.0
    one_time_cost: Amount = 0.0
    solves: Percent = 1.0


class Market(BaseModel):
    """Who has the problem and what it costs one of them a year."""

    model_config = _FROZEN

    customers: Count
    problem_cost: Amount | None = None
    revenue: Amount | None = None
    problem_share: Percent | None = None


class Solution(BaseModel):
    """The candidate we might build, its costs, adoption and price."""

    model_config = _FROZEN

    name: Text = "our solution"
    build_cost: Amount = 0.0
    annual_cost: Amount = 0.0
    cost_per_customer: Amount = 0.0
    solves: Percent = 1.0
    adoption: Adoption
    price: Amount | None = None


class Problem(BaseModel):
    """One problem file (or one entry of a portfolio), format version 1."""

    model_config = _FROZEN

    pmsize: Annotated[int, PlainValidator(_format_version), WithJsonSchema({"const": 1})] = 1
    name: Text
    description: (
        Annotated[str, PlainValidator(_text), WithJsonSchema({"type": "string"})] | None
    ) = None
    currency: Annotated[
        str, PlainValidator(_currency), WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$"})
    ] = "USD"
    horizon_years: Annotated[
        int,
        PlainValidator(_years),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 50}),
    ] = 5
    discount_rate: Percent = 0.10
    market: Market
    solution: Solution
    alternatives: tuple[Alternative, ...] = Field(default=())
    policy: Policy = Policy()


def cross_checks(problem: Problem) -> list[tuple[tuple[str | int, ...], str]]:
    """Rules that span fields, as (field path, message) pairs; empty when the problem is sound."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    market = problem.market
    if market.problem_cost is not None:
        if market.revenue is not None or market.problem_share is not None:
            found.append(
                (
                    ("market", "problem_cost"),
                    "give either problem_cost, or revenue and problem_share, not both",
                )
            )
    elif market.revenue is None or market.problem_share is None:
        missing = "problem_share" if market.revenue is not None else "revenue"
        if market.revenue is None and market.problem_share is None:
            message = "give problem_cost (per customer a year), or revenue and problem_share"
        else:
            message = f"{missing} is missing; revenue and problem_share go together"
        found.append((("market",), message))
    if _upper(problem.discount_rate) >= 1:
        found.append((("discount_rate",), "must be below 100%"))
    if _lower(problem.solution.solves) <= 0:
        found.append((("solution", "solves"), "must be above 0%; a solution that solves nothing"))
    adoption = problem.solution.adoption
    if len(adoption) > problem.horizon_years:
        found.append(
            (
                ("solution", "adoption"),
                f"lists {len(adoption)} years but horizon_years is {problem.horizon_years}; "
                f"shorten the list or raise the horizon",
            )
        )
    return found


def _upper(q: Quantity) -> float:
    return q.high if isinstance(q, Range) else q


def _lower(q: Quantity) -> float:
    return q.low if isinstance(q, Range) else q
