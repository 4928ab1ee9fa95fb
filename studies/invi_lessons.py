"""INVI's six lessons, each as a mechanism of the model, with its measured effect (issue 23).

Run from the repository root::

    uv run python studies/invi_lessons.py [--seeds 40]

Each mechanism is a contrast between two settings of the same scenario, on the same seeds
(common random numbers): the paired difference of the key metric when the key milestone is
due and at the horizon, in percentage points, with a 95 % t interval, for three missions
whose types complement or substitute to different degrees: the NHS (sigma 0.35), clean
energy (sigma 1.5) and the Vaccine Taskforce (sigma 4). docs/model.md quotes the table.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from mobilise.analysis.effects import t_interval
from mobilise.model.block import Block, Member
from mobilise.model.outcomes import summarise_series
from mobilise.running.design import replication_seeds
from mobilise.schema.scenario import Scenario, load_scenario

REVIEWS = {"government.portfolio_review": True, "government.reallocation": 0.5}
"""Portfolio reviews as learning_and_portfolio turns them on at full strength."""

Setting = tuple[dict[str, Any], dict[str, float]]  # scenario fields, reforms

CONTRASTS: list[tuple[str, str, Setting, Setting]] = [
    ("1 roadmap", "a roadmap through the mission's milestones, not a straight line",
     ({"mission.roadmap.shape": "milestones"}, {}), ({"mission.roadmap.shape": "linear"}, {})),
    ("1 roadmap", "elections judge delivery against the roadmap, not a fixed cut",
     ({}, {}), ({"government.elections_judge_delivery": False}, {})),
    ("2 ownership", "mission_ownership (mission letters)",
     ({}, {"mission_ownership": 1.0}), ({}, {})),
    ("3 cross-functional", "pooled_budgets (silos)", ({}, {"pooled_budgets": 1.0}), ({}, {})),
    ("4 learning", "monitoring (lag 4 -> 1, noise x 0.25), with reviews and steering",
     ({**REVIEWS, "government.monitoring": 0.75}, {}), (REVIEWS, {})),
    ("4 learning", "monitoring alone, nobody acting on it",
     ({"government.monitoring": 0.75}, {}), ({}, {})),
    ("5 portfolio", "reviews with steering toward the binding type", (REVIEWS, {}), ({}, {})),
    ("5 portfolio", "reviews without steering (close weak, scale strong)",
     ({**REVIEWS, "government.steering": False}, {}), ({}, {})),
    ("5 portfolio", "steering, given reviews",
     (REVIEWS, {}), ({**REVIEWS, "government.steering": False}, {})),
    ("6 capabilities", "capability grows with each review (0.1 of the way to 2x), given reviews",
     (REVIEWS, {}), ({**REVIEWS, "government.capability_growth": 0.0}, {})),
    ("6 capabilities", "civil_service_capabilities (capability x 2)",
     ({}, {"civil_service_capabilities": 1.0}), ({}, {})),
    ("4+5", "learning_and_portfolio at 0.25", ({}, {"learning_and_portfolio": 0.25}), ({}, {})),
    ("4+5", "learning_and_portfolio at 0.5", ({}, {"learning_and_portfolio": 0.5}), ({}, {})),
    ("4+5", "learning_and_portfolio at 1", ({}, {"learning_and_portfolio": 1.0}), ({}, {})),
]  # fmt: skip
"""(lesson, mechanism, with, against)."""

MISSIONS = {
    "nhs": "uk_2024",
    "clean_energy": "uk_2024",
    "vaccine_taskforce": "technological_vaccine",
}


def scenario_for(mission: str) -> Scenario:
    scenario = load_scenario(MISSIONS[mission])
    if scenario.mission_spec.name != mission:
        scenario = scenario.model_copy(update={"mission": mission})
    return scenario


def settled(scenario: Scenario, fields: dict[str, Any]) -> Scenario:
    for path, value in fields.items():
        scenario = scenario.updated(path, value)
    return scenario


def summaries(scenario: Scenario, settings: list[Setting], seeds: list[int]) -> list[list[dict]]:
    """Each setting's run summaries over ``seeds``."""
    members = [Member(settled(scenario, fields), seed, reforms)
               for fields, reforms in settings for seed in seeds]  # fmt: skip
    done: list[dict] = []
    for start in range(0, len(members), 50):
        block = Block(members[start : start + 50])
        block.run()
        done += [summarise_series(block.series(r)) for r in range(block.runs)]
    n = len(seeds)
    return [done[i * n : (i + 1) * n] for i in range(len(settings))]


def effect(treated: list[dict], reference: list[dict], outcome: str, scale: float) -> str:
    diff = np.array([t[outcome] - r[outcome] for t, r in zip(treated, reference, strict=True)])
    mean, low, high = t_interval(diff * scale)
    return f"{mean:+.1f} [{low:+.1f}, {high:+.1f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40)
    args = parser.parse_args()
    seeds = replication_seeds(0, args.seeds)
    print("| lesson | mechanism | " + " | ".join(
        f"{m}: milestone | {m}: horizon" for m in MISSIONS) + " |")  # fmt: skip
    print("|---|---|" + "---|---|" * len(MISSIONS))
    results = {}
    for mission in MISSIONS:
        scenario = scenario_for(mission)
        settings = [s for _, _, treated, reference in CONTRASTS for s in (treated, reference)]
        results[mission] = summaries(scenario, settings, seeds)
    for i, (lesson, mechanism, _, _) in enumerate(CONTRASTS):
        cells = []
        for mission in MISSIONS:
            spec = scenario_for(mission).mission_spec
            scale = 100.0 if spec.upper == 1.0 else 100.0 / (spec.target - spec.baseline)
            treated, reference = results[mission][2 * i], results[mission][2 * i + 1]
            cells += [effect(treated, reference, o, scale)
                      for o in ("milestone_metric", "final_metric")]  # fmt: skip
        print(f"| {lesson} | {mechanism} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
