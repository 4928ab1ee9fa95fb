"""The model, written once: R runs of compatible scenarios, built and advanced together.

A run alone is R = 1 (:class:`~mobilise.model.model.MissionModel` is Mesa's face over
one); a batch steps blocks of fifty. Each run is drawn from its own named streams
(its seed's), so it is the same run, to the bit, alone or beside others.

A quarter is a few lines (:meth:`Runs.advance`): agents respond to the signal, their
ties and their costs (:class:`~mobilise.model.crowd.Crowd`); their contributions
move progress (:mod:`~mobilise.model.progress`); each mission owner observes it,
judges delivery against the roadmap and updates its credibility
(:class:`~mobilise.model.owner.MissionOwners`); and trust follows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from mobilise.model import network, owner, population
from mobilise.model.crowd import Crowd
from mobilise.model.dynamics import trust_goal
from mobilise.model.owner import MissionOwners
from mobilise.model.population import build_populations
from mobilise.model.progress import (
    NO_EVIDENCE,
    ces_aggregate,
    delivery_against_roadmap,
    progress_step,
    roadmap_progress,
)
from mobilise.model.streams import StreamTable
from mobilise.schema.missions import Mission
from mobilise.schema.reforms import apply_reforms
from mobilise.schema.scenario import Scenario
from mobilise.vocabulary import quarter_index

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Member:
    """One run: a scenario, its seed (the scenario's when None) and reforms added to its own."""

    scenario: Scenario
    seed: int | None = None
    reforms: Mapping[str, float] = field(default_factory=dict)


def block_key(params: Scenario) -> tuple[Any, ...]:
    """What runs must share to step together: population layout, network kind, horizon.

    ``params`` is a scenario with its reforms applied. Everything else (influence,
    costs, missions, the mission owner, the networks themselves) may differ per run.
    """
    influence = params.influence
    return (
        params.type_names,
        tuple(params.population(t).count for t in params.type_names),
        params.network.kind == "complete",
        params.quarters,
        influence.noise == 0,
        influence.adjustment == 1.0,
    )


def arm_key(scenario: Scenario, reforms: Mapping[str, float]) -> tuple[Any, ...]:
    """Which arm a run belongs to: the scenario object and reforms its arm shares.

    What depends only on those (the reforms applied, the block key) is done once per arm.
    """
    return (id(scenario), tuple(reforms.items()))


Arms = dict[tuple[Any, ...], tuple[Scenario, Scenario]]
"""Each arm's scenario with its reforms, and the parameters they give, by :func:`arm_key`.

Keys name scenarios by identity: a mapping must not outlive the runs whose arms it holds."""


def applied(
    arms: Arms, scenario: Scenario, reforms: Mapping[str, float]
) -> tuple[Scenario, Scenario]:
    """The arm's inputs (the scenario with ``reforms`` added) and parameters, applied once."""
    key = arm_key(scenario, reforms)
    if key not in arms:
        inputs = scenario.model_copy(update={"reforms": {**scenario.reforms, **reforms}})
        arms[key] = (inputs, apply_reforms(inputs))
    return arms[key]


class Runs:
    """R runs of compatible scenarios (same :func:`block_key`), advanced one quarter at a time."""

    def __init__(self, members: Sequence[Member], *, arms: Arms | None = None) -> None:
        if not members:
            raise ValueError("a block needs at least one run")
        self.members = list(members)
        self.seeds = [m.scenario.seed if m.seed is None else int(m.seed) for m in members]
        arms = {} if arms is None else arms  # reforms applied once per arm (a chunk's, if given)
        chosen = [applied(arms, m.scenario, m.reforms) for m in members]
        self.inputs = [inputs for inputs, _ in chosen]
        self.params = [params for _, params in chosen]
        if len({block_key(p) for p in self.params}) > 1:
            raise ValueError(
                "runs of a block must share actor types, counts, network kind and horizon"
            )
        self.runs = len(members)
        self.quarters = self.params[0].quarters
        # every run's named streams, derived for all runs at once; runs of one seed (arms,
        # missions) share the draws whose inputs they share, until the runs are built
        table = StreamTable(self.seeds)
        table.prefetch(population.stream_paths(self.params[0]) + owner.STREAM_PATHS)
        streams = [table.run(r) for r in range(self.runs)]
        self.populations = build_populations(self.params, streams)
        table.prefetch(network.stream_paths(self.params[0].network, self.populations[0]))
        self.crowd = Crowd(self.params, self.populations, streams)
        table.forget()
        self.owners = MissionOwners(self.params, streams)
        self._missions()
        self.step_count = 0
        self.progress = self.start_progress.copy()
        self.delivery = np.full(self.runs, NO_EVIDENCE)
        self.contribution, self.aggregate = self.contribute()  # step 0: those engaged at start

    def _missions(self) -> None:
        """Each run's mission as arrays: weights, need, rates, the roadmap's line."""
        types = self.crowd.names
        self.missions: list[Mission] = [p.mission_spec for p in self.params]
        missions, pops = self.missions, self.populations
        self.weights = np.stack([m.weight_vector(types) for m in missions])
        self.funded = np.stack([m.funded_vector(types) for m in missions])
        self.need = np.stack(
            [
                m.need_vector(types) * p.by_type(p.capacity)
                for m, p in zip(missions, pops, strict=True)
            ]
        )
        self.sigma = np.array([m.sigma for m in missions])
        self.rate = np.array([m.rate for m in missions])
        self.decay = np.array([m.decay for m in missions])
        self.start_progress = np.array([m.initial_progress for m in missions])
        self.target_progress = np.array([m.target_progress for m in missions])
        self.start_index = np.array([quarter_index(p.start) for p in self.params], dtype=np.intp)
        self.key_step = (
            np.array([quarter_index(m.key_milestone.quarter) for m in missions], dtype=np.intp)
            - self.start_index
            + 1
        )
        self.budget = np.array([p.government.budget for p in self.params])
        self.progress_weight = np.array([p.trust.progress_weight for p in self.params])
        groups: dict[int, list[int]] = {}
        for r, m in enumerate(missions):
            groups.setdefault(id(m), []).append(r)
        self._mission_groups = [np.array(rows, dtype=np.intp) for rows in groups.values()]

    # --- the quarter: a few lines of orchestration ------------------------------------------

    def advance(self) -> None:
        """One quarter for every run: agents respond, progress moves, owners and trust learn."""
        self.step_count += 1
        step = self.step_count
        self.crowd.respond(self.owners.signal, self.participation_cost())
        self.contribution, self.aggregate = self.contribute()
        self.progress = progress_step(self.progress, self.aggregate, self.rate, self.decay)
        observed = self.owners.observe(self.progress, step)
        self.delivery = self.delivery_at(observed, step - self.owners.lag)
        self.owners.update(step, self.delivery)
        self.crowd.learn(trust_goal(self.owners.credibility, self.delivery, self.progress_weight))

    # --- the submodels' inputs --------------------------------------------------------------

    def participation_cost(self) -> Array:
        """Each type's cost, lowered where the mission funds it by government's engaged share."""
        drive = self.crowd.government_drive()
        cost: Array = self.crowd.base_cost * (1.0 - self.funded * drive[:, None])
        return cost

    def contribute(self) -> tuple[Array, Array]:
        """Each type's contribution relative to need (R, K), and each run's CES aggregate X."""
        crowd = self.crowd
        given = crowd.live_type_sums(crowd.live_engagement * crowd.live_capacity)
        if crowd.government is not None:  # government's money, as allocated
            given[:, crowd.government] *= self.owners.portfolio_efficiency
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio: Array = np.where(self.need > 0, given / self.need, 0.0)
        return ratio, ces_aggregate(ratio, self.weights, self.sigma)

    def delivery_at(self, observed: Array, seen: Index) -> Array:
        """What each mission has delivered against its roadmap, judged at step ``seen``."""
        return delivery_against_roadmap(
            observed, self.start_progress, self.target_progress, self.decay, self.key_step, seen
        )

    def roadmap(self, step: int | Index) -> Array:
        """Progress each run's roadmap expects by ``step``."""
        return roadmap_progress(self.start_progress, self.target_progress, self.key_step, step)

    def metric(self, progress: Array) -> Array:
        """Each run's key metric at ``progress`` (its mission's :meth:`Mission.metric_at`)."""
        out = np.empty(self.runs)
        for rows in self._mission_groups:
            out[rows] = self.missions[rows[0]].metric_at(progress[rows])
        return out
