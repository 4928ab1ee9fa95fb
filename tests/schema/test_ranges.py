"""One range type: [low, high] over numeric fields, checked, scaled, placed and sampled."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from mobilise import ScenarioError
from mobilise.schema.ranges import (
    Range,
    Ranges,
    integer_fields,
    latin_hypercube,
    place,
    require_width,
    scale,
)

RANGES = TypeAdapter(Ranges)


def ranges(**pairs):
    return RANGES.validate_python({k.replace("__", "."): v for k, v in pairs.items()})


def test_a_range_is_written_as_a_pair_and_written_back_as_one():
    span = Range.model_validate([0.75, 2.25])
    assert (span.low, span.high) == (0.75, 2.25)
    assert span.bounds == (0.75, 2.25)
    assert span.model_dump() == [0.75, 2.25]
    assert Range.model_validate({"low": 1, "high": 1}).bounds == (1.0, 1.0)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([2, 1], r"expected low <= high, found \[2, 1\]"),
        ([1, 2, 3], r"expected \[low, high\], found \[1, 2, 3\]"),
        ([0, float("nan")], "finite number"),
        ([float("-inf"), 0], "finite number"),
        ({"low": 0, "hi": 1}, "unknown key 'hi'; did you mean 'high'?"),
    ],
)
def test_a_bad_range_is_refused_with_what_was_found(value, message):
    with pytest.raises(ValidationError, match=message):
        Range.model_validate(value)


@given(st.floats(-1e6, 1e6), st.floats(0, 1e6), st.floats(0, 1))
def test_at_maps_the_unit_interval_onto_the_range(low, width, u):
    span = Range(low=low, high=low + width)
    assert span.at(np.array([0.0]))[0] == low
    assert span.at(np.array([1.0]))[0] == pytest.approx(low + width)
    assert low - 1e-6 <= span.at(np.array([u]))[0] <= low + width + 1e-6


def test_require_width_names_a_range_with_nothing_to_vary():
    require_width(ranges(influence__signal=[0.5, 1.5]))
    with pytest.raises(ValueError, match=r"^range of 'influence.peer' must have low < high, "):
        require_width(ranges(influence__signal=[0.5, 1.5], influence__peer=[1, 1]))


def test_integer_fields_are_the_paths_holding_integers(uk):
    chosen = ranges(constraints__feedback_lag_quarters=[0, 8], influence__signal=[0.5, 1.5])
    assert integer_fields(uk, chosen) == {"constraints.feedback_lag_quarters"}


@pytest.mark.parametrize(
    ("path", "span", "message"),
    [
        ("influence.signl", [0, 1], r"^sweep.influence.signl: scenario field 'influence.signl': "
         r"no field 'signl' \(expected a dotted path to a numeric scenario field"),
        ("network.kind", [0, 1], r"^sweep.network.kind: expected a numeric scenario field, "
         r"found str 'block'"),
        ("government.portfolio_review", [0, 1],
         r"^sweep.government.portfolio_review: expected a numeric scenario field, found bool"),
        ("constraints.union_density", [0.1, 1.5], r"^sweep.constraints.union_density: .*1.5"),
    ],
)  # fmt: skip
def test_integer_fields_refuse_a_path_or_end_that_cannot_be_used(uk, path, span, message):
    with pytest.raises(ScenarioError, match=message) as info:
        integer_fields(uk, {path: Range.model_validate(span)}, where="sweep")
    assert "\n" not in str(info.value)


def test_scale_puts_unit_rows_onto_each_range_by_column():
    chosen = ranges(a=[0, 10], b=[-1, 1])
    values = scale(chosen, np.array([[0.0, 0.0], [0.5, 1.0], [1.0, 0.25]]))
    np.testing.assert_allclose(values, [[0, -1], [5, 1], [10, -0.5]])


def test_place_makes_sweep_points_and_rounds_integer_fields():
    chosen = ranges(a=[0, 10], b=[0, 1])
    points = place(chosen, np.array([[2.6, 0.25], [7.4, 0.5]]), integer={"a"})
    assert points == [{"a": 3, "b": 0.25}, {"a": 7, "b": 0.5}]
    assert all(isinstance(p["a"], int) for p in points)
    assert place(chosen, np.array([[2.6, 0.25]])) == [{"a": 2.6, "b": 0.25}]


@settings(deadline=None)  # the first call imports scipy.stats.qmc
@given(st.integers(1, 5), st.integers(1, 40), st.integers(0, 2**31 - 1))
def test_latin_hypercube_puts_one_point_in_each_stratum_of_each_column(dims, samples, seed):
    unit = latin_hypercube(dims, samples, seed)
    assert unit.shape == (samples, dims)
    assert np.all((unit >= 0) & (unit < 1))
    for column in unit.T:
        assert sorted(np.floor(column * samples).astype(int).tolist()) == list(range(samples))


def test_latin_hypercube_is_fixed_by_its_seed():
    np.testing.assert_array_equal(latin_hypercube(3, 10, 5), latin_hypercube(3, 10, 5))
    assert not np.array_equal(latin_hypercube(3, 10, 5), latin_hypercube(3, 10, 6))


@given(
    st.lists(st.tuples(st.floats(-100, 100), st.floats(0.001, 100)), min_size=1, max_size=4),
    st.integers(2, 30),
    st.integers(0, 1000),
)
@settings(deadline=None)
def test_sampled_points_lie_within_their_ranges(pairs, samples, seed):
    chosen = {f"p{i}": Range(low=low, high=low + width) for i, (low, width) in enumerate(pairs)}
    points = place(chosen, scale(chosen, latin_hypercube(len(chosen), samples, seed)))
    assert len(points) == samples
    for point in points:
        assert list(point) == list(chosen)
        for path, value in point.items():
            assert chosen[path].low <= value <= chosen[path].high
