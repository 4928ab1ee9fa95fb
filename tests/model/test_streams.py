"""Streams by name: a stream's draws depend on the seed and its own path, nothing else."""

import zlib

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mobilise.model.streams import generator, key, stream

NAMES = st.text(min_size=1, max_size=12)


def draws(seed, *names):
    return generator(seed, *names).random(8)


def test_key_is_crc32_of_the_utf8_bytes():
    assert key("") == 0
    assert key("a") == 0xE8B7BE43
    assert key("union") == zlib.crc32(b"union")
    assert key("é") == zlib.crc32("é".encode())


def test_a_stream_is_the_seed_sequence_spawned_at_its_path():
    sequence = stream(7, "network", "union")
    assert sequence.entropy == 7
    assert sequence.spawn_key == (key("network"), key("union"))
    expected = np.random.default_rng(np.random.SeedSequence(7, spawn_key=sequence.spawn_key))
    np.testing.assert_array_equal(draws(7, "network", "union"), expected.random(8))


@given(st.integers(0, 2**32 - 1), st.lists(NAMES, min_size=1, max_size=6, unique=True))
def test_same_seed_same_draws_whatever_other_names_are_drawn_first(seed, names):
    alone = {name: draws(seed, name) for name in names}
    together = {}
    for name in reversed(names):  # other streams created and used in between
        generator(seed, name + "!").random(100)
        together[name] = draws(seed, name)
    for name in names:
        np.testing.assert_array_equal(alone[name], together[name])


@given(st.integers(0, 2**32 - 1), NAMES, NAMES)
def test_different_names_give_different_draws(seed, a, b):
    if key(a) != key(b):
        assert not np.array_equal(draws(seed, a), draws(seed, b))


def test_different_seeds_give_different_draws():
    assert not np.array_equal(draws(1, "union"), draws(2, "union"))


def test_a_path_is_ordered_and_not_a_concatenation():
    assert not np.array_equal(draws(0, "a", "b"), draws(0, "b", "a"))
    assert not np.array_equal(draws(0, "a", "b"), draws(0, "ab"))
    assert not np.array_equal(draws(0, "a", "b"), draws(0, "a"))
    assert not np.array_equal(draws(0, "a"), draws(0))


def test_streams_are_not_correlated():
    a = generator(0, "business").normal(size=50_000)
    b = generator(0, "charity").normal(size=50_000)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.02
