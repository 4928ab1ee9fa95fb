"""The agents' state as NumPy arrays, one per attribute, indexed by agent.

Agents of a type occupy one contiguous slice, in the scenario's actor-type order.
Each type draws from its own named random stream, so changing one type's
parameters (a reform) leaves every other type's draws unchanged: the common
random numbers that make paired comparisons of reforms precise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from mobilise.model.dynamics import patience
from mobilise.model.streams import Path, Seed, generator, shared
from mobilise.schema.actor_types import ActorType, Draws
from mobilise.schema.constraints import Constraints
from mobilise.schema.scenario import Scenario
from mobilise.schema.sections import Population as PopulationSpec


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
    rank: np.ndarray  # each agent's place in its type's reach order (0: reached first)

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


def type_reach(
    scenario: Scenario, actor_type: ActorType, constraints: Constraints | None = None
) -> float:
    """The share of ``actor_type`` that can engage in this scenario's mission.

    Set in the scenario, or by the constraints (the scenario's, or ``constraints``:
    structures as they have moved); where the mission funds the type, the state as
    funder and buyer brings that share of those outside structural reach within it
    (:func:`funded_reach`).
    """
    spec = scenario.population(actor_type.name)
    if spec.reach is not None:
        return spec.reach
    c = scenario.constraints if constraints is None else constraints
    structural = actor_type.reach(c)
    funded = scenario.mission_spec.funded.get(actor_type.name, 0.0)
    return funded_reach(structural, funded, c)


def funded_reach(reach: float, funded: float, c: Constraints) -> float:
    """Reach when the state funds and buys: ``R + f (1 - silo) (1 - R)``.

    Advance purchase and guaranteed demand let a funded firm or fund take part
    whatever its owners' horizon; the state reaches a share ``f`` of those
    outside structural reach, through the departments its silos leave free.
    Technological missions fund most of the types they need; socioeconomic
    missions need types the state does not buy from (Demos 2025).
    """
    return reach + funded * (1.0 - c.government_silo_share) * (1.0 - reach)


def engagement_ceiling(reach: float | np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Each agent's largest possible engagement, from its reach rank in ``0..n-1``.

    The ``floor(reach * n)`` agents of lowest rank can engage fully, the next one
    partly, the rest not at all: the type's mean ceiling is exactly ``reach``, and
    widening reach only ever adds agents (monotone, common random numbers).
    """
    n = rank.shape[-1]
    ceiling: np.ndarray = np.clip(reach * n - rank, 0.0, 1.0)
    return ceiling


def stream_paths(scenario: Scenario) -> list[Path]:
    """The named streams :func:`build_population` draws from: one per actor type."""
    return [_type_stream(t.name) for t in scenario.actor_types]


def _type_stream(name: str) -> Path:
    return ("actor type", name)


def build_population(scenario: Scenario, seed: Seed) -> Population:
    """Draw every agent's attributes, each actor type from its own named stream."""
    return build_populations([scenario], [seed])[0]


