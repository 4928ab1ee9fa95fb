"""The crowd: every agent of R runs, as (R, N) arrays, stepped over those within reach.

The runs share actor types and counts (a block's runs do); everything else, from
the draws to the networks and the influence weights, may differ run by run. Row
``r`` of every array is run ``r``; agents of a type occupy one contiguous slice.

Only *live* agents are stepped: those within their type's reach (ceiling > 0). An
agent outside reach never engages (its target is its ceiling, 0, times its
response), so its engagement stays 0 and it is left out of the arithmetic, its ties
out of the network. In the UK scenario about a third of the agents are live, and
fewer than a sixth of the ties join two of them. Trust, which every agent keeps
learning, is updated for all.

Every operation treats each run's agents alone: elementwise arithmetic, sparse
products row by row, per-type sums over each run's own contiguous segment
(``np.add.reduceat``). So a run gives the same bits whatever runs are beside it,
in a block of one or of two hundred.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from mobilise.model.dynamics import (
    adjust,
    exit_rate,
    mobilisation,
    patience,
    response,
)
from mobilise.model.network import Ties, block_pair_counts, build_block_ties, build_ties
from mobilise.model.population import Population, draw_type, engagement_ceiling, type_reach
from mobilise.model.streams import Seed
from mobilise.schema.scenario import Scenario

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]

SETTABLE = ("engagement", "trust", "threshold", "capacity", "alignment", "horizon")
"""The agent attributes a user may set between steps (an agent's ``ceiling`` is its reach)."""

_STACKED = ("capacity", "threshold", "trust", "alignment", "horizon", "patience", "ceiling",
            "rank")  # fmt: skip


class Crowd:
    """The agents of R runs: fixed attributes and state, the networks, and their step.

    ``params`` are each run's parameters now, ``largest`` (default: the same) those of
    the largest strengths its reforms will reach: agents within reach at either are
    stepped, and the network holds the ties of the latter, counting those of the former
    (:meth:`reparametrise` moves the runs marked ``changing`` to new parameters).
    """

    def __init__(
        self,
        params: Sequence[Scenario],
        populations: Sequence[Population],
        seeds: Sequence[Seed],
        largest: Sequence[Scenario] | None = None,
        changing: Sequence[bool] | None = None,
        widest: Array | None = None,
    ) -> None:
        first = populations[0]
        self.runs, self.size = len(populations), first.size
        self.names, self.kind, self.counts = first.names, first.kind, first.counts
        self.slices = first.slices
        for name in _STACKED:
            setattr(self, name, np.stack([getattr(p, name) for p in populations]))
        self.capacity: Array
        self.threshold: Array
        self.trust: Array
        self.alignment: Array
        self.horizon: Array
        self.patience: Array
        self.ceiling: Array
        self.rank: Array
        self.drawn_trust = self.trust.copy()  # trust as drawn: a reform's shift moves it
        self.live_share: Array | None = None  # several missions: the share of capacity given
        self.outside = np.stack([p.outside for p in populations])
        self.reach: Array = np.stack([p.reach for p in populations])
        self.base_cost: Array = np.stack([p.base_cost for p in populations])
        self.payoff_lag = np.array([p.mission_spec.payoff_lag for p in params])
        self._engagement: Array = np.stack([p.engagement for p in populations])
        self._spare_trust: Array = np.empty_like(self.trust)
        self.seeds = list(seeds)
        largest = params if largest is None else largest
        self.may_engage = self.ceiling > 0
        if any(a is not b for a, b in zip(params, largest, strict=True)):
            self.may_engage |= self._ceilings(largest) > 0
        if widest is not None:  # the widest reach moving structures can give (model/structures.py)
            self.may_engage |= self._ceilings_at(widest) > 0
        self._influence(params)
        changing = [False] * self.runs if changing is None else list(changing)
        self._network(params, populations, seeds, largest, changing)
        self._select_live()

    def _ceilings(self, params: Sequence[Scenario]) -> Array:
        """Every agent's ceiling under ``params`` (one per run), by the runs' reach orders."""
        ceiling = np.empty_like(self.ceiling)
        for r, p in enumerate(params):
            for actor_type in p.actor_types:
                part = self.slices[actor_type.name]
                ceiling[r, part] = engagement_ceiling(type_reach(p, actor_type), self.rank[r, part])
        return ceiling

    def _ceilings_at(self, reach: Array) -> Array:
        """Every agent's ceiling at each run's reach per type ``reach`` (R, K)."""
        ceiling = np.empty_like(self.ceiling)
        for k, name in enumerate(self.names):
            part = self.slices[name]
            ceiling[:, part] = engagement_ceiling(reach[:, k : k + 1], self.rank[:, part])
        return ceiling

    # --- building ------------------------------------------------------------------------

    def _influence(self, params: Sequence[Scenario]) -> None:
        influence = [p.influence for p in params]

        def column(values: list[float]) -> Array:
            return np.array(values, dtype=float)

        self.w_signal = column([i.signal for i in influence])
        self.w_peer = column([i.peer for i in influence])
        self.w_cross = column([i.cross for i in influence])
        self.noise = column([i.noise for i in influence])
        self.adjustment = column([i.adjustment for i in influence])
        self.fatigue = column([i.fatigue for i in influence])

    def _network(
        self,
        params: Sequence[Scenario],
        populations: Sequence[Population],
        seeds: Sequence[Seed],
        largest: Sequence[Scenario],
        changing: Sequence[bool],
    ) -> None:
        networks = [p.network for p in params]
        self.complete = networks[0].kind == "complete"
        if self.complete:  # mean field: shares from each run's type totals
            ties = [
                build_ties(spec, pop, seed)
                for spec, pop, seed in zip(networks, populations, seeds, strict=True)
            ]
            self._coordination = np.stack([t.coordination() for t in ties])
            self._per_peer: Array = np.stack([t.per_reachable_peer for t in ties])
            self._per_partner: Array = np.stack([t.per_reachable_partner for t in ties])
        else:  # one block-diagonal network over the R * N agents, cut to the live ties
            live = np.flatnonzero(self.may_engage.ravel())
            self.live_ties = build_block_ties(
                networks, populations, seeds, live, [p.network for p in largest], changing
            )
            self._coordination = self.live_ties.coordination.reshape(self.runs, self.size)
        self._trust_speed(params)

    def _trust_speed(self, params: Sequence[Scenario]) -> None:
        boost = np.array([p.trust.coordination_boost for p in params])[:, None]
        speed = np.array([p.trust.speed for p in params])[:, None]
        self.trust_speed: Array = np.clip(speed * (1.0 + boost * self._coordination), 0.0, 1.0)

    def _select_live(self) -> None:
        """The live agents (within reach) of every run, flattened, with what they step with.

        ``live`` indexes the flattened R * N agents in order: run by run, type by type,
        so each run's agents of a type are one contiguous segment of the live arrays.
        """
        runs, n, k = self.runs, self.size, len(self.names)
        live = np.flatnonzero(self.may_engage.ravel())
        self.live: Index = live
        self.live_run: Index = live // n
        self.live_bin: Index = (self.live_run * k + self.kind[live % n]).astype(np.intp)
        self.position = np.full(runs * n, -1, dtype=np.intp)  # r * N + i -> live position
        self.position[live] = np.arange(len(live))
        self._type_starts = np.array([self.slices[t].start for t in self.names], dtype=np.intp)
        self._filled_types = np.array([self.slices[t].stop > self.slices[t].start
                                       for t in self.names])  # fmt: skip
        gov = self.slices.get("government")
        self.government = self.names.index("government") if gov and gov.stop > gov.start else None
        self.live_engagement = self._engagement.ravel()[live]
        self._placed = True
        self._segments()
        self._gather_live()

    def _gather_live(self) -> None:
        """The live agents' fixed attributes and per-run parameters, from the (R, N) arrays."""
        live = self.live

        def of_runs(values: Array) -> Array | float:
            # one number when every run shares it (multiplying by it: the same bits)
            if np.all(values == values[0]):
                return float(values[0])
            gathered: Array = values[self.live_run]
            return gathered

        self.live_capacity = self.capacity.ravel()[live]
        self.live_threshold = self.threshold.ravel()[live]
        self.live_ceiling = self.ceiling.ravel()[live]
        self.live_drive = (self.alignment * self.patience).ravel()[live]  # a_i patience_i
        self.live_w_signal = of_runs(self.w_signal)
        self.live_w_peer = of_runs(self.w_peer)
        self.live_w_cross = of_runs(self.w_cross)
        self.live_noise = 0.0 if np.all(self.noise == 0) else of_runs(self.noise)
        self.live_adjustment = of_runs(self.adjustment)
        self.live_fatigue = of_runs(self.fatigue)
        if self.complete:  # the sparse network's operators hold these in their values
            self.live_peer = self._per_peer.ravel()[live]
            self.live_partner = self._per_partner.ravel()[live]
        self.engaged = self.live_type_sums(self.live_engagement)

    # --- a run's reforms change strength ---------------------------------------------------

    def reparametrise(
        self,
        rows: Sequence[int],
        params: Sequence[Scenario],
        before: Sequence[Scenario],
        reach: Array | None = None,
    ) -> None:
        """Move runs ``rows`` from parameters ``before`` to ``params`` (one per run of the block).

        What a reform sets at the start is set again from the run's own streams: each
        type whose draws' inputs changed is drawn again (the same agents, the same
        random numbers, shifted or scaled attributes), trust moving by the change in its
        draw; reach follows the type's fixed reach order, agents newly outside it leave
        (engagement capped at the new ceiling) and those newly within start from where
        they are (0); ties follow the new degrees (nested draws). Agents within reach at
        neither strength stay outside the arithmetic. ``reach`` (R, K), when given, is
        every run's reach now (moving structures'), in place of the parameters'.
        """
        for r in rows:
            new, old = params[r], before[r]
            for k, actor_type in enumerate(new.actor_types):
                part = self.slices[actor_type.name]
                if _redraw(actor_type.adjust is not None, new, old, actor_type.name):
                    spec = new.population(actor_type.name)
                    draws, _ = draw_type(actor_type, spec, new.constraints, self.seeds[r])
                    self.trust[r, part] = np.clip(
                        self.trust[r, part] + (draws.trust - self.drawn_trust[r, part]), 0.0, 1.0
                    )
                    self.drawn_trust[r, part] = draws.trust
                    self.threshold[r, part] = draws.threshold
                    self.alignment[r, part] = draws.alignment
                    self.horizon[r, part] = draws.horizon
                    self.capacity[r, part] = draws.capacity
                    self.patience[r, part] = patience(draws.horizon, self.payoff_lag[r])
                self.reach[r, k] = type_reach(new, actor_type) if reach is None else reach[r, k]
                self.ceiling[r, part] = engagement_ceiling(self.reach[r, k], self.rank[r, part])
            self.base_cost[r] = [new.population(t).cost for t in new.type_names]
        if np.any((self.ceiling > 0) & ~self.may_engage):
            raise ValueError("a reform's strength widened reach beyond its largest strength's")
        self._influence(params)
        if self.complete:
            for r in rows:
                ties = Ties(complete=True, kind=self.kind, counts=self.counts,
                            ceiling=self.ceiling[r])  # fmt: skip
                self._per_peer[r], self._per_partner[r] = (
                    ties.per_reachable_peer,
                    ties.per_reachable_partner,
                )
        else:
            pairs = self.live_ties.pairs.copy()
            per_run = len(pairs) // self.runs
            population = self.population(0)
            for r in rows:
                pairs[r * per_run : (r + 1) * per_run] = block_pair_counts(
                    params[r].network, population
                )
            self.live_ties.weigh(pairs, self.ceiling.ravel()[self.live])
            self._coordination = self.live_ties.coordination.reshape(self.runs, self.size)
        self._trust_speed(params)
        self.live_engagement = np.minimum(self.live_engagement, self.ceiling.ravel()[self.live])
        self._placed = False
        self._segments()
        self._gather_live()

    def set_reach(self, reach: Array) -> None:
        """Every run's reach per type now, (R, K): structures moved (model/structures.py).

        As for a reform's strength: ceilings follow each type's fixed reach order, those
        newly outside leave (engagement capped), those newly within start where they are,
        and peer and partner shares count the reachable agents now; nothing is drawn.
        """
        if np.array_equal(reach, self.reach):
            return
        self.reach = np.array(reach, dtype=float)
        self.ceiling = self._ceilings_at(self.reach)
        if np.any((self.ceiling > 0) & ~self.may_engage):
            raise ValueError(
                "moving structures widened reach beyond the widest they were built for"
            )
        if self.complete:
            for r in range(self.runs):
                ties = Ties(complete=True, kind=self.kind, counts=self.counts,
                            ceiling=self.ceiling[r])  # fmt: skip
                self._per_peer[r] = ties.per_reachable_peer
                self._per_partner[r] = ties.per_reachable_partner
        else:
            self.live_ties.weigh(self.live_ties.pairs, self.ceiling.ravel()[self.live])
        self.live_engagement = np.minimum(self.live_engagement, self.ceiling.ravel()[self.live])
        self._placed = False
        self._segments()
        self._gather_live()

    # --- sums --------------------------------------------------------------------------

    def live_type_sums(self, values: Array) -> Array:
        """Each run's per-type sums of a value per live agent within reach now, (R, K).

        Each (run, type) segment is summed alone (``np.add.reduceat``, NumPy's pairwise
        sum), so its sum does not depend on the other runs; types without agents within
        reach sum to 0. Agents stepped only because a reform will widen reach later are
        left out of the sum (not added as zeros, which would move the pairwise sum's
        rounding): a run's sums are those of the run without them, to the bit.
        """
        sums = np.zeros(self.runs * len(self.names))
        if self._within is not None:
            values = values[self._within]
        if len(values):
            sums[self._bins] = np.add.reduceat(values, self._starts)
        result: Array = sums.reshape(self.runs, len(self.names))
        return result

    def _segments(self) -> None:
        """The live agents within reach now, and where each (run, type) segment of them starts."""
        within = self.ceiling.ravel()[self.live] > 0
        self._within: Index | None = None if within.all() else np.flatnonzero(within)
        bins = self.live_bin if self._within is None else self.live_bin[self._within]
        self._bins, self._starts = np.unique(bins, return_index=True)

    def type_sums(self, values: Array) -> Array:
        """Each run's sum of ``values`` (R, N) per type, every agent counted; 0 if none."""
        sums = np.zeros((self.runs, len(self.names)))
        filled = self._filled_types
        if filled.any():
            sums[:, filled] = np.add.reduceat(values, self._type_starts[filled], axis=1)
        return sums

    def type_means(self, values: Array) -> Array:
        """Each run's mean of ``values`` (R, N) per type, every agent counted; NaN if none."""
        with np.errstate(invalid="ignore", divide="ignore"):
            means: Array = np.where(
                self._filled_types, self.type_sums(values) / self.counts, np.nan
            )
        return means

    # --- the step ------------------------------------------------------------------------

    def respond(self, signal: Array, cost: Array) -> None:
        """Every live agent moves toward its response to the signal, its ties and its cost.

        ``signal`` is each run's mission signal S, ``cost`` each run's participation
        cost per type, (R, K).
        """
        trust = self.trust.ravel()[self.live]
        pressure = self.pull(signal, cost, trust)
        target = self.live_ceiling * response(pressure, self.live_threshold, self.live_noise)
        leaving = exit_rate(trust, self.live_fatigue)
        moved = adjust(self.live_engagement, target, self.live_adjustment, leaving)
        self.live_engagement = np.clip(moved, 0.0, self.live_ceiling)
        self._placed = False
        self.engaged = self.live_type_sums(self.live_engagement)

    def pull(self, signal: Array, cost: Array, trust: Array | None = None) -> Array:
        """Every live agent's mobilisation pressure ``m_i`` now (kept as :attr:`pressure`).

        What moves it to engage, and, with several missions, how it splits its capacity.
        """
        if trust is None:
            trust = self.trust.ravel()[self.live]
        peers, partners = self.shares(self.live_engagement)
        self.pressure: Array = mobilisation(
            signal[self.live_run] * self.live_drive * trust,
            peers,
            partners,
            cost.ravel()[self.live_bin],
            w_signal=self.live_w_signal,
            w_peer=self.live_w_peer,
            w_cross=self.live_w_cross,
        )
        return self.pressure

    def split(self, share: Array) -> None:
        """Each live agent gives ``share`` of its capacity to this crowd's mission (several).

        Its contributions and its department's drive count that share of its engagement.
        """
        self.live_share = share
        self.engaged_given = self.live_type_sums(self.live_engagement * share)

    def given(self) -> Array:
        """Each live agent's engagement times capacity, times its share when it is split."""
        effort: Array = self.live_engagement * self.live_capacity
        if self.live_share is not None:
            effort = effort * self.live_share
        return effort

    def shares(self, engagement: Array) -> tuple[Array, Array]:
        """Peer and partner engaged shares of every live agent (``pi_i``, ``chi_i``)."""
        if self.complete:
            by_kind = self.engaged.ravel()[self.live_bin]
            peers = (by_kind - engagement) * self.live_peer
            partners = (self.engaged.sum(axis=1)[self.live_run] - by_kind) * self.live_partner
        else:
            peers = self.live_ties.peer_share @ engagement
            partners = self.live_ties.partner_share @ engagement
        return np.minimum(peers, 1.0, out=peers), np.minimum(partners, 1.0, out=partners)

    def learn(self, goal: Array) -> None:
        """Every agent's trust moves toward its run's ``goal``, at its own speed, in [0, 1].

        Written into last step's array: the every-agent arrays are the crowd's largest.
        """
        moved = np.subtract(goal[:, None], self.trust, out=self._spare_trust)
        moved *= self.trust_speed
        moved += self.trust
        np.clip(moved, 0.0, 1.0, out=moved)
        self.trust, self._spare_trust = moved, self.trust

    # --- what the runs read off it ----------------------------------------------------------

    @property
    def engagement(self) -> Array:
        """Every agent's engagement, (R, N): the live agents' values put in place when asked."""
        if not self._placed:
            self._engagement.ravel()[self.live] = self.live_engagement
            self._placed = True
        return self._engagement

    def mean_engagement(self) -> Array:
        """Each run's mean engagement per type (R, K); NaN for a type without agents."""
        with np.errstate(invalid="ignore", divide="ignore"):
            means: Array = self.engaged / self.counts
        return means

    def government_drive(self) -> Array:
        """Each run's government engaged share: what its money covers (0 without government)."""
        if self.government is None:
            return np.zeros(self.runs)
        engaged = self.engaged if self.live_share is None else self.engaged_given
        drive: Array = engaged[:, self.government] / self.counts[self.government]
        return drive

    # --- one agent, as a Mesa agent reads and sets it --------------------------------------

    def value(self, attribute: str, run: int, index: int) -> float:
        """Agent ``index`` of run ``run``: one attribute's current value."""
        if attribute == "engagement":
            return float(self.engagement[run, index])
        return float(getattr(self, attribute)[run, index])

    def set_value(self, attribute: str, run: int, index: int, value: float) -> None:
        """Set one agent's attribute between steps; the step reads it from then on.

        Engagement stays within the agent's ceiling (0 outside its type's reach) and
        trust within [0, 1]: a value outside is refused with a ValueError.
        """
        if attribute not in SETTABLE:
            raise AttributeError(
                f"an agent's {attribute} cannot be set; settable: {', '.join(SETTABLE)}"
            )
        value = float(value)
        ceiling = float(self.ceiling[run, index])
        if attribute == "engagement" and not 0.0 <= value <= ceiling:
            raise ValueError(f"engagement must be in [0, {ceiling:g}] (its reach), found {value!r}")
        if attribute == "trust" and not 0.0 <= value <= 1.0:
            raise ValueError(f"trust must be in [0, 1], found {value!r}")
        at = self.position[run * self.size + index]  # -1: outside reach, not stepped
        if attribute == "engagement":
            if at >= 0:
                self.live_engagement[at] = value
                self._placed = False
                self.engaged = self.live_type_sums(self.live_engagement)
            return
        getattr(self, attribute)[run, index] = value
        if attribute == "horizon":
            self.patience[run, index] = patience(value, self.payoff_lag[run])
        if at >= 0:
            self.live_threshold[at] = self.threshold[run, index]
            self.live_capacity[at] = self.capacity[run, index]
            self.live_drive[at] = self.alignment[run, index] * self.patience[run, index]

    def population(self, run: int) -> Population:
        """Run ``run``'s agents now, as one run's :class:`Population` (views of its rows)."""
        counts = self.counts
        return Population(
            kind=self.kind,
            capacity=self.capacity[run],
            threshold=self.threshold[run],
            trust=self.trust[run],
            alignment=self.alignment[run],
            horizon=self.horizon[run],
            patience=self.patience[run],
            ceiling=self.ceiling[run],
            engagement=self.engagement[run],
            outside=self.outside[run],
            names=self.names,
            slices=self.slices,
            counts=counts,
            base_cost=self.base_cost[run],
            reach=self.reach[run],
            rank=self.rank[run],
        )


def _redraw(adjusts: bool, new: Scenario, old: Scenario, name: str) -> bool:
    """Whether a type's draws change from ``old`` to ``new``: its spec, or constraints it reads."""
    spec_new, spec_old = new.population(name), old.population(name)
    if spec_new is not spec_old and spec_new != spec_old:
        return True
    return adjusts and new.constraints is not old.constraints and new.constraints != old.constraints
