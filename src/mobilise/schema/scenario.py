"""The scenario: one typed, validated object holding every input of a run.

Every default lives here. Loading a file turns any problem (YAML syntax, an
unknown key, a wrong type, an out-of-range value, an unknown reform or
mission) into a :class:`ScenarioError` whose message is one line: the file,
the field path, what was expected and what was found.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from mobilise.schema.actor_types import BUILT_IN, UK_ACTOR_TYPES, ActorType
from mobilise.schema.constraints import Constraints
from mobilise.schema.files import file_hash as file_hash  # re-exported: its old home
from mobilise.schema.files import format_validation_error as format_validation_error
from mobilise.schema.files import read_yaml as read_yaml
from mobilise.schema.files import validated
from mobilise.schema.missions import MISSIONS, Mission
from mobilise.schema.nation import Attention, Spillovers, check_spillovers
from mobilise.schema.patterns import Pattern
from mobilise.schema.reforms import REFORMS, Reform, check_reform
from mobilise.schema.schedule import Timing, check_schedule
from mobilise.schema.sections import MAX_AGENTS, Government, Influence, Network, Population, Trust
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

MAX_TIES = 50_000_000
"""The most ties a run's network may draw (their pairs are held in memory as it is built)."""


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

    name: str = Field(description="the scenario's name, in outputs and manifests")
    description: str = Field("", description="what the scenario represents, in words")
    mission: str | Mission = Field(
        description="a catalogue name or an inline mission (with missions: the first of them)"
    )
    missions: list[str | Mission] = Field(
        default_factory=list,
        description="several missions run at once, sharing the actors (catalogue names or "
        "inline); each once; give this or mission",
    )
    attention: Attention = Field(
        default_factory=Attention,
        description="with several missions: how an actor splits its capacity across them",
    )
    spillovers: Spillovers = Field(
        default_factory=dict,
        description="with several missions: origin -> destination -> weight in [-1, 1]; a "
        "mission whose progress rose last quarter adds its weight to the destination's "
        "spillover S, which scales the destination's aggregate contribution by "
        "2 / (1 + exp(-S)) (Policy Priority Inference's spillover network)",
    )
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
    reform_sizes: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="each reform's sizes at full strength (reform -> size -> value); "
        "default: as declared with the reform",
    )
    timing: dict[str, Timing] = Field(
        default_factory=dict,
        description="reform -> when it is in force: start, ramp, end, or a trigger (default: "
        "from the first quarter)",
    )
    seed: int = Field(0, ge=0, description="seed of a single run (batches seed each run)")
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

    @model_validator(mode="before")
    @classmethod
    def _mission_or_missions(cls, data: Any) -> Any:
        """``missions`` gives ``mission`` (its first); a list of one is a single mission."""
        if not isinstance(data, dict) or not data.get("missions"):
            return data
        listed = data["missions"]
        if not isinstance(listed, list):
            return data  # the field's own check says what was expected
        names = [_mission_name(m) for m in listed]
        twice = [name for i, name in enumerate(names) if name in names[:i]]
        if twice:
            raise ValueError(
                f"missions: expected each mission once, found '{twice[0]}' twice "
                f"(in {', '.join(str(n) for n in names)})"
            )
        given = data.get("mission")
        if given is not None and _mission_name(given) != names[0]:
            raise ValueError(
                f"mission: with missions, mission is the first of them or left out; found "
                f"mission '{_mission_name(given)}' with missions {', '.join(map(str, names))}"
            )
        data = {**data, "mission": listed[0]}
        if len(listed) == 1:
            data["missions"] = []  # one mission: the scenario as a single-mission one
        return data

    @field_validator("mission", mode="before")
    @classmethod
    def _mission_known(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in MISSIONS:
            raise unknown_name("mission", value, MISSIONS)
        return value

    @field_validator("missions", mode="before")
    @classmethod
    def _missions_known(cls, value: Any) -> Any:
        if isinstance(value, list):
            for item in value:
                if isinstance(item, str) and item not in MISSIONS:
                    raise unknown_name("mission", item, MISSIONS)
        return value

    @field_validator("spillovers")
    @classmethod
    def _spillover_weights(cls, value: Spillovers) -> Spillovers:
        return check_spillovers(value)

    @model_validator(mode="after")
    def _spillovers_among_missions(self) -> Scenario:
        names = self.mission_names
        for origin, row in self.spillovers.items():
            for name, where in [(origin, origin), *((d, f"{origin}.{d}") for d in row)]:
                if name not in names:
                    raise ValueError(
                        f"spillovers.{where}: {unknown_name('mission', name, names)} "
                        "(the scenario's missions)"
                    )
        return self

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
        named = [
            ("populations", list(self.populations)),
            ("network.within_overrides", list(self.network.within_overrides)),
            ("network.cross_overrides",
             [part for pair in self.network.cross_overrides for part in pair.split("-")]),
        ]  # fmt: skip
        several = len(self.mission_specs) > 1
        for mission in self.mission_specs:
            field = f"missions.{mission.name}" if several else "mission"
            named += [
                (f"{field}.weights", list(mission.weights)),
                (f"{field}.funded", list(mission.funded)),
                (f"{field}.need_overrides", list(mission.need_overrides)),
            ]
        for where, keys in named:
            for key in keys:
                if key not in names:
                    raise ValueError(f"{where}: {unknown_name('actor type', key, names)}")
        return self

    @field_validator("sources")
    @classmethod
    def _sources_complete(cls, value: dict[str, Citation]) -> dict[str, Citation]:
        return check_complete(value)

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
            milestones=[m.quarter for spec in self.mission_specs for m in spec.milestones],
            catalogue=self.reform_names,
            missions=self.mission_names,
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
        """The mission, resolved from the catalogue when given by name (with several: the first)."""
        return MISSIONS[self.mission] if isinstance(self.mission, str) else self.mission

    @property
    def mission_specs(self) -> tuple[Mission, ...]:
        """Every mission the scenario runs at once (one, unless ``missions`` lists several)."""
        if not self.missions:
            return (self.mission_spec,)
        return tuple(MISSIONS[m] if isinstance(m, str) else m for m in self.missions)

    @property
    def mission_names(self) -> tuple[str, ...]:
        """The names of :attr:`mission_specs`, in the scenario's order."""
        return tuple(m.name for m in self.mission_specs)

    @property
    def several(self) -> bool:
        """Whether the scenario runs several missions at once (they share the actors)."""
        return len(self.missions) > 1

    @property
    def mission_label(self) -> str:
        """The mission a run is labelled with: its name, or the names joined by '+'."""
        return "+".join(self.mission_names)

    def for_mission(self, name: str) -> Scenario:
        """The scenario as mission ``name`` alone sees it: that mission, and its reforms.

        A reform whose timing names missions (``missions: [nhs]``) applies to those only;
        the timing kept for the mission leaves the names out, so the mission's run is the
        run of a single-mission scenario with those reforms, to the bit.
        """
        aimed = {r: t.missions for r, t in self.timing.items() if t.missions is not None}
        reforms = {r: s for r, s in self.reforms.items() if name in aimed.get(r, [name])}
        timing = {
            r: t.model_copy(update={"missions": None})
            for r, t in self.timing.items()
            if r in reforms
        }
        return self.model_copy(
            update={
                "mission": self.missions[self.mission_names.index(name)]
                if self.missions
                else self.mission,
                "missions": [],
                "reforms": reforms,
                "timing": {r: t for r, t in timing.items() if not _plain(t)},
            }
        )

    def population(self, actor_type: str) -> Population:
        """The population of ``actor_type`` (an empty one when absent)."""
        found = self.populations.get(actor_type)
        return Population(count=0) if found is None else found

    def _data_for(self, path: str) -> dict[str, Any]:
        """The scenario as data; a catalogue mission is inlined when ``path`` reaches into it.

        Setting ``missions`` sets the missions run (``mission`` follows: their first; the
        spillovers kept are those among them).
        """
        data = self.model_dump(by_alias=True)
        if path == "missions":
            del data["mission"]
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
        if path == "missions" and isinstance(value, list):  # spillovers among those run
            kept = {_mission_name(m) for m in value}
            data["spillovers"] = {
                origin: {d: w for d, w in row.items() if d in kept}
                for origin, row in data["spillovers"].items()
                if origin in kept
            }
        return self._validated(data, f"scenario field '{path}'")

    def with_values(
        self, values: dict[str, Any], where: str = "scenario fields", *, mission: str | None = None
    ) -> Scenario:
        """A copy with every dotted path of ``values`` set, validated once (an ensemble member).

        Each path must name a field (one line if not); the whole is then validated
        exactly as a file is, so a value out of its field's bounds is one line too. With
        several missions, a ``mission.`` path sets that field of each of them (of
        ``mission`` alone, when given).
        """
        if not values:
            return self
        mission_paths = any(p.startswith("mission.") for p in values)
        if not (self.several and mission_paths):
            data = self._data_for("mission." if mission_paths else "")
            for path, value in values.items():
                _set_path(data, path, value, f"{where}: '{path}'")
            return self._validated(data, where)
        data = self._data_for("missions")  # the missions, inlined: each one's fields set
        data["missions"] = [spec.model_dump() for spec in self.mission_specs]
        for path, value in values.items():
            if not path.startswith("mission."):
                _set_path(data, path, value, f"{where}: '{path}'")
                continue
            for own in data["missions"]:
                if mission is None or own["name"] == mission:
                    field = path.removeprefix("mission.")
                    _set_path(own, field, value, f"{where}: '{path}' ({own['name']})")
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
            # strictly, as a file is: a value set by a sweep or a condition is not coerced
            return Scenario.model_validate(extended, strict=True, context={"reforms": names})
        except ValidationError as exc:
            raise ScenarioError(format_validation_error(where, exc)) from None

    def content_hash(self) -> str:
        """SHA-256 of the validated content and its actor types: equal scenarios hash equal.

        The fields of several missions are left out while they hold their defaults, so a
        single-mission scenario hashes as it did before they existed.
        """
        unset = {name for name in SEVERAL_FIELDS if getattr(self, name) == _DEFAULTS[name]}
        text = self.model_dump_json(by_alias=True, exclude=unset)
        if self.type_names != tuple(t.name for t in UK_ACTOR_TYPES):
            text += json.dumps(self.type_names)
        if self.reform_names != tuple(REFORMS):
            text += json.dumps(self.reform_names)
        return hashlib.sha256(text.encode()).hexdigest()


SEVERAL_FIELDS = ("missions", "attention", "spillovers")
"""The scenario's fields for several missions at once (:mod:`mobilise.schema.nation`)."""

_DEFAULTS: dict[str, Any] = {"missions": [], "attention": Attention(), "spillovers": {}}


def _mission_name(mission: Any) -> Any:
    """A mission's name as written: a catalogue name, or an inline mission's ``name``."""
    if isinstance(mission, Mission):
        return mission.name
    if isinstance(mission, dict):
        return mission.get("name")
    return mission


def _plain(timing: Timing) -> bool:
    """A timing that says nothing once its missions are left out (the default timing)."""
    return timing == Timing()


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
