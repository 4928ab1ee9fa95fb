"""Jobs read at chosen points give what a run alone gives, whatever the executor."""

import numpy as np
import pytest

from mobilise import run, summarise
from mobilise.running.executors.local import ProcessPoolExecutor, SequentialExecutor
from mobilise.running.probes import Job, Probe, evaluate, run_jobs


def test_read_outs_are_the_runs_own_values(uk, vaccine):
    short = uk.updated("quarters", 6)
    probes = (
        Probe("metric", 3),
        Probe("engaged_volunteer"),
        Probe("engaged_union", 6, minus="reach_union"),
        Probe("milestone_met"),
    )
    jobs = [Job(short, 11, probes), Job(short, 12, probes, {"pooled_budgets": 1.0}),
            Job(vaccine, 13, (Probe("metric", 4), Probe("milestone_met")))]  # fmt: skip
    rows = run_jobs(jobs)
    for job, row in zip(jobs, rows, strict=True):
        frame = run(job.scenario, seed=job.seed, reforms=job.reforms)
        expected = []
        for probe in job.probes:
            if probe.output == "milestone_met":
                expected.append(float(summarise(frame, job.scenario)["milestone_met"]))
                continue
            step = probe.step if probe.step is not None else len(frame) - 1
            value = frame[probe.output].iloc[step]
            if probe.minus:
                value -= frame[probe.minus].iloc[step]
            expected.append(value)
        assert row[: len(expected)] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert np.isnan(rows[2, 2:]).all()  # shorter rows are padded


def test_the_same_numbers_on_two_workers_in_order(uk):
    short = uk.updated("quarters", 4)
    jobs = [Job(short, seed, (Probe("metric"),)) for seed in range(9)]
    alone = evaluate(jobs, SequentialExecutor())
    pool = ProcessPoolExecutor(2)
    try:
        spread = evaluate(jobs, pool, chunk_size=2)
    finally:
        pool.close()
    assert np.array_equal(alone, spread)
    assert len(set(alone[:, 0])) == 9
