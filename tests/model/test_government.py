"""The mission owner: signal, lagged noisy view, credibility, shocks and portfolio reviews."""

import numpy as np
import pytest

from mobilise.model.government import MissionOwner


def quiet(scenario, **government):
    """The scenario with no reshuffles, no elections within the run, and no observation noise."""
    settings = {
        "reshuffle_rate": 0.0,
        "election_interval": 1000,
        "observation_noise": 0.0,
        **government,
    }
    for field, value in settings.items():
        scenario = scenario.updated(f"government.{field}", value)
    return scenario


def test_the_signal_is_clarity_times_credibility_times_salience(uk):
    owner = MissionOwner(uk, seed=1)
    spec, mission = uk.government, uk.mission_spec
    assert owner.credibility == spec.initial_credibility
    assert owner.signal == pytest.approx(spec.clarity * spec.initial_credibility * mission.salience)


def test_without_noise_the_owner_sees_progress_lag_quarters_late(uk):
    scenario = quiet(uk).updated("constraints.feedback_lag_quarters", 2)
    owner = MissionOwner(scenario, seed=1)
    start = scenario.mission_spec.initial_progress
    seen = [owner.observe(p) for p in (0.1, 0.2, 0.3, 0.4)]
    assert seen == [start, start, 0.1, 0.2]
    assert owner.observed_progress == 0.2


def test_without_lag_and_noise_the_owner_sees_the_truth(uk):
    owner = MissionOwner(quiet(uk).updated("constraints.feedback_lag_quarters", 0), seed=1)
    assert [owner.observe(p) for p in (0.1, 0.7)] == [0.1, 0.7]


def test_noisy_views_stay_shares_and_repeat_with_the_seed(uk):
    scenario = uk.updated("government.observation_noise", 1.0)
    views = [MissionOwner(scenario, seed=4) for _ in range(2)]
    first = [views[0].observe(p) for p in np.linspace(0, 1, 30)]
    second = [views[1].observe(p) for p in np.linspace(0, 1, 30)]
    assert first == second
    assert all(0.0 <= v <= 1.0 for v in first)
    assert 0.0 in first and 1.0 in first  # sd 1: the clip bites at both ends


def test_credibility_moves_toward_half_clarity_half_delivery(uk):
    scenario = quiet(uk, credibility_speed=0.2, capability=1.0, clarity=0.8)
    owner = MissionOwner(scenario, seed=1)
    c = scenario.government.initial_credibility
    for delivery in (1.0, 0.0, 0.5):
        owner.update(step=1, delivery=delivery)
        c = c + 0.2 * (0.5 * 0.8 + 0.5 * delivery - c)
        assert owner.credibility == pytest.approx(c)


def test_capability_speeds_learning_up_to_full_speed(uk):
    owner = MissionOwner(quiet(uk, credibility_speed=0.4, capability=5.0), seed=1)
    owner.update(step=1, delivery=1.0)
    goal = 0.5 * uk.government.clarity + 0.5
    assert owner.credibility == pytest.approx(goal)  # speed min(1, 0.4 x 5) = 1


def test_every_reshuffle_costs_its_penalty(uk):
    scenario = quiet(uk, reshuffle_rate=1.0, reshuffle_penalty=0.25, credibility_speed=1e-9)
    owner = MissionOwner(scenario, seed=1)
    start = owner.credibility
    for step in range(1, 4):
        owner.update(step=step, delivery=start * 2 - uk.government.clarity)  # goal = start
    assert owner.reshuffles == 3
    assert owner.credibility == pytest.approx(start * 0.75**3, rel=1e-6)


def test_elections_cost_their_penalty_on_their_quarters_only(uk):
    scenario = quiet(uk, election_interval=4, election_penalty=0.5, credibility_speed=1e-9)
    owner = MissionOwner(scenario, seed=1)
    start = owner.credibility
    history = []
    for step in range(1, 9):
        owner.update(step=step, delivery=start * 2 - uk.government.clarity)
        history.append(owner.credibility)
    expected = [start] * 3 + [start / 2] * 4 + [start / 4]
    np.testing.assert_allclose(history, expected, rtol=1e-6)


def test_effectiveness_has_mean_one_in_expectation_and_none_spread_is_all_ones(uk):
    wide = MissionOwner(uk.updated("government.initiatives", 20_000), seed=2)
    assert wide.effectiveness.mean() == pytest.approx(1.0, abs=0.02)
    flat = MissionOwner(uk.updated("government.initiative_spread", 0.0), seed=2)
    assert flat.effectiveness.tolist() == [1.0] * uk.government.initiatives
    assert flat.portfolio_efficiency == pytest.approx(1.0)


def test_a_review_without_noise_moves_budget_from_the_weakest_to_the_strongest(uk):
    scenario = quiet(
        uk,
        portfolio_review=True,
        review_interval=1,
        reallocation=0.5,
        capability=1.0,
        initiatives=4,
    ).updated("constraints.feedback_lag_quarters", 0)
    owner = MissionOwner(scenario, seed=3)
    weakest, strongest = np.argmin(owner.effectiveness), np.argmax(owner.effectiveness)
    before = owner.portfolio_efficiency
    owner.update(step=1, delivery=0.5)
    expected = np.full(4, 0.25)
    expected[weakest], expected[strongest] = 0.125, 0.375
    np.testing.assert_allclose(owner.allocation, expected)
    assert owner.portfolio_efficiency > before
    for step in range(2, 30):
        owner.update(step=step, delivery=0.5)
    assert owner.allocation.sum() == pytest.approx(1.0)
    assert owner.allocation.min() >= 0.0


def test_no_review_before_the_first_observation(uk):
    scenario = quiet(uk, portfolio_review=True, review_interval=1, reallocation=1.0)
    owner = MissionOwner(scenario, seed=3)  # lag 4
    for step in range(1, 5):
        owner.update(step=step, delivery=0.5)
    assert owner.allocation.tolist() == [1 / uk.government.initiatives] * uk.government.initiatives


def test_turning_reviews_on_shifts_no_other_draw(uk):
    """One stream per purpose: reviews draw from their own, reshuffles and views are unchanged."""
    base = uk.updated("government.reshuffle_rate", 0.5)
    owners = [
        MissionOwner(base.updated("government.portfolio_review", review), seed=9)
        for review in (False, True)
    ]
    records = []
    for owner in owners:
        record = []
        for step in range(1, 25):
            seen = owner.observe(0.3)
            owner.update(step=step, delivery=0.5)
            record.append((seen, owner.reshuffles))
        records.append(record)
    assert records[0] == records[1]
    np.testing.assert_array_equal(owners[0].effectiveness, owners[1].effectiveness)
