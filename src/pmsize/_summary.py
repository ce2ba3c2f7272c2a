"""What a column of samples comes to: mean and percentiles (`Summary`), and a histogram."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]

PERCENTILES = (5, 25, 50, 75, 95)
HISTOGRAM_BINS = 48
HISTOGRAM_SPAN = (1.0, 99.0)  # percentiles the NPV histogram spans


@dataclass(frozen=True)
class Summary:
    """Mean and percentiles of one figure over the samples; None when undefined in all."""

    mean: float | None
    p5: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    p95: float | None
    # the standard error of the mean, s / sqrt(n) (sample standard deviation s over the n
    # finite samples): how far the mean may be from the one infinitely many samples give
    se: float | None = None

    def to_dict(self, *, se: bool = False) -> dict[str, float | None]:
        """`{mean, p5, p25, p50, p75, p95}`, as the JSON writes it; with `se`, the mean's
        standard error too (NPV's, `npv.se`)."""
        found = {
            "mean": self.mean,
            "p5": self.p5,
            "p25": self.p25,
            "p50": self.p50,
            "p75": self.p75,
            "p95": self.p95,
        }
        return found | {"se": self.se} if se else found


@dataclass(frozen=True)
class Histogram:
    """Counts of samples in equal bins from `low` to `high` (the middle of the distribution)."""

    low: float
    high: float
    counts: tuple[int, ...]
    outside: int  # samples below `low` or above `high`


def summarise(x: Floats) -> Summary:
    """Mean and p5/p25/p50/p75/p95 of the finite samples (None when there are none)."""
    return summary_and(x.copy(), ())[0]


def summary_and(x: Floats, extra: tuple[float, ...]) -> tuple[Summary, tuple[float, ...]]:
    """`summarise(x)` and the percentiles `extra` of it, found in one partition of `x`.

    Only finite samples count (ROI is NaN where nothing is spent, and can overflow
    where next to nothing is). Reorders `x` in place (a partial sort), not a copy.
    """
    finite = np.isfinite(x)
    defined = x if finite.all() else x[finite]
    if defined.size == 0:
        return Summary(None, None, None, None, None, None), ()
    found = percentiles(defined, (*PERCENTILES, *extra), in_place=True)
    p5, p25, p50, p75, p95 = found[: len(PERCENTILES)]
    n = defined.size
    se = None
    if n > 1:
        with np.errstate(over="ignore", invalid="ignore"):  # samples near the float limit
            spread = float(defined.std(ddof=1))
        se = spread / math.sqrt(n) if math.isfinite(spread) else None
    summary = Summary(float(defined.mean()), p5, p25, p50, p75, p95, se)
    return summary, tuple(found[len(PERCENTILES) :])


def percentiles(x: Floats, qs: tuple[float, ...], *, in_place: bool = False) -> list[float]:
    """Percentiles `qs` (0..100) of `x`, as numpy's default (linear) method gives them.

    The value at virtual index h = (n - 1) * q / 100, interpolated between its
    neighbours, from one partial sort (np.percentile would also import numpy.ma);
    `in_place` sorts `x` itself instead of a copy.
    """
    n = x.size
    virtual = [(n - 1) * q / 100 for q in qs]
    below = [math.floor(h) for h in virtual]
    kth = sorted({k for b in below for k in (b, min(b + 1, n - 1))})
    if in_place:
        x.partition(kth)
        ordered = x
    else:
        ordered = np.partition(x, kth)
    found = []
    for h, b in zip(virtual, below, strict=True):
        a, c = float(ordered[b]), float(ordered[min(b + 1, n - 1)])
        found.append(a + (c - a) * (h - b))
    return found


def histogram(x: Floats, low: float, high: float, bins: int = HISTOGRAM_BINS) -> Histogram:
    """Counts of `x` in equal bins from `low` to `high`, and how many fall outside."""
    edges = np.linspace(low, high, bins + 1)
    if not np.all(edges[1:] > edges[:-1]):  # no spread worth drawing (or below float precision)
        return Histogram(low, high, (), 0)
    counts, _ = np.histogram(x, bins=edges)
    return Histogram(low, high, tuple(int(c) for c in counts), int(x.size - counts.sum()))


__all__ = [
    "HISTOGRAM_BINS",
    "HISTOGRAM_SPAN",
    "PERCENTILES",
    "Histogram",
    "Summary",
    "histogram",
    "percentiles",
    "summarise",
    "summary_and",
]
