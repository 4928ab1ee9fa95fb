"""Benchmark issue 21's targets: effects across the ensemble as the default, and calibration.

Run from the repository root::

    uv run python benchmarks/bench_ensemble.py [--repeats 3] [--calibrate]

It measures, in this one process and its children:

1. the README's first command (``mobilise compare scenarios/uk_2024.yaml --reform
   mission_councils --reform multi_year_funding --reform social_partnership``) end to
   end as a user runs it, with the shipped ensemble (40 members x 10 seeds x 5 arms,
   2,000 runs, files and figures; target <= 20 s), the median of ``--repeats`` after an
   untimed first run, and the same command with ``--ensemble none`` (100 runs) beside it;
2. with ``--calibrate``: ``mobilise calibrate scenarios/uk_2024.yaml --ensemble`` from
   scratch, once (target <= 15 min), into a temporary folder: the shipped ensembles are
   rewritten (the same bytes: the command is deterministic) and compared with the copies
   taken before it ran.

Mesa's Boltzmann model (2,000 agents x 40 steps x 1,000) is timed before and after, as
in ``bench_blocks.py``: this machine is shared, so read the ratio and the load averages
printed with each figure. A miss never changes the exit status.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_blocks import COMMAND_ENV, boltzmann_seconds
from tables import header, seconds, table, verdict

ROOT = Path(__file__).resolve().parents[1]
UK = ROOT / "scenarios" / "uk_2024.yaml"
ENSEMBLES = ROOT / "scenarios" / "ensembles"
README_COMMAND = [
    "compare", str(UK), "--reform", "mission_councils", "--reform", "multi_year_funding",
    "--reform", "social_partnership",
]  # fmt: skip

TARGET_COMPARE_S = 20.0
TARGET_CALIBRATE_S = 15 * 60.0


def timed(args: list[str]) -> float:
    """Wall time of one ``mobilise`` command, as a user runs it."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mobilise.cli", *args], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, env=COMMAND_ENV)  # fmt: skip
    return time.perf_counter() - start


def load() -> str:
    """The 1-minute load average: how busy the shared machine was."""
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--calibrate", action="store_true", help="also time the calibration")
    options = parser.parse_args()
    header("Effects across the ensemble: the README's first command")
    reference = statistics.median(boltzmann_seconds(1_000))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        timed([*README_COMMAND, "--out", str(out / "warm"), "--quiet"])  # untimed first run
        ensemble, plain, loads = [], [], []
        for repeat in range(options.repeats):
            loads.append(load())
            ensemble.append(timed([*README_COMMAND, "--out", str(out / f"e{repeat}"), "--quiet"]))
            plain.append(
                timed(
                    [
                        *README_COMMAND,
                        "--ensemble",
                        "none",
                        "--out",
                        str(out / f"p{repeat}"),
                        "--quiet",
                    ]
                )
            )
    compare_s = statistics.median(ensemble)
    table(
        ["measured", "median", "repeats", "load (1 min)", "target", ""],
        [
            ["Mesa Boltzmann, 2,000 agents x 40 steps x 1,000 (reference)",
             seconds(reference), "7 runs", load(), "", ""],
            ["README command 1, shipped ensemble (2,000 runs)", seconds(compare_s),
             ", ".join(f"{v:.1f}" for v in ensemble), " ".join(loads),
             f"<= {TARGET_COMPARE_S:g} s", verdict(compare_s <= TARGET_COMPARE_S)],
            ["the same, --ensemble none (100 runs)", seconds(statistics.median(plain)),
             ", ".join(f"{v:.1f}" for v in plain), "", "", ""],
        ],
        left=1,
    )  # fmt: skip
    agent_steps = 2 * reference  # Boltzmann's time for the command's 2,000 runs' agent-steps
    print(f"  README command 1: {agent_steps / compare_s:.1f}x Boltzmann for the same agent-steps")
    if not options.calibrate:
        return
    header("Calibrating uk_2024: mobilise calibrate scenarios/uk_2024.yaml --ensemble")
    with tempfile.TemporaryDirectory() as folder:
        kept = Path(folder) / "shipped"
        shutil.copytree(ENSEMBLES, kept)
        before = load()
        calibrate_s = timed(["calibrate", str(UK), "--ensemble", "--out", str(Path(folder) / "c"),
                             "--quiet"])  # fmt: skip
        same = all((ENSEMBLES / p.name).read_bytes() == p.read_bytes() for p in kept.glob("*.csv"))
    after = statistics.median(boltzmann_seconds(1_000))
    table(
        ["measured", "seconds", "load before", "load after", "target", ""],
        [["calibrate uk_2024 (from scratch)", seconds(calibrate_s), before, load(),
          f"<= {TARGET_CALIBRATE_S / 60:g} min", verdict(calibrate_s <= TARGET_CALIBRATE_S)]],
        left=1,
    )  # fmt: skip
    print(f"  Boltzmann reference before and after: {reference:.1f} s, {after:.1f} s")
    print(f"  the shipped ensembles remade byte for byte: {same}")


if __name__ == "__main__":
    main()
