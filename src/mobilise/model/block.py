"""A block of runs advanced together: every array shaped (R, N), one step for all R.

Each run of a block is built exactly as :class:`~mobilise.model.model.MissionModel`
builds it (same named random streams, same population, network and mission owner),
then the runs are stacked: agent state into (R, N) arrays, the R networks into one
block-diagonal sparse matrix, per-run parameters into columns. One step then does
the arithmetic of R single steps with one NumPy call per operation, so NumPy's call
overhead is paid once per block instead of once per run.

Every operation is the single run's operation applied row by row (elementwise
arithmetic, per-row sums in the same order, per-run random draws from the same
streams), so each run of a block gives the same bits as the same run alone;
``tests/model/test_block.py`` checks it for every shipped scenario.

Only *live* agents are stepped: those within their type's reach (ceiling > 0).
An agent outside reach never engages (its target is its ceiling, 0, times its
response), so its engagement stays exactly 0 and every sum it enters gains
``+0.0``: leaving it out of the arithmetic, and its ties out of the network,
changes no bit. In the UK scenario about a third of the agents are live, and
fewer than a sixth of the ties join two of them. Trust, which every agent keeps
learning, is updated for all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.model import government, network, population
from mobilise.model.dynamics import adjust, exit_rate, mobilisation, response
from mobilise.model.government import MissionOwner
from mobilise.model.network import build_block_ties, build_ties
from mobilise.model.population import Population, build_populations
from mobilise.model.progress import ces_aggregate, roadmap_progress, trend_progress
from mobilise.model.streams import StreamTable
from mobilise.schema.missions import Mission
from mobilise.schema.outcomes import step_columns
from mobilise.schema.reforms import apply_reforms
from mobilise.schema.scenario import Scenario
from mobilise.vocabulary import quarter_index, quarter_label

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]

NO_EVIDENCE = 0.5
"""Delivery before the first observation: neither credit nor blame."""

BYTES_PER_AGENT_RUN = 8 * 16
"""Bytes a block holds per agent and run: about sixteen float64 (R, N) arrays
(fixed attributes, state, and the step's temporaries), plus the network's ties."""

BYTES_PER_TIE = 12
"""Bytes per stored tie of the block-diagonal sparse network (value and column)."""


@dataclass(frozen=True)
class Member:
    """One run of a block: a scenario, the seed and the reforms added to its own."""

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


AGENTS_PER_BLOCK = 100_000
"""Agents a block is built for at once: past about this many, building its network
(sorting and de-duplicating every tie of R * N agents) leaves the cache and each run
costs more, not less (measured: 2.9 ms a UK run in blocks of 50, 3.2 ms in blocks of 250)."""


def block_size(
    agents: int,
    memory_bytes: int = 256 * 2**20,
    cap: int = 250,
    agents_per_block: int | None = AGENTS_PER_BLOCK,
) -> int:
    """Runs per block for populations of ``agents``: what fits in ``memory_bytes``.

    A block holds O(R * N) memory (:data:`BYTES_PER_AGENT_RUN` per agent and run,
    plus its ties) and is built for at most ``agents_per_block`` agents (``None``:
    memory alone decides); ``cap`` keeps it small enough that a batch still spreads
    over its workers and reports progress.
    """
    per_run = agents * (BYTES_PER_AGENT_RUN + 16 * BYTES_PER_TIE)
    fits = memory_bytes // max(per_run, 1)
    if agents_per_block is not None:
        fits = min(fits, agents_per_block // max(agents, 1))
    return max(1, min(cap, fits))


class Block:
    """R runs of compatible scenarios (same :func:`block_key`), stepped together.

    ``rows`` holds every run's per-step outcomes, shaped (R, steps + 1, columns),
    in the order of :func:`mobilise.schema.outcomes.step_columns` after ``step``
    and ``quarter``; :meth:`frame` gives one run's frame, identical to
    :meth:`MissionModel.to_frame` for the same scenario, seed and reforms.
    """

    def __init__(
        self, members: Sequence[Member], *, record_agents: bool = False, arms: Arms | None = None
    ) -> None:
        if not members:
            raise ValueError("a block needs at least one run")
        self.members = list(members)
        self.seeds = [m.scenario.seed if m.seed is None else int(m.seed) for m in members]
        arms = {} if arms is None else arms  # reforms applied once per arm (a chunk's, if given)
        chosen = [applied(arms, m.scenario, m.reforms) for m in members]
        self.inputs = [inputs for inputs, _ in chosen]
        self.params = [params for _, params in chosen]
        keys = {block_key(p) for p in self.params}
        if len(keys) > 1:
            raise ValueError(
                "runs of a block must share actor types, counts, network kind and horizon"
            )
        self.runs = len(members)
        # every run's named streams, derived for all runs at once; runs of one seed (arms,
        # missions) share the draws whose inputs they share, until the block is built
        table = StreamTable(self.seeds)
        table.prefetch(population.stream_paths(self.params[0]) + government.STREAM_PATHS)
        self.streams = [table.run(r) for r in range(self.runs)]
        self.populations = build_populations(self.params, self.streams)
        table.prefetch(network.stream_paths(self.params[0].network, self.populations[0]))
        self.owners = [MissionOwner(p, s) for p, s in zip(self.params, self.streams, strict=True)]
        self.quarters = self.params[0].quarters
        self.record_agents = record_agents
        self._stack_agents(self.populations)
        table.forget()  # built: what runs of one seed shared is no longer needed
        self._stack_parameters()
        self._stack_owner()
        self._stack_live()
        self.step_count = 0
        self._contribute()
        self.columns = step_columns(self.names)
        self.rows = np.full((self.runs, self.quarters + 1, len(self.columns) - 2), np.nan)
        self._agent_rows: list[Array] = []
        self._record(0)

    # --- stacking the runs -------------------------------------------------------------

    def _stack_agents(self, pops: list[Population]) -> None:
        first = pops[0]
        self.names = first.names
        self.kind: Index = first.kind
        self.counts: Array = first.counts
        self.size = first.size
        self.type_slices = [first.slices[name] for name in self.names]
        k = len(self.names)
        runs = np.arange(self.runs)[:, None]
        self.type_bin: Index = (self.kind[None, :] + k * runs).ravel()  # run * K + type
        self.capacity: Array = np.stack([p.capacity for p in pops])
        self.threshold: Array = np.stack([p.threshold for p in pops])
        self.trust: Array = np.stack([p.trust for p in pops])
        self._spare_trust: Array = np.empty_like(self.trust)
        self.alignment: Array = np.stack([p.alignment for p in pops])
        self.patience: Array = np.stack([p.patience for p in pops])
        self.ceiling: Array = np.stack([p.ceiling for p in pops])
        self.live: Index = np.flatnonzero(self.ceiling.ravel() > 0)  # r * N + i, within reach
        self._engagement: Array = np.stack([p.engagement for p in pops])  # see engagement
        self._engagement_placed = True
        self.base_cost: Array = np.stack([p.base_cost for p in pops])
        self.reach: Array = np.stack([p.reach for p in pops])
        gov = first.slices.get("government")
        self.government = self.names.index("government") if "government" in self.names else None
        self.gov_slice = gov if gov is not None and gov.stop > gov.start else None
        networks = [p.network for p in self.params]
        self.complete = networks[0].kind == "complete"
        shape = (self.runs, self.size)
        if self.complete:  # mean field: shares from each run's type totals, per row
            ties = [
                build_ties(spec, pop, s)
                for spec, pop, s in zip(networks, pops, self.streams, strict=True)
            ]
            coordination = np.stack([t.coordination() for t in ties])
            self.per_peer: Array = np.stack([t.per_reachable_peer for t in ties])
            self.per_partner: Array = np.stack([t.per_reachable_partner for t in ties])
        else:  # one block-diagonal network over the R * N agents
            self.live_ties = build_block_ties(networks, pops, self.streams, self.live)
            coordination = self.live_ties.coordination.reshape(shape)
        self.trust_speed: Array = np.stack(
            [
                np.clip(p.trust.speed * (1.0 + p.trust.coordination_boost * c), 0.0, 1.0)
                for p, c in zip(self.params, coordination, strict=True)
            ]
        )

    def _stack_live(self) -> None:
        """The live agents (within reach) of every run, flattened, with what they step with.

        ``live`` indexes the flattened (R * N) agents; every per-run parameter is
        gathered to a value per live agent (the same value the run's column held).
        """
        runs, n, k = self.runs, self.size, len(self.names)
        live, run = self.live, self.live // n
        self.live_run: Index = run
        # the live government agents: their places in the live arrays and in (R, n_gov)
        gov = self.gov_slice or slice(0, 0)
        is_gov = (live % n >= gov.start) & (live % n < gov.stop)
        self._live_gov: Index = np.flatnonzero(is_gov)
        self._gov_at: Index = run[is_gov] * (gov.stop - gov.start) + live[is_gov] % n - gov.start
        self._gov_engagement: Array = np.ascontiguousarray(self._engagement[:, gov])
        self.live_bin: Index = self.type_bin[live]
        self.bins = runs * k
        # per-type sums run down a (rows, R) table: type k's rows hold, in column r, run
        # r's live agents of type k in order, then zeros (see _live_type_sums)
        counts = np.bincount(self.live_bin, minlength=self.bins)  # live agents per run, type
        most = counts.reshape(runs, k).max(axis=0)
        offsets = np.concatenate([[0], np.cumsum(most)])
        first = np.concatenate([[0], np.cumsum(counts)])[:-1]  # bins are contiguous in live
        place = offsets[self.live_bin % k] + np.arange(len(live)) - first[self.live_bin]
        self.table_rows = int(offsets[-1])
        self.table_at: Index = place * runs + run
        self.table_slices = [slice(a, b) for a, b in pairwise(offsets.tolist())]
        # runs of one reach have as many live agents of each type: the table is the live
        # values themselves, transposed, with no zeros to place
        self.table_full = self.table_rows * runs == len(live)

        def of_agents(values: Array) -> Array:  # (R, N) -> each live agent's value
            return values.ravel()[live]

        def of_runs(column: Array) -> Array | float:
            # (R, 1) -> each live agent's run's value; one number when every run shares
            # it (multiplying by it gives the same bits as by an array of it)
            if np.all(column == column[0, 0]):
                return float(column[0, 0])
            return of_agents(np.broadcast_to(column, (runs, n)))

        self.live_capacity = of_agents(self.capacity)
        self.live_threshold = of_agents(self.threshold)
        self.live_alignment = of_agents(self.alignment)
        self.live_patience = of_agents(self.patience)
        self.live_ceiling = of_agents(self.ceiling)
        self.live_engagement = of_agents(self._engagement)
        self.live_w_signal = of_runs(self.w_signal)
        self.live_w_peer = of_runs(self.w_peer)
        self.live_w_cross = of_runs(self.w_cross)
        self.live_noise = of_runs(self.noise)
        self.live_adjustment = of_runs(self.adjustment)
        self.live_fatigue = of_runs(self.fatigue)
        if self.complete:
            self.live_peer = of_agents(self.per_peer)
            self.live_partner = of_agents(self.per_partner)
        else:  # the network is already cut to the live agents, in the same order
            self.live_peer = self.live_ties.per_reachable_peer
            self.live_partner = self.live_ties.per_reachable_partner

    def _stack_parameters(self) -> None:
        params = self.params
        types = self.names
        self.missions: list[Mission] = [p.mission_spec for p in params]
        self.weights = np.stack([m.weight_vector(types) for m in self.missions])
        self.funded = np.stack([m.funded_vector(types) for m in self.missions])
        self.need = np.stack(
            [
                m.need_vector(types) * pop.by_type(pop.capacity)
                for m, pop in zip(self.missions, self.populations, strict=True)
            ]
        )

        def column(values: list[float]) -> Array:
            return np.array(values, dtype=float)[:, None]

        influence = [p.influence for p in params]
        self.w_signal = column([i.signal for i in influence])
        self.w_peer = column([i.peer for i in influence])
        self.w_cross = column([i.cross for i in influence])
        self.noise = column([i.noise for i in influence])
        self.adjustment = column([i.adjustment for i in influence])
        self.fatigue = column([i.fatigue for i in influence])
        self.hard = influence[0].noise == 0  # shared by the block (block_key)
        self.jump = influence[0].adjustment == 1.0
        self.progress_weight = np.array([p.trust.progress_weight for p in params])
        self.budget = np.array([p.government.budget for p in params])
        self.rate = np.array([m.rate for m in self.missions])
        self.decay = np.array([m.decay for m in self.missions])
        self.start_progress = np.array([m.initial_progress for m in self.missions])
        self.progress = self.start_progress.copy()
        self.start_index = [quarter_index(p.start) for p in params]
        self._mission_groups = _groups([id(m) for m in self.missions])
        self._ces_groups = _groups(
            [(tuple(w), m.sigma) for w, m in zip(self.weights.tolist(), self.missions, strict=True)]
        )

    def _stack_owner(self) -> None:
        owners, quarters = self.owners, self.quarters
        specs = [o.spec for o in owners]
        self.clarity = np.array([s.clarity for s in specs])
        self.salience = np.array([o.salience for o in owners])
        self.credibility = np.array([o.credibility for o in owners])
        self.credibility_speed = np.array(
            [min(1.0, s.credibility_speed * s.capability) for s in specs]
        ).clip(0.0, 1.0)
        self.reshuffle_rate = np.array([s.reshuffle_rate for s in specs])
        self.reshuffle_keep = np.array([1.0 - s.reshuffle_penalty for s in specs])
        self.election_interval = np.array([s.election_interval for s in specs])
        self.election_keep = np.array([1.0 - s.election_penalty for s in specs])
        self.lag = np.array([o.lag for o in owners], dtype=np.intp)
        self.reviewing = [
            i for i, s in enumerate(specs) if s.portfolio_review
        ]  # reviews draw per run: rare, so looped
        # each purpose has its own stream, drawn one value a quarter: draw them all now
        self.observation_noise = np.stack(
            [
                o.observation_rng.normal(0.0, s.observation_noise, quarters)
                for o, s in zip(owners, specs, strict=True)
            ]
        )
        self.shock_draws = np.stack([o.shock_rng.random(quarters) for o in owners])
        self.efficiency = np.array([o.portfolio_efficiency for o in owners])
        self.reshuffles = np.zeros(self.runs, dtype=np.intp)
        self.history = np.empty((self.runs, quarters + 1))
        self.history[:, 0] = self.start_progress
        self.observed = self.start_progress.copy()
        self.delivery = np.full(self.runs, NO_EVIDENCE)
        self._roadmaps()

    def _roadmaps(self) -> None:
        """Per run and step: roadmap, trend and what was promised (in Python floats, as alone)."""
        steps = np.arange(self.quarters + 1)
        self.roadmap = np.empty((self.runs, self.quarters + 1))
        self.trend_at = np.zeros((self.runs, self.quarters + 1))
        self.promised = np.zeros((self.runs, self.quarters + 1))
        self.evidence = np.zeros((self.runs, self.quarters + 1), dtype=np.int8)
        cache: dict[tuple[Any, ...], tuple[Array, Array, Array, npt.NDArray[np.int8]]] = {}
        for r, (m, params) in enumerate(zip(self.missions, self.params, strict=True)):
            key_step = quarter_index(m.key_milestone.quarter) - quarter_index(params.start) + 1
            lag = int(self.lag[r])
            key = (m.initial_progress, m.target_progress, m.decay, key_step, lag)
            if key not in cache:
                start, target = m.initial_progress, m.target_progress
                road = np.array([roadmap_progress(start, target, key_step, int(s)) for s in steps])
                trend, promised = np.zeros(len(steps)), np.zeros(len(steps))
                evidence = np.zeros(
                    len(steps), dtype=np.int8
                )  # 0: none, 1: promised nothing, 2: judge
                for s in steps[1:]:
                    seen = int(s) - lag
                    if seen <= 0:
                        continue
                    trend[s] = trend_progress(start, m.decay, seen)
                    promised[s] = roadmap_progress(start, target, key_step, seen) - trend[s]
                    evidence[s] = 2 if promised[s] > 0 else 1
                cache[key] = (road, trend, promised, evidence)
            self.roadmap[r], self.trend_at[r], self.promised[r], self.evidence[r] = cache[key]

    # --- the step ------------------------------------------------------------------------

    def step(self) -> None:
        """Advance every run one quarter: agents respond, progress moves, owners and trust learn."""
        self.step_count += 1
        step = self.step_count
        self._mobilise()
        self._progress()
        self._learn(step)
        self._record(step)

    def run(self) -> None:
        """Run every remaining quarter."""
        while self.step_count < self.quarters:
            self.step()

    @property
    def engagement(self) -> Array:
        """Every agent's engagement, (R, N): the live agents' values put in place when asked."""
        if not self._engagement_placed:
            self._engagement.ravel()[self.live] = self.live_engagement
            self._engagement_placed = True
        return self._engagement

    @property
    def government_drive(self) -> Array:
        """Each run's government engaged share (0 without government agents).

        Government agents' engagement is kept current in its own (R, n) array each step,
        the row ``engagement[:, gov]`` is: the same mean, without placing every agent.
        """
        if self.gov_slice is None:
            return np.zeros(self.runs)
        result: Array = self._gov_engagement.mean(axis=1)
        return result

    def _type_sums(self, values: Array, bins: Index) -> Array:
        """Each run's per-type sums of ``values`` (agents in ``bins``: run * K + type), (R, K).

        ``np.bincount`` adds each bin's values in agent order, as it does for one run
        alone; agents left out (outside reach, engagement 0) would only add ``+0.0``.
        """
        sums = np.bincount(bins, weights=values, minlength=self.bins)
        result: Array = sums.reshape(self.runs, len(self.names))
        return result

    def _live_type_sums(self, values: Array) -> Array:
        """Each run's per-type sums of a value per live agent, (R, K), in bincount's order.

        The values are placed in a table, each type's live agents of run ``r`` in order
        down column ``r`` and zeros after them, and summed down (:func:`_sums_down`): a few
        times faster than ``bincount``; trailing zeros add ``+0.0``, changing nothing.
        One run alone is one column, which NumPy would sum pairwise: ``bincount`` itself.
        """
        if self.runs == 1:
            return self._type_sums(values, self.live_bin)
        if self.table_full:
            table = np.ascontiguousarray(values.reshape(self.runs, -1).T)
        else:
            flat = np.zeros(self.table_rows * self.runs)
            flat[self.table_at] = values
            table = flat.reshape(self.table_rows, self.runs)
        return _sums_down(table, self.table_slices)

    def _shares(self, engagement: Array) -> tuple[Array, Array]:
        """Peer and partner engaged shares of every live agent of every run."""
        if self.complete:
            totals = self._live_type_sums(engagement)
            by_kind = totals.ravel()[self.live_bin]
            peers = by_kind - engagement
            partners = totals.sum(axis=1)[self.live_run] - by_kind
        else:
            peers = self.live_ties.same @ engagement
            partners = self.live_ties.cross @ engagement
        return (  # np.minimum(x, 1.0) as alone; clip gives the same bits, twice as fast
            np.clip(peers * self.live_peer, -np.inf, 1.0),
            np.clip(partners * self.live_partner, -np.inf, 1.0),
        )

    def _mobilise(self) -> None:
        engagement = self.live_engagement
        trust = self.trust.ravel()[self.live]
        cost = self.base_cost * (1.0 - self.funded * self.government_drive[:, None])
        signal = self.clarity * self.credibility * self.salience
        signal_term = signal[self.live_run] * self.live_alignment * trust * self.live_patience
        peers, partners = self._shares(engagement)
        pressure = mobilisation(
            signal_term,
            peers,
            partners,
            cost.ravel()[self.live_bin],
            w_signal=self.live_w_signal,  # each live agent's run's weight
            w_peer=self.live_w_peer,
            w_cross=self.live_w_cross,
        )
        noise = 0.0 if self.hard else self.live_noise
        target = self.live_ceiling * response(pressure, self.live_threshold, noise)
        leaving = exit_rate(trust, self.live_fatigue)
        moved = adjust(engagement, target, self.live_adjustment, leaving, jump=False)
        if self.jump:  # alone, alpha = 1 with nobody leaving jumps straight to the target
            still = np.all(exit_rate(self.trust, self.fatigue) == 0, axis=1)
            moved = np.where(still[self.live_run], target, moved)
        self.live_engagement = np.clip(moved, 0.0, self.live_ceiling)
        self._engagement_placed = False  # placed when asked (engagement)
        self._gov_engagement.ravel()[self._gov_at] = self.live_engagement[self._live_gov]

    def _progress(self) -> None:
        self._contribute()
        p = self.progress
        moved = p + self.rate * self.aggregate * (1.0 - p) - self.decay * p
        self.progress = np.minimum(1.0, np.maximum(0.0, moved))

    def _contribute(self) -> None:
        contribution = self._live_type_sums(self.live_engagement * self.live_capacity)
        if self.government is not None:
            contribution[:, self.government] *= self.efficiency
        with np.errstate(invalid="ignore", divide="ignore"):
            self.contribution = np.where(self.need > 0, contribution / self.need, 0.0)
        self.aggregate = self._ces()

    def _ces(self) -> Array:
        """Each run's CES aggregate, as :func:`ces_aggregate` computes it alone."""
        out = np.empty(self.runs)
        for (weights, sigma), rows in self._ces_groups.items():
            w = np.array(weights)
            used = w > 0
            if abs(sigma - 1.0) < 1e-9:  # Cobb-Douglas: rare, run by run
                for r in rows:
                    out[r] = ces_aggregate(self.contribution[r], w, sigma)
                continue
            ratios = np.maximum(self.contribution[rows][:, used], 0.0)
            rho = (sigma - 1.0) / sigma
            with np.errstate(divide="ignore", over="ignore"):
                sums = np.sum(w[used] * ratios**rho, axis=1)
            power = 1.0 / rho
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                values = [float(s**power) for s in sums]  # NumPy scalar power, as alone
            if rho < 0:
                values = [
                    0.0 if z else v
                    for v, z in zip(values, np.any(ratios == 0, axis=1), strict=True)
                ]
            out[rows] = values
        return out

    def _learn(self, step: int) -> None:
        self.history[:, step] = self.progress
        seen = self.history[np.arange(self.runs), np.maximum(step - self.lag, 0)]
        self.observed = np.clip(seen + self.observation_noise[:, step - 1], 0.0, 1.0)
        self.delivery = self._delivery(step)
        self._update_owner(step)
        goal = (
            1.0 - self.progress_weight
        ) * self.credibility + self.progress_weight * self.delivery
        # trust + speed * (goal - trust), clipped: written into last step's array, the
        # every-agent arrays being the block's largest (the same bits: + and * commute)
        moved = np.subtract(goal[:, None], self.trust, out=self._spare_trust)
        moved *= self.trust_speed
        moved += self.trust
        np.clip(moved, 0.0, 1.0, out=moved)
        self.trust, self._spare_trust = moved, self.trust

    def _delivery(self, step: int) -> Array:
        evidence = self.evidence[:, step]
        trend, promised = self.trend_at[:, step], self.promised[:, step]
        with np.errstate(invalid="ignore", divide="ignore"):
            judged = np.clip((self.observed - trend) / promised, -1.0, 1.0)
        return np.where(evidence == 2, judged, np.where(evidence == 1, 1.0, NO_EVIDENCE))

    def _update_owner(self, step: int) -> None:
        goal = 0.5 * self.clarity + 0.5 * self.delivery
        cred = self.credibility
        cred = np.clip(cred + self.credibility_speed * (goal - cred), 0.0, 1.0)
        shocked = self.shock_draws[:, step - 1] < self.reshuffle_rate
        self.reshuffles += shocked
        cred = np.where(shocked, cred * self.reshuffle_keep, cred)
        cred = np.where(step % self.election_interval == 0, cred * self.election_keep, cred)
        self.credibility = cred
        for r in self.reviewing:
            owner = self.owners[r]
            if step % owner.spec.review_interval == 0 and step > owner.lag:
                owner._review()
                self.efficiency[r] = owner.portfolio_efficiency

    # --- data ----------------------------------------------------------------------------

    def _metric(self, progress: Array) -> Array:
        out = np.empty(self.runs)
        for _, rows in self._mission_groups.items():
            out[rows] = self.missions[rows[0]].metric_at(progress[rows])
        return out

    def _mean_by_type(self, sums: Array) -> Array:
        with np.errstate(invalid="ignore", divide="ignore"):
            result: Array = sums / self.counts
        return result

    def _mean_trust_by_type(self) -> Array:
        """Each run's mean trust per type, every agent counted (all keep learning).

        Summed down the agents of each type with the runs side by side
        (:func:`_sums_down`); one run alone is one column, summed by ``bincount``.
        """
        if self.runs == 1:
            return self._mean_by_type(self._type_sums(self.trust.ravel(), self.type_bin))
        return self._mean_by_type(_sums_down(np.ascontiguousarray(self.trust.T), self.type_slices))

    def _record(self, step: int) -> None:
        signal = self.clarity * self.credibility * self.salience
        self.rows[:, step] = np.column_stack(
            [
                self.progress,
                self._metric(self.progress),
                self._metric(self.observed),
                self._metric(self.roadmap[:, step]),
                self.aggregate,
                signal,
                self.credibility,
                self.budget * self.government_drive,
                self.efficiency,
                self._mean_by_type(self._live_type_sums(self.live_engagement)),
                self.contribution,
                self._mean_trust_by_type(),
                self.reach,
            ]
        )
        if self.record_agents:
            self._agent_rows.append(np.stack([self.engagement, self.trust], axis=-1))

    def quarters_of(self, run: int) -> list[str]:
        """Labels of run ``run``'s recorded steps (step 0: the quarter before its start)."""
        start = self.start_index[run]
        return [quarter_label(start + s - 1) for s in range(self.step_count + 1)]

    def frame(self, run: int) -> pd.DataFrame:
        """Run ``run``'s per-step frame, as :meth:`MissionModel.to_frame` gives it alone."""
        done = self.step_count + 1
        frame = pd.DataFrame(self.rows[run, :done], columns=self.columns[2:])
        frame.insert(0, "quarter", self.quarters_of(run))
        frame.insert(0, "step", np.arange(done))
        return frame

    def agent_frame(self, run: int) -> pd.DataFrame:
        """Run ``run``'s per-agent engagement and trust at every step (``record_agents=True``)."""
        if not self.record_agents:
            raise ValueError("agent-level data was not recorded: pass record_agents=True")
        n, steps = self.size, len(self._agent_rows)
        stacked = np.concatenate([a[run] for a in self._agent_rows])
        types = np.array(self.names)[self.kind]
        return pd.DataFrame(
            {
                "step": np.repeat(np.arange(steps), n),
                "agent": np.tile(np.arange(n), steps),
                "actor_type": np.tile(types, steps),
                "engagement": stacked[:, 0],
                "trust": stacked[:, 1],
            }
        )


def _sums_down(by_agent: Array, slices: Sequence[slice]) -> Array:
    """Per-run sums of each slice of rows of ``by_agent`` (agents down, R >= 2 runs across).

    NumPy adds the rows of a C-ordered (n, R) array one after another, the order in
    which ``bincount`` adds one run's agents alone; adding ``0.0`` turns a sum of only
    ``-0.0`` into the ``+0.0`` that ``bincount``, starting from zero, gives.
    """
    sums: Array = np.stack([by_agent[s].sum(axis=0) for s in slices], axis=1) + 0.0
    return sums


def _groups(keys: Sequence[Any]) -> dict[Any, Index]:
    """Row indices of each distinct key, in first-seen order."""
    groups: dict[Any, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    return {k: np.array(v, dtype=np.intp) for k, v in groups.items()}
