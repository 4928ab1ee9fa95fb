"""The tie network: same-type peers and cross-type coordination channels.

A complete network is kept implicit (mean field: shares come from type totals),
so it costs O(N), not O(N^2). Random and block networks are sampled edge by
edge, O(edges), and kept as row-normalised sparse matrices: one product per
step gives every agent's engaged share of its neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
    rows, cols, _, _ = sample_pairs(spec, population, seed)
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

    The ties are those of the largest degrees each run's reforms will reach; a tie
    counts while its block draws more pairs than its level (:class:`RunTies`), so
    :meth:`weigh` gives a run the network of its current degrees, and a tie that does
    not count is valued exactly 0 (adding nothing to any sum).
    """

    peer_share: ShareOperator  # (L, L), same-type ties between live agents
    partner_share: ShareOperator  # (L, L), cross-type ties between live agents
    ties: RunTies  # every run's ties (live or not), numbered as agents r * N + i of the block
    bounds: Index  # run r's ties are ties[bounds[r]:bounds[r + 1]]
    live: Index  # the live agents (r * N + i), in the order of the operators' rows
    largest: Index  # (R * B,): pairs each run's blocks draw at the largest degrees (B a run)
    size: int  # N, agents a run
    coordination: Array = field(default_factory=lambda: np.empty(0))  # (R * N,)
    pairs: Index = field(default_factory=lambda: np.empty(0, dtype=np.intp))  # (R * B,) now

    def weigh(self, pairs: Index, live_ceiling: Array) -> None:
        """Each run's network at ``pairs`` draws per block, over live ceilings ``live_ceiling``.

        Degrees count every tie that counts (live or not); each operator's values are
        ``1 / degree`` over the reachable share of the row's ties, 0 for a tie that does
        not count: bit for bit what a network drawn at those degrees alone gives.
        """
        self.pairs = pairs
        ties, runs = self.ties, len(self.bounds) - 1
        below = np.flatnonzero(np.any((pairs != self.largest).reshape(runs, -1), axis=1))
        by_agent = ties.degrees
        if len(below) and np.any(self.peer_share.tie < 0):
            raise ValueError("a run's network fell below its largest, but was not built nested")
        if len(below):  # some runs' reforms are below their largest strength: count again
            by_agent = by_agent.copy()
            n = self.size
            for r in below:
                part = slice(self.bounds[r], self.bounds[r + 1])
                kept = ties.level[part] < pairs[ties.block[part]]
                by_agent[2 * r * n : 2 * (r + 1) * n] = _counted_degrees(
                    ties.low[part][kept] - r * n,
                    ties.high[part][kept] - r * n,
                    ties.same_type[part][kept],
                    n,
                )
        degrees = by_agent.reshape(-1, 2).astype(float)
        same_degree, cross_degree = degrees[:, 1], degrees[:, 0]
        self.coordination = cross_degree / (1.0 + cross_degree)
        for operator, degree in (
            (self.peer_share, same_degree[self.live]),
            (self.partner_share, cross_degree[self.live]),
        ):
            counted: npt.NDArray[np.bool_] | None = None
            if len(below):
                counted = ties.level[operator.tie] < pairs[ties.block[operator.tie]]
            operator.weigh(counted, degree, live_ceiling)


@dataclass
class RunTies:
    """Distinct ties ``low < high``, each with the block it was drawn in and its level.

    A block draws its pairs one after another from its own stream; a tie's ``level``
    is the position of its first draw. A block that draws ``m`` pairs has exactly the
    ties of level below ``m``: raising a degree adds ties and never reshuffles them
    (nested draws, common random numbers across strengths). ``degrees`` counts every
    tie by agent, at ``2 i`` (cross-type) and ``2 i + 1`` (same type).
    """

    low: Index
    high: Index
    same_type: npt.NDArray[np.bool_]
    block: Index
    level: Index
    degrees: Index


