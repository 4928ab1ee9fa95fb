"""The progress equation P' = P + rX(1-P) - dP and the CES aggregate (docs/model.md §7.5)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.model.progress import ces_aggregate, progress_step
from mobilise.running.simulate import simulate
from mobilise.schema.missions import decay_from_trend

SHARE = st.floats(0, 1)
RATE = st.floats(0.01, 1)
DECAY = st.floats(0.001, 0.5)


def test_one_step_by_hand():
    # 0.4 + 0.5 * 0.2 * 0.6 - 0.1 * 0.4 = 0.4 + 0.06 - 0.04
    assert progress_step(0.4, 0.2, 0.5, 0.1) == pytest.approx(0.42)


@given(SHARE, DECAY, st.integers(1, 40))
def test_with_nobody_mobilised_the_distance_to_the_floor_shrinks_by_one_minus_d(p0, d, steps):
    p = p0
    for _ in range(steps):
        previous = p
        p = progress_step(p, 0.0, 0.5, d)
        assert p == pytest.approx(previous * (1 - d), abs=1e-15)
    assert p == pytest.approx(p0 * (1 - d) ** steps, abs=1e-12)


@given(st.floats(0.05, 1), st.floats(0.05, 1), DECAY, SHARE)
def test_sustained_x_converges_to_the_fixed_point(x, r, d, p0):
    fixed = r * x / (r * x + d)
    assert progress_step(fixed, x, r, d) == pytest.approx(fixed, abs=1e-12)
    contraction = abs(1 - r * x - d)
    steps = 1 if contraction == 0 else math.ceil(math.log(1e-9) / math.log(contraction))
    p = p0
    for _ in range(steps):
        p = progress_step(p, x, r, d)
    assert p == pytest.approx(fixed, abs=1e-8)


@given(st.floats(0.01, 1), RATE, DECAY, SHARE)
def test_the_gap_to_the_fixed_point_shrinks_by_one_minus_rx_minus_d(x, r, d, p0):
    fixed = r * x / (r * x + d)
    p1 = progress_step(p0, x, r, d)
    assert p1 - fixed == pytest.approx((1 - r * x - d) * (p0 - fixed), abs=1e-12)


@given(SHARE, st.floats(0, 10), st.floats(0, 1), st.floats(0, 1))
def test_progress_stays_a_share(p, x, r, d):
    assert 0.0 <= progress_step(p, x, r, d) <= 1.0


def test_decay_from_a_trend_reproduces_the_trend_in_the_equation():
    # NHS: 92 % within 18 weeks to 58.8 % over 8.4 years (docs/model.md, §7.5 table)
    assert decay_from_trend(0.92, 0.588, 8.4) == pytest.approx(0.0132, abs=5e-5)
    d = decay_from_trend(0.92, 0.588, 8.25)  # 33 whole quarters
    p = 0.92
    for _ in range(33):
        p = progress_step(p, 0.0, 0.1, d)
    assert p == pytest.approx(0.588, rel=1e-9)


def test_ces_by_hand():
    ratios, weights = np.array([0.25, 1.0]), np.array([0.5, 0.5])
    # sigma 1: Cobb-Douglas, sqrt(0.25 * 1)
    assert ces_aggregate(ratios, weights, 1.0) == pytest.approx(0.5)
    # sigma 2: rho 1/2, (0.5 * 0.5 + 0.5 * 1)^2
    assert ces_aggregate(ratios, weights, 2.0) == pytest.approx(0.5625)
    # sigma 1/2: rho -1, harmonic mean (0.5 * 4 + 0.5 * 1)^-1
    assert ces_aggregate(ratios, weights, 0.5) == pytest.approx(0.4)


def test_ces_is_zero_when_a_weighted_type_is_missing_and_sigma_at_most_one():
    ratios = np.array([0.0, 1.0])
    weights = np.array([0.5, 0.5])
    assert ces_aggregate(ratios, weights, 0.5) == 0.0
    assert ces_aggregate(ratios, weights, 1.0) == 0.0
    assert ces_aggregate(ratios, weights, 2.0) == pytest.approx(0.25)
    assert ces_aggregate(ratios, np.array([0.0, 1.0]), 0.5) == 1.0  # unweighted: ignored


@given(
    st.lists(st.floats(0.01, 5), min_size=1, max_size=6),
    st.sampled_from([0.3, 0.5, 1.0, 2.0, 5.0]),
)
def test_ces_of_equal_ratios_is_that_ratio(values, sigma):
    weights = np.array(values) / sum(values)
    assert ces_aggregate(np.full(len(values), 0.7), weights, sigma) == pytest.approx(0.7)


def test_the_model_steps_progress_by_the_equation(minimal):
    # the Granovetter cascade: X grows quarter by quarter, P follows the equation exactly
    run = simulate(minimal, steps=12)
    mission = minimal.mission_spec
    frame = run.frame
    for t in range(1, len(frame)):
        expected = progress_step(
            frame["progress"][t - 1], frame["aggregate"][t], mission.rate, mission.decay
        )
        assert frame["progress"][t] == pytest.approx(expected, abs=1e-15)


def test_a_model_with_nobody_mobilised_loses_one_minus_d_of_its_distance_each_quarter(minimal):
    scenario = (
        minimal.updated("populations.business.threshold", 2.0)  # nobody ever engages
        .updated("mission.baseline", 0.6)
        .updated("mission.decay", 0.1)
    )
    frame = simulate(scenario, steps=8).frame
    assert frame["aggregate"].tolist() == [0.0] * 9
    floor = scenario.mission_spec.floor
    distance = frame["metric"].to_numpy() - floor
    np.testing.assert_allclose(distance, 0.6 * 0.9 ** np.arange(9), rtol=1e-12)
    assert math.isclose(frame["progress"].iloc[0], scenario.mission_spec.initial_progress)
