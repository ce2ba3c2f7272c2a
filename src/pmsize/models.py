"""The problem file as frozen Pydantic models (SPEC §2, format version 1).

Fields hold parsed values: money, shares and counts are floats or `Range`s
(see `values`). Amount fields read the file's currency from the validation
context, so a `€` in a USD file is caught where it is written. Rules that span
fields live in `cross_checks`, which reads the raw data (so they are reported
together with every field error) and names the field to blame; a `Problem` checks
the same rules once its fields are valid, and `Problem.model_validate` takes its
context (currency, horizon) from the data, so a problem built in code is held to
every rule a file is.

Each field names its JSON Schema (`Schema("Amount")`); `pmsize.schema` builds the
schema editors use, and is imported only when a schema is asked for.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from pmsize import correlations, values
from pmsize._iso4217 import CODES as ISO_4217
from pmsize.correlations import Correlation
from pmsize.errors import Location
from pmsize.values import MARKET_RULE_MARK, Quantity, Range, Schema

MAX_HORIZON = 50
DEFAULT_HORIZON = 5

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


def _growth(raw: object) -> Quantity:
    return values.parse_growth(raw)


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


def _correlations(raw: object) -> tuple[Correlation, ...]:
    return correlations.parse(raw)


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


def _whole(raw: object) -> float:
    """A whole number written in digits (`5`, `5.0`, or the number 5), else -1."""
    text = raw.strip() if isinstance(raw, str) else raw
    try:
        if isinstance(text, str) and not _YEARS_DIGITS.match(text):
            return -1.0
        number = values.parse_number(text, "count")
    except ValueError:  # a yes/no value, a list, a mapping, a negative number
        return -1.0
    return number if number.is_integer() else -1.0


def _years(raw: object) -> int:
    if isinstance(raw, Mapping) or (isinstance(raw, str) and values.split_range(raw[:200])):
        raise ValueError(
            "a horizon cannot be a range; write one whole number of years, such as 5, and "
            "try others in separate runs"
        )
    text = _YEARS_WORD.sub("", raw.strip()) if isinstance(raw, str) and len(raw) < 200 else raw
    years = _whole(text)
    if years < 0:
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
        return _yearly_items(
            raw,
            values.parse_percent,
            info,
            "the adoption list is empty; give at least one share, such as [1%, 2%]",
        )
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


def _yearly_items(
    raw: list[object] | tuple[object, ...],
    parse: Callable[[object], Quantity],
    info: ValidationInfo,
    empty: str,
) -> tuple[Quantity, ...]:
    """A per-year list, the last value repeating: not empty, no longer than the horizon
    (judged before any item is read, so a list of millions costs nothing), each item
    parsed on its own and a bad one reported at its index."""
    if not raw:
        raise ValueError(empty)
    horizon = (info.context or {}).get("horizon", MAX_HORIZON)
    # an alternative's list counts from its arrival (SPEC §7): `from_year` is read first
    arrival = info.data.get("from_year", 1) if info.field_name in YEARLY_FIELDS else 1
    if len(raw) > horizon - arrival + 1:
        raise ValueError(too_many_years(len(raw), horizon, arrival))
    items: list[Quantity] = []
    for index, item in enumerate(raw):
        try:
            items.append(parse(item))
        except ValueError as exc:
            raise values.ItemError(index, str(exc)) from None
    return tuple(items)


def _by_year(
    parse: Callable[[object], Quantity], example: str
) -> Callable[[object, ValidationInfo], Quantity | tuple[Quantity, ...]]:
    """A field that is one value, or a list of values a year whose last value repeats
    (SPEC §7)."""

    def by_year(raw: object, info: ValidationInfo) -> Quantity | tuple[Quantity, ...]:
        if not isinstance(raw, list | tuple):
            return parse(raw)
        empty = f"the list is empty; give a value for year 1 at least, such as {example}"
        return _yearly_items(raw, parse, info, empty)

    return by_year


def _from_year(raw: object, info: ValidationInfo) -> int:
    """The year an alternative becomes available: a whole number from 1 to the horizon."""
    horizon = (info.context or {}).get("horizon", MAX_HORIZON)
    if isinstance(raw, Mapping) or (isinstance(raw, str) and values.split_range(raw[:200])):
        raise ValueError(
            "the year an alternative arrives cannot be a range; write one year, such as 3, "
            "and compare others with a second file (pmsize diff)"
        )
    year = _whole(raw)
    if not 1 <= year <= horizon:
        raise ValueError(
            f"{values.describe(raw)} is not a year from 1 to {horizon} (horizon_years); write "
            "the year the alternative becomes available, such as 3"
        )
    return int(year)


T = TypeVar("T")


def each_year(items: Sequence[T], horizon: int) -> tuple[T, ...]:
    """A per-year list as SPEC §2 and §7 read it, for years 1..horizon: the last value
    repeats (the same object, so years that share it can share their figures)."""
    return (*items[:horizon], *[items[-1]] * (horizon - len(items)))


def from_arrival(items: Sequence[T], from_year: int, horizon: int) -> tuple[T, ...]:
    """An alternative's per-year list on the calendar of years 1..horizon (SPEC §7): item 1
    is the year it arrives (`from_year`), item 2 the year after, the last value repeating.
    The years before it arrives hold item 1 too, so every year has a value; no figure reads
    them (the alternative is not there yet). Always `horizon` values, even for an
    alternative arriving after it (as diff sees one when it shortens the horizon)."""
    before = min(from_year - 1, horizon)
    return (*[items[0]] * before, *each_year(items, horizon - before))


def too_many_years(length: int, horizon: int, from_year: int = 1) -> str:
    """The message for a per-year list longer than the years it can cover: the horizon,
    or for an alternative the years from its arrival to the horizon's end."""
    if from_year == 1:
        return (
            f"lists {length:,} years but horizon_years is {horizon}; "
            "shorten the list or raise the horizon"
        )
    left = horizon - from_year + 1
    return (
        f"lists {length:,} years but the alternative arrives in year {from_year} of "
        f"{horizon} (horizon_years), which leaves {left} year{'' if left == 1 else 's'}; "
        "item 1 is the year it arrives, so shorten the list or raise the horizon"
    )


