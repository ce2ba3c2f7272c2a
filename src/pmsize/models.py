"""The problem file as frozen Pydantic models (SPEC §2, format version 1), and its JSON Schema.

Fields hold parsed values: money, shares and counts are floats or `Range`s
(see `values`). Amount fields read the file's currency from the validation
context, so a `€` in a USD file is caught where it is written. Rules that span
fields live in `cross_checks`, which reads the raw data (so they are reported
together with every field error) and names the field to blame.

`json_schema()` is the schema editors use: each field's schema mirrors its
parser (amount strings by pattern, written in the ECMA-262 subset editors
understand), and `SCHEMA_GAPS` lists the few rules only the loader can check.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from pmsize import values
from pmsize._iso4217 import CODES as ISO_4217
from pmsize.values import Quantity, Range

MAX_HORIZON = 50
DEFAULT_HORIZON = 5

# ---------------------------------------------------------------------------------------------
# JSON Schema fragments for the value grammar of `values` (no inline flags or named groups:
# yaml-language-server evaluates patterns as JavaScript regular expressions).
# ---------------------------------------------------------------------------------------------


def _ci(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


_SCALE = "(?:" + "|".join(_ci(w) for w in sorted(values.SCALES, key=len, reverse=True)) + ")"
# digits: grouped by commas, or with underscores; no leading zero on a whole number (octal in 1.1)
# (separators only between digits)
_WHOLE = r"(?:0(?:_[0-9]+)*|[1-9][0-9]*(?:_[0-9]+)*|(?:0|[1-9][0-9]{0,2})(?:,[0-9]{3})+)"
_DECIMAL = r"(?:[0-9]+(?:_[0-9]+)*\.[0-9]*|[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]*|\.[0-9]+)"
_NONZERO = r"(?=[-+\s$€£¥A-Za-z]*[0-9_,.]*[1-9])"  # a digit 1-9 before the number ends
_CODE = "[A-Za-z]{3}"  # the file's ISO code, before or after the number
_AMOUNT_NUMBER = rf"\+?(?:{_DECIMAL}|{_WHOLE})(?:[eE][-+]?[0-9]+)?(?:\s*{_SCALE})?"
# the ISO code stands before or after the number instead of a symbol: never twice, never both
_AMOUNT_TEXT = (
    rf"(?:{_CODE}\s*\+?\s*{_AMOUNT_NUMBER}"
    rf"|\+?\s*[$€£¥]\s*{_AMOUNT_NUMBER}"
    rf"|\+?\s*{_AMOUNT_NUMBER}(?:\s+{_CODE})?)"
)
_COUNT_TEXT = rf"\+?\s*(?:{_DECIMAL}|{_WHOLE})(?:[eE][-+]?[0-9]+)?(?:\s*{_SCALE})?"
_PERCENT_SIGN = r"\+?\s*(?:0*100(?:\.0*)?|0*[0-9]{1,2}(?:\.[0-9]*)?|0*\.[0-9]+)\s*%"
_PERCENT_SIGN_BELOW_100 = r"\+?\s*(?:0*[0-9]{1,2}(?:\.[0-9]*)?|0*\.[0-9]+)\s*%"
# a bare 1 is refused as ambiguous (1% or 100%?): fractions are below 1
_FRACTION = r"\+?(?:0|0*\.[0-9]+|0+\.[0-9]*)"
_FRACTION_BELOW_1 = r"\+?(?:0|0*\.[0-9]+|0+\.[0-9]*)"
_TO = r"\s+[tT][oO]\s+"


def _point_text(kind: values.Kind, *, positive: bool = False, below_one: bool = False) -> str:
    """The pattern of one value written as text, without anchors."""
    if kind == "percent":
        sign, fraction = (
            (_PERCENT_SIGN_BELOW_100, _FRACTION_BELOW_1)
            if below_one
            else (_PERCENT_SIGN, _FRACTION)
        )
        body = f"(?:{sign}|{fraction})"
    else:
        body = _AMOUNT_TEXT if kind == "amount" else _COUNT_TEXT
    return (_NONZERO if positive else "") + body


def _point(kind: values.Kind, *, positive: bool = False, below_one: bool = False) -> dict[str, Any]:
    """One value: a number, or text matching the grammar."""
    number: dict[str, Any] = {"type": "number"}
    number["exclusiveMinimum" if positive else "minimum"] = 0
    if kind != "percent":
        number["maximum"] = values.MAX_VALUE
    else:
        number["exclusiveMaximum"] = 1  # a bare 1 is ambiguous: 1% or 100%?
    text = _point_text(kind, positive=positive, below_one=below_one)
    return {"anyOf": [number, {"type": "string", "pattern": rf"^\s*{text}\s*$"}]}


def _quantity_schema(
    kind: values.Kind, description: str, *, positive: bool = False, below_one: bool = False
) -> dict[str, Any]:
    """A value or a range of values (`low to high`, or `{low, high, dist}`)."""
    point = _point(kind, positive=positive, below_one=below_one)
    low_positive = _point(kind, positive=True, below_one=below_one)
    high = _point_text(kind, below_one=below_one)
    low = _point_text(kind, positive=True, below_one=below_one)
    range_map: dict[str, Any] = {
        "type": "object",
        "properties": {"low": point, "high": point, "dist": {"enum": list(values.DISTS)}},
        "required": ["low", "high"],
        "additionalProperties": False,
        # an unnamed shape is lognormal, which needs low above 0
        "if": {"properties": {"dist": {"const": "lognormal"}}},
        "then": {"properties": {"low": low_positive}},
    }
    range_text = {"type": "string", "pattern": rf"^\s*{low}{_TO}{high}\s*$"}
    schema: dict[str, Any] = {"anyOf": [*point["anyOf"], range_text, range_map]}
    if description:
        schema["description"] = description
    return schema


# ---------------------------------------------------------------------------------------------
# Field parsers: raw text (or a number, or a mapping for a range) in, checked values out.
# ---------------------------------------------------------------------------------------------


def _amount(raw: object, info: ValidationInfo) -> Quantity:
    currency = (info.context or {}).get("currency", "")
    return values.parse_amount(raw, currency)


def _percent(raw: object) -> Quantity:
    return values.parse_percent(raw)


def _count(raw: object) -> Quantity:
    return values.parse_count(raw)


def _rate(raw: object) -> Quantity:
    """A discount rate: a percent below 100%, so a bare 1 can only have meant 1%."""
    if isinstance(raw, str) and raw.strip() in ("1", "1.0"):
        raise ValueError(f"{raw.strip()} is ambiguous; write 1% (a discount rate is below 100%)")
    rate = values.parse_percent(raw)
    if _upper(rate) >= 1:
        what = (
            "the range reaches 100%"
            if isinstance(rate, Range)
            else f"{values.describe(raw)} is not below 100%"
        )
        raise ValueError(f"{what}; a discount rate must be below 100%, such as 10%")
    return rate


def _relief(raw: object) -> Quantity:
    solves = values.parse_percent(raw)
    if _lower(solves) <= 0:
        if isinstance(solves, Range):
            raise ValueError(
                "the range starts at 0%, where the solution removes none of the problem; "
                "start it above 0%, such as 10%"
            )
        raise ValueError(
            f"{values.describe(raw)} removes none of the problem, so the solution is worth "
            "nothing; write the share it removes, such as 80%"
        )
    return solves


def _threshold(raw: object) -> float:
    return values.parse_number(raw, "percent")


def _roi_threshold(raw: object) -> float:
    """An ROI from 0 up: `150%` or a fraction such as 0.2; a bare number over 1 is ambiguous."""
    text = raw.strip() if isinstance(raw, str) else None
    if text is None or not text.endswith("%"):
        try:
            return values.parse_number(raw, "percent")
        except ValueError as exc:
            shown = str(raw).strip()
            if " is negative" in str(exc):
                raise ValueError(f"{shown} is negative; ROI thresholds start at 0%") from None
            if " is read as " not in str(exc):
                raise
            # a bare 1.5: 1.5% or 150%?
            value = values.parse_number(raw, "count") * 100
            raise ValueError(
                f"{shown} is read as {value:g}%; write {shown}%, or {value:g}% if you mean that"
            ) from None
    try:
        return values.parse_number(text[:-1], "count") / 100
    except ValueError as exc:
        if " is negative" in str(exc):
            reason = "is negative; ROI thresholds start at 0%"
        else:
            reason = "is not a percent; write one such as 20% or 150%"
        raise ValueError(f"{text} {reason}") from None


def _text(raw: object) -> str:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError("is empty; write some text, or leave the key out")
    if not isinstance(raw, str):
        raise ValueError(f"expected text, got {values.describe(raw)}")
    return raw


_YEARS_WORD = re.compile(r"\s+years?$", re.IGNORECASE)
# digits, and `.0` at most (`5.0` is the whole number 5, as the schema allows); never an
# exponent, a scale or separators (`1e1`, `0.01k`), which no one counts years in
_YEARS_DIGITS = re.compile(r"^\+?[0-9]+(?:\.0*)?$")


def _years(raw: object) -> int:
    if isinstance(raw, Mapping) or (isinstance(raw, str) and values.split_range(raw[:200])):
        raise ValueError(
            "a horizon cannot be a range; write one whole number of years, such as 5, and "
            "try others in separate runs"
        )
    text = _YEARS_WORD.sub("", raw.strip()) if isinstance(raw, str) and len(raw) < 200 else raw
    try:
        if isinstance(text, str) and not _YEARS_DIGITS.match(text):
            raise ValueError(text)
        years = values.parse_number(text, "count")
    except ValueError:
        years = -1.0
    if not years.is_integer() or years < 0:
        raise ValueError(
            f"{values.describe(raw)} is not a whole number of years; write a number from 1 to "
            f"{MAX_HORIZON}"
        )
    if not 1 <= years <= MAX_HORIZON:
        raise ValueError(
            f"{years:g} is outside 1 to {MAX_HORIZON}; write a number of years from 1 to "
            f"{MAX_HORIZON}"
        )
    return int(years)


def currency_code(raw: object) -> str:
    """An active ISO 4217 code as written in a file (any case), upper-cased."""
    # `usd` is plainly USD: accept any case rather than report every amount as mismatched
    code = raw.strip().upper() if isinstance(raw, str) else ""
    if code in ISO_4217:
        return code
    close = (
        sorted(difflib.get_close_matches(code, sorted(ISO_4217), n=3, cutoff=0.6))
        if len(code) == 3
        else []
    )
    hint = f"did you mean {_or(close)}?" if close else "write e.g. USD, EUR or GBP"
    raise ValueError(f"{values.describe(raw)} is not an ISO 4217 currency code; {hint}")


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def format_version(raw: object) -> int:
    """The file format version; only 1 exists."""
    try:
        version = values.parse_number(raw, "count")
    except ValueError:
        version = -1.0
    if version != 1:
        raise ValueError(
            f"format version {values.describe(raw)} is not supported; this pmsize reads `pmsize: 1`"
        )
    return 1


def _adoption(raw: object, info: ValidationInfo) -> tuple[Quantity, ...]:
    if isinstance(raw, list | tuple):
        if not raw:
            raise ValueError(
                "the adoption list is empty; give at least one share, such as [1%, 2%]"
            )
        # the length first: a list of millions is refused before any item is read
        horizon = (info.context or {}).get("horizon", MAX_HORIZON)
        if len(raw) > horizon:
            raise ValueError(too_many_years(len(raw), horizon))
        shares: list[Quantity] = []
        for index, item in enumerate(raw):
            try:
                shares.append(values.parse_percent(item))
            except ValueError as exc:
                raise values.ItemError(index, str(exc)) from None
        return tuple(shares)
    try:
        return (values.parse_percent(raw),)
    except ValueError:
        if isinstance(raw, str) and "," in raw and len(raw) <= values.MAX_TEXT:
            items = [item.strip() for item in raw.split(",")]
            if all(items):
                raise ValueError(
                    f"{raw.strip()} is one text, not a list; write a list in brackets: "
                    f"[{', '.join(items)}]"
                ) from None
        raise


def too_many_years(length: int, horizon: int) -> str:
    """The message for a per-year list longer than the horizon."""
    return (
        f"lists {length:,} years but horizon_years is {horizon}; "
        "shorten the list or raise the horizon"
    )


def horizon_of(data: Mapping[str, Any]) -> int:
    """The horizon a problem's raw data gives, to judge its per-year lists by; the widest
    allowed when `horizon_years` is itself wrong (that is reported on its own)."""
    try:
        return _years(data.get("horizon_years", DEFAULT_HORIZON))
    except ValueError:
        return MAX_HORIZON


_TEXT_SCHEMA = {"type": ["string", "number", "boolean"], "pattern": r"\S"}
# Named schemas: `json_schema()` moves each into $defs and refers to it where it is used.
SCHEMA_DEFS: dict[str, dict[str, Any]] = {
    "Amount": _quantity_schema("amount", "An amount of money: 250k, $5m, 1.2bn, or a range"),
    "Percent": _quantity_schema(
        "percent", "A share: 10% or 0.1 (a bare 1 is ambiguous: write 1% or 100%), or a range"
    ),
    "Rate": _quantity_schema("percent", "A yearly rate below 100%: 10% or 0.1", below_one=True),
    "Relief": _quantity_schema(
        "percent", "The share of the problem removed, above 0%", positive=True
    ),
    "Count": _quantity_schema("count", "A count: 400, 1,200, 40k, or a range"),
    "Share": _quantity_schema("percent", "A share: 10% or 0.1, or a range", below_one=False)
    | {
        "description": "A share of customers paying: 2% or 0.02 (a bare 1 is ambiguous: "
        "write 1% or 100%), or a range"
    },
    "Threshold": _point("percent")
    | {"description": "A share: 10% or 0.1 (a bare 1 is ambiguous: write 1% or 100%)"},
    # an ROI, not a share: over 100% with the percent sign (`150%`); a bare number stays below 1
    "RoiThreshold": {
        "anyOf": [
            {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
            {"type": "string", "pattern": rf"^\s*(?:{_COUNT_TEXT}\s*%|{_FRACTION})\s*$"},
        ],
        "description": "An ROI from 0 up: 20%, 150% or 0.2 (a bare number is below 1; "
        "write 150%, not 1.5)",
    },
    "Text": _TEXT_SCHEMA,
}
Amount = Annotated[Quantity, PlainValidator(_amount), WithJsonSchema(SCHEMA_DEFS["Amount"])]
Percent = Annotated[Quantity, PlainValidator(_percent), WithJsonSchema(SCHEMA_DEFS["Percent"])]
Rate = Annotated[Quantity, PlainValidator(_rate), WithJsonSchema(SCHEMA_DEFS["Rate"])]
Relief = Annotated[Quantity, PlainValidator(_relief), WithJsonSchema(SCHEMA_DEFS["Relief"])]
Count = Annotated[Quantity, PlainValidator(_count), WithJsonSchema(SCHEMA_DEFS["Count"])]
Threshold = Annotated[float, PlainValidator(_threshold), WithJsonSchema(SCHEMA_DEFS["Threshold"])]
RoiThreshold = Annotated[
    float, PlainValidator(_roi_threshold), WithJsonSchema(SCHEMA_DEFS["RoiThreshold"])
]
Text = Annotated[str, PlainValidator(_text), WithJsonSchema(SCHEMA_DEFS["Text"])]
Adoption = Annotated[
    tuple[Quantity, ...],
    PlainValidator(_adoption),
    WithJsonSchema(
        {
            "anyOf": [
                SCHEMA_DEFS["Share"],
                {"type": "array", "minItems": 1, "items": SCHEMA_DEFS["Share"]},
            ],
            "description": "Share of customers paying in year 1, 2, ...; the last repeats",
        }
    ),
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
AlternativeKind = Literal["open-source", "vendor", "in-house", "manual", "other"]


class Policy(BaseModel):
    """Thresholds for the flags; unset means "inherit" (CLI, problem, portfolio, built-in)."""

    model_config = _FROZEN

    cap_threshold: Threshold | None = None  # a share of our value, at most 100%
    thin_margin: RoiThreshold | None = None  # an ROI, which may be over 100%


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


def _given(key: str) -> dict[str, Any]:
    return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}


def _absent(key: str) -> dict[str, Any]:
    return {"properties": {key: {"type": "null"}}}


class Market(BaseModel):
    """Who has the problem and what it costs one of them a year."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"allOf": [_given("problem_cost"), _absent("revenue"), _absent("problem_share")]},
                {"allOf": [_absent("problem_cost"), _given("revenue"), _given("problem_share")]},
            ]
        },
    )

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
    solves: Relief = 1.0
    adoption: Adoption
    price: Amount | None = None


