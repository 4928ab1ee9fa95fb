"""Runs in blocks: planning which runs step together, and reading each run back off a block."""

import dataclasses
import math

import pandas as pd
import pytest

from mobilise.model.block import block_key, block_size
from mobilise.running.blocks import plan_blocks, run_block, summary, timeseries
from mobilise.running.design import comparison
from mobilise.running.runs import run_one
from mobilise.running.simulate import simulate
from mobilise.schema.reforms import apply_reforms

from ..conftest import SCENARIOS


@pytest.fixture(scope="module")
def mixed_specs():
    """Specs of two populations (UK, 2,000 agents; the Granovetter toy, 100), interleaved."""
    uk = comparison(SCENARIOS / "uk_2024.yaml", {"mission_councils": 1.0}, replications=3).runs()
    toy = comparison(SCENARIOS / "minimal_threshold.yaml", {}, replications=3).runs()
    specs = []
    for i, spec in enumerate([s for pair in zip(uk, toy, strict=False) for s in pair]):
        specs.append(dataclasses.replace(spec, run_id=i, record_every=2))
    return specs


def test_every_run_is_planned_once_in_a_block_of_compatible_runs(mixed_specs):
    blocks = plan_blocks(mixed_specs)
    planned = [spec.run_id for block in blocks for spec in block]
    assert sorted(planned) == [spec.run_id for spec in mixed_specs]
    for block in blocks:
        keys = {block_key(apply_reforms(s.scenario, s.reforms)) for s in block}
        assert len(keys) == 1
    assert len(blocks) == 2  # one per population: they cannot step together
    assert [b[0].run_id for b in blocks] == sorted(b[0].run_id for b in blocks)


def test_a_memory_budget_cuts_blocks_to_the_size_it_allows(mixed_specs):
    uk_runs = [s for s in mixed_specs if s.scenario.size == 2_000]
    per_run_budget = block_size(2_000, memory_bytes=2**20)
    blocks = plan_blocks(uk_runs, memory_bytes=2**20)
    assert all(len(b) <= per_run_budget for b in blocks)
    assert len(blocks) == math.ceil(len(uk_runs) / per_run_budget) > 1


def test_each_runs_summary_off_the_block_is_its_summary_alone(mixed_specs):
    for specs in plan_blocks(mixed_specs):
        block = run_block(specs)
        for r, spec in enumerate(specs):
            alone = simulate(spec.scenario, seed=spec.seed, reforms=spec.reforms).summary
            assert summary(block, r) == alone, spec


def test_the_blocks_time_series_is_each_runs_recorded_steps_alone(mixed_specs):
    for specs in plan_blocks(mixed_specs):
        together = timeseries(run_block(specs), specs).reset_index(drop=True)
        alone = pd.concat([run_one(spec)[1] for spec in specs], ignore_index=True)
        assert set(together["step"] % 2) <= {0} | {together["step"].max() % 2}
        pd.testing.assert_frame_equal(together, alone, check_exact=True)


def test_a_run_that_cannot_be_built_is_planned_alone(mixed_specs):
    broken = dataclasses.replace(mixed_specs[0], run_id=99, reforms={"no_such_reform": 1.0})
    blocks = plan_blocks([*mixed_specs, broken])
    assert [broken] in blocks
    assert sum(len(b) for b in blocks) == len(mixed_specs) + 1