def horizon_of(data: Mapping[str, Any]) -> int:
    """The horizon a problem's raw data gives, to judge its per-year lists by; the widest
    allowed when `horizon_years` is itself wrong (that is reported on its own)."""
    try:
        return _years(data.get("horizon_years", DEFAULT_HORIZON))
    except ValueError:
        return MAX_HORIZON


def problem_context(data: Mapping[str, Any]) -> dict[str, Any]:
    """What a problem's fields are judged by, read from its raw data: the currency its
    amounts must match ("" when `currency` is itself wrong, so that one bad code is one
    error, not one more for every amount) and the horizon its per-year lists must fit."""
    try:
        currency = currency_code(data.get("currency", "USD"))
    except ValueError:
        currency = ""
    return {"currency": currency, "horizon": horizon_of(data)}


def _amount_by_year(raw: object, info: ValidationInfo) -> ByYear:
    return _by_year(lambda item: _amount(item, info), "[$150k, $120k]")(raw, info)


def _percent_by_year(raw: object, info: ValidationInfo) -> ByYear:
    return _by_year(_percent, "[60%, 75%, 90%]")(raw, info)


Amount = Annotated[Quantity, PlainValidator(_amount), Schema("Amount")]
Percent = Annotated[Quantity, PlainValidator(_percent), Schema("Percent")]
Rate = Annotated[Quantity, PlainValidator(_rate), Schema("Rate")]
Relief = Annotated[Quantity, PlainValidator(_relief), Schema("Relief")]
Count = Annotated[Quantity, PlainValidator(_count), Schema("Count")]
Threshold = Annotated[float, PlainValidator(_threshold), Schema("Threshold")]
RoiThreshold = Annotated[float, PlainValidator(_roi_threshold), Schema("RoiThreshold")]
Text = Annotated[str, PlainValidator(_text), Schema("Text")]
Adoption = Annotated[tuple[Quantity, ...], PlainValidator(_adoption), Schema("Adoption")]
Growth = Annotated[Quantity, PlainValidator(_growth), Schema("Growth")]
FromYear = Annotated[int, PlainValidator(_from_year), Schema("FromYear")]
# an alternative's figures, one value or one a year (SPEC §7)
ByYear = Quantity | tuple[Quantity, ...]
AmountByYear = Annotated[ByYear, PlainValidator(_amount_by_year), Schema("AmountByYear")]
PercentByYear = Annotated[ByYear, PlainValidator(_percent_by_year), Schema("PercentByYear")]
Correlations = Annotated[
    tuple[Correlation, ...], PlainValidator(_correlations), Schema("Correlations")
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


NO_POLICY = Policy()  # a policy that sets no threshold: the file's, or the built-in, apply


YEARLY_FIELDS = ("annual_cost", "one_time_cost", "solves")  # an alternative's per-year figures


class Alternative(BaseModel):
    """An existing way customers solve the problem today, costed per customer."""

    model_config = _FROZEN

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
    `pmsize.schema` writes in when a schema is generated."""
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
        Schema("Version"),
    ] = 1
    name: Text
    description: Annotated[str, PlainValidator(_text), Schema("Text")] | None = None
    currency: Annotated[
        str,
        PlainValidator(currency_code),
        Schema("Currency"),
    ] = "USD"
    horizon_years: Annotated[int, PlainValidator(_years), Schema("Years")] = DEFAULT_HORIZON
    discount_rate: Rate = 0.10
    market: Market
    solution: Solution
    alternatives: tuple[Alternative, ...] = Field(default=())
    policy: Policy = Policy()
    # rank correlations between ranged inputs (SPEC §10), in file order
    correlations: Correlations = ()
    # Set by the loader, never read from a file: where the problem's `name:` is, the
    # `policy:` of the portfolio it came in, and, when asked for, the data it was validated
    # from (see `source`, `portfolio_policy`, `as_written`).
    _source: Location | None = PrivateAttr(default=None)
    _portfolio_policy: Policy | None = PrivateAttr(default=None)
    _as_written: Mapping[str, Any] | None = PrivateAttr(default=None)

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        **kwargs: Any,
    ) -> Problem:
        """A problem from data written as in a file, checked by every rule the loader
        applies: without a `context`, the one the data gives (`problem_context`), so a `€`
        amount in a USD problem is refused in code as in a file."""
        if context is None and isinstance(obj, Mapping):
            context = problem_context(obj)
        return super().model_validate(
            obj, strict=strict, from_attributes=from_attributes, context=context, **kwargs
        )

    @property
    def source(self) -> Location | None:
        """Where the problem was read from (`file:line:column` of its `name:`); None when
        the problem was built in code."""
        return self._source

    @property
    def portfolio_policy(self) -> Policy:
        """The `policy:` of the portfolio file the problem came in (empty if none)."""
        return self._portfolio_policy or Policy()

    @property
    def as_written(self) -> Mapping[str, Any] | None:
        """The data the problem was validated from, as its file writes it: every value the
        file's text, `defaults:` merged in. Kept only when the loader is asked to (`diff`
        reads files so, to show changed values as written); None otherwise."""
        return self._as_written

    def _located(
        self,
        source: Location,
        portfolio_policy: Policy | None = None,
        as_written: Mapping[str, Any] | None = None,
    ) -> Problem:
        """This problem, marked as read from `source` in a portfolio with that policy (and
        validated from `as_written`, when that is kept)."""
        self._source = source
        self._portfolio_policy = portfolio_policy
        self._as_written = as_written
        return self

    @field_validator("alternatives", "policy", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object, info: ValidationInfo) -> object:
        """`alternatives:` or `policy:` with nothing under it (every entry commented out)."""
        if value is None:
            return () if info.field_name == "alternatives" else {}
        return value

    @model_validator(mode="after")
    def _years_within_horizon(self) -> Problem:
        """Without the loader's context (the API), per-year lists and `from_year` are judged
        once the horizon is read."""
        horizon = self.horizon_years
        if len(self.solution.adoption) > horizon:
            raise ValueError(too_many_years(len(self.solution.adoption), horizon))
        for alternative in self.alternatives:
            if alternative.from_year > horizon:
                raise ValueError(
                    f"{alternative.name}: from_year {alternative.from_year} is after the "
                    f"horizon of {horizon} years"
                )
            left = horizon - alternative.from_year + 1
            for field in YEARLY_FIELDS:
                given = getattr(alternative, field)
                if isinstance(given, tuple) and len(given) > left:
                    too_long = too_many_years(len(given), horizon, alternative.from_year)
                    raise ValueError(f"{alternative.name}: {field} {too_long}")
        return self

    @model_validator(mode="after")
    def _rules_hold(self) -> Problem:
        """The rules of `cross_checks`, for a problem built in code as for one read from a
        file (where the loader has already reported them, at their lines)."""
        market = self.market
        found = _cost_rule({key for key in _COST_KEYS if getattr(market, key) is not None})
        found += _name_rules([a.name for a in self.alternatives])
        if found:
            raise RuleError(found)
        return self

    @model_validator(mode="after")
    def _correlations_hold(self) -> Problem:
        """Each side of a correlation a ranged input, and the pairs able to hold together."""
        if self.correlations:
            found = correlations.check(self)
            if found:
                raise correlations.CorrelationError(found, of_problem=True)
        return self


Loc = tuple[str | int, ...]


NO_ALTERNATIVE = "none"  # what reports call the ceiling's setter when no alternative sets it


class RuleError(ValueError):
    """Every rule spanning fields that a problem breaks, each as (field path, message):
    the loader locates each at its field; the library shows them all."""

    def __init__(self, problems: Sequence[tuple[Loc, str]]) -> None:
        super().__init__("; ".join(f"{_loc_text(loc)}: {message}" for loc, message in problems))
        self.problems = tuple(problems)


def _loc_text(loc: Loc) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)[1:]


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
        found += _cost_rule({key for key in _COST_KEYS if market.get(key) is not None})
    alternatives = data.get("alternatives")
    if isinstance(alternatives, list):
        found += _name_rules(
            [a.get("name") if isinstance(a, Mapping) else None for a in alternatives]
        )
    return found


_COST_KEYS = ("problem_cost", "revenue", "problem_share")


def _cost_rule(given: set[str]) -> list[tuple[Loc, str]]:
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


def _name_rules(names: Sequence[object]) -> list[tuple[Loc, str]]:
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


def _upper(q: Quantity) -> float:
    return q.high if isinstance(q, Range) else q


def _lower(q: Quantity) -> float:
    return q.low if isinstance(q, Range) else q
