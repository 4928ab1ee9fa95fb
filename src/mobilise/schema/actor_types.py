"""Actor types as records: everything that makes a type, declared once per type.

An :class:`ActorType` is a name, how it is shown (label, colour, marker), its *reach*
as a function of the structural constraints (docs/model.md §7.4), any adjustment of
its agents' draws, and the share engaged at the start. (The Mesa agent class that
views a type's agents is the model's concern: :mod:`mobilise.model.agents`.) The six
UK types are declared below; a modeller adds a seventh by declaring another record and
giving it to a scenario (:meth:`Scenario.with_actor_types`), without editing this package.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mobilise.schema.constraints import Constraints

# --- the record ------------------------------------------------------------------------------


@dataclass
class Draws:
    """One type's drawn attributes, before reach: what an :class:`ActorType` may adjust."""

    threshold: np.ndarray
    trust: np.ndarray
    alignment: np.ndarray
    horizon: np.ndarray
    capacity: np.ndarray
    outside: np.ndarray  # agents with no stake at all: reached last (overseas investors)


Adjust = Callable[[Draws, np.random.Generator, Constraints], Draws]


def _no_one(c: Constraints) -> float:
    return 0.0


@dataclass(frozen=True)
class ActorType:
    """One actor type, declared once: name, display, reach, draws, start."""

    name: str
    label: str
    description: str
    colour: str
    marker: str  # circle, square, triangle, triangle-down, diamond or plus
    reach: Callable[[Constraints], float]
    adjust: Adjust | None = None
    initial_engaged: Callable[[Constraints], float] = _no_one
    sources: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"actor type name must be an identifier, found {self.name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        # built-in types pickle by reference (one object per process); others by value
        if BUILT_IN.get(self.name) is self:
            return (_built_in, (self.name,))
        reduced = super().__reduce__()
        assert isinstance(reduced, tuple)  # a dataclass pickles as a tuple, never by name
        return reduced


def _built_in(name: str) -> ActorType:
    return BUILT_IN[name]


# --- the six UK types ---------------------------------------------------------------------------


HOURS_NOT_AVAILABLE = 56.0 + 45.0
"""Hours a week spent asleep (8 x 7) or on care, chores and travel (assumption, 45)."""

SURVEY_WEEKLY_HOURS = 36.5
"""Full-time weekly hours when the volunteering rates above were measured (ONS LFS 2023)."""

LONG_STAKE_YEARS = 1.0
"""How long a holder must keep a stake to care about a mission's payoff (assumption)."""


def spare_time_factor(weekly_hours: float) -> float:
    """Discretionary hours a week relative to those of the survey year (0 when none)."""
    spare = 168.0 - HOURS_NOT_AVAILABLE - weekly_hours
    return max(0.0, spare) / (168.0 - HOURS_NOT_AVAILABLE - SURVEY_WEEKLY_HOURS)


def long_stake_share(holding_period_years: float) -> float:
    """Share of holders who keep a stake beyond :data:`LONG_STAKE_YEARS`: ``h / (h + Y)``.

    Holding periods are heavy-tailed (fast traders beside long-term owners), so
    a falling typical period ``h`` thins the long-term core without emptying it.
    """
    return holding_period_years / (holding_period_years + LONG_STAKE_YEARS)


def short_funding_share(funding_term_years: float) -> float:
    """Share of funding agreements of a year or less.

    Terms exponential with the typical term as their mean give 0.63 at one year
    (Charity Commission 2007 found 0.67).
    """
    return 1.0 - math.exp(-1.0 / funding_term_years)


def government_reach(c: Constraints) -> float:
    """Government effort outside silos."""
    return 1.0 - c.government_silo_share


def business_reach(c: Constraints) -> float:
    """Firms free to invest for the long term: those not held to short-term targets.

    Firms an industrial foundation controls are not held to them (Thomsen et al. 2018:
    foundation-owned firms invest and employ for the long term); the short-termist share
    applies to the others: ``1 - s (1 - f)``.
    """
    return 1.0 - c.short_termist_share * (1.0 - c.foundation_ownership_share)


def union_reach(c: Constraints) -> float:
    """Unions reach their members: the share of employees in a union."""
    return c.union_density


def overseas_investor_share(c: Constraints) -> float:
    """Investors with no domestic stake: the overseas share of what foundations do not own."""
    return c.overseas_share * (1.0 - c.foundation_ownership_share)


