"""Benchmark the mobilise MissionModel against a minimal Mesa Boltzmann wealth model.

Run from the repository root::

    uv run python benchmarks/bench_model.py [--repeats N] [--sizes 2000,20000,200000]

One run prints, for the shipped UK scenario (``scenarios/uk_2024.yaml``) scaled
to each size over 40 quarters: construction, step and full-run times, agent-steps
per second, the same throughput for a plain Mesa Boltzmann wealth model, the
ratio of the two, how the full run scales with N, network construction time,
peak memory of a 200,000-agent run (measured in fresh subprocesses) and the time
of one default UK run. Targets are printed next to the figures with PASS/MISS
labels; a miss never changes the exit status (this is a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import mesa
import numpy as np
import scipy
from tables import header, seconds, table, verdict

import mobilise
from mobilise import MissionModel, Scenario, load_scenario
from mobilise.model.network import build_ties
from mobilise.model.population import build_population
from mobilise.schema.reforms import apply_reforms

ROOT = Path(__file__).resolve().parents[1]
UK_SCENARIO = ROOT / "scenarios" / "uk_2024.yaml"
QUARTERS = 40
DEFAULT_SIZES = (2_000, 20_000, 200_000)
LARGE = 100_000  # from this size on, fewer repeats
LARGE_REPEATS_OURS = 3
LARGE_REPEATS_BOLTZMANN = 2
MEMORY_SIZE = 200_000
# Targets.
TARGET_BOLTZMANN_RATIO = 10.0  # ours / Boltzmann agent-steps per second, at 20,000
TARGET_BOLTZMANN_SIZE = 20_000
TARGET_DEFAULT_RUN_S = 0.2  # one default UK run
TARGET_SCALING = 12.0  # full run at 200,000 / full run at 20,000
TARGET_SCALING_PAIR = (20_000, 200_000)
TARGET_PEAK_BYTES = 2 * 1024**3  # peak resident memory of a 200,000-agent run


# --- the reference: a minimal Mesa Boltzmann wealth model --------------------------------


class Money(mesa.Agent):
    """A Boltzmann wealth agent: starts with one unit, gives one away per step."""

    def __init__(self, model: BoltzmannWealth) -> None:
        super().__init__(model)
        self.wealth = 1

    def step(self) -> None:
        """Give one unit to an agent drawn from the model's cached agent list."""
        if self.wealth > 0:
            other = self.random.choice(self.model.cached_agents)
            other.wealth += 1
            self.wealth -= 1


class BoltzmannWealth(mesa.Model):
    """The Mesa tutorial's wealth model without space: random activation, one exchange each."""

    def __init__(self, n: int, seed: int) -> None:
        super().__init__(rng=seed)
        Money.create_agents(self, n)
        self.cached_agents: list[mesa.Agent] = list(self.agents)

    def step(self) -> None:
        """Activate every agent once, in random order."""
        self.agents.shuffle_do("step")


# --- helpers ---------------------------------------------------------------------------


@dataclass
class OursTiming:
    """Medians over repeats of one size of the UK scenario."""

    size: int
    repeats: int
    construct_s: float
    step_s: float
    full_s: float
    agent_steps_per_s: float
    gc_s: float  # cyclic garbage collection during the full run


@dataclass
class BoltzmannTiming:
    """Medians over repeats of one size of the Boltzmann wealth model."""

    size: int
    repeats: int
    step_s: float
    agent_steps_per_s: float


@dataclass
class NetworkTiming:
    """Medians over repeats of population and tie-network construction at one size."""

    size: int
    repeats: int
    population_s: float
    network_s: float
    edges: int


