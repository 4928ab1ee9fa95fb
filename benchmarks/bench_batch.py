"""Benchmark the batch runner: our executors end to end, against ``mesa.batch_run``.

Run from the repository root::

    uv run python benchmarks/bench_batch.py [--runs 200] [--repeats 3]

One run prints:

1. runs per second for ``--runs`` runs of the shipped UK scenario
   (``scenarios/uk_2024.yaml``, 40 quarters; one baseline arm, one replication
   per run) through ``run_batch`` end to end (parts written, CSVs combined,
   effects and figures) with 1 worker (``SequentialExecutor``) and 2 workers
   (``ProcessPoolExecutor(2)``), and the pure execution rate (``run_chunk`` over
   the same chunks, nothing written or analysed); the 2/1-worker speed-up;
2. ``mesa.batch_run`` over the same model and seeds with 1 and 2 processes, and
   ours / ``batch_run`` at equal worker counts;
3. the shipped ``experiments/reform_comparison.yaml`` at its default replications,
   end to end on ``ProcessPoolExecutor(2)``, once.

Figures for 1 and 2 are medians over ``--repeats`` (configurations interleaved
within each repeat, so drifting machine load hits all of them alike). Targets are
printed next to the figures with PASS/MISS labels; a miss, or even a failing
section, never changes the exit status (this is a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
import tqdm
from tables import header, seconds, table, verdict

import mobilise
from mobilise import MissionModel, load_scenario
from mobilise.analysis.report import write_tables
from mobilise.running.batch import factorial_reforms, run_batch
from mobilise.running.design import Design, RunSpec, load_experiment, parse_experiment
from mobilise.running.executors import Executor, ProcessPoolExecutor, SequentialExecutor
from mobilise.running.runs import run_chunk
from mobilise.views.plots import write_batch_figures

ROOT = Path(__file__).resolve().parents[1]
UK_SCENARIO = ROOT / "scenarios" / "uk_2024.yaml"
REFORM_EXPERIMENT = ROOT / "experiments" / "reform_comparison.yaml"
WORKER_COUNTS = (1, 2)
DEFAULT_RUNS = 200
DEFAULT_REPEATS = 3
MASTER_SEED = 0

# Targets.
TARGET_SPEEDUP = 1.8  # 2 workers / 1 worker, execution only
TARGET_VS_MESA = 3.0  # ours / mesa.batch_run, end to end, at equal worker counts
TARGET_REFORM_S = 300.0  # reform_comparison.yaml end to end on 2 workers


# --- helpers ---------------------------------------------------------------------------


class TimedExecutor:
    """Wraps an executor; notes when its last result has been consumed.

    ``run_batch`` writes each chunk's parts as it receives it, so the moment the
    result iterator is exhausted splits a batch into "execute + write parts" and
    "combine + effects + figures" without touching the runner.
    """

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.workers = inner.workers
        self.description = inner.description
        self.finished: float | None = None

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Delegate; record ``perf_counter`` when the last result has been handled."""
        yield from self.inner.imap_unordered(fn, items)
        self.finished = time.perf_counter()

    def close(self) -> None:
        """Close the wrapped executor."""
        self.inner.close()


def make(workers: int) -> Executor:
    """``SequentialExecutor`` for one worker, else ``ProcessPoolExecutor(workers)``."""
    return SequentialExecutor() if workers <= 1 else ProcessPoolExecutor(workers)


def baseline_design(runs: int) -> Design:
    """The UK scenario as shipped, baseline arm only, ``runs`` replications."""
    data = {
        "name": "bench",
        "description": "bench_batch.py: UK baseline replications",
        "scenarios": [str(UK_SCENARIO)],
        "replications": runs,
        "seed": MASTER_SEED,
    }
    return parse_experiment(data, "bench", base=Path("."))


