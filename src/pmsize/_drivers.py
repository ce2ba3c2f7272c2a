"""What drives NPV: the tornado, break-even values and value of information.

Nothing here re-derives the model: the tornado and break-even hand `engine.size`
floats, or columns of them (one column per input moved, every other input at its
central value). Value of information is measured on the simulation's samples
(`simulation.simulate(learn=True)` sums NPV per bin of each input with `bin_index`;
`evpi` turns the sums into the figure), against the decision taken without it
(`builds`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from pmsize import _engine as engine
from pmsize._engine import DEFAULT_THRESHOLDS, Inputs, Thresholds, ranged_inputs
from pmsize._inputs import Input, catalogue
from pmsize._models import Problem, scenarios
from pmsize._sampling import ARRAY, Floats
from pmsize._values import MAX_GROWTH, MAX_VALUE, Kind, Quantity, Range, central

if TYPE_CHECKING:
    from pmsize._engine import Column

BUILD_COST = "solution.build_cost"
# the scenario a sample drew (SPEC §14), as one more input of the tornado and of the value
# of information: its values are the scenarios' names
SCENARIO = "scenario"
# how a tornado bar's values are written: an input's kind, or the names of scenarios
BarKind = Kind | Literal["scenario"]


@dataclass(frozen=True)
class ValueOfInformation:
    """Expected NPV gained by learning `input` exactly before deciding whether to build."""

    input: str
    evpi: float


def builds(expected_npv: float | None) -> bool:
    """The decision value of information is measured against: build when expected NPV >= 0
    (an NPV defined in no sample counts as 0)."""
    return (expected_npv or 0.0) >= 0


def voi_bins(samples: int) -> int:
    """Equal-probability bins per input for value of information: sqrt(n)/5, from 2 to 50."""
    return max(2, min(50, round(math.sqrt(samples) / 5)))


def bin_index(q: Range, base: Floats, bins: int) -> NDArray[np.intp]:
    """Equal-probability bin of each sample, from the standard draw behind it (z or u)."""
    if q.dist == "uniform":
        return np.minimum((base * bins).astype(np.intp), bins - 1)
    return np.searchsorted(_normal_edges(bins), base)


@functools.cache
def _normal_edges(bins: int) -> Floats:
    """The standard normal's quantiles that split it into `bins` equally likely bins."""
    from statistics import NormalDist  # here: only value of information needs it

    return np.array([NormalDist().inv_cdf(k / bins) for k in range(1, bins)])


def evpi(sums: Floats, samples: int) -> float:
    """E[max(E[NPV|bin], 0)] - max(E[NPV], 0), as a sum of non-negative terms.

    With S_b the NPV summed over bin b and n samples: when E[NPV] >= 0 (build),
    learning pays in the bins where NPV is negative, sum_b max(-S_b, 0) / n;
    otherwise (don't build) in the bins where it is positive, sum_b max(S_b, 0) / n.
    Exactly 0 when every bin leads to the same decision.
    """
    gained = np.maximum(-sums if builds(float(sums.sum())) else sums, 0.0).sum()
    return float(gained) / samples


@dataclass(frozen=True)
class TornadoBar:
    """NPV with one ranged input at its low and at its high end, every other input central;
    for `SCENARIO`, the scenarios (names) where NPV at central values is lowest and highest."""

    input: str
    low_value: float | str
    high_value: float | str
    npv_at_low: float
    npv_at_high: float
    kind: BarKind  # of the input: how its values are written

    @property
    def swing(self) -> float:
        """|NPV at high - NPV at low|."""
        return abs(self.npv_at_high - self.npv_at_low)


@dataclass(frozen=True)
class BreakEven:
    """Where NPV crosses zero as `input` moves, all else central: `value`, the crossing
    nearest the value assumed (None if it never crosses), and `values`, every crossing
    in the range searched, ascending (SPEC §15: NPV may turn negative on both sides)."""

    input: str
    value: float | None
    assumed: float
    kind: Kind  # of the input: how its values are written
    values: tuple[float, ...] = ()

    def around(self) -> tuple[float | None, float | None]:
        """The crossings just below and just above the value assumed (None where there is
        none before the end of the range searched): where NPV keeps its sign at the value
        assumed, the interval it keeps it over."""
        below = [v for v in self.values if v < self.assumed]
        above = [v for v in self.values if v > self.assumed]
        return (below[-1] if below else None, above[0] if above else None)


def _ends(q: Quantity) -> tuple[float, float]:
    assert isinstance(q, Range)
    return q.low, q.high


