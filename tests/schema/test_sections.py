"""The sections of a scenario: agents within their attributes' domains, ties, the rule."""

import numpy as np
import pytest
from pydantic import ValidationError

from mobilise.model.population import build_population
from mobilise.schema.distributions import Uniform
from mobilise.schema.sections import Influence, Network, Population


def test_a_distribution_past_its_attributes_domain_is_refused_unless_clamped():
    shifted = Uniform(dist="uniform", a=0.5, b=1.0).moved(shift=0.1)  # an ensemble member's
    with pytest.raises(ValidationError, match=r"draws from 0.6 to 1.1 \(mean 0.85\), but"):
        Population(count=10, alignment=shifted)
    clamped = shifted.model_copy(update={"high": 1.0})
    assert Population(count=10, alignment=clamped).alignment.support() == (0.6, 1.0)
    # the clamp is the model's own: the same draws as clipping the unclamped ones to [0, 1]
    rng = np.random.default_rng(3)
    draws = clamped.sample(np.random.default_rng(3), 1000)
    assert np.array_equal(draws, np.clip(shifted.sample(rng, 1000), 0.0, 1.0))
    assert (draws == 1.0).mean() == pytest.approx(0.2, abs=0.04)  # a fifth sit at full alignment


def test_the_charities_clamp_changes_no_agent_the_model_clips_at_one_anyway(uk):
    """uk_2024 clamps charities' alignment at 1 so that members shifting it up stay valid."""
    member = uk.with_values({"populations.charity.alignment.shift": 0.08})
    alignment = member.populations["charity"].alignment
    populations = dict(member.populations)
    populations["charity"] = populations["charity"].model_copy(
        update={"alignment": alignment.model_copy(update={"high": None})}
    )
    unclamped = member.model_copy(update={"populations": populations})  # as before the clamp
    charities = build_population(member, 8).slices["charity"]
    built, plain = build_population(member, 8), build_population(unclamped, 8)
    assert np.array_equal(built.alignment, plain.alignment)
    assert (built.alignment[charities] == 1.0).any()  # the clip did bite


def test_a_pairs_cross_degree_is_the_same_either_way_round():
    network = Network(cross_overrides={"union-business": 2.0})
    assert network.cross("business", "union") == network.cross("union", "business") == 2.0
    moved = network.with_cross("business-union", 5.0)
    assert moved.cross_overrides == {"union-business": 5.0}  # the key as written is kept
    assert Network().within("charity") == 6.0 and moved.cross("charity", "volunteer") == 1.0


def test_engagement_stays_a_share():
    Influence(adjustment=0.9, fatigue=0.1)
    with pytest.raises(ValidationError, match="adjustment \\+ fatigue must be at most 1"):
        Influence(adjustment=0.95, fatigue=0.1)
