"""ABC-SMC with pyABC on the project's executors: right, deterministic, resumable.

A toy simulator (a linear map of the parameters plus noise) stands in for the model, so
these tests check the machinery (pyABC's inference through our sampler) quickly; the
model itself is calibrated in tests/analysis/test_calibration.py.
"""

import random

import numpy as np
import pyabc
import pytest

from mobilise.analysis.abc import (
    BlockSampler,
    ErrorFloorScale,
    generations_of,
    pyabc_draws,
    run_generations,
)
from mobilise.running.executors.local import ProcessPoolExecutor, SequentialExecutor

A = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, -0.5], [1.0, 1.0, 0.0], [0.2, -0.3, 1.0]])
TRUTH = np.array([0.3, 0.6, 0.5])
NAMES = [f"p{i:02d}" for i in range(3)]


class Linear:
    """Summary statistics A @ theta plus N(0, 0.05) noise, one dict per particle."""

    def __call__(self, parameters, rng):
        """One dict of statistics per particle."""
        out = []
        for p in parameters:
            theta = np.array([p[n] for n in NAMES])
            values = A @ theta + rng.normal(scale=0.05, size=len(A))
            out.append({f"s{j}": float(v) for j, v in enumerate(values)})
        return out


OBSERVED = {f"s{j}": float(v) for j, v in enumerate(A @ TRUTH)}


def go(db, generations, executor, particles=60):
    return run_generations(
        db=db,
        simulator=Linear(),
        ranges=dict.fromkeys(NAMES, (0.0, 1.0)),
        observed=OBSERVED,
        errors=dict.fromkeys(OBSERVED, 0.05),
        particles=particles,
        generations=generations,
        min_acceptance=0.001,
        seed=4,
        batch=9,
        executor=executor,
    )


def final(db):
    history = pyabc.History(f"sqlite:///{db}")
    history.id = 1
    frame, weights = history.get_distribution()
    return frame[NAMES].to_numpy(), np.asarray(weights)


def test_the_posterior_finds_the_truth_and_narrows(tmp_path):
    generations = go(tmp_path / "a.db", 4, SequentialExecutor(), particles=100)
    assert [g.t for g in generations] == [0, 1, 2, 3]
    assert all(g.particles == 100 and g.samples >= 100 for g in generations)
    values, weights = final(tmp_path / "a.db")
    mean = weights @ values
    sd = np.sqrt(weights @ (values - mean) ** 2)
    assert np.abs(mean - TRUTH).max() < 0.1
    assert (sd < 0.2).all()  # the prior's sd is 0.29
    assert generations[-1].acceptance < generations[0].acceptance


def test_a_resumed_run_and_two_workers_give_the_same_population(tmp_path):
    straight = go(tmp_path / "straight.db", 3, SequentialExecutor(), particles=30)
    go(tmp_path / "resumed.db", 1, SequentialExecutor(), particles=30)  # interrupted
    resumed = go(tmp_path / "resumed.db", 3, SequentialExecutor(), particles=30)
    pool = ProcessPoolExecutor(2)
    try:
        spread = go(tmp_path / "pool.db", 3, pool, particles=30)
    finally:
        pool.close()
    assert [vars(g) for g in straight] == [vars(g) for g in resumed] == [vars(g) for g in spread]
    for other in ("resumed.db", "pool.db"):
        for a, b in zip(final(tmp_path / "straight.db"), final(tmp_path / other), strict=True):
            assert np.array_equal(a, b)


def test_a_dask_cluster_gives_the_same_population(tmp_path):
    from distributed import LocalCluster

    from mobilise.running.executors.dask import DaskExecutor

    straight = go(tmp_path / "straight.db", 2, SequentialExecutor(), particles=30)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        try:
            dask = go(tmp_path / "dask.db", 2, executor, particles=30)
        finally:
            executor.close()
    assert [vars(g) for g in straight] == [vars(g) for g in dask]
    for a, b in zip(final(tmp_path / "straight.db"), final(tmp_path / "dask.db"), strict=True):
        assert np.array_equal(a, b)


def test_each_generation_is_stored_with_its_epsilon_and_acceptance(tmp_path):
    go(tmp_path / "g.db", 2, SequentialExecutor(), particles=20)
    stored = generations_of(pyabc.History(f"sqlite:///{tmp_path / 'g.db'}"))
    assert [g.t for g in stored] == [0, 1]
    assert all(0 < g.acceptance <= 1 and np.isfinite(g.epsilon) for g in stored)


def test_the_adaptive_scale_never_goes_below_a_targets_error():
    scale = ErrorFloorScale((("a", 0.1), ("b", 2.0)))
    samples = np.array([[0.0, 10.0], [0.0, 10.0], [0.0, 14.0]])
    assert scale(samples=samples, s_ids=["a", "b"]) == pytest.approx([0.1, 2.0])
    wide = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    assert scale(samples=wide, s_ids=["a", "b"])[0] == pytest.approx(np.sqrt(1 + 0.01))
    assert isinstance(BlockSampler(SequentialExecutor(), Linear(), 0, 1), pyabc.sampler.Sampler)


def test_pyabcs_global_draws_follow_the_seed_and_leave_the_callers_state_as_it_was():
    np.random.seed(7)
    random.seed(7)
    before = np.random.get_state()[1].copy(), random.getstate()
    draws = []
    for _ in range(2):
        with pyabc_draws(np.random.default_rng(3)):
            draws.append((pyabc.RV("uniform", 0, 1).rvs(), random.random()))
    assert draws[0] == draws[1]
    assert np.array_equal(np.random.get_state()[1], before[0]) and random.getstate() == before[1]
