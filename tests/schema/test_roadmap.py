"""The roadmap's shape: where the owner promised the metric would be, quarter by quarter."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.schema.roadmap import Roadmap, through_milestones
from mobilise.vocabulary import ScenarioError

STEPS = np.arange(0, 21, dtype=float)


@pytest.mark.parametrize("shape", ["linear", "s_curve", "power"])
def test_every_shape_runs_from_nothing_at_the_start_to_all_by_the_key_milestone(shape):
    share = Roadmap(shape=shape).share(STEPS, key_step=16)
    assert share[0] == pytest.approx(0.0, abs=1e-12) and share[16] == pytest.approx(1.0)
    assert np.all(share[16:] == share[16]) and np.all(np.diff(share) >= -1e-15)


def test_a_power_above_one_and_an_s_curve_promise_less_early_than_a_line():
    line = Roadmap(shape="linear").share(STEPS, 16)
    assert np.all(Roadmap(shape="power", exponent=2).share(STEPS, 16)[1:16] < line[1:16])
    s_curve = Roadmap(shape="s_curve", steepness=8).share(STEPS, 16)
    assert np.all(s_curve[1:5] < line[1:5]) and np.all(s_curve[12:16] > line[12:16])
    assert line[8] == 0.5 and s_curve[8] == pytest.approx(0.5)


def test_a_path_through_milestones_is_straight_between_them():
    # the NHS: 0.511 at the start, 0.565 at step 5 (65 %), 0.8 at step 17 (92 %)
    path = through_milestones(STEPS, 0.511, [(5, 0.565), (17, 0.8)], 0.8)
    assert path[0] == 0.511 and path[5] == pytest.approx(0.565) and path[17] == 0.8
    assert path[20] == 0.8
    assert np.allclose(np.diff(path[:6]), (0.565 - 0.511) / 5)
    assert np.allclose(np.diff(path[5:18]), (0.8 - 0.565) / 12)


def test_milestones_before_the_start_are_left_out_and_none_left_is_the_target_at_once():
    assert through_milestones(STEPS, 0.3, [(-2, 0.4)], 0.8).tolist() == [0.8] * len(STEPS)
    path = through_milestones(STEPS, 0.3, [(-2, 0.4), (10, 0.8)], 0.8)
    assert path[0] == 0.3 and path[10] == 0.8


@given(st.sampled_from(["linear", "s_curve", "power"]), st.integers(1, 60))
def test_shares_stay_between_nothing_and_all(shape, key):
    share = Roadmap(shape=shape).share(np.arange(-3, 80, dtype=float), key)
    assert np.all((share >= -1e-12) & (share <= 1 + 1e-12))


def test_an_unknown_shape_is_refused_in_one_line(uk):
    with pytest.raises(ScenarioError, match=r"mission\.roadmap\.shape: Input should be"):
        uk.updated("mission.roadmap.shape", "zigzag")
