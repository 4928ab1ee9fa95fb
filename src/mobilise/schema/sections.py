"""The sections of a scenario: its agents, the mobilisation rule, the network, the owner, trust.

Each is a strict record with its defaults, declared once; :class:`~mobilise.schema.scenario.
Scenario` holds one of each (and the structural :class:`~mobilise.schema.constraints.
Constraints`). They live apart from the scenario so that what reads and edits them by type,
a reform among them (:mod:`mobilise.schema.reforms`), need not import the scenario.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from mobilise.schema.distributions import Beta, Distribution, Fixed
from mobilise.schema.strict import Strict

MAX_AGENTS = 1_000_000
"""The most agents a scenario may hold (all types together): far above the shipped
scenarios' 2,000, and below what one machine's memory takes for a block of runs."""

ATTRIBUTE_DOMAINS: dict[str, tuple[float, float]] = {
    "capacity": (0.0, math.inf),
    "threshold": (0.0, math.inf),
    "trust": (0.0, 1.0),
    "alignment": (0.0, 1.0),
    "horizon": (0.0, math.inf),
}
"""Where each agent attribute has a meaning (the model clips draws to it)."""


class Population(Strict):
    """The agents of one actor type and the distributions of their attributes."""

    count: int = Field(ge=0, le=MAX_AGENTS, description="number of agents")
    capacity: Distribution = Field(
        default_factory=lambda: Fixed(value=1.0),
        description="resources an agent could commit per quarter (relative units)",
    )
    threshold: Distribution = Field(
        default_factory=lambda: Beta(dist="beta", a=2, b=5),
        description="mobilisation threshold theta",
    )
    trust: Distribution = Field(
        default_factory=lambda: Fixed(value=0.5), description="initial trust in the mission"
    )
    alignment: Distribution = Field(
        default_factory=lambda: Fixed(value=0.5), description="alignment with the mission"
    )
    horizon: Distribution = Field(
        default_factory=lambda: Fixed(value=8.0), description="planning horizon H (quarters)"
    )
    cost: float = Field(0.0, ge=0, description="participation cost kappa of the type")
    initial_engaged: float | None = Field(
        None,
        ge=0,
        le=1,
        description="share engaged at the start: those within reach with the lowest "
        "thresholds; default: constraints.volunteering_rate for volunteers, 0 for others",
    )
    reach: float | None = Field(
        None,
        ge=0,
        le=1,
        description="share of the type that can engage at all; default: set by the "
        "constraints (docs/model.md, Reach)",
    )

    @field_validator(*ATTRIBUTE_DOMAINS)
    @classmethod
    def _within_domain(cls, dist: Any, info: ValidationInfo) -> Any:
        """A distribution's finite ends and mean lie where its attribute has a meaning.

        The model clips draws to the domain: a bound far outside it (a uniform from
        -1e12) would pile every agent on the edge. Unbounded tails (a normal) are
        clipped as documented, so only finite ends and the mean are checked.
        """
        floor, ceiling = ATTRIBUTE_DOMAINS[str(info.field_name)]
        low, high = dist.support()
        ends = [end for end in (low, high) if math.isfinite(end)]
        with np.errstate(over="ignore"):  # a lognormal's mean overflows for sigma > 37
            mean = float(dist.mean())
        if not math.isfinite(mean):
            raise ValueError(f"draws from {low:g} to {high:g} have no finite mean")
        if any(not floor <= v <= ceiling for v in (*ends, mean)):
            raise ValueError(
                f"draws from {low:g} to {high:g} (mean {mean:g}), but "
                f"{info.field_name} has a meaning only in [{floor:g}, {ceiling:g}]"
            )
        return dist


class Influence(Strict):
    """Weights and noise of the mobilisation rule."""

    signal: float = Field(1.0, ge=0, description="w_S: weight of the mission signal")
    peer: float = Field(0.5, ge=0, description="w_P: weight of engaged same-type neighbours")
    cross: float = Field(0.3, ge=0, description="w_X: weight of engaged partner types")
    noise: float = Field(0.05, ge=0, description="s: response noise; 0 is a hard threshold")
    adjustment: float = Field(0.5, gt=0, le=1, description="alpha: adjustment speed")
    fatigue: float = Field(
        0.0,
        ge=0,
        le=1,
        description="phi: share of engagement lost per quarter at zero trust (staying cost)",
    )

    @model_validator(mode="after")
    def _engagement_stays_a_share(self) -> Influence:
        if self.adjustment + self.fatigue > 1:
            raise ValueError(
                f"adjustment + fatigue must be at most 1, found "
                f"{self.adjustment:g} + {self.fatigue:g}"
            )
        return self


class Network(Strict):
    """The tie structure. Degrees are expected ties per agent, so shape survives scaling."""

    kind: Literal["complete", "random", "block"] = "block"
    mean_degree: float = Field(8.0, ge=0, description="random: mean ties per agent")
    within_degree: float = Field(6.0, ge=0, description="block: mean same-type ties per agent")
    cross_degree: float = Field(
        1.0,
        ge=0,
        description="block: mean ties from each agent of the smaller type of a pair "
        "to the other type (the coordination channels)",
    )
    within_overrides: dict[str, float] = Field(
        default_factory=dict, description="block: within-type degree for named types"
    )
    cross_overrides: dict[str, float] = Field(
        default_factory=dict, description="block: cross degree for pairs named 'typeA-typeB'"
    )

    @field_validator("within_overrides")
    @classmethod
    def _within_types(cls, value: dict[str, float]) -> dict[str, float]:
        for key, degree in value.items():
            if degree < 0:
                raise ValueError(f"degree of '{key}' must be >= 0, found {degree}")
        return value

    @field_validator("cross_overrides")
    @classmethod
    def _cross_pairs(cls, value: dict[str, float]) -> dict[str, float]:
        for key, degree in value.items():
            parts = key.split("-")
            if len(parts) != 2 or parts[0] == parts[1]:
                raise ValueError(f"pair '{key}' must be two different types joined by '-'")
            if degree < 0:
                raise ValueError(f"degree of '{key}' must be >= 0, found {degree}")
        return value

    def within(self, actor_type: str) -> float:
        """Mean same-type degree of ``actor_type``."""
        return self.within_overrides.get(actor_type, self.within_degree)

    def cross(self, a: str, b: str) -> float:
        """Mean cross degree of the pair ``a``-``b`` (either order)."""
        for key in (f"{a}-{b}", f"{b}-{a}"):
            if key in self.cross_overrides:
                return self.cross_overrides[key]
        return self.cross_degree

    def with_cross(self, pair: str, degree: float) -> Network:
        """A copy with the pair's cross degree set (the canonical key is kept)."""
        a, b = pair.split("-")
        key = f"{b}-{a}" if f"{b}-{a}" in self.cross_overrides else pair
        return self.model_copy(update={"cross_overrides": {**self.cross_overrides, key: degree}})


