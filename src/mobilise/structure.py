"""How the structural constraints decide who *can* mobilise: each type's reach.

Reach is the share of an actor type that is structurally able to engage with a
mission at all, whatever the signal or its peers: union members, people with
spare time who volunteer, domestic holders who keep their shares long enough,
charities with financial slack, departments outside silos, firms not held to
short-term targets. Agents outside reach cannot engage (model: an engagement
ceiling of 0). Each function below reads its constraints and nothing else; the
reference values are stated here once and docs/model.md cites or flags each.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from mobilise.scenario import Constraints

YEARLY_PER_MONTHLY_VOLUNTEERS = 0.28 / 0.16
"""Adults volunteering formally at least once a year per adult volunteering monthly
(DCMS Community Life Survey 2023/24: 0.28 and 0.16): the occasional volunteers a
mission can also draw on."""

HOURS_NOT_AVAILABLE = 56.0 + 45.0
"""Hours a week spent asleep (8 x 7) or on care, chores and travel (assumption, 45)."""

SURVEY_WEEKLY_HOURS = 36.5
"""Full-time weekly hours when the volunteering rates above were measured (ONS LFS 2023)."""

LONG_STAKE_YEARS = 1.0
"""How long a holder must keep a stake to care about a mission's payoff (assumption)."""


def union_reach(c: Constraints) -> float:
    """Unions reach their members: the share of employees in a union."""
    return c.union_density


def spare_time_factor(weekly_hours: float) -> float:
    """Discretionary hours a week relative to those of the survey year (0 when none)."""
    spare = 168.0 - HOURS_NOT_AVAILABLE - weekly_hours
    return max(0.0, spare) / (168.0 - HOURS_NOT_AVAILABLE - SURVEY_WEEKLY_HOURS)


def volunteer_reach(c: Constraints) -> float:
    """Everyone who volunteers formally at all, scaled by spare time.

    Monthly volunteering times the yearly/monthly ratio is the yearly
    volunteering rate (0.28 today); working time moves it in proportion to
    discretionary hours.
    """
    reach = c.volunteering_rate * YEARLY_PER_MONTHLY_VOLUNTEERS
    return min(1.0, reach * spare_time_factor(c.weekly_hours))


def long_stake_share(holding_period_years: float) -> float:
    """Share of holders who keep a stake beyond :data:`LONG_STAKE_YEARS`: ``h / (h + Y)``.

    Holding periods are heavy-tailed (fast traders beside long-term owners), so
    a falling typical period ``h`` thins the long-term core without emptying it.
    """
    return holding_period_years / (holding_period_years + LONG_STAKE_YEARS)


def investor_reach(c: Constraints) -> float:
    """Domestic, long-horizon ownership: domestic holders who keep a stake long enough."""
    return (1.0 - c.overseas_share) * long_stake_share(c.holding_period_years)


def short_funding_share(funding_term_years: float) -> float:
    """Share of funding agreements of a year or less.

    Terms exponential with the typical term as their mean give 0.63 at one year
    (Charity Commission 2007 found 0.67).
    """
    return 1.0 - math.exp(-1.0 / funding_term_years)


def charity_reach(c: Constraints) -> float:
    """Charities with financial slack: not both subsidising contracts and on short funding."""
    return 1.0 - c.contract_subsidy_share * short_funding_share(c.charity_funding_term_years)


def government_reach(c: Constraints) -> float:
    """Government effort outside silos."""
    return 1.0 - c.government_silo_share


def business_reach(c: Constraints) -> float:
    """Firms free to invest for the long term: those not held to short-term targets."""
    return 1.0 - c.short_termist_share


REACH: dict[str, Callable[[Constraints], float]] = {
    "government": government_reach,
    "business": business_reach,
    "union": union_reach,
    "investor": investor_reach,
    "charity": charity_reach,
    "volunteer": volunteer_reach,
}
"""Each actor type's structurally reachable share, given the constraints."""


def funded_reach(reach: float, funded: float, c: Constraints) -> float:
    """Reach when the state funds and buys: ``R + f (1 - silo) (1 - R)``.

    Advance purchase and guaranteed demand let a funded firm or fund take part
    whatever its owners' horizon; the state reaches a share ``f`` of those
    outside structural reach, through the departments its silos leave free.
    Technological missions fund most of the types they need; socioeconomic
    missions need types the state does not buy from (Demos 2025).
    """
    return reach + funded * government_reach(c) * (1.0 - reach)


def charity_horizon(drawn: np.ndarray, c: Constraints) -> np.ndarray:
    """Charities plan over their funding term: drawn horizons are per year of term."""
    return drawn * c.charity_funding_term_years


def investor_overseas(rng: np.random.Generator, n: int, c: Constraints) -> np.ndarray:
    """Which investors are overseas holders: exactly the overseas share, chosen at random."""
    overseas = np.zeros(n, dtype=bool)
    overseas[rng.permutation(n)[: round(c.overseas_share * n)]] = True
    return overseas


def engagement_ceiling(reach: float, rank: np.ndarray) -> np.ndarray:
    """Each agent's largest possible engagement, from its reach rank in ``0..n-1``.

    The ``floor(reach * n)`` agents of lowest rank can engage fully, the next one
    partly, the rest not at all: the type's mean ceiling is exactly ``reach``, and
    widening reach only ever adds agents (monotone, common random numbers).
    """
    n = len(rank)
    return np.clip(reach * n - rank, 0.0, 1.0)
