"""The scenario: one typed, validated object holding every input of a run.

Every default lives here. Loading a file turns any problem (YAML syntax, an
unknown key, a wrong type, an out-of-range value, an unknown reform or
mission) into a :class:`ScenarioError` whose message is one line: the file,
the field path, what was expected and what was found.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mobilise.schema.actor_types import BUILT_IN, UK_ACTOR_TYPES, ActorType
from mobilise.schema.constraints import Constraints
from mobilise.schema.distributions import DISTRIBUTION_FAMILIES, Beta, Distribution, Fixed
from mobilise.schema.missions import MISSIONS, Mission
from mobilise.schema.patterns import Pattern
from mobilise.schema.reforms import REFORMS, Reform, check_reform
from mobilise.schema.strict import Strict
from mobilise.vocabulary import ScenarioError, check_known, quarter_index, unknown_name


class Population(Strict):
    """The agents of one actor type and the distributions of their attributes."""

    count: int = Field(ge=0, description="number of agents")
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
    election_penalty: float = Field(0.2, ge=0, le=1, description="credibility lost at an election")
    observation_noise: float = Field(
        0.03, ge=0, description="sd of the noise on observed progress P"
    )
    budget: float = Field(1.0, ge=0, description="mission budget per quarter, GBP bn")
    initiatives: int = Field(8, ge=1, description="initiatives in the mission portfolio")
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


class Trust(Strict):
    """How agents' trust follows credibility and observed progress."""

    speed: float = Field(0.1, ge=0, le=1, description="base speed of trust adjustment")
    coordination_boost: float = Field(
        1.0, ge=0, description="extra speed for agents tied into coordination channels"
    )
    progress_weight: float = Field(
        0.5, ge=0, le=1, description="weight of observed progress (vs credibility) in trust"
    )