def scaled(scenario: Scenario, total: int) -> Scenario:
    """``scenario`` with every type's count scaled so the counts sum to ``total``.

    Proportional with largest-remainder rounding; every type with a positive count
    keeps at least one agent (so tiny totals can exceed ``total`` by a few).
    """
    counts = {name: pop.count for name, pop in scenario.populations.items()}
    base = sum(counts.values())
    positive = [name for name, count in counts.items() if count > 0]
    exact = {name: counts[name] * total / base for name in positive}
    new = {name: max(1, math.floor(value)) for name, value in exact.items()}
    short = total - sum(new.values())
    by_remainder = sorted(positive, key=lambda name: exact[name] - math.floor(exact[name]))
    for name in reversed(by_remainder[-short:] if short > 0 else []):
        new[name] += 1
    populations = {
        name: pop.model_copy(update={"count": new.get(name, 0)})
        for name, pop in scenario.populations.items()
    }
    return scenario.model_copy(update={"populations": populations, "quarters": QUARTERS})


def uk_scenario() -> Scenario:
    """Load the shipped UK scenario, set to run :data:`QUARTERS` quarters."""
    return load_scenario(UK_SCENARIO).model_copy(update={"quarters": QUARTERS})


def repeats_for(size: int, repeats: int, large_cap: int) -> int:
    """``repeats``, capped at ``large_cap`` for sizes of :data:`LARGE` agents or more."""
    return min(repeats, large_cap) if size >= LARGE else repeats


class GcTimer:
    """Total wall time spent in the cyclic garbage collector while installed."""

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        """Record the start or add the duration of one collection."""
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def time_ours(scenario: Scenario, repeats: int) -> OursTiming:
    """Time construction, 40 steps and the frame of the scenario, ``repeats`` times."""
    size = scenario.size
    construct, step, full, rate, collect = [], [], [], [], []
    for _ in range(repeats):
        gc.collect()
        with GcTimer() as collector:
            t0 = time.perf_counter()
            model = MissionModel(scenario, rng=scenario.seed)
            t1 = time.perf_counter()
            while model.steps < QUARTERS:
                model.step()
            t2 = time.perf_counter()
            model.to_frame()
            t3 = time.perf_counter()
        if model.steps != QUARTERS:
            raise RuntimeError(f"expected {QUARTERS} steps, ran {model.steps}")
        construct.append(t1 - t0)
        step.append(t2 - t1)
        full.append(t3 - t0)
        rate.append(size * QUARTERS / (t2 - t1))
        collect.append(collector.total)
        del model
    return OursTiming(
        size=size,
        repeats=repeats,
        construct_s=statistics.median(construct),
        step_s=statistics.median(step),
        full_s=statistics.median(full),
        agent_steps_per_s=statistics.median(rate),
        gc_s=statistics.median(collect),
    )


def without_gc(timing: OursTiming) -> float:
    """Return the full-run time less the time spent in cyclic garbage collection."""
    return timing.full_s - timing.gc_s


def time_boltzmann(size: int, repeats: int) -> BoltzmannTiming:
    """Forty steps of the Boltzmann wealth model (construction excluded), ``repeats`` times."""
    step, rate = [], []
    for seed in range(repeats):
        model = BoltzmannWealth(size, seed)
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(QUARTERS):
            model.step()
        elapsed = time.perf_counter() - t0
        step.append(elapsed)
        rate.append(size * QUARTERS / elapsed)
        del model
    return BoltzmannTiming(
        size=size,
        repeats=repeats,
        step_s=statistics.median(step),
        agent_steps_per_s=statistics.median(rate),
    )


def time_network(scenario: Scenario, repeats: int) -> NetworkTiming:
    """Time population draws and ``build_ties`` alone, as :class:`MissionModel` calls them."""
    params = apply_reforms(scenario)
    population_times, network_times, edges = [], [], 0
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        population = build_population(params, scenario.seed)
        t1 = time.perf_counter()
        ties = build_ties(params.network, population, scenario.seed)
        t2 = time.perf_counter()
        population_times.append(t1 - t0)
        network_times.append(t2 - t1)
        if not ties.complete:
            edges = int((ties.same.nnz + ties.cross.nnz) // 2)
    return NetworkTiming(
        size=scenario.size,
        repeats=repeats,
        population_s=statistics.median(population_times),
        network_s=statistics.median(network_times),
        edges=edges,
    )


def time_default_run(repeats: int) -> tuple[float, float, int]:
    """Time ``MissionModel(uk).run()`` for the scenario as shipped: median and best."""
    scenario = load_scenario(UK_SCENARIO)
    MissionModel(scenario, rng=scenario.seed).run()  # warm-up: first-call costs only
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        MissionModel(scenario, rng=scenario.seed).run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), scenario.size


