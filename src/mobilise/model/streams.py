"""Random streams spawned by name, so adding an actor type (or a purpose) reseeds nothing else.

Every draw of a run comes from ``SeedSequence(seed)`` children keyed by names: an
actor type's attributes, one network block, one purpose of the mission owner.
Two runs that differ in one type, block or purpose share every other stream
exactly: the common random numbers that make paired comparisons of reforms precise.
"""

from __future__ import annotations

import zlib

import numpy as np


def key(name: str) -> int:
    """A stable 32-bit key for ``name`` (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, *names: str) -> np.random.SeedSequence:
    """The stream of ``seed`` for the path ``names`` (e.g. ``"network", "union", "charity"``)."""
    return np.random.SeedSequence(seed, spawn_key=tuple(key(n) for n in names))


def generator(seed: int, *names: str) -> np.random.Generator:
    """A generator on :func:`stream`."""
    return np.random.default_rng(stream(seed, *names))
