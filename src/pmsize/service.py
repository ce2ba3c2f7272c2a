"""What the commands do, as plain functions: load, evaluate, rank (the library API)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pmsize import engine, loader, values
from pmsize.engine import VERDICTS, Evaluation
from pmsize.errors import UsageError
from pmsize.models import Policy

SORT_KEYS = {
    "npv": lambda r: (-r.npv, r.name),
    "roi": lambda r: (-(r.roi if r.roi is not None else float("-inf")), r.name),
    "ceiling": lambda r: (-r.ceiling_per_customer, r.name),
    "name": lambda r: (r.name.casefold(), r.name),
}


def cli_policy(cap_threshold: str | None, thin_margin: str | None) -> Policy:
    """Thresholds given on the command line (`--cap-threshold 40%`), checked like file values."""
    found: dict[str, float] = {}
    for option, raw in (("cap-threshold", cap_threshold), ("thin-margin", thin_margin)):
        if raw is None:
            continue
        try:
            found[option.replace("-", "_")] = values.parse_number(raw, "percent")
        except ValueError as exc:
            raise UsageError(f"--{option}: {exc}") from None
    return Policy(**found)


def evaluate_entries(entries: Iterable[loader.Entry], policy: Policy) -> list[Evaluation]:
    """Point evaluations, thresholds resolved CLI flag > problem > portfolio > built-in."""
    return [
        engine.evaluate(
            entry.problem,
            engine.resolve_thresholds(policy, entry.problem.policy, entry.portfolio_policy),
            entry.location,
        )
        for entry in entries
    ]


def evaluate_paths(paths: Iterable[str], policy: Policy, *, sort: str = "npv") -> list[Evaluation]:
    """Load every problem from `paths`, evaluate and rank them."""
    return rank(evaluate_entries(loader.load_paths(paths), policy), sort)


def rank(results: Sequence[Evaluation], sort: str) -> list[Evaluation]:
    """Results best first by `sort` (npv, roi, ceiling or name)."""
    return sorted(results, key=SORT_KEYS[sort])


def worst_verdict(results: Sequence[Evaluation]) -> str | None:
    """The most concerning verdict among the results, None when there are none."""
    if not results:
        return None
    return max((r.verdict for r in results), key=VERDICTS.index)