@dataclass
class ShareOperator:
    """A sparse operator kept to the rows that have ties: ``op @ e`` is 0 on the others.

    Most live agents have no cross-type tie: a product over only the rows with one
    skips the others' share of the loop. ``tie`` and ``row`` give each stored value's
    tie (in :attr:`LiveTies.ties`) and row (a live position), for :meth:`weigh`.
    """

    matrix: sparse.csr_matrix  # the rows with ties (all rows when ``rows`` is None)
    rows: Index | None  # their places among the ``size`` rows
    size: int
    tie: Index
    row: Index

    def __matmul__(self, values: Array) -> Array:
        product: Array = self.matrix @ values
        if self.rows is None:
            return product
        out = np.zeros(self.size)
        out[self.rows] = product
        return out

    def weigh(self, counted: npt.NDArray[np.bool_] | None, degree: Array, ceiling: Array) -> None:
        """Values ``1 / degree`` of the row over its reachable share; 0 if not counted.

        ``degree`` is each live agent's, ``counted`` says which stored ties count (None: all).
        """
        with np.errstate(divide="ignore"):
            inverse = np.where(degree > 0, 1.0 / degree, 0.0)
        matrix = self.matrix
        values = inverse[self.row]
        matrix.data = values if counted is None else np.where(counted, values, 0.0)
        per_reachable = _inverse(matrix @ ceiling)  # its rows' (all, or those with ties)
        matrix.data *= np.repeat(per_reachable, np.diff(matrix.indptr))


def build_block_ties(
    specs: Sequence[Network],
    populations: Sequence[Population],
    seeds: Sequence[Seed],
    live: Index,
    largest: Sequence[Network] | None = None,
    nested: Sequence[bool] | None = None,
) -> LiveTies:
    """The networks of R runs over their R * N agents, none tied across runs, cut to live ties.

    Each run samples its pairs from its own streams, as :func:`build_ties` does;
    run ``r``'s agent ``i`` is agent ``r * N + i`` of the block. Every sparse step
    works row by row, so each run's rows hold the same ties in the same order as
    alone, and give the same shares bit for bit. Not for complete networks (their
    mean field is per run: :class:`mobilise.model.block.Block` keeps it per row).
    ``live`` lists the agents (``r * N + i``, ascending) whose ties are kept;
    ``largest`` gives each run's network at the largest degrees its reforms will
    reach (``specs`` when None): its ties are drawn, and ``specs``' count. Only the
    runs marked ``nested`` may later count fewer (:meth:`LiveTies.weigh`): theirs are the
    ties whose levels are kept (default: runs whose ``specs`` are not their ``largest``).
    """
    if any(s.kind == "complete" for s in specs):
        raise ValueError("complete networks are kept per run, not stacked")
    largest = specs if largest is None else largest
    if nested is None:
        nested = [a is not b for a, b in zip(specs, largest, strict=True)]
    n = populations[0].size
    position = np.full(len(populations) * n, -1, dtype=np.intp)  # r * N + i -> live position
    position[live] = np.arange(len(live))
    counts: dict[int, Index] = {}  # pairs per block, by network spec (an arm's is one object)

    def pair_counts(spec: Network) -> Index:
        if id(spec) not in counts:
            counts[id(spec)] = block_pair_counts(spec, populations[0])
        return counts[id(spec)]

    drawn = [  # each run alone (a run's ties fit in cache)
        shared(
            seed,
            (*_layout(spec, population), levels),
            partial(_run_ties, spec, population, seed, levels=levels, counts=pair_counts(spec)),
        )
        for spec, population, seed, levels in zip(largest, populations, seeds, nested, strict=True)
    ]

    blocks = len(pair_counts(specs[0]))
    sizes = [len(t.low) for t in drawn]
    offset = np.repeat(np.arange(len(populations)) * n, sizes)
    none = np.empty(0, dtype=np.intp)  # no run's degrees fall: no block or level kept
    ties = RunTies(
        low=np.concatenate([t.low for t in drawn]).astype(np.intp) + offset,
        high=np.concatenate([t.high for t in drawn]).astype(np.intp) + offset,
        same_type=np.concatenate([t.same_type for t in drawn]),
        block=np.concatenate([_full(t.block, t) for t in drawn]) + offset // n * blocks
        if any(nested)
        else none,
        level=np.concatenate([_full(t.level, t) for t in drawn]) if any(nested) else none,
        degrees=np.concatenate([t.degrees for t in drawn]),
    )
    # every run's ties at once, as live positions
    at_low, at_high = position[ties.low], position[ties.high]
    both_live = np.flatnonzero((at_low >= 0) & (at_high >= 0))
    keys, tie = _tie_keys(at_low[both_live], at_high[both_live], ties.same_type[both_live],
                          both_live if any(nested) else None, len(live))  # fmt: skip
    # every live tie both ways, in the layout of the whole network: rows ascending,
    # columns descending within a row (live positions keep the agents' order)
    same_kind = (keys & 1).astype(bool)
    row, col = np.divmod(keys >> 1, len(live))
    col = len(live) - 1 - col
    same, cross = (
        _share_operator(row[chosen], col[chosen], len(live), tie[chosen])
        for chosen in (same_kind, ~same_kind)
    )
    result = LiveTies(
        peer_share=same,
        partner_share=cross,
        ties=ties,
        bounds=np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp),
        live=live,
        largest=np.concatenate([pair_counts(spec) for spec in largest]),
        size=n,
    )
    pairs = np.concatenate([pair_counts(spec) for spec in specs])
    result.weigh(pairs, np.concatenate([p.ceiling for p in populations])[live])
    return result


