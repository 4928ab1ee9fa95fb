"""The population arrays: draws per type stream, reach ceilings, initial engagement."""

import numpy as np
import pytest

from mobilise import ACTOR_TYPES, MissionModel, load_scenario
from mobilise.model.population import build_population, type_reach
from mobilise.schema.actor_types import BUILT_IN


def population(scenario, seed=3):
    return MissionModel(scenario, seed=seed, mesa_agents=False).population


def test_each_type_can_engage_exactly_as_far_as_its_reach(uk):
    pop = population(uk)
    means = pop.mean_by_type(pop.ceiling)
    for i, actor_type in enumerate(ACTOR_TYPES):
        assert means[i] == pytest.approx(BUILT_IN[actor_type].reach(uk.constraints), abs=1e-12)
        assert pop.reach[i] == pytest.approx(means[i], abs=1e-12)


def test_overseas_investors_are_outside_reach(uk):
    pop = population(uk)
    investors = pop.slices["investor"]
    overseas = pop.outside[investors]
    assert overseas.sum() == round(uk.constraints.overseas_share * overseas.size)
    assert np.all(pop.ceiling[investors][overseas] == 0)


def test_with_foundations_only_the_rest_of_ownership_is_overseas():
    denmark = load_scenario("denmark_2024")
    c = denmark.constraints
    pop = population(denmark)
    investors = pop.slices["investor"]
    overseas = pop.outside[investors]
    share = c.overseas_share * (1 - c.foundation_ownership_share)
    assert overseas.sum() == round(share * overseas.size)  # 0.68 x 0.9 of 80: 49, not 54
    assert np.all(pop.ceiling[investors][overseas] == 0)
    assert pop.mean_by_type(pop.ceiling)[ACTOR_TYPES.index("investor")] == pytest.approx(
        BUILT_IN["investor"].reach(c), abs=1e-12
    )


def test_initial_volunteers_are_within_reach_and_the_survey_share(uk):
    pop = population(uk)
    volunteers = pop.slices["volunteer"]
    engaged = pop.engagement[volunteers]
    assert engaged.mean() == pytest.approx(uk.constraints.volunteering_rate, abs=1e-12)
    assert np.all(engaged <= pop.ceiling[volunteers])
    # those engaged first are the lowest thresholds among the reachable
    reachable = pop.ceiling[volunteers] > 0
    chosen = engaged > 0
    thresholds = pop.threshold[volunteers]
    assert thresholds[chosen].max() <= thresholds[reachable & ~chosen].min()


def test_initial_engagement_cannot_exceed_reach(uk):
    scenario = uk.updated("populations.union.initial_engaged", 0.9)
    pop = population(scenario)
    unions = pop.slices["union"]
    assert pop.engagement[unions].mean() == pytest.approx(uk.constraints.union_density)


def test_a_scenario_may_set_a_type_reach_directly(uk):
    scenario = uk.updated("populations.union.reach", 0.6)
    assert type_reach(scenario, BUILT_IN["union"]) == 0.6
    assert population(scenario).reach[ACTOR_TYPES.index("union")] == 0.6


def test_funded_types_reach_further_in_a_technological_mission(uk, vaccine):
    business = BUILT_IN["business"]
    assert type_reach(vaccine, business) > business.reach(vaccine.constraints)
    assert type_reach(uk, business) == business.reach(uk.constraints)  # nhs funds no firms


def test_a_reform_that_widens_one_type_leaves_every_other_draw_alone(uk):
    before = build_population(uk, 7)
    after = build_population(uk.updated("constraints.union_density", 0.5), 7)
    unions = before.slices["union"]
    others = np.ones(before.size, dtype=bool)
    others[unions] = False
    for name in ("threshold", "trust", "alignment", "capacity", "ceiling", "engagement"):
        assert np.array_equal(getattr(before, name)[others], getattr(after, name)[others]), name
    assert np.array_equal(before.threshold[unions], after.threshold[unions])
    assert np.all(after.ceiling[unions] >= before.ceiling[unions])  # only adds agents


def _reference_initially_engaged(share, threshold, ceiling):
    """The one-run rule written plainly: reachable agents by threshold, up to share * n."""
    wanted, engagement = share * len(threshold), np.zeros(len(threshold))
    if wanted <= 0:
        return engagement
    reachable = np.flatnonzero(ceiling > 0)
    chosen = reachable[np.argsort(threshold[reachable], kind="stable")]
    engaged = np.minimum(np.cumsum(ceiling[chosen]), wanted)
    engaged[1:] -= engaged[:-1].copy()
    engagement[chosen] = engaged
    return engagement


def test_populations_built_together_are_each_runs_population_alone(uk):
    """Arms with other reach and other starting shares, built at once, each bit for bit."""
    from mobilise.model.population import build_populations
    from mobilise.schema.reforms import apply_reforms

    arms = [{}, {"social_partnership": 1.0}, {"time_for_civic_life": 1.0}, {"patient_capital": 0.5}]
    scenarios = [apply_reforms(uk, arm) for arm in arms for _ in range(2)]
    seeds = [11, 12] * len(arms)
    together = build_populations(scenarios, seeds)
    for scenario, seed, built in zip(scenarios, seeds, together, strict=True):
        alone = build_population(scenario, seed)
        for name in ("capacity", "threshold", "trust", "patience", "ceiling", "engagement"):
            np.testing.assert_array_equal(getattr(built, name), getattr(alone, name), name)
        for index, name in enumerate(built.names):
            part = built.slices[name]
            share = scenario.population(name).initial_engaged
            if share is None:
                share = BUILT_IN[name].initial_engaged(scenario.constraints)
            expected = _reference_initially_engaged(
                share, built.threshold[part], built.ceiling[part]
            )
            np.testing.assert_array_equal(built.engagement[part], expected, name)
            assert built.reach[index] == type_reach(scenario, BUILT_IN[name])
