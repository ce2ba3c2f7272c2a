"""The value grammar of SPEC §2: amounts, percents, counts and ranges."""

from __future__ import annotations

import math

import pytest

from pmsize.values import Range, parse_amount, parse_count, parse_percent


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
    assert parse_percent(1) == 1.0


def test_bare_number_above_one_for_a_share_suggests_percent() -> None:
    with pytest.raises(ValueError, match=r"10 is read as 1000%; write 10%"):
        parse_percent("10")


def test_percent_over_hundred_is_refused() -> None:
    with pytest.raises(ValueError, match="over 100%"):
        parse_percent("150%")


def test_counts_take_suffixes_but_no_currency() -> None:
    assert parse_count("1,200") == 1200
    assert parse_count("40k") == 40_000
    with pytest.raises(ValueError, match="currency symbol"):
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


def test_range_from_zero_must_name_its_shape() -> None:
    with pytest.raises(ValueError, match="must name its shape"):
        parse_amount("0 to 30m", "USD")


def test_percent_range_parses_each_end_as_a_percent() -> None:
    assert parse_percent("1% to 3%") == Range(0.01, 0.03, "lognormal")
