"""What moving structures cost: a block of UK runs with structures moving against held.

Run from the repository root::

    uv run python benchmarks/bench_structures.py [--runs 50] [--repeats 7]

Each repeat builds and steps one block of ``--runs`` runs of ``uk_2024`` twice, one after
the other: with its structures moving (trends and recruitment, as shipped) and with them
held (no trend, no recruitment: the engine skips every structural step). The figures are
medians of the repeats; the ratio is moving over held, measured in the same repeats, so a
moment of load elsewhere on a shared machine moves both alike.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from mobilise import load_scenario
from mobilise.model.block import Block, Member
from mobilise.schema.trends import Structures

ROOT = Path(__file__).resolve().parents[1]


def seconds(scenario: object, runs: int) -> float:
    start = time.perf_counter()
    block = Block([Member(scenario, seed) for seed in range(runs)])  # type: ignore[arg-type]
    block.run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    moving = load_scenario(ROOT / "scenarios" / "uk_2024.yaml")
    held = moving.model_copy(
        update={"structures": Structures(union_recruitment=0.0, volunteer_recruitment=0.0)}
    )
    seconds(moving, 2)  # warm: imports and caches
    times: dict[str, list[float]] = {"moving": [], "held": []}
    for _ in range(args.repeats):
        times["held"].append(seconds(held, args.runs))
        times["moving"].append(seconds(moving, args.runs))
    held_median = statistics.median(times["held"])
    moving_median = statistics.median(times["moving"])
    ratios = [m / h for m, h in zip(times["moving"], times["held"], strict=True)]
    print(f"block of {args.runs} uk_2024 runs, 40 quarters, {args.repeats} repeats (medians)")
    print(f"  structures held:   {held_median:.3f} s")
    print(f"  structures moving: {moving_median:.3f} s")
    print(f"  moving / held:     {statistics.median(ratios):.2f} (median of paired ratios)")


if __name__ == "__main__":
    main()
