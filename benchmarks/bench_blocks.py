"""Benchmark runs in blocks against the targets of issue 11, as ratios measured in one run.

Run from the repository root::

    uv run python benchmarks/bench_blocks.py [--runs 1000] [--repeats 3]

It measures, in this one process and its children, ``--repeats`` times in turn (each
figure is the median of its repeats, so a moment of load elsewhere on a shared machine
moves a reference and what it is compared with alike):

1. Mesa's Boltzmann wealth model (``bench_model.BoltzmannWealth``) doing 2,000
   agents x 40 steps, timed over a few runs per repeat and scaled to ``--runs`` runs:
   the reference for everything below;
2. ``mobilise compare scenarios/uk_2024.yaml`` end to end as a command (one
   reform, so ``--runs`` runs in two arms; files and figures), on 1 and 2 workers,
   and (no target) with four times the runs, where the command's fixed costs weigh less;
3. the amortised cost of one ``uk_2024`` run in blocks of the size the planner picks
   (build and run, 200 runs of distinct seeds after an untimed block, median of five);
4. ``mobilise batch experiments/reform_comparison.yaml`` end to end on 2 workers;
5. the app's 12-run comparison (``views.workshop.compare``, 6 replications x 2 arms).

Each target is printed with PASS/MISS; a miss never changes the exit status.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_model import BoltzmannWealth
from tables import header, seconds, table, verdict

from mobilise import load_scenario
from mobilise.model.block import Block, Member, block_size
from mobilise.views.workshop import compare

ROOT = Path(__file__).resolve().parents[1]
UK = ROOT / "scenarios" / "uk_2024.yaml"
REFORMS = ROOT / "experiments" / "reform_comparison.yaml"

TARGET_VS_BOLTZMANN = 15.0  # 1,000 UK runs end to end / Boltzmann's same agent-steps
TARGET_BLOCK_MS = 2.0  # amortised one uk_2024 run in a block
TARGET_REFORM_S = 10.0  # reform_comparison.yaml end to end, 2 workers
TARGET_APP_S = 0.15  # the app's 12-run comparison, server side
TARGET_WORKERS = 1.6  # 2 workers / 1 worker, end to end


BOLTZMANN_SAMPLES = 7  # single Boltzmann runs timed per repeat


def boltzmann_seconds(
    runs: int, samples: int = BOLTZMANN_SAMPLES, first_seed: int = 0
) -> list[float]:
    """Seconds Boltzmann needs for ``runs`` x 2,000 agents x 40 steps, one figure per sample.

    Each of ``samples`` single runs is timed and scaled to ``runs``.
    """
    times = []
    for seed in range(first_seed, first_seed + samples):
        start = time.perf_counter()
        model = BoltzmannWealth(2_000, seed)
        for _ in range(40):
            model.step()
        times.append((time.perf_counter() - start) * runs)
    return times


COMMAND_ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "MPLBACKEND": "Agg",
}
"""A user's environment: Python caches compiled modules, as it does unless told not to
(this sandbox sets ``PYTHONDONTWRITEBYTECODE``, which would recompile pandas, SciPy and
matplotlib from source at every command, ~3 s; see README, Performance)."""


def command_seconds(args: list[str]) -> float:
    """Wall time of one ``mobilise`` command, as a user runs it (after a first, untimed one)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mobilise.cli", *args], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, env=COMMAND_ENV)  # fmt: skip
    return time.perf_counter() - start


