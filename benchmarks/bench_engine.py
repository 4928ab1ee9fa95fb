"""Issue 22's target: 1,000 UK runs end to end against Mesa's Boltzmann, and where the time goes.

Run from the repository root::

    uv run python benchmarks/bench_engine.py [--runs 1000] [--repeats 5]

Each repeat measures, one after another (so a moment of load elsewhere on a shared
machine moves the reference and what it is compared with alike):

1. Mesa's Boltzmann wealth model (``bench_model.BoltzmannWealth``), 2,000 agents x 40
   steps, seven single runs scaled to ``--runs`` runs: the reference;
2. ``mobilise compare scenarios/uk_2024.yaml --reform mission_councils`` on one worker,
   ``--runs`` runs in two arms, files and figures, as a user runs it;
3. the same command with its phases timed inside its process (``phases`` below):
   building the runs, stepping them, reading summaries and series off them, CSV text,
   merging the parts, tables, figures, and the rest (the interpreter, imports, set-up).

Every figure is the median of its repeats; the ratio is the reference over the command.
A miss never changes the exit status.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
UK = ROOT / "scenarios" / "uk_2024.yaml"
TARGET = 15.0  # 1,000 UK runs end to end / Boltzmann's same agent-steps

PHASES = {
    "build the runs": ("mobilise.model.block", "Block", "__init__"),
    "step the runs": ("mobilise.model.block", "Block", "run"),
    "summaries": ("mobilise.running.runs", None, "summary"),
    "time series": ("mobilise.running.runs", None, "timeseries"),
    "CSV text": ("mobilise.running.parts", None, "csv_text"),
    "merge the parts": ("mobilise.running.batch", None, "combine"),
    "tables": ("mobilise.analysis.report", None, "write_tables"),
    "figures": ("mobilise.views.plots", None, "write_batch_figures"),
}
"""Each phase: the function whose time it is (module, class or None, name)."""


def compare_args(runs: int, out: Path) -> list[str]:
    """``mobilise compare`` of one reform: ``runs`` runs in two arms, one worker, figures."""
    return ["compare", str(UK), "--reform", "mission_councils", "--replications",
            str(runs // 2), "--workers", "1", "--out", str(out), "--quiet",
            "--figures"]  # fmt: skip


def command_seconds(args: list[str], *, phased: bool = False) -> tuple[float, dict[str, float]]:
    """Wall time of one ``mobilise`` command as a user runs it; with ``phased``, its phases."""
    from bench_blocks import COMMAND_ENV

    code = ["-m", "mobilise.cli"] if not phased else [__file__, "--phases"]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *code, *args], check=True, cwd=ROOT,
                          capture_output=True, text=True, env=COMMAND_ENV)  # fmt: skip
    wall = time.perf_counter() - start
    if not phased:
        return wall, {}
    phases: dict[str, float] = json.loads(done.stderr.strip().splitlines()[-1])
    phases["the rest (start, imports, set-up)"] = wall - sum(phases.values())
    return wall, phases


def run_phased(args: list[str]) -> None:
    """Run the CLI in this process with every phase's function timed; print the times as JSON."""
    import importlib

    spent = dict.fromkeys(PHASES, 0.0)
    running = {"depth": 0}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*a: Any, **k: Any) -> Any:
            outer = running["depth"] == 0  # a phase inside another counts once
            running["depth"] += 1
            start = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                running["depth"] -= 1
                if outer:
                    spent[name] += time.perf_counter() - start

        return wrapper

    for name, (module_name, owner, attribute) in PHASES.items():
        module = importlib.import_module(module_name)
        holder = getattr(module, owner) if owner else module
        setattr(holder, attribute, timed(name, getattr(holder, attribute)))
    from mobilise.cli import main

    with contextlib.suppress(SystemExit):  # the command's own exit, after its work
        main(args)
    print(json.dumps(spent), file=sys.stderr)


def main() -> None:
    from bench_blocks import BOLTZMANN_SAMPLES, boltzmann_seconds
    from tables import header, seconds, table, verdict

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    runs, repeats = args.runs, max(1, args.repeats)
    header(f"{runs} UK runs end to end, 1 worker: {os.cpu_count()} cores, "
           f"Python {sys.version.split()[0]}, medians of {repeats}")  # fmt: skip
    reference, plain, phased = [], [], []
    phases: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        command_seconds(compare_args(4, Path(tmp) / "first"))  # Python caches compiled modules
        for repeat in range(repeats):
            folder = Path(tmp) / str(repeat)
            reference += boltzmann_seconds(runs, first_seed=BOLTZMANN_SAMPLES * repeat)
            plain.append(command_seconds(compare_args(runs, folder / "plain"))[0])
            wall, parts = command_seconds(compare_args(runs, folder / "phased"), phased=True)
            phased.append(wall)
            for name, value in parts.items():
                phases.setdefault(name, []).append(value)
            print(f"  repeat {repeat + 1}/{repeats} done", flush=True)
    boltzmann, command = statistics.median(reference), statistics.median(plain)
    ratio = boltzmann / command
    rows = [
        [f"Boltzmann, 2,000 agents x 40 steps x {runs}", seconds(boltzmann), "reference", ""],
        [f"mobilise compare, {runs} UK runs, 1 worker, files and figures", seconds(command),
         f"{ratio:.1f}x Boltzmann (>= {TARGET:g}x)", verdict(ratio >= TARGET)],
        [f"  needed for {TARGET:g}x", seconds(boltzmann / TARGET), "", ""],
    ]  # fmt: skip
    table(["measured", "time", "ratio", ""], rows, left=1)
    print(f"\n  where the time goes (the command with its phases timed: "
          f"{seconds(statistics.median(phased))}, medians):")  # fmt: skip
    per_run = {"build the runs", "step the runs", "summaries", "time series", "CSV text"}
    for name, values in phases.items():
        value = statistics.median(values)
        note = f"  ({value / runs * 1e3:.2f} ms a run)" if name in per_run else ""
        print(f"    {name:36s} {seconds(value)}{note}")
    low, high = seconds(min(plain)), seconds(max(plain))
    print(f"\n  spread over repeats: Boltzmann {seconds(min(reference))} - "
          f"{seconds(max(reference))}, command {low} - {high}")  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--phases"]:
        run_phased(sys.argv[2:])
    else:
        main()
