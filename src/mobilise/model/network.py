"""The tie network: same-type peers and cross-type coordination channels.

A complete network is kept implicit (mean field: shares come from type totals),
so it costs O(N), not O(N^2). Random and block networks are sampled edge by
edge, O(edges), and kept as row-normalised sparse matrices: one product per
step gives every agent's engaged share of its neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from mobilise.model.population import Population
from mobilise.model.streams import Path, Seed, generator, shared
from mobilise.schema.sections import Network

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]


@dataclass
class Ties:
    """The network, ready for the step: peer and partner shares in one call each.

    Shares count only neighbours who *could* engage: ``pi_i`` is the engaged
    share of the reachable capacity among i's same-type neighbours, so peers
    outside reach (who never move) neither dilute nor carry a cascade.
    """

    complete: bool
    kind: Index
    counts: Array
    ceiling: Array  # each agent's engagement ceiling (its reach)
    same: sparse.csr_matrix | None = None  # row-normalised same-type adjacency
    cross: sparse.csr_matrix | None = None  # row-normalised cross-type adjacency
    same_degree: Array | None = None
    cross_degree: Array | None = None

    def __post_init__(self) -> None:
        # the reachable share of each agent's neighbours is fixed for a run: invert it once
        if self.complete:
            totals = np.bincount(self.kind, weights=self.ceiling, minlength=len(self.counts))
            same, cross = totals[self.kind] - self.ceiling, totals.sum() - totals[self.kind]
        else:
            assert self.same is not None and self.cross is not None
            same, cross = self.same @ self.ceiling, self.cross @ self.ceiling
        self.per_reachable_peer = _inverse(same)
        self.per_reachable_partner = _inverse(cross)

    def peer_share(self, engagement: Array) -> Array:
        """Engaged share of the reachable same-type neighbours (``pi_i``)."""
        if self.complete:
            totals = np.bincount(self.kind, weights=engagement, minlength=len(self.counts))
            engaged = totals[self.kind] - engagement
        else:
            assert self.same is not None
            engaged = self.same @ engagement
        result: Array = np.minimum(engaged * self.per_reachable_peer, 1.0)
        return result

    def partner_share(self, engagement: Array) -> Array:
        """Engaged share of the reachable cross-type neighbours (``chi_i``)."""
        if self.complete:
            totals = np.bincount(self.kind, weights=engagement, minlength=len(self.counts))
            engaged = totals.sum() - totals[self.kind]
        else:
            assert self.cross is not None
            engaged = self.cross @ engagement
        result: Array = np.minimum(engaged * self.per_reachable_partner, 1.0)
        return result

    def coordination(self) -> Array:
        """How tied into coordination channels each agent is, in [0, 1)."""
        if self.complete:
            others = self.counts.sum() - self.counts[self.kind]
        else:
            assert self.cross_degree is not None
            others = self.cross_degree
        result: Array = others / (1.0 + others)
        return result

    def edges(self) -> Index:
        """All ties as an (E, 2) array of agent indices with i < j (not for complete)."""
        if self.complete:
            raise ValueError("a complete network has no explicit edge list; sample agents instead")
        same: Any = self.same  # scipy has no type information
        cross: Any = self.cross
        linked = (same != 0).astype(np.int8) + (cross != 0).astype(np.int8)
        both = sparse.triu(linked, 1)
        coo = both.tocoo()
        pairs: Index = np.column_stack([coo.row, coo.col])
        return pairs


def build_ties(spec: Network, population: Population, seed: Seed) -> Ties:
    """Sample the network the scenario describes.

    Each block (a type pair, or the whole population for ``random``) draws from
    its own stream, so changing one block's degree (a reform) leaves the others'
    ties exactly as they were: common random numbers for the network.
    """
    kind, counts, ceiling = population.kind, population.counts, population.ceiling
    if spec.kind == "complete":
        return Ties(complete=True, kind=kind, counts=counts, ceiling=ceiling)
    rows, cols = sample_pairs(spec, population, seed)
    return _sampled_ties(rows, cols, kind, counts, ceiling)


@dataclass
class LiveTies:
    """Runs' networks cut to the ties between live agents: the shares' operators.

    Agents outside reach (ceiling 0) never engage, so a tie to one only ever adds
    ``0`` to a sum: the runs' live agents are stepped alone (indices ``r * N + i``
    of the R * N agents), over their ties renumbered ``0..L-1``. ``peer_share @ e``
    is each live agent's engaged share of the reachable capacity among its same-type
    neighbours (``pi_i``, before it is capped at 1), ``partner_share @ e`` among its
    cross-type ones (``chi_i``): each tie valued ``1 / (reachable capacity of its
    row's neighbours)``. A run's rows hold its ties alone, so its shares do not depend
    on the runs beside it.
    """

    peer_share: ShareOperator  # (L, L), same-type ties between live agents
    partner_share: ShareOperator  # (L, L), cross-type ties between live agents
    coordination: Array  # (R * N,): every agent's, as :meth:`Ties.coordination`


@dataclass
class ShareOperator:
    """A sparse operator kept to the rows that have ties: ``op @ e`` is 0 on the others.

    Most live agents have no cross-type tie: a product over only the rows with one
    skips the others' share of the loop.
    """

    matrix: sparse.csr_matrix  # the rows with ties (all rows when ``rows`` is None)
    rows: Index | None  # their places among the ``size`` rows
    size: int

    def __matmul__(self, values: Array) -> Array:
        product: Array = self.matrix @ values
        if self.rows is None:
            return product
        out = np.zeros(self.size)
        out[self.rows] = product
        return out


def build_block_ties(
    specs: Sequence[Network],
    populations: Sequence[Population],
    seeds: Sequence[Seed],
    live: Index,
) -> LiveTies:
    """The networks of R runs over their R * N agents, none tied across runs, cut to live ties.

    Each run samples its pairs from its own streams, as :func:`build_ties` does;
    run ``r``'s agent ``i`` is agent ``r * N + i`` of the block. Every sparse step
    works row by row, so each run's rows hold the same ties in the same order as
    alone, and give the same shares bit for bit. Not for complete networks (their
    mean field is per run: :class:`mobilise.model.block.Block` keeps it per row).
    ``live`` lists the agents (``r * N + i``, ascending) whose ties are kept.
    """
    if any(s.kind == "complete" for s in specs):
        raise ValueError("complete networks are kept per run, not stacked")
    n = populations[0].size
    position = np.full(len(populations) * n, -1, dtype=np.intp)  # r * N + i -> live position
    position[live] = np.arange(len(live))
    degrees, lows, highs, same_types = [], [], [], []
    for spec, population, seed in zip(specs, populations, seeds, strict=True):
        # each run alone (a run's ties fit in cache)
        low, high, same_type, counted = shared(
            seed, _layout(spec, population), partial(_run_ties, spec, population, seed)
        )
        degrees.append(counted)
        lows.append(low)
        highs.append(high)
        same_types.append(same_type)
    # every run's ties at once, as agents r * N + i of the block, then as live positions
    offset = np.repeat(np.arange(len(populations)) * n, [len(low) for low in lows])
    at_low = position[np.concatenate(lows) + offset]
    at_high = position[np.concatenate(highs) + offset]
    both_live = (at_low >= 0) & (at_high >= 0)
    keys = _tie_keys(
        at_low[both_live], at_high[both_live], np.concatenate(same_types)[both_live], live
    )
    by_agent = np.concatenate(degrees).reshape(-1, 2).astype(float)
    cross_degree, same_degree = by_agent[:, 0], by_agent[:, 1]
    # every live tie both ways, in the layout of the whole network: rows ascending,
    # columns descending within a row (live positions keep the agents' order)
    ordered = np.sort(keys)
    same_kind = (ordered & 1).astype(bool)
    row, col = np.divmod(ordered >> 1, len(live))
    col = len(live) - 1 - col
    live_ceiling = np.concatenate([p.ceiling for p in populations])[live]
    same, cross = (
        _share_operator(row[chosen], col[chosen], len(live), degree[live], live_ceiling)
        for chosen, degree in ((same_kind, same_degree), (~same_kind, cross_degree))
    )
    return LiveTies(
        peer_share=same,
        partner_share=cross,
        coordination=cross_degree / (1.0 + cross_degree),
    )


def _share_operator(
    rows: Index, cols: Index, n: int, degree: Array, ceiling: Array
) -> ShareOperator:
    """Ties ``rows -> cols`` as the operator of each row's engaged share of its reachable ties.

    Row-normalised by ``degree`` (every tie, live or not), then divided by the reachable
    share of those ties (``M @ ceiling``), so ``M @ e`` is the share itself; a row
    with no reachable neighbour is 0.
    """
    matrix, _ = _row_normalised(rows, cols, n, degree)
    per_reachable = _inverse(matrix @ ceiling)
    matrix.data *= np.repeat(per_reachable, np.diff(matrix.indptr))
    tied = np.flatnonzero(np.diff(matrix.indptr))
    if len(tied) > n // 2:
        return ShareOperator(matrix, None, n)
    return ShareOperator(matrix[tied], tied, n)


def _layout(spec: Network, population: Population) -> tuple[object, ...]:
    """What a run's ties depend on besides the seed: the network and who is of which type.

    The frozen network spec is named by identity, as a type's inputs are
    (:func:`mobilise.model.population.build_population`).
    """
    bounds = tuple((s.start, s.stop) for s in population.slices.values())
    return ("ties", id(spec), population.names, bounds)


def _run_ties(
    spec: Network, population: Population, seed: Seed
) -> tuple[Index, Index, npt.NDArray[np.bool_], Index]:
    """One run's distinct ties (pairs ``low < high``), their types, and degrees by agent.

    ``same_type`` tells whether a tie joins one type; degrees are counted at ``2 * i``
    (cross-type) and ``2 * i + 1`` (same type). Each tie once, not both ways: half the
    work of :func:`_both_directions_once`, with the same ties and degrees.
    """
    n = population.size
    i, j = sample_pairs(spec, population, seed)
    low = np.minimum(i, j).astype(_key_type(n))
    high = np.maximum(i, j).astype(low.dtype)
    low, high = np.divmod(_sorted_distinct(low * n + high), n)
    same_type = population.kind[low] == population.kind[high]
    degrees = np.bincount(2 * low + same_type, minlength=2 * n)
    degrees += np.bincount(2 * high + same_type, minlength=2 * n)
    return low, high, same_type, degrees


def _tie_keys(a: Index, b: Index, same_type: npt.NDArray[np.bool_], live: Index) -> Index:
    """Sort keys of the ties ``a - b`` (live positions) both ways, same type in the last bit.

    Sorted, they run by row ascending and, within a row, by column descending.
    """
    size = len(live)
    rows = np.concatenate([a, b]).astype(np.int64)
    cols = np.concatenate([b, a]).astype(np.int64)
    flag = np.concatenate([same_type, same_type])
    keys: Index = ((rows * size + (size - 1 - cols)) << 1) | flag
    return keys


RANDOM_STREAM: Path = ("network",)


def stream_paths(spec: Network, population: Population) -> list[Path]:
    """The named streams :func:`sample_pairs` draws from: one, or one per block of types."""
    if spec.kind == "complete":
        return []
    if spec.kind == "random":
        return [RANDOM_STREAM]
    return [path for _, _, path in _blocks(population)]


def sample_pairs(spec: Network, population: Population, seed: Seed) -> tuple[Index, Index]:
    """The sampled pairs of a random or block network (duplicates and both directions later)."""
    n = population.size
    if spec.kind == "random":
        rng = generator(seed, *RANDOM_STREAM)
        return _sample_pairs(rng, slice(0, n), slice(0, n), round(n * spec.mean_degree / 2))
    return _block_pairs(spec, population, seed)


def _sampled_ties(rows: Index, cols: Index, kind: Index, counts: Array, ceiling: Array) -> Ties:
    """Same-type and cross-type ties, row-normalised, from sampled pairs.

    The CSR arrays are built directly: both directions of every pair, duplicates
    dropped, one sort. Each row holds its ties in descending column order with the
    value ``1 / degree``: the layout SciPy's ``diags(1 / degree) @ adjacency`` used to
    leave, so every sparse product sums in the same order and gives the same bits.
    """
    n = len(kind)
    u, v = _both_directions_once(rows, cols, n)
    same_mask = kind[u] == kind[v]
    same, same_degree = _row_normalised(u[same_mask], v[same_mask], n)
    cross, cross_degree = _row_normalised(u[~same_mask], v[~same_mask], n)
    return Ties(
        complete=False,
        kind=kind,
        counts=counts,
        ceiling=ceiling,
        same=same,
        cross=cross,
        same_degree=same_degree,
        cross_degree=cross_degree,
    )


def _both_directions_once(rows: Index, cols: Index, n: int) -> tuple[Index, Index]:
    """Both directions of every pair, duplicates dropped: rows ascending, columns descending."""
    key = _key_type(n)
    u: Index = np.concatenate([rows, cols]).astype(key)
    v: Index = np.concatenate([cols, rows]).astype(key)
    keys = _sorted_distinct(u * n + (n - 1 - v))
    u = keys // n
    return u, (n - 1) - (keys - u * n)


def _key_type(n: int) -> Any:
    """The integer type for keys ``i * n + j`` of agents ``i, j < n``: smaller sorts faster."""
    return np.int32 if n * n < 2**31 else np.int64


def _sorted_distinct(keys: Index) -> Index:
    """``keys`` sorted, each once."""
    keys = np.sort(keys)
    if len(keys):
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    return keys


def _blocks(population: Population) -> list[tuple[str, str, Path]]:
    """Each pair of types with members on both sides, and its stream (named by the sorted pair)."""
    names, slices = population.names, population.slices
    return [
        (a, b, ("network", *sorted((a, b))))
        for i, a in enumerate(names)
        for b in names[i:]
        if slices[a].stop > slices[a].start and slices[b].stop > slices[b].start
    ]


def _block_pairs(spec: Network, population: Population, seed: Seed) -> tuple[Index, Index]:
    """Within-type and cross-type pairs, each block from its own stream, named by its pair."""
    rows, cols = [], []
    for a, b, path in _blocks(population):
        members_a, members_b = population.slices[a], population.slices[b]
        size_a, size_b = members_a.stop - members_a.start, members_b.stop - members_b.start
        if a == b:
            m = round(size_a * spec.within(a) / 2)
        else:
            m = round(spec.cross(a, b) * min(size_a, size_b))
        r, c = shared(  # a reform that changes other blocks leaves this one's ties as they are
            seed,
            (path, members_a, members_b, m),
            partial(_sample_block, seed, path, members_a, members_b, m),
        )
        rows.append(r)
        cols.append(c)
    if not rows:
        return np.array([], dtype=np.intp), np.array([], dtype=np.intp)
    return np.concatenate(rows), np.concatenate(cols)


def _sample_block(seed: Seed, path: Path, left: slice, right: slice, m: int) -> tuple[Index, Index]:
    return _sample_pairs(generator(seed, *path), left, right, m)


def _sample_pairs(
    rng: np.random.Generator, left: slice, right: slice, m: int
) -> tuple[Index, Index]:
    """``m`` random pairs of agents in ``left`` x ``right``; self-pairs dropped, dupes later."""
    n_left, n_right = left.stop - left.start, right.stop - right.start
    if m <= 0 or n_left == 0 or n_right == 0:
        return np.array([], dtype=np.intp), np.array([], dtype=np.intp)
    i = rng.integers(left.start, left.stop, m)  # the draws of integers(0, n_left) + start
    j = rng.integers(right.start, right.stop, m)
    if left.stop <= right.start or right.stop <= left.start:  # two types: never a self-pair
        return i, j
    keep = i != j
    return i[keep], j[keep]


def _inverse(reachable: Array) -> Array:
    """``1 / reachable``, 0 where no neighbour could engage (so its share is 0)."""
    with np.errstate(divide="ignore"):
        return np.where(reachable > 1e-12, 1.0 / reachable, 0.0)


def _row_normalised(
    rows: Index, cols: Index, n: int, degree: Array | None = None
) -> tuple[sparse.csr_matrix, Array]:
    """Ties ``rows -> cols`` (sorted by row) as a row-normalised matrix, and the degrees.

    Each row is divided by its degree (its own ties, unless ``degree`` counts more),
    so ``M @ e`` is the neighbours' mean engagement.
    """
    per_row = np.bincount(rows, minlength=n)
    if degree is None:
        degree = per_row.astype(float)
    with np.errstate(divide="ignore"):
        inverse = np.where(degree > 0, 1.0 / degree, 0.0)
    index = np.int32 if max(n, len(rows)) < 2**31 - 1 else np.int64  # as SciPy chooses
    indptr = np.zeros(n + 1, dtype=index)
    np.cumsum(per_row, out=indptr[1:])
    arrays: Any = (inverse[rows], cols.astype(index), indptr)  # scipy-stubs: one dtype only
    matrix: sparse.csr_matrix = sparse.csr_matrix(arrays, shape=(n, n))
    return matrix, degree
