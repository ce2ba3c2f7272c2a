"""The best set under a budget that holds with a chance, not for sure (SPEC §15,
`plan --budget-confidence`): a sample-average chance constraint over drawn build costs,
solved exactly as one MILP by scipy's HiGHS, under the plan's time limit and in the
worker thread `_knapsack` runs every solve in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from pmsize._knapsack import MAX_CUTS, SOLVER_OPTIONS, Optimum, interruptible, time_options

if TYPE_CHECKING:
    from numpy.typing import NDArray


def chance_optimum(
    values: Sequence[float],
    draws: NDArray[Any],
    budget: float,
    allowed: int,
    max_count: int | None = None,
    *,
    overruns: Callable[[NDArray[Any], float], int],
    deadline: float | None = None,
) -> Optimum:
    """The set of the highest total value whose costs, drawn (`draws`: one row per item,
    one column per draw), add up to more than `budget` in at most `allowed` draws (a
    sample-average chance constraint), and that has at most `max_count` members; one MILP:

        maximise   sum_i v_i x_i
        subject to sum_i c_id x_i - M_d z_d <= B   for each draw d that taking every item
                                                    would overrun, M_d = sum_i c_id - B
                   sum_d z_d <= allowed,   sum_i x_i <= K,   x_i, z_d in {0, 1}

    Each set the solver returns is counted again by `overruns(rows, budget)` (the count
    the plan reports); one that overruns too often (the solver's tolerance) is cut off and
    the model solved again, as `_Model` does. Past `deadline`, the best set found with the
    bound proven (not exact); none found: the empty set. Ties are not broken by cost.
    """
    import numpy as np
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    items = [i for i, v in enumerate(values) if v > 0] if max_count != 0 else []
    if not items:
        return Optimum((), 0.0, 0.0, exact=True)
    cost = np.asarray(draws, dtype=float)[items]
    v = np.array([values[i] for i in items])

    def fits(chosen: list[int]) -> bool:
        return (max_count is None or len(chosen) <= max_count) and overruns(
            cost[chosen], budget
        ) <= allowed

    def found(chosen: list[int], bound: float, exact: bool) -> Optimum:
        value = math.fsum(float(v[j]) for j in chosen)
        return Optimum(tuple(items[j] for j in chosen), value, max(value, bound), exact=exact)

    everything = list(range(len(items)))
    if fits(everything):
        return found(everything, 0.0, exact=True)
    n = len(items)
    scale = budget if budget > 0 else 1.0
    top = float(v.max())
    excess = cost.sum(axis=0) - budget
    tight = np.flatnonzero(excess > 0)
    t = len(tight)
    rows = [
        sparse.hstack(
            [sparse.csr_matrix(cost[:, tight].T / scale), sparse.diags(-excess[tight] / scale)]
        ),
        sparse.csr_matrix(np.concatenate([np.zeros(n), np.ones(t)])),
    ]
    uppers = [np.full(t, budget / scale), np.array([float(allowed)])]
    if max_count is not None:
        rows.append(sparse.csr_matrix(np.concatenate([np.ones(n), np.zeros(t)])))
        uppers.append(np.array([float(max_count)]))
    objective = np.concatenate([-v / top, np.zeros(t)])
    ceiling = math.fsum(float(x) for x in v)  # no set is worth more than every item
    for _ in range(MAX_CUTS):
        options = time_options(deadline, SOLVER_OPTIONS)
        if options is None:
            return found([], ceiling, exact=False)
        result = interruptible(
            partial(
                milp,
                objective,
                integrality=np.ones(n + t),
                bounds=Bounds(0, 1),
                constraints=LinearConstraint(
                    sparse.vstack(rows).tocsr(), -np.inf, np.concatenate(uppers)
                ),
                options=options,
            )
        )
        if result.status not in (0, 1, 2):  # pragma: no cover - never seen
            raise RuntimeError(f"the budget optimum was not found: {result.message}")
        stopped = result.status == 1
        dual = getattr(result, "mip_dual_bound", None)
        if stopped and dual is not None and math.isfinite(dual):
            ceiling = min(ceiling, -dual * top)
        if result.x is None:  # the deadline came before any set (the empty set fits)
            return found([], ceiling, exact=False)
        chosen = [j for j in range(n) if result.x[j] > 0.5]
        if fits(chosen):
            return found(chosen, ceiling, exact=not stopped)
        cut = np.zeros(n + t)
        cut[chosen] = 1.0
        rows.append(sparse.csr_matrix(cut))
        uppers.append(np.array([len(chosen) - 1.0]))
    raise RuntimeError(  # pragma: no cover - needs 1,000 sets over the budget by a hair
        f"the budget optimum was not found: {MAX_CUTS} sets exceeded it by a rounding error"
    )


__all__ = ["chance_optimum"]
