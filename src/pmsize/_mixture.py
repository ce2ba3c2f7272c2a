"""A problem's cases drawn per sample (SPEC §14): the base case and each scenario with a
probability, each sample sized as the case it drew.

`mixture` gives the cases of a problem (None when no scenario is drawn); `mixed_block`
sizes one block of samples over them, each case's problem on the samples that drew it,
so the engine still runs on columns; `scenario_samples` says which case each sample
drew. The draws of each input are those of the problem without scenarios: the case is
drawn from a stream of its own (`Mixture.key`).
"""

from __future__ import annotations

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
) -> tuple[Mixed, BlockDraws]:
    """`sized_block` over a mixture of cases: each sample draws its case, then each case's
    problem is sized on the samples that drew it (so the engine still runs on columns), its
    ranges taking the block's draws at those samples (`BlockDraws`)."""
    draws = BlockDraws(seed, index, size, buffers)
    case = mix.cases(seed, index, size)
    n = len(mix.problems)
    # each case's samples in ascending order, one after the other (a radix sort, n small)
    order = np.argsort(case, kind="stable")
    counts = np.bincount(case, minlength=n)
    npv, roi, ceiling = np.empty(size), np.empty(size), np.empty(size)
    verdicts = np.zeros(len(VERDICTS), np.intp)
    set_by = np.zeros(len(mix.alternatives) + 1, np.intp)
    totals = np.zeros((4, n))
    start = 0
    for c, (problem, dependence) in enumerate(zip(mix.problems, dependences, strict=True)):
        span = slice(start, start + int(counts[c]))  # where the case's samples are in `order`
        start = span.stop
        rows = order[span]
        if rows.size == 0:
            continue
        sampler = Subsampler(draws, rows, dependence)
        inputs = Inputs.take(problem, sampler.pick, lazy=True)
        sized = engine.size(inputs, thresholds, ARRAY, per_alternative=False, extras=False)
        figures = np.broadcast_to(sized.npv, rows.size)
        npv[rows] = figures
        # summarised only, never matched to a sample's draws: kept in the cases' order
        roi[span], ceiling[span] = sized.roi, sized.ceiling
        # a sample's verdict is its own case's, without `scenario-risk`: that flag weighs
        # the scenarios against each other, so it belongs to the headline, not a sample
        verdicts += np.bincount(np.broadcast_to(sized.verdict, rows.size), minlength=len(VERDICTS))
        own = np.broadcast_to(sized.set_by, rows.size) + 1
        np.add.at(set_by, mix.set_by[c], np.bincount(own, minlength=mix.set_by[c].size))
        finite = np.isfinite(figures)
        totals[:, c] = (
            rows.size,
            np.count_nonzero(finite),
            figures.sum(where=finite),
            np.count_nonzero(figures > 0),
        )
    return Mixed(npv, roi, ceiling, verdicts, set_by, totals), draws


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
