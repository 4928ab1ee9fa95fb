"""Random streams spawned by name, so adding an actor type (or a purpose) reseeds nothing else.

Every draw of a run comes from ``SeedSequence(seed)`` children keyed by names: an
actor type's attributes, one network block, one purpose of the mission owner.
Two runs that differ in one type, block or purpose share every other stream
exactly: the common random numbers that make paired comparisons of reforms precise.

Runs of a block that share a seed (the arms and missions of one replication) draw
the same numbers from every stream whose inputs they share: :meth:`Streams.shared`
computes such a draw once for all of them, keyed by everything it depends on.

A block of runs needs some thirty streams per run. Deriving each through its own
``SeedSequence`` costs about 10 microseconds, so :class:`StreamTable` derives
every path for every seed of a block at once: :func:`derive_words` is NumPy's
``SeedSequence`` hash written over arrays, giving the same words, and the
generators are seeded from them exactly as ``default_rng`` seeds them.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Words = npt.NDArray[np.uint64]
Path = tuple[str, ...]


def key(name: str) -> int:
    """A stable 32-bit key for ``name`` (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, *names: str) -> np.random.SeedSequence:
    """The stream of ``seed`` for the path ``names`` (e.g. ``"network", "union", "charity"``)."""
    return np.random.SeedSequence(seed, spawn_key=tuple(key(n) for n in names))


