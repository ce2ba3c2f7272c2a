"""What a set of results adds up to: verdict counts and totals, currency by currency.

Amounts in different currencies never add up or rank together: `currency_groups` keeps
the results of each currency apart, and the summary of problems in several currencies
has no total, only each currency's (SPEC §5, README "Problems in different currencies").
Every format reads its summary here; `render.json` writes it as the JSON `summary`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pmsize._results import Evaluation, Verdict

MIXED_CURRENCIES_NOTE = (
    "The problems use different currencies: the totals are null, the results are ranked "
    "within each currency, and by_currency holds each currency's totals."
)


def currency_groups(results: Sequence[Evaluation]) -> list[tuple[str, list[Evaluation]]]:
    """The results of each currency, in the order given, the currencies as they first appear.

    `service.rank` already returns the results grouped this way.
    """
    groups: dict[str, list[Evaluation]] = {}
    for r in results:
        groups.setdefault(r.currency, []).append(r)
    return list(groups.items())


def counts(results: Sequence[Evaluation]) -> dict[str, Any]:
    """`problems` and the number of each verdict."""
    found: dict[str, Any] = {"problems": len(results)}
    for verdict in Verdict:
        found[str(verdict)] = sum(r.verdict == verdict for r in results)  # plain words
    return found


def totals(results: Sequence[Evaluation]) -> dict[str, float]:
    """`total_npv` and `total_market_size` of problems in one currency."""
    return {
        "total_npv": math.fsum(r.npv for r in results),
        "total_market_size": math.fsum(r.market_size for r in results),
    }


def summary(results: Sequence[Evaluation]) -> dict[str, Any]:
    """Counts per verdict and the portfolio totals, as the JSON `summary` (SPEC §5).

    When the problems use more than one currency the totals are null, and three more
    fields say why and give what does add up: `currencies` (in result order),
    `by_currency` (each currency's counts and totals) and a `note`.
    """
    groups = currency_groups(results)
    found = counts(results)
    if len(groups) <= 1:
        found.update(totals(results))
        return found
    found.update(total_npv=None, total_market_size=None)
    found["currencies"] = [currency for currency, _ in groups]
    found["by_currency"] = [
        {"currency": currency, **counts(group), **totals(group)} for currency, group in groups
    ]
    found["note"] = MIXED_CURRENCIES_NOTE
    return found


__all__ = ["MIXED_CURRENCIES_NOTE", "counts", "currency_groups", "summary", "totals"]
