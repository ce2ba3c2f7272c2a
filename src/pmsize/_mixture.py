"""A problem's cases drawn per sample (SPEC §14): the base case and each scenario with a
probability, each sample sized as the case it drew.

`mixture` gives the cases of a problem (None when no scenario is drawn); `mixed_block`
sizes a block of samples over them (or two blocks together), each case on its own run of
the block (as many samples as drew it), the cases that differ only in values in one run of
the engine (`Mixture.groups`), so the engine runs on columns and nothing is gathered or
scattered; `scenario_samples` says which case each sample is sized as. How many samples
draw each case comes from a stream of its own (`Mixture.key`), and the draws of each input
are those of the problem without scenarios, in their order: the base case's samples are
the first of each block of the file without scenarios.

Why runs rather than each sample drawing its case where it stands: the inputs' draws are
independent of each other and of the case, so which of a block's draws a case takes does
not change what is drawn, and runs spare a gather of every ranged input and a scatter of
the figures (docs/performance.md). Whoever pairs samples of two problems (`plan`) puts
each problem's in an order of its own first (`shared_order` for shared scenarios).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray

from pmsize import _engine as engine
from pmsize._correlations import Copula, copula
from pmsize._engine import VERDICTS, Inputs, Thresholds
from pmsize._inputs import Input, catalogue
from pmsize._models import Problem
from pmsize._models import _scenarios as scenarios
from pmsize._models._problem import Kept
from pmsize._sampling import ARRAY, BLOCK, BlockDraws, Floats, Subsampler, merged_chunks, stream
from pmsize._values import Range

if TYPE_CHECKING:
    from pmsize._engine import Column


@dataclass(frozen=True)
class Mixture:
    """A problem's cases as a simulation draws them (SPEC §14): the base case, then each
    scenario, each as a problem of its own (`Problem.in_scenario`) with its probability.

    How many samples draw each case comes first, from a stream of its own keyed by `key`
    (never an input's path), so the inputs' draws are those of the problem without
    scenarios. A portfolio's shared scenarios (`Problem.shared_scenarios`) are keyed by
    what they are (names and probabilities), so every problem that takes them draws the
    same cases in the same samples; a problem's own are keyed by its name, drawn for it
    alone.

    Cases whose problems have the same inputs and alternatives, and differ only in their
    values, are sized together, in one run of the engine (`groups`): a scenario that moves
    numbers costs the engine nothing more; one that adds or removes an input (an
    alternative, a price, a year of a list) is sized on its own.
    """

    names: tuple[str, ...]
    problems: tuple[Problem, ...]
    probabilities: tuple[float, ...]
    key: str
    # every case's alternatives by name, first seen first (what `set_by` counts over)
    alternatives: tuple[str, ...]
    # per case, its alternative index + 1 (0: none) -> index into `alternatives` + 1
    set_by: tuple[NDArray[np.intp], ...]
    # the cases sized in one run of the engine, the base case's group first (a block's
    # runs stay in the cases' order; `mixed_block` lays each group's side by side)
    groups: tuple[tuple[int, ...], ...]
    # per case, its inputs by path (`inputs.catalogue`) and its correlations' copula
    inputs: tuple[dict[str, Input], ...]
    dependences: tuple[Copula | None, ...]
    # every input a case that can be drawn ranges, as the first such case ranges it: what
    # each block's value of information is binned over, whichever cases drew its samples
    ranges: dict[str, Range]

    def counts(self, seed: int, block: int, size: int) -> list[int]:
        """How many of the `size` samples of block `block` draw each case (in `names`'
        order): a sample's uniform draw (32 random bits) picks the case whose cumulative
        probabilities' edges it passes, so reweighing the scenarios changes the counts by
        the draws between the edges that moved (and the runs after them start elsewhere)."""
        # two samples' 32 bits from each 64 the generator makes: half the time of a float
        bits = stream(seed, self.key, block).bit_generator.random_raw(-(-size // 2))
        drawn = bits.view(np.uint32)[:size]
        # the least draw at or past each edge: 32-bit integers, so exact for any edge
        edges = [math.ceil(float(edge) * 2**32) for edge in np.cumsum(self.probabilities)[:-1]]
        if len(edges) > FEW_CASES:
            at = np.searchsorted(np.array(edges, np.uint64), drawn, side="right")
            found: list[int] = np.bincount(at, minlength=len(self.names)).tolist()
            return found
        # a comparison an edge: several times a search's speed for a few
        above = [
            size,
            *(int(np.count_nonzero(drawn >= edge)) if edge < 2**32 else 0 for edge in edges),
            0,
        ]
        return [a - b for a, b in itertools.pairwise(above)]

    def cases(self, seed: int, block: int, size: int) -> NDArray[np.intp]:
        """The case each sample of block `block` is sized as (an index into `names`): each
        case's run (`counts`), in `names`' order, the base case's first."""
        return np.repeat(np.arange(len(self.names)), self.counts(seed, block, size))


FEW_CASES = 8  # up to this many cases, the samples of each are counted by a comparison


def mixture(problem: Problem) -> Mixture | None:
    """The cases a simulation draws for `problem`; None when it has no scenarios, or none
    with probabilities (then the base case alone is simulated). Made once a problem (its
    scenarios' problems and copulas, half a millisecond for three), as `in_scenario` is."""
    made, shared = problem._mixture, problem.shared_scenarios
    if made.owner is problem and made.value[0] == shared:
        return cast("Mixture | None", made.value[1])
    found = _mixture(problem)
    problem._mixture = Kept(problem, (shared, found))
    return found


def _mixture(problem: Problem) -> Mixture | None:
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
    listed = [catalogue(case) for case in found]
    groups: dict[tuple[object, ...], list[int]] = {}
    ranges: dict[str, Range] = {}
    for c, (case, inputs) in enumerate(zip(found, listed, strict=True)):
        groups.setdefault(_shape(case, inputs), []).append(c)
        for i in inputs if weights[c] > 0 else ():
            if isinstance(i.value, Range):
                ranges.setdefault(i.path, i.value)
    return Mixture(
        names,
        found,
        weights,
        key,
        alternatives,
        set_by,
        tuple(tuple(group) for group in groups.values()),
        tuple({i.path: i for i in inputs} for inputs in listed),
        tuple(copula(case) for case in found),
        ranges,
    )


def _shape(problem: Problem, inputs: list[Input]) -> tuple[object, ...]:
    """What the engine reads of a problem besides its values (`engine.Inputs.take`): its
    horizon, its alternatives (names and arrivals) and its inputs (paths, kinds and years).
    Cases of the same shape are sized in one run of the engine, each value a column."""
    return (
        problem.horizon_years,
        tuple((a.name, a.from_year) for a in problem.alternatives),
        tuple((i.path, i.kind, i.years, i.field, i.alternative) for i in inputs),
    )


@dataclass(frozen=True)
class Mixed:
    """A block's figures over a mixture of cases, each sample sized as the case it drew:
    per sample its NPV, ROI and ceiling, as each group of cases gave them (`parts`: where
    in the block, then the three, each a column or one number for the whole run), which
    `write` puts in place; counted over the block, the verdicts, the alternatives setting
    the ceiling (`Mixture.alternatives`, none first) and each case's `totals` (samples,
    samples with a finite NPV, their NPV summed, samples with NPV > 0)."""

    parts: tuple[tuple[slice, Column, Column, Column], ...]
    verdicts: NDArray[np.intp]
    set_by: NDArray[np.intp]
    totals: Floats  # 4 rows, a column per case

    def write(self, npv: Floats, roi: Floats | None = None, ceiling: Floats | None = None) -> None:
        """Each sample's NPV (and ROI and ceiling, when asked) into the block's arrays, in the
        order drawn: copied once, from what the engine gave."""
        for rows, *figures in self.parts:
            for out, figure in zip((npv, roi, ceiling), figures, strict=True):
                if out is not None:
                    out[rows] = figure


def mixed_block(
    mix: Mixture,
    thresholds: Thresholds,
    seed: int,
    index: int,
    size: int,
    buffers: dict[str, Floats],
) -> list[tuple[Mixed, BlockDraws]]:
    """`sized_block` over a mixture of cases: each block's samples are split among the cases
    (`Mixture.counts`), each case taking a run of them, in the cases' order; each group's
    cases (`Mixture.groups`) are sized in one run of the engine, on their runs laid side by
    side in the draws, their ranges taking the block's draws there (`BlockDraws`).

    A `size` over `BLOCK` sizes the consecutive blocks from `index` on together: each
    block's samples are drawn and split as they would be alone, and each group is sized
    once for all of them (the engine's fixed cost paid once), on its runs of every block
    side by side; each block's figures come back apart (a `Mixed` for each, with its
    draws), as the block alone gives them."""
    parts = [min(BLOCK, size - start) for start in range(0, size, BLOCK)]
    counts = [mix.counts(seed, index + b, part) for b, part in enumerate(parts)]
    # each block's runs in the cases' order (where a case's samples are does not depend on
    # how the cases are sized); in the draws, group by group, block by block, case by case
    starts = [[0, *itertools.accumulate(each)] for each in counts]
    chunks: list[tuple[int, slice, slice]] = []  # (block, where in the block, in the draws)
    laid: list[tuple[slice, list[tuple[slice, int]], list[tuple[int, slice, slice]]]] = []
    place = 0
    for group in mix.groups:
        first = place
        runs: list[tuple[slice, int]] = []  # where in the draws, which case of the group
        pieces: list[tuple[int, slice, slice]] = []  # (block, where in it, in the draws)
        for b, each in enumerate(counts):
            for i, c in enumerate(group):
                runs.append((slice(place, place + each[c]), i))
                local = slice(starts[b][c], starts[b][c] + each[c])
                pieces.append((b, local, slice(place, place + each[c])))
                place += each[c]
        chunks += pieces
        laid.append((slice(first, place), runs, merged_chunks(pieces)))
    draws = BlockDraws(seed, index, size, buffers, parts, chunks, mix.ranges)
    figures: list[list[tuple[slice, Column, Column, Column]]] = [[] for _ in parts]
    verdicts = np.zeros((len(parts), len(VERDICTS)), np.intp)
    set_by = np.zeros((len(parts), len(mix.alternatives) + 1), np.intp)
    totals = np.zeros((len(parts), 4, len(mix.problems)))
    for group, (rows, runs, pieces) in zip(mix.groups, laid, strict=True):
        count = rows.stop - rows.start
        if count == 0:
            continue
        sampler = Subsampler(
            draws, runs, [mix.inputs[c] for c in group], [mix.dependences[c] for c in group]
        )
        inputs = Inputs.take(mix.problems[group[0]], sampler.pick, lazy=True)
        sized = engine.size(inputs, thresholds, ARRAY, per_alternative=False, extras=False)
        npv = np.broadcast_to(sized.npv, count)
        # a sample's verdict is its own case's, without `scenario-risk`: that flag weighs
        # the scenarios against each other, so it belongs to the headline, not a sample
        verdict = np.broadcast_to(sized.verdict, count)
        own = np.broadcast_to(sized.set_by, count) + 1
        indices = mix.set_by[group[0]]  # the same alternatives in every case of the group
        for b, where, there in pieces:
            if where.start == where.stop:
                continue
            at = slice(there.start - rows.start, there.stop - rows.start)
            figures[b].append(
                (where, _at(sized.npv, at), _at(sized.roi, at), _at(sized.ceiling, at))
            )
            verdicts[b] += np.bincount(verdict[at], minlength=len(VERDICTS))
            np.add.at(set_by[b], indices, np.bincount(own[at], minlength=indices.size))
        for k, (run, i) in enumerate(runs):  # block by block, case by case
            b, c = k // len(group), group[i]
            these = npv[run.start - rows.start : run.stop - rows.start]
            summed = float(these.sum())
            if math.isfinite(summed):  # every NPV finite, as almost always
                totals[b, :, c] = these.size, these.size, summed, np.count_nonzero(these > 0)
                continue
            finite = np.isfinite(these)
            totals[b, :, c] = (
                these.size,
                np.count_nonzero(finite),
                these.sum(where=finite),
                np.count_nonzero(these > 0),
            )
    return [
        (Mixed(tuple(figures[b]), verdicts[b], set_by[b], totals[b]), draws.part(b))
        for b in range(len(parts))
    ]


def _at(figure: Column, rows: slice) -> Column:
    """A group's figure at some of its samples: one number stays one."""
    # a 0-d array (a number the engine gave as numpy's) stays one too
    return figure[rows] if isinstance(figure, np.ndarray) and figure.ndim else figure


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


def shared_order(
    problem: Problem, samples: int, seed: int, rng: np.random.Generator
) -> NDArray[np.intp] | None:
    """An order of a problem's `samples` draws (`simulation.npv_samples`) in which every
    problem that shares its scenarios (the same `Mixture.key`) has the same case at each
    place: each case's samples, in a random order of the problem's own (`rng`), at the
    places that case has in an order keyed by the scenarios: problems that share the same
    scenarios meet them in the same samples, and problems that share other scenarios (the
    defaults of another portfolio) meet theirs independently, though every problem's runs
    start with the base case. None when no scenario is drawn."""
    mix = mixture(problem)
    cases = scenario_samples(problem, samples, seed)
    if mix is None or cases is None:
        return None
    places = stream(seed, f"places of {mix.key}").permutation(samples)
    order = np.empty(samples, np.intp)
    order[places] = np.lexsort((rng.random(samples), cases))
    return order


__all__ = ["Mixed", "Mixture", "mixed_block", "mixture", "scenario_samples", "shared_order"]
