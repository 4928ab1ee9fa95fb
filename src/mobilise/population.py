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
    AVAILABILITY,
    OVERSEAS_ALIGNMENT_FACTOR,
    charity_horizon,
    holding_horizon,
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
    availability: np.ndarray
    engagement: np.ndarray
    overseas: np.ndarray  # investors with a short horizon and no domestic stake
    slices: dict[str, slice]
    counts: np.ndarray  # agents per type, ACTOR_TYPES order
    base_cost: np.ndarray  # participation cost per type, ACTOR_TYPES order

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


def build_population(scenario: Scenario, streams: list[np.random.SeedSequence]) -> Population:
    """Draw every agent's attributes; one seed stream per actor type."""
    constraints = scenario.constraints
    lag = scenario.mission_spec.payoff_lag
    parts: dict[str, list[np.ndarray]] = {name: [] for name in _FIELDS}
    slices: dict[str, slice] = {}
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
            horizon = np.where(overseas, holding_horizon(constraints), horizon)
            alignment = np.where(overseas, alignment * OVERSEAS_ALIGNMENT_FACTOR, alignment)
        elif actor_type == "charity":
            horizon = charity_horizon(horizon, constraints)
        engaged_share = spec.initial_engaged
        if engaged_share is None:  # today's formal volunteers; nobody else
            engaged_share = constraints.volunteering_rate if actor_type == "volunteer" else 0.0
        engagement = np.zeros(n)
        engagement[np.argsort(threshold, kind="stable")[: round(engaged_share * n)]] = 1.0
        values = {
            "kind": np.full(n, index, dtype=np.intp),
            "capacity": capacity,
            "threshold": threshold,
            "trust": trust,
            "alignment": alignment,
            "horizon": horizon,
            "patience": patience(horizon, lag),
            "availability": np.full(n, AVAILABILITY[actor_type](constraints)),
            "engagement": engagement,
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
    )


_FIELDS = (
    "kind",
    "capacity",
    "threshold",
    "trust",
    "alignment",
    "horizon",
    "patience",
    "availability",
    "engagement",
    "overseas",
)
