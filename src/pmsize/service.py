"""What the commands do, as plain functions: load, evaluate, rank (the library API)."""

from __future__ import annotations

import gc
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError

from pmsize import engine, fmt, loader
from pmsize.engine import VERDICTS, Evaluation
from pmsize.errors import UsageError
from pmsize.models import Policy

SORT_KEYS: dict[str, Callable[[Evaluation], tuple[Any, ...]]] = {
    "npv": lambda r: (-r.npv, r.name),
    "roi": lambda r: (-_roi_rank(r), r.name),
    "ceiling": lambda r: (-r.ceiling_per_customer, r.name),
    "name": lambda r: (r.name.casefold(), r.name),
}


def _roi_rank(r: Evaluation) -> float:
    """ROI for ranking: with nothing spent ROI is undefined, and then a positive NPV is an
    unbounded return (first), anything else last."""
    if r.roi is not None:
        return r.roi
    return math.inf if r.npv > 0 else -math.inf


# Told `(done, total)` as work goes on; `total` is None while files are still being read.
Progress = Callable[[int, int | None], None]
PROGRESS_EVERY = 100  # problems between two progress reports


def cli_policy(cap_threshold: str | None, thin_margin: str | None) -> Policy:
    """Thresholds given on the command line (`--cap-threshold 40%`), checked as a file's are.

    `--cap-threshold` is a share of our value, at most 100%. `--thin-margin` is an ROI,
    which can be over 100% (`150%`); a bare number over 1 is refused as ambiguous.
    """
    given = {"cap_threshold": cap_threshold, "thin_margin": thin_margin}
    try:
        return Policy.model_validate({key: raw for key, raw in given.items() if raw is not None})
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        option = "--" + str(error["loc"][0]).replace("_", "-")
        reason = error["ctx"]["error"] if error["type"] == "value_error" else error["msg"]
        raise UsageError(fmt.safe_text(f"{option}: {reason}")) from None


def evaluate_entries(
    entries: Iterable[loader.Entry], policy: Policy, progress: Progress | None = None
) -> list[Evaluation]:
    """Point evaluations, thresholds resolved CLI flag > problem > portfolio > built-in."""
    todo = list(entries)
    results: list[Evaluation] = []
    total = len(todo)
    for done, entry in enumerate(todo):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
        results.append(
            engine.evaluate(
                entry.problem,
                engine.resolve_thresholds(policy, entry.problem.policy, entry.portfolio_policy),
                entry.location,
            )
        )
    if progress is not None:
        progress(total, total)
    return results


def evaluate_paths(
    paths: Iterable[str],
    policy: Policy,
    *,
    sort: str = "npv",
    progress: Progress | None = None,
) -> list[Evaluation]:
    """Load every problem from `paths`, evaluate and rank them.

    For a large portfolio, run it inside `collector_paused()` (as `pmsize evaluate`
    does, around rendering too).
    """
    if progress is not None:
        progress(0, None)
    entries = loader.load_paths(paths)
    return rank(evaluate_entries(entries, policy, progress), sort)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector, restoring its state afterwards.

    Loading, evaluating and rendering a portfolio allocate millions of small objects
    that stay alive and hold no cycles; the generational collector would rescan the
    growing heap again and again for nothing (on 10,000 problems it more than doubled
    the time of `evaluate`). Reference counting still frees whatever is dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def rank(results: Sequence[Evaluation], sort: str) -> list[Evaluation]:
    """Results best first by `sort` (npv, roi, ceiling or name), within each currency.

    Amounts in different currencies do not compare (€7.43m is not more than $3.98m),
    so the results come grouped by currency, each group ranked on its own: the
    currency with the most problems first, ties by its code.
    """
    sizes = Counter(r.currency for r in results)
    key = SORT_KEYS[sort]
    return sorted(results, key=lambda r: (-sizes[r.currency], r.currency, key(r)))


def worst_verdict(results: Sequence[Evaluation]) -> str | None:
    """The most concerning verdict among the results, None when there are none."""
    if not results:
        return None
    return max((r.verdict for r in results), key=VERDICTS.index)