def chunk_size(todo: int, workers: int) -> int:
    """The chunk size ``run_batch`` picks (``batch._execute``) with no ``chunk_size`` given."""
    return max(1, min(25, todo // (workers * 8) or 1))


def _burn(n: int) -> int:
    """Pure-Python arithmetic: the calibration workload of :func:`cpu_ceiling`."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def cpu_ceiling(n: int = 4_000_000, repeats: int = 3) -> float:
    """Median speed-up of two forked processes over one on the same pure-Python work.

    No I/O, no pickling to speak of: the best 2/1-worker ratio the machine gives right
    now (below 2 on a shared or hyperthreaded host, or when the hypervisor steals time).
    """
    ratios = []
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with context.Pool(2) as pool:
        pool.map(_burn, [1000, 1000])  # workers started before timing
        for _ in range(repeats):
            t0 = time.perf_counter()
            _burn(n)
            _burn(n)
            serial = time.perf_counter() - t0
            t0 = time.perf_counter()
            pool.map(_burn, [n, n], chunksize=1)
            ratios.append(serial / (time.perf_counter() - t0))
    return statistics.median(ratios)


def cpu_times() -> list[int] | None:
    """Aggregate CPU jiffies from ``/proc/stat`` (user, nice, system, idle, ..., steal)."""
    stat = Path("/proc/stat")
    if not stat.exists():
        return None
    return [int(v) for v in stat.read_text().splitlines()[0].split()[1:9]]


def steal_share(start: list[int] | None, end: list[int] | None) -> float | None:
    """Share of CPU time the hypervisor took (``steal``) between two :func:`cpu_times`."""
    if start is None or end is None:
        return None
    delta = [b - a for a, b in zip(start, end, strict=True)]
    return delta[7] / sum(delta) if sum(delta) else None


@dataclass
class EndToEnd:
    """One ``run_batch`` call: total wall time and the execution + writing part of it."""

    total_s: float
    execute_s: float
    runs: int
    done: int
    failed: int
    files: int
    executor: str

    @property
    def rest_s(self) -> float:
        """Combine, effects and figures (and the manifest)."""
        return self.total_s - self.execute_s


def ours_end_to_end(design: Design, workers: int) -> EndToEnd:
    """``run_batch`` into a fresh folder, pool start-up and shut-down included."""
    with tempfile.TemporaryDirectory(prefix="bench_batch_") as tmp:
        out = Path(tmp) / "batch"
        t0 = time.perf_counter()
        executor = TimedExecutor(make(workers))
        try:
            result = run_batch(design, out, executor, progress=False, command="bench_batch")
        finally:
            executor.close()
        files = [*result.files, *write_tables(out, factorial=factorial_reforms(design))]
        files += write_batch_figures(out)  # as mobilise batch does after the runs
        t1 = time.perf_counter()
    finished = executor.finished if executor.finished is not None else t1
    return EndToEnd(
        total_s=t1 - t0,
        execute_s=finished - t0,
        runs=result.total,
        done=result.done,
        failed=result.failed,
        files=len(files),
        executor=executor.description,
    )


def ours_execution(specs: list[RunSpec], workers: int) -> tuple[float, int]:
    """``run_chunk`` over the chunks ``run_batch`` would make; nothing written. (s, runs)."""
    size = chunk_size(len(specs), workers)
    chunks = [specs[i : i + size] for i in range(0, len(specs), size)]
    work = functools.partial(run_chunk)
    done = 0
    t0 = time.perf_counter()
    executor = make(workers)
    try:
        for result in executor.imap_unordered(work, chunks):
            done += len(result.rows)
    finally:
        executor.close()
    return time.perf_counter() - t0, done


def mesa_batch(seeds: list[int], processes: int) -> tuple[float, int, int]:
    """``mesa.batch_run(MissionModel, ...)`` over ``seeds``: (seconds, rows, distinct seeds).

    The UK scenario goes in loaded, as a one-element list (a scenario object is not a
    list of values to sweep); seeds go in through Mesa's ``rng=``.
    """
    # batch_run makes a tqdm bar even with display_progress=False, and tqdm starts a
    # monitor thread; the process pool then avoids fork (threads) and every later pool
    # of ours would pay forkserver start-up. The thread does nothing for a hidden bar.
    tqdm.tqdm.monitor_interval = 0
    t0 = time.perf_counter()
    rows = mesa.batch_run(
        MissionModel,
        parameters={"scenario": [load_scenario(UK_SCENARIO)]},
        rng=seeds,
        number_processes=processes,
        data_collection_period=-1,
        display_progress=False,
    )
    elapsed = time.perf_counter() - t0
    return elapsed, len(rows), len({row["rng"] for row in rows})


@dataclass
class Samples:
    """Timings of one configuration over repeats."""

    seconds: list[float] = field(default_factory=list)
    execute: list[float] = field(default_factory=list)  # ours end to end: execute + write

    def median(self) -> float:
        """Median wall time."""
        return statistics.median(self.seconds) if self.seconds else float("nan")

    def median_execute(self) -> float:
        """Median execute + write part."""
        return statistics.median(self.execute) if self.execute else float("nan")


# --- output ----------------------------------------------------------------------------


def warn(text: str) -> None:
    """Print a warning line (a benchmark reports, it does not fail)."""
    print(f"  WARNING: {text}", flush=True)


def environment(runs: int, repeats: int) -> None:
    """Print versions, CPUs and load."""
    header("Environment")
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    import matplotlib  # here, not at the top: batch_run's spawned workers import this file

    print(f"  Python   {platform.python_version()} ({platform.python_implementation()})")
    print(
        f"  numpy    {np.__version__}   pandas {pd.__version__}   mesa {mesa.__version__}   "
        f"matplotlib {matplotlib.__version__}"
    )
    print(f"  mobilise {mobilise.__version__}")
    print(f"  machine  {platform.machine()}, {platform.system()} {platform.release()}")
    print(f"  CPUs     os.cpu_count()={os.cpu_count()}, usable={affinity}")
    if hasattr(os, "getloadavg"):
        load = os.getloadavg()
        print(f"  load     {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min, at start)")
    print(
        f"  runs     {runs} per configuration (uk_2024 as shipped); {repeats} repeats, "
        "medians; time.perf_counter"
    )


# --- sections ----------------------------------------------------------------------------


@dataclass
class Measured:
    """Everything sections 1 and 2 measured, by worker count."""

    runs: int
    repeats: int
    end_to_end: dict[int, Samples]
    execution: dict[int, Samples]
    batch_run: dict[int, Samples]
    files: int = 0
    executors: set[str] = field(default_factory=set)

    def rate(self, samples: Samples) -> float:
        """Runs per second from a median."""
        return self.runs / samples.median()


def measure(runs: int, repeats: int) -> Measured:
    """Sections 1 and 2: every configuration once per repeat, interleaved."""
    design = baseline_design(runs)
    specs = design.runs()
    seeds = [spec.seed for spec in specs]
    if len(specs) != runs:
        warn(f"design has {len(specs)} runs, expected {runs}")
    # Warm-up: first-call costs (matplotlib and pandas paths, the CSV writers) excluded.
    ours_end_to_end(baseline_design(4), 1)
    MissionModel(UK_SCENARIO, rng=seeds[0]).run()
    found = Measured(
        runs=len(specs),
        repeats=repeats,
        end_to_end={w: Samples() for w in WORKER_COUNTS},
        execution={w: Samples() for w in WORKER_COUNTS},
        batch_run={w: Samples() for w in WORKER_COUNTS},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads, mesa notes
        for repeat in range(repeats):
            for workers in WORKER_COUNTS:
                e2e = ours_end_to_end(design, workers)
                if e2e.done != len(specs) or e2e.failed:
                    warn(f"run_batch {workers}w: {e2e.done} done, {e2e.failed} failed")
                found.end_to_end[workers].seconds.append(e2e.total_s)
                found.end_to_end[workers].execute.append(e2e.execute_s)
                found.files = e2e.files
                found.executors.add(e2e.executor)

                elapsed, done = ours_execution(specs, workers)
                if done != len(specs):
                    warn(f"execution only {workers}w: {done} runs finished of {len(specs)}")
                found.execution[workers].seconds.append(elapsed)

                elapsed, rows, distinct = mesa_batch(seeds, workers)
                if rows != len(specs) or distinct != len(set(seeds)):
                    warn(f"batch_run {workers}p: {rows} rows, {distinct} distinct seeds")
                found.batch_run[workers].seconds.append(elapsed)
            print(f"  repeat {repeat + 1}/{repeats} done", flush=True)
    return found


def report_ours(m: Measured, ceiling: float) -> None:
    """Print section 1."""
    header(f"1. Our batch runner: {m.runs} runs of uk_2024 (40 quarters), runs/s")
    rows = []
    for workers in WORKER_COUNTS:
        e2e, exe = m.end_to_end[workers], m.execution[workers]
        rows.append(
            [
                f"{workers} ({'sequential' if workers == 1 else 'process pool'})",
                str(chunk_size(m.runs, workers)),
                seconds(e2e.median()),
                f"{m.rate(e2e):.1f}",
                seconds(e2e.median_execute()),
                seconds(e2e.median() - e2e.median_execute()),
                seconds(exe.median()),
                f"{m.rate(exe):.1f}",
                f"{exe.median() / m.runs * 1e3:.1f} ms",
            ]
        )
    table(
        [
            "workers",
            "chunk",
            "end to end",
            "runs/s",
            "of which run+write",
            "combine+figs",
            "execution only",
            "runs/s",
            "per run",
        ],
        rows,
        left=1,
    )
    speed_exec = m.execution[1].median() / m.execution[2].median()
    speed_e2e = m.end_to_end[1].median() / m.end_to_end[2].median()
    speed_run = m.end_to_end[1].median_execute() / m.end_to_end[2].median_execute()
    print(
        f"  2 workers / 1 worker, execution only   {speed_exec:.2f}x   "
        f"target >= {TARGET_SPEEDUP}x  {verdict(speed_exec >= TARGET_SPEEDUP)}"
    )
    print(f"  2 workers / 1 worker, run + write parts {speed_run:.2f}x")
    print(f"  2 workers / 1 worker, end to end        {speed_e2e:.2f}x")
    print(f"  (pure-Python 2/1 ceiling of this machine at start: {ceiling:.2f}x)")
    print(f"  executors: {'; '.join(sorted(m.executors))}")
    print(
        f"  end to end = run_batch into a fresh temp dir ({m.files} files: parts, runs.csv,"
        " timeseries.csv,"
    )
    print("  failures.csv, effects.csv, figures, manifest), executor start-up and close included;")
    print("  'run+write' ends when the last chunk's parts are on disk; the rest is combine,")
    print("  effects and figures (a fixed cost, the same for any worker count).")
    print("  execution only = executor.imap_unordered(partial(run_chunk), chunks) with")
    print("  run_batch's chunking, results received but not written; pool start-up included.")


def report_mesa(m: Measured) -> None:
    """Print section 2."""
    header(f"2. mesa.batch_run on the same {m.runs} runs (same model, same seeds)")
    rows = []
    for workers in WORKER_COUNTS:
        ours, mesa_s = m.end_to_end[workers], m.batch_run[workers]
        exe = m.execution[workers]
        ratio = m.rate(ours) / m.rate(mesa_s)
        rows.append(
            [
                str(workers),
                seconds(mesa_s.median()),
                f"{m.rate(mesa_s):.1f}",
                f"{m.rate(ours):.1f}",
                f"{ratio:.2f}x",
                f"{m.rate(exe) / m.rate(mesa_s):.2f}x",
                f">= {TARGET_VS_MESA:.0f}x  {verdict(ratio >= TARGET_VS_MESA)}",
            ]
        )
    table(
        [
            "workers",
            "batch_run",
            "runs/s",
            "ours e2e runs/s",
            "ours e2e / mesa",
            "ours exec / mesa",
            "target",
        ],
        rows,
    )
    print("  batch_run per run: MissionModel(scenario=<the UK scenario>, rng=s),")
    print("  step until model.running is False (40 quarters), DataCollector collecting")
    print("  model.progress at construction and every step; data_collection_period=-1 returns")
    print("  one dict per run. No to_frame(), summary, files or figures, so it does less per")
    print("  run than ours. number_processes=2 starts a fresh 'spawn' Pool per call (each")
    print("  worker re-imports mesa, numpy, pandas and mobilise), results pickled per run;")
    print("  its start-up is inside the timing, as ours is. Seeds passed via rng=<seeds>:")
    print("  with iterations=1, batch_run replaces a 'seed' parameter by None.")


@dataclass
class ReformRun:
    """Section 3's one measurement."""

    result: EndToEnd
    arms: int
    missions: int
    replications: int


def measure_reform() -> ReformRun:
    """``experiments/reform_comparison.yaml`` at its default replications, 2 workers, once."""
    design = load_experiment(REFORM_EXPERIMENT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = ours_end_to_end(design, 2)
    return ReformRun(
        result=result,
        arms=len(design.arms),
        missions=sum(len(m) for m in design.missions_by_scenario.values()),
        replications=design.experiment.replications,
    )


def report_reform(r: ReformRun) -> None:
    """Print section 3."""
    e = r.result
    header("3. experiments/reform_comparison.yaml, default replications, ProcessPoolExecutor(2)")
    print(
        f"  {e.runs:,} runs = {r.missions} missions x {r.arms} arms x {r.replications} "
        f"replications; {e.done:,} done, {e.failed} failed; {e.files} files"
    )
    print(
        f"  wall time end to end  {seconds(e.total_s):>9}   "
        f"target < {TARGET_REFORM_S:.0f} s  {verdict(e.total_s < TARGET_REFORM_S)}"
    )
    print(f"  of which run + write  {seconds(e.execute_s):>9}   {e.done / e.execute_s:.1f} runs/s")
    print(f"  combine+effects+figs  {seconds(e.rest_s):>9}")
    print(f"  runs/s end to end     {e.runs / e.total_s:>9.1f}")
    print(f"  Run once (it is the slow part); {e.executor}, start-up and close included.")


def report_targets(m: Measured | None, r: ReformRun | None) -> None:
    """Print the summary of targets."""
    header("Targets")
    summary: list[tuple[str, str, bool]] = []
    if m is not None:
        speed = m.execution[1].median() / m.execution[2].median()
        summary.append(
            (
                f"2 / 1 workers, execution only >= {TARGET_SPEEDUP}x",
                f"{speed:.2f}x",
                speed >= TARGET_SPEEDUP,
            )
        )
        for workers in WORKER_COUNTS:
            ratio = m.rate(m.end_to_end[workers]) / m.rate(m.batch_run[workers])
            summary.append(
                (
                    f"ours / mesa.batch_run at {workers} worker(s) >= {TARGET_VS_MESA:.0f}x",
                    f"{ratio:.2f}x",
                    ratio >= TARGET_VS_MESA,
                )
            )
    if r is not None:
        summary.append(
            (
                f"reform_comparison end to end < {TARGET_REFORM_S:.0f} s",
                seconds(r.result.total_s),
                r.result.total_s < TARGET_REFORM_S,
            )
        )
    if summary:
        table(
            ["target", "measured", "result"],
            [[name, value, verdict(ok)] for name, value, ok in summary],
            left=1,
        )
    else:
        print("  (no section finished)")


def main() -> None:
    """Run every benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=DEFAULT_RUNS, help=f"runs per configuration ({DEFAULT_RUNS})"
    )
    parser.add_argument(
        "--repeats", type=int, default=DEFAULT_REPEATS, help=f"repeats ({DEFAULT_REPEATS})"
    )
    parser.add_argument(
        "--skip-reform", action="store_true", help="skip section 3 (the ~2,600-run experiment)"
    )
    args = parser.parse_args()
    runs, repeats = max(2, args.runs), max(1, args.repeats)
    environment(runs, repeats)
    ticks = cpu_times()
    ceiling = cpu_ceiling()
    print(f"  ceiling  2 processes / 1 on pure-Python work: {ceiling:.2f}x (now, this machine)")

    measured: Measured | None = None
    reform: ReformRun | None = None
    try:
        measured = measure(runs, repeats)
        report_ours(measured, ceiling)
        report_mesa(measured)
    except Exception:  # a benchmark reports what broke and goes on
        warn("sections 1-2 failed:\n" + traceback.format_exc())
    if not args.skip_reform:
        try:
            reform = measure_reform()
            report_reform(reform)
        except Exception:
            warn("section 3 failed:\n" + traceback.format_exc())
    report_targets(measured, reform)
    print(f"  CPU ceiling, 2 processes / 1: {ceiling:.2f}x at start, {cpu_ceiling():.2f}x at end")
    stolen = steal_share(ticks, cpu_times())
    if stolen is not None:
        print(f"  CPU time stolen by the hypervisor during the benchmark: {stolen:.1%}")
    if hasattr(os, "getloadavg"):
        load = os.getloadavg()
        print(f"  load at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
