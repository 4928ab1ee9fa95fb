"""Several missions at once: one capacity split by pull, spillovers, same bits alone or beside.

The shares and the spillover factor are checked against the equations of
docs/model.md (Several missions) recomputed here from the crowd's own pressures; the
single-mission path against hashes of its outputs made before several missions existed.
"""

import hashlib

import numpy as np
import pandas as pd
import pytest

from mobilise.model.block import Member
from mobilise.model.nation import Nation, build_block
from mobilise.running.design import in_memory
from mobilise.running.runs import run_chunk
from mobilise.running.simulate import run
from mobilise.schema.scenario import load_scenario
from mobilise.schema.schedule import Timing

from ..conftest import SCENARIOS

FIVE = SCENARIOS / "uk_2024_five_missions.yaml"


@pytest.fixture(scope="module")
def five():
    return load_scenario(FIVE)


def two(five, **update):
    """The five-mission scenario cut to NHS and growth, shorter (lean tests)."""
    scenario = five.updated("missions", ["nhs", "growth"])
    return scenario.model_copy(update={"quarters": 12, **update})


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def test_single_mission_outputs_are_the_bytes_they_were_before_several_missions():
    """Hashes of uk_2024's outputs made without several missions.

    Made on the branch with structures that move and without several missions (the
    code the two were merged from): a run's frame, and a batch chunk's runs.csv rows and
    time series, with a reform. If the single-mission path moved by one bit, these
    move. A deliberate change to the model remakes them with tests/data/baseline.json.
    """
    uk = load_scenario(SCENARIOS / "uk_2024.yaml")
    frame = run(uk, seed=1, reforms={"mission_councils": 1.0})
    assert sha256(frame.to_csv(index=False)) == (
        "ba4de274313c927038aaa83f2dea3d9845d8b98cad7f5ec5aa750e8d1f736d0a"
    )
    design = in_memory(uk, {"councils": {"mission_councils": 1.0}}, replications=3, seed=0)
    result = run_chunk(design.runs())
    assert sha256(pd.DataFrame(result.rows).to_csv(index=False)) == (
        "91a28183f014048e4de6ef23a44a8305fe61f70ed98501f2daca89e5edfcb302"
    )
    assert sha256(pd.concat(result.timeseries).to_csv(index=False)) == (
        "b08eb0491e5153cc2edd16876d94b1833f3ddea69acdd23a438f118aa43de04e"
    )


def test_a_run_of_several_missions_has_every_missions_columns(five):
    frame = run(five.model_copy(update={"quarters": 4}), seed=3)
    alone = run(load_scenario(SCENARIOS / "uk_2024.yaml").model_copy(update={"quarters": 4}))
    plain = list(alone.columns[2:])
    assert list(frame.columns[:2]) == ["step", "quarter"]
    expected = [f"{c}:{m}" for m in five.mission_names for c in plain]
    assert list(frame.columns[2:]) == expected
    assert frame["metric:clean_energy"].iloc[0] == 0.60  # the catalogue's baseline


def test_same_seed_same_bytes_alone_or_in_any_block(five):
    scenario = two(five)
    members = [Member(scenario, seed) for seed in (1, 2, 3)]
    block = build_block(members)
    block.run()
    for r, member in enumerate(members):
        alone = build_block([member])
        alone.run()
        pd.testing.assert_frame_equal(block.frame(r), alone.frame(0), check_exact=True)
    again = run(scenario, seed=2)
    assert again.to_csv(index=False) == block.frame(1).to_csv(index=False)