def investor_reach(c: Constraints) -> float:
    """Domestic, long-horizon ownership: foundations, then domestic holders who stay long.

    Industrial foundations own the share ``f`` and keep control indefinitely (Thomsen
    et al. 2018), so all of it is domestic and long-horizon; the rest is held as listed
    shares are: ``f + (1 - f)(1 - o) h / (h + Y)``. With ``f = 0`` (the UK) this is
    the v1 equation exactly.
    """
    f = c.foundation_ownership_share
    return f + (1.0 - f) * (1.0 - c.overseas_share) * long_stake_share(c.holding_period_years)


def charity_reach(c: Constraints) -> float:
    """Charities with financial slack: not both subsidising contracts and on short funding."""
    return 1.0 - c.contract_subsidy_share * short_funding_share(c.charity_funding_term_years)


def volunteer_reach(c: Constraints) -> float:
    """Everyone who volunteers formally at all, scaled by spare time.

    Monthly volunteering times the yearly/monthly ratio is the yearly
    volunteering rate (0.28 in the UK today); working time moves it in proportion
    to discretionary hours.
    """
    reach = c.volunteering_rate * c.yearly_per_monthly_volunteers
    return min(1.0, reach * spare_time_factor(c.weekly_hours))


def investors_overseas(draws: Draws, rng: np.random.Generator, c: Constraints) -> Draws:
    """Exactly the overseas share of investors, chosen at random, hold no domestic stake."""
    n = len(draws.threshold)
    overseas = np.zeros(n, dtype=bool)
    overseas[rng.permutation(n)[: round(overseas_investor_share(c) * n)]] = True
    draws.outside = overseas
    return draws


def charities_plan_over_their_funding(
    draws: Draws, rng: np.random.Generator, c: Constraints
) -> Draws:
    """Charities plan over their funding term: drawn horizons are per year of term."""
    draws.horizon = draws.horizon * c.charity_funding_term_years
    return draws


def todays_formal_volunteers(c: Constraints) -> float:
    """Volunteers start engaged at the formal monthly volunteering rate."""
    return c.volunteering_rate


GOVERNMENT = ActorType(
    name="government",
    label="Government",
    description="Departments, arm's-length bodies and local authorities: silos, churn",
    colour="#000000",
    marker="square",
    reach=government_reach,
)
BUSINESS = ActorType(
    name="business",
    label="Business",
    description="Firms: short horizons, low investment, participation cost",
    colour="#E69F00",
    marker="circle",
    reach=business_reach,
    sources=(
        "Graham, Harvey and Rajgopal (2005)",
        "Thomsen, Poulsen, Boersting and Kuhn (2018)",
    ),
)
UNION = ActorType(
    name="union",
    label="Unions",
    description="Trade unions and the workers they reach: falling density",
    colour="#56B4E9",
    marker="triangle",
    reach=union_reach,
    sources=("Labour Force Survey (DBT Trade Union Membership statistics)",),
)
INVESTOR = ActorType(
    name="investor",
    label="Investors",
    description="Asset owners and managers: overseas, short-term ownership",
    colour="#009E73",
    marker="diamond",
    reach=investor_reach,
    adjust=investors_overseas,
    sources=(
        "ONS Ownership of UK quoted shares",
        "Haldane (Bank of England) 2007",
        "Thomsen, Poulsen, Boersting and Kuhn (2018)",
    ),
)
CHARITY = ActorType(
    name="charity",
    label="Charities",
    description="Charities and infrastructure bodies: short-term, fragile funding",
    colour="#D55E00",
    marker="plus",
    reach=charity_reach,
    adjust=charities_plan_over_their_funding,
    sources=("NCVO True Cost 2024", "Charity Commission 2007"),
)
VOLUNTEER = ActorType(
    name="volunteer",
    label="Volunteers",
    description="People who could give time: time budget, declining formal volunteering",
    colour="#CC79A7",
    marker="triangle-down",
    reach=volunteer_reach,
    initial_engaged=todays_formal_volunteers,
    sources=("DCMS Community Life Survey 2023/24", "ONS LFS (YBUO) 2023"),
)

UK_ACTOR_TYPES: tuple[ActorType, ...] = (GOVERNMENT, BUSINESS, UNION, INVESTOR, CHARITY, VOLUNTEER)
"""The six UK types, in the order of every array and column."""

BUILT_IN: dict[str, ActorType] = {t.name: t for t in UK_ACTOR_TYPES}
"""Built-in types by name (a literal catalogue: extend a scenario, never this)."""

ACTOR_TYPES: tuple[str, ...] = tuple(BUILT_IN)
"""The names of the six UK types, in order."""
