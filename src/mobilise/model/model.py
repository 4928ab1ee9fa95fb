"""MissionModel: actors mobilising around one mission, one quarter per step.

The step is synchronous (every agent decides from the state at t), so results do
not depend on activation order, and vectorised over the population arrays. All
randomness flows from the seed: Mesa's ``rng=`` and independent child streams
for each actor type, the network and the mission owner.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import mesa
import numpy as np
import pandas as pd

from mobilise.model.dynamics import adjust, exit_rate, mobilisation, move_toward, patience, response
from mobilise.model.government import MissionOwner
from mobilise.model.network import build_ties
from mobilise.model.population import build_population
from mobilise.model.progress import (
    ces_aggregate,
    progress_step,
    roadmap_progress,
    trend_progress,
)
from mobilise.schema.outcomes import step_columns
from mobilise.schema.reforms import apply_reforms
from mobilise.schema.scenario import Scenario
from mobilise.vocabulary import quarter_index, quarter_label

NO_EVIDENCE = 0.5
"""Delivery before the first observation: neither credit nor blame."""


@contextmanager
def _garbage_collection_paused() -> Iterator[None]:
    """Pause the cyclic collector while Mesa registers agents.

    Creating N agents allocates millions of tracked objects; the collector's
    full passes over them made construction grow faster than N (measured in
    benchmarks/bench_model.py). Nothing cyclic is freed here, so pausing is safe.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class MissionModel(mesa.Model):  # type: ignore[misc]  # mesa has no type information
    """One run of a scenario; ``reforms`` add to (and override) the scenario's own.

    ``record_agents`` keeps per-agent engagement and trust for :meth:`agent_frame`;
    ``mesa_agents=False`` skips the per-agent Mesa objects (batch workers do: the
    vectorised step never needs them, and results are identical).
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int | None = None,
        reforms: Mapping[str, float] | None = None,
        record_agents: bool = False,
        mesa_agents: bool = True,
    ) -> None:
        seed = scenario.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.seed = seed
        # Mesa reserves ``scenario``; ``inputs`` is the scenario as given, reforms merged.
        self.inputs = scenario.model_copy(
            update={"reforms": {**scenario.reforms, **(reforms or {})}}
        )
        self.params = apply_reforms(self.inputs)
        self.mission = self.params.mission_spec
        self.population = build_population(self.params, seed)
        self.ties = build_ties(self.params.network, self.population, seed)
        self.owner = MissionOwner(self.params, seed)
        if mesa_agents:  # views for inspection and extension; batch workers skip them
            self._create_agents()

        pop = self.population
        types = pop.names
        self.weights = self.mission.weight_vector(types)
        self.funded = self.mission.funded_vector(types)
        self.need = self.mission.need_vector(types) * pop.by_type(pop.capacity)
        # whose contribution is money, weighted by how well the portfolio spends it
        self.government = types.index("government") if "government" in types else None
        self.trust_speed = self.params.trust.speed * (
            1.0 + self.params.trust.coordination_boost * self.ties.coordination()
        )
        self.start_index = quarter_index(self.params.start)
        key = self.mission.key_milestone
        self.key_milestone_step = quarter_index(key.quarter) - self.start_index + 1
        self.progress = self.mission.initial_progress
        self.delivery = NO_EVIDENCE
        self._contribute()  # step 0 shows what those engaged at the start give
        self.columns = step_columns(pop.names)
        self._rows = np.full((self.params.quarters + 1, len(self.columns) - 2), np.nan)
        self.record_agents = record_agents
        self._agent_rows: list[np.ndarray] = []
        self._record(0)

    def _create_agents(self) -> None:
        """One Mesa agent per array index, of its type's agent class."""
        with _garbage_collection_paused():
            for actor_type in self.params.actor_types:
                part = self.population.slices[actor_type.name]
                if part.stop > part.start:
                    actor_type.agent_class().create_agents(
                        self, part.stop - part.start, list(range(part.start, part.stop))
                    )

    def set_horizon(self, index: int, horizon: float) -> None:
        """Set agent ``index``'s planning horizon, and so its patience."""
        pop = self.population
        pop.horizon[index] = horizon
        pop.patience[index] = patience(horizon, self.mission.payoff_lag)

    # --- the step: a few lines of orchestration ----------------------------------------

    def step(self) -> None:
        """Advance one quarter: agents respond, progress moves, government and trust learn."""
        step = self.steps  # Mesa counts the step before calling this method
        self._mobilise()
        self._progress()
        self._learn(step)
        self._record(step)
        if step >= self.params.quarters:
            self.running = False

    def run(self) -> pd.DataFrame:
        """Run every remaining quarter and return the per-step frame."""
        while self.steps < self.params.quarters:
            self.step()
        return self.to_frame()

    # --- submodels -----------------------------------------------------------------------

    @property
    def government_drive(self) -> float:
        """Government's engaged share (silos keep the rest out of reach): what its money covers."""
        gov = self.population.slices["government"]
        if gov.stop == gov.start:
            return 0.0
        return float(self.population.engagement[gov].mean())

    def _mobilise(self) -> None:
        pop, ties, influence = self.population, self.ties, self.params.influence
        engagement = pop.engagement
        cost = pop.base_cost * (1.0 - self.funded * self.government_drive)
        signal_term = self.owner.signal * pop.alignment * pop.trust * pop.patience
        pressure = mobilisation(
            signal_term,
            ties.peer_share(engagement),
            ties.partner_share(engagement),
            cost[pop.kind],
            w_signal=influence.signal,
            w_peer=influence.peer,
            w_cross=influence.cross,
        )
        target = pop.ceiling * response(pressure, pop.threshold, influence.noise)
        leaving = exit_rate(pop.trust, influence.fatigue)
        moved = adjust(engagement, target, influence.adjustment, leaving)
        pop.engagement = np.clip(moved, 0.0, pop.ceiling)

    def _progress(self) -> None:
        self._contribute()
        self.progress = progress_step(
            self.progress, self.aggregate, self.mission.rate, self.mission.decay
        )

    def _contribute(self) -> None:
        """Type contributions relative to need, and their CES aggregate X."""
        pop = self.population
        contribution = pop.by_type(pop.engagement * pop.capacity)
        if self.government is not None:  # government's money, as allocated
            contribution[self.government] *= self.owner.portfolio_efficiency
        with np.errstate(invalid="ignore", divide="ignore"):
            self.contribution = np.where(self.need > 0, contribution / self.need, 0.0)
        self.aggregate = ces_aggregate(self.contribution, self.weights, self.mission.sigma)

    def _learn(self, step: int) -> None:
        observed = self.owner.observe(self.progress)
        self.delivery = self.delivery_against_roadmap(observed, step - self.owner.lag)
        self.owner.update(step, self.delivery)
        weight = self.params.trust.progress_weight
        goal = (1.0 - weight) * self.owner.credibility + weight * self.delivery
        pop = self.population
        pop.trust = move_toward(pop.trust, goal, self.trust_speed)

    def roadmap_progress(self, step: int) -> float:
        """Progress the roadmap expects by ``step``: straight from P(0) to the key milestone."""
        mission = self.mission
        return roadmap_progress(
            mission.initial_progress, mission.target_progress, self.key_milestone_step, step
        )

    def trend_progress(self, step: int) -> float:
        """Where progress would be by ``step`` with nobody mobilised: the pre-mission trend."""
        return trend_progress(self.mission.initial_progress, self.mission.decay, step)

    def delivery_against_roadmap(self, observed: float, step: int) -> float:
        """What the mission has changed, as a share of what its roadmap promised, by ``step``.

        Both are measured from the pre-mission trend, so halting a decline counts.
        Before any evidence (``step <= 0``) delivery is neutral, 1/2; it is kept in
        [-1, 1] (worse than the trend is negative), so observation noise does not bias it.
        """
        if step <= 0:
            return NO_EVIDENCE
        trend = self.trend_progress(step)
        promised = self.roadmap_progress(step) - trend
        if promised <= 0:
            return 1.0
        return float(np.clip((observed - trend) / promised, -1.0, 1.0))

    # --- data ----------------------------------------------------------------------------

    def _record(self, step: int) -> None:
        pop, owner, mission = self.population, self.owner, self.mission
        row = [
            self.progress,
            mission.metric_at(self.progress),
            mission.metric_at(owner.observed_progress),
            mission.metric_at(self.roadmap_progress(step)),
            self.aggregate,
            owner.signal,
            owner.credibility,
            self.params.government.budget * self.government_drive,
            owner.portfolio_efficiency,
        ]
        self._rows[step] = np.concatenate(
            [
                row,
                pop.mean_by_type(pop.engagement),
                self.contribution,
                pop.mean_by_type(pop.trust),
                pop.reach,
            ]
        )
        if self.record_agents:
            self._agent_rows.append(np.column_stack([pop.engagement, pop.trust]))

    def quarter(self, step: int) -> str:
        """Label of the quarter that ends at ``step`` (step 0: the quarter before start)."""
        return quarter_label(self.start_index + step - 1)

    def to_frame(self) -> pd.DataFrame:
        """The per-step model frame: one row per recorded step, columns as declared."""
        done = self.steps + 1
        frame = pd.DataFrame(self._rows[:done], columns=self.columns[2:])
        frame.insert(0, "quarter", [self.quarter(s) for s in range(done)])
        frame.insert(0, "step", np.arange(done))
        return frame

    def agent_frame(self) -> pd.DataFrame:
        """Per-agent engagement and trust at every recorded step (``record_agents=True``)."""
        if not self.record_agents:
            raise ValueError("agent-level data was not recorded: pass record_agents=True")
        pop = self.population
        n = pop.size
        stacked = np.concatenate(self._agent_rows)
        steps = np.repeat(np.arange(len(self._agent_rows)), n)
        types = np.array(pop.names)[pop.kind]
        return pd.DataFrame(
            {
                "step": steps,
                "agent": np.tile(np.arange(n), len(self._agent_rows)),
                "actor_type": np.tile(types, len(self._agent_rows)),
                "engagement": stacked[:, 0],
                "trust": stacked[:, 1],
            }
        )