def peak_rss_bytes() -> tuple[int, int]:
    """Return this process's peak resident set: ``(VmHWM, ru_maxrss)`` in bytes.

    ``VmHWM`` (Linux ``/proc/self/status``) belongs to this process's own address
    space. ``ru_maxrss`` can carry the parent's resident size across fork/exec on
    Linux, so it is reported only as a cross-check (and used where ``VmHWM`` is absent).
    """
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    maxrss *= 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024, maxrss
    return maxrss, maxrss


def child_memory(mode: str, size: int) -> None:
    """In a fresh process: build and run one scaled UK model; print memory as JSON."""
    baseline, _ = peak_rss_bytes()  # interpreter and imports
    scenario = scaled(uk_scenario(), size)
    result: dict[str, float] = {"size": scenario.size, "baseline": baseline}
    if mode == "tracemalloc":
        tracemalloc.start()
        model = MissionModel(scenario, rng=scenario.seed)
        _, construct_peak = tracemalloc.get_traced_memory()
        model.run()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result |= {"construct_peak": construct_peak, "peak": peak, "retained": current}
    else:
        t0 = time.perf_counter()
        MissionModel(scenario, rng=scenario.seed).run()
        result["run_s"] = time.perf_counter() - t0
    result["peak_hwm"], result["peak_maxrss"] = peak_rss_bytes()
    print(json.dumps(result))


