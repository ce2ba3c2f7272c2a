"""Amounts, percents, counts and ranges: the value grammar of the problem file (SPEC §2).

Every parser takes what the loader hands it -- the scalar's text as written in
the file (the loader never lets YAML 1.1 guess types), a Python number (from
tests and the API), or for a range a mapping -- and returns a `Quantity`: a
plain float, or a `Range` whose `central` value the point evaluation uses.
Parsers raise `ValueError` with a message a person can act on; the loader
adds the file, line, column and field path.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, TypeVar

from pmsize._iso4217 import CODES as ISO_4217

Kind = Literal["amount", "percent", "count", "growth"]
Dist = Literal["lognormal", "normal", "uniform"]
DISTS: tuple[Dist, ...] = ("lognormal", "normal", "uniform")
Word = TypeVar("Word", bound=str)  # one of a field's choices (`Dist`, an alternative's kind)

MAX_VALUE = 1e15
MAX_GROWTH = 10.0  # +1,000% a year: beyond it customers over a long horizon overflow
MAX_SPREAD = 1e12  # the widest high/low a lognormal range may have
# low and high are the 5th and 95th percentiles: z(0.95) of the standard normal.
Z95 = 1.6448536269514722

SYMBOLS = {"$": ("USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN"), "€": ("EUR",), "£": ("GBP",)}
SYMBOLS["¥"] = ("JPY", "CNY")
SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
}

# The grammar is linear by construction: every run of spaces follows a token that must be
# there, so no two `\s*` can trade the same spaces (which made "1<20,000 spaces>x" take 20 s).
_NUMBER = re.compile(
    r"""^(?:(?P<code>[A-Za-z]{3})\s*)?
    (?:(?P<sign>[-+])\s*)?
    (?:(?P<symbol>[$€£¥])\s*)?
    (?P<sign2>[-+])?
    (?P<digits>[0-9]+(?:[,_][0-9]+)*(?:\.[0-9]*)?|\.[0-9]+)
    (?P<exp>[eE][-+]?[0-9]+)?
    (?:\s*(?P<scale>thousand|trillion|million|billion|mm|mn|bn|tn|k|m|b|t)(?![A-Za-z]))?
    (?:\s*(?P<percent>%))?
    (?:\s+(?P<code2>[A-Za-z]{3}))?$""",
    re.IGNORECASE | re.VERBOSE,
)
_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$")
# `$3,500/month`, `$3,500 per month`: amounts are yearly, and the hint gives the yearly figure
_PER = re.compile(r"(?:/|\bper\b|\ba\b)\s*(?P<unit>[A-Za-z]+)\.?$", re.IGNORECASE)
_PER_YEAR = {
    "month": 12,
    "months": 12,
    "mo": 12,
    "mth": 12,
    "quarter": 4,
    "qtr": 4,
    "week": 52,
    "wk": 52,
    "year": 1,
    "yr": 1,
    "annum": 1,
    "y": 1,
}
MAX_TEXT = 100  # characters in one value: `$1,000,000,000 to $2,000,000,000` is 31
_BOOL_WORDS = {"yes", "no", "true", "false", "on", "off", "y", "n"}
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_ARTICLE = {"amount": "an", "percent": "a", "count": "a", "growth": "a"}
_EXAMPLES = {
    "amount": "write an amount such as 250k, $5m or 1,200,000",
    "percent": "write a percent such as 10% (or a fraction such as 0.1)",
    "count": "write a count such as 400, 1,200 or 40k",
    "growth": "write a yearly growth such as 8% or -5% (or a fraction such as 0.08)",
}


@dataclass(frozen=True, slots=True)
class Range:
    """An uncertain input: `low` and `high` are its 5th and 95th percentiles
    (its bounds for `uniform`), in the same units as a point value."""

    low: float
    high: float
    dist: Dist = "lognormal"

    @property
    def central(self) -> float:
        """The median: sqrt(low*high) for lognormal, (low+high)/2 otherwise."""
        if self.dist == "lognormal":
            return math.sqrt(self.low * self.high)
        return (self.low + self.high) / 2

    @property
    def sigma(self) -> float:
        """Spread of the underlying normal: log-space for lognormal, plain for normal."""
        if self.dist == "lognormal":
            return (math.log(self.high) - math.log(self.low)) / (2 * Z95)
        return (self.high - self.low) / (2 * Z95)

    @property
    def mean_differs(self) -> bool:
        """Whether the mean is over 25% away from the median: output then shows both."""
        return abs(self.mean - self.central) > 0.25 * abs(self.central)

    @property
    def mean(self) -> float:
        """The mean before clipping: exp(mu + sigma^2/2) for lognormal, the median otherwise."""
        if self.dist == "lognormal":
            return self.central * math.exp(self.sigma**2 / 2)
        return self.central


Quantity: TypeAlias = float | Range


class ItemError(ValueError):
    """A bad item of a list value: the loader adds `[index]` to the field's path."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


