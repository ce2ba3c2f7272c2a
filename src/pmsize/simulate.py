"""Uncertainty over the same engine: Monte Carlo, tornado, break-even and value of information.

Nothing here re-derives the model. The simulation hands `engine.size` columns of
samples through a `pick` (`ArrayOps` makes the same code run over numpy arrays);
the tornado and break-even hand it floats, one input moved and every other at
its central value.

Sampling (SPEC §2): a range's `low` and `high` are its 5th and 95th percentiles
(its bounds for `uniform`); lognormal draws `median * exp(sigma * z)`, normal
`median + sigma * z`, uniform `low + (high - low) * u`; percents are clipped to
[0, 1], amounts and counts to >= 0. Inputs are independent of each other.

Samples are drawn and sized in blocks of `BLOCK`, so memory for intermediate
figures is bounded by the block (only NPV, ROI and ceiling are kept per sample,
24 bytes each, for their percentiles), and blocks run on several threads. Each
ranged input draws each block from a stream of its own, keyed by the seed, the
input's path in the file and the block's index: runs are reproducible whatever
the number of threads, and adding a range to one input leaves the draws of the
others as they were.
"""

from __future__ import annotations

import functools
import math
import os
import queue
import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from pmsize import engine, loader
from pmsize.engine import VERDICTS, Evaluation, Inputs, Thresholds, ranged_inputs
from pmsize.errors import UsageError
from pmsize.models import NO_ALTERNATIVE, Policy, Problem
from pmsize.options import DEFAULT_SAMPLES, MAX_SAMPLES
from pmsize.values import MAX_VALUE, Kind, Quantity, Range, central, input_kind

Floats = NDArray[np.float64]
# Called with (samples done, samples in the whole run) after every block.
Progress = Callable[[int, int], None]

DEFAULT_THRESHOLDS = Thresholds()
DEFAULT_SEED = 0
BLOCK = 1 << 16  # samples drawn and sized together; bounds the memory of intermediates
PERCENTILES = (5, 25, 50, 75, 95)
HISTOGRAM_BINS = 48
HISTOGRAM_SPAN = (1.0, 99.0)  # percentiles the NPV histogram spans


class ArrayOps:
    """`engine.Ops` over numpy arrays of samples."""

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        return np.maximum(a, b)

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        return np.minimum(a, b)

    @staticmethod
    def where(condition: Any, a: Any, b: Any) -> Any:
        return np.where(condition, a, b)

    @staticmethod
    def divide(a: Any, b: Any) -> Any:
        # like float division: x/0 is NaN here (ScalarOps), an overflow is silently inf
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.where(np.equal(b, 0), np.nan, np.divide(a, b))


ARRAY = ArrayOps()


def stream(seed: int, path: str, block: int = 0) -> np.random.Generator:
    """The random stream of one input in one block of samples: numpy's default generator,
    keyed by the seed, the input's path and the block's index."""
    key = zlib.crc32(path.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key, block)))


def draw(q: Range, kind: Kind, rng: np.random.Generator, size: int) -> tuple[Floats, Floats]:
    """`size` samples of a range and the standard draws behind them (z, or u for uniform).

    lognormal: median * exp(sigma * z); normal: median + sigma * z, where
    sigma = (high - low) / (2 * 1.645); uniform: low + (high - low) * u.
    Percents are clipped to [0, 1], amounts and counts to >= 0.
    """
    base = standard_draws(q, rng, size)
    if q.dist == "uniform":
        x = base * (q.high - q.low)
        x += q.low
    else:
        x = base * q.sigma
        if q.dist == "lognormal":
            np.exp(x, out=x)
            x *= q.central
        else:
            x += q.central
    if q.dist != "lognormal":
        np.maximum(x, 0.0, out=x)
    if kind == "percent":
        np.minimum(x, 1.0, out=x)
    return x, base


def standard_draws(q: Range, rng: np.random.Generator, size: int) -> Floats:
    """The standard draws behind `draw`: uniform u for a uniform range, normal z otherwise.

    The first draws of a stream, so calling this on a fresh `stream` gives again the
    draws a sample was made from, without keeping them.
    """
    return rng.random(size) if q.dist == "uniform" else rng.standard_normal(size)


