"""The scenario: one typed, validated object holding every input of a run.

Every default lives here. Loading a file turns any problem (YAML syntax, an
unknown key, a wrong type, an out-of-range value, an unknown reform or
mission) into a :class:`ScenarioError` whose message is one line: the file,
the field path, what was expected and what was found.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from mobilise.distributions import DISTRIBUTION_FAMILIES, Beta, Distribution, Fixed
from mobilise.missions import ACTOR_TYPES, MISSIONS, Mission, quarter_index
from mobilise.pattern_spec import Pattern, check_output, check_reforms
from mobilise.strict import Strict


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
            _check_type(key)
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
            for part in parts:
                _check_type(part)
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


class Constraints(Strict):
    """Structural constraints: the UK's today, with sources in ``data/stylised_facts.csv``.

    Each field's ``json_schema_extra`` says how to present it (label, unit, source, the
    range a slider shows and its step); validity is the field's bounds alone.
    """

    union_density: float = Field(
        0.22,
        ge=0,
        le=1,
        description="share of employees in a union (LFS 2024)",
        json_schema_extra={
            "label": "Union density",
            "unit": "share of employees",
            "source": "Labour Force Survey 2024 (DBT Trade Union Membership statistics); "
            "stylised_facts.csv union_density_employees,2024",
            "shown": (0.0, 0.8),
            "step": 0.01,
        },
    )
    overseas_share: float = Field(
        0.577,
        ge=0,
        le=1,
        description="overseas share of UK quoted shares (ONS 2022)",
        json_schema_extra={
            "label": "Overseas share of UK quoted shares",
            "unit": "share of market value",
            "source": "ONS Ownership of UK quoted shares 2022; "
            "stylised_facts.csv overseas_share_uk_quoted_shares,2022",
            "shown": (0.0, 0.9),
            "step": 0.001,
        },
    )
    holding_period_years: float = Field(
        0.625,
        gt=0,
        description="typical equity holding period (Haldane 2007, approx.)",
        json_schema_extra={
            "label": "Investor holding period",
            "unit": "years",
            "source": "Haldane (Bank of England) 2007, approx., as quoted by the "
            "Commons BIS Committee; "
            "stylised_facts.csv equity_holding_period_years,2007",
            "shown": (0.125, 10.0),
            "step": 0.125,
        },
    )
    volunteering_rate: float = Field(
        0.16,
        ge=0,
        le=1,
        description="formal volunteering at least monthly (CLS 2023/24)",
        json_schema_extra={
            "label": "Formal volunteering, at least monthly",
            "unit": "share of adults",
            "source": "DCMS Community Life Survey 2023/24; "
            "stylised_facts.csv formal_volunteering_monthly,2024",
            "shown": (0.0, 0.5),
            "step": 0.01,
        },
    )
    weekly_hours: float = Field(
        36.5,
        gt=0,
        lt=100,
        description="full-time weekly hours (ONS LFS YBUO 2023)",
        json_schema_extra={
            "label": "Full-time weekly hours",
            "unit": "hours per week",
            "source": "ONS Labour Force Survey (YBUO) 2023; "
            "stylised_facts.csv weekly_hours_full_time,2023",
            "shown": (28.0, 48.0),
            "step": 0.5,
        },
    )
    charity_funding_term_years: float = Field(
        1.0,
        gt=0,
        description="typical funding agreement term (Charity Commission 2007)",
        json_schema_extra={
            "label": "Charity funding term",
            "unit": "years",
            "source": "Charity Commission 2007: 67% of agreements one year or less; "
            "stylised_facts.csv funding_agreements_one_year_or_less,2007",
            "shown": (0.25, 5.0),
            "step": 0.25,
        },
    )
    contract_subsidy_share: float = Field(
        0.87,
        ge=0,
        le=1,
        description="charities subsidising public contracts (NCVO 2024)",
        json_schema_extra={
            "label": "Charities subsidising public contracts",
            "unit": "share of charities",
            "source": "NCVO True Cost of delivering public services 2024; "
            "stylised_facts.csv charities_subsidising_contracts,2024",
            "shown": (0.0, 1.0),
            "step": 0.01,
        },
    )
    short_termist_share: float = Field(
        0.55,
        ge=0,
        le=1,
        description="firms that would forgo a value-creating project to meet a short-term "
        "earnings target (Graham, Harvey and Rajgopal 2005, approx.)",
        json_schema_extra={
            "label": "Firms held to short-term earnings targets",
            "unit": "share of firms",
            "source": "Graham, Harvey and Rajgopal (2005), US financial executives, approx.; "
            "stylised_facts.csv firms_forgoing_value_for_earnings_targets,2005",
            "shown": (0.0, 0.9),
            "step": 0.01,
        },
    )
    government_silo_share: float = Field(
        0.3,
        ge=0,
        lt=1,
        description="share of government effort lost to silos (assumption)",
        json_schema_extra={
            "label": "Government effort lost to silos",
            "unit": "share",
            "source": "assumption: no single figure exists",
            "shown": (0.0, 0.9),
            "step": 0.01,
        },
    )
    feedback_lag_quarters: int = Field(
        4,
        ge=0,
        le=40,
        description="quarters before government sees the metric (assumption)",
        json_schema_extra={
            "label": "Feedback lag",
            "unit": "quarters",
            "source": "assumption: annual statistics, about",
            "shown": (0, 12),
            "step": 1,
        },
    )


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
    parameters: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="field path -> (low, high) to fit"
    )
    replications: int = Field(8, ge=1, le=1000)
    seed: int = Field(0, ge=0)
    fitted: dict[str, Any] | None = Field(None, description="written by mobilise calibrate")

    @field_validator("targets")
    @classmethod
    def _outputs_known(cls, value: list[Target]) -> list[Target]:
        for target in value:
            check_output(target.output)
        return value


class Scenario(Strict):
    """Everything a run needs except its seed's replication number."""

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
    seed: int = Field(0, ge=0)
    calibration: Calibration | None = None
    patterns: list[Pattern] = Field(
        default_factory=list, description="claims about the model, run by mobilise check"
    )

    @field_validator("start")
    @classmethod
    def _start(cls, value: str) -> str:
        quarter_index(value)
        return value

    @field_validator("mission", mode="before")
    @classmethod
    def _mission_known(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in MISSIONS:
            raise ValueError(f"unknown mission '{value}' (expected one of: {', '.join(MISSIONS)})")
        return value

    @field_validator("populations")
    @classmethod
    def _population_types(cls, value: dict[str, Population]) -> dict[str, Population]:
        for key in value:
            _check_type(key)
        if sum(p.count for p in value.values()) == 0:
            raise ValueError("at least one actor type needs a positive count")
        return value

    @field_validator("reforms")
    @classmethod
    def _reforms_known(cls, value: dict[str, float]) -> dict[str, float]:
        check_reforms(value)
        return value

    @model_validator(mode="after")
    def _network_fits(self) -> Scenario:
        if self.network.kind == "random" and self.network.mean_degree >= self.size:
            raise ValueError(
                f"network.mean_degree {self.network.mean_degree} must be below "
                f"the number of agents {self.size}"
            )
        return self

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
        return self.populations.get(actor_type, Population(count=0))

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
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(format_validation_error(f"scenario field '{path}'", exc)) from None

    def content_hash(self) -> str:
        """SHA-256 of the validated content: equal scenarios hash equal."""
        text = self.model_dump_json(by_alias=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _check_type(name: str) -> None:
    if name not in ACTOR_TYPES:
        raise ValueError(f"unknown actor type '{name}' (expected one of: {', '.join(ACTOR_TYPES)})")


class ScenarioError(ValueError):
    """A scenario or experiment input that cannot be used; the message is one line."""


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
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "an empty file"
        raise ScenarioError(f"{source}: expected a mapping of scenario fields, found {kind}")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(source, exc)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file; problems raise :class:`ScenarioError`."""
    return parse_scenario(read_yaml(path), str(path))


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes, for manifests."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