def build_populations(scenarios: Sequence[Scenario], seeds: Sequence[Seed]) -> list[Population]:
    """Each run's population, the one :func:`build_population` draws for it alone.

    The runs share actor types and counts (a block's runs do). Each type is drawn from
    each run's own stream; what follows the draws (ceilings, patience, who starts
    engaged: elementwise and row by row) is computed for all runs at once.
    """
    first = scenarios[0]
    types, runs = first.actor_types, len(scenarios)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in _FIELDS}
    slices: dict[str, slice] = {}
    reach = np.zeros((runs, len(types)))
    lag = np.array([[s.mission_spec.payoff_lag] for s in scenarios], dtype=float)
    start = 0
    for index, actor_type in enumerate(types):
        n = first.population(actor_type.name).count
        slices[actor_type.name] = slice(start, start + n)
        start += n
        drawn, share = [], np.empty(runs)
        for r, (scenario, seed) in enumerate(zip(scenarios, seeds, strict=True)):
            spec, constraints = scenario.population(actor_type.name), scenario.constraints
            drawn.append(
                shared(
                    seed,
                    _type_inputs(actor_type, spec, constraints),
                    partial(draw_type, actor_type, spec, constraints, seed),
                )
            )
            reach[r, index] = type_reach(scenario, actor_type)
            given = spec.initial_engaged
            share[r] = actor_type.initial_engaged(constraints) if given is None else given

        values = {  # (runs, n) each; concatenated, which is np.stack without its per-array work
            name: np.concatenate([getattr(draws, name) for draws, _ in drawn]).reshape(runs, n)
            for name in _DRAWN
        }
        rank = np.concatenate([rank for _, rank in drawn]).reshape(runs, n)
        ceiling = engagement_ceiling(reach[:, index : index + 1], rank)
        values.update(
            rank=rank,
            kind=np.full((runs, n), index, dtype=np.intp),
            patience=patience(values["horizon"], lag),
            ceiling=ceiling,
            engagement=_initially_engaged(share, values["threshold"], ceiling),
        )
        for name in _FIELDS:
            parts[name].append(values[name])
    arrays = {name: np.concatenate(chunks, axis=1) for name, chunks in parts.items()}
    counts = np.array([first.population(t).count for t in first.type_names], dtype=float)
    return [
        Population(
            **{name: values[r] for name, values in arrays.items()},
            names=first.type_names,
            slices=slices,
            counts=counts,
            base_cost=np.array([scenario.population(t).cost for t in scenario.type_names]),
            reach=reach[r],
        )
        for r, scenario in enumerate(scenarios)
    ]


def _type_inputs(
    actor_type: ActorType, spec: PopulationSpec, constraints: Constraints
) -> tuple[object, ...]:
    """Everything :func:`draw_type` depends on besides the seed.

    Frozen inputs, named by identity (arms that leave a type alone share its spec
    object): exact, and cheap. Keys live no longer than a block's build, which holds them.
    The constraints count only for a type whose draws they adjust: a reform that moves a
    constraint redraws only those types.
    """
    if actor_type.adjust is None:
        return (actor_type, id(spec))
    return (actor_type, id(spec), id(constraints))


def draw_type(
    actor_type: ActorType, spec: PopulationSpec, constraints: Constraints, seed: Seed
) -> tuple[Draws, np.ndarray]:
    """A type's attributes and the order in which its agents are reached.

    All that the type's own stream decides, from its spec and the constraints alone:
    runs of one seed that share those share these draws (:func:`shared`). The reach
    order is drawn before any adjustment of the draws, and does not depend on the
    spec or the constraints: a reform that widens reach adds agents to it.
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
        reach_key=rng.random(n),
    )
    if actor_type.adjust is not None:
        draws = actor_type.adjust(draws, rng, constraints)
    # who is reached first: a random order, those with no stake at all last
    assert draws.reach_key is not None
    order = np.lexsort((draws.reach_key, draws.outside))
    rank = np.empty(n)
    rank[order] = np.arange(n)
    return draws, rank


def _initially_engaged(share: np.ndarray, threshold: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
    """Engagement at the start: those within reach with the lowest thresholds, up to ``share``.

    Row by row (a run each, ``share`` one per row). It cannot exceed the type's reach:
    nobody outside it engages. Agents outside reach sort last (threshold taken as
    infinite) and add nothing to the running total, so each row gets what it alone
    would: reachable agents in threshold order, ties by index.
    """
    runs, n = threshold.shape
    wanted = share * n
    engagement = np.zeros((runs, n))
    if not np.any(wanted > 0):  # nobody: the zeros the general case gives, without its work
        return engagement
    order = np.argsort(np.where(ceiling > 0, threshold, np.inf), axis=1, kind="stable")
    engaged = np.minimum(
        np.cumsum(np.take_along_axis(ceiling, order, axis=1), axis=1), wanted[:, None]
    )
    engaged[:, 1:] -= engaged[:, :-1].copy()  # each one's share: np.diff's subtraction
    np.put_along_axis(engagement, order, engaged, axis=1)
    engagement[~(wanted > 0)] = 0.0
    return engagement


_DRAWN = ("capacity", "threshold", "trust", "alignment", "horizon", "outside")
"""The fields of :class:`~mobilise.schema.actor_types.Draws`, as drawn per type."""

_FIELDS = (
    "kind",
    "rank",
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
