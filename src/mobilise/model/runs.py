"""The model, written once: R runs of compatible scenarios, built and advanced together.

A run alone is R = 1 (:class:`~mobilise.model.model.MissionModel` is Mesa's face over
one); a batch steps blocks of fifty. Each run is drawn from its own named streams
(its seed's), so it is the same run, to the bit, alone or beside others.

A quarter is a few lines (:meth:`Runs.advance`): structures move (their trends, and what
mobilisation built: :mod:`~mobilise.model.structures`); agents respond to the signal, their
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
    roadmap_path,
)
from mobilise.model.schedule import Schedules
from mobilise.model.streams import StreamTable
from mobilise.model.structures import MovingStructures
from mobilise.schema.missions import Mission
from mobilise.schema.reforms import apply_reforms
from mobilise.schema.scenario import Scenario
from mobilise.schema.schedule import Timing, check_budget, schedule_key
from mobilise.vocabulary import quarter_index

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Member:
    """One run: a scenario, its seed (the scenario's when None), reforms added to its own.

    ``timing`` says when reforms are in force (:mod:`mobilise.schema.schedule`); it adds
    to (and overrides) the scenario's own, reform by reform. ``budget`` multiplies the
    scenario's mission budget (more money as an arm beside the reforms).
    """

    scenario: Scenario
    seed: int | None = None
    reforms: Mapping[str, float] = field(default_factory=dict)
    timing: Mapping[str, Timing] = field(default_factory=dict)
    budget: float = 1.0


def block_key(params: Scenario) -> tuple[Any, ...]:
    """What runs must share to step together: population layout, network kind, horizon.

    ``params`` is a scenario with its reforms applied. Everything else (influence,
    costs, missions, the mission owner, the networks themselves) may differ per run;
    runs of several missions at once step together only with runs of the same missions.
    """
    influence = params.influence
    return (
        params.mission_names if params.several else (),
        params.type_names,
        tuple(params.population(t).count for t in params.type_names),
        params.network.kind == "complete",
        params.quarters,
        influence.noise == 0,
        influence.adjustment == 1.0,
    )


def arm_key(
    scenario: Scenario,
    reforms: Mapping[str, float],
    timing: Mapping[str, Timing] | None = None,
    budget: float = 1.0,
) -> tuple[Any, ...]:
    """Which arm a run belongs to: the scenario object, reforms, timing and budget it shares.

    What depends only on those (the reforms applied, the block key) is done once per arm.
    """
    return (id(scenario), tuple(reforms.items()), schedule_key(timing or {}), budget)


Arms = dict[tuple[Any, ...], tuple[Scenario, Scenario]]
"""Each arm's scenario with its reforms, and the parameters they give, by :func:`arm_key`.

Keys name scenarios by identity: a mapping must not outlive the runs whose arms it holds."""


def applied(
    arms: Arms,
    scenario: Scenario,
    reforms: Mapping[str, float],
    timing: Mapping[str, Timing] | None = None,
    budget: float = 1.0,
) -> tuple[Scenario, Scenario]:
    """The arm's inputs (the scenario with ``reforms``, ``timing`` and budget) and parameters.

    The parameters have every reform at full strength: those of the arm without timing,
    and the largest its timing reaches. Applied once per arm.
    """
    key = arm_key(scenario, reforms, timing, budget)
    if key not in arms:
        update: dict[str, Any] = {
            "reforms": {**scenario.reforms, **reforms},
            "timing": {**scenario.timing, **(timing or {})},
        }
        if budget != 1.0:
            check_budget(budget)
            government = scenario.government
            update["government"] = government.model_copy(
                update={"budget": government.budget * budget}
            )
        inputs = scenario.model_copy(update=update)
        if inputs.timing:
            inputs.check_timing(inputs.timing, inputs.reforms)
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
        chosen = [applied(arms, m.scenario, m.reforms, m.timing, m.budget) for m in members]
        if any(inputs.several for inputs, _ in chosen):
            raise ValueError(
                "a block steps one mission a run; several at once: model.nation.build_block"
            )
        self.inputs = [inputs for inputs, _ in chosen]
        self.largest = [params for _, params in chosen]  # every reform at full strength
        if len({block_key(p) for p in self.largest}) > 1:
            raise ValueError(
                "runs of a block must share actor types, counts, network kind and horizon"
            )
        self.schedules = Schedules(self.inputs, self.largest)
        self.params = list(self.schedules.params)  # each run's parameters now
        self.runs = len(members)
        self.quarters = self.params[0].quarters
        # every run's named streams, derived for all runs at once; runs of one seed (arms,
        # missions) share the draws whose inputs they share, until the runs are built
        table = StreamTable(self.seeds)
        table.prefetch(population.stream_paths(self.params[0]) + owner.STREAM_PATHS)
        streams = [table.run(r) for r in range(self.runs)]
        self.populations = build_populations(self.params, streams)
        table.prefetch(network.stream_paths(self.params[0].network, self.populations[0]))
        changing = self.schedules.timed.any(axis=1).tolist()
        self.structures = MovingStructures(self.params, self.largest, self.quarters)
        self.crowd = Crowd(self.params, self.populations, streams, self.largest, changing,
                           widest=self.structures.widest)  # fmt: skip
        table.forget()
        self.owners = MissionOwners(self.params, streams, self.crowd.names)
        self._missions()
        self.step_count = 0
        self.progress = self.start_progress.copy()
        self.delivery = np.full(self.runs, NO_EVIDENCE)
        self.contribution, self.aggregate = self.contribute()  # step 0: those engaged at start
        self.owners.contributions[:, 0] = self.contribution
        self.schedules.notice_start(self.indicator)

    def _missions(self) -> None:
        """Each run's mission as arrays: weights, need, rates, the roadmap's line."""
        types = self.crowd.names
        self.missions: list[Mission] = [p.mission_spec for p in self.params]
        missions, crowd = self.missions, self.crowd
        self.weights = np.stack([m.weight_vector(types) for m in missions])
        self.funded = np.stack([m.funded_vector(types) for m in missions])
        self.need = np.stack([m.need_vector(types) for m in missions]) * crowd.type_sums(
            crowd.capacity
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
        self.roadmap_path = np.stack(
            [roadmap_path(m, p.start, self.quarters) for m, p in zip(missions, self.params,
                                                                       strict=True)]
        )  # fmt: skip
        self.budget = np.array([p.government.budget for p in self.params])
        self.buyable = np.stack([m.buyable_vector(types) for m in missions])
        self.money_scale = np.array([m.initiatives.scale for m in missions])[:, None]
        self.absorption = np.array([m.initiatives.absorption for m in missions])[:, None]
        self.enabling = np.array([m.initiatives.enabling for m in missions])[:, None]
        self.progress_weight = np.array([p.trust.progress_weight for p in self.params])
        groups: dict[int, list[int]] = {}
        for r, m in enumerate(missions):
            groups.setdefault(id(m), []).append(r)
        self._mission_groups = [np.array(rows, dtype=np.intp) for rows in groups.values()]

    # --- the quarter: a few lines of orchestration ------------------------------------------

    def advance(self) -> None:
        """One quarter for every run: agents respond, progress moves, owners and trust learn.

        First, runs whose reforms change strength this quarter take their new parameters;
        last, the signposts of triggered reforms are read.
        """
        self.respond()
        self.settle()

    def respond(self) -> None:
        """The quarter's first half: reforms change strength, agents respond.

        With several missions (:mod:`mobilise.model.nation`) every mission's agents respond
        before any mission's contributions count, so their capacity can be split between.
        """
        self.step_count += 1
        changed = self.schedules.advance(self.step_count)
        crowd = self.crowd  # structures move with what was mobilised by the last quarter
        self.structures.move(self.schedules.params, crowd.mean_engagement(), crowd.reach)
        if changed:
            self.reparametrise(changed)
        if self.structures.moving:
            crowd.set_reach(self.structures.reach())
        self.crowd.respond(self.owners.signal, self.participation_cost())

    def settle(self, lift: Array | None = None) -> None:
        """The quarter's second half: contributions move progress; owners and trust learn.

        ``lift`` scales each run's aggregate (other missions' spillovers; None: none).
        """
        step = self.step_count
        self.contribution, self.aggregate = self.contribute()
        if lift is not None:
            self.aggregate = self.aggregate * lift
        self.progress = progress_step(self.progress, self.aggregate, self.rate, self.decay)
        observed = self.owners.observe(self.progress, step, self.contribution)
        self.delivery = self.delivery_at(observed, step - self.owners.lag)
        self.owners.update(step, self.delivery)
        self.crowd.learn(trust_goal(self.owners.credibility, self.delivery, self.progress_weight))
        self.schedules.watch(step, self.indicator)

    def reparametrise(self, rows: Sequence[int]) -> None:
        """Runs ``rows`` take the parameters of their reforms' strengths now."""
        before, self.params = self.params, list(self.schedules.params)
        moved = self.structures.reach() if self.structures.moving else None
        self.crowd.reparametrise(rows, self.params, before, moved)
        self.owners.reparametrise(self.params)
        self._missions()

    def indicator(self, name: str) -> Array:
        """Every run's value of a signpost now: an outcome a trigger can watch."""
        if name == "metric":
            return self.metric(self.progress)
        if name == "observed_metric":
            return self.metric(self.owners.observed)
        if name == "credibility":
            return self.owners.credibility
        if name.startswith("engaged_"):
            engaged: Array = self.crowd.mean_engagement()[:, self.crowd.names.index(name[8:])]
            return engaged
        raise ValueError(f"unknown indicator '{name}'")

    def doses(self, run: int) -> dict[str, float]:
        """Run ``run``'s reforms and their strength-quarters (strength summed over quarters)."""
        return self.schedules.doses(run, self.inputs[run].reforms, self.quarters)

    def starts(self, run: int) -> dict[str, int | None]:
        """Run ``run``'s reforms and the step each came into force (None: not by the horizon)."""
        return self.schedules.starts(run, self.inputs[run].reforms, self.quarters)

    # --- the submodels' inputs --------------------------------------------------------------

    def participation_cost(self) -> Array:
        """Each type's cost, lowered where the mission funds it and where initiatives aim.

        Engaged departments cover ``D_gov * min(1, funded + enabling * aim)`` of it.
        """
        drive = self.crowd.government_drive()
        covered = np.minimum(1.0, self.funded + self.enabling * self.owners.aim)
        cost: Array = self.crowd.base_cost * (1.0 - covered * drive[:, None])
        return cost

    def money(self, efficiency: Array | None = None) -> Array:
        """Money reaching each type this quarter (R, K), GBP bn.

        The budget the engaged departments deploy, at the portfolio's ``efficiency`` (the
        owners' now when None), split as the initiatives aim.
        """
        if efficiency is None:
            efficiency = self.owners.portfolio_efficiency
        deployed = self.budget * self.crowd.government_drive() * efficiency
        reaching: Array = self.owners.aim * deployed[:, None]
        return reaching

    def contribute(self) -> tuple[Array, Array]:
        """Each type's contribution relative to need (R, K), and each run's CES aggregate X.

        Agents' contributions, government's as its initiatives make it, and what money
        buys: ``absorption * buyable * z`` with ``z = 1 - exp(-money / scale)`` absorbed.
        """
        crowd = self.crowd
        efficiency = self.owners.portfolio_efficiency
        given = crowd.live_type_sums(crowd.given())
        if crowd.government is not None:  # government's own delivery, through its initiatives
            given[:, crowd.government] *= efficiency
        absorbed = -np.expm1(-self.money(efficiency) / self.money_scale)
        bought = self.absorption * self.buyable * absorbed
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio: Array = np.where(self.need > 0, given / self.need + bought, 0.0)
        return ratio, ces_aggregate(ratio, self.weights, self.sigma)

    def delivery_at(self, observed: Array, seen: Index) -> Array:
        """What each mission has delivered against its roadmap, judged at step ``seen``."""
        return delivery_against_roadmap(
            observed, self.start_progress, self.decay, self.roadmap(seen), seen
        )

    def roadmap(self, step: int | Index) -> Array:
        """Progress each run's roadmap expects by ``step`` (its start before the first)."""
        at = np.clip(np.broadcast_to(step, (self.runs,)), 0, self.quarters)
        promised: Array = self.roadmap_path[np.arange(self.runs), at]
        return promised

    def metric(self, progress: Array) -> Array:
        """Each run's key metric at ``progress`` (its mission's :meth:`Mission.metric_at`)."""
        out = np.empty(self.runs)
        for rows in self._mission_groups:
            out[rows] = self.missions[rows[0]].metric_at(progress[rows])
        return out
