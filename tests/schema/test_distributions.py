"""Attribute distributions: each family draws what it says, then scale, shift and clamps."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from scipy.stats import truncnorm

from mobilise.schema.distributions import (
    DISTRIBUTION_FAMILIES,
    Beta,
    Distribution,
    Fixed,
    Lognormal,
    Normal,
    TruncatedNormal,
    Uniform,
    Values,
)

ADAPTER = TypeAdapter(Distribution)
N = 20_000


def rng(seed=0):
    return np.random.default_rng(seed)


def parse(value):
    return ADAPTER.validate_python(value)


EXAMPLES = {
    "fixed": {"dist": "fixed", "value": 0.3},
    "uniform": {"dist": "uniform", "a": 0.2, "b": 0.6},
    "normal": {"dist": "normal", "mean": 0.4, "sd": 0.1},
    "truncnormal": {"dist": "truncnormal", "mean": 0.2, "sd": 0.3, "lower": 0, "upper": 1},
    "beta": {"dist": "beta", "a": 2, "b": 5},
    "lognormal": {"dist": "lognormal", "median": 8, "sigma": 0.5},
    "values": {"dist": "values", "values": [0.1, 0.2, 0.7]},
}


def test_every_family_has_an_example():
    assert set(EXAMPLES) == set(DISTRIBUTION_FAMILIES)


def test_shorthand_number_is_fixed_and_list_is_values():
    assert parse(0.3) == Fixed(value=0.3)
    assert parse(2) == Fixed(value=2.0)
    assert parse([0, 0.1]) == Values(dist="values", values=[0.0, 0.1])


@pytest.mark.parametrize("bad", [True, {"dist": "weibull", "k": 1}, "0.3", {"value": 1}])
def test_what_is_not_a_distribution_is_refused(bad):
    with pytest.raises(ValidationError):
        parse(bad)


def test_fixed_gives_everyone_the_value_then_scale_and_shift():
    assert Fixed(value=2.0).sample(rng(), 4).tolist() == [2.0] * 4
    assert Fixed(value=2.0, scale=3.0, shift=1.0).sample(rng(), 3).tolist() == [7.0] * 3
    assert Fixed(value=2.0, scale=3.0, shift=1.0).mean() == 7.0


def test_clamps_bound_the_draws_after_scale_and_shift():
    draws = parse({**EXAMPLES["normal"], "sd": 1.0, "low": 0.0, "high": 1.0}).sample(rng(), N)
    assert draws.min() == 0.0 and draws.max() == 1.0  # sd 1 around 0.4: both clamps bite
    assert parse({"dist": "fixed", "value": 5, "high": 2}).sample(rng(), 2).tolist() == [2, 2]


def test_uniform_draws_are_numpys_uniform_on_a_b():
    draws = parse(EXAMPLES["uniform"]).sample(rng(7), 100)
    np.testing.assert_array_equal(draws, rng(7).uniform(0.2, 0.6, 100))
    assert parse(EXAMPLES["uniform"]).mean() == pytest.approx(0.4)


def test_normal_is_read_with_its_mean_alias_and_zero_sd_is_a_point():
    dist = parse({"dist": "normal", "mean": 1.5, "sd": 0})
    assert isinstance(dist, Normal)
    assert dist.sample(rng(), 3).tolist() == [1.5] * 3


def test_truncated_normal_stays_within_its_bounds_and_has_scipys_mean():
    dist = parse(EXAMPLES["truncnormal"])
    assert isinstance(dist, TruncatedNormal)
    draws = dist.sample(rng(), N)
    assert draws.min() >= 0.0 and draws.max() <= 1.0
    a, b = (0 - 0.2) / 0.3, (1 - 0.2) / 0.3
    expected = truncnorm.mean(a, b, loc=0.2, scale=0.3)
    assert dist.mean() == pytest.approx(expected)
    assert draws.mean() == pytest.approx(expected, abs=0.01)


def test_beta_mean_is_a_over_a_plus_b():
    dist = parse(EXAMPLES["beta"])
    assert isinstance(dist, Beta)
    assert dist.mean() == pytest.approx(2 / 7)
    assert dist.sample(rng(), N).mean() == pytest.approx(2 / 7, abs=0.01)


def test_lognormal_has_the_stated_median_and_mean():
    dist = parse(EXAMPLES["lognormal"])
    assert isinstance(dist, Lognormal)
    draws = dist.sample(rng(), N)
    assert np.median(draws) == pytest.approx(8.0, rel=0.03)
    assert dist.mean() == pytest.approx(8.0 * np.exp(0.125))
    assert draws.mean() == pytest.approx(dist.mean(), rel=0.03)


def test_values_are_used_in_order_when_they_are_one_per_agent():
    dist = parse([0.3, 0.1, 0.2])
    assert dist.sample(rng(), 3).tolist() == [0.3, 0.1, 0.2]


def test_values_are_drawn_from_when_the_count_differs():
    draws = parse(EXAMPLES["values"]).sample(rng(), 1000)
    assert set(draws.tolist()) == {0.1, 0.2, 0.7}
    assert parse(EXAMPLES["values"]).mean() == pytest.approx(1.0 / 3)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"dist": "fixed", "value": 0.5, "low": 0.8, "high": 0.2}, "must not exceed high"),
        ({"dist": "uniform", "a": 1, "b": 0}, "uniform needs a <= b"),
        ({"dist": "truncnormal", "mean": 0, "sd": 1, "lower": 1, "upper": 1}, "lower < upper"),
        ({"dist": "beta", "a": 0, "b": 1}, "greater than 0"),
        ({"dist": "normal", "mean": 0, "sd": -1}, "greater than or equal to 0"),
        ({"dist": "lognormal", "median": 0, "sigma": 1}, "greater than 0"),
        ({"dist": "values", "values": []}, "at least 1 item"),
        ({"dist": "fixed", "value": 1, "scale": -1}, "greater than or equal to 0"),
    ],
)
def test_bad_parameters_are_refused(spec, message):
    with pytest.raises(ValidationError, match=message):
        parse(spec)


@pytest.mark.parametrize("family", sorted(EXAMPLES))
def test_draws_are_floats_one_per_agent_and_repeat_with_the_seed(family):
    dist = parse(EXAMPLES[family])
    draws = dist.sample(rng(3), 50)
    assert draws.dtype == float and draws.shape == (50,)
    np.testing.assert_array_equal(draws, dist.sample(rng(3), 50))


@pytest.mark.parametrize("family", sorted(EXAMPLES))
@given(
    shift=st.floats(-2, 2, allow_nan=False),
    factor=st.floats(0, 3, allow_nan=False),
    seed=st.integers(0, 2**32 - 1),
)
def test_moved_draws_are_the_draws_times_factor_plus_shift(family, shift, factor, seed):
    dist = parse(EXAMPLES[family])
    moved = dist.moved(shift=shift, factor=factor)
    np.testing.assert_allclose(
        moved.sample(rng(seed), 40), dist.sample(rng(seed), 40) * factor + shift, atol=1e-12
    )
    assert moved.mean() == pytest.approx(dist.mean() * factor + shift, abs=1e-12)


def test_moving_twice_composes():
    dist = Uniform(dist="uniform", a=0, b=1).moved(shift=0.1, factor=2)
    dist = dist.moved(shift=-0.3, factor=0.5)
    # (x * 2 + 0.1) * 0.5 - 0.3 = x - 0.25
    assert dist.mean() == pytest.approx(0.25)
    np.testing.assert_allclose(dist.sample(rng(1), 10), rng(1).uniform(0, 1, 10) - 0.25)
