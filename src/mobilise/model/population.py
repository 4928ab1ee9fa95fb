"""The agents' state as NumPy arrays, one per attribute, indexed by agent.

Agents of a type occupy one contiguous slice, in the scenario's actor-type order.
Each type draws from its own named random stream, so changing one type's
parameters (a reform) leaves every other type's draws unchanged: the common
random numbers that make paired comparisons of reforms precise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from mobilise.model.dynamics import patience
from mobilise.model.streams import Path, Seed, generator, shared
from mobilise.schema.actor_types import ActorType, Draws
from mobilise.schema.constraints import Constraints
from mobilise.schema.scenario import Population as PopulationSpec
from mobilise.schema.scenario import Scenario


@dataclass
class Population:
    """Per-agent arrays; ``engagement`` and ``trust`` change, the rest are fixed."""

    kind: np.ndarray  # index of the agent's type in ``names``
    capacity: np.ndarray
    threshold: np.ndarray
    trust: np.ndarray
    alignment: np.ndarray
    horizon: np.ndarray
    patience: np.ndarray
    ceiling: np.ndarray  # largest possible engagement: 0 outside the type's reach
    engagement: np.ndarray
    outside: np.ndarray  # agents with no stake at all (overseas investors): reached last
    names: tuple[str, ...]  # the actor types, in the order of every per-type array
    slices: dict[str, slice]
    counts: np.ndarray  # agents per type
    base_cost: np.ndarray  # participation cost per type
    reach: np.ndarray  # reachable share per type

    @property
    def size(self) -> int:
        """Number of agents."""
        return len(self.kind)

    def by_type(self, values: np.ndarray) -> npt.NDArray[np.float64]:
        """Sum ``values`` over the agents of each type (in ``names`` order)."""
        sums = np.bincount(self.kind, weights=values, minlength=len(self.names))
        return np.asarray(sums, dtype=np.float64)

    def mean_by_type(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` per type; NaN for a type with no agents."""
        with np.errstate(invalid="ignore", divide="ignore"):
            means: np.ndarray = self.by_type(values) / self.counts
        return means


def type_reach(scenario: Scenario, actor_type: ActorType) -> float:
    """The share of ``actor_type`` that can engage in this scenario's mission.

    Set in the scenario, or by the constraints; where the mission funds the
    type, the state as funder and buyer brings that share of those outside
    structural reach within it (:func:`funded_reach`).
    """
    spec = scenario.population(actor_type.name)
    if spec.reach is not None:
        return spec.reach
    structural = actor_type.reach(scenario.constraints)
    funded = scenario.mission_spec.funded.get(actor_type.name, 0.0)
    return funded_reach(structural, funded, scenario.constraints)


def funded_reach(reach: float, funded: float, c: Constraints) -> float:
    """Reach when the state funds and buys: ``R + f (1 - silo) (1 - R)``.

    Advance purchase and guaranteed demand let a funded firm or fund take part
    whatever its owners' horizon; the state reaches a share ``f`` of those
    outside structural reach, through the departments its silos leave free.
    Technological missions fund most of the types they need; socioeconomic
    missions need types the state does not buy from (Demos 2025).
    """
    return reach + funded * (1.0 - c.government_silo_share) * (1.0 - reach)


def engagement_ceiling(reach: float, rank: np.ndarray) -> np.ndarray:
    """Each agent's largest possible engagement, from its reach rank in ``0..n-1``.

    The ``floor(reach * n)`` agents of lowest rank can engage fully, the next one
    partly, the rest not at all: the type's mean ceiling is exactly ``reach``, and
    widening reach only ever adds agents (monotone, common random numbers).
    """
    n = len(rank)
    return np.clip(reach * n - rank, 0.0, 1.0)


def stream_paths(scenario: Scenario) -> list[Path]:
    """The named streams :func:`build_population` draws from: one per actor type."""
    return [_type_stream(t.name) for t in scenario.actor_types]


def _type_stream(name: str) -> Path:
    return ("actor type", name)


