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
from mobilise.model.network import build_block_ties, build_ties
from mobilise.model.population import Population
from mobilise.model.streams import Seed
from mobilise.schema.scenario import Scenario

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]

SETTABLE = ("engagement", "trust", "threshold", "capacity", "alignment", "horizon")
"""The agent attributes a user may set between steps (an agent's ``ceiling`` is its reach)."""

_STACKED = ("capacity", "threshold", "trust", "alignment", "horizon", "patience", "ceiling")


class Crowd:
    """The agents of R runs: fixed attributes and state, the networks, and their step."""

    def __init__(
        self, params: Sequence[Scenario], populations: Sequence[Population], seeds: Sequence[Seed]
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
        self.outside = np.stack([p.outside for p in populations])
        self.reach: Array = np.stack([p.reach for p in populations])
        self.base_cost: Array = np.stack([p.base_cost for p in populations])
        self.payoff_lag = np.array([p.mission_spec.payoff_lag for p in params])
        self._engagement: Array = np.stack([p.engagement for p in populations])
        self._spare_trust: Array = np.empty_like(self.trust)
        self._influence(params)
        self._network(params, populations, seeds)
        self._select_live()

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
        self, params: Sequence[Scenario], populations: Sequence[Population], seeds: Sequence[Seed]
    ) -> None:
        networks = [p.network for p in params]
        self.complete = networks[0].kind == "complete"
        if self.complete:  # mean field: shares from each run's type totals
            ties = [
                build_ties(spec, pop, seed)
                for spec, pop, seed in zip(networks, populations, seeds, strict=True)
            ]
            coordination = np.stack([t.coordination() for t in ties])
            self._per_peer: Array = np.stack([t.per_reachable_peer for t in ties])
            self._per_partner: Array = np.stack([t.per_reachable_partner for t in ties])
        else:  # one block-diagonal network over the R * N agents, cut to the live ties
            live = np.flatnonzero(self.ceiling.ravel() > 0)
            self.live_ties = build_block_ties(networks, populations, seeds, live)
            coordination = self.live_ties.coordination.reshape(self.runs, self.size)
        boost = np.array([p.trust.coordination_boost for p in params])[:, None]
        speed = np.array([p.trust.speed for p in params])[:, None]
        self.trust_speed: Array = np.clip(speed * (1.0 + boost * coordination), 0.0, 1.0)

    def _select_live(self) -> None:
        """The live agents (within reach) of every run, flattened, with what they step with.

        ``live`` indexes the flattened R * N agents in order: run by run, type by type,
        so each run's agents of a type are one contiguous segment of the live arrays.
        """
        runs, n, k = self.runs, self.size, len(self.names)
        live = np.flatnonzero(self.ceiling.ravel() > 0)
        self.live: Index = live
        self.live_run: Index = live // n
        self.live_bin: Index = (self.live_run * k + self.kind[live % n]).astype(np.intp)
        self.position = np.full(runs * n, -1, dtype=np.intp)  # r * N + i -> live position
        self.position[live] = np.arange(len(live))
        # per-type sums: each (run, type) with live agents is a segment starting here
        self._bins, self._starts = np.unique(self.live_bin, return_index=True)
        self._type_starts = np.array([self.slices[t].start for t in self.names], dtype=np.intp)
        self._filled_types = np.array([self.slices[t].stop > self.slices[t].start
                                       for t in self.names])  # fmt: skip
        gov = self.slices.get("government")
        self.government = self.names.index("government") if gov and gov.stop > gov.start else None

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
        self.live_engagement = self._engagement.ravel()[live]
        self._placed = True
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

    # --- sums --------------------------------------------------------------------------

    def live_type_sums(self, values: Array) -> Array:
        """Each run's per-type sums of a value per live agent, (R, K).

        Each (run, type) segment is summed alone (``np.add.reduceat``, NumPy's pairwise
        sum), so its sum does not depend on the other runs; types without live agents
        sum to 0.
        """
        sums = np.zeros(self.runs * len(self.names))
        if len(values):
            sums[self._bins] = np.add.reduceat(values, self._starts)
        result: Array = sums.reshape(self.runs, len(self.names))
        return result

    def type_means(self, values: Array) -> Array:
        """Each run's mean of ``values`` (R, N) per type, every agent counted; NaN if none."""
        means = np.full((self.runs, len(self.names)), np.nan)
        filled = self._filled_types
        if filled.any():
            sums = np.add.reduceat(values, self._type_starts[filled], axis=1)
            means[:, filled] = sums / self.counts[filled]
        return means

    # --- the step ------------------------------------------------------------------------

    def respond(self, signal: Array, cost: Array) -> None:
        """Every live agent moves toward its response to the signal, its ties and its cost.

        ``signal`` is each run's mission signal S, ``cost`` each run's participation
        cost per type, (R, K).
        """
        engagement = self.live_engagement
        trust = self.trust.ravel()[self.live]
        peers, partners = self.shares(engagement)
        pressure = mobilisation(
            signal[self.live_run] * self.live_drive * trust,
            peers,
            partners,
            cost.ravel()[self.live_bin],
            w_signal=self.live_w_signal,
            w_peer=self.live_w_peer,
            w_cross=self.live_w_cross,
        )
        target = self.live_ceiling * response(pressure, self.live_threshold, self.live_noise)
        leaving = exit_rate(trust, self.live_fatigue)
        moved = adjust(engagement, target, self.live_adjustment, leaving)
        self.live_engagement = np.clip(moved, 0.0, self.live_ceiling)
        self._placed = False
        self.engaged = self.live_type_sums(self.live_engagement)

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
        drive: Array = self.engaged[:, self.government] / self.counts[self.government]
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
        )
