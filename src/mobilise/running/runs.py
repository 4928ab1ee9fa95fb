"""One run of a batch, as a worker executes it: spec in, a row and a frame out.

The functions here are module-level so every executor (process pool, Dask) can
pickle them. A run that raises becomes a failure record; the chunk goes on.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mobilise.model.block import Arms
from mobilise.model.outcomes import run_cells, run_columns
from mobilise.running.blocks import LABELS, plan_blocks, run_block, summary, timeseries
from mobilise.running.design import RunSpec
from mobilise.schema.ensemble import Ensemble
from mobilise.schema.scenario import Scenario
from mobilise.schema.schedule import Schedule

RunResult = tuple[dict[str, Any], pd.DataFrame, pd.DataFrame | None]
Runner = Callable[[RunSpec], RunResult]

RESULT_COLUMNS = run_columns()
"""Outcome columns of ``runs.csv`` for the six UK types, after identity and sweep values."""


def identity(spec: RunSpec) -> dict[str, Any]:
    """The identifying columns of a run: who, which arm, which seed."""
    row: dict[str, Any] = {
        "run_id": spec.run_id,
        "scenario": spec.scenario_name,
        "mission": spec.mission,
        "point": spec.point,
        "member": spec.member,
        "arm": spec.arm,
        "reforms": spec.reform_text(),
    }
    row.update({f"strength_{r}": spec.reforms.get(r, 0.0) for r in spec.scenario.reform_names})
    row["budget_factor"] = spec.budget
    row.update({"replication": spec.replication, "seed": spec.seed})
    row.update(spec.sweep)
    return row


def run_one(spec: RunSpec) -> RunResult:
    """Run a spec alone (a block of one); return its ``runs.csv`` row, time series, agents."""
    block = run_block([spec])
    agents = block.agent_frame(0) if spec.record_agents else None
    if agents is not None:
        agents.insert(0, "run_id", spec.run_id)
    return result_row(spec, summary(block, 0)), timeseries(block, [spec]), agents


def result_row(spec: RunSpec, summary: dict[str, Any]) -> dict[str, Any]:
    """A run's ``runs.csv`` row: its identity, its outcomes from ``summary``, and its cost.

    ``cost`` is what the arm commits beyond the scenario's budget, GBP bn over the run
    (:meth:`RunSpec.cost`): 0 unless it has a budget multiplier or costed reforms.
    """
    cost = spec.cost(summary.get("doses", {}))
    return {**identity(spec), **run_cells(summary, spec.scenario.type_names), "cost": cost}


@dataclass
class ChunkResult:
    """What a worker sends back for one chunk of runs."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    timeseries: list[pd.DataFrame] = field(default_factory=list)
    agents: list[pd.DataFrame] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def run_ids(self) -> list[int]:
        """Ids of every run in the chunk, finished or failed."""
        return [r["run_id"] for r in self.rows] + [f["run_id"] for f in self.failures]


def run_chunk(specs: list[RunSpec], runner: Runner = run_one) -> ChunkResult:
    """Run specs; a run that raises is recorded and the rest go on.

    With the default runner the specs run in blocks (:mod:`mobilise.running.blocks`),
    each run giving the same row and series as :func:`run_one` alone; a block that
    raises is run again run by run, so only the failing runs are recorded as failed.
    Another ``runner`` is called once per spec, in order.
    """
    if runner is not run_one:
        return _one_by_one(specs, runner)
    result = ChunkResult()
    order = {spec.run_id: i for i, spec in enumerate(specs)}
    arms: Arms = {}  # each arm's reforms applied once for the chunk, whose specs hold them
    for planned in plan_blocks(specs, arms=arms):
        try:
            block = run_block(planned, arms)
        except Exception:  # some run of the block fails: find which, alone
            alone = _one_by_one(planned, run_one)
            result.rows += alone.rows
            result.timeseries += alone.timeseries
            result.agents += alone.agents
            result.failures += alone.failures
            continue
        result.rows += [result_row(spec, summary(block, r)) for r, spec in enumerate(planned)]
        result.timeseries.append(timeseries(block, planned))
        if block.record_agents:
            for r, spec in enumerate(planned):
                agents = block.agent_frame(r)
                agents.insert(0, "run_id", spec.run_id)
                result.agents.append(agents)
    result.rows.sort(key=lambda row: order[row["run_id"]])
    if len(result.timeseries) > 1:  # blocks of different kinds: back into run order
        merged = pd.concat(result.timeseries, ignore_index=True)
        position = merged["run_id"].map(order).to_numpy()
        result.timeseries = [merged.iloc[np.argsort(position, kind="stable")]]
    result.agents.sort(key=lambda frame: order[int(frame["run_id"].iloc[0])])
    return result


def _one_by_one(specs: list[RunSpec], runner: Runner) -> ChunkResult:
    """Run specs in order with ``runner``; a run that raises is recorded and the rest go on."""
    result = ChunkResult()
    for spec in specs:
        try:
            row, timeseries, agents = runner(spec)
        except Exception as exc:  # any failure of one run is reported, not fatal
            result.failures.append(
                {
                    "run_id": spec.run_id,
                    "mission": spec.mission,
                    "point": spec.point,
                    "arm": spec.arm,
                    "replication": spec.replication,
                    "seed": spec.seed,
                    "error": f"{type(exc).__name__}: {exc}".splitlines()[0],
                    "traceback": traceback.format_exc(),
                }
            )
            continue
        result.rows.append(row)
        result.timeseries.append(timeseries)
        if agents is not None:
            result.agents.append(agents)
    return result


def run_members(
    scenario: Scenario,
    ensemble: Ensemble,
    *,
    seed: int | None = None,
    reforms: dict[str, float] | None = None,
    timing: Schedule | None = None,
    budget: float = 1.0,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """One run of each member of ``ensemble``, all with the same seed, in blocks.

    What ``mobilise run`` does with an ensemble: the scenario in every plausible world,
    each with the same ``reforms``, their ``timing`` and the ``budget`` multiplier.
    Member ``m``'s run is the run ``--ensemble none`` gives with its fields as ``--set``s
    and the same seed. Returns the time series (a ``member`` column first) and each
    member's summary (with its ``member``).
    """
    chosen = scenario.seed if seed is None else seed
    mission = scenario.mission_spec.name
    specs = []
    for index, member in enumerate(ensemble.members):
        values = ensemble.member_values(index, mission)
        world = scenario.with_values(values, f"{ensemble.path}: member {member}")
        specs.append(
            RunSpec(
                run_id=index,
                scenario_name=scenario.name,
                mission=mission,
                point=0,
                sweep={},
                arm="",
                reforms=dict(reforms or {}),
                replication=0,
                seed=chosen,
                scenario=world,
                timing=dict(timing or {}),
                budget=budget,
                member=member,
            )
        )
    frames, summaries = [], []
    arms: Arms = {}
    for planned in plan_blocks(specs, arms=arms):
        block = run_block(planned, arms)
        series = timeseries(block, planned)
        member_of = {spec.run_id: spec.member for spec in planned}
        series.insert(0, "member", series["run_id"].map(member_of))
        frames.append(series.drop(columns=[c for c in LABELS if c != "run_id"]))
        summaries += [{"member": s.member, **summary(block, r)} for r, s in enumerate(planned)]
    frame = pd.concat(frames, ignore_index=True).sort_values(["run_id", "step"], kind="stable")
    return frame.drop(columns="run_id").reset_index(drop=True), sorted(
        summaries, key=lambda s: int(s["member"])
    )
