"""How the structural constraints become agent parameters.

Each function maps one named constraint onto the actor type it limits. The
reference levels are stated here once; docs/model.md cites or flags each.
"""

from __future__ import annotations

import numpy as np

from mobilise.scenario import Constraints

UNION_FULL_REACH_DENSITY = 0.5
"""Union density at which unions' reach counts as full: the 1970-85 level (Hansard 1994)."""

WEEKLY_HOURS_NOT_AVAILABLE = 56.0 + 45.0
"""Hours a week spent asleep (8 x 7) or on care, chores and travel (assumption, 45)."""

REFERENCE_WEEK_HOURS = 32.0
"""A four-day week: the working time at which volunteers' time budget is full (assumption)."""

CONTRACT_SUBSIDY_BURDEN = 0.35
"""Share of capacity a charity that subsidises public contracts loses to it (assumption)."""

OVERSEAS_ALIGNMENT_FACTOR = 0.5
"""Alignment of an overseas investor relative to a domestic one: no domestic stake (assumption)."""


def union_availability(c: Constraints) -> float:
    """Unions' reach relative to full strength: ``density / 0.5``, capped at 1."""
    return min(1.0, c.union_density / UNION_FULL_REACH_DENSITY)


def volunteer_availability(c: Constraints) -> float:
    """Volunteers' time budget: discretionary hours relative to a four-day week's."""
    free = 168.0 - WEEKLY_HOURS_NOT_AVAILABLE - c.weekly_hours
    reference = 168.0 - WEEKLY_HOURS_NOT_AVAILABLE - REFERENCE_WEEK_HOURS
    return float(np.clip(free / reference, 0.0, 1.0))


def charity_availability(c: Constraints) -> float:
    """Charities' capacity not eaten by subsidising public contracts."""
    return 1.0 - c.contract_subsidy_share * CONTRACT_SUBSIDY_BURDEN


def government_availability(c: Constraints) -> float:
    """Government effort that survives silos."""
    return 1.0 - c.government_silo_share


AVAILABILITY = {
    "government": government_availability,
    "business": lambda c: 1.0,
    "union": union_availability,
    "investor": lambda c: 1.0,
    "charity": charity_availability,
    "volunteer": volunteer_availability,
}
"""Share of each type's capacity that can reach the mission, given the constraints."""


def charity_horizon(drawn: np.ndarray, c: Constraints) -> np.ndarray:
    """Charities plan over their funding term: drawn horizons are per year of term."""
    return drawn * c.charity_funding_term_years


def investor_overseas(rng: np.random.Generator, n: int, c: Constraints) -> np.ndarray:
    """Which investors are overseas, short-term holders: exactly the overseas share.

    A random permutation picks them, so the share is exact, not sampled.
    """
    overseas = np.zeros(n, dtype=bool)
    overseas[rng.permutation(n)[: round(c.overseas_share * n)]] = True
    return overseas


def holding_horizon(c: Constraints) -> float:
    """An overseas, short-term holder's horizon in quarters: the holding period."""
    return 4.0 * c.holding_period_years
