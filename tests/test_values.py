"""The value grammar of SPEC §2: amounts, percents, counts and ranges."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest

from pmsize._values import Range, parse_amount, parse_count, parse_percent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$5m", 5e6),
        ("5M", 5e6),
        ("5,000,000", 5e6),
        ("1.2bn", 1.2e9),
        ("250k", 250e3),
        ("40 million", 40e6),
        ("1e6", 1e6),
        ("3mm", 3e6),
        ("2t", 2e12),
        ("1.5mn", 1.5e6),
        ("5tn", 5e12),
        ("5 MN", 5e6),
        ("USD 5m", 5e6),
        ("5m USD", 5e6),
        ("usd 5m", 5e6),
        ("USD5m", 5e6),
        ("1_000_000", 1e6),
        ("1_500", 1500.0),
        ("$0", 0.0),
        (400, 400.0),
        (0.5, 0.5),
    ],
)
def test_amounts_read_as_finance_writes_them(text: object, expected: float) -> None:
    assert parse_amount(text, "USD") == pytest.approx(expected)


def test_euro_symbol_is_accepted_in_a_euro_file() -> None:
    assert parse_amount("€3m", "EUR") == 3e6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("€3m", "€ but the file's currency is USD"),
        ("-5m", "negative"),
        ("$-5m", "negative"),
        (".nan", "not a finite number"),
        ("inf", "not a finite number"),
        ("1,5m", "not a thousands separator"),
        ("012", "leading zero"),
        ("yes", "yes/no value"),
        ("2024-01-01", "looks like a date"),
        ("1:30", "base 60"),
        ("lots", "not an amount"),
        (True, "yes/no value"),
        ("1e300", "over a quadrillion"),
    ],
)
def test_bad_amounts_say_what_is_wrong(text: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_amount(text, "USD")


def test_percent_with_sign_or_fraction() -> None:
    assert parse_percent("10%") == pytest.approx(0.1)
    assert parse_percent("0.1") == pytest.approx(0.1)
    assert parse_percent("0.5") == 0.5
    assert parse_percent("100%") == 1.0


@pytest.mark.parametrize("bare_one", ["1", "1.0", "+1", 1, 1.0])
def test_a_bare_one_for_a_share_is_ambiguous_and_suggests_both_readings(bare_one: object) -> None:
    # regression: `adoption: [0.5, 1]` silently read 1 as 100%
    assert refusal(lambda: parse_percent(bare_one)) == (
        f"{str(bare_one).strip()} is ambiguous: write 1% for one in a hundred, or 100% for all"
    )


def test_bare_number_above_one_for_a_share_suggests_percent() -> None:
    with pytest.raises(ValueError, match=r"10 is read as 1000%; write 10%"):
        parse_percent("10")


def test_percent_over_hundred_is_refused() -> None:
    with pytest.raises(ValueError, match="over 100%"):
        parse_percent("150%")


def test_counts_take_suffixes_but_no_currency() -> None:
    assert parse_count("1,200") == 1200
    assert parse_count("40k") == 40_000
    with pytest.raises(ValueError, match="has a currency, but this is a count; drop the \\$"):
        parse_count("$400")


def test_text_range_is_lognormal_with_geometric_median() -> None:
    q = parse_amount("$1m to $4m", "USD")
    assert q == Range(1e6, 4e6, "lognormal")
    assert isinstance(q, Range)
    # median sqrt(1m * 4m) = 2m; sigma = ln(4) / (2 * 1.6449) = 0.42142
    assert q.central == pytest.approx(2e6)
    assert q.mean == pytest.approx(2e6 * math.exp(0.421423**2 / 2), rel=1e-5)


def test_mapping_range_with_named_shape_uses_arithmetic_median() -> None:
    q = parse_amount({"low": "0", "high": "30m", "dist": "uniform"}, "USD")
    assert isinstance(q, Range)
    assert q.central == 15e6
    assert q.mean == 15e6


@pytest.mark.parametrize("written", ["Uniform", "UNIFORM", " uniform "])
def test_a_range_names_its_shape_in_any_case(written: str) -> None:
    assert parse_amount({"low": "0", "high": "30m", "dist": written}, "USD") == Range(
        0.0, 30e6, "uniform"
    )


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("normel", "dist normel is not one of: lognormal, normal or uniform; did you mean normal?"),
        ("beta", "dist beta is not one of: lognormal, normal or uniform"),
        (True, "dist a yes/no value is not one of: lognormal, normal or uniform"),
    ],
)
def test_an_unknown_shape_names_the_one_meant_when_one_is_close(
    written: object, message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_amount({"low": "1", "high": "30m", "dist": written}, "USD")


def test_range_from_zero_must_name_its_shape() -> None:
    with pytest.raises(ValueError, match="must name its shape"):
        parse_amount("0 to 30m", "USD")


def test_percent_range_parses_each_end_as_a_percent() -> None:
    assert parse_percent("1% to 3%") == Range(0.01, 0.03, "lognormal")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1__0", "1__0: separators go only between digits, as in 1_000 or 1,000,000; "),
        ("1000_", "1000_: separators go only between digits, as in 1_000 or 1,000,000; "),
        ("_1", "_1: separators go only between digits, as in 1_000 or 1,000,000; "),
        ("1,,000", "1,,000: separators go only between digits, as in 1_000 or 1,000,000; "),
        ("5m EUR", "5m EUR is written in EUR but the file's currency is USD; drop EUR or set "),
        ("EUR 5m", "EUR 5m is written in EUR but the file's currency is USD; drop EUR or set "),
        # regression: a code on both sides, or beside a symbol, was read as 5m (SPEC §2: the
        # code stands before or after the number instead of a symbol)
        (
            "USD 5m USD",
            "USD 5m USD names its currency twice; write the code once, before or after the "
            "number, as in USD 5m or 5m USD",
        ),
        (
            "$5m USD",
            "$5m USD has both a symbol and a currency code; write one of them, as in $5m or 5m USD",
        ),
        (
            "USD $5m",
            "USD $5m has both a symbol and a currency code; write one of them, as in $5m or 5m USD",
        ),
        ("5m ABC", "5m ABC is not an amount; "),
    ],
)
def test_amount_text_the_grammar_refuses(text: str, message: str) -> None:
    # regression: `1__0` and `1000_` were read as numbers
    assert refusal(lambda: parse_amount(text, "USD")).startswith(message)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("$3,500/month", "write $42,000"),
        ("$3,500 per month", "write $42,000"),
        ("3.5k/mo", "write 42,000"),
        ("$10k a quarter", "write $40,000"),
        ("$3,500/yr", "write $3,500"),
        ("$3,500 per year", "write $3,500"),
    ],
)
def test_an_amount_per_period_says_amounts_are_yearly_and_gives_the_yearly_figure(
    text: str, hint: str
) -> None:
    assert refusal(lambda: parse_amount(text, "USD")) == (
        f"{text}: amounts are yearly figures (a price or cost is per customer a year); {hint}"
    )


def test_an_absurdly_long_value_is_refused_before_any_pattern_reads_it() -> None:
    assert refusal(lambda: parse_amount("1" + " " * 20_000 + "x", "USD")) == (
        "a value of 20,002 characters is far too long for an amount; write an amount such as "
        "250k, $5m or 1,200,000"
    )


@pytest.mark.parametrize(
    "text",
    ["1" + " " * 5_000 + "x", "$" + " " * 5_000 + "-", "1" + " " * 5_000 + "k" + " " * 5_000],
)
def test_the_number_pattern_rejects_long_runs_of_spaces_in_one_pass(text: str) -> None:
    # regression: adjacent optional `\s*` made the pattern quadratic; the first text took 1.5 s
    # before (20 s at 20,000 spaces) and takes milliseconds now. Not timed here: the figures
    # are printed by benchmarks/fuzz.py.
    from pmsize._values import _NUMBER

    assert _NUMBER.match(text) is None


def test_a_range_is_split_on_the_word_to_whatever_the_spacing() -> None:
    from pmsize._values import split_range

    assert split_range("$1m   to\t$4m") == ["$1m", "$4m"]
    assert split_range("$1m") is None
    assert split_range("1 to 2 to 3") == ["1", "2", "3"]
    assert split_range("to" + " " * 50_000 + "x") == ["", "x"]


def test_the_shipped_currency_codes_are_the_active_iso_4217_list() -> None:
    # kept in sync by scripts/iso4217.py; a pycountry upgrade that changes the list fails here
    import pycountry

    from pmsize._iso4217 import CODES

    assert sorted(CODES) == sorted(currency.alpha_3 for currency in pycountry.currencies)


@pytest.mark.parametrize(("written", "code"), [("USD", "USD"), ("usd", "USD"), (" eur ", "EUR")])
def test_a_currency_is_an_iso_4217_code_in_any_case(written: str, code: str) -> None:
    from pmsize._models import currency_code

    assert currency_code(written) == code


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("EUE", "EUE is not an ISO 4217 currency code; did you mean EUR?"),
        ("USS", "USS is not an ISO 4217 currency code; did you mean USD, USN or UZS?"),
        ("QQQ", "QQQ is not an ISO 4217 currency code; write e.g. USD, EUR or GBP"),
        ("dollars", "dollars is not an ISO 4217 currency code; write e.g. USD, EUR or GBP"),
        (None, "an empty value is not an ISO 4217 currency code; write e.g. USD, EUR or GBP"),
        (["USD"], "a list is not an ISO 4217 currency code; write e.g. USD, EUR or GBP"),
    ],
)
def test_an_unknown_currency_code_is_refused_with_the_closest_codes(
    written: object, message: str
) -> None:
    # regression: any three letters were accepted, and None showed as a Python repr
    from pmsize._models import currency_code

    assert refusal(lambda: currency_code(written)) == message


def refusal(call: Callable[[], object]) -> str:
    """The message of the ValueError `call` raises."""
    try:
        call()
    except ValueError as exc:
        return str(exc)
    raise AssertionError("accepted")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        # grouped, but not by thousands (as in India): the same number, grouped by thousands
        ("1,00,000", "write 100,000, with a comma every three digits, or 100000"),
        ("1,000,00.5", "write 100,000.5, with a comma every three digits, or 100000.5"),
        # one comma: perhaps a decimal comma, perhaps a misplaced separator
        ("1,5", "write 1.5 for a decimal, or 15 for a whole number"),
        ("12,50", "write 12.50 for a decimal, or 1,250 for a whole number"),
    ],
)
def test_a_misplaced_comma_gets_a_hint_for_that_very_number(text: str, hint: str) -> None:
    with pytest.raises(ValueError, match=re.escape(hint)):
        parse_count(text)
