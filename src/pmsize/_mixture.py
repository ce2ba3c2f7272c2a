"""A problem's cases drawn per sample (SPEC §14): the base case and each scenario with a
probability, each sample sized as the case it drew.

`mixture` gives the cases of a problem (None when no scenario is drawn); `mixed_block`
sizes one block of samples over them (or a few blocks together, each case once for them
all), each case's problem on the samples that drew it, so the engine still runs on
columns; `scenario_samples` says which case each sample drew. The draws of each input
are those of the problem without scenarios: the case is drawn from a stream of its own
(`Mixture.key`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pmsize import _engine as engine
from pmsize._correlations import Copula
from pmsize._engine import VERDICTS, Inputs, Thresholds
from pmsize._models import Problem
from pmsize._models import _scenarios as scenarios
from pmsize._sampling import ARRAY, BLOCK, BlockDraws, Floats, Subsampler, stream


@dataclass(frozen=True)
class Mixture:
    """A problem's cases as a simulation draws them (SPEC §14): the base case, then each
    scenario, each as a problem of its own (`Problem.in_scenario`) with its probability.

    Each sample draws its case first, from a stream of its own keyed by `key` (never an
    input's path), so the inputs' draws are those of the problem without scenarios. A
    portfolio's shared scenarios (`Problem.shared_scenarios`) are keyed by what they are
    (names and probabilities), so every problem that takes them draws the same case in
    the same sample; a problem's own are keyed by its name, drawn for it alone.
    """

    names: tuple[str, ...]
    problems: tuple[Problem, ...]
    probabilities: tuple[float, ...]
    key: str
    shared: bool
    # every case's alternatives by name, first seen first (what `set_by` counts over)
    alternatives: tuple[str, ...]
    # per case, its alternative index + 1 (0: none) -> index into `alternatives` + 1
    set_by: tuple[NDArray[np.intp], ...]

    def cases(self, seed: int, block: int, size: int) -> NDArray[np.integer[Any]]:
        """The case each sample of block `block` drew (an index into `names`): the number of
        the cumulative probabilities' edges at or below the sample's uniform draw."""
        u = stream(seed, self.key, block).random(size)
        edges = np.cumsum(self.probabilities)[:-1]
        if len(edges) > 255:
            return np.searchsorted(edges, u, side="right")
        found = np.zeros(size, np.uint8)  # a comparison an edge: 7x a search's speed for few
        for edge in edges:
            found += u >= edge
        return found


def mixture(problem: Problem) -> Mixture | None:
    """The cases a simulation draws for `problem`; None when it has no scenarios, or none
    with probabilities (then the base case alone is simulated)."""
    base = scenarios.base_probability(problem.scenarios)
    if base is None:
        return None
    found = (problem, *(problem.in_scenario(s.name) for s in problem.scenarios))
    weights = (base, *(s.probability or 0.0 for s in problem.scenarios))
    names = (scenarios.BASE, *(s.name for s in problem.scenarios))
    pairs = zip(names, weights, strict=True)
    written = ", ".join(f"{name.strip().casefold()} {weight!r}" for name, weight in pairs)
    key = f"scenarios: {written}" if problem.shared_scenarios else f"scenarios of {problem.name}"
    alternatives = tuple(dict.fromkeys(a.name for case in found for a in case.alternatives))
    where = {name: i for i, name in enumerate(alternatives)}
    set_by = tuple(
        np.array([0, *(where[a.name] + 1 for a in case.alternatives)], dtype=np.intp)
        for case in found
    )
    return Mixture(names, found, weights, key, problem.shared_scenarios, alternatives, set_by)


@dataclass(frozen=True)
class Mixed:
    """A block's figures over a mixture of cases, each sample sized as the case it drew:
    per sample its NPV (in the order drawn), ROI and ceiling (case by case, which is all a
    summary needs); counted over the block, the verdicts, the
    alternatives setting the ceiling (`Mixture.alternatives`, none first) and each case's
    `totals` (samples, samples with a finite NPV, their NPV summed, samples with NPV > 0)."""

    npv: Floats
    roi: Floats
    ceiling: Floats
    verdicts: NDArray[np.intp]
    set_by: NDArray[np.intp]
    totals: Floats  # 4 rows, a column per case


def mixed_block(
    mix: Mixture,
    thresholds: Thresholds,
    seed: int,
    index: int,
    size: int,
    buffers: dict[str, Floats],
    dependences: Sequence[Copula | None],
) -> list[tuple[Mixed, BlockDraws]]:
    """`sized_block` over a mixture of cases: each sample draws its case, then each case's
    problem is sized on the samples that drew it (so the engine still runs on columns), its
    ranges taking the block's draws at those samples (`BlockDraws`).

    A `size` over `BLOCK` sizes the consecutive blocks from `index` on together: each
    block's samples are drawn as they would be alone, each case is sized once for all of
    them (its fixed cost paid once), and each block's figures come back apart, in the
    order the block alone gives them, with the block's own draws."""
    draws = BlockDraws(seed, index, size, buffers)
    parts = draws.parts
    starts = [where.start for _, where in parts]
    case = (
        mix.cases(seed, index, size)
        if len(parts) == 1
        else np.concatenate(
            [mix.cases(seed, block, where.stop - where.start) for block, where in parts]
        )
    )
    n = len(mix.problems)
    npv, roi, ceiling = np.empty(size), np.empty(size), np.empty(size)
    verdicts = np.zeros((len(parts), len(VERDICTS)), np.intp)
    set_by = np.zeros((len(parts), len(mix.alternatives) + 1), np.intp)
    totals = np.zeros((len(parts), 4, n))
    placed = list(starts)  # where each block's next case goes, in its cases' order
    for c, (problem, dependence, rows) in enumerate(
        zip(mix.problems, dependences, _rows_by_case(case, n), strict=True)
    ):
        if rows.size == 0:
            continue
        sampler = Subsampler(draws, rows, dependence)
        inputs = Inputs.take(problem, sampler.pick, lazy=True)
        sized = engine.size(inputs, thresholds, ARRAY, per_alternative=False, extras=False)
        figures = np.broadcast_to(sized.npv, rows.size)
        npv[rows] = figures
        sized_roi = np.broadcast_to(sized.roi, rows.size)
        sized_ceiling = np.broadcast_to(sized.ceiling, rows.size)
        # a sample's verdict is its own case's, without `scenario-risk`: that flag weighs
        # the scenarios against each other, so it belongs to the headline, not a sample
        verdict = np.broadcast_to(sized.verdict, rows.size)
        own = np.broadcast_to(sized.set_by, rows.size) + 1
        # each block's samples of the case: a run of `rows`, which ascend
        cuts = [0, *np.searchsorted(rows, starts[1:]).tolist(), rows.size]
        for b, (first, last) in enumerate(itertools.pairwise(cuts)):
            if first == last:
                continue
            span = slice(placed[b], placed[b] + last - first)
            placed[b] = span.stop
            # summarised only, never matched to a sample's draws: kept in the cases' order
            roi[span], ceiling[span] = sized_roi[first:last], sized_ceiling[first:last]
            verdicts[b] += np.bincount(verdict[first:last], minlength=len(VERDICTS))
            np.add.at(
                set_by[b],
                mix.set_by[c],
                np.bincount(own[first:last], minlength=mix.set_by[c].size),
            )
            these = figures[first:last]
            finite = np.isfinite(these)
            totals[b, :, c] = (
                last - first,
                np.count_nonzero(finite),
                these.sum(where=finite),
                np.count_nonzero(these > 0),
            )
    return [
        (
            Mixed(npv[where], roi[where], ceiling[where], verdicts[b], set_by[b], totals[b]),
            draws if len(parts) == 1 else draws.part(b),
        )
        for b, (_, where) in enumerate(parts)
    ]


FEW_CASES = 8  # up to this many cases, each finds its samples by a scan of its own


def _rows_by_case(case: NDArray[np.integer[Any]], n: int) -> list[NDArray[np.intp]]:
    """Each of the `n` cases' samples (indices into the block), in ascending order: for a
    few cases, a comparison and a scan each (together half the time of a radix sort of the
    block); for more, one stable sort of the block, cut case by case."""
    if n <= FEW_CASES:
        return [np.flatnonzero(case == c) for c in range(n)]
    order = np.argsort(case, kind="stable")
    return np.split(order, np.cumsum(np.bincount(case, minlength=n))[:-1])


def scenario_samples(problem: Problem, samples: int, seed: int) -> NDArray[np.integer[Any]] | None:
    """The case each of a problem's `samples` draws is sized as (0 the base case, then its
    scenarios in order), as `simulate` draws them; None when no scenario is drawn."""
    mix = mixture(problem)
    if mix is None:
        return None
    return np.concatenate(
        [
            mix.cases(seed, index, min(BLOCK, samples - index * BLOCK))
            for index in range(-(-samples // BLOCK))
        ]
    )


__all__ = ["Mixed", "Mixture", "mixed_block", "mixture", "scenario_samples"]
