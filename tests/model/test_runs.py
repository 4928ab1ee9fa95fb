"""The model written once: what runs share to step together, and one quarter's orchestration."""

import numpy as np
import pytest

from mobilise.model.runs import Member, Runs, applied, arm_key, block_key
from mobilise.schema.reforms import apply_reforms


def test_reforms_are_applied_once_per_arm(uk):
    arms = {}
    first = applied(arms, uk, {"mission_councils": 1.0})
    again = applied(arms, uk, {"mission_councils": 1.0})
    assert first is again and len(arms) == 1
    assert arm_key(uk, {"mission_councils": 1.0}) in arms
    assert first[0].reforms == {"mission_councils": 1.0} and first[1].reforms == {}
    assert first[1] == apply_reforms(uk, {"mission_councils": 1.0})


def test_runs_share_a_block_when_layout_network_kind_horizon_and_rule_agree(uk):
    assert block_key(uk) == block_key(uk.updated("influence.signal", 2.0))
    for path, value in [("quarters", 8), ("network.kind", "complete"),
                        ("influence.noise", 0.0), ("populations.union.count", 10)]:  # fmt: skip
        assert block_key(uk) != block_key(uk.updated(path, value)), path
    jumping = uk.updated("influence.fatigue", 0.0).updated("influence.adjustment", 1.0)
    assert block_key(uk.updated("influence.fatigue", 0.0)) != block_key(jumping)


def test_nothing_delivered_leaves_each_mission_to_its_counter_trend(uk):
    """Without volunteers the NHS mission's complements give X = 0: progress follows its trend."""
    alone = uk.updated("populations.volunteer.count", 0)
    runs = Runs([Member(alone, 1), Member(alone.updated("mission.decay", 0.05), 2)])
    for _ in range(8):
        runs.advance()
    assert runs.crowd.engaged[:, 0].min() > 0  # government mobilised...
    assert np.all(runs.aggregate == 0.0)  # ...but nothing is delivered
    expected = runs.start_progress * (1 - runs.decay) ** 8
    np.testing.assert_allclose(runs.progress, expected, rtol=1e-12)
    assert runs.decay[1] == 0.05 != runs.decay[0]


def test_government_engagement_lowers_funded_types_costs(uk):
    runs = Runs([Member(uk, 1)])
    base = runs.participation_cost()
    for _ in range(4):
        runs.advance()
    drive = runs.crowd.government_drive()[0]
    assert drive > 0
    expected = runs.crowd.base_cost * (1 - runs.funded * drive)
    np.testing.assert_allclose(runs.participation_cost(), expected)
    funded = runs.funded[0] > 0
    assert np.all(runs.participation_cost()[0][funded] <= base[0][funded])


def test_delivery_is_judged_against_the_roadmap_after_the_lag(uk):
    runs = Runs([Member(uk, 1)])
    lag = int(runs.owners.lag[0])
    for step in range(1, lag + 1):
        runs.advance()
        assert runs.delivery[0] == 0.5, step  # no evidence yet
    runs.advance()
    seen = runs.step_count - lag
    trend = runs.start_progress * (1 - runs.decay) ** seen
    promised = runs.roadmap(seen) - trend
    expected = np.clip((runs.owners.observed - trend) / promised, -1, 1)
    assert runs.delivery[0] == pytest.approx(expected[0])
