"""Drawing samples of ranges (SPEC §2) and handing them to the engine as numpy columns.

A range's `low` and `high` are its 5th and 95th percentiles (its bounds for
`uniform`); lognormal draws `median * exp(sigma * z)`, normal `median + sigma * z`,
uniform `low + (high - low) * u`; percents are clipped to [0, 1], amounts and
counts to >= 0. Inputs are independent of each other, unless the problem declares
correlations: then the paired inputs' standard normals come from the copula of
`correlations` (a uniform range's through Phi), each built from the inputs' own streams.

Each ranged input draws each block of samples from a stream of its own, keyed by
the seed, the input's path in the file and the block's index: runs are
reproducible whatever the number of threads, and adding a range to one input
leaves the draws of the others as they were.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from pmsize._summary import Floats
from pmsize._values import MAX_GROWTH, Kind, Quantity, Range

if TYPE_CHECKING:
    from pmsize._correlations import Copula
    from pmsize._engine import Column, Mask, Whole
    from pmsize._inputs import Input

BLOCK = 1 << 16  # samples drawn and sized together; bounds the memory of intermediates


class ArrayOps:
    """`engine.Ops` over columns of samples (numpy arrays, or floats that broadcast)."""

    @staticmethod
    def maximum(a: Column, b: Column, /) -> Column:
        return np.maximum(a, b)

    @staticmethod
    def minimum(a: Column, b: Column, /) -> Column:
        return np.minimum(a, b)

    @staticmethod
    def where(condition: Mask, a: Column, b: Column, /) -> Column:
        return np.where(condition, a, b)

    @staticmethod
    def where_whole(condition: Mask, a: Whole, b: Whole, /) -> Whole:
        return np.where(condition, a, b)

    @staticmethod
    def divide(a: Column, b: Column, /) -> Column:
        # like float division: x/0 is NaN here (ScalarOps), an overflow is silently inf
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.where(np.equal(b, 0), np.nan, np.divide(a, b))


ARRAY = ArrayOps()


def stream(seed: int, path: str, block: int = 0) -> np.random.Generator:
    """The random stream of one input in one block of samples: numpy's default generator,
    keyed by the seed, the input's path and the block's index."""
    key = zlib.crc32(path.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key, block)))


def draw(
    q: Range, kind: Kind, rng: np.random.Generator, size: int, out: Floats | None = None
) -> Floats:
    """`size` samples of a range, written into `out` when given (of length `size`).

    lognormal: median * exp(sigma * z); normal: median + sigma * z, where
    sigma = (high - low) / (2 * 1.645); uniform: low + (high - low) * u.
    Percents are clipped to [0, 1], amounts and counts to >= 0, a growth to [-100%, +1,000%].
    """
    return shaped(q, kind, standard_draws(q, rng, size, out))


def shaped(q: Range, kind: Kind, x: Floats) -> Floats:
    """Standard draws `x` (u for a uniform range, z otherwise) turned in place into samples
    of the range, as `draw` describes."""
    if q.dist == "uniform":
        x *= q.high - q.low
        x += q.low
    else:
        x *= q.sigma
        if q.dist == "lognormal":
            np.exp(x, out=x)
            x *= q.central
        else:
            x += q.central
    if kind == "growth":  # signed: above -100% (where no customer is left), at most the cap
        np.clip(x, -1.0, MAX_GROWTH, out=x)
        return x
    if q.dist != "lognormal":
        np.maximum(x, 0.0, out=x)
    if kind == "percent":
        np.minimum(x, 1.0, out=x)
    return x


def standard_draws(
    q: Range, rng: np.random.Generator, size: int, out: Floats | None = None
) -> Floats:
    """The standard draws behind `draw`: uniform u for a uniform range, normal z otherwise.

    The first draws of a stream, so calling this on a fresh `stream` gives again the
    draws a sample was made from, without keeping them.
    """
    if q.dist == "uniform":
        return rng.random(size, out=out)
    return rng.standard_normal(size, out=out)


class Sampler:
    """A `pick` that draws one block of samples for each range and passes points through.

    It remembers which inputs were ranged, not their draws: with thousands of ranged
    alternatives those would not fit in memory (`standard_draws` gives them again).
    Given `buffers` (input path -> array of at least `size`, kept by the caller from
    one block to the next), draws of inputs other than alternatives' are written into
    them rather than into new arrays; alternatives' are not, since a problem may have
    thousands of them (`Inputs.take(lazy=True)` keeps one alive at a time).
    """

    def __init__(
        self,
        seed: int,
        block: int,
        size: int,
        buffers: dict[str, Floats] | None = None,
        copula: Copula | None = None,
    ) -> None:
        self.seed, self.block, self.size = seed, block, size
        self.ranges: dict[str, Range] = {}
        self.buffers = buffers
        # the correlated inputs' normals Z_i (SPEC §10), kept for the block
        self.normals = {} if copula is None else correlated_normals(copula, seed, block, size)

    def pick(self, item: Input) -> Column:
        q, path = item.value, item.path
        if not isinstance(q, Range):
            return q
        self.ranges[path] = q
        normal = self.normals.get(path)
        # alternatives' columns are never kept: a problem may have thousands of them
        buffer = None if item.alternative is not None else self._buffer(path)
        if normal is None:
            return draw(q, item.kind, self.stream(path), self.size, buffer)
        if buffer is None:
            x = normal.copy()
        else:
            x = buffer
            np.copyto(x, normal)
        return shaped(q, item.kind, _uniform_of(q, x))

    def stream(self, path: str) -> np.random.Generator:
        return stream(self.seed, path, self.block)

    def standard_draws(self, path: str, out: Floats | None = None) -> Floats:
        """The standard draws behind the samples of `path` in this block, drawn again (for a
        correlated input, its normal Z, through Phi for a uniform range)."""
        normal = self.normals.get(path)
        if normal is not None:
            q = self.ranges[path]
            return normal if q.dist != "uniform" else _uniform_of(q, normal, out)
        return standard_draws(self.ranges[path], self.stream(path), self.size, out)

    def _buffer(self, path: str) -> Floats | None:
        if self.buffers is None:
            return None
        found = self.buffers.get(path)
        if found is None or found.size < self.size:
            found = self.buffers[path] = np.empty(self.size)
        return found[: self.size]


Normals = dict[str, Floats]  # each correlated input's normals Z_i


class BlockDraws:
    """The standard draws of a block of samples, shared by the cases of a mixture (a
    problem's scenarios, SPEC §14): each input's z (or u) drawn once from its own stream for
    the whole block, as the problem without scenarios draws them (common random numbers).
    Each case takes a run of the block (`Subsampler`), in the cases' order, the base case's
    first; the draws lay the runs of each group of cases sized together
    (`mixture.Mixture.groups`) side by side.

    A few consecutive blocks may be drawn together (`parts`: the size of each block, from
    `block` on), each from its own streams as it would be alone, and each group's runs of
    every block side by side: `chunks` says where each run of a block (in the block) goes
    (in the draws). Without them, one block in its own order.

    Draws of inputs other than alternatives' are kept (in `buffers`, as `Sampler` keeps its
    columns), and each case shapes its own run of them in place, as `Sampler` shapes a
    whole column: once shaped they are no longer standard draws, so `standard_draws` draws
    them again. Alternatives' are drawn afresh each time a group of cases ranges them,
    since a problem may have thousands.
    """

    def __init__(
        self,
        seed: int,
        block: int,
        size: int,
        buffers: dict[str, Floats] | None = None,
        parts: Sequence[int] = (),
        chunks: Sequence[tuple[int, slice, slice]] = (),
        ranges: dict[str, Range] | None = None,
    ) -> None:
        self.seed, self.block, self.size = seed, block, size
        self.buffers = {} if buffers is None else buffers
        # every ranged input of the cases, as the first case ranges it (`Mixture.ranges`):
        # what `standard_draws` redraws, for the value of information
        self.ranges: dict[str, Range] = {} if ranges is None else dict(ranges)
        self.parts = list(parts) or [size]  # each block's samples, from `block` on
        whole = slice(0, size)
        self.chunks = merged_chunks(chunks or [(0, whole, whole)])
        # the draws are the block's own order (one block, its runs where they are in it)
        self.in_order = self.chunks == [(0, whole, whole)]
        self._kept: dict[tuple[str, bool], Floats] = {}
        # per copula: the normals in the draws' order, and each block's in its own
        self._normals: dict[tuple[tuple[str, ...], bytes], tuple[Normals, list[Normals]]] = {}

    def _drawn(self, path: str, q: Range, out: Floats) -> Floats:
        """`standard_draws` of `path` for every block, each from its own stream, into `out`."""
        streams: dict[int, np.random.Generator] = {}
        for b, local, place in self.chunks:  # each block's runs in its own order
            if b not in streams:
                streams[b] = stream(self.seed, path, self.block + b)
            standard_draws(q, streams[b], local.stop - local.start, out[place])
        return out

    def standard(self, path: str, q: Range, rows: slice, *, keep: bool) -> Floats:
        """The standard draws of `path` at `rows` of the draws (u for a uniform range, z
        otherwise), to be shaped in place: a view of the kept draws when `keep`, else drawn
        afresh (in the block's own order: up to the end of `rows`)."""
        if not keep:
            if self.in_order:
                rng = stream(self.seed, path, self.block)
                return standard_draws(q, rng, rows.stop)[rows]
            return self._drawn(path, q, np.empty(self.size))[rows]
        key = (path, q.dist == "uniform")
        found = self._kept.get(key)
        if found is None:
            named = f"{path} {key[1]}"
            out = self.buffers.get(named)
            if out is None or out.size < self.size:
                out = self.buffers[named] = np.empty(self.size)
            found = self._kept[key] = self._drawn(path, q, out[: self.size])
        return found[rows]

    def normals(self, copula: Copula | None) -> dict[str, Floats]:
        """The correlated inputs' normals Z_i under `copula` (none without), in the draws'
        order: each block's computed from its own streams, as alone."""
        if copula is None:
            return {}
        key = (copula.paths, copula.factor.tobytes())
        found = self._normals.get(key)
        if found is None:
            each = [
                correlated_normals(copula, self.seed, self.block + b, size)
                for b, size in enumerate(self.parts)
            ]
            laid = each[0]
            if not self.in_order:
                laid = {path: np.empty(self.size) for path in copula.paths}
                for b, local, place in self.chunks:
                    for path, z in laid.items():
                        z[place] = each[b][path][local]
            found = self._normals[key] = (laid, each)
        return found[0]

    def part(self, b: int) -> BlockDraws:
        """The draws of the `b`-th block alone, in its own order (what `standard_draws`
        gives): the ranges met, and its normals."""
        if len(self.parts) == 1:
            return self
        found = BlockDraws(self.seed, self.block + b, self.parts[b])
        found.ranges = self.ranges
        found._normals = {key: (each[b], [each[b]]) for key, (_, each) in self._normals.items()}
        return found

    def standard_draws(self, path: str, out: Floats | None = None) -> Floats:
        """The standard draws behind the samples of `path` in this block, as
        `Sampler.standard_draws` gives them (a correlated input's normal Z, through Phi for a
        uniform range). One block only (`part`)."""
        q = self.ranges[path]
        for normals, _ in self._normals.values():
            normal = normals.get(path)
            if normal is not None:
                return normal if q.dist != "uniform" else _uniform_of(q, normal.copy(), out)
        return standard_draws(q, stream(self.seed, path, self.block), self.size, out)


def merged_chunks(chunks: Sequence[tuple[int, slice, slice]]) -> list[tuple[int, slice, slice]]:
    """(block, where in the block, where in the draws), in each block's own order, empty
    ones left out, and runs that follow each other in both as one (drawn at once)."""
    found: list[tuple[int, slice, slice]] = []
    for b, local, place in sorted(chunks, key=lambda c: (c[0], c[1].start)):
        if local.start == local.stop:
            continue
        if found and found[-1][0] == b:
            _, last, there = found[-1]
            if last.stop == local.start and there.stop == place.start:
                found[-1] = (b, slice(last.start, local.stop), slice(there.start, place.stop))
                continue
        found.append((b, local, place))
    return found


class Subsampler:
    """A `pick` for cases of a mixture sized together (`mixture.Mixture.groups`: the same
    inputs, other values), each on its own runs of the draws (`runs`: where, and which of
    the cases, one after the other): each input is one column over the runs, each case's
    runs its own value there. A ranged input takes the standard draws on the run
    (`BlockDraws`), shaped by the case's own range; a point fills the run; a point that
    every case shares stays a number.

    `inputs` and `copulas` are each case's (its inputs by path, its correlations); the
    engine takes the inputs of the first case's problem, whose paths every case has.
    """

    def __init__(
        self,
        draws: BlockDraws,
        runs: Sequence[tuple[slice, int]],
        inputs: Sequence[dict[str, Input]],
        copulas: Sequence[Copula | None],
    ) -> None:
        self.draws, self.runs, self.inputs = draws, runs, inputs
        self.rows = slice(runs[0][0].start, runs[-1][0].stop)
        self.normals = [draws.normals(c) for c in copulas]

    def pick(self, item: Input) -> Column:
        path, start = item.path, self.rows.start
        # a point every case of the group shares is a number; else a column, whichever cases
        # drew samples here, so a block gives the same bits sized alone or with another
        first = self.inputs[0][path].value
        if not isinstance(first, Range) and all(
            inputs[path].value == first for inputs in self.inputs
        ):
            return first
        # runs one after the other with the same value (and normals) are one span: shaped or
        # filled at once
        spans: list[tuple[slice, Quantity, Floats | None]] = []
        for run, case in self.runs:
            if run.start == run.stop:
                continue
            q, normal = self.inputs[case][path].value, self.normals[case].get(path)
            if spans and spans[-1][1] == q and spans[-1][2] is normal:
                spans[-1] = (slice(spans[-1][0].start, run.stop), q, normal)
            else:
                spans.append((run, q, normal))
        ranges = [q for _, q, _ in spans if isinstance(q, Range)]
        shared = all(normal is None for *_, normal in spans)
        shared = shared and len({q.dist == "uniform" for q in ranges}) == 1
        keep = item.alternative is None
        if shared:  # the block's standard draws on the runs, in one array: each shapes its own
            column = self.draws.standard(path, ranges[0], self.rows, keep=keep)
        else:
            column = np.empty(self.rows.stop - start)
        for run, q, normal in spans:
            x = column[run.start - start : run.stop - start]
            if not isinstance(q, Range):
                x[...] = q
                continue
            if normal is not None:  # copied: the normals stay as drawn, for every case
                x[...] = normal[run]
                _uniform_of(q, x)
            elif not shared:
                x[...] = self.draws.standard(path, q, run, keep=keep)
            shaped(q, item.kind, x)
        return column


def correlated_normals(copula: Copula, seed: int, block: int, size: int) -> dict[str, Floats]:
    """Each correlated input's normal Z_i for one block: L @ z, z the independent standard
    normals of each input's own stream (`stream`), L the copula's Cholesky factor.

    Computed row by row in place, last row first (Z_i needs z_j for j <= i only), with
    only L's non-zero terms: no matrix product, whose BLAS threads would compete with the
    blocks' own, and no temporary the size of the block but one.
    """
    factor = copula.factor
    z = np.empty((len(copula.paths), size))
    for row, path in zip(z, copula.paths, strict=True):
        stream(seed, path, block).standard_normal(size, out=row)
    term = np.empty(size)
    for i in range(len(copula.paths) - 1, -1, -1):
        if factor[i, i] != 1.0:
            z[i] *= factor[i, i]
        for j in range(i):
            if factor[i, j] != 0.0:
                np.multiply(z[j], factor[i, j], out=term)
                z[i] += term
    return dict(zip(copula.paths, z, strict=True))


def _uniform_of(q: Range, z: Floats, out: Floats | None = None) -> Floats:
    """For a uniform range, Phi(z) (in place unless `out`): the copula's uniform draw."""
    if q.dist != "uniform":
        return z
    from scipy.special import ndtr  # only a correlated uniform range samples through Phi

    result: Floats = ndtr(z, out=z if out is None else out)
    return result


__all__ = [
    "ARRAY",
    "BLOCK",
    "ArrayOps",
    "BlockDraws",
    "Floats",
    "Sampler",
    "Subsampler",
    "correlated_normals",
    "draw",
    "merged_chunks",
    "shaped",
    "standard_draws",
    "stream",
]