class Scenario(Strict):
    """Everything a run needs except its seed's replication number.

    ``actor_types`` are the records of the types the scenario may populate: the
    six UK types unless extended (:meth:`with_actor_types`); ``reform_catalogue`` the
    reforms it may apply: the built-in ones unless extended (:meth:`with_reforms`).
    Both are code, not data, so they are not written out with the rest.

    Three kinds of input are kept apart (as EMA Workbench keeps levers apart from
    uncertainties): *levers* a user chooses (``reforms`` and their strengths, in
    experiments the arms); *uncertain inputs*, declared once with a range and a reason in
    the priors file its ``calibration`` names, of which ``ensemble`` holds the calibrated
    draws; and *targets*, observed facts with an error and a source, in the targets file.
    """

    model_config = ConfigDict(**Strict.model_config, arbitrary_types_allowed=True)

    name: str
    description: str = ""
    mission: str | Mission = Field(description="a catalogue name or an inline mission")
    quarters: int = Field(40, ge=1, le=400)
    start: str = Field("2025Q1", description="first quarter, like 2025Q1")
    populations: dict[str, Population]
    influence: Influence = Field(default_factory=Influence)
    network: Network = Field(default_factory=Network)
    constraints: Constraints = Field(default_factory=Constraints)
    government: Government = Field(default_factory=Government)
    trust: Trust = Field(default_factory=Trust)
    reforms: dict[str, float] = Field(default_factory=dict, description="reform -> strength")
    reform_sizes: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="each reform's sizes at full strength (reform -> size -> value); "
        "default: as declared with the reform",
    )
    seed: int = Field(0, ge=0)
    calibration: str | None = Field(
        None, description="calibration file (priors, targets, ABC settings), relative to this file"
    )
    ensemble: str | None = Field(
        None,
        description="calibrated ensemble (CSV, one row per member), relative to this file; "
        "run, compare, batch, robust and check use it unless told otherwise",
    )
    patterns: list[Pattern] = Field(
        default_factory=list, description="claims about the model, run by mobilise check"
    )
    actor_types: tuple[ActorType, ...] = Field(
        UK_ACTOR_TYPES, exclude=True, description="the actor types, in array and column order"
    )
    reform_catalogue: tuple[Reform, ...] = Field(
        tuple(REFORMS.values()), exclude=True, description="the reforms, in the order applied"
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
        if sum(p.count for p in value.values()) == 0:
            raise ValueError("at least one actor type needs a positive count")
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

    @model_validator(mode="after")
    def _reforms_known(self) -> Scenario:
        """Reforms named here and in patterns are in the catalogue; sizes filled in (one line)."""
        names = self.reform_names
        if len(set(names)) != len(names):
            raise ValueError(f"reform_catalogue: names must be unique, found {', '.join(names)}")
        for name, strength in self.reforms.items():
            check_reform(name, strength, names)
        for name in self.reform_sizes:
            if name not in names:
                raise ValueError(f"reform_sizes: {unknown_name('reform', name, names)}")
        filled = {}
        for reform in self.reform_catalogue:
            try:
                filled[reform.name] = reform.sized(self.reform_sizes).model_dump()
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(["reform_sizes", reform.name, *map(str, first["loc"])])
                message = first["msg"].removeprefix("Value error, ")
                raise ValueError(f"{where}: {message} (found {first.get('input')!r})") from None
        self.__dict__["reform_sizes"] = filled  # frozen: every size, defaults included
        return self

    @model_validator(mode="after")
    def _network_fits(self) -> Scenario:
        if self.network.kind == "random" and self.network.mean_degree >= self.size:
            raise ValueError(
                f"network.mean_degree {self.network.mean_degree} must be below "
                f"the number of agents {self.size}"
            )
        return self

    @property
    def type_names(self) -> tuple[str, ...]:
        """The names of the scenario's actor types, in array and column order."""
        return tuple(t.name for t in self.actor_types)

    @property
    def reform_names(self) -> tuple[str, ...]:
        """The names of the scenario's reforms, in the order they are applied."""
        return tuple(r.name for r in self.reform_catalogue)

    def with_actor_types(self, *extra: ActorType) -> Scenario:
        """A copy that may also populate ``extra`` types (appended, in the order given)."""
        data = self.model_dump(by_alias=True)
        return self._validated(data, "actor_types", types=(*self.actor_types, *extra))

    def with_reforms(self, *extra: Reform) -> Scenario:
        """A copy that may also apply ``extra`` reforms (after its own, in the order given).

        A modeller declares a reform in a module of their own (name, transform, moves,
        sizes) and gives it here: no registry is edited, and the scenario's sizes gain
        its defaults under ``reform_sizes.<name>``.
        """
        data = self.model_dump(by_alias=True)
        return self._validated(data, "reform_catalogue", reforms=(*self.reform_catalogue, *extra))

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
        _set_path(data, path, value, f"scenario field '{path}'")
        return self._validated(data, f"scenario field '{path}'")

    def with_values(self, values: dict[str, Any], where: str = "scenario fields") -> Scenario:
        """A copy with every dotted path of ``values`` set, validated once (an ensemble member).

        Each path must name a field (one line if not); the whole is then validated
        exactly as a file is, so a value out of its field's bounds is one line too.
        """
        if not values:
            return self
        data = self._data_for("mission." if any(p.startswith("mission.") for p in values) else "")
        for path, value in values.items():
            _set_path(data, path, value, f"{where}: '{path}'")
        return self._validated(data, where)

    def _validated(
        self,
        data: dict[str, Any],
        where: str,
        *,
        types: tuple[ActorType, ...] | None = None,
        reforms: tuple[Reform, ...] | None = None,
    ) -> Scenario:
        """``data`` validated as a scenario with this one's (or the given) types and reforms."""
        extended = {
            **data,
            "actor_types": self.actor_types if types is None else types,
            "reform_catalogue": self.reform_catalogue if reforms is None else reforms,
        }
        names = [r.name for r in extended["reform_catalogue"]]
        try:
            return Scenario.model_validate(extended, context={"reforms": names})
        except ValidationError as exc:
            raise ScenarioError(format_validation_error(where, exc)) from None

    def content_hash(self) -> str:
        """SHA-256 of the validated content and its actor types: equal scenarios hash equal."""
        text = self.model_dump_json(by_alias=True)
        if self.type_names != tuple(t.name for t in UK_ACTOR_TYPES):
            text += json.dumps(self.type_names)
        if self.reform_names != tuple(REFORMS):
            text += json.dumps(self.reform_names)
        return hashlib.sha256(text.encode()).hexdigest()


def _set_path(data: dict[str, Any], path: str, value: Any, where: str) -> None:
    """Set the dotted ``path`` of scenario data (one line naming ``where`` if not a field)."""
    node = data
    keys = path.split(".")
    for key in keys[:-1]:
        if not isinstance(node, dict) or key not in node:
            raise ScenarioError(f"{where}: no field '{key}'")
        node = node[key]
    if not isinstance(node, dict) or keys[-1] not in node:
        raise ScenarioError(f"{where}: no field '{keys[-1]}'")
    node[keys[-1]] = value


def validate_file[M: BaseModel](model: type[M], data: Any, source: str, fields: str) -> M:
    """Parsed data validated as ``model`` (a file kind), any problem one line naming ``source``.

    ``fields`` says what the mapping holds, for the message when it is not one.
    """
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "an empty file"
        raise ScenarioError(f"{source}: expected a mapping of {fields}, found {kind}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(source, exc)) from None


def format_validation_error(source: str, error: ValidationError) -> str:
    """One line naming the file, the first failing field, what was expected and found."""
    errors = error.errors(include_url=False)
    # In a union (a mission by name or inline), report the branch the user meant:
    # the error that is not "expected a plain string/number".
    specific = [e for e in errors if not e["loc"] or str(e["loc"][-1]) not in _SCALAR_BRANCHES]
    first = (specific or errors)[0]
    loc = _format_loc(first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    found = first.get("input")
    where = f"{source}: {loc}" if loc else source
    if first["type"] in {"missing"}:
        return f"{where}: required field is missing"
    if "unknown key" in message or isinstance(found, dict | list):
        return f"{where}: {message}"
    return f"{where}: {message} (found {found!r})"


_SCALAR_BRANCHES = {"str", "int", "float", "bool"}


def _format_loc(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in DISTRIBUTION_FAMILIES:
            continue  # the discriminator tag pydantic adds; the user never wrote it
        elif str(item).startswith("function-") or str(item)[:1].isupper():
            continue  # validator wrappers and union branch names (e.g. ``Mission``)
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file safely, turning any read or syntax problem into one line."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read file ({exc.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{path}: {where}YAML syntax error: {problem}") from None


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate already-parsed data as a scenario."""
    return validate_file(Scenario, data, source, "scenario fields")


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file; problems raise :class:`ScenarioError`."""
    return parse_scenario(read_yaml(path), str(path))


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes, for manifests."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
