"""CES aggregate, progress and the mission catalogue (DESIGN "Must hold" 2)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.missions import ACTOR_TYPES, MISSIONS, ces_aggregate, progress_step

SIX = np.full(6, 1 / 6)


@pytest.mark.parametrize("sigma", [0.2, 0.35, 0.6, 1.0])
def test_socioeconomic_missing_type_caps_progress_whatever_others_give(sigma):
    ratios = np.array([1e6, 1e6, 1e6, 1e6, 1e6, 0.0])
    assert ces_aggregate(ratios, SIX, sigma) == 0.0


@pytest.mark.parametrize("sigma", [0.2, 0.35])
def test_low_sigma_is_near_the_minimum(sigma):
    ratios = np.array([5.0, 5.0, 5.0, 5.0, 5.0, 0.05])
    assert ces_aggregate(ratios, SIX, sigma) < 3 * ratios.min()  # far below the mean of 4.2


@pytest.mark.parametrize("sigma", [2.0, 4.0, 50.0])
def test_technological_missing_type_is_substituted(sigma):
    weights = MISSIONS["vaccine_taskforce"].weight_vector()
    ratios = np.array([2.0, 2.0, 0.0, 0.0, 0.0, 0.0])  # no unions, investors, charities, volunteers
    assert ces_aggregate(ratios, weights, sigma) > 1.0


def test_zero_weight_types_are_ignored():
    weights = np.array([0.5, 0.5, 0, 0, 0, 0])
    ratios = np.array([1.0, 1.0, 0, 0, 0, 0])
    assert ces_aggregate(ratios, weights, 0.3) == pytest.approx(1.0)


@given(st.lists(st.floats(0.01, 10), min_size=6, max_size=6), st.floats(0.1, 10))
def test_ces_is_homogeneous_of_degree_one(values, sigma):
    ratios = np.array(values)
    assert ces_aggregate(2 * ratios, SIX, sigma) == pytest.approx(
        2 * ces_aggregate(ratios, SIX, sigma), rel=1e-6
    )


@given(st.floats(0, 1), st.floats(0, 5), st.floats(0.01, 1), st.floats(0, 0.5))
def test_progress_stays_in_unit_interval(p, x, rate, decay):
    assert 0.0 <= progress_step(p, x, rate, decay) <= 1.0


@pytest.mark.parametrize("mission", list(MISSIONS.values()), ids=list(MISSIONS))
def test_catalogue_metric_reaches_target_at_target_progress(mission):
    assert mission.metric_at(0.0) == mission.baseline
    assert mission.metric_at(mission.target_progress) == pytest.approx(mission.target)
    assert set(mission.weights) <= set(ACTOR_TYPES)
    assert mission.source


def test_technological_and_socioeconomic_missions_differ_in_sigma():
    tech = [m.sigma for m in MISSIONS.values() if m.kind == "technological"]
    socio = [m.sigma for m in MISSIONS.values() if m.kind == "socioeconomic"]
    assert min(tech) > max(socio)
