"""A block of runs: each run's bits do not depend on the runs beside it."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mobilise.model.block import Block, Member, block_key, block_size
from mobilise.model.outcomes import STEP_OUTCOMES, StepOutcome
from mobilise.running.design import comparison
from mobilise.running.runs import _one_by_one, run_chunk, run_one
from mobilise.schema.reforms import REFORMS, apply_reforms
from mobilise.schema.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))  # not priors/, targets/, calibration/
ALL_REFORMS = {name: 1.0 for name in REFORMS}
SEEDS = (1, 2, 3)


def alone(member: Member) -> pd.DataFrame:
    """The member's run in a block of its own."""
    block = Block([member])
    block.run()
    return block.frame(0)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT)))
@pytest.mark.parametrize("reforms", [{}, {"mission_councils": 1.0}, ALL_REFORMS],
                         ids=["none", "one", "all"])  # fmt: skip
def test_each_run_of_a_block_equals_the_run_alone(path, reforms):
    scenario = load_scenario(path)
    members = [Member(scenario, seed, reforms) for seed in SEEDS]
    block = Block(members)
    block.run()
    for r, member in enumerate(members):
        pd.testing.assert_frame_equal(block.frame(r), alone(member), check_exact=True)


def test_a_block_mixing_missions_and_reforms_equals_each_run_alone():
    scenario = load_scenario(ROOT / "scenarios" / "uk_2024.yaml")
    arms = [{}, {"learning_and_portfolio": 1.0}, {"pooled_budgets": 0.5}, ALL_REFORMS]
    members = [
        Member(scenario.model_copy(update={"mission": mission}), seed, arm)
        for mission in ("growth", "clean_energy", "nhs")
        for arm in arms
        for seed in (5, 6)
    ]
    block = Block(members)
    block.run()
    for r, member in enumerate(members):
        pd.testing.assert_frame_equal(block.frame(r), alone(member), check_exact=True)
    # and in another order, cut differently: the same runs, the same bits
    reordered = Block(members[::-1][:10])
    reordered.run()
    for r, member in enumerate(members[::-1][:10]):
        pd.testing.assert_frame_equal(reordered.frame(r), alone(member), check_exact=True)


def test_runs_of_one_seed_share_draws_and_keep_each_runs_bits():
    """Arms of a seed share the draws they have in common; each run is still the run alone."""
    scenario = load_scenario(ROOT / "scenarios" / "uk_2024.yaml")
    arms = [{}, *({name: 1.0} for name in REFORMS), {"mission_councils": 0.5}]
    members = [Member(scenario, seed, arm) for seed in (4, 7) for arm in arms]
    block = Block(members)
    block.run()
    for r, member in enumerate(members):
        pd.testing.assert_frame_equal(block.frame(r), alone(member), check_exact=True)


def test_a_run_differs_with_its_seed_and_repeats_with_it():
    scenario = load_scenario(ROOT / "scenarios" / "uk_2024.yaml")
    block = Block([Member(scenario, 1), Member(scenario, 2), Member(scenario, 1)])
    block.run()
    assert np.array_equal(block.rows[0], block.rows[2])
    assert not np.array_equal(block.rows[0], block.rows[1])


def test_runs_that_cannot_share_a_block_are_refused():
    scenario = load_scenario(ROOT / "scenarios" / "uk_2024.yaml")
    other = load_scenario(ROOT / "scenarios" / "minimal_threshold.yaml")
    assert block_key(apply_reforms(scenario)) != block_key(apply_reforms(other))
    with pytest.raises(ValueError, match="must share"):
        Block([Member(scenario, 1), Member(other, 1)])


def test_block_size_shrinks_as_populations_grow():
    assert block_size(2_000) == 50  # 100,000 agents a block
    assert block_size(100) == 250  # small populations: the cap
    assert block_size(200_000) < block_size(2_000)
    assert block_size(10**7) == 1


def test_a_declared_outcome_is_recorded_in_its_own_column():
    """A new step outcome is one declaration: the block records it beside the others."""
    scenario = load_scenario(ROOT / "scenarios" / "uk_2024.yaml")
    drive = StepOutcome(
        name="government_drive",
        label="Government drive",
        unit="share",
        description="government's engaged share",
        of=lambda runs: runs.crowd.government_drive(),
    )
    block = Block([Member(scenario, 1), Member(scenario, 2)], outcomes=(*STEP_OUTCOMES, drive))
    block.run()
    for r in range(2):
        frame = block.frame(r)
        assert block.columns[-1] == "government_drive"
        np.testing.assert_array_equal(frame["government_drive"], frame["engaged_government"])
        budget = scenario.government.budget
        np.testing.assert_allclose(frame["spend"], budget * frame["government_drive"])


def test_a_chunk_run_in_blocks_writes_the_same_bytes_as_run_by_run():
    design = comparison(
        ROOT / "scenarios" / "uk_2024.yaml",
        {"mission_councils": 1.0, "multi_year_funding": 0.5},
        replications=3,
    )
    specs = design.runs()

    def csv(frame: pd.DataFrame) -> str:
        return frame.to_csv(index=False, float_format="%.10g")

    blocks, one_by_one = run_chunk(specs), _one_by_one(specs, run_one)
    assert blocks.rows == one_by_one.rows
    assert csv(pd.concat(blocks.timeseries)) == csv(pd.concat(one_by_one.timeseries))


def test_agents_recorded_in_blocks_are_each_runs_agents_alone():
    from dataclasses import replace

    design = comparison(
        ROOT / "scenarios" / "uk_2024.yaml", {"pooled_budgets": 1.0}, replications=2
    )
    specs = [replace(spec, record_agents=True) for spec in design.runs()]
    blocks, one_by_one = run_chunk(specs), _one_by_one(specs, run_one)
    assert len(blocks.agents) == len(specs)
    for together, alone_ in zip(blocks.agents, one_by_one.agents, strict=True):
        pd.testing.assert_frame_equal(
            together.reset_index(drop=True), alone_.reset_index(drop=True), check_exact=True
        )
