"""The Mesa agents: views over the population arrays, one class per UK actor type.

Kept apart from :mod:`mobilise.schema.actor_types` so that Mesa is imported only when
a model builds its agents: batches and the app's comparisons step blocks of runs
over arrays and never need it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa

if TYPE_CHECKING:
    from mobilise.model.model import MissionModel


# --- the agent: a view over the population arrays ------------------------------------


def _view(attribute: str, doc: str) -> property:
    def get(self: Actor) -> float:
        return float(getattr(self.model.population, attribute)[self.index])

    def set_(self: Actor, value: float) -> None:
        getattr(self.model.population, attribute)[self.index] = value

    return property(get, set_, doc=doc)


class Actor(mesa.Agent):  # type: ignore[misc]  # mesa has no type information
    """An actor of one type; its state lives in ``model.population`` at ``index``.

    The step is vectorised over NumPy arrays, so an agent holds only its index and
    its attributes read and write the arrays: the Mesa API (``model.agents``,
    ``agents_by_type``, AgentSet filtering) at array speed.
    """

    actor_type: ClassVar[str] = ""
    model: MissionModel

    def __init__(self, model: MissionModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    engagement = _view("engagement", "Engagement e_i in [0, its ceiling].")
    trust = _view("trust", "Trust tau_i in the mission and its owner.")
    threshold = _view("threshold", "Mobilisation threshold theta_i.")
    capacity = _view("capacity", "Resources c_i the agent could commit per quarter.")
    alignment = _view("alignment", "Alignment a_i with this mission.")
    ceiling = _view("ceiling", "The most this agent can engage: 0 outside its type's reach.")

    @property
    def horizon(self) -> float:
        """Planning horizon H_i in quarters (setting it updates the agent's patience)."""
        return float(self.model.population.horizon[self.index])

    @horizon.setter
    def horizon(self, value: float) -> None:
        self.model.set_horizon(self.index, value)

    @property
    def contribution(self) -> float:
        """What the agent gives this quarter: ``q_i = e_i c_i``."""
        pop = self.model.population
        return float(pop.engagement[self.index] * pop.capacity[self.index])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.unique_id}, engagement={self.engagement:.2f})"


# --- the six UK types' agents -----------------------------------------------------------
# Each type has its own agent class, so Mesa's ``agents_by_type`` tells them apart.


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


class Charity(Actor):
    """Charities and infrastructure bodies: short-term, fragile funding."""

    actor_type = "charity"


class Volunteer(Actor):
    """People who could give time: limited by their time budget."""

    actor_type = "volunteer"