def _full(values: Index, ties: RunTies) -> Index:
    """A run's blocks or levels, zeros for a run that kept none (its degrees never fall)."""
    return values if len(values) == len(ties.low) else np.zeros(len(ties.low), dtype=np.intp)


def _counted_degrees(low: Index, high: Index, same_type: npt.NDArray[np.bool_], n: int) -> Index:
    """Degrees of ``n`` agents by their ties, at ``2 i`` (cross-type) and ``2 i + 1`` (same)."""
    degrees: Index = np.bincount(2 * low + same_type, minlength=2 * n)
    degrees += np.bincount(2 * high + same_type, minlength=2 * n)
    return degrees


def _share_operator(rows: Index, cols: Index, n: int, tie: Index) -> ShareOperator:
    """Ties ``rows -> cols`` (live positions, sorted by row), values set by :meth:`weigh`."""
    per_row = np.bincount(rows, minlength=n)
    index = np.int32 if max(n, len(rows)) < 2**31 - 1 else np.int64  # as SciPy chooses
    indptr = np.zeros(n + 1, dtype=index)
    np.cumsum(per_row, out=indptr[1:])
    arrays: Any = (np.zeros(len(rows)), cols.astype(index), indptr)  # scipy-stubs: one dtype
    matrix: sparse.csr_matrix = sparse.csr_matrix(arrays, shape=(n, n))
    tied = np.flatnonzero(per_row)
    if len(tied) > n // 2:
        return ShareOperator(matrix, None, n, tie, rows)
    return ShareOperator(matrix[tied], tied, n, tie, rows)


def _layout(spec: Network, population: Population) -> tuple[object, ...]:
    """What a run's ties depend on besides the seed: the network and who is of which type.

    The frozen network spec is named by identity, as a type's inputs are
    (:func:`mobilise.model.population.build_population`).
    """
    bounds = tuple((s.start, s.stop) for s in population.slices.values())
    return ("ties", id(spec), population.names, bounds)