def run_child(mode: str, size: int) -> dict[str, float]:
    """Run :func:`child_memory` in a fresh interpreter and return what it printed."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--size", str(size)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- output ----------------------------------------------------------------------------


def rate(value: float) -> str:
    """Format agent-steps per second, in millions."""
    return f"{value / 1e6:.2f} M/s"


def mebibytes(value: float) -> str:
    """Format bytes as MiB."""
    return f"{value / 1024**2:.0f} MiB"


def parse_sizes(text: str) -> list[int]:
    """Parse comma-separated sizes, with optional underscores: ``2000,20_000``."""
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def main() -> None:
    """Run every benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="repeats per size (default 5)")
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="total agent counts, comma-separated (default 2000,20000,200000)",
    )
    parser.add_argument("--child", choices=["rss", "tracemalloc"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=MEMORY_SIZE, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_memory(args.child, args.size)
        return
    repeats = max(1, args.repeats)
    sizes: list[int] = args.sizes

    header("Environment")
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    print(f"  Python   {platform.python_version()} ({platform.python_implementation()})")
    print(f"  numpy    {np.__version__}   scipy {scipy.__version__}   mesa {mesa.__version__}")
    print(f"  mobilise {mobilise.__version__}")
    print(f"  machine  {platform.machine()}, {platform.system()} {platform.release()}")
    print(f"  CPUs     os.cpu_count()={os.cpu_count()}, usable={affinity}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load:
        print(f"  load     {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min, at start)")
    large_ours = min(repeats, LARGE_REPEATS_OURS)
    large_boltzmann = min(repeats, LARGE_REPEATS_BOLTZMANN)
    print(
        f"  repeats  {repeats} per size; at {LARGE:,}+ agents {large_ours} (ours) and "
        f"{large_boltzmann} (Boltzmann); {QUARTERS} steps; figures are medians"
    )

    # 5 first, in fresh subprocesses, while this process is still small.
    rss = run_child("rss", MEMORY_SIZE)
    traced = run_child("tracemalloc", MEMORY_SIZE)

    base = uk_scenario()
    scenarios = {size: scaled(base, size) for size in sizes}
    MissionModel(scenarios[sizes[0]], rng=0).run()  # warm-up
    BoltzmannWealth(100, 0).step()

    # 1-3. Throughput, ours and Boltzmann.
    ours = {s: time_ours(scenarios[s], repeats_for(s, repeats, LARGE_REPEATS_OURS)) for s in sizes}
    boltz = {s: time_boltzmann(s, repeats_for(s, repeats, LARGE_REPEATS_BOLTZMANN)) for s in sizes}

    header(f"1. UK scenario (uk_2024), scaled, {QUARTERS} quarters")
    table(
        [
            "agents",
            "reps",
            "construct",
            f"{QUARTERS} steps",
            "agent-steps/s",
            "full run",
            "of which GC",
        ],
        [
            [
                f"{t.size:,}",
                str(t.repeats),
                seconds(t.construct_s),
                seconds(t.step_s),
                rate(t.agent_steps_per_s),
                seconds(t.full_s),
                seconds(t.gc_s),
            ]
            for t in ours.values()
        ],
    )
    print("  full run = construction + steps + to_frame(), i.e. MissionModel(...).run();")
    print("  GC = time in Python's cyclic garbage collector during the full run (gc.callbacks).")

    header(f"2-3. Mesa Boltzmann wealth model, {QUARTERS} steps (construction excluded)")
    rows = []
    for size in sizes:
        ratio = ours[size].agent_steps_per_s / boltz[size].agent_steps_per_s
        target = ""
        if size == TARGET_BOLTZMANN_SIZE:
            ok = ratio >= TARGET_BOLTZMANN_RATIO
            target = f">= {TARGET_BOLTZMANN_RATIO:.0f}x  {verdict(ok)}"
        rows.append(
            [
                f"{size:,}",
                str(boltz[size].repeats),
                seconds(boltz[size].step_s),
                rate(boltz[size].agent_steps_per_s),
                rate(ours[size].agent_steps_per_s),
                f"{ratio:.1f}x",
                target,
            ]
        )
    table(["agents", "reps", "steps", "Boltzmann", "ours", "ours/Boltz", "target"], rows)
    if any(s >= LARGE and repeats > LARGE_REPEATS_BOLTZMANN for s in sizes):
        print(
            f"  Boltzmann uses {LARGE_REPEATS_BOLTZMANN} repeats at {LARGE:,}+ agents "
            "(it is slow there: 10 s or more per repeat)."
        )
    print("  Boltzmann step: if wealth > 0, give 1 to random.choice(cached agent list);")
    print("  agents.shuffle_do('step') per model step (Mesa tutorial, no space).")

    header("4. Scaling of the full run (construction + 40 steps)")
    rows = []
    for small, big in itertools.pairwise(sizes):
        ratio = ours[big].full_s / ours[small].full_s
        target = ""
        if (small, big) == TARGET_SCALING_PAIR:
            target = f"<= {TARGET_SCALING:.0f}x  {verdict(ratio <= TARGET_SCALING)}"
        rows.append(
            [
                f"{small:,} -> {big:,}",
                f"{big / small:.1f}x",
                f"{ratio:.2f}x",
                f"{ours[big].construct_s / ours[small].construct_s:.2f}x",
                f"{ours[big].step_s / ours[small].step_s:.2f}x",
                f"{without_gc(ours[big]) / without_gc(ours[small]):.2f}x",
                target,
            ]
        )
    if rows:
        table(
            ["sizes", "N ratio", "full run", "construct", "steps", "full excl. GC", "target"], rows
        )
    else:
        print("  (needs at least two sizes)")

    header(f"5. Peak memory of one {MEMORY_SIZE:,}-agent UK run (fresh subprocesses)")
    peak_rss = rss["peak_hwm"]
    print(
        f"  peak RSS (child's own VmHWM)         {mebibytes(peak_rss):>9}   "
        f"target < 2 GiB  {verdict(peak_rss < TARGET_PEAK_BYTES)}"
    )
    print(f"  of which interpreter + imports       {mebibytes(rss['baseline']):>9}")
    print(f"  ru_maxrss of the child (cross-check) {mebibytes(rss['peak_maxrss']):>9}")
    print(f"  run in that child                    {seconds(rss['run_s']):>9}")
    print(f"  tracemalloc peak, model alone        {mebibytes(traced['peak']):>9}")
    print(f"  tracemalloc peak during construction {mebibytes(traced['construct_peak']):>9}")
    print(f"  tracemalloc retained after run       {mebibytes(traced['retained']):>9}")
    print("  Measured first, before this process grows: on Linux ru_maxrss can inherit")
    print("  the parent's resident size across fork/exec; VmHWM is the child's own.")

    header("6. One default UK run in-process (as shipped, imports excluded)")
    default_repeats = max(repeats, 10)
    median, best, size = time_default_run(default_repeats)
    print(
        f"  MissionModel(uk_2024).run(), {size:,} agents, {QUARTERS} quarters, "
        f"{default_repeats} repeats"
    )
    print(
        f"  median {seconds(median)}, best {seconds(best)}   "
        f"target < {TARGET_DEFAULT_RUN_S} s  {verdict(median < TARGET_DEFAULT_RUN_S)}"
    )

    header("7. Network construction (build_population + build_ties, as in MissionModel)")
    network = {
        s: time_network(scenarios[s], repeats_for(s, repeats, LARGE_REPEATS_OURS)) for s in sizes
    }
    rows = []
    previous: NetworkTiming | None = None
    for size in sizes:
        t = network[size]
        growth = ""
        if previous is not None:
            growth = f"{t.network_s / previous.network_s:.1f}x for {size / previous.size:.0f}x N"
        rows.append(
            [
                f"{size:,}",
                f"{t.edges:,}",
                seconds(t.population_s),
                seconds(t.network_s),
                f"{t.network_s / size * 1e6:.2f} us",
                f"{t.network_s / ours[size].construct_s:.0%}",
                growth,
            ]
        )
        previous = t
    table(
        ["agents", "edges", "population", "network", "per agent", "of construct", "growth"],
        rows,
    )
    print("  Not O(N^2): per-agent time stays flat or falls; O(N^2) would grow it 10x per 10x N.")
    print("  The rest of construction is Mesa agent creation (one Agent per index).")

    header("Targets")
    summary = []
    if TARGET_BOLTZMANN_SIZE in sizes:
        ratio = (
            ours[TARGET_BOLTZMANN_SIZE].agent_steps_per_s
            / boltz[TARGET_BOLTZMANN_SIZE].agent_steps_per_s
        )
        summary.append(
            (
                f"ours >= {TARGET_BOLTZMANN_RATIO:.0f}x Boltzmann at {TARGET_BOLTZMANN_SIZE:,}",
                f"{ratio:.1f}x",
                ratio >= TARGET_BOLTZMANN_RATIO,
            )
        )
    summary.append(
        (
            f"one default UK run < {TARGET_DEFAULT_RUN_S} s",
            seconds(median),
            median < TARGET_DEFAULT_RUN_S,
        )
    )
    small, big = TARGET_SCALING_PAIR
    if small in sizes and big in sizes:
        ratio = ours[big].full_s / ours[small].full_s
        summary.append(
            (
                f"full run at {big:,} <= {TARGET_SCALING:.0f}x that at {small:,}",
                f"{ratio:.2f}x",
                ratio <= TARGET_SCALING,
            )
        )
    summary.append(
        (f"peak RSS of a {MEMORY_SIZE:,} run < 2 GiB", mebibytes(peak_rss), peak_rss < 2 * 1024**3)
    )
    table(
        ["target", "measured", "result"],
        [[name, value, verdict(ok)] for name, value, ok in summary],
        left=1,
    )


if __name__ == "__main__":
    main()
