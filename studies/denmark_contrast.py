"""The NHS mission under Danish structures against the UK's, across plausible worlds (issue 24).

Run from the repository root::

    uv run python studies/denmark_contrast.py [--members 40] [--seeds 10]

Both scenarios run in each member of the UK ensemble (``scenarios/ensembles/uk_2024.csv``)
on the same seeds. A member sets only what the two scenarios share by meaning, behaviour
and the mission: the columns under ``populations.`` (the UK types' attribute shifts) and
``constraints.`` are left as each scenario writes them, since they describe the UK's
actors and structures, not Denmark's. The contrast's spread then splits, by the law of total
variance, into what we do not know (members) and seed noise, as ``mobilise compare`` reports
effects. docs/model.md (Denmark) quotes the table.
"""

from __future__ import annotations

import argparse

import numpy as np

from mobilise import run, summarise
from mobilise.running.design import replication_seeds
from mobilise.schema.ensemble import load_ensemble
from mobilise.schema.scenario import Scenario, load_scenario

UK, DANISH = "scenarios/uk_2024.yaml", "scenarios/uk_nhs_danish_structures.yaml"
ENSEMBLE = "scenarios/ensembles/uk_2024.csv"
STRUCTURAL = ("populations.", "constraints.")
"""Column prefixes that describe a country's actors and structures, not behaviour."""


def shared_world(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """``scenario`` with a member's behavioural and mission values, structures as written."""
    kept = {k: v for k, v in values.items() if not k.startswith(STRUCTURAL)}
    return scenario.with_values(kept, "a UK ensemble member")


def contrast(members: int, seeds: int) -> dict[str, np.ndarray]:
    """Paired differences (Danish minus UK), members x seeds, at the milestone and horizon."""
    uk, danish = load_scenario(UK), load_scenario(DANISH)
    ensemble = load_ensemble(ENSEMBLE, uk).first(members)
    out = {
        "milestone_metric": np.empty((members, seeds)),
        "final_metric": np.empty((members, seeds)),
    }
    for m in range(len(ensemble)):
        values = ensemble.member_values(m, "nhs")
        worlds = shared_world(uk, values), shared_world(danish, values)
        for s, seed in enumerate(replication_seeds(0, seeds)):
            a, b = (summarise(run(w, seed=seed), w) for w in worlds)
            for key in out:
                out[key][m, s] = b[key] - a[key]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    for key, diff in contrast(args.members, args.seeds).items():
        flat = diff.ravel() * 100
        within = diff.var(axis=1, ddof=1).mean()
        between = diff.mean(axis=1).var(ddof=1)
        share = between / (between + within)
        low, high = np.percentile(flat, [2.5, 97.5])
        seeds_only = np.percentile((diff - diff.mean(axis=1, keepdims=True)).ravel() * 100
                                   + flat.mean(), [2.5, 97.5])  # fmt: skip
        print(f"{key}: {flat.mean():+.1f} pp, 95% over worlds x seeds [{low:+.1f}, {high:+.1f}], "
              f"seeds alone [{seeds_only[0]:+.1f}, {seeds_only[1]:+.1f}], "
              f"P(>0) {np.mean(flat > 0):.0%}, parameter share {share:.0%}, "
              f"{diff.shape[0]} worlds x {diff.shape[1]} seeds")  # fmt: skip


if __name__ == "__main__":
    main()
