"""How often a reform's metric falls as its strength rises, run by run (issue 23, item 5).

Run from the repository root::

    uv run python studies/monotone_strength.py [--seeds 100] [--reforms NAME ...]

For each reform and each of ``--seeds`` replication seeds (spawned from master seed 0,
as a batch spawns them), runs ``uk_2024`` at strengths 0, 0.25, 0.5, 0.75 and 1 on the
same seed, and reports the share of seeds whose metric falls somewhere along that path
(at the milestone and at the horizon), the share whose effect at full strength is
negative, and the mean metric at each strength.
"""

from __future__ import annotations

import argparse

import numpy as np

from mobilise.model.block import Block, Member
from mobilise.model.outcomes import summarise_series
from mobilise.running.design import replication_seeds
from mobilise.schema.scenario import load_scenario

STRENGTHS = (0.0, 0.25, 0.5, 0.75, 1.0)


def measure(reform: str, seeds: list[int]) -> dict[str, object]:
    scenario = load_scenario("uk_2024")
    members = [
        Member(scenario, seed, {reform: s} if s else {}) for seed in seeds for s in STRENGTHS
    ]
    values = {"milestone_metric": [], "final_metric": []}
    for start in range(0, len(members), 50):
        block = Block(members[start : start + 50])
        block.run()
        for r in range(block.runs):
            summary = summarise_series(block.series(r))
            for name in values:
                values[name].append(summary[name])
    result: dict[str, object] = {}
    for name, flat in values.items():
        path = np.array(flat, dtype=float).reshape(len(seeds), len(STRENGTHS))
        steps = np.diff(path, axis=1)
        result[name] = {
            "falls_somewhere": float(np.mean(np.any(steps < 0, axis=1))),
            "negative_at_full": float(np.mean(path[:, -1] < path[:, 0])),
            "mean_by_strength": [round(float(v), 4) for v in path.mean(axis=0)],
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--reforms", nargs="+", default=["mission_councils", "social_partnership"])
    args = parser.parse_args()
    seeds = replication_seeds(0, args.seeds)
    for reform in args.reforms:
        for name, figures in measure(reform, seeds).items():
            print(f"{reform:<20} {name:<17} {figures}")


if __name__ == "__main__":
    main()
