"""Streams by name: a stream's draws depend on the seed and its own path, nothing else."""

import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.model.streams import StreamTable, derive_words, generator, key, shared, stream

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


PATHS = st.lists(st.lists(NAMES, min_size=0, max_size=4).map(tuple), min_size=1, max_size=5)
SEEDS = st.lists(
    st.one_of(
        st.integers(0, 2**32 - 1), st.integers(0, 2**130), st.sampled_from([0, 2**32, 2**128])
    ),
    min_size=1,
    max_size=6,
)


@given(SEEDS, PATHS)
def test_words_derived_together_are_numpys_seed_sequence_words(seeds, paths):
    derived = derive_words(seeds, paths)
    for path, words in zip(paths, derived, strict=True):
        for seed, row in zip(seeds, words, strict=True):
            np.testing.assert_array_equal(row, stream(seed, *path).generate_state(4, np.uint64))


@given(SEEDS, PATHS)
def test_a_tables_generators_draw_what_each_seed_draws_alone(seeds, paths):
    table = StreamTable(seeds)
    table.prefetch(paths[:1])  # some derived ahead, the rest when asked for
    for row, seed in enumerate(seeds):
        for path in paths:
            drawn = table.run(row).generator(*path).random(8)
            np.testing.assert_array_equal(drawn, draws(seed, *path))


def test_a_table_generator_spawns_and_reports_as_its_seed_sequence():
    alone = generator(11, "network", "union")
    derived = StreamTable([11]).run(0).generator("network", "union")
    sequence = derived.bit_generator.seed_seq
    assert (sequence.entropy, sequence.spawn_key) == (11, (key("network"), key("union")))
    np.testing.assert_array_equal(
        sequence.generate_state(8), alone.bit_generator.seed_seq.generate_state(8)
    )
    for _ in range(2):  # the second spawn gives new children, as NumPy's does
        for a, b in zip(alone.spawn(2), derived.spawn(2), strict=True):
            np.testing.assert_array_equal(a.random(4), b.random(4))


def test_negative_seeds_are_refused_as_numpy_refuses_them():
    with pytest.raises(ValueError):
        derive_words([-1], [("network",)])


def test_runs_of_one_seed_share_what_they_compute_with_equal_inputs():
    table = StreamTable([3, 3, 5])
    calls = []

    def compute(name):
        calls.append(name)
        return name

    def asked(stream, key, name):
        return stream.shared(key, lambda: compute(name))

    first, second, lone = table.run(0), table.run(1), table.run(2)
    assert asked(first, "a", "first") == "first"
    assert asked(second, "a", "second") == "first"  # same seed, same inputs: shared
    assert asked(second, "b", "other") == "other"  # other inputs: its own
    assert asked(lone, "a", "lone") == "lone"
    assert asked(lone, "a", "again") == "again"  # a seed seen once keeps nothing
    assert calls == ["first", "other", "lone", "again"]
    table.forget()
    assert asked(first, "a", "after") == "after"


def test_a_bare_seed_computes_every_time():
    assert shared(3, "a", lambda: [1]) is not shared(3, "a", lambda: [1])
