"""Run one model and summarise it: one function behind the API, the app and the CLI's ``run``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mobilise.model.block import Block, Member
from mobilise.model.outcomes import RunSeries, milestones_met, summarise_series
from mobilise.schema.missions import Mission
from mobilise.schema.scenario import Scenario
from mobilise.vocabulary import quarter_index

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
    """Run ``scenario`` once to its horizon, as a Mesa model.

    ``seed`` defaults to the scenario's; ``reforms`` add to the scenario's own;
    ``steps`` overrides the number of quarters; ``record_agents`` keeps each
    agent's engagement and trust; ``mesa_agents=False`` skips the per-agent Mesa
    objects (the results are identical).
    """
    from mobilise.model.model import MissionModel

    scenario = _shortened(scenario, steps)
    model = MissionModel(
        scenario,
        rng=scenario.seed if seed is None else seed,
        reforms=reforms,
        record_agents=record_agents,
        mesa_agents=mesa_agents,
    )
    frame = model.run()
    agents = model.agent_frame() if record_agents else None
    return Run(frame, summarise_series(model.block.series(0)), agents, model)


def run(
    scenario: Scenario,
    *,
    seed: int | None = None,
    reforms: Mapping[str, float] | None = None,
    steps: int | None = None,
) -> pd.DataFrame:
    """Run ``scenario`` once and return the per-step frame (see :func:`simulate`).

    The same run as :func:`simulate`'s, without building Mesa agents: a block of one.
    """
    block = Block([Member(_shortened(scenario, steps), seed, dict(reforms or {}))])
    block.run()
    return block.frame(0)


def _shortened(scenario: Scenario, steps: int | None) -> Scenario:
    return scenario if steps is None else scenario.model_copy(update={"quarters": int(steps)})


def series_of(frame: pd.DataFrame, scenario: Scenario) -> RunSeries:
    """A run's frame (one row per step) as run outcomes read it."""
    values = frame.drop(columns=["step", "quarter"])
    return RunSeries(
        rows=values.to_numpy(dtype=float),
        columns={name: i for i, name in enumerate(values.columns)},
        steps=frame["step"].to_numpy(dtype=np.int64),
        quarters=np.array([quarter_index(q) for q in frame["quarter"]], dtype=np.int64),
        mission=scenario.mission_spec,
        types=scenario.type_names,
    )


def milestone_status(frame: pd.DataFrame, mission: Mission) -> list[dict[str, Any]]:
    """For each milestone: met by its date or not, the first quarter it was met, assessable."""
    index = np.array([quarter_index(q) for q in frame["quarter"]], dtype=np.int64)
    return milestones_met(frame["metric"].to_numpy(dtype=float), index, mission)


def summarise(frame: pd.DataFrame, scenario: Scenario) -> dict[str, Any]:
    """The headline of one run from its frame: every run outcome, and each milestone."""
    return summarise_series(series_of(frame, scenario))
