"""The scenario: one typed, validated object holding every input of a run.

Every default lives here. Loading a file turns any problem (YAML syntax, an
unknown key, a wrong type, an out-of-range value, an unknown reform or
mission) into a :class:`ScenarioError` whose message is one line: the file,
the field path, what was expected and what was found.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from mobilise.schema.actor_types import BUILT_IN, UK_ACTOR_TYPES, ActorType
from mobilise.schema.constraints import Constraints
from mobilise.schema.distributions import Beta, Distribution, Fixed
from mobilise.schema.files import file_hash as file_hash  # re-exported: its old home
from mobilise.schema.files import format_validation_error as format_validation_error
from mobilise.schema.files import read_yaml as read_yaml
from mobilise.schema.files import validated
from mobilise.schema.missions import MISSIONS, Mission
from mobilise.schema.patterns import Pattern, check_output_name, check_reforms
from mobilise.schema.ranges import Ranges
from mobilise.schema.schedule import Timing, check_schedule
from mobilise.schema.shipped import resolve
from mobilise.schema.sources import Citation, check_complete, check_sources
from mobilise.schema.strict import Strict
from mobilise.schema.trends import Structures, check_trend_fits, check_trends
from mobilise.vocabulary import (
    ScenarioError,
    check_known,
    quarter_index,
    unknown_name,
)

MAX_AGENTS = 1_000_000
"""The most agents a scenario may hold (all types together): far above the shipped
scenarios' 2,000, and below what one machine's memory takes for a block of runs."""

MAX_TIES = 50_000_000
"""The most ties a run's network may draw (their pairs are held in memory as it is built)."""

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


class Target(Strict):
    """A fact that should emerge from the model, not be put into it."""

    fact: str = Field(description="name of the fact, e.g. a series of data/stylised_facts.csv")
    output: str = Field(description="a per-step column of the run, read at the last step")
    value: float = Field(description="the data value")
    tolerance: float = Field(gt=0, description="how far the model may be and still match")
    conditions: dict[str, Any] = Field(
        default_factory=dict, description="scenario fields set for this check, e.g. no signal"
    )
    source: str = ""

    @field_validator("output")
    @classmethod
    def _output_known(cls, value: str) -> str:
        return check_output_name(value)

    def as_pattern(self) -> Pattern:
        """The target as a pattern: the mean at the horizon, near the data value."""
        return Pattern(
            name=self.fact,
            output=self.output,
            conditions=self.conditions,
            near=self.value,
            tolerance=self.tolerance,
            source=self.source,
        )


class Calibration(Strict):
    """Targets, the free parameters fitted to them, and the record of the last fit."""

    targets: list[Target] = Field(min_length=1)
    parameters: Ranges = Field(default_factory=dict, description="field path -> [low, high] to fit")
    replications: int = Field(8, ge=1, le=1000)
    seed: int = Field(0, ge=0)
    fitted: dict[str, Any] | None = Field(None, description="written by mobilise calibrate")


