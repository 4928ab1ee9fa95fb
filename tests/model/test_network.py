"""The tie network: peer and partner shares count only neighbours who could engage."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise import MissionModel
from mobilise.model.network import Ties


def small_complete(ceiling):
    kind = np.zeros(len(ceiling), dtype=np.intp)
    return Ties(complete=True, kind=kind, counts=np.array([float(len(ceiling))]), ceiling=ceiling)


def test_complete_network_with_everyone_reachable_is_granovetters_mean_field():
    ties = small_complete(np.ones(5))
    engagement = np.array([1.0, 1.0, 0.0, 0.0, 0.0])
    expected = (engagement.sum() - engagement) / 4
    assert np.allclose(ties.peer_share(engagement), expected)


def test_peers_outside_reach_do_not_dilute_the_share():
    # five agents, two of them can never engage: the three others see each other only
    ties = small_complete(np.array([1.0, 1.0, 1.0, 0.0, 0.0]))
    engagement = np.array([1.0, 1.0, 0.0, 0.0, 0.0])
    share = ties.peer_share(engagement)
    assert share[2] == pytest.approx(1.0)  # both of its reachable peers are engaged
    assert share[0] == pytest.approx(0.5)


def test_sampled_network_shares_are_engaged_over_reachable_neighbours(uk):
    model = MissionModel(uk, seed=2, mesa_agents=False)
    pop, ties = model.population, model.ties
    rng = np.random.default_rng(0)
    engagement = rng.random(pop.size) * pop.ceiling
    adjacency = (ties.same != 0).astype(float)
    engaged, reachable = adjacency @ engagement, adjacency @ pop.ceiling
    expected = np.where(reachable > 0, engaged / np.where(reachable > 0, reachable, 1), 0)
    assert np.allclose(ties.peer_share(engagement), np.minimum(expected, 1.0))
    assert np.all((ties.partner_share(engagement) >= 0) & (ties.partner_share(engagement) <= 1))


def test_each_block_draws_its_own_ties(uk):
    """Changing one block's degree (a reform) leaves every other block's ties as they were."""
    base = MissionModel(uk, seed=4, mesa_agents=False).ties
    reformed = MissionModel(
        uk.updated("network.cross_overrides", {**uk.network.cross_overrides, "union-business": 2}),
        seed=4,
        mesa_agents=False,
    ).ties
    assert (base.same != reformed.same).nnz == 0
    changed = (base.cross != 0).astype(int) - (reformed.cross != 0).astype(int)
    rows, cols = changed.nonzero()
    kinds = {(int(base.kind[r]), int(base.kind[c])) for r, c in zip(rows, cols, strict=True)}
    assert kinds <= {(1, 2), (2, 1)}  # business-union ties only


# --- nested draws: a stronger reform adds ties, it does not reshuffle them (issue 23) ---------

TIE_REFORMS = ("mission_councils", "social_partnership", "civil_society_covenant")


def edge_set(uk, seed, reform, strength):
    reforms = {reform: strength} if strength else {}
    ties = MissionModel(uk, seed=seed, reforms=reforms, mesa_agents=False).ties
    return {tuple(edge) for edge in ties.edges().tolist()}


@settings(deadline=None, max_examples=12)
@given(
    seed=st.integers(0, 2**31 - 1),
    reform=st.sampled_from(TIE_REFORMS),
    strengths=st.tuples(st.floats(0, 1), st.floats(0, 1)).map(sorted),
)
def test_a_stronger_reform_keeps_every_tie_of_a_weaker_one(uk, seed, reform, strengths):
    weaker, stronger = (edge_set(uk, seed, reform, k) for k in strengths)
    assert weaker <= stronger
    if strengths[1] - strengths[0] > 0.2:
        assert len(stronger) > len(weaker)


@settings(deadline=None, max_examples=10)
@given(seed=st.integers(0, 2**31 - 1), strengths=st.tuples(st.floats(0, 1), st.floats(0, 1)))
def test_with_the_ties_channels_off_more_councils_never_lower_the_metric(uk, seed, strengths):
    """With partner shares and trust's coordination boost off, more councils never hurt a run.

    What is left of the reform is then higher trust, and no run's metric falls with it. What
    can still lower it is the share rule: a new tie to a partner less engaged than an
    agent's others lowers its partner share, and more ties make trust move faster toward a
    goal below it (docs/model.md, Reforms that change ties).
    """
    low, high = sorted(strengths)
    scenario = uk.updated("influence.cross", 0.0).updated("trust.coordination_boost", 0.0)
    runs = [
        MissionModel(scenario, seed=seed, reforms={"mission_councils": k}, mesa_agents=False)
        for k in (low, high)
    ]
    ends = [model.run()["metric"].to_numpy() for model in runs]
    assert np.all(ends[1][[17, 40]] >= ends[0][[17, 40]])
