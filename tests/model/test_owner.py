"""The mission owners: signal, lagged noisy view, credibility, shocks and portfolio reviews."""

import numpy as np
import pytest

from mobilise.model.owner import MissionOwners


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


def alone(scenario, seed):
    """The mission owner of one run."""
    return MissionOwners([scenario], [seed])


def observe_all(owner, values):
    """What the owner sees of ``values``, one a quarter from step 1."""
    return [float(owner.observe(np.array([p]), step)[0]) for step, p in enumerate(values, 1)]


def update(owner, step, delivery):
    owner.update(step, np.array([delivery]))


def test_the_signal_is_clarity_times_credibility_times_salience(uk):
    owner = alone(uk, seed=1)
    spec, mission = uk.government, uk.mission_spec
    assert owner.credibility[0] == spec.initial_credibility
    assert owner.signal[0] == pytest.approx(
        spec.clarity * spec.initial_credibility * mission.salience
    )


def test_without_noise_the_owner_sees_progress_lag_quarters_late(uk):
    scenario = quiet(uk).updated("constraints.feedback_lag_quarters", 2)
    owner = alone(scenario, seed=1)
    start = scenario.mission_spec.initial_progress
    assert observe_all(owner, (0.1, 0.2, 0.3, 0.4)) == [start, start, 0.1, 0.2]
    assert owner.observed[0] == 0.2


def test_without_lag_and_noise_the_owner_sees_the_truth(uk):
    owner = alone(quiet(uk).updated("constraints.feedback_lag_quarters", 0), seed=1)
    assert observe_all(owner, (0.1, 0.7)) == [0.1, 0.7]


def test_noisy_views_stay_shares_and_repeat_with_the_seed(uk):
    scenario = uk.updated("government.observation_noise", 1.0).updated("quarters", 30)
    first, second = (observe_all(alone(scenario, 4), np.linspace(0, 1, 30)) for _ in range(2))
    assert first == second
    assert all(0.0 <= v <= 1.0 for v in first)
    assert 0.0 in first and 1.0 in first  # sd 1: the clip bites at both ends


def test_credibility_moves_toward_half_clarity_half_delivery(uk):
    scenario = quiet(uk, credibility_speed=0.2, capability=1.0, clarity=0.8)
    owner = alone(scenario, seed=1)
    c = scenario.government.initial_credibility
    for step, delivery in enumerate((1.0, 0.0, 0.5), 1):
        update(owner, step, delivery)
        c = c + 0.2 * (0.5 * 0.8 + 0.5 * delivery - c)
        assert owner.credibility[0] == pytest.approx(c)


def test_capability_speeds_learning_up_to_full_speed(uk):
    owner = alone(quiet(uk, credibility_speed=0.4, capability=5.0), seed=1)
    update(owner, 1, 1.0)
    goal = 0.5 * uk.government.clarity + 0.5
    assert owner.credibility[0] == pytest.approx(goal)  # speed min(1, 0.4 x 5) = 1


def test_every_reshuffle_costs_its_penalty(uk):
    scenario = quiet(uk, reshuffle_rate=1.0, reshuffle_penalty=0.25, credibility_speed=1e-9)
    owner = alone(scenario, seed=1)
    start = owner.credibility[0]
    for step in range(1, 4):
        update(owner, step, start * 2 - uk.government.clarity)  # goal = start
    assert owner.reshuffles[0] == 3
    assert owner.credibility[0] == pytest.approx(start * 0.75**3, rel=1e-6)


def test_elections_cost_their_penalty_on_their_quarters_only(uk):
    scenario = quiet(uk, election_interval=4, election_penalty=0.5, credibility_speed=1e-9)
    owner = alone(scenario, seed=1)
    start = owner.credibility[0]
    history = []
    for step in range(1, 9):
        update(owner, step, start * 2 - uk.government.clarity)
        history.append(owner.credibility[0])
    expected = [start] * 3 + [start / 2] * 4 + [start / 4]
    np.testing.assert_allclose(history, expected, rtol=1e-6)


