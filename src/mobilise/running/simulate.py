"""Run one model and summarise it: one function behind the API, batches, the app and CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mobilise.schema.missions import Mission
from mobilise.schema.scenario import Scenario
from mobilise.vocabulary import quarter_index, quarter_label

if TYPE_CHECKING:  # imported when a run is simulated: Mesa with it, never for a block of runs
    from mobilise.model.model import MissionModel


@dataclass(frozen=True)
class Run:
    """One finished run: its step frame, summary, agent frame (if recorded) and model."""

    frame: pd.DataFrame
    summary: dict[str, Any]
    agents: pd.DataFrame | None
    model: MissionModel


def simulate(
    scenario: Scenario,
    *,
    seed: int | None = None,
    reforms: Mapping[str, float] | None = None,
    steps: int | None = None,
    record_agents: bool = False,
    mesa_agents: bool = True,
) -> Run:
    """Run ``scenario`` once to its horizon.

    ``seed`` defaults to the scenario's; ``reforms`` add to the scenario's own;
    ``steps`` overrides the number of quarters; ``record_agents`` keeps each
    agent's engagement and trust; ``mesa_agents=False`` skips the per-agent Mesa
    objects (batch workers: the results are identical).
    """
    from mobilise.model.model import MissionModel

    if steps is not None:
        scenario = scenario.model_copy(update={"quarters": int(steps)})
    model = MissionModel(
        scenario, seed=seed, reforms=reforms, record_agents=record_agents, mesa_agents=mesa_agents
    )
    frame = model.run()
    agents = model.agent_frame() if record_agents else None
    return Run(frame, summarise(frame, scenario), agents, model)


def run(
    scenario: Scenario,
    *,
    seed: int | None = None,
    reforms: Mapping[str, float] | None = None,
    steps: int | None = None,
) -> pd.DataFrame:
    """Run ``scenario`` once and return the per-step frame (see :func:`simulate`)."""
    return simulate(scenario, seed=seed, reforms=reforms, steps=steps).frame


def milestone_status(frame: pd.DataFrame, mission: Mission) -> list[dict[str, Any]]:
    """For each milestone: met by its date or not, the first quarter it was met, assessable."""
    index = np.array([quarter_index(q) for q in frame["quarter"]])
    return milestones_met(frame["metric"].to_numpy(), index, mission)


def milestones_met(metric: np.ndarray, index: np.ndarray, mission: Mission) -> list[dict[str, Any]]:
    """:func:`milestone_status` from the metric at each step and the quarter each step ends."""
    status = []
    for milestone in mission.milestones:
        due = quarter_index(milestone.quarter)
        reached = np.flatnonzero((metric >= milestone.value) & (index <= due))
        status.append(
            {
                "quarter": milestone.quarter,
                "value": milestone.value,
                "label": milestone.label,
                "met": bool(len(reached)),
                "met_quarter": quarter_label(int(index[reached[0]])) if len(reached) else None,
                "assessable": bool(due <= index[-1]),
            }
        )
    return status


def summarise(frame: pd.DataFrame, scenario: Scenario) -> dict[str, Any]:
    """The headline of one run: final metric, milestones, engaged shares, spend."""
    mission = scenario.mission_spec
    types = scenario.type_names
    final = frame.iloc[-1]
    milestones = milestone_status(frame, mission)
    key = next(m for m in milestones if m["quarter"] == mission.key_milestone.quarter)
    at_key = frame.loc[frame["quarter"] == mission.key_milestone.quarter, "metric"]
    return {
        "mission": mission.name,
        "metric": mission.metric,
        "unit": mission.unit,
        "baseline": mission.baseline,
        "final_metric": float(final["metric"]),
        "final_progress": float(final["progress"]),
        "milestone_metric": float(at_key.iloc[0]) if len(at_key) else None,
        "milestone_met": key["met"],
        "milestone_quarter": key["met_quarter"],
        "milestones": milestones,
        "peak_engaged": {t: _number(frame[f"engaged_{t}"].max()) for t in types},
        "final_engaged": {t: _number(final[f"engaged_{t}"]) for t in types},
        "reach": {t: _number(final[f"reach_{t}"]) for t in types},
        "total_spend": float(frame["spend"].iloc[1:].sum()),
    }


def _number(value: float) -> float | None:
    """JSON-friendly: NaN (a type with no agents) becomes None."""
    return None if pd.isna(value) else float(value)