@dataclass(frozen=True)
class Summary:
    """Mean and percentiles of one figure over the samples; None when undefined in all."""

    mean: float | None
    p5: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    p95: float | None


@dataclass(frozen=True)
class Histogram:
    """Counts of samples in equal bins from `low` to `high` (the middle of the distribution)."""

    low: float
    high: float
    counts: tuple[int, ...]
    outside: int  # samples below `low` or above `high`


@dataclass(frozen=True)
class ValueOfInformation:
    """Expected NPV gained by learning `input` exactly before deciding whether to build."""

    input: str
    evpi: float


@dataclass(frozen=True)
class Simulation:
    """What the samples say about one problem (SPEC §5 `simulation`)."""

    samples: int
    seed: int
    numpy_version: str
    ranged_inputs: tuple[str, ...]
    npv: Summary
    roi: Summary
    ceiling: Summary
    p_npv_positive: float
    verdicts: dict[str, float]  # verdict -> share of samples, in VERDICTS order
    set_by: dict[str, float]  # alternative name (or "none") -> share of samples
    histogram: Histogram
    value_of_information: tuple[ValueOfInformation, ...] = ()  # highest first


class _Sampler:
    """A `pick` that draws one block of samples for each range and passes points through.

    It remembers which inputs were ranged, not their draws: with thousands of ranged
    alternatives those would not fit in memory (`standard_draws` gives them again).
    """

    def __init__(self, seed: int, block: int, size: int) -> None:
        self.seed, self.block, self.size = seed, block, size
        self.ranges: dict[str, Range] = {}

    def pick(self, q: Quantity, path: str) -> Any:
        if not isinstance(q, Range):
            return q
        self.ranges[path] = q
        x, _ = draw(q, input_kind(path), self.stream(path), self.size)
        return x

    def stream(self, path: str) -> np.random.Generator:
        return stream(self.seed, path, self.block)

    def standard_draws(self, path: str) -> Floats:
        """The standard draws behind the samples of `path` in this block, drawn again."""
        return standard_draws(self.ranges[path], self.stream(path), self.size)


def voi_bins(samples: int) -> int:
    """Equal-probability bins per input for value of information: sqrt(n)/5, from 2 to 50."""
    return max(2, min(50, round(math.sqrt(samples) / 5)))


@dataclass
class _Block:
    """What one block of samples adds to the totals."""

    verdicts: NDArray[Any]  # samples per verdict
    set_by: NDArray[Any]  # samples per alternative setting the ceiling, "none" first
    ranges: dict[str, Range]
    bins: dict[str, NDArray[Any]]  # input path -> NPV summed per bin