def _run_ties(
    spec: Network, population: Population, seed: Seed, *, levels: bool, counts: Index
) -> RunTies:
    """One run's distinct ties (pairs ``low < high``), their types, degrees, blocks and levels.

    Each tie once, not both ways. With ``levels``, each keeps the block and draw that
    first made it (a run whose degrees may fall below these); without, neither is kept.
    """
    n = population.size
    i, j, _, level = sample_pairs(spec, population, seed, counts)
    key = _key_type(n)
    low = np.minimum(i, j).astype(key)
    high = np.maximum(i, j).astype(key)
    if levels:
        low, high, level = _first_draws(low.astype(np.int64) * n + high, level, n)
    else:
        low, high = np.divmod(_sorted_distinct(low * n + high), n)
        level = np.empty(0, dtype=np.intp)
    kind = population.kind
    same_type = kind[low] == kind[high]
    return RunTies(
        low=low,
        high=high,
        same_type=same_type,
        block=_block_table(spec, population)[kind[low], kind[high]] if levels else level,
        level=level,
        degrees=_counted_degrees(low, high, same_type, n),
    )


def _first_draws(keys: Index, level: Index, n: int) -> tuple[Index, Index, Index]:
    """Each distinct pair key once, sorted, with its first draw: ``(low, high, level)``.

    The level rides in the low bits of one sorted key (a plain sort, not a stable argsort).
    """
    bits = max(1, int(level.max(initial=0)).bit_length())
    if keys.size and int(keys.max()) >= 2 ** (62 - bits):  # too large to share a word
        distinct, first = np.unique(keys, return_index=True)
        low, high = np.divmod(distinct, n)
        return low, high, level[first]
    packed = np.sort((keys << bits) | level)
    pair = packed >> bits
    keep = np.concatenate([[True], pair[1:] != pair[:-1]]) if pair.size else pair.astype(bool)
    low, high = np.divmod(pair[keep], n)
    return low, high, packed[keep] & ((1 << bits) - 1)


def _block_table(spec: Network, population: Population) -> Index:
    """Which block (its place in :func:`block_pair_counts`) a tie of two types is drawn in."""
    types = len(population.names)
    table = np.zeros((types, types), dtype=np.intp)
    if spec.kind == "block":
        index = {name: k for k, name in enumerate(population.names)}
        for b, (first, second, _) in enumerate(_blocks(population)):
            table[index[first], index[second]] = table[index[second], index[first]] = b
    return table


def _tie_keys(
    a: Index, b: Index, same_type: npt.NDArray[np.bool_], tie: Index | None, size: int
) -> tuple[Index, Index]:
    """The ties ``a - b`` (live positions) both ways, sorted, and each one's ``tie``.

    A key is the row and the reversed column, with the same type in the last bit: sorted,
    keys run by row ascending and, within a row, by column descending. Each key's tie
    rides below it in one sorted word where it fits (a plain sort, not an argsort);
    without ``tie`` none is kept.
    """
    rows = np.concatenate([a, b]).astype(np.int64)
    cols = np.concatenate([b, a]).astype(np.int64)
    flag = np.concatenate([same_type, same_type])
    keys: Index = ((rows * size + (size - 1 - cols)) << 1) | flag
    if tie is None:
        return np.sort(keys), np.full(len(keys), -1, dtype=np.intp)
    ties = np.concatenate([tie, tie])
    bits = max(1, int(ties.max(initial=0)).bit_length())
    if 2 * size * size < 2 ** (62 - bits):
        packed = np.sort((keys << bits) | ties)
        return packed >> bits, packed & ((1 << bits) - 1)
    order = np.argsort(keys)
    return keys[order], ties[order]


RANDOM_STREAM: Path = ("network",)


def stream_paths(spec: Network, population: Population) -> list[Path]:
    """The named streams :func:`sample_pairs` draws from: one, or one per block of types."""
    if spec.kind == "complete":
        return []
    if spec.kind == "random":
        return [RANDOM_STREAM]
    return [path for _, _, path in _blocks(population)]


