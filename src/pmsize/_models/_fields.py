"""The value types of a problem's fields: raw text (or a number, or a mapping for a range)
in, checked values out.

Fields hold parsed values: money, shares and counts are floats or `Range`s (see
`values`). Amount fields read the file's currency from the validation context, so a `€`
in a USD file is caught where it is written; per-year lists read the horizon from it,
and an alternative's lists its arrival (`from_year`). Each type names its JSON Schema
(`Schema("Amount")`), which `pmsize._schema` builds and the catalogue (`inputs`) reads an
input's kind from.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import PlainValidator, ValidationInfo

from pmsize import _pairs as pairs
from pmsize import _values as values
from pmsize._iso4217 import CODES as ISO_4217
from pmsize._pairs import Correlation
from pmsize._values import Quantity, Range, Schema

MAX_HORIZON = 50
DEFAULT_HORIZON = 5
YEARLY_FIELDS = ("annual_cost", "one_time_cost", "solves")  # an alternative's per-year figures


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
    return pairs.parse(raw)


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


KindWord = Literal["open-source", "vendor", "in-house", "manual", "other"]
ALTERNATIVE_KINDS: tuple[KindWord, ...] = ("open-source", "vendor", "in-house", "manual", "other")


def _alternative_kind(raw: object) -> KindWord:
    return values.parse_choice(raw, ALTERNATIVE_KINDS)


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
Version = Annotated[int, PlainValidator(format_version), Schema("Version")]
Currency = Annotated[str, PlainValidator(currency_code), Schema("Currency")]
# `kind: Vendor` is vendor, as `currency: eur` is EUR: read in any case, held lower case
AlternativeKind = Annotated[KindWord, PlainValidator(_alternative_kind), Schema("AlternativeKind")]
Years = Annotated[int, PlainValidator(_years), Schema("Years")]
# an alternative's figures, one value or one a year (SPEC §7)
ByYear = Quantity | tuple[Quantity, ...]
AmountByYear = Annotated[ByYear, PlainValidator(_amount_by_year), Schema("AmountByYear")]
PercentByYear = Annotated[ByYear, PlainValidator(_percent_by_year), Schema("PercentByYear")]
Correlations = Annotated[
    tuple[Correlation, ...], PlainValidator(_correlations), Schema("Correlations")
]


def _upper(q: Quantity) -> float:
    return q.high if isinstance(q, Range) else q


def _lower(q: Quantity) -> float:
    return q.low if isinstance(q, Range) else q
