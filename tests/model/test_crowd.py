"""The crowd: every agent of R runs as arrays, each run summed and stepped on its own."""

import numpy as np
import pytest

from mobilise.model.crowd import Crowd
from mobilise.model.population import build_populations
from mobilise.schema.reforms import apply_reforms


def crowd_of(scenario, seeds, reforms=None):
    params = [apply_reforms(scenario, reforms) for _ in seeds]
    return Crowd(params, build_populations(params, list(seeds)), list(seeds))


def test_per_type_sums_are_each_runs_own_whatever_runs_are_beside_it(uk):
    many = crowd_of(uk, [1, 2, 3, 4])
    for r, seed in enumerate([1, 2, 3, 4]):
        alone = crowd_of(uk, [seed])
        assert np.array_equal(many.engaged[r], alone.engaged[0])
        assert np.array_equal(many.type_means(many.trust)[r], alone.type_means(alone.trust)[0])
        pop = alone.population(0)
        np.testing.assert_allclose(alone.engaged[0], pop.by_type(pop.engagement), rtol=1e-12)
        np.testing.assert_allclose(
            alone.type_means(alone.trust)[0], pop.mean_by_type(pop.trust), rtol=1e-12
        )


def test_only_agents_within_reach_are_stepped(uk):
    crowd = crowd_of(uk, [5, 6])
    assert np.all(crowd.ceiling.ravel()[crowd.live] > 0)
    assert np.sum(crowd.ceiling > 0) == len(crowd.live) < crowd.runs * crowd.size / 2
    crowd.respond(np.full(2, 1.0), crowd.base_cost)
    outside = crowd.ceiling == 0
    assert np.all(crowd.engagement[outside] == 0)
    assert np.all(crowd.engagement <= crowd.ceiling)


def test_trust_moves_toward_each_runs_goal_and_stays_a_share(uk):
    crowd = crowd_of(uk, [1, 2])
    before = crowd.trust.copy()
    crowd.learn(np.array([1.0, -1.0]))
    assert np.all(crowd.trust[0] >= before[0]) and np.all(crowd.trust[1] <= before[1])
    assert crowd.trust.min() >= 0.0 and crowd.trust.max() <= 1.0
    expected = before[0] + crowd.trust_speed[0] * (1.0 - before[0])
    np.testing.assert_allclose(crowd.trust[0], expected)


def test_a_complete_network_is_a_mean_field_of_each_run(uk):
    complete = uk.updated("network.kind", "complete")
    crowd = crowd_of(complete, [3, 4])
    peers, partners = crowd.shares(crowd.live_engagement)
    engaged = crowd.population(0).engagement
    live0 = crowd.live[crowd.live_run == 0]
    i = int(live0[np.argmax(crowd.live_engagement[: len(live0)])])  # an engaged agent of run 0
    kind = crowd.kind[i]
    same = crowd.kind == kind
    reachable_peers = crowd.ceiling[0][same].sum() - crowd.ceiling[0][i]
    expected = (engaged[same].sum() - engaged[i]) / reachable_peers
    assert peers[crowd.position[i]] == pytest.approx(min(1.0, expected))
    assert partners.shape == peers.shape


def test_setting_an_agent_reaches_the_step_and_is_refused_beyond_its_bounds(uk):
    crowd = crowd_of(uk, [1])
    live = int(crowd.live[0])
    crowd.set_value("engagement", 0, live, crowd.ceiling[0, live])
    assert crowd.live_engagement[0] == crowd.ceiling[0, live]
    assert crowd.engagement[0, live] == crowd.ceiling[0, live]
    kind = crowd.kind[live]
    assert crowd.engaged[0, kind] == pytest.approx(crowd.engagement[0][crowd.kind == kind].sum())
    crowd.set_value("threshold", 0, live, 0.25)
    assert crowd.live_threshold[0] == 0.25 == crowd.value("threshold", 0, live)
    outside = int(np.flatnonzero(crowd.ceiling[0] == 0)[0])
    with pytest.raises(ValueError, match=r"engagement must be in \[0, 0\]"):
        crowd.set_value("engagement", 0, outside, 0.1)
    with pytest.raises(ValueError, match=r"trust must be in \[0, 1\]"):
        crowd.set_value("trust", 0, live, 1.5)
    with pytest.raises(AttributeError, match="cannot be set"):
        crowd.set_value("ceiling", 0, live, 1.0)
