"""Runs read at chosen points: what patterns, targets and calibration need of a run, no more.

A :class:`Job` is a scenario, a seed, reforms and the read-outs wanted of that run
(:class:`Probe`: an output at a step, minus another, or whether the key milestone was
met). Jobs run in blocks (the runs of a chunk that can step together do), on any
executor, and come back as one row of numbers per job, in the order given: the same
numbers whatever the workers, since each run is seeded by its job.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mobilise.model.block import Arms
from mobilise.model.outcomes import BINARY_OUTCOMES
from mobilise.running.blocks import plan_blocks, run_block, summary, timeseries
from mobilise.running.design import RunSpec
from mobilise.running.executors.base import Executor
from mobilise.schema.scenario import Scenario


@dataclass(frozen=True)
class Probe:
    """One read-out of a run: ``output`` (minus ``minus``) at ``step`` (None: a run output)."""

    output: str
    step: int | None = None
    minus: str | None = None


@dataclass(frozen=True)
class Job:
    """One run to make and what to read from it."""

    scenario: Scenario
    seed: int
    probes: tuple[Probe, ...]
    reforms: dict[str, float] = field(default_factory=dict)


def run_jobs(jobs: Sequence[Job]) -> np.ndarray:
    """Every job's read-outs, one row per job (NaN-padded), runs stepped in blocks."""
    width = max((len(job.probes) for job in jobs), default=0)
    out = np.full((len(jobs), width), math.nan)
    specs = [
        RunSpec(
            run_id=i,
            scenario_name=job.scenario.name,
            mission=job.scenario.mission_spec.name,
            point=0,
            sweep={},
            arm="",
            reforms=dict(job.reforms),
            replication=0,
            seed=job.seed,
            scenario=job.scenario,
        )
        for i, job in enumerate(jobs)
    ]
    arms: Arms = {}
    for planned in plan_blocks(specs, arms=arms):
        block = run_block(planned, arms)
        series = timeseries(block, planned)  # each run's steps 0..T, runs in block order
        steps = block.step_count + 1
        for r, spec in enumerate(planned):
            frame = series.iloc[r * steps : (r + 1) * steps]
            for p, probe in enumerate(jobs[spec.run_id].probes):
                if probe.output in BINARY_OUTCOMES:
                    out[spec.run_id, p] = float(summary(block, r)[probe.output])
                else:
                    out[spec.run_id, p] = _read(probe, frame)
    return out


def _read(probe: Probe, frame: pd.DataFrame) -> float:
    """A step output of one run's frame (its last step when the probe names none)."""
    step = probe.step if probe.step is not None else len(frame) - 1
    value = float(frame[probe.output].iloc[step])
    if probe.minus:
        value -= float(frame[probe.minus].iloc[step])
    return value


def _indexed(chunk: tuple[int, list[Job]]) -> tuple[int, np.ndarray]:
    index, jobs = chunk
    return index, run_jobs(jobs)


def evaluate(jobs: Sequence[Job], executor: Executor, chunk_size: int | None = None) -> np.ndarray:
    """:func:`run_jobs` spread over ``executor`` in chunks; rows in the order of ``jobs``."""
    if not jobs:
        return np.empty((0, 0))
    size = chunk_size or max(1, math.ceil(len(jobs) / (executor.workers * 4)))
    chunks = [(i, list(jobs[i : i + size])) for i in range(0, len(jobs), size)]
    width = max(len(job.probes) for job in jobs)
    out = np.full((len(jobs), width), math.nan)
    for start, values in executor.imap_unordered(functools.partial(_indexed), chunks):
        out[start : start + len(values), : values.shape[1]] = values
    return out