def test_each_agent_splits_its_capacity_by_its_pull_on_each_mission(five):
    scenario = two(five)
    for concentration in (0.0, 1.0, 3.0):
        attention = scenario.attention.model_copy(update={"concentration": concentration})
        nation = build_block([Member(scenario.model_copy(update={"attention": attention}), 1)])
        assert isinstance(nation, Nation)
        nation.step()
        nation.step()
        crowds = [block.crowd for block in nation.blocks]
        size = crowds[0].runs * crowds[0].size

        def placed(crowd, values, size=size):  # a live array over every agent (0 elsewhere)
            full = np.zeros(size)
            full[crowd.live] = values
            return full

        # missions fund different types, so their reach (and live agents) may differ
        weights = [
            placed(c, np.where(c.live_ceiling > 0, np.maximum(c.pressure, 0.0) ** concentration,
                               0.0))
            for c in crowds
        ]  # fmt: skip
        shares = [placed(c, c.live_share) for c in crowds]
        total = weights[0] + weights[1]
        pulled = total > 0
        assert pulled.any()
        np.testing.assert_allclose(shares[0][pulled], weights[0][pulled] / total[pulled])
        both = placed(crowds[0], crowds[0].live_ceiling > 0) * placed(
            crowds[1], crowds[1].live_ceiling > 0
        )
        np.testing.assert_allclose((shares[0] + shares[1])[both > 0], 1.0)
        nhs = crowds[0]
        if concentration == 0.0:  # an even split where both missions can reach the agent
            np.testing.assert_array_equal(shares[0][both > 0], 0.5)
        # what a mission is given is each agent's engagement times capacity times its share
        given = nhs.live_type_sums(nhs.live_engagement * nhs.live_capacity * nhs.live_share)
        np.testing.assert_allclose(nhs.live_type_sums(nhs.given()), given)


def test_a_mission_that_rose_lifts_its_destination_by_the_logistic_of_its_weight(five):
    """Same bits until the first spillover; then the destination's aggregate is scaled.

    By 2 / (1 + exp(-w)) for the origin that rose; the origin receives nothing.
    """
    weight = 0.8
    pair = five.updated("missions", ["growth", "clean_energy"]).model_copy(update={"quarters": 8})
    without = pair.model_copy(update={"spillovers": {}})
    with_ = pair.model_copy(update={"spillovers": {"clean_energy": {"growth": weight}}})
    plain, lifted = build_block([Member(without, 4)]), build_block([Member(with_, 4)])
    plain.step()
    lifted.step()
    assert isinstance(lifted, Nation)
    np.testing.assert_array_equal(plain.rows, lifted.rows)  # nothing rose before step 1
    assert lifted.rose[0, 1], "clean power rose in its first quarter"
    plain.step()
    lifted.step()
    factor = 2.0 / (1.0 + np.exp(-weight))
    np.testing.assert_allclose(
        lifted.blocks[0].aggregate, plain.blocks[0].aggregate * factor, rtol=1e-12
    )
    # clean power receives nothing: its own aggregate is as without spillovers
    np.testing.assert_array_equal(lifted.blocks[1].aggregate, plain.blocks[1].aggregate)


def test_a_reform_that_starts_later_leaves_every_mission_identical_before_it(five):
    """v2's common random numbers hold for several missions: bit for bit until 2026Q3."""
    scenario = two(five)
    base = run(scenario, seed=5)
    later = run(scenario, seed=5, reforms={"mission_councils": 1.0},
                timing={"mission_councils": Timing(start="2026Q3")})  # fmt: skip
    start = int(np.flatnonzero(base["quarter"] == "2026Q3")[0])
    pd.testing.assert_frame_equal(base.iloc[:start], later.iloc[:start], check_exact=True)
    assert not base.iloc[start + 1 :].equals(later.iloc[start + 1 :])


def test_a_reform_aimed_at_one_mission_is_that_missions_alone(five):
    scenario = two(five)
    timing = {"multi_year_funding": Timing(missions=["nhs"])}
    nation = build_block([Member(scenario, 6, {"multi_year_funding": 1.0}, timing)])
    assert isinstance(nation, Nation)
    nhs, growth = (block.inputs[0] for block in nation.blocks)
    assert nhs.reforms == {"multi_year_funding": 1.0} and growth.reforms == {}
    assert nhs.timing == {} and growth.timing == {}


def test_a_mission_does_worse_beside_the_others_than_alone_on_the_same_seeds(five):
    """The done-when: the NHS beside four missions ends lower than alone, seed by seed."""
    scenario = five.model_copy(update={"quarters": 16})
    alone = scenario.updated("missions", ["nhs"])
    for seed in (1, 2, 3):
        together = run(scenario, seed=seed)["metric:nhs"].iloc[-1]
        assert together < run(alone, seed=seed)["metric"].iloc[-1]