# Where a field's JSON Schema goes: `Schema` and the market's rule leave these marks in
# what pydantic generates, and `pmsize._schema` replaces each with the schema it names.
SCHEMA_MARK = "$pmsize-schema"
MARKET_RULE_MARK = "$pmsize-market-rule"


class Schema:
    """A field's value type, by name (`Amount`, `Percent`, ...): what kind of input it
    holds (`inputs.kind_of`) and, when a JSON Schema is generated (`pmsize schema`), the
    schema `pmsize._schema.field_schema` gives it, so building the models costs nothing for
    it. Stands where `pydantic.WithJsonSchema` would."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        return {SCHEMA_MARK: self.name}


def central(q: Quantity) -> float:
    """The value a point calculation uses: the number itself or the range's median."""
    return q.central if isinstance(q, Range) else q


def parse_amount(raw: object, currency: str = "USD") -> Quantity:
    """Money per year or one-time: `$5m`, `250k`, `1.2bn`, `40 million`, `1e6`, or a range."""
    return _parse_quantity(raw, "amount", currency)


def parse_percent(raw: object) -> Quantity:
    """A share from 0 to 1: `10%` or `0.1`, or a range of them."""
    return _parse_quantity(raw, "percent", "")


def parse_growth(raw: object) -> Quantity:
    """A signed yearly growth: `8%`, `-5%`, a fraction (`0.08`), or a range; above -100%."""
    return _parse_quantity(raw, "growth", "")


def parse_count(raw: object) -> Quantity:
    """A non-negative count: `400`, `1,200`, `40k`, or a range."""
    return _parse_quantity(raw, "count", "")


def parse_number(raw: object, kind: Kind, currency: str = "") -> float:
    """One point value of `kind`; a range here is an error."""
    if isinstance(raw, str):
        return _parse_text(raw, kind, currency)
    return _parse_given_number(raw, kind)


def _parse_given_number(raw: object, kind: Kind) -> float:
    """A value that is not text: a number (from tests and the API) is checked as written
    text would be; a yes/no value, an empty value, a list or a mapping is refused."""
    if isinstance(raw, bool):
        raise ValueError(f"{str(raw).lower()} is a yes/no value; {_EXAMPLES[kind]}")
    if isinstance(raw, int | float):
        value = float(raw)
        _check_finite_non_negative(value, str(raw), kind)
        return _as_kind(value, str(raw), kind, had_percent_sign=False)
    if raw is None:
        raise ValueError(f"has no value; {_EXAMPLES[kind]}")
    raise ValueError(f"expected a single value, got {describe(raw)}; {_EXAMPLES[kind]}")


# A portfolio writes the same values again and again (`10%`, `$5k`): each text is read
# once. The value is a float, and a text that is refused is read again (its error is
# raised, never kept).
@functools.lru_cache(maxsize=4096)
def _parse_text(raw: str, kind: Kind, currency: str) -> float:
    """A value written as text: matched against the grammar, its digits and currency
    checked, then scaled (`k`, `m`) and, for a percent, read as a share."""
    text = _checked_text(raw, kind)
    match = _matched(text, kind, currency)
    digits = match["digits"]
    _check_digits(text, match, digits, kind)
    _check_currency(text, match, kind, currency)
    value = float(digits.replace(",", "").replace("_", "") + (match["exp"] or ""))
    if match["scale"]:
        value *= SCALES[match["scale"].lower()]
    if kind == "growth" and "-" in (match["sign"], match["sign2"]):
        value = -value
    _check_finite_non_negative(value, text, kind)
    return _as_kind(value, text, kind, had_percent_sign=bool(match["percent"]))