def build_population(scenario: Scenario, seed: Seed) -> Population:
    """Draw every agent's attributes, each actor type from its own named stream."""
    constraints = scenario.constraints
    lag = scenario.mission_spec.payoff_lag
    types = scenario.actor_types
    parts: dict[str, list[np.ndarray]] = {name: [] for name in _FIELDS}
    slices: dict[str, slice] = {}
    reach = np.zeros(len(types))
    start = 0
    for index, actor_type in enumerate(types):
        spec = scenario.population(actor_type.name)
        n = spec.count
        slices[actor_type.name] = slice(start, start + n)
        start += n
        draws, rank = shared(
            seed,
            partial(_type_inputs, actor_type, spec, constraints),
            partial(_draw_type, actor_type, spec, constraints, seed),
        )
        reach[index] = type_reach(scenario, actor_type)
        ceiling = engagement_ceiling(reach[index], rank)
        share = spec.initial_engaged
        if share is None:
            share = actor_type.initial_engaged(constraints)
        values = {
            "kind": np.full(n, index, dtype=np.intp),
            "capacity": draws.capacity,
            "threshold": draws.threshold,
            "trust": draws.trust,
            "alignment": draws.alignment,
            "horizon": draws.horizon,
            "patience": patience(draws.horizon, lag),
            "ceiling": ceiling,
            "engagement": _initially_engaged(share, draws.threshold, ceiling),
            "outside": draws.outside,
        }
        for name in _FIELDS:
            parts[name].append(values[name])
    arrays = {name: np.concatenate(chunks) for name, chunks in parts.items()}
    return Population(
        **arrays,
        names=scenario.type_names,
        slices=slices,
        counts=np.array([scenario.population(t).count for t in scenario.type_names], dtype=float),
        base_cost=np.array([scenario.population(t).cost for t in scenario.type_names]),
        reach=reach,
    )


def _type_inputs(
    actor_type: ActorType, spec: PopulationSpec, constraints: Constraints
) -> tuple[object, ...]:
    """Everything :func:`_draw_type` depends on besides the seed.

    Frozen inputs, named by identity (arms that leave a type alone share its spec
    object): exact, and cheap. Keys live no longer than a block's build, which holds them.
    """
    return (actor_type, id(spec), id(constraints))


def _draw_type(
    actor_type: ActorType, spec: PopulationSpec, constraints: Constraints, seed: Seed
) -> tuple[Draws, np.ndarray]:
    """A type's attributes and the order in which its agents are reached.

    All that the type's own stream decides, from its spec and the constraints alone:
    runs of one seed that share those share these draws (:func:`shared`).
    """
    n = spec.count
    rng = generator(seed, *_type_stream(actor_type.name))
    draws = Draws(
        threshold=spec.threshold.sample(rng, n),
        trust=np.clip(spec.trust.sample(rng, n), 0.0, 1.0),
        alignment=np.clip(spec.alignment.sample(rng, n), 0.0, 1.0),
        horizon=np.maximum(spec.horizon.sample(rng, n), 0.0),
        capacity=np.maximum(spec.capacity.sample(rng, n), 0.0),
        outside=np.zeros(n, dtype=bool),
    )
    if actor_type.adjust is not None:
        draws = actor_type.adjust(draws, rng, constraints)
    # who is reached first: a random order, those with no stake at all last
    order = np.lexsort((rng.random(n), draws.outside))
    rank = np.empty(n)
    rank[order] = np.arange(n)
    return draws, rank


def _initially_engaged(share: float, threshold: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
    """Engagement at the start: those within reach with the lowest thresholds, up to ``share``.

    It cannot exceed the type's reach: nobody outside it engages.
    """
    wanted = share * len(threshold)
    engagement = np.zeros(len(threshold))
    if wanted <= 0:  # nobody: the zeros the general case gives, without its work
        return engagement
    reachable = np.flatnonzero(ceiling > 0)
    chosen = reachable[np.argsort(threshold[reachable], kind="stable")]
    engaged = np.minimum(np.cumsum(ceiling[chosen]), wanted)
    engaged[1:] -= engaged[:-1].copy()  # each one's share: np.diff's subtraction, in place
    engagement[chosen] = engaged
    return engagement


_FIELDS = (
    "kind",
    "capacity",
    "threshold",
    "trust",
    "alignment",
    "horizon",
    "patience",
    "ceiling",
    "engagement",
    "outside",
)