class Scenario(Strict):
    """Everything a run needs except its seed's replication number.

    ``actor_types`` are the records of the types the scenario may populate: the
    six UK types unless extended (:meth:`with_actor_types`); they are code, not
    data, so they are not written out with the rest.
    """

    model_config = ConfigDict(**Strict.model_config, arbitrary_types_allowed=True)

    name: str = Field(description="the scenario's name, in outputs and manifests")
    description: str = Field("", description="what the scenario represents, in words")
    mission: str | Mission = Field(description="a catalogue name or an inline mission")
    quarters: int = Field(40, ge=1, le=400, description="quarters to run: the horizon")
    start: str = Field("2025Q1", description="first quarter, like 2025Q1")
    populations: dict[str, Population] = Field(description="actor type -> its agents")
    influence: Influence = Field(default_factory=Influence, description="the mobilisation rule")
    network: Network = Field(default_factory=Network, description="who is tied to whom")
    constraints: Constraints = Field(
        default_factory=Constraints, description="the structural constraints, with sources"
    )
    sources: dict[str, Citation] = Field(
        default_factory=dict,
        description="constraint -> where its value comes from: a data row "
        "'file.csv:series,year' or {assumption: ...}; once one is given every constraint "
        "needs one, and loading the file checks each row (schema/sources.py)",
    )
    structures: Structures = Field(
        default_factory=Structures,
        description="how the structural constraints move during a run: trends and what "
        "mobilisation builds (schema/trends.py)",
    )
    government: Government = Field(default_factory=Government, description="the mission owner")
    trust: Trust = Field(default_factory=Trust, description="how trust moves")
    reforms: dict[str, float] = Field(default_factory=dict, description="reform -> strength")
    timing: dict[str, Timing] = Field(
        default_factory=dict,
        description="reform -> when it is in force: start, ramp, end, or a trigger (default: "
        "from the first quarter)",
    )
    seed: int = Field(0, ge=0, description="seed of a single run (batches seed each run)")
    calibration: Calibration | None = Field(
        None, description="facts that should emerge, and the parameters fitted to them"
    )
    patterns: list[Pattern] = Field(
        default_factory=list, description="claims about the model, run by mobilise check"
    )
    actor_types: tuple[ActorType, ...] = Field(
        UK_ACTOR_TYPES, exclude=True, description="the actor types, in array and column order"
    )

    @field_validator("actor_types", mode="before")
    @classmethod
    def _records(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):  # built-in types may be named
            return tuple(BUILT_IN[check_known("actor type", v, BUILT_IN)] if isinstance(v, str)
                         else v for v in value)  # fmt: skip
        return value

    @field_validator("start")
    @classmethod
    def _start(cls, value: str) -> str:
        quarter_index(value)
        return value

    @field_validator("mission", mode="before")
    @classmethod
    def _mission_known(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in MISSIONS:
            raise unknown_name("mission", value, MISSIONS)
        return value

    @field_validator("populations")
    @classmethod
    def _someone(cls, value: dict[str, Population]) -> dict[str, Population]:
        total = sum(p.count for p in value.values())
        if total == 0:
            raise ValueError("at least one actor type needs a positive count")
        if total > MAX_AGENTS:
            raise ValueError(f"at most {MAX_AGENTS:,} agents in all, found {total:,}")
        return value

    @model_validator(mode="after")
    def _types_known(self) -> Scenario:
        """Every actor type the scenario names is one of its types (one line if not)."""
        names = self.type_names
        if len(set(names)) != len(names):
            raise ValueError(f"actor_types: names must be unique, found {', '.join(names)}")
        mission = self.mission_spec
        named = [
            ("populations", list(self.populations)),
            ("network.within_overrides", list(self.network.within_overrides)),
            ("network.cross_overrides",
             [part for pair in self.network.cross_overrides for part in pair.split("-")]),
            ("mission.weights", list(mission.weights)),
            ("mission.funded", list(mission.funded)),
            ("mission.need_overrides", list(mission.need_overrides)),
        ]  # fmt: skip
        for where, keys in named:
            for key in keys:
                if key not in names:
                    raise ValueError(f"{where}: {unknown_name('actor type', key, names)}")
        return self

    @field_validator("sources")
    @classmethod
    def _sources_complete(cls, value: dict[str, Citation]) -> dict[str, Citation]:
        return check_complete(value)

    @field_validator("reforms")
    @classmethod
    def _reforms_known(cls, value: dict[str, float]) -> dict[str, float]:
        check_reforms(value)
        return value

    @model_validator(mode="after")
    def _trends_fit(self) -> Scenario:
        check_trends(self.structures, self.constraints, self.quarters)
        return self

    @model_validator(mode="after")
    def _timing_fits(self) -> Scenario:
        if self.timing:
            self.check_timing(self.timing, self.reforms)
        return self

    def check_timing(self, timing: Mapping[str, Timing], reforms: Mapping[str, float]) -> None:
        """``timing`` fits a run of this scenario with ``reforms``; ValueError in one line if not.

        Every start and end within the run, every trigger on a type and milestone it has
        (:func:`mobilise.schema.schedule.check_schedule`).
        """
        check_schedule(
            timing,
            reforms,
            start=self.start,
            quarters=self.quarters,
            types=self.type_names,
            milestones=[m.quarter for m in self.mission_spec.milestones],
        )

    @model_validator(mode="after")
    def _network_fits(self) -> Scenario:
        if self.network.kind == "random" and self.network.mean_degree >= self.size:
            raise ValueError(
                f"network.mean_degree {self.network.mean_degree} must be below "
                f"the number of agents {self.size}"
            )
        if (ties := self._ties_drawn()) > MAX_TIES:
            raise ValueError(
                f"network: its degrees draw about {ties:,.0f} ties a run; at most "
                f"{MAX_TIES:,} (lower the degrees)"
            )
        return self

    def _ties_drawn(self) -> float:
        """How many ties a run's network draws (as the model samples them)."""
        network, counts = self.network, {t: p.count for t, p in self.populations.items()}
        if network.kind == "complete":
            return 0.0  # everyone sees everyone's totals: no tie is drawn
        if network.kind == "random":
            return self.size * network.mean_degree / 2
        types = [t for t, n in counts.items() if n > 0]
        within = sum(counts[t] * network.within(t) / 2 for t in types)
        cross = sum(
            network.cross(a, b) * min(counts[a], counts[b])
            for i, a in enumerate(types)
            for b in types[i + 1 :]
        )
        return within + cross

    @property
    def type_names(self) -> tuple[str, ...]:
        """The names of the scenario's actor types, in array and column order."""
        return tuple(t.name for t in self.actor_types)

    def with_actor_types(self, *extra: ActorType) -> Scenario:
        """A copy that may also populate ``extra`` types (appended, in the order given)."""
        return self._validated(
            self.model_dump(by_alias=True), (*self.actor_types, *extra), "actor_types"
        )

    @property
    def size(self) -> int:
        """Total number of agents."""
        return sum(p.count for p in self.populations.values())

    @property
    def mission_spec(self) -> Mission:
        """The mission, resolved from the catalogue when given by name."""
        return MISSIONS[self.mission] if isinstance(self.mission, str) else self.mission

    def population(self, actor_type: str) -> Population:
        """The population of ``actor_type`` (an empty one when absent)."""
        found = self.populations.get(actor_type)
        return Population(count=0) if found is None else found

    def _data_for(self, path: str) -> dict[str, Any]:
        """The scenario as data; a catalogue mission is inlined when ``path`` reaches into it."""
        data = self.model_dump(by_alias=True)
        if path.startswith("mission.") and isinstance(data["mission"], str):
            data["mission"] = self.mission_spec.model_dump()
        return data

    def value_at(self, path: str) -> Any:
        """The value of the dotted field ``path`` (e.g. ``populations.union.threshold.a``)."""
        node: Any = self._data_for(path)
        for key in path.split("."):
            if not isinstance(node, dict) or key not in node:
                raise ScenarioError(f"scenario field '{path}': no field '{key}'")
            node = node[key]
        return node

    def updated(self, path: str, value: Any) -> Scenario:
        """A validated copy with the dotted ``path`` set to ``value`` (for sweeps)."""
        data = self._data_for(path)
        node = data
        keys = path.split(".")
        for key in keys[:-1]:
            if not isinstance(node, dict) or key not in node:
                raise ScenarioError(f"scenario field '{path}': no field '{key}'")
            node = node[key]
        if not isinstance(node, dict) or keys[-1] not in node:
            raise ScenarioError(f"scenario field '{path}': no field '{keys[-1]}'")
        node[keys[-1]] = value
        return self._validated(data, self.actor_types, f"scenario field '{path}'")

    @staticmethod
    def _validated(data: dict[str, Any], types: tuple[ActorType, ...], where: str) -> Scenario:
        """Strictly, as a file is: a value set by a sweep or a condition is not coerced."""
        try:
            return Scenario.model_validate({**data, "actor_types": types}, strict=True)
        except ValidationError as exc:
            raise ScenarioError(format_validation_error(where, exc)) from None

    def content_hash(self) -> str:
        """SHA-256 of the validated content and its actor types: equal scenarios hash equal."""
        text = self.model_dump_json(by_alias=True)
        if self.type_names != tuple(t.name for t in UK_ACTOR_TYPES):
            text += json.dumps(self.type_names)
        return hashlib.sha256(text.encode()).hexdigest()


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate already-parsed data as a scenario (strictly: as written in a file)."""
    return validated(Scenario, data, source, "scenario")


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file, or a shipped scenario by name (``"uk_2024"``).

    A path that exists wins over a name; problems raise :class:`ScenarioError` in one
    line, and so does a constraint whose cited data row is missing or unsourced
    (:func:`~mobilise.schema.sources.check_sources`). Its patterns and calibration targets
    are checked against the model's outputs by
    :func:`mobilise.running.claims.load_checked`, which commands use.
    """
    file = resolve("scenario", path)
    scenario = parse_scenario(read_yaml(file), str(path))
    check_sources(scenario.sources, scenario.constraints, str(path), file.parent)
    check_trend_fits(scenario.structures, str(path), file.parent)
    return scenario


def resolve_scenario(scenario: str | Path | Scenario) -> Scenario:
    """A scenario given as itself, a file path, or a shipped name (``"uk_2024"``).

    Names and paths go through :func:`load_scenario` (one resolver for both).
    """
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario)