def _matched(text: str, kind: Kind, currency: str) -> re.Match[str]:
    """The grammar's match of `text`, whose ISO codes, if any, are real ones; otherwise
    the message that says what the text looks like instead (`_not_a_number`)."""
    match = _NUMBER.match(text)
    if match is None or any(
        code and code.upper() not in ISO_4217 for code in (match["code"], match["code2"])
    ):
        raise ValueError(_not_a_number(text, kind, currency))
    return match


def _check_digits(text: str, match: re.Match[str], digits: str, kind: Kind) -> None:
    """No sign but on zero, commas only as thousands separators, no leading zero (which
    YAML 1.1 reads as octal) on a whole number."""
    negative = "-" in (match["sign"], match["sign2"])
    if negative and digits.strip("0_,.") != "" and kind != "growth":
        raise ValueError(f"{text} is negative; {kind}s cannot be below zero")
    if "," in digits and not _GROUPED.match(digits):
        plain = digits.replace(",", "")
        whole, dot, decimals = plain.partition(".")
        grouped = f"{int(whole):,}{dot}{decimals}" if whole.isdigit() else plain
        if digits.count(",") == 1 and not dot:  # `1,5`: perhaps a decimal comma
            decimal = digits.replace(",", ".")
            hint = f"write {decimal} for a decimal, or {grouped} for a whole number"
        else:  # `1,00,000`: grouped, but not by thousands
            hint = f"write {grouped}, with a comma every three digits, or {plain}"
        raise ValueError(f"{text}: a comma here is not a thousands separator; {hint}")
    if (
        len(digits) > 1
        and digits.startswith("0")
        and digits[1].isdigit()
        and "." not in digits
        and not match["percent"]
    ):
        raise ValueError(
            f"{text} has a leading zero (YAML 1.1 reads it as an octal number); "
            f"write {digits.lstrip('0') or '0'}"
        )


def _as_kind(value: float, text: str, kind: Kind, *, had_percent_sign: bool) -> float:
    """The number as a value of `kind`: a percent sign only on a percent, and a percent
    read as a share from 0 to 1."""
    if kind == "growth":
        return _check_growth(value / 100 if had_percent_sign else value, text, had_percent_sign)
    if had_percent_sign:
        if kind != "percent":
            article = "an" if kind == "amount" else "a"
            raise ValueError(
                f"{text} is a percent, but this is {article} {kind}; {_EXAMPLES[kind]}"
            )
        return _check_percent(value / 100, text, had_percent_sign=True)
    if kind == "percent":
        return _check_percent(value, text, had_percent_sign=False)
    return value


def _checked_text(raw: str, kind: Kind) -> str:
    """The value's text, stripped; refused before any pattern reads it when absurdly long."""
    if len(raw) > MAX_TEXT and len(raw.strip()) > MAX_TEXT:
        raise ValueError(
            f"a value of {len(raw.strip()):,} characters is far too long for "
            f"{_ARTICLE[kind]} {kind}; {_EXAMPLES[kind]}"
        )
    text = raw.strip()
    if not text:
        raise ValueError(f"the value is empty; {_EXAMPLES[kind]}")
    return text


def _check_currency(text: str, match: re.Match[str], kind: Kind, currency: str) -> None:
    """A symbol or ISO code written with the number must be the file's currency."""
    symbol = match["symbol"]
    codes = [c.upper() for c in (match["code"], match["code2"]) if c]
    if kind != "amount" and (symbol or codes):
        what = symbol or codes[0]
        raise ValueError(f"{text} has a currency, but this is a {kind}; drop the {what}")
    if symbol is not None and codes:
        # SPEC §2: the ISO code stands instead of a symbol, never beside one
        raise ValueError(
            f"{text} has both a symbol and a currency code; write one of them, "
            f"as in {symbol}5m or 5m {codes[0]}"
        )
    if len(codes) == 2:
        raise ValueError(
            f"{text} names its currency twice; write the code once, before or after the "
            f"number, as in {codes[0]} 5m or 5m {codes[0]}"
        )
    if symbol is not None and currency and currency not in SYMBOLS[symbol]:
        raise ValueError(
            f"{text} is written in {symbol} but the file's currency is {currency}; "
            f"drop the symbol or set `currency:` to match"
        )
    for code in codes:
        if currency and code != currency:
            raise ValueError(
                f"{text} is written in {code} but the file's currency is {currency}; "
                f"drop {code} or set `currency:` to match"
            )


