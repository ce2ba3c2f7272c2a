"""Monte Carlo over the same engine: a problem's ranges sampled, sized and summarised.

The simulation hands `engine.size` columns of samples through a `pick`
(`sampling.Sampler`; `sampling.ArrayOps` makes the same code run over numpy
arrays). Samples are drawn and sized in blocks of `BLOCK`, so memory for
intermediate figures is bounded by the block (only NPV, ROI and ceiling are kept
per sample, 24 bytes each, for their percentiles), and blocks run on several
threads. Each block draws from streams of its own (`sampling.stream`), so a run is
the same whatever the number of threads.

Where the pieces are: drawing samples in `sampling`, percentiles and the histogram
in `summary`, the tornado, break-even and value of information in `drivers`.
`simulate_problems` and `sensitivity_problems` run `pmsize.simulate` and
`pmsize.sensitivity` over several problems, progress told over all of them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, TypeAlias, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from pmsize import _engine as engine
from pmsize import _service as service
from pmsize._correlations import Copula, copula
from pmsize._drivers import (
    SCENARIO,
    ValueOfInformation,
    bin_index,
    evpi,
    sensitivity,
    voi_bins,
)
from pmsize._engine import DEFAULT_THRESHOLDS, VERDICTS, Inputs, Thresholds
from pmsize._limits import DEFAULT_SAMPLES, DEFAULT_SEED, check_sampling
from pmsize._mixture import Mixed, Mixture, mixed_block, mixture
from pmsize._models import NO_ALTERNATIVE, NO_POLICY, Policy, Problem
from pmsize._sampling import ARRAY, BLOCK, BlockDraws, Floats, Sampler
from pmsize._simulated import ScenarioFigures, Simulated, Simulation
from pmsize._summary import HISTOGRAM_SPAN, Summary, histogram, summary_and
from pmsize._values import Range

if TYPE_CHECKING:
    from pmsize._engine import Column, Whole

# The figures of a block of samples, as `engine.size` makes them over columns.
Sampled: TypeAlias = "engine.Sizing[Column, Whole]"
# Called with (samples done, samples in the whole run) after every block.
Progress = Callable[[int, int], None]
T = TypeVar("T")
B = TypeVar("B")  # what a loop over blocks keeps of each block


# Blocks a mixture sizes together at most (`mixed_block`): each group of cases' fixed
# cost (taking its inputs, the engine's steps) paid once for them, against the memory of
# their intermediates, which grows with them.
MIXED_BLOCKS = 2

# What a block of samples gives: `engine.Sizing` over columns, or a mixture's (`Mixed`).
Figures: TypeAlias = "Sampled | Mixed"


@dataclass
class _Block:
    """What one block of samples adds to the totals."""

    verdicts: NDArray[np.intp]  # samples per verdict
    set_by: NDArray[np.intp]  # samples per alternative setting the ceiling, "none" first
    ranges: dict[str, Range]
    bins: dict[str, Floats]  # input path -> NPV summed per bin
    # per case of a mixture (none without): samples, samples with a finite NPV, their NPV
    # summed, samples with NPV > 0
    cases: NDArray[np.float64] | None = None


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
    share the blocks. With scenarios that have probabilities (SPEC §14), each sample
    first draws its case (`Mixture`), then its ranges, and is sized as that case's
    problem; the figures are over all samples, and each case's beside them. With
    `learn`, also the value of information of every ranged input (`sensitivity.evpi`),
    and of the scenario. `progress` is called with the samples finished after each block.
    Raises ValueError for a bad `samples` or `seed` (`limits.check_sampling`).
    """
    check_sampling(samples, seed)
    mix = mixture(problem)
    names = [a.name for a in problem.alternatives] if mix is None else list(mix.alternatives)
    npv, roi, ceiling = np.empty(samples), np.empty(samples), np.empty(samples)
    n_bins = voi_bins(samples)
    local = threading.local()  # each thread's scratch, reused from one block to the next

    def counted(block: slice, s: Figures) -> _Block:
        _write(s, npv[block], roi[block], ceiling[block])
        if isinstance(s, Mixed):
            return _Block(s.verdicts, s.set_by, {}, {}, s.totals)
        size = block.stop - block.start
        verdicts = np.bincount(np.broadcast_to(s.verdict, size), minlength=len(VERDICTS))
        set_by = np.bincount(np.broadcast_to(s.set_by, size) + 1, minlength=len(names) + 1)
        return _Block(verdicts, set_by, {}, {})

    def binned(block: slice, sampler: Sampler | BlockDraws, found: _Block) -> _Block:
        bins: dict[str, Floats] = {}
        if learn:
            size = block.stop - block.start
            scratch: Floats = local.__dict__.setdefault("scratch", np.empty(BLOCK))[:size]
            for path, q in sampler.ranges.items():
                drawn = bin_index(q, sampler.standard_draws(path, scratch), n_bins)
                summed = np.bincount(drawn, weights=npv[block], minlength=n_bins)
                bins[path] = cast("Floats", summed)  # weighted: floats (the stub says intp)
            if mix is not None:  # binned by the case drawn: knowing which scenario holds
                case = mix.cases(seed, block.start // BLOCK, size)
                summed = np.bincount(case, weights=npv[block], minlength=len(mix.names))
                bins[SCENARIO] = cast("Floats", summed)
        return replace(found, ranges=dict(sampler.ranges), bins=bins)

    blocks = _sampled(problem, thresholds, samples, seed, counted, binned, threads, progress, mix)
    verdicts = sum((b.verdicts for b in blocks), np.zeros(len(VERDICTS), np.int64))
    set_by = sum((b.set_by for b in blocks), np.zeros(len(names) + 1, np.int64))
    shares = set_by / samples
    by_alternative: dict[str, float] = {}
    for name, share in zip(names, shares[1:], strict=True):
        by_alternative[name] = by_alternative.get(name, 0.0) + float(share)
    by_alternative[NO_ALTERNATIVE] = float(shares[0])
    ranges: dict[str, Range] = {}
    for b in blocks:  # each case may range other inputs: every one, in the order first met
        ranges |= {path: q for path, q in b.ranges.items() if path not in ranges}
    learned = sorted(
        (
            ValueOfInformation(path, evpi(np.sum([b.bins[path] for b in blocks], 0), samples))
            for path in blocks[0].bins
        ),
        key=lambda v: -v.evpi,
    )
    figures = [
        partial(_npv_summary, npv),
        partial(summary_and, roi, ()),
        partial(summary_and, ceiling, ()),
    ]
    summaries = _run_blocks(lambda i: figures[i](), len(figures), threads)
    (npv_summary, span), (roi_summary, _), (ceiling_summary, _) = summaries
    return Simulation(
        samples=samples,
        seed=seed,
        numpy_version=np.__version__,
        ranged_inputs=tuple(ranges),
        npv=npv_summary,
        roi=roi_summary,
        ceiling=ceiling_summary,
        p_npv_positive=float(np.count_nonzero(npv > 0)) / samples,
        verdicts={v: float(n) / samples for v, n in zip(VERDICTS, verdicts, strict=True)},
        set_by=by_alternative,
        histogram=histogram(npv, span[0], span[1]),
        value_of_information=tuple(learned),
        correlations=problem.correlations,
        scenarios=() if mix is None else _by_case(mix, blocks),
    )


def _by_case(mix: Mixture, blocks: Sequence[_Block]) -> tuple[ScenarioFigures, ...]:
    """Each case's own figures over the samples that drew it, base first."""
    totals = np.sum([b.cases for b in blocks if b.cases is not None], 0)
    drawn, finite, summed, positive = totals
    return tuple(
        ScenarioFigures(
            name=name,
            probability=probability,
            mean_npv=float(summed[c] / finite[c]) if finite[c] else None,
            p_npv_positive=float(positive[c] / drawn[c]) if drawn[c] else None,
            samples=int(drawn[c]),
        )
        for c, (name, probability) in enumerate(zip(mix.names, mix.probabilities, strict=True))
    )


def sized_block(
    problem: Problem,
    thresholds: Thresholds,
    seed: int,
    index: int,
    size: int,
    buffers: dict[str, Floats],
    dependence: Copula | None,
) -> tuple[Sampled, Sampler]:
    """Block `index` of a problem's samples (`size` of them) through the engine, and the
    sampler that drew them: the one way every sampled figure is made, so that `simulate`,
    `sensitivity` and `plan --objective expected-npv` see the same draws. (A problem whose
    scenarios are drawn goes through `mixed_block`.)"""
    sampler = Sampler(seed, index, size, buffers, dependence)
    inputs = Inputs.take(problem, sampler.pick, lazy=True)
    sized = engine.size(inputs, thresholds, ARRAY, per_alternative=False, extras=False)
    return sized, sampler


def _sampled(
    problem: Problem,
    thresholds: Thresholds,
    samples: int,
    seed: int,
    keep: Callable[[slice, Figures], B],
    then: Callable[[slice, Sampler | BlockDraws, B], B] | None = None,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    mix: Mixture | None = None,
) -> list[B]:
    """The one loop over a problem's blocks of samples (`simulate`'s and `npv_samples`'s),
    shared among threads: for each block, `keep(block, sized)` with its place in the run
    and its samples through the engine (`sized_block`, or `mixed_block` over `mix`), then,
    once the engine's intermediates are freed, `then(block, sampler, kept)`. `progress`
    is called with the samples finished after each block."""
    local = threading.local()  # each thread's buffers, reused from one block to the next
    dependence = copula(problem) if mix is None else None  # None without correlations
    blocks = -(-samples // BLOCK)
    # a mixture sizes each group of cases once for a few blocks together (`mixed_block`), as
    # many as leave every thread a share of the run
    together = 1 if mix is None else max(1, min(MIXED_BLOCKS, blocks // max(1, _workers(threads))))

    def run(index: int) -> list[B]:
        start = index * together * BLOCK
        size = min(together * BLOCK, samples - start)
        buffers: dict[str, Floats] = local.__dict__.setdefault("buffers", {})
        sized: list[tuple[Figures, Sampler | BlockDraws]]
        if mix is None:
            sized = [sized_block(problem, thresholds, seed, index, size, buffers, dependence)]
        else:
            sized = list(mixed_block(mix, thresholds, seed, index * together, size, buffers))
        found = []
        sized.reverse()
        while sized:
            figures, sampler = sized.pop()
            block = slice(start, start + sampler.size)
            start = block.stop
            kept = keep(block, figures)
            del figures  # the block's intermediates, before what follows
            found.append(kept if then is None else then(block, sampler, kept))
        return found

    def finished(index: int) -> None:
        if progress is not None:
            progress(min(together * BLOCK, samples - index * together * BLOCK))

    done = _run_blocks(run, -(-blocks // together), threads, finished)
    return [kept for each in done for kept in each]


def npv_samples(
    problem: Problem,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Floats:
    """The NPV of each of a problem's `samples` draws, in the order drawn: the draws
    `simulate` makes with this seed, through the same loop (`plan --objective
    expected-npv` sums them across problems), each sample its scenario's when they are
    drawn. `progress` as for `simulate`."""
    check_sampling(samples, seed)
    npv = np.empty(samples)

    def kept(block: slice, s: Figures) -> None:
        _write(s, npv[block])

    mix = mixture(problem)
    _sampled(problem, thresholds, samples, seed, kept, threads=threads, progress=progress, mix=mix)
    return npv


def _write(
    s: Figures, npv: Floats, roi: Floats | None = None, ceiling: Floats | None = None
) -> None:
    """A block's NPV (and ROI and ceiling, when asked) per sample into the run's arrays."""
    if isinstance(s, Mixed):
        s.write(npv, roi, ceiling)
        return
    npv[...] = s.npv
    if roi is not None and ceiling is not None:
        roi[...], ceiling[...] = s.roi, s.ceiling


def _npv_summary(npv: Floats) -> tuple[Summary, tuple[float, ...]]:
    """The NPV's summary and its histogram's span, from one partial sort of `npv` (in
    place), which also sets the order numpy sums the mean in."""
    return summary_and(npv, HISTOGRAM_SPAN)


def _run_blocks(
    work: Callable[[int], T],
    count: int,
    threads: int | None,
    done: Callable[[int], None] | None = None,
) -> list[T]:
    """`[work(0), ..., work(count - 1)]`, shared among threads; `done(i)` as each finishes
    (on the calling thread). The first error raised by a block is raised here.

    numpy releases the GIL in sampling and in arithmetic on large arrays, so blocks
    run side by side on several cores.
    """
    workers = min(count, _workers(threads))
    if workers <= 1:
        results = []
        for i in range(count):
            results.append(work(i))
            if done is not None:
                done(i)
        return results
    from concurrent.futures import ThreadPoolExecutor, as_completed

    pool = ThreadPoolExecutor(workers, thread_name_prefix="pmsize-block")
    try:
        futures = {pool.submit(work, i): i for i in range(count)}
        for future in as_completed(futures):
            future.result()  # raises the block's error, if any
            if done is not None:
                done(futures[future])
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _workers(threads: int | None) -> int:
    """The threads blocks are shared among: as asked, else one per core, at most 4."""
    return threads if threads is not None else min(4, os.cpu_count() or 1)


def simulate_problems(
    problems: Sequence[Problem],
    policy: Policy = NO_POLICY,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> list[Simulated]:
    """Evaluate each problem at central values and simulate it (`pmsize simulate`).

    Thresholds resolve as for `evaluate` (`policy` > problem > portfolio > built-in).
    `progress(done, total)` is called after each block, over all the problems.
    Raises ValueError for a bad `samples` or `seed` (`limits.check_sampling`).
    """
    return _run_problems(problems, policy, samples, seed, progress, learn=False)


def sensitivity_problems(
    problems: Sequence[Problem],
    policy: Policy = NO_POLICY,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> list[Simulated]:
    """`simulate_problems` with each problem's tornado, break-even values and value of
    information (`pmsize sensitivity`): every result's `sensitivity` is set."""
    return _run_problems(problems, policy, samples, seed, progress, learn=True)


def expected_npvs(
    problems: Sequence[Problem],
    policy: Policy = NO_POLICY,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> list[float | None]:
    """Each problem's mean NPV as `simulate_problems` reports it (`.simulation.npv.mean`),
    without the other figures (`plan --objective expected-npv`); None for a problem with no
    finite NPV. `progress(done, total)` is called after each block, over all the problems."""
    check_sampling(samples, seed)
    advance = _over_all(samples * len(problems), progress)
    means = []
    for problem in problems:
        thresholds = service.thresholds_for(problem, policy)
        npv = npv_samples(problem, thresholds, samples=samples, seed=seed, progress=advance)
        means.append(_npv_summary(npv)[0].mean)  # simulate's, summed in the same order
    return means


def _over_all(total: int, progress: Progress | None) -> Callable[[int], None]:
    """A per-block progress (samples just finished) that calls `progress(done, total)`."""
    done = 0

    def advance(size: int) -> None:
        nonlocal done
        done += size
        if progress is not None:
            progress(done, total)

    return advance


def _run_problems(
    problems: Sequence[Problem],
    policy: Policy,
    samples: int,
    seed: int,
    progress: Progress | None,
    *,
    learn: bool,
) -> list[Simulated]:
    check_sampling(samples, seed)
    advance = _over_all(samples * len(problems), progress)
    results: list[Simulated] = []
    for problem in problems:
        thresholds = service.thresholds_for(problem, policy)
        evaluation = service.evaluate(problem, thresholds)
        simulation = simulate(
            problem, thresholds, samples=samples, seed=seed, learn=learn, progress=advance
        )
        found = None
        if learn:  # the value of information is the sensitivity's, as in the JSON
            found = sensitivity(
                problem,
                thresholds,
                central_npv=evaluation.npv,
                expected_npv=simulation.npv.mean,
                value_of_information=simulation.value_of_information,
            )
            simulation = replace(simulation, value_of_information=())
        results.append(Simulated(evaluation, simulation, found))
    return results


__all__ = [
    "BLOCK",
    "DEFAULT_THRESHOLDS",
    "SCENARIO",
    "Mixed",
    "Mixture",
    "Progress",
    "Simulated",
    "Simulation",
    "expected_npvs",
    "mixture",
    "npv_samples",
    "sensitivity_problems",
    "simulate",
    "simulate_problems",
]
