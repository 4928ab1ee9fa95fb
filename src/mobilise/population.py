"""The agents' state as NumPy arrays, one per attribute, indexed by agent.

Agents of a type occupy one contiguous slice, in :data:`ACTOR_TYPES` order.
Each type draws from its own random stream, so changing one type's
parameters (a reform) leaves every other type's draws unchanged: the common
random numbers that make paired comparisons of reforms precise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobilise.dynamics import patience
from mobilise.missions import ACTOR_TYPES
from mobilise.scenario import Scenario
from mobilise.structure import (
    REACH,
    charity_horizon,
    engagement_ceiling,
    funded_reach,
    investor_overseas,
)


@dataclass
class Population:
    """Per-agent arrays; ``engagement`` and ``trust`` change, the rest are fixed."""

    kind: np.ndarray  # int index into ACTOR_TYPES
    capacity: np.ndarray
    threshold: np.ndarray
    trust: np.ndarray
    alignment: np.ndarray
    horizon: np.ndarray
    patience: np.ndarray
    ceiling: np.ndarray  # largest possible engagement: 0 outside the type's reach
    engagement: np.ndarray
    overseas: np.ndarray  # investors held from overseas: outside reach
    slices: dict[str, slice]
    counts: np.ndarray  # agents per type, ACTOR_TYPES order
    base_cost: np.ndarray  # participation cost per type, ACTOR_TYPES order
    reach: np.ndarray  # reachable share per type, ACTOR_TYPES order

    @property
    def size(self) -> int:
        """Number of agents."""
        return len(self.kind)

    def by_type(self, values: np.ndarray) -> np.ndarray:
        """Sum ``values`` over the agents of each type (ACTOR_TYPES order)."""
        return np.bincount(self.kind, weights=values, minlength=len(ACTOR_TYPES))

    def mean_by_type(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` per type; NaN for a type with no agents."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.by_type(values) / self.counts


def type_reach(scenario: Scenario, actor_type: str) -> float:
    """The share of ``actor_type`` that can engage in this scenario's mission.

    Set in the scenario, or by the constraints; where the mission funds the
    type, the state as funder and buyer brings that share of those outside
    structural reach within it (see :func:`structure.funded_reach`).
    """
    spec = scenario.population(actor_type)
    if spec.reach is not None:
        return spec.reach
    structural = REACH[actor_type](scenario.constraints)
    funded = scenario.mission_spec.funded.get(actor_type, 0.0)
    return funded_reach(structural, funded, scenario.constraints)


def build_population(scenario: Scenario, streams: list[np.random.SeedSequence]) -> Population:
    """Draw every agent's attributes; one seed stream per actor type."""
    constraints = scenario.constraints
    lag = scenario.mission_spec.payoff_lag
    parts: dict[str, list[np.ndarray]] = {name: [] for name in _FIELDS}
    slices: dict[str, slice] = {}
    reach = np.zeros(len(ACTOR_TYPES))
    start = 0
    for index, (actor_type, stream) in enumerate(zip(ACTOR_TYPES, streams, strict=True)):
        spec = scenario.population(actor_type)
        n = spec.count
        slices[actor_type] = slice(start, start + n)
        start += n
        rng = np.random.default_rng(stream)
        threshold = spec.threshold.sample(rng, n)
        trust = np.clip(spec.trust.sample(rng, n), 0.0, 1.0)
        alignment = np.clip(spec.alignment.sample(rng, n), 0.0, 1.0)
        horizon = np.maximum(spec.horizon.sample(rng, n), 0.0)
        capacity = np.maximum(spec.capacity.sample(rng, n), 0.0)
        overseas = np.zeros(n, dtype=bool)
        if actor_type == "investor":
            overseas = investor_overseas(rng, n, constraints)
        elif actor_type == "charity":
            horizon = charity_horizon(horizon, constraints)
        reach[index] = type_reach(scenario, actor_type)
        # who is reached first: a random order, overseas investors last (no domestic stake)
        order = np.lexsort((rng.random(n), overseas))
        rank = np.empty(n)
        rank[order] = np.arange(n)
        ceiling = engagement_ceiling(reach[index], rank)
        values = {
            "kind": np.full(n, index, dtype=np.intp),
            "capacity": capacity,
            "threshold": threshold,
            "trust": trust,
            "alignment": alignment,
            "horizon": horizon,
            "patience": patience(horizon, lag),
            "ceiling": ceiling,
            "engagement": _initially_engaged(
                spec.initial_engaged, actor_type, scenario, threshold, ceiling
            ),
            "overseas": overseas,
        }
        for name in _FIELDS:
            parts[name].append(values[name])
    arrays = {name: np.concatenate(chunks) for name, chunks in parts.items()}
    return Population(
        **arrays,
        slices=slices,
        counts=np.array([scenario.population(t).count for t in ACTOR_TYPES], dtype=float),
        base_cost=np.array([scenario.population(t).cost for t in ACTOR_TYPES]),
        reach=reach,
    )


def _initially_engaged(
    share: float | None,
    actor_type: str,
    scenario: Scenario,
    threshold: np.ndarray,
    ceiling: np.ndarray,
) -> np.ndarray:
    """Engagement at the start: those within reach with the lowest thresholds, up to ``share``.

    ``share`` defaults to today's formal volunteers for volunteers and 0 for
    everyone else; it cannot exceed the type's reach (nobody outside it engages).
    """
    if share is None:
        share = scenario.constraints.volunteering_rate if actor_type == "volunteer" else 0.0
    wanted = share * len(threshold)
    reachable = np.flatnonzero(ceiling > 0)
    chosen = reachable[np.argsort(threshold[reachable], kind="stable")]
    engagement = np.zeros(len(threshold))
    engaged = np.minimum(np.cumsum(ceiling[chosen]), wanted)
    engagement[chosen] = np.diff(engaged, prepend=0.0)
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
    "overseas",
)
