"""The six actor types as Mesa agents: thin views over the population arrays.

The step is vectorised over NumPy arrays (see :mod:`mobilise.model`), so an
agent holds only its index; its attributes read and write the arrays. This
keeps the Mesa API (``model.agents``, ``agents_by_type``, AgentSet filtering)
for the app and for users, at array speed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa

from mobilise.dynamics import patience

if TYPE_CHECKING:
    from mobilise.model import MissionModel


def _view(attribute: str, doc: str) -> property:
    def get(self: Actor) -> float:
        return float(getattr(self.model.population, attribute)[self.index])

    def set_(self: Actor, value: float) -> None:
        getattr(self.model.population, attribute)[self.index] = value

    return property(get, set_, doc=doc)


class Actor(mesa.Agent):
    """An actor of one type; its state lives in ``model.population`` at ``index``."""

    actor_type: ClassVar[str] = ""

    def __init__(self, model: MissionModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    engagement = _view("engagement", "Engagement e_i in [0, 1].")
    trust = _view("trust", "Trust tau_i in the mission and its owner.")
    threshold = _view("threshold", "Mobilisation threshold theta_i.")
    capacity = _view("capacity", "Resources c_i the agent could commit per quarter.")
    alignment = _view("alignment", "Alignment a_i with this mission.")

    @property
    def horizon(self) -> float:
        """Planning horizon H_i in quarters (setting it updates the agent's patience)."""
        return float(self.model.population.horizon[self.index])

    @horizon.setter
    def horizon(self, value: float) -> None:
        pop = self.model.population
        pop.horizon[self.index] = value
        pop.patience[self.index] = patience(value, self.model.mission.payoff_lag)

    @property
    def contribution(self) -> float:
        """What the agent gives this quarter: ``q_i = e_i c_i``."""
        pop = self.model.population
        return float(pop.engagement[self.index] * pop.capacity[self.index])

    @property
    def ceiling(self) -> float:
        """The most this agent can engage: 0 outside its type's reach, 1 well inside it."""
        return float(self.model.population.ceiling[self.index])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.unique_id}, engagement={self.engagement:.2f})"


class Government(Actor):
    """Departments and local authorities: limited by silos and churn."""

    actor_type = "government"


class Business(Actor):
    """Firms: short horizons, low investment, participation cost."""

    actor_type = "business"


class Union(Actor):
    """Trade unions and the workers they reach: limited by falling density."""

    actor_type = "union"


class Investor(Actor):
    """Asset owners and managers: limited by overseas, short-term ownership."""

    actor_type = "investor"

    @property
    def overseas(self) -> bool:
        """Whether this investor is held from overseas (and so outside reach)."""
        return bool(self.model.population.overseas[self.index])


class Charity(Actor):
    """Charities and infrastructure bodies: short-term, fragile funding."""

    actor_type = "charity"


class Volunteer(Actor):
    """People who could give time: limited by their time budget."""

    actor_type = "volunteer"


AGENT_CLASSES: dict[str, type[Actor]] = {
    cls.actor_type: cls for cls in (Government, Business, Union, Investor, Charity, Volunteer)
}
"""Actor type name -> Mesa agent class."""
