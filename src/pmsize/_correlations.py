"""Rank correlations between ranged inputs (SPEC §10): reading them, checking them, and the
Gaussian copula that samples them.

A problem's `correlations:` pairs two ranged inputs by their paths (those of
`sensitivity`) with Spearman's rank correlation rho in (-1, 1); unlisted pairs are 0.
Sampling draws Z ~ N(0, S) with S_ij = 2 sin(pi rho_ij / 6), the normal correlation
whose copula has rank correlation rho_ij, and each input takes its own quantile at
Phi(Z_i) (`sampling.Sampler`), so every marginal is unchanged.

Z is L @ z, where L is the Cholesky factor of S over the correlated inputs (in the
order of the model) and z their independent standard normals, each drawn from the
input's own stream (`sampling.stream`): without correlations nothing changes, and a
correlation changes only the inputs it pairs. Inputs in different groups of pairs
stay independent, since L keeps S's blocks apart.

`_pairs.parse` reads the block (the form of each key, the coefficients, pairs listed
twice); `check` judges it against a problem (each side a ranged input, the set positive
definite). numpy is imported only to sample (`copula`), never to load; scipy (its
normal CDF, `scipy.special.ndtr`) only to sample a uniform range that is correlated.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pmsize import _paths as paths
from pmsize._pairs import Correlation, path_of

if TYPE_CHECKING:
    from pmsize._inputs import Input, Parts
    from pmsize._summary import Floats

    class Problem(Parts, Protocol):
        """What a check of correlations reads of a problem: its parts and its pairs (a
        `Problem`'s validator calls `check`, so the models are not imported here)."""

        @property
        def correlations(self) -> tuple[Correlation, ...]: ...


# the smallest pivot of S's Cholesky factorisation that still counts as positive definite
_PIVOT = 1e-10


def check(problem: Problem) -> list[tuple[str, str]]:
    """What is wrong with a problem's correlations, as (key, message) pairs; empty when sound.

    Each side must be a ranged input of the problem (as `inputs.catalogue` lists them),
    and the pairs must be able to hold together (S positive definite).
    """
    from pmsize._inputs import catalogue

    pairs = problem.correlations
    if not pairs:
        return []
    listed = catalogue(problem)
    ranged = [i.path for i in listed if i.ranged]
    every = [i.path for i in listed]
    named = _named(listed)
    problems: list[tuple[str, str]] = []
    for pair in pairs:
        for side in (pair.a, pair.b):
            if named.get(path_of(side).key) not in ranged:
                problems.append((pair.key, _not_ranged(side, ranged, every, problem)))
    if problems:
        return problems
    resolved = _resolved(pairs, named)
    paired = {side for p in resolved for side in (p.a, p.b)}
    order = [path for path in ranged if path in paired]
    clash = _clash(order, resolved)
    if clash:
        named_pairs = ", ".join(f"`{p}`" for p in clash)
        problems.append(
            (
                clash[-1].key,
                f"these correlations cannot hold together: {named_pairs}; no inputs can be "
                "correlated that way at once, so weaken or drop one of them",
            )
        )
    return problems


def _named(listed: Sequence[Input]) -> dict[paths.Key, str]:
    """Each input's path by the key that names it (alternatives' names ignoring case)."""
    return {paths.parse(i.path).key: i.path for i in listed}


def _resolved(pairs: Sequence[Correlation], named: Mapping[paths.Key, str]) -> list[Correlation]:
    """The pairs with each side as the catalogue writes it (`Alternative` for `alternative`)."""
    return [
        Correlation(named[path_of(p.a).key], named[path_of(p.b).key], p.coefficient, p.key)
        for p in pairs
    ]


def _not_ranged(side: str, ranged: list[str], every: list[str], problem: Problem) -> str:
    path = path_of(side)
    old = _old_alternative(path, problem)
    if old is not None:
        return f"{side} names an alternative by its place in the list; write {old}"
    if not ranged:
        return f"{side} is not a ranged input: this problem has no ranges to correlate"
    known = "ranged inputs: " + ", ".join(ranged)
    if path.key in _named_keys(every):
        return (
            f"{side} is a single value, not a range, so it cannot vary with another input; {known}"
        )
    close = difflib.get_close_matches(side, ranged, n=1, cutoff=0.8)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{side} is not a ranged input of this problem; {hint}{known}"


def _named_keys(every: Sequence[str]) -> set[paths.Key]:
    return {paths.parse(p).key for p in every}


def _old_alternative(path: paths.Path, problem: Problem) -> str | None:
    """The path by name of `alternatives[0]...` (the form before names), when the problem
    has no alternative named `0` but has a first one."""
    name = path.alternative
    if name is None or not name.strip().isdigit():
        return None
    names = {a.name.strip().casefold() for a in problem.alternatives}
    index = int(name)
    if name.strip().casefold() in names or index >= len(problem.alternatives):
        return None
    return str(paths.Path(path.field, problem.alternatives[index].name, path.year))


def normal_matrix(order: Sequence[str], pairs: Sequence[Correlation]) -> list[list[float]]:
    """S over the inputs in `order`: 1 on the diagonal, 2 sin(pi rho / 6) for each pair."""
    index = {path: i for i, path in enumerate(order)}
    s = [[float(i == j) for j in range(len(order))] for i in range(len(order))]
    for p in pairs:
        i, j = index[p.a], index[p.b]
        s[i][j] = s[j][i] = p.normal
    return s


def _positive_definite(s: list[list[float]]) -> bool:
    """Whether the Cholesky factorisation of `s` goes through with every pivot above
    `_PIVOT` (pure Python: loading never imports numpy, unless one linked group of
    inputs is so large that a factorisation in Python would take seconds)."""
    n = len(s)
    if n >= _NUMPY_FROM:
        import numpy as np

        try:
            factor = np.linalg.cholesky(np.array(s))
        except np.linalg.LinAlgError:
            return False
        return bool(np.all(np.diagonal(factor) ** 2 > _PIVOT))
    low = [[0.0] * n for _ in range(n)]
    for j in range(n):
        pivot = s[j][j] - sum(low[j][k] ** 2 for k in range(j))
        if pivot <= _PIVOT:
            return False
        low[j][j] = math.sqrt(pivot)
        for i in range(j + 1, n):
            low[i][j] = (s[i][j] - sum(low[i][k] * low[j][k] for k in range(j))) / low[j][j]
    return True


_NUMPY_FROM = 60  # inputs in one linked group from which numpy factorises it (in C)


def _holds(order: Sequence[str], pairs: Sequence[Correlation]) -> bool:
    """Whether S over `order` is positive definite, found group by group.

    S is block diagonal over the groups of inputs that pairs link (directly or through
    others), and it is positive definite exactly when every block is. Factorising the
    blocks costs the cube of each group's size rather than of all the inputs': a
    thousand pairs of two inputs each take a moment, not minutes.
    """
    group = {path: path for path in order}

    def root(path: str) -> str:
        while group[path] != path:
            group[path] = group[group[path]]
            path = group[path]
        return path

    for p in pairs:
        group[root(p.a)] = root(p.b)
    members: dict[str, list[str]] = {}
    for path in order:
        members.setdefault(root(path), []).append(path)
    linked: dict[str, list[Correlation]] = {}
    for p in pairs:
        linked.setdefault(root(p.a), []).append(p)
    return all(
        _positive_definite(normal_matrix(members[key], block)) for key, block in linked.items()
    )


def _clash(order: Sequence[str], pairs: Sequence[Correlation]) -> list[Correlation]:
    """A smallest set of pairs (in file order) that cannot hold together; empty if all can.

    Drops each pair in turn while the rest still cannot hold together (a deletion
    filter): what is left fails, and fails without any one of its pairs.
    """
    if _holds(order, pairs):
        return []
    kept = list(pairs)
    for pair in list(pairs):
        rest = [p for p in kept if p is not pair]
        if not _holds(order, rest):
            kept = rest
    return kept


@dataclass(frozen=True)
class Copula:
    """The correlated inputs in the order of the model and the Cholesky factor L of S."""

    paths: tuple[str, ...]
    factor: Floats


def copula(problem: Problem) -> Copula | None:
    """The copula of a problem's correlations; None when it declares none."""
    if not problem.correlations:
        return None
    import numpy as np

    from pmsize._inputs import catalogue

    listed = catalogue(problem)
    pairs = _resolved(problem.correlations, _named(listed))
    paired = {side for p in pairs for side in (p.a, p.b)}
    order = tuple(i.path for i in listed if i.ranged and i.path in paired)
    # numpy's Cholesky is LAPACK's potrf, as scipy.linalg's is; importing scipy.linalg
    # would add 0.3 s to every run (`benchmarks/simulate.py` holds the cost under 1.2x)
    factor = np.linalg.cholesky(np.array(normal_matrix(order, pairs)))
    return Copula(order, factor)


__all__ = [
    "Copula",
    "check",
    "copula",
    "normal_matrix",
]
