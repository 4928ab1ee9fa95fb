"""One run of a batch, as a worker executes it: spec in, a row and a frame out.

The functions here are module-level so every executor (process pool, Dask) can
pickle them. A run that raises becomes a failure record; the chunk goes on.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mobilise.running.design import RunSpec
from mobilise.running.simulate import simulate
from mobilise.schema.outcomes import RUN_OUTCOMES, run_columns
from mobilise.schema.reforms import REFORMS
from mobilise.vocabulary import quarter_index

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
        "arm": spec.arm,
        "reforms": spec.reform_text(),
    }
    row.update({f"strength_{r}": spec.reforms.get(r, 0.0) for r in REFORMS})
    row.update({"replication": spec.replication, "seed": spec.seed})
    row.update(spec.sweep)
    return row


def run_one(spec: RunSpec) -> RunResult:
    """Run a spec; return its ``runs.csv`` row, its time series and agent frame."""
    done = simulate(
        spec.scenario,
        seed=spec.seed,
        reforms=spec.reforms,
        record_agents=spec.record_agents,
        mesa_agents=False,  # a batch needs the frames, not per-agent Python objects
    )
    frame, summary = done.frame, done.summary
    quarter = summary["milestone_quarter"]
    types = spec.scenario.type_names
    row = identity(spec)
    step = quarter_index(quarter) - quarter_index(spec.scenario.start) + 1 if quarter else None
    for outcome in RUN_OUTCOMES:
        if outcome.per_type:
            row.update({f"{outcome.name}_{t}": summary[outcome.name][t] for t in types})
        elif outcome.name == "milestone_step":
            row[outcome.name] = step
        else:
            row[outcome.name] = summary[outcome.name]
    row["milestone_quarter"] = quarter or ""
    kept = frame[(frame["step"] % spec.record_every == 0) | (frame.index == len(frame) - 1)]
    labels = pd.DataFrame(
        {c: row[c] for c in ("run_id", "mission", "point", "arm", "replication")}, index=kept.index
    )
    timeseries = pd.concat([labels, kept], axis=1)
    agents = done.agents
    if agents is not None:
        agents.insert(0, "run_id", spec.run_id)
    return row, timeseries, agents


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
    """Run specs in order; a run that raises is recorded and the rest go on."""
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
