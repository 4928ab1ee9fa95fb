"""The response, adjustment and patience functions, alone."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.model.dynamics import adjust, exit_rate, move_toward, patience, response

finite = st.floats(-5, 5, allow_nan=False)


def test_hard_threshold_engages_at_or_above_threshold():
    pressure = np.array([0.1, 0.2, 0.3])
    assert response(pressure, np.full(3, 0.2), 0.0).tolist() == [0.0, 1.0, 1.0]


@given(finite, finite, st.floats(1e-3, 1.0))
def test_smooth_response_is_a_probability_increasing_in_pressure(m, theta, noise):
    low = response(np.array([m]), np.array([theta]), noise)[0]
    high = response(np.array([m + 0.1]), np.array([theta]), noise)[0]
    assert 0.0 <= low <= high <= 1.0


def test_small_noise_approaches_the_hard_threshold():
    pressure = np.array([0.19, 0.21])
    assert np.allclose(response(pressure, np.full(2, 0.2), 1e-4), [0.0, 1.0], atol=1e-6)


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 1))
def test_adjustment_moves_part_way_and_never_overshoots(e, target, alpha):
    new = adjust(np.array([e]), np.array([target]), alpha)[0]
    assert min(e, target) - 1e-12 <= new <= max(e, target) + 1e-12


def test_full_adjustment_jumps_to_target():
    assert adjust(np.array([0.3]), np.array([1.0]), 1.0)[0] == 1.0


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 0.9), st.floats(0, 1))
def test_staying_costs_lower_engagement_and_keep_it_a_share(e, target, alpha, trust):
    fatigue = 1.0 - alpha  # the largest the schema allows with this alpha
    rate = exit_rate(np.array([trust]), fatigue)
    with_exit = adjust(np.array([e]), np.array([target]), alpha, rate)[0]
    without = adjust(np.array([e]), np.array([target]), alpha)[0]
    assert -1e-12 <= with_exit <= without + 1e-12
    assert with_exit <= max(e, target) + 1e-12


def test_exit_grows_as_trust_falls_and_vanishes_at_full_trust():
    rates = exit_rate(np.array([0.0, 0.5, 1.0]), 0.1)
    assert rates.tolist() == pytest.approx([0.1, 0.05, 0.0])


@given(st.floats(0, 400), st.floats(0.1, 40))
def test_patience_is_a_share_increasing_in_horizon(h, lag):
    p, longer = patience(np.array([h, h + 1]), lag)
    assert 0.0 <= p <= longer <= 1.0


def test_move_toward_stays_in_unit_interval():
    assert move_toward(np.array([0.9]), 2.0, 1.0)[0] == 1.0