def npv_with(problem: Problem, thresholds: Thresholds, path: str, value: float) -> float:
    """The point NPV with the input at `path` set to `value` and every other input central."""

    def pick(item: Input) -> float:
        return value if item.path == path else central(item.value)

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

    def pick(item: Input) -> Column:
        value = central(item.value)
        found = columns.get(item.path)
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
    """One bar per ranged input, widest swing first (ties in the order of the model), and
    one for the scenario when scenarios with probabilities are drawn (`scenario_bar`)."""
    ranged = [item for item in catalogue(problem) if isinstance(item.value, Range)]
    bars: list[TornadoBar] = []
    if ranged:
        paths = [item.path for item in ranged for _ in (0, 1)]
        ends = np.array([end for item in ranged for end in _ends(item.value)])
        npv = npv_columns(problem, thresholds, paths, ends)
        bars = [
            TornadoBar(
                item.path, *_ends(item.value), float(npv[2 * i]), float(npv[2 * i + 1]), item.kind
            )
            for i, item in enumerate(ranged)
        ]
    case = scenario_bar(problem, thresholds)
    if case is not None:
        bars.append(case)
    return tuple(sorted(bars, key=lambda bar: -bar.swing))


def scenario_bar(
    problem: Problem, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> TornadoBar | None:
    """The scenario as an input of the tornado (SPEC §14): NPV at central values in the case
    where it is lowest and in the one where it is highest, over the base case and the
    scenarios a sample can draw (a probability above 0; the first listed of equal NPVs);
    None when no scenario is drawn (none, or none with probabilities)."""
    base = scenarios.base_probability(problem.scenarios)
    if base is None:
        return None
    cases = [(scenarios.BASE, base, problem)] + [
        (s.name, s.probability or 0.0, problem.in_scenario(s.name)) for s in problem.scenarios
    ]
    npvs = [(name, central_npv(case, thresholds)) for name, p, case in cases if p > 0]
    low = min(npvs, key=lambda found: found[1])
    high = max(npvs, key=lambda found: found[1])
    return TornadoBar(SCENARIO, low[0], high[0], low[1], high[1], "scenario")


def central_npv(problem: Problem, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> float:
    """The point NPV with every input at its central value."""
    inputs = Inputs.take(problem, lambda item: central(item.value))
    npv: float = engine.size(inputs, thresholds, engine.SCALAR).npv
    return npv


def break_even(
    problem: Problem, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> tuple[BreakEven, ...]:
    """Break-even of `solution.build_cost` and of every ranged input, all else central.

    The root searches of all inputs run side by side: each step of them is one engine
    call over a column per input still searching (`roots_near`).
    """
    kinds = {item.path: item.kind for item in catalogue(problem)}
    candidates = [(BUILD_COST, central(problem.solution.build_cost))]
    candidates += [(path, q.central) for path, q in ranged_inputs(problem) if path != BUILD_COST]
    paths = [path for path, _ in candidates]
    # the search runs over [0, upper]; a growth g over (-100%, +1,000%] is searched as 1 + g
    shifts = np.array([1.0 if kinds[path] == "growth" else 0.0 for path in paths])

    def f(which: NDArray[np.intp], x: Floats) -> Floats:
        return npv_columns(problem, thresholds, [paths[i] for i in which], x - shifts[which])

    def upper(path: str) -> float:
        kind = kinds[path]
        return 1.0 if kind == "percent" else 1.0 + MAX_GROWTH if kind == "growth" else MAX_VALUE

    starts = [assumed + shift for (_, assumed), shift in zip(candidates, shifts, strict=True)]
    every = roots_in(f, starts, [upper(path) for path in paths])
    return tuple(
        BreakEven(
            path,
            _nearest(roots, start, shift),
            float(assumed),
            kinds[path],
            tuple(float(root - shift) for root in roots),
        )
        for (path, assumed), roots, start, shift in zip(
            candidates, every, starts, shifts, strict=True
        )
    )


def _nearest(roots: Sequence[float], start: float, shift: float) -> float | None:
    """The root nearest `start`, unshifted; None when there is none."""
    if not roots:
        return None
    return float(min(roots, key=lambda root: abs(root - start)) - shift)


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
    """For each function i, its root in [0, uppers[i]] nearest starts[i]; None if none
    (`roots_in`, the nearest of them)."""
    return [
        min(roots, key=lambda root: abs(root - start), default=None)
        for roots, start in zip(roots_in(f, starts, uppers), starts, strict=True)
    ]


def roots_in(f: Functions, starts: Sequence[float], uppers: Sequence[float]) -> list[list[float]]:
    """For each function i, every root in [0, uppers[i]] the scan finds, ascending.

    Scans outward from the start to both ends (geometric steps for amounts, 1/64 of the
    span for shares), keeps every sign change between two points of the scan, and
    refines each by the Illinois variant of regula falsi (exact for a linear function).
    A root at the start itself counts. Roots closer together than one step of the scan
    (a function that dips below zero and back between two points) are not seen. Every
    function advances one step per call of `f`, which evaluates them all at once.
    """
    count = len(starts)
    x0 = np.array(starts, dtype=np.float64)
    f0 = f(np.arange(count), x0)
    # one walker per side of each start: (function, points in order out from the start)
    walkers = [
        (i, points) for i in range(count) for points in _scan(float(x0[i]), uppers[i]) if points
    ]
    # every bracket (function, (a, fa, b, fb)) found, and each walker's last point
    brackets: list[tuple[int, tuple[float, float, float, float]]] = []
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
            last = prev[w][1]
            if fk == 0 or (last != 0 and (fk > 0) != (last > 0)):
                brackets.append((i, (*prev[w], xk, fk)))
            if fk != 0 or last == 0:
                prev[w] = (xk, fk)  # a zero is a root once, not the start of a new side
            if step + 1 < len(walkers[w][1]):
                still.append(w)
        active, step = still, step + 1
    refined = iter(_illinois(f, [(i, b) for i, b in brackets if b[3] != 0]))
    roots: list[set[float]] = [{float(x0[i])} if f0[i] == 0 else set() for i in range(count)]
    for i, (_, _, b, fb) in brackets:
        roots[i].add(b if fb == 0 else next(refined))
    return [sorted(found) for found in roots]


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
    for n in range(200):
        live = np.flatnonzero(searching)
        if live.size == 0:
            break
        la, lfa, lb, lfb = a[live], fa[live], b[live], fb[live]
        with np.errstate(all="ignore"):
            lc = (la * lfb - lb * lfa) / (lfb - lfa)
        close = np.abs(lb - la) <= 1e-13 * np.maximum(np.abs(la), np.abs(lb))
        # every third step, and any step that would not leave an end, halves the bracket:
        # against a flat side and a steep one (NPV a hair below zero until an alternative
        # stops capping the price, then climbing fast) regula falsi crept along the flat
        # side for 200 steps and stopped short of the root; halving bounds it (2^-66)
        stuck = ~close & ((n % 3 == 2) | (lc == la) | (lc == lb) | ~np.isfinite(lc))
        lc = np.where(stuck, (la + lb) / 2, lc)
        c[live] = lc
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
    """What drives NPV at central values: the tornado and the break-even values; and the
    decision value of information is measured against."""

    central_npv: float
    tornado: tuple[TornadoBar, ...]
    break_even: tuple[BreakEven, ...]
    # without learning more: build (expected NPV >= 0, `builds`) or not
    build: bool
    # central NPV and expected NPV lie on different sides of zero (lopsided ranges)
    lopsided: bool
    # what learning each ranged input exactly is worth, highest first (from the samples)
    value_of_information: tuple[ValueOfInformation, ...] = ()


def sensitivity(
    problem: Problem,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    *,
    central_npv: float,
    expected_npv: float | None,
    value_of_information: tuple[ValueOfInformation, ...] = (),
) -> Sensitivity:
    """The tornado and break-even values of a problem, and the decision without more
    information given its NPV at central values and its expected (mean sampled) NPV;
    `value_of_information` as the simulation measured it (`simulation.simulate(learn=True)`)."""
    return Sensitivity(
        central_npv=central_npv,
        tornado=tornado(problem, thresholds),
        break_even=break_even(problem, thresholds),
        build=builds(expected_npv),
        lopsided=(central_npv > 0) != ((expected_npv or 0.0) > 0),
        value_of_information=value_of_information,
    )


__all__ = [
    "BUILD_COST",
    "SCENARIO",
    "BarKind",
    "BreakEven",
    "Sensitivity",
    "TornadoBar",
    "ValueOfInformation",
    "bin_index",
    "break_even",
    "builds",
    "central_npv",
    "evpi",
    "npv_columns",
    "npv_with",
    "root_near",
    "roots_near",
    "scenario_bar",
    "sensitivity",
    "tornado",
    "voi_bins",
]