class Government(Strict):
    """How the mission owner signals, learns and manages its portfolio."""

    clarity: float = Field(0.8, ge=0, le=1, description="clarity of the mission signal")
    initial_credibility: float = Field(0.5, ge=0, le=1)
    credibility_speed: float = Field(
        0.15,
        gt=0,
        le=1,
        description="how fast credibility moves toward (clarity + observed delivery) / 2",
    )
    reshuffle_rate: float = Field(
        0.08, ge=0, le=1, description="chance of a ministerial reshuffle per quarter"
    )
    reshuffle_penalty: float = Field(0.1, ge=0, le=1, description="credibility lost per reshuffle")
    election_interval: int = Field(20, ge=1, description="quarters between general elections")
    election_penalty: float = Field(
        0.2,
        ge=0,
        le=1,
        description="credibility lost at an election when nothing on the roadmap was delivered",
    )
    elections_judge_delivery: bool = Field(
        True,
        description="an election cuts credibility by what the roadmap promised and was not "
        "delivered (false: by election_penalty whatever was delivered, as in v1)",
    )
    observation_noise: float = Field(
        0.03, ge=0, description="sd of the noise on observed progress P"
    )
    monitoring: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="share of the publication lag and noise the owner's own monitoring "
        "removes from what it learns from (0: it sees what everyone sees, when published)",
    )
    budget: float = Field(
        1.0, ge=0, description="mission budget per quarter, GBP bn: spent through initiatives"
    )
    initiatives: int = Field(
        8, ge=1, le=100_000, description="initiatives in the mission portfolio"
    )
    initiative_spread: float = Field(
        0.5, ge=0, description="log-sd of initiatives' true effectiveness"
    )
    portfolio_review: bool = Field(False, description="review, close and scale initiatives")
    review_interval: int = Field(4, ge=1, description="quarters between portfolio reviews")
    reallocation: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of the weakest initiative's budget moved per review "
        "(times capability, capped at 1)",
    )
    capability: float = Field(
        1.0, gt=0, description="civil service capability: multiplies learning speeds"
    )
    capability_growth: float = Field(
        0.1,
        ge=0,
        le=1,
        description="share of the way to twice its starting capability the civil service "
        "grows at each portfolio review (learning by doing)",
    )
    steering: bool = Field(
        True,
        description="at a portfolio review, move initiatives toward the actor type that "
        "binds progress, as the owner sees it",
    )


class Trust(Strict):
    """How agents' trust follows credibility and observed progress."""

    speed: float = Field(0.1, ge=0, le=1, description="base speed of trust adjustment")
    coordination_boost: float = Field(
        1.0, ge=0, description="extra speed for agents tied into coordination channels"
    )
    progress_weight: float = Field(
        0.5, ge=0, le=1, description="weight of observed progress (vs credibility) in trust"
    )