def test_effectiveness_has_mean_one_in_expectation_and_none_spread_is_all_ones(uk):
    wide = alone(uk.updated("government.initiatives", 20_000), seed=2)
    assert wide.effectiveness[0].mean() == pytest.approx(1.0, abs=0.02)
    flat = alone(uk.updated("government.initiative_spread", 0.0), seed=2)
    assert flat.effectiveness[0].tolist() == [1.0] * uk.government.initiatives
    assert flat.portfolio_efficiency[0] == pytest.approx(1.0)


def test_a_review_without_noise_moves_budget_from_the_weakest_to_the_strongest(uk):
    scenario = quiet(
        uk,
        portfolio_review=True,
        review_interval=1,
        reallocation=0.5,
        capability=1.0,
        initiatives=4,
    ).updated("constraints.feedback_lag_quarters", 0)
    owner = alone(scenario, seed=3)
    weakest, strongest = np.argmin(owner.effectiveness[0]), np.argmax(owner.effectiveness[0])
    before = owner.portfolio_efficiency[0]
    update(owner, 1, 0.5)
    expected = np.full(4, 0.25)
    expected[weakest], expected[strongest] = 0.125, 0.375
    np.testing.assert_allclose(owner.allocation[0], expected)
    assert owner.portfolio_efficiency[0] > before
    for step in range(2, 30):
        update(owner, step, 0.5)
    assert owner.allocation[0].sum() == pytest.approx(1.0)
    assert owner.allocation[0].min() >= 0.0


def test_no_review_before_the_first_observation(uk):
    scenario = quiet(uk, portfolio_review=True, review_interval=1, reallocation=1.0)
    owner = alone(scenario, seed=3)  # lag 4
    for step in range(1, 5):
        update(owner, step, 0.5)
    n = uk.government.initiatives
    assert owner.allocation[0].tolist() == [1 / n] * n


def test_turning_reviews_on_shifts_no_other_draw(uk):
    """One stream per purpose: reviews draw from their own, reshuffles and views are unchanged."""
    base = uk.updated("government.reshuffle_rate", 0.5)
    owners = [
        alone(base.updated("government.portfolio_review", review), seed=9)
        for review in (False, True)
    ]
    records = []
    for owner in owners:
        record = []
        for step in range(1, 25):
            seen = owner.observe(np.array([0.3]), step)[0]
            update(owner, step, 0.5)
            record.append((seen, owner.reshuffles[0]))
        records.append(record)
    assert records[0] == records[1]
    np.testing.assert_array_equal(owners[0].effectiveness, owners[1].effectiveness)


def test_owners_of_many_runs_are_each_run_alone(uk):
    """Runs of different portfolios side by side: each owner as it is alone."""
    scenarios = [
        uk.updated("government.portfolio_review", True).updated("government.reallocation", 0.5),
        uk.updated("government.initiatives", 3),
        uk.updated("government.initiatives", 12).updated("government.portfolio_review", True)
        .updated("government.review_interval", 2).updated("government.reallocation", 0.3),
    ]  # fmt: skip
    seeds = [5, 6, 7]
    together = MissionOwners(scenarios, seeds)
    singles = [alone(s, seed) for s, seed in zip(scenarios, seeds, strict=True)]
    rng = np.random.default_rng(0)
    for step in range(1, uk.quarters + 1):
        progress, delivery = rng.random(3), rng.uniform(-1, 1, 3)
        seen = together.observe(progress, step)
        together.update(step, delivery)
        for r, single in enumerate(singles):
            assert single.observe(progress[r : r + 1], step)[0] == seen[r]
            single.update(step, delivery[r : r + 1])
            assert single.credibility[0] == together.credibility[r]
            assert single.portfolio_efficiency[0] == together.portfolio_efficiency[r]
    assert together.reviews_done.tolist() == [s.reviews_done[0] for s in singles]
    assert together.reviews_done[0] > 0 and together.reviews_done[2] > together.reviews_done[0]