class Problem(BaseModel):
    """One problem file (or one entry of a portfolio), format version 1."""

    model_config = _FROZEN

    pmsize: Annotated[
        int,
        PlainValidator(format_version),
        WithJsonSchema({"anyOf": [{"const": 1}, {"const": "1"}]}),
    ] = 1
    name: Text
    description: (
        Annotated[str, PlainValidator(_text), WithJsonSchema(SCHEMA_DEFS["Text"])] | None
    ) = None
    currency: Annotated[
        str,
        PlainValidator(currency_code),
        WithJsonSchema({"type": "string", "pattern": r"^\s*[A-Za-z]{3}\s*$"}),
    ] = "USD"
    horizon_years: Annotated[
        int,
        PlainValidator(_years),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "integer", "minimum": 1, "maximum": MAX_HORIZON},
                    {
                        "type": "string",
                        "pattern": r"^\s*\+?(?:[1-9]|[1-4][0-9]|50)(?:\.0*)?"
                        r"(?:\s+[yY][eE][aA][rR][sS]?)?\s*$",
                    },
                ]
            }
        ),
    ] = DEFAULT_HORIZON
    discount_rate: Rate = 0.10
    market: Market
    solution: Solution
    alternatives: tuple[Alternative, ...] = Field(default=())
    policy: Policy = Policy()

    @field_validator("alternatives", "policy", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object, info: ValidationInfo) -> object:
        """`alternatives:` or `policy:` with nothing under it (every entry commented out)."""
        if value is None:
            return () if info.field_name == "alternatives" else {}
        return value

    @model_validator(mode="after")
    def _adoption_within_horizon(self) -> Problem:
        """Without the loader's context (the API), the list is judged once the horizon is read."""
        if len(self.solution.adoption) > self.horizon_years:
            raise ValueError(too_many_years(len(self.solution.adoption), self.horizon_years))
        return self


