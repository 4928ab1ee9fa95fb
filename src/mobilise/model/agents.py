"""The Mesa agents: views over one run's arrays, one class per actor type.

The model steps every agent at once (a synchronous update over NumPy arrays,
:class:`~mobilise.model.crowd.Crowd`), so an agent holds only its place and its
attributes read and write the arrays: Mesa's API (``model.agents``,
``agents_by_type``, AgentSet filtering, ``agents.get("engagement")``) at array speed.

Kept apart from the engine so that Mesa is imported only when a
:class:`~mobilise.model.model.MissionModel` builds its agents: batches step blocks of
runs over arrays and never need it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import mesa

from mobilise.model.crowd import Crowd
from mobilise.schema.actor_types import ActorType


def _view(attribute: str, doc: str) -> property:
    def get(self: Actor) -> float:
        return self.crowd.value(attribute, self.run, self.index)

    def set_(self: Actor, value: float) -> None:
        self.crowd.set_value(attribute, self.run, self.index, value)

    return property(get, set_, doc=doc)


class Actor(mesa.Agent):  # type: ignore[misc]  # mesa has no type information
    """An actor of one type; its state lives in ``crowd``'s arrays, run ``run``, at ``index``.

    Setting an attribute between steps changes what the next step uses
    (:meth:`Crowd.set_value`). An agent does not step alone and cannot leave: the
    model moves every agent at once, and its population is fixed for a run.
    """

    actor_type: ClassVar[str] = ""

    def __init__(self, model: mesa.Model, index: int, crowd: Crowd, run: int = 0) -> None:
        super().__init__(model)
        self.index = index
        self.crowd = crowd
        self.run = run

    engagement = _view("engagement", "Engagement e_i in [0, its ceiling].")
    trust = _view("trust", "Trust tau_i in the mission and its owner, in [0, 1].")
    threshold = _view("threshold", "Mobilisation threshold theta_i.")
    capacity = _view("capacity", "Resources c_i the agent could commit per quarter.")
    alignment = _view("alignment", "Alignment a_i with this mission.")
    horizon = _view("horizon", "Planning horizon H_i in quarters (setting it sets patience).")

    @property
    def ceiling(self) -> float:
        """The most this agent can engage: 0 outside its type's reach (set by the scenario)."""
        return self.crowd.value("ceiling", self.run, self.index)

    @property
    def patience(self) -> float:
        """How much the mission's payoff counts at the agent's horizon, in [0, 1]."""
        return self.crowd.value("patience", self.run, self.index)

    @property
    def contribution(self) -> float:
        """What the agent gives this quarter: ``q_i = e_i c_i``."""
        return float(self.engagement * self.capacity)

    def step(self) -> None:
        """Refused: the model steps every agent at once, from the state at the quarter's start."""
        raise RuntimeError(
            "a mobilise agent does not step alone: model.step() moves every agent at once "
            "(a synchronous update), so agents.do('step') and shuffle_do('step') would do "
            "nothing meaningful; call model.step()"
        )

    def remove(self) -> None:
        """Refused: a run's population is fixed (its arrays, network and type means count it)."""
        raise RuntimeError(
            f"agent {self.unique_id} cannot be removed: a mobilise run's population is fixed. "
            "To keep an agent out, give it no reach (its ceiling, from the scenario's "
            "constraints or populations.<type>.reach) or set its engagement to 0"
        )

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


UK_AGENT_CLASSES: Mapping[str, type[Actor]] = {
    cls.actor_type: cls for cls in (Government, Business, Union, Investor, Charity, Volunteer)
}
"""The agent class of each UK actor type, by the type's name."""


def agent_classes_for(
    types: tuple[ActorType, ...], given: Mapping[str, type[Actor]] | None = None
) -> dict[str, type[Actor]]:
    """The agent class of each type: ``given``, else the UK type's, else one made for it.

    A type declared outside the package gets an :class:`Actor` subclass named after
    it (``mentor`` -> ``MentorAgent``), unless its own class is ``given``.
    """
    given = given or {}
    classes: dict[str, type[Actor]] = {}
    for actor_type in types:
        name = actor_type.name
        found = given.get(name) or UK_AGENT_CLASSES.get(name)
        if found is None:
            title = "".join(part.title() for part in name.split("_"))
            namespace: dict[str, Any] = {"actor_type": name, "__doc__": actor_type.description}
            found = type(f"{title}Agent", (Actor,), namespace)
        classes[name] = found
    return classes