def compare_seconds(runs: int, workers: int, out: Path) -> float:
    """``mobilise compare`` of one reform: ``runs`` runs in two arms, files and figures."""
    return command_seconds(
        ["compare", str(UK), "--reform", "mission_councils", "--replications", str(runs // 2),
         "--workers", str(workers), "--out", str(out), "--quiet", "--figures"]
    )  # fmt: skip


def block_ms(runs: int = 200, repeats: int = 5) -> tuple[float, int]:
    """Amortised milliseconds of one uk_2024 run in blocks of the planner's size, and that size.

    Build and run, ``runs`` runs of distinct seeds (no draws shared), after one untimed
    block; the median of ``repeats``. The size is :func:`block_size` for its agents.
    """
    scenario = load_scenario(UK)
    size = block_size(scenario.size)
    Block([Member(scenario, seed) for seed in range(size)]).run()  # first use: lazy imports
    times = []
    for repeat in range(repeats):
        first_seed = 1_000 + repeat * runs
        start = time.perf_counter()
        for first in range(first_seed, first_seed + runs, size):
            seeds = range(first, min(first_seed + runs, first + size))
            Block([Member(scenario, seed) for seed in seeds]).run()
        times.append((time.perf_counter() - start) / runs * 1e3)
    return statistics.median(times), size


def app_seconds(repeats: int = 5) -> float:
    """Median seconds of the app's comparison: 6 replications x 2 arms of uk_2024."""
    scenario = load_scenario(UK)
    compare(scenario, {"mission_councils": 1.0}, replications=6, seed=0)  # warm
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        compare(scenario, {"mission_councils": 1.0}, replications=6, seed=seed)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3, help="each figure's median of (3)")
    args = parser.parse_args()
    runs, repeats = args.runs, max(1, args.repeats)
    header(
        f"Runs in blocks: {runs} UK runs, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"medians of {repeats} repeat{'s' if repeats != 1 else ''}"
    )
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        compare_seconds(4, 1, Path(tmp) / "first")  # Python compiles and caches the modules
        for repeat in range(repeats):  # interleaved: each repeat measures everything once
            folder = Path(tmp) / str(repeat)
            timed = {
                "reference": boltzmann_seconds(runs, first_seed=BOLTZMANN_SAMPLES * repeat),
                "one": [compare_seconds(runs, 1, folder / "one")],
                "two": [compare_seconds(runs, 2, folder / "two")],
                "one_more": [compare_seconds(4 * runs, 1, folder / "one_more")],
                "two_more": [compare_seconds(4 * runs, 2, folder / "two_more")],
                "reform": [command_seconds(
                    ["batch", str(REFORMS), "--workers", "2", "--out", str(folder / "reform"),
                     "--quiet", "--figures"]
                )],
            }  # fmt: skip
            for name, values in timed.items():
                times.setdefault(name, []).extend(values)
            print(f"  repeat {repeat + 1}/{repeats} done", flush=True)
        per_run, size = block_ms()
        app = app_seconds()
    median = {name: statistics.median(values) for name, values in times.items()}
    reference, one, two = median["reference"], median["one"], median["two"]
    one_more, two_more, reform = median["one_more"], median["two_more"], median["reform"]
    ratio = reference / one
    rows = [
        [f"Boltzmann, 2,000 agents x 40 steps x {runs}", seconds(reference), "reference", ""],
        [f"mobilise compare, {runs} runs, 1 worker", seconds(one),
         f"{ratio:.1f}x Boltzmann (>= {TARGET_VS_BOLTZMANN:g}x)",
         verdict(ratio >= TARGET_VS_BOLTZMANN)],
        [f"mobilise compare, {runs} runs, 2 workers", seconds(two),
         f"{one / two:.2f}x 1 worker (>= {TARGET_WORKERS:g}x)",
         verdict(one / two >= TARGET_WORKERS)],
        [f"the same with {4 * runs} runs, 1 and 2 workers",
         f"{seconds(one_more)}, {seconds(two_more)}", f"{one_more / two_more:.2f}x (no target)",
         ""],
        [f"one uk_2024 run in blocks of {size}", f"{per_run:.2f} ms",
         f"<= {TARGET_BLOCK_MS:g} ms", verdict(per_run <= TARGET_BLOCK_MS)],
        ["reform_comparison.yaml, 2 workers", seconds(reform),
         f"< {TARGET_REFORM_S:g} s", verdict(reform < TARGET_REFORM_S)],
        ["app's 12-run comparison", seconds(app), f"< {TARGET_APP_S:g} s",
         verdict(app < TARGET_APP_S)],
    ]  # fmt: skip
    table(["measured", "time", "target", ""], rows, left=1)
    if repeats > 1:  # how far apart the repeats were: the noise the medians smooth
        print("\n  spread over repeats (min-max):")
        for name, label in [
            ("reference", "Boltzmann"),
            ("one", "compare, 1 worker"),
            ("two", "compare, 2 workers"),
            ("reform", "reform_comparison"),
        ]:
            print(f"    {label:20s} {seconds(min(times[name]))} - {seconds(max(times[name]))}")


if __name__ == "__main__":
    main()
