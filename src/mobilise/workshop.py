"""What the workshop app needs from the library: controls, comparisons, headlines, a log.

The app only lays these out; every number it shows comes from here, through the
same functions and the same CSV format as ``mobilise batch``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from mobilise.experiment import BASELINE, in_memory
from mobilise.model import MissionModel
from mobilise.reforms import REFORMS
from mobilise.runs import run_chunk
from mobilise.scenario import Constraints, Scenario

WITH_REFORMS = "with reforms"
"""The arm the participant builds with the reform switches."""


@dataclass(frozen=True)
class Control:
    """A slider for one structural constraint, with today's UK value and its source."""

    field: str
    label: str
    low: float
    high: float
    step: float
    uk_value: float
    source: str


def constraint_controls() -> list[Control]:
    """One slider per structural constraint; the UK default and source from the schema."""
    ranges = {
        "union_density": ("Union density", 0.0, 0.8, 0.01),
        "overseas_share": ("Overseas share of UK quoted shares", 0.0, 0.9, 0.01),
        "holding_period_years": ("Investor holding period (years)", 0.25, 10.0, 0.25),
        "volunteering_rate": ("Formal volunteering, monthly", 0.0, 0.5, 0.01),
        "weekly_hours": ("Full-time weekly hours", 28.0, 48.0, 0.5),
        "charity_funding_term_years": ("Charity funding term (years)", 0.5, 5.0, 0.5),
        "government_silo_share": ("Government effort lost to silos", 0.0, 0.9, 0.05),
        "feedback_lag_quarters": ("Feedback lag (quarters)", 0, 12, 1),
    }
    defaults = Constraints()
    fields = Constraints.model_fields
    return [
        Control(
            field=name,
            label=label,
            low=low,
            high=high,
            step=step,
            uk_value=getattr(defaults, name),
            source=fields[name].description or "",
        )
        for name, (label, low, high, step) in ranges.items()
    ]


def with_constraints(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """The scenario with the sliders' constraint values, validated."""
    for name, value in values.items():
        scenario = scenario.updated(f"constraints.{name}", value)
    return scenario


@dataclass
class Comparison:
    """Government push alone vs the chosen reforms: runs and time series, batch format."""

    runs: pd.DataFrame
    timeseries: pd.DataFrame
    reforms: dict[str, float]

    def met_share(self, arm: str) -> float:
        """Share of runs of ``arm`` that met the key milestone."""
        return float(self.runs.loc[self.runs["arm"] == arm, "milestone_met"].mean())

    def headline(self) -> str:
        """The result in plain words."""
        base = self.met_share(BASELINE)
        if not self.reforms:
            return (
                f"Milestone met in {base:.0%} of runs with government push alone. "
                "Switch reforms on to compare."
            )
        return (
            f"Milestone met in {self.met_share(WITH_REFORMS):.0%} of runs with these reforms, "
            f"{base:.0%} with government push alone."
        )


def compare(
    scenario: Scenario, reforms: dict[str, float], *, replications: int, seed: int
) -> Comparison:
    """Run both arms in this process, paired by seed, and return batch-format frames."""
    arms = {WITH_REFORMS: dict(reforms)} if reforms else {}
    design = in_memory(scenario, arms, replications=replications, seed=seed)
    result = run_chunk(design.runs())
    if result.failures:
        raise RuntimeError(result.failures[0]["error"])
    return Comparison(
        runs=pd.DataFrame(result.rows),
        timeseries=pd.concat(result.timeseries, ignore_index=True),
        reforms=dict(reforms),
    )


def log_entry(
    scenario: Scenario,
    reforms: dict[str, float],
    replications: int,
    seed: int,
    comparison: Comparison,
) -> dict[str, Any]:
    """One row of the workshop log: when, the settings, the headline results."""
    entry: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": scenario.name,
        "mission": scenario.mission_spec.name,
        "replications": replications,
        "seed": seed,
        **{f"constraint_{k}": v for k, v in scenario.constraints.model_dump().items()},
        **{f"strength_{r}": reforms.get(r, 0.0) for r in REFORMS},
        "met_share_baseline": comparison.met_share(BASELINE),
    }
    if reforms:
        entry["met_share_with_reforms"] = comparison.met_share(WITH_REFORMS)
    for arm, frame in comparison.runs.groupby("arm"):
        entry[f"median_milestone_metric_{arm.replace(' ', '_')}"] = float(
            frame["milestone_metric"].median()
        )
    return entry


def network_snapshot(model: MissionModel, max_nodes: int = 250, seed: int = 0) -> dict[str, Any]:
    """A connected sample of agents and the ties among them, for drawing.

    Snowball sampling from a few random agents keeps ties visible; a uniform
    sample of a sparse network would be mostly isolated dots. A complete network
    has no edge list: a uniform sample is drawn, with a few ties each for shape.
    """
    pop = model.population
    rng = np.random.default_rng(seed)
    size = min(max_nodes, pop.size)
    if model.ties.complete:
        chosen = np.sort(rng.choice(pop.size, size=size, replace=False))
        pairs = np.array([(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1 : i + 3]])
        return {"nodes": chosen, "edges": pairs.reshape(-1, 2), "kind": pop.kind[chosen]}
    adjacency = (model.ties.same != 0) + (model.ties.cross != 0)
    adjacency = adjacency.tocsr()
    chosen_set: dict[int, None] = {}
    frontier: list[int] = []
    while len(chosen_set) < size:
        if not frontier:
            start = int(rng.integers(pop.size))
            if start in chosen_set:
                continue
            frontier.append(start)
        node = frontier.pop(0)
        if node in chosen_set:
            continue
        chosen_set[node] = None
        neighbours = adjacency.indices[adjacency.indptr[node] : adjacency.indptr[node + 1]]
        frontier.extend(int(n) for n in rng.permutation(neighbours)[:4])
    chosen = np.sort(np.fromiter(chosen_set, dtype=np.intp))
    edges = model.ties.edges()
    keep = np.isin(edges[:, 0], chosen) & np.isin(edges[:, 1], chosen)
    return {"nodes": chosen, "edges": edges[keep], "kind": pop.kind[chosen]}