def simulate(
    problem: Problem,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    learn: bool = False,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Simulation:
    """Monte Carlo over the problem's ranges: `engine.size` run on columns of samples.

    Samples come in blocks of `BLOCK`, each drawn from streams of its own, so the
    result is the same however many `threads` (default: one per core, at most 4)
    share the blocks. With `learn`, also the value of information of every ranged
    input (see `_evpi`). `progress` is called with the samples finished after each block.
    """
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples must be from 1 to {MAX_SAMPLES:,}")
    npv, roi, ceiling = np.empty(samples), np.empty(samples), np.empty(samples)
    n_bins = voi_bins(samples)

    def run_block(index: int) -> _Block:
        start = index * BLOCK
        size = min(BLOCK, samples - start)
        sampler = _Sampler(seed, index, size)
        inputs = Inputs.take(problem, sampler.pick, lazy=True)
        s = engine.size(inputs, thresholds, ARRAY, per_alternative=False)
        block = slice(start, start + size)
        npv[block], roi[block], ceiling[block] = s.npv, s.roi, s.ceiling
        bins: dict[str, NDArray[Any]] = {}
        if learn:
            for path, q in sampler.ranges.items():
                index_ = _bin_index(q, sampler.standard_draws(path), n_bins)
                bins[path] = np.bincount(index_, weights=npv[block], minlength=n_bins)
        return _Block(
            np.bincount(np.broadcast_to(s.verdict, size), minlength=len(VERDICTS)),
            np.bincount(
                np.broadcast_to(s.set_by, size) + 1, minlength=len(problem.alternatives) + 1
            ),
            sampler.ranges,
            bins,
        )

    def finished(index: int) -> None:
        if progress is not None:
            progress(min(BLOCK, samples - index * BLOCK))

    blocks = _run_blocks(run_block, -(-samples // BLOCK), threads, finished)
    verdicts = sum((b.verdicts for b in blocks), np.zeros(len(VERDICTS), np.int64))
    set_by = sum((b.set_by for b in blocks), np.zeros(len(problem.alternatives) + 1, np.int64))
    shares = set_by / samples
    by_alternative: dict[str, float] = {}
    for alt, share in zip(problem.alternatives, shares[1:], strict=True):
        by_alternative[alt.name] = by_alternative.get(alt.name, 0.0) + float(share)
    by_alternative[NO_ALTERNATIVE] = float(shares[0])
    learned = sorted(
        (
            ValueOfInformation(path, _evpi(np.sum([b.bins[path] for b in blocks], 0), samples))
            for path in blocks[0].bins
        ),
        key=lambda v: -v.evpi,
    )
    figures = [(npv, HISTOGRAM_SPAN), (roi, ()), (ceiling, ())]
    summaries = _run_blocks(lambda i: _summary_and(*figures[i]), len(figures), threads)
    (npv_summary, span), (roi_summary, _), (ceiling_summary, _) = summaries
    return Simulation(
        samples=samples,
        seed=seed,
        numpy_version=np.__version__,
        ranged_inputs=tuple(blocks[0].ranges),
        npv=npv_summary,
        roi=roi_summary,
        ceiling=ceiling_summary,
        p_npv_positive=float(np.count_nonzero(npv > 0)) / samples,
        verdicts={v: float(n) / samples for v, n in zip(VERDICTS, verdicts, strict=True)},
        set_by=by_alternative,
        histogram=histogram(npv, span[0], span[1]),
        value_of_information=tuple(learned),
    )


def summarise(x: Floats) -> Summary:
    """Mean and p5/p25/p50/p75/p95 of the finite samples (None when there are none)."""
    return _summary_and(x.copy(), ())[0]


def _summary_and(x: Floats, extra: tuple[float, ...]) -> tuple[Summary, tuple[float, ...]]:
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
    return Summary(float(defined.mean()), p5, p25, p50, p75, p95), tuple(found[len(PERCENTILES) :])


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


def _bin_index(q: Range, base: Floats, bins: int) -> NDArray[np.intp]:
    """Equal-probability bin of each sample, from the standard draw behind it (z or u)."""
    if q.dist == "uniform":
        return np.minimum((base * bins).astype(np.intp), bins - 1)
    return np.searchsorted(_normal_edges(bins), base)


@functools.cache
def _normal_edges(bins: int) -> Floats:
    """The standard normal's quantiles that split it into `bins` equally likely bins."""
    from statistics import NormalDist  # here: only value of information needs it

    return np.array([NormalDist().inv_cdf(k / bins) for k in range(1, bins)])


def _evpi(sums: NDArray[Any], samples: int) -> float:
    """E[max(E[NPV|bin], 0)] - max(E[NPV], 0), as a sum of non-negative terms.

    With S_b the NPV summed over bin b and n samples: when E[NPV] >= 0 (build),
    learning pays in the bins where NPV is negative, sum_b max(-S_b, 0) / n;
    otherwise (don't build) in the bins where it is positive, sum_b max(S_b, 0) / n.
    Exactly 0 when every bin leads to the same decision.
    """
    gained = np.maximum(-sums if sums.sum() >= 0 else sums, 0.0).sum()
    return float(gained) / samples


T = TypeVar("T")


def _run_blocks(
    work: Callable[[int], T],
    count: int,
    threads: int | None,
    done: Callable[[int], None] | None = None,
) -> list[T]:
    """`[work(0), ..., work(count - 1)]`, shared among threads; `done(i)` as each finishes.

    numpy releases the GIL in sampling and in arithmetic on large arrays, so blocks
    run side by side on several cores.
    """
    workers = min(count, threads if threads is not None else min(4, os.cpu_count() or 1))
    if workers <= 1:
        results = []
        for i in range(count):
            results.append(work(i))
            if done is not None:
                done(i)
        return results
    finished: queue.Queue[tuple[int, Any, BaseException | None]] = queue.Queue()

    def worker(first: int) -> None:
        for i in range(first, count, workers):
            try:
                finished.put((i, work(i), None))
            except BaseException as exc:  # handed to the caller's thread, raised there
                finished.put((i, None, exc))
                return

    for w in range(workers):
        threading.Thread(target=worker, args=(w,), daemon=True).start()
    found: dict[int, T] = {}
    for _ in range(count):
        i, result, error = finished.get()
        if error is not None:
            raise error
        found[i] = result
        if done is not None:
            done(i)
    return [found[i] for i in range(count)]


@dataclass(frozen=True)
class TornadoBar:
    """NPV with one ranged input at its low and at its high end, every other input central."""

    input: str
    low_value: float
    high_value: float
    npv_at_low: float
    npv_at_high: float

    @property
    def swing(self) -> float:
        """|NPV at high - NPV at low|."""
        return abs(self.npv_at_high - self.npv_at_low)


@dataclass(frozen=True)
class BreakEven:
    """The value of `input` at which NPV crosses zero, all else central; None if it never does."""

    input: str
    value: float | None
    assumed: float


def npv_with(problem: Problem, thresholds: Thresholds, path: str, value: float) -> float:
    """The point NPV with the input at `path` set to `value` and every other input central."""

    def pick(q: Quantity, at: str) -> float:
        return value if at == path else central(q)

    npv: float = engine.size(Inputs.take(problem, pick), thresholds, engine.SCALAR).npv
    return npv


def npv_columns(
    problem: Problem, thresholds: Thresholds, paths: Sequence[str], values: Floats
) -> Floats:
    """Point NPVs in one engine call: column c with the input at `paths[c]` set to
    `values[c]` and every other input central (`npv_with` for many inputs and values).

    Alternatives are folded one at a time (`Inputs.take(lazy=True)`), so thousands of
    them cost time in proportion but no more memory than one.
    """
    n = len(paths)
    columns: dict[str, list[int]] = {}
    for c, path in enumerate(paths):
        columns.setdefault(path, []).append(c)

    def pick(q: Quantity, at: str) -> Any:
        value = central(q)
        found = columns.get(at)
        if found is None:
            return value
        x = np.full(n, value)
        x[found] = values[found]
        return x

    inputs = Inputs.take(problem, pick, lazy=True)
    sizing = engine.size(inputs, thresholds, ARRAY, per_alternative=False)
    return np.array(np.broadcast_to(sizing.npv, (n,)), dtype=np.float64)


def tornado(
    problem: Problem, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> tuple[TornadoBar, ...]:
    """One bar per ranged input, widest swing first (ties in the order of the model)."""
    ranged = ranged_inputs(problem)
    if not ranged:
        return ()
    paths = [path for path, _ in ranged for _ in (0, 1)]
    ends = np.array([end for _, q in ranged for end in (q.low, q.high)])
    npv = npv_columns(problem, thresholds, paths, ends)
    bars = [
        TornadoBar(path, q.low, q.high, float(npv[2 * i]), float(npv[2 * i + 1]))
        for i, (path, q) in enumerate(ranged)
    ]
    return tuple(sorted(bars, key=lambda bar: -bar.swing))


BUILD_COST = "solution.build_cost"


def break_even(
    problem: Problem, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> tuple[BreakEven, ...]:
    """Break-even of `solution.build_cost` and of every ranged input, all else central.

    The root searches of all inputs run side by side: each step of them is one engine
    call over a column per input still searching (`roots_near`).
    """
    candidates = [(BUILD_COST, central(problem.solution.build_cost))]
    candidates += [(path, q.central) for path, q in ranged_inputs(problem) if path != BUILD_COST]
    paths = [path for path, _ in candidates]

    def f(which: NDArray[np.intp], x: Floats) -> Floats:
        return npv_columns(problem, thresholds, [paths[i] for i in which], x)

    roots = roots_near(
        f,
        [assumed for _, assumed in candidates],
        [1.0 if input_kind(path) == "percent" else MAX_VALUE for path in paths],
    )
    return tuple(
        BreakEven(path, root, assumed)
        for (path, assumed), root in zip(candidates, roots, strict=True)
    )


def root_near(f: Callable[[float], float], x0: float, *, upper: float) -> float | None:
    """The root of `f` in [0, upper] nearest `x0`, found by scanning out from `x0`; None if none.

    `roots_near` for one function of floats.
    """

    def many(which: NDArray[np.intp], x: Floats) -> Floats:
        del which
        return np.array([f(float(v)) for v in x], dtype=np.float64)

    return roots_near(many, [x0], [upper])[0]


# f(which, x): f_which[k](x[k]) for each k, the functions numbered as the starting points
Functions = Callable[[NDArray[np.intp], Floats], Floats]


def roots_near(
    f: Functions, starts: Sequence[float], uppers: Sequence[float]
) -> list[float | None]:
    """For each function i, its root in [0, uppers[i]] nearest starts[i]; None if none.

    Scans outward from the start (geometric steps for amounts, 1/64 of the span for
    shares) to the first sign change on each side, refines each by the Illinois variant
    of regula falsi (exact for a linear function) and keeps the root nearer the start.
    Every function advances one step per call of `f`, which evaluates them all at once.
    """
    count = len(starts)
    x0 = np.array(starts, dtype=np.float64)
    f0 = f(np.arange(count), x0)
    # one walker per side of each start: (function, points in order out from the start)
    walkers = [
        (i, points)
        for i in range(count)
        if f0[i] != 0
        for points in _scan(float(x0[i]), uppers[i])
        if points
    ]
    # bracket (a, fa, b, fb) found by each walker, None while searching or if none
    found: list[tuple[float, float, float, float] | None] = [None] * len(walkers)
    prev = [(float(x0[i]), float(f0[i])) for i, _ in walkers]
    active = list(range(len(walkers)))
    step = 0
    while active:
        which = np.array([walkers[w][0] for w in active], dtype=np.intp)
        x = np.array([walkers[w][1][step] for w in active])
        fx = f(which, x)
        still = []
        for k, w in enumerate(active):
            i = walkers[w][0]
            xk, fk = float(x[k]), float(fx[k])
            if fk == 0:
                found[w] = (xk, fk, xk, fk)
            elif (fk > 0) != (f0[i] > 0):
                found[w] = (*prev[w], xk, fk)
            else:
                prev[w] = (xk, fk)
                if step + 1 < len(walkers[w][1]):
                    still.append(w)
        active, step = still, step + 1
    brackets = [(walkers[w][0], b) for w, b in enumerate(found) if b is not None]
    refined = _illinois(f, [(i, b) for i, b in brackets if b[3] != 0])
    roots: list[list[float]] = [[] for _ in range(count)]
    exact = iter(refined)
    for i, (_, _, b, fb) in brackets:
        roots[i].append(b if fb == 0 else next(exact))
    nearest: list[float | None] = [
        float(x0[i]) if f0[i] == 0 else min(r, key=lambda root: abs(root - x0[i]), default=None)
        for i, r in enumerate(roots)
    ]
    return nearest


def _scan(x0: float, upper: float) -> tuple[list[float], list[float]]:
    if upper <= 1.0:
        steps = [k / 64 for k in range(65)]
        return [x for x in steps if x > x0], [x for x in reversed(steps) if x < x0]
    scale = x0 if x0 > 0 else 1.0
    up = [scale * 2.0**k for k in range(1, 80) if scale * 2.0**k < upper] + [upper]
    down = [x0 / 2.0**k for k in range(1, 60)] + [0.0] if x0 > 0 else []
    return up, down


def _illinois(f: Functions, brackets: Sequence[tuple[int, tuple[float, ...]]]) -> list[float]:
    """The Illinois refinement of each bracket (function i, (a, fa, b, fb)), all side by side."""
    if not brackets:
        return []
    which = np.array([i for i, _ in brackets], dtype=np.intp)
    a, fa, b, fb = (np.array([br[k] for _, br in brackets]) for k in range(4))
    side = np.zeros(len(brackets), dtype=np.intp)
    c = b.copy()
    searching = np.ones(len(brackets), dtype=bool)
    for _ in range(200):
        live = np.flatnonzero(searching)
        if live.size == 0:
            break
        la, lfa, lb, lfb = a[live], fa[live], b[live], fb[live]
        with np.errstate(all="ignore"):
            lc = (la * lfb - lb * lfa) / (lfb - lfa)
        c[live] = lc
        close = np.abs(lb - la) <= 1e-13 * np.maximum(np.abs(la), np.abs(lb))
        done = close | (lc == la) | (lc == lb)
        searching[live[done]] = False
        live, lc = live[~done], lc[~done]
        if live.size == 0:
            break
        fc = f(which[live], lc)
        zero = fc == 0
        searching[live[zero]] = False
        live, lc, fc = live[~zero], lc[~zero], fc[~zero]
        toward_b = (fc > 0) == (fb[live] > 0)
        nb = live[toward_b]  # c replaces b; halve fa when b was replaced last time too
        fa[nb[side[nb] == -1]] /= 2
        b[nb], fb[nb], side[nb] = lc[toward_b], fc[toward_b], -1
        na = live[~toward_b]  # c replaces a; halve fb when a was replaced last time too
        fb[na[side[na] == 1]] /= 2
        a[na], fa[na], side[na] = lc[~toward_b], fc[~toward_b], 1
    return [float(v) for v in c]


@dataclass(frozen=True)
class Sensitivity:
    """What drives NPV at central values: the tornado and the break-even values."""

    central_npv: float
    tornado: tuple[TornadoBar, ...]
    break_even: tuple[BreakEven, ...]


@dataclass(frozen=True)
class Simulated:
    """One problem's point evaluation beside its simulation (and sensitivity, when asked)."""

    evaluation: Evaluation
    simulation: Simulation
    sensitivity: Sensitivity | None = field(default=None)


def simulate_paths(
    paths: Iterable[str],
    policy: Policy,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    sensitivity: bool = False,
    progress: Progress | None = None,
) -> list[Simulated]:
    """Load every problem from `paths`, evaluate it at central values and simulate it.

    Thresholds resolve as for `evaluate` (CLI flag > problem > portfolio > built-in);
    with `sensitivity`, also the tornado, break-even and value of information.
    """
    if samples > MAX_SAMPLES:
        raise UsageError(f"--samples {samples:,} is over {MAX_SAMPLES:,}; more adds nothing")
    entries = loader.load_paths(paths)
    total, done = samples * len(entries), 0

    def advance(size: int) -> None:
        nonlocal done
        done += size
        if progress is not None:
            progress(done, total)

    results: list[Simulated] = []
    for entry in entries:
        problem = entry.problem
        thresholds = engine.resolve_thresholds(policy, problem.policy, entry.portfolio_policy)
        evaluation = engine.evaluate(problem, thresholds, entry.location)
        simulation = simulate(
            problem, thresholds, samples=samples, seed=seed, learn=sensitivity, progress=advance
        )
        found = None
        if sensitivity:
            found = Sensitivity(
                evaluation.npv, tornado(problem, thresholds), break_even(problem, thresholds)
            )
        results.append(Simulated(evaluation, simulation, found))
    return results


__all__ = [
    "ARRAY",
    "DEFAULT_SAMPLES",
    "DEFAULT_SEED",
    "MAX_SAMPLES",
    "ArrayOps",
    "BreakEven",
    "Histogram",
    "Sensitivity",
    "Simulated",
    "Simulation",
    "Summary",
    "TornadoBar",
    "ValueOfInformation",
    "break_even",
    "draw",
    "input_kind",
    "npv_columns",
    "npv_with",
    "root_near",
    "roots_near",
    "simulate",
    "simulate_paths",
    "standard_draws",
    "stream",
    "summarise",
    "tornado",
]