def _parse_quantity(raw: object, kind: Kind, currency: str) -> Quantity:
    if isinstance(raw, Mapping):
        return _parse_range_mapping(raw, kind, currency)
    if isinstance(raw, str):
        text = _checked_text(raw, kind)
        parts = split_range(text)
        if parts is not None:
            if len(parts) != 2 or not all(parts):
                raise ValueError(f"{text}: a range is written `low to high`, such as `$1m to $4m`")
            low = parse_number(parts[0], kind, currency)
            high = parse_number(parts[1], kind, currency)
            if not low < high:
                if low > high:
                    raise ValueError(
                        f"{text}: the low end must be below the high end; "
                        f"write {parts[1]} to {parts[0]}"
                    )
                raise ValueError(
                    f"{text}: both ends are equal; for a value you are sure of, write it alone"
                )
            return make_range(low, high, None)
    if isinstance(raw, list | tuple):
        raise ValueError(f"expected a single value, got a list; {_EXAMPLES[kind]}")
    return parse_number(raw, kind, currency)


def parse_choice(raw: object, words: Sequence[Word], what: str = "") -> Word:
    """One of `words` (each lower case) as a file writes it, in any case (`Vendor`,
    `Normal`, as `currency: eur` and the command line's choices are read), as that word;
    otherwise a `ValueError` that lists them, and names the one meant when one is close:
    `vender is not one of: open-source, vendor, ...; did you mean vendor?` (`what` first)."""
    written = raw.strip().lower() if isinstance(raw, str) else ""
    for word in words:
        if word == written:
            return word
    close = difflib.get_close_matches(written, words, n=1, cutoff=0.6) if written else []
    hint = f"; did you mean {close[0]}?" if close else ""
    listed = f"{', '.join(words[:-1])} or {words[-1]}"
    raise ValueError(f"{what}{describe(raw)} is not one of: {listed}{hint}")


def split_range(text: str) -> list[str] | None:
    """The ends of `low to high` (None when the text has no word `to`); a word split, so
    linear in the text's length whatever its spacing."""
    words = text.split()
    cuts = [i for i, word in enumerate(words) if word.lower() == "to"]
    if not cuts:
        return None
    bounds = [-1, *cuts, len(words)]
    return [" ".join(words[i + 1 : j]) for i, j in itertools.pairwise(bounds)]


def _parse_range_mapping(raw: Mapping[object, object], kind: Kind, currency: str) -> Range:
    unknown = [str(k) for k in raw if k not in ("low", "high", "dist")]
    if unknown:
        raise ValueError(f"a range has only low, high and dist; remove {', '.join(unknown)}")
    missing = [k for k in ("low", "high") if k not in raw]
    if missing:
        raise ValueError(f"a range needs {' and '.join(missing)}, as in {{low: 50k, high: 200k}}")
    named = raw.get("dist")
    dist = None if named is None else parse_choice(named, DISTS, "dist ")
    low = parse_number(raw["low"], kind, currency)
    high = parse_number(raw["high"], kind, currency)
    if not low < high:
        raise ValueError(
            f"low ({describe(raw['low'])}) must be below high ({describe(raw['high'])}); "
            "for a value you are sure of, write it alone"
        )
    return make_range(low, high, dist)


def make_range(low: float, high: float, dist: Dist | None) -> Range:
    """A checked `Range`; `dist=None` means not named, which defaults to lognormal."""
    if not low < high:
        raise ValueError(
            f"a range needs low below high (got {low:g} and {high:g}); "
            "for a value you are sure of, write it alone"
        )
    if dist is None and low < 0:  # a growth that may be negative
        raise ValueError(
            "a range starting below 0 must name its shape: write it as "
            "{low: ..., high: ..., dist: normal} (or dist: uniform)"
        )
    if dist is None and low <= 0:
        raise ValueError(
            "a range starting at 0 must name its shape, or it would silently be lognormal: "
            "write {low: 0, high: ..., dist: uniform} (or dist: normal)"
        )
    if dist == "lognormal" and low <= 0:
        raise ValueError("a lognormal range needs low above 0; name dist: normal or uniform")
    if (dist or "lognormal") == "lognormal" and high / low > MAX_SPREAD:
        # beyond this the lognormal's mean and tail samples overflow: no estimate is this vague
        raise ValueError(
            f"a range from {low:g} to {high:g} spans more than twelve orders of magnitude; "
            "narrow it, or name dist: uniform"
        )
    return Range(low, high, dist or "lognormal")


