"""Runs in blocks: specs grouped into blocks, and a block's summaries and time series.

A chunk of a batch (or the app's comparison) is split into blocks of compatible
runs (:func:`mobilise.model.block.block_key`), each at most :func:`block_size`
runs for its population, and each block is stepped at once. The summaries and
time series are read off the block's (R, steps, columns) array; each run's are the
same as the run alone gives (:func:`mobilise.running.runs.run_one`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mobilise.model.block import Arms, Block, Member, applied, arm_key, block_key, block_size
from mobilise.model.outcomes import summarise_series
from mobilise.running.design import RunSpec
from mobilise.vocabulary import quarter_label

LABELS = ("run_id", "mission", "point", "arm", "replication")
"""The identifying columns that lead each row of a time series."""


def plan_blocks(
    specs: Sequence[RunSpec], memory_bytes: int | None = None, arms: Arms | None = None
) -> list[list[RunSpec]]:
    """Specs grouped into blocks that step together, in order of their first run.

    Runs group by :func:`block_key` (same actor types and counts, network kind,
    horizon; a run whose reforms cannot be applied is a block alone, so that running
    it records the failure and nothing else); each group is cut into blocks of
    :func:`block_size` runs for its population and ``memory_bytes`` (the default
    budget when ``None``). Each arm's reforms are applied once, into ``arms`` if
    given, for the blocks to reuse (:func:`run_block`).
    """
    arms = {} if arms is None else arms
    groups: dict[tuple[Any, ...], list[RunSpec]] = {}
    # one block key per arm (None: its runs cannot be built)
    keys: dict[tuple[Any, ...], tuple[Any, ...] | None] = {}
    for spec in specs:
        arm = arm_key(spec.scenario, spec.reforms)
        if arm not in keys:
            try:
                keys[arm] = block_key(applied(arms, spec.scenario, spec.reforms)[1])
            except Exception:  # a run that cannot be built goes alone: running it records why
                keys[arm] = None
        key = keys[arm]
        groups.setdefault(("alone", spec.run_id) if key is None else key, []).append(spec)
    blocks = []
    for group in groups.values():
        agents = group[0].scenario.size
        size = block_size(agents) if memory_bytes is None else block_size(agents, memory_bytes)
        blocks += [group[i : i + size] for i in range(0, len(group), size)]
    return sorted(blocks, key=lambda block: block[0].run_id)


def run_block(specs: Sequence[RunSpec], arms: Arms | None = None) -> Block:
    """Build and run one block of specs (see :func:`plan_blocks`, whose ``arms`` it reuses)."""
    record_agents = any(spec.record_agents for spec in specs)
    block = Block(
        [Member(spec.scenario, spec.seed, spec.reforms) for spec in specs],
        record_agents=record_agents,
        arms=arms,
    )
    block.run()
    return block


def summary(block: Block, run: int) -> dict[str, Any]:
    """Run ``run``'s summary: its mission, every run outcome, each milestone."""
    return summarise_series(block.series(run))


def timeseries(block: Block, specs: Sequence[RunSpec]) -> pd.DataFrame:
    """The recorded steps of every run of ``block``, labelled, in the batch's columns.

    Each run keeps every ``record_every``-th step and its last, as
    :func:`mobilise.running.runs.run_one` does; runs follow in block order.
    """
    last = block.step_count
    steps = np.arange(last + 1)
    picked_runs, picked_steps = [], []
    for r, spec in enumerate(specs):
        kept = steps[(steps % spec.record_every == 0) | (steps == last)]
        picked_runs.append(np.full(len(kept), r))
        picked_steps.append(kept)
    run_index, step_index = np.concatenate(picked_runs), np.concatenate(picked_steps)
    frame = pd.DataFrame(block.rows[run_index, step_index], columns=block.columns[2:])
    starts = np.array(block.start_index)[run_index]
    frame.insert(0, "quarter", [quarter_label(int(q)) for q in starts + step_index - 1])
    frame.insert(0, "step", step_index.astype(np.int64))
    labels = [[getattr(spec, name) for name in LABELS] for spec in specs]
    for position, name in enumerate(LABELS):
        values = [labels[r][position] for r in range(len(specs))]
        column = np.array(values, dtype=np.int64 if name != "mission" and name != "arm" else object)
        frame.insert(position, name, column[run_index])
    return frame