class Streams:
    """One run's named streams: its seed, and the table its words were derived in, if any."""

    def __init__(self, seed: int, table: StreamTable | None = None, row: int = 0) -> None:
        self.seed = seed
        self._table = table
        self._row = row

    def generator(self, *names: str) -> np.random.Generator:
        """A generator on :func:`stream` of this seed and ``names``."""
        if self._table is None:
            return np.random.default_rng(stream(self.seed, *names))
        words = self._table.words(names)[self._row]
        derived: Any = _Derived(self.seed, names, words)  # a seed sequence, to PCG64
        return np.random.Generator(np.random.PCG64(derived))

    def shared[T](self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once for all runs of this seed in the table with an equal ``key``.

        ``key`` names everything ``compute`` depends on besides the seed (frozen inputs
        may be named by ``id``: the table forgets its keys once the block is built). The
        result is shared, so it must not be modified.
        """
        if self._table is None or not self._table.repeated(self.seed):
            return compute()
        memo = self._table.memo(self.seed)
        if key not in memo:
            memo[key] = compute()
        result: T = memo[key]
        return result


Seed = int | Streams
"""A run's seed, or its streams already derived with those of other runs."""


def generator(seed: Seed, *names: str) -> np.random.Generator:
    """A generator on :func:`stream` of ``seed`` and ``names``."""
    if isinstance(seed, Streams):
        return seed.generator(*names)
    return np.random.default_rng(stream(seed, *names))


def shared[T](seed: Seed, key: Hashable, compute: Callable[[], T]) -> T:
    """:meth:`Streams.shared` for streams of a table; ``compute()`` for a bare seed."""
    if isinstance(seed, Streams):
        return seed.shared(key, compute)
    return compute()


class StreamTable:
    """The streams of many seeds, each path derived for all of them in one pass.

    ``prefetch`` derives the paths a block will ask for together; a path asked for
    later is derived then, for every seed. Each run's generators are the ones it
    would get alone.
    """

    def __init__(self, seeds: Sequence[int]) -> None:
        self.seeds = [int(s) for s in seeds]
        self._words: dict[Path, Words] = {}
        self._repeated = {s for s, c in Counter(self.seeds).items() if c > 1}
        self._memos: dict[int, dict[Hashable, Any]] = {}

    def run(self, row: int) -> Streams:
        """Run ``row``'s streams."""
        return Streams(self.seeds[row], self, row)

    def prefetch(self, paths: Iterable[Path]) -> None:
        """Derive every path in ``paths`` not yet derived, for every seed, in one pass."""
        wanted = list(dict.fromkeys(p for p in paths if p not in self._words))
        if wanted:
            self._words.update(zip(wanted, derive_words(self.seeds, wanted), strict=True))

    def repeated(self, seed: int) -> bool:
        """Whether more than one run of the table has ``seed``."""
        return seed in self._repeated

    def memo(self, seed: int) -> dict[Hashable, Any]:
        """What the runs of ``seed`` share (:meth:`Streams.shared`)."""
        return self._memos.setdefault(seed, {})

    def forget(self) -> None:
        """Drop what runs shared, once they are built."""
        self._memos.clear()

    def words(self, path: Path) -> Words:
        """Each seed's four PCG64 seeding words for ``path``, shaped (seeds, 4)."""
        if path not in self._words:
            self.prefetch([path])
        return self._words[path]


# NumPy's SeedSequence constants (numpy/random/bit_generator.pyx)
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_MASK = 0xFFFFFFFF
_POOL = 4


def derive_words(seeds: Sequence[int], paths: Sequence[Path]) -> list[Words]:
    """``stream(seed, *path).generate_state(4, np.uint64)`` for every seed and path.

    The same hash as NumPy's ``SeedSequence``, each operation applied to all
    (seed, path) pairs at once. Paths are grouped by length (every name is one
    32-bit word); seeds of more than 128 bits are derived one by one.
    """
    out = [np.empty((len(seeds), 4), dtype=np.uint64) for _ in paths]
    short = [i for i, s in enumerate(seeds) if 0 <= s < 2**128]
    for i in sorted(set(range(len(seeds))) - set(short)):  # NumPy's own, or its error
        for p, path in enumerate(paths):
            out[p][i] = stream(seeds[i], *path).generate_state(4, np.uint64)
    seed_words = np.array(
        [[(seeds[i] >> (32 * w)) & _MASK for w in range(_POOL)] for i in short], dtype=np.uint32
    ).reshape(len(short), _POOL)
    by_length: dict[int, list[int]] = {}
    for p, path in enumerate(paths):
        by_length.setdefault(len(path), []).append(p)
    for length, members in by_length.items():
        keys = np.array([[key(n) for n in paths[p]] for p in members], dtype=np.uint32)
        entropy = np.concatenate(  # (paths, seeds, words): the seed padded to 4 words, the keys
            [
                np.broadcast_to(seed_words, (len(members), len(short), _POOL)),
                np.broadcast_to(keys[:, None, :], (len(members), len(short), length)),
            ],
            axis=2,
        )
        state = _generate_state(_mix_entropy(entropy.reshape(-1, _POOL + length)))
        state = state.reshape(len(members), len(short), 4)
        for row, p in enumerate(members):
            out[p][short] = state[row]
    return out


def _mix_entropy(entropy: npt.NDArray[np.uint32]) -> list[npt.NDArray[np.uint32]]:
    """The pool of each row of ``entropy`` (``SeedSequence.mix_entropy``, pool size 4)."""
    const = _INIT_A

    def hashmix(value: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
        nonlocal const
        value = value ^ np.uint32(const)
        const = (const * _MULT_A) & _MASK
        value = value * np.uint32(const)
        return value ^ (value >> np.uint32(16))

    def mix(x: npt.NDArray[np.uint32], y: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
        result: npt.NDArray[np.uint32] = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        return result ^ (result >> np.uint32(16))

    pool = [hashmix(entropy[:, i]) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, entropy.shape[1]):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(entropy[:, src]))
    return pool


def _generate_state(pool: list[npt.NDArray[np.uint32]]) -> Words:
    """Four 64-bit words from each pool (``SeedSequence.generate_state(4, np.uint64)``)."""
    const = _INIT_B
    halves = []
    for i in range(8):
        value = pool[i % _POOL] ^ np.uint32(const)
        const = (const * _MULT_B) & _MASK
        value = value * np.uint32(const)
        halves.append(value ^ (value >> np.uint32(16)))
    low, high = np.stack(halves[0::2], axis=1), np.stack(halves[1::2], axis=1)
    words: Words = low.astype(np.uint64) | (high.astype(np.uint64) << np.uint64(32))
    return words


class _Derived:
    """A seed sequence whose four seeding words are already derived (by :class:`StreamTable`).

    PCG64 asks its seed sequence for ``generate_state(4, np.uint64)`` once; that is
    all this answers. Spawning goes through the real ``SeedSequence``.
    """

    def __init__(self, seed: int, names: Path, words: Words) -> None:
        self.entropy = seed
        self._names = names
        self._words = words
        self._sequence: np.random.SeedSequence | None = None

    @property
    def spawn_key(self) -> tuple[int, ...]:
        return tuple(key(n) for n in self._names)

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> npt.NDArray[Any]:
        if n_words == 4 and np.dtype(dtype) == np.uint64:
            return self._words.copy()
        return self._real().generate_state(n_words, dtype)

    def spawn(self, n_children: int) -> list[np.random.SeedSequence]:
        return self._real().spawn(n_children)

    def _real(self) -> np.random.SeedSequence:
        if self._sequence is None:  # kept: it counts the children it spawned
            self._sequence = np.random.SeedSequence(self.entropy, spawn_key=self.spawn_key)
        return self._sequence


np.random.bit_generator.ISpawnableSeedSequence.register(_Derived)