def sample_pairs(
    spec: Network, population: Population, seed: Seed, counts: Index | None = None
) -> tuple[Index, Index, Index, Index]:
    """The sampled pairs of a random or block network, each with its block and draw position.

    Self-pairs are dropped; duplicates and both directions are left for later. The
    first ``m`` draws of a block are the pairs it has when it draws ``m``
    (:func:`block_pair_counts`, given as ``counts`` if known), so a larger degree adds
    pairs to a smaller one's.
    """
    n = population.size
    if spec.kind == "random":
        rng = generator(seed, *RANDOM_STREAM)
        i, j, level = _sample_pairs(rng, slice(0, n), slice(0, n), _random_pairs(spec, n))
        return i, j, np.zeros(len(i), dtype=np.intp), level
    return _block_pairs(spec, population, seed, counts)


def block_pair_counts(spec: Network, population: Population) -> Index:
    """How many pairs each block draws: one block (random), or one per pair of types."""
    if spec.kind == "complete":
        return np.zeros(0, dtype=np.intp)
    if spec.kind == "random":
        return np.array([_random_pairs(spec, population.size)], dtype=np.intp)
    counts = []
    for a, b, _ in _blocks(population):
        size_a = population.slices[a].stop - population.slices[a].start
        size_b = population.slices[b].stop - population.slices[b].start
        counts.append(
            round(size_a * spec.within(a) / 2)
            if a == b
            else round(spec.cross(a, b) * min(size_a, size_b))
        )
    return np.array(counts, dtype=np.intp)


def _random_pairs(spec: Network, n: int) -> int:
    return round(n * spec.mean_degree / 2)


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


def _block_pairs(
    spec: Network, population: Population, seed: Seed, counts: Index | None
) -> tuple[Index, Index, Index, Index]:
    """Within-type and cross-type pairs, each block from its own stream, named by its pair."""
    rows, cols, blocks, levels = [], [], [], []
    counts = block_pair_counts(spec, population) if counts is None else counts
    for index, ((a, b, path), m) in enumerate(zip(_blocks(population), counts, strict=True)):
        members_a, members_b = population.slices[a], population.slices[b]
        r, c, level = shared(  # a reform that changes other blocks leaves this one's ties alone
            seed,
            (path, members_a, members_b, int(m)),
            partial(_sample_block, seed, path, members_a, members_b, int(m)),
        )
        rows.append(r)
        cols.append(c)
        levels.append(level)
        blocks.append(np.full(len(r), index, dtype=np.intp))
    if not rows:
        empty = np.array([], dtype=np.intp)
        return empty, empty, empty, empty
    return (
        np.concatenate(rows),
        np.concatenate(cols),
        np.concatenate(blocks),
        np.concatenate(levels),
    )


def _sample_block(
    seed: Seed, path: Path, left: slice, right: slice, m: int
) -> tuple[Index, Index, Index]:
    return _sample_pairs(generator(seed, *path), left, right, m)


def _sample_pairs(
    rng: np.random.Generator, left: slice, right: slice, m: int
) -> tuple[Index, Index, Index]:
    """``m`` random pairs of agents in ``left`` x ``right`` and their draw positions.

    Pair ``p`` is the ``p``-th row of ``floor(u * n)`` of uniform doubles, drawn row by
    row, so the first ``k`` of ``m`` draws are the ``k`` pairs of a block that draws
    ``k``. Self-pairs are dropped (their positions with them); duplicates later.
    """
    n_left, n_right = left.stop - left.start, right.stop - right.start
    if m <= 0 or n_left == 0 or n_right == 0:
        empty = np.array([], dtype=np.intp)
        return empty, empty, empty
    u = rng.random((m, 2))
    u *= (n_left, n_right)
    drawn = u.astype(np.intp)
    i, j = drawn[:, 0] + left.start, drawn[:, 1] + right.start
    level = np.arange(m, dtype=np.intp)
    if left.stop <= right.start or right.stop <= left.start:  # two types: never a self-pair
        return i, j, level
    keep = i != j
    return i[keep], j[keep], level[keep]


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