def _check_finite_non_negative(value: float, text: str, kind: Kind) -> None:
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{text} is not a finite number; {_EXAMPLES[kind]}")
    if value < 0 and kind != "growth":
        raise ValueError(f"{text} is negative; {kind}s cannot be below zero")
    if value > MAX_VALUE:
        # products of such inputs could overflow to infinity, and JSON carries finite numbers only
        raise ValueError(f"{text} is over a quadrillion; check the units")


def _check_growth(value: float, text: str, had_percent_sign: bool) -> float:
    """A yearly growth: above -100% (at -100% every customer is gone after a year), at most
    +1,000%; a bare number is a fraction, so `8` or `-5` is refused with the percent."""
    if not had_percent_sign and abs(value) >= 1:
        if abs(value) == 1:
            sign = "-" if value < 0 else ""
            raise ValueError(
                f"{text} is ambiguous: write {sign}1% for one in a hundred, or {sign}100%"
            )
        raise ValueError(f"{text} is read as {value * 100:g}%; write {text}%")
    if value <= -1:
        raise ValueError(
            f"{text} is at or below -100%, where every customer is gone within a year; "
            "a market shrinks by less, such as -5%"
        )
    if value > MAX_GROWTH:
        raise ValueError(f"{text} is over 1,000% a year; check the units")
    return value


def _check_percent(value: float, text: str, *, had_percent_sign: bool) -> float:
    if value > 1:
        if had_percent_sign:
            raise ValueError(f"{text} is over 100%; a share is at most 100%")
        raise ValueError(f"{text} is read as {value * 100:g}%; write {text}%")
    if value == 1 and not had_percent_sign:
        # a bare 1 is as likely to mean 1% as 100%: make the writer say which
        raise ValueError(f"{text} is ambiguous: write 1% for one in a hundred, or 100% for all")
    return value


def _not_a_number(text: str, kind: Kind, currency: str = "") -> str:
    lowered = text.lower()
    if lowered in _BOOL_WORDS:
        return f"{text} is not a number (YAML reads it as a yes/no value); {_EXAMPLES[kind]}"
    if _DATE.match(text):
        return f"{text} looks like a date, not a number; {_EXAMPLES[kind]}"
    if lowered.lstrip("+-.") in ("nan", "inf", "infinity"):
        return f"{text} is not a finite number; {_EXAMPLES[kind]}"
    if re.match(r"^\d+(:\d+)+$", text):
        return f"{text} is not a number (YAML 1.1 reads it as base 60); {_EXAMPLES[kind]}"
    if re.match(r"^[-+$€£¥]?[0-9_,.]+$", text) and re.search(r"[_,]{2}|[_,]\.|[_,]$|^[_,]", text):
        return (
            f"{text}: separators go only between digits, as in 1_000 or 1,000,000; "
            f"{_EXAMPLES[kind]}"
        )
    per = _PER.search(text)
    if kind == "amount" and per is not None and per["unit"].lower() in _PER_YEAR:
        return _per_period(text, per, currency)
    return f"{text} is not {_ARTICLE[kind]} {kind}; {_EXAMPLES[kind]}"


def _per_period(text: str, per: re.Match[str], currency: str) -> str:
    """`$3,500/month`: amounts are yearly; the hint gives the yearly figure when it can."""
    amount = text[: per.start()].strip()
    times = _PER_YEAR[per["unit"].lower()]
    try:
        value = parse_number(amount, "amount", currency) * times
    except ValueError:
        return (
            f"{text}: amounts are yearly figures (a price or cost is per customer a year); "
            "write the yearly figure without the period"
        )
    match = _NUMBER.match(amount)
    symbol = (match["symbol"] if match else None) or ""
    shown = f"{value:,.0f}" if value == round(value) else f"{value:,.2f}"
    return (
        f"{text}: amounts are yearly figures (a price or cost is per customer a year); "
        f"write {symbol}{shown}"
    )


def describe(raw: object) -> str:
    """A value from a file in words for a message: never a Python repr."""
    if raw is None:
        return "an empty value"
    if isinstance(raw, bool):
        return "a yes/no value"
    if isinstance(raw, Mapping):
        return "a mapping"
    if isinstance(raw, list | tuple):
        return "a list"
    if isinstance(raw, str):
        return raw if raw.strip() else "an empty value"
    return str(raw)
