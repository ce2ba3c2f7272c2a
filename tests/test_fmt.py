"""`fmt`: how numbers read. Most of it is tested through the tables and formats; here,
what only the charts use."""

from __future__ import annotations

import pytest

from pmsize._fmt import MINUS, money_ticks


@pytest.mark.parametrize(
    ("ticks", "labels"),
    [
        # the tornado's ticks read `−$10.0m−$5.00m` run together: now as short as they can be
        ([-10e6, -5e6, 0, 5e6], [f"{MINUS}$10m", f"{MINUS}$5m", "$0", "$5m"]),
        # one decimal when a tick needs it, then for every tick of that unit
        ([0, 2.5e6, 5e6, 7.5e6], ["$0", "$2.5m", "$5.0m", "$7.5m"]),
        # each tick in its own unit, decimals decided per unit
        ([0, 500e3, 1e6, 1.5e6], ["$0", "$500k", "$1.0m", "$1.5m"]),
        ([0, 200e6, 400e6, 1e9], ["$0", "$200m", "$400m", "$1b"]),
        ([0.25, 0.5, 0.75], ["$0.25", "$0.50", "$0.75"]),
        # a tick a locator puts a hair off zero is zero
        ([-2e6, -1.1102230246251565e-10, 2e6], [f"{MINUS}$2m", "$0", "$2m"]),
        # float noise in a tick is not a decimal
        ([999_999.9999, 2_000_000.0000001], ["$1m", "$2m"]),
        # beyond what units show: as `money` writes it
        ([1e15, 2e15], ["$1.00e+15", "$2.00e+15"]),
        ([1.23456e6], ["$1.23m"]),
        ([], []),
    ],
)
def test_money_ticks_say_as_much_as_they_need(ticks: list[float], labels: list[str]) -> None:
    assert money_ticks(ticks) == labels


def test_money_ticks_use_the_currency_as_money_does() -> None:
    assert money_ticks([0, 1e6], "EUR") == ["€0", "€1m"]
    assert money_ticks([-2e6, 0], "CHF") == [f"{MINUS}CHF 2m", "CHF 0"]