Loc = tuple[str | int, ...]


NO_ALTERNATIVE = "none"  # what reports call the ceiling's setter when no alternative sets it


def cross_checks(data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """Rules that span fields, checked on a problem's raw data as (field path, message) pairs.

    They read only the structure (which keys are given, how long a list is), so they are
    reported together with any field errors; empty when the rules hold.
    """
    found: list[tuple[Loc, str]] = []
    market = data.get("market")
    if isinstance(market, Mapping) and set(market) <= set(Market.model_fields):
        keys = ("problem_cost", "revenue", "problem_share")
        given = {key for key in keys if market.get(key) is not None}
        if "problem_cost" in given and given & {"revenue", "problem_share"}:
            found.append(
                (
                    ("market", "problem_cost"),
                    "give either problem_cost, or revenue and problem_share, not both",
                )
            )
        elif "problem_cost" not in given and given != {"revenue", "problem_share"}:
            if not given:
                message = "give problem_cost (per customer a year), or revenue and problem_share"
            else:
                missing = "problem_share" if "revenue" in given else "revenue"
                message = f"{missing} is missing; revenue and problem_share go together"
            found.append((("market",), message))
    alternatives = data.get("alternatives")
    named: dict[str, int] = {}
    for index, alternative in enumerate(alternatives if isinstance(alternatives, list) else []):
        name = alternative.get("name") if isinstance(alternative, Mapping) else None
        if name == NO_ALTERNATIVE:
            found.append(
                (
                    ("alternatives", index, "name"),
                    f"{NO_ALTERNATIVE!r} is reserved: it stands for no alternative setting the "
                    "ceiling; rename this one",
                )
            )
        elif isinstance(name, str) and name.strip():
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


def _upper(q: Quantity) -> float:
    return q.high if isinstance(q, Range) else q


def _lower(q: Quantity) -> float:
    return q.low if isinstance(q, Range) else q


# ---------------------------------------------------------------------------------------------
# The whole schema: a single problem, or a portfolio (`problems:` with `defaults:` and `policy:`)
# ---------------------------------------------------------------------------------------------

SCHEMA_ID = "https://raw.githubusercontent.com/pmsize/pmsize/main/pmsize.schema.json"

# What only the loader checks: rules between values or about how YAML text is written.
SCHEMA_GAPS = (
    "a range's low end below its high end",
    "currency symbols and codes that match `currency`",
    "a `currency` that ISO 4217 lists",
    "unique alternative names within a problem",
    "an adoption list no longer than horizon_years",
    "unique problem names in a portfolio",
    "amounts over a quadrillion written as text",
    "YAML written in ways editors read differently: duplicate keys, anchors, tags, "
    "octal-looking numbers such as 012, .nan",
)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a problem file, single or portfolio, generated from the models."""
    problem = _refer_to_named(Problem.model_json_schema())
    defs: dict[str, Any] = problem.pop("$defs") | SCHEMA_DEFS
    defs["Problem"] = problem
    fields = problem["properties"]
    for key in ("alternatives", "policy"):  # written with nothing under it: none, defaults
        fields[key] = {"anyOf": [fields[key], {"type": "null"}]}
    required = problem["required"]
    defs["ProblemDefaults"] = {
        "type": "object",
        "description": "Any top-level problem field, applied key by key to every problem",
        "properties": fields,
        "additionalProperties": False,
    }
    item: dict[str, Any] = {
        "type": "object",
        "description": "A problem; keys it leaves out come from `defaults:`",
        "properties": fields,
        "additionalProperties": False,
        "allOf": [
            {
                "if": {
                    "properties": {"defaults": {"type": "object", "required": [key]}},
                    "required": ["defaults"],
                },
                "else": {"properties": {"problems": {"items": {"required": [key]}}}},
            }
            for key in required
        ],
    }
    conditions = item.pop("allOf")
    defs["PortfolioProblem"] = item
    defs["Portfolio"] = {
        "type": "object",
        "title": "Portfolio",
        "description": "Several problems, with shared defaults and policy",
        "properties": {
            "pmsize": fields["pmsize"],
            "problems": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/PortfolioProblem"},
            },
            "defaults": {"anyOf": [{"$ref": "#/$defs/ProblemDefaults"}, {"type": "null"}]},
            "policy": {"anyOf": [{"$ref": "#/$defs/Policy"}, {"type": "null"}]},
        },
        "required": ["problems"],
        "additionalProperties": False,
        "allOf": conditions,
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "pmsize problem file",
        "description": (
            "A pmsize problem file (format version 1): one product problem to size, "
            "or a portfolio. "
            "`pmsize validate` also checks: " + "; ".join(SCHEMA_GAPS) + "."
        ),
        "if": {"type": "object", "required": ["problems"]},
        "then": {"$ref": "#/$defs/Portfolio"},
        "else": {"$ref": "#/$defs/Problem"},
        "$defs": dict(sorted(defs.items())),
    }


_ANNOTATIONS = ("default", "title")


def _refer_to_named(node: Any) -> Any:
    """`node` with every copy of a `SCHEMA_DEFS` schema replaced by a $ref to it."""
    if isinstance(node, list):
        return [_refer_to_named(item) for item in node]
    if not isinstance(node, dict):
        return node
    bare = {k: v for k, v in node.items() if k not in _ANNOTATIONS}
    for name, schema in SCHEMA_DEFS.items():
        if bare == schema:
            notes = {k: node[k] for k in _ANNOTATIONS if k in node}
            return {"$ref": f"#/$defs/{name}", **notes}
    return {key: _refer_to_named(value) for key, value in node.items()}
