"""Experiment files: which scenarios, missions, arms, sweeps and replications to run.

An experiment expands into a fixed, ordered list of :class:`RunSpec`. Run ids are
positions in that list, so a resumed batch finds the same runs. Replication ``r``
gets the same seed in every arm, mission and sweep point (common random
numbers): seeds are spawned from the master seed with ``numpy.random.SeedSequence``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from mobilise.levers import BASELINE, Levers, Robustness, Uncertainties
from mobilise.missions import MISSIONS
from mobilise.outcomes import run_columns
from mobilise.ranges import Ranges, latin_hypercube, place, require_width, scale
from mobilise.reforms import REFORMS, check_reform
from mobilise.scenario import (
    Scenario,
    ScenarioError,
    format_validation_error,
    load_scenario,
    read_yaml,
)
from mobilise.strict import Strict
from mobilise.vocabulary import check_known


def _check_reforms(names: list[str] | dict[str, float]) -> None:
    strengths = names if isinstance(names, dict) else dict.fromkeys(names, 1.0)
    for name, strength in strengths.items():
        check_reform(name, strength)


class Factorial(Strict):
    """A full 2^k factorial over ``reforms``, each off or at ``strength``."""

    reforms: list[str] = Field(min_length=1, max_length=8)
    strength: float = Field(1.0, gt=0, le=1)

    @field_validator("reforms")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        _check_reforms(value)
        if len(set(value)) != len(value):
            raise ValueError("reforms must not repeat")
        return value


class StrengthSweep(Strict):
    """One reform at several strengths (dose-response)."""

    reform: str
    strengths: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> StrengthSweep:
        _check_reforms([self.reform])
        for strength in self.strengths:
            _check_reforms({self.reform: strength})
        return self


class Arms(Strict):
    """The arms: baseline always, then singles, bundles, a factorial, strength sweeps."""

    single: list[str] | Literal["all"] = Field(
        default_factory=list, description="each reform alone at strength 1"
    )
    bundles: dict[str, dict[str, float] | Literal["all"]] = Field(
        default_factory=dict, description="named bundles: reform -> strength, or 'all'"
    )
    factorial: Factorial | None = None
    strength_sweeps: list[StrengthSweep] = Field(default_factory=list)

    @field_validator("single")
    @classmethod
    def _single(cls, value: list[str] | str) -> list[str] | str:
        if value != "all":
            _check_reforms(value)
        return value

    @field_validator("bundles")
    @classmethod
    def _bundles(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name, bundle in value.items():
            if name == BASELINE:
                raise ValueError(f"'{BASELINE}' is reserved for government push alone")
            if bundle != "all":
                _check_reforms(bundle)
        return value

    def expand(self) -> dict[str, dict[str, float]]:
        """Arm name -> reforms, baseline first, in a fixed order; duplicates merged."""
        arms: dict[str, dict[str, float]] = {BASELINE: {}}
        singles = list(REFORMS) if self.single == "all" else self.single
        for name in singles:
            arms[name] = {name: 1.0}
        for name, bundle in self.bundles.items():
            arms[name] = dict.fromkeys(REFORMS, 1.0) if bundle == "all" else dict(bundle)
        if self.factorial:
            f = self.factorial
            for on in itertools.product((False, True), repeat=len(f.reforms)):
                chosen = [r for r, flag in zip(f.reforms, on, strict=True) if flag]
                name = "+".join(chosen) if chosen else BASELINE
                arms.setdefault(name, {r: f.strength for r in chosen})
        for sweep in self.strength_sweeps:
            for strength in sweep.strengths:
                arms.setdefault(f"{sweep.reform}@{strength:g}", {sweep.reform: strength})
        return arms


class Sweep(Strict):
    """Parameter sweeps over scenario fields: a full grid, or a Latin hypercube."""

    grid: dict[str, list[Any]] = Field(default_factory=dict, description="field path -> values")
    lhs: Ranges = Field(
        default_factory=dict, description="field path -> [low, high], sampled by Latin hypercube"
    )
    samples: int = Field(0, ge=0, description="Latin hypercube sample size")
    seed: int = Field(0, ge=0, description="seed of the Latin hypercube design")

    @model_validator(mode="after")
    def _consistent(self) -> Sweep:
        if self.lhs and self.samples < 1:
            raise ValueError("lhs needs samples >= 1")
        return self

    def points(self) -> list[dict[str, Any]]:
        """Every sweep point (field path -> value); one empty point when there is no sweep."""
        grid = [
            dict(zip(self.grid, values, strict=True))
            for values in itertools.product(*self.grid.values())
        ] or [{}]
        if not self.lhs:
            return grid
        unit = latin_hypercube(len(self.lhs), self.samples, self.seed)
        lhs = place(self.lhs, scale(self.lhs, unit))
        return [{**g, **h} for g in grid for h in lhs]


class Record(Strict):
    """What to keep from each run."""

    every: int = Field(1, ge=1, description="keep every k-th step (and always the last)")
    agents: bool = Field(False, description="agent-level frames (large)")
    format: Literal["csv", "parquet"] = "csv"


SENSITIVITY_OUTCOMES: tuple[str, ...] = tuple(run_columns(numeric=True))
"""Run outcomes a sensitivity analysis may study (numeric columns of runs.csv)."""


class Sensitivity(Strict):
    """Uncertain parameters (scenario fields with ranges) and outcomes to analyse."""

    parameters: Ranges = Field(
        min_length=1, description="field path -> [low, high], sampled uniformly"
    )
    outcomes: list[str] = Field(default_factory=lambda: ["milestone_metric", "milestone_met"])
    method: Literal["morris", "sobol"] = "morris"
    samples: int = Field(16, ge=2, description="Morris trajectories, or Sobol base samples N")
    levels: int = Field(4, ge=2, description="Morris grid levels")
    seed: int = Field(0, ge=0, description="seed of the sample design")

    @model_validator(mode="after")
    def _valid(self) -> Sensitivity:
        require_width(self.parameters)
        for outcome in self.outcomes:
            check_known("outcome", outcome, SENSITIVITY_OUTCOMES)
        return self


class Experiment(Strict):
    """An experiment file, validated."""

    name: str
    description: str = ""
    scenarios: list[str] = Field(min_length=1, description="scenario files, relative to this file")
    missions: list[str] = Field(
        default_factory=list, description="run each scenario for each mission (default: its own)"
    )
    arms: Arms = Field(default_factory=Arms)
    sweep: Sweep = Field(default_factory=Sweep)
    replications: int = Field(20, ge=1, le=100_000)
    max_replications: int = Field(
        1000, ge=1, description="cap on replications per arm for --precision"
    )
    seed: int = Field(0, ge=0, description="master seed; replication seeds are spawned from it")
    quarters: int | None = Field(None, ge=1, le=400, description="override every scenario's")
    record: Record = Field(default_factory=Record)
    sensitivity: Sensitivity | None = None
    # Robust decisions (``mobilise robust``). Left out of the dump so the hashes of
    # experiments without them stay as they were; ``Design.content_hash`` adds them.
    levers: Levers | None = Field(None, exclude=True, description="packages policy chooses")
    uncertainties: Uncertainties | None = Field(
        None, exclude=True, description="ranges sampled into states of the world"
    )
    robustness: Robustness | None = Field(
        None, exclude=True, description="how packages are judged across states"
    )

    @field_validator("scenarios", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("missions")
    @classmethod
    def _missions(cls, value: list[str]) -> list[str]:
        for name in value:
            check_known("mission", name, MISSIONS)
        return value

    @model_validator(mode="after")
    def _robust(self) -> Experiment:
        given = self.model_fields_set
        if self.levers is not None and "arms" in given:
            raise ValueError("give levers or arms, not both: the packages are the arms")
        if self.uncertainties is not None and "sweep" in given:
            raise ValueError("give uncertainties or sweep, not both: the states are the points")
        if self.levers is not None and (len(self.scenarios) > 1 or len(self.missions) > 1):
            raise ValueError("levers compare packages on one scenario and one mission")
        return self


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch: everything a worker needs, small enough to ship."""

    run_id: int
    scenario_name: str
    mission: str
    point: int
    sweep: dict[str, Any]
    arm: str
    reforms: dict[str, float]
    replication: int
    seed: int
    scenario: Scenario = field(repr=False, compare=False)
    record_every: int = 1
    record_agents: bool = False

    def reform_text(self) -> str:
        """``a=1;b=0.5`` in catalogue order (empty for the baseline)."""
        return ";".join(f"{r}={self.reforms[r]:g}" for r in REFORMS if r in self.reforms)


def replication_seeds(master: int, count: int) -> list[int]:
    """Seeds for replications ``0..count-1``; a longer list extends a shorter one."""
    children = np.random.SeedSequence(master).spawn(count)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


@dataclass
class Design:
    """An experiment loaded and resolved: scenarios, arms, points, and its hashes."""

    experiment: Experiment
    path: Path | None
    scenarios: dict[str, Scenario]
    scenario_files: dict[str, Path]
    arms: dict[str, dict[str, float]]
    points: list[dict[str, Any]]
    matrix: np.ndarray | None = None  # a sensitivity sample, one row per point

    @property
    def missions_by_scenario(self) -> dict[str, list[str]]:
        """Which missions each scenario runs for."""
        wanted = self.experiment.missions
        return {name: wanted or [s.mission_spec.name] for name, s in self.scenarios.items()}

    def runs(self, replications: int | None = None, arms: list[str] | None = None) -> list[RunSpec]:
        """The ordered list of runs; run ids depend only on the design and replication."""
        reps = replications or self.experiment.replications
        seeds = replication_seeds(self.experiment.seed, reps)
        chosen = arms or list(self.arms)
        specs = []
        combos = [
            (scenario_name, mission, point_id, point)
            for scenario_name in self.scenarios
            for mission in self.missions_by_scenario[scenario_name]
            for point_id, point in enumerate(self.points)
        ]
        per_replication = len(combos) * len(self.arms)
        arm_index = {arm: i for i, arm in enumerate(self.arms)}
        record = self.experiment.record
        for replication in range(reps):
            for c, (scenario_name, mission, point_id, point) in enumerate(combos):
                for arm in chosen:
                    run_id = replication * per_replication + c * len(self.arms) + arm_index[arm]
                    specs.append(
                        RunSpec(
                            run_id=run_id,
                            scenario_name=scenario_name,
                            mission=mission,
                            point=point_id,
                            sweep=point,
                            arm=arm,
                            reforms=self.arms[arm],
                            replication=replication,
                            seed=seeds[replication],
                            scenario=self.resolved(scenario_name, mission, point_id),
                            record_every=record.every,
                            record_agents=record.agents,
                        )
                    )
        return specs

    def resolved(self, scenario_name: str, mission: str, point_id: int) -> Scenario:
        """The scenario for one mission and sweep point (cached: arms share it)."""
        key = (scenario_name, mission, point_id)
        if key not in self._cache:
            scenario = self.scenarios[scenario_name]
            if scenario.mission_spec.name != mission:
                scenario = scenario.model_copy(update={"mission": mission})
            if self.experiment.quarters:
                scenario = scenario.model_copy(update={"quarters": self.experiment.quarters})
            for path, value in self.points[point_id].items():
                scenario = scenario.updated(path, value)
            self._cache[key] = scenario
        return self._cache[key]

    def __post_init__(self) -> None:
        self._cache: dict[tuple[str, str, int], Scenario] = {}

    def with_points(self, points: list[dict[str, Any]], matrix: np.ndarray | None = None) -> None:
        """Replace the sweep points (a sensitivity sample); resolved scenarios are dropped."""
        self.points = points
        self.matrix = matrix
        self._cache.clear()

    def content_hash(self) -> str:
        """SHA-256 over the experiment and its scenarios' validated content."""
        digest = hashlib.sha256(self.experiment.model_dump_json().encode())
        digest.update(json.dumps(self.points, sort_keys=True, default=str).encode())
        robust = {
            name: getattr(self.experiment, name).model_dump(mode="json")
            for name in ("levers", "uncertainties", "robustness")
            if getattr(self.experiment, name) is not None
        }
        if robust:  # only then: designs without levers keep the hash they always had
            digest.update(json.dumps({**robust, "arms": self.arms}, sort_keys=True).encode())
        for name in sorted(self.scenarios):
            digest.update(self.scenarios[name].content_hash().encode())
        return digest.hexdigest()


def parse_experiment(data: Any, source: str = "<experiment>", base: Path | None = None) -> Design:
    """Validate parsed data as an experiment and resolve its scenario files and sweeps."""
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "an empty file"
        raise ScenarioError(f"{source}: expected a mapping of experiment fields, found {kind}")
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(source, exc)) from None
    base = base or Path(".")
    scenarios: dict[str, Scenario] = {}
    files: dict[str, Path] = {}
    for i, entry in enumerate(experiment.scenarios):
        path = (base / entry).resolve() if not Path(entry).is_absolute() else Path(entry)
        if not path.exists():
            raise ScenarioError(f"{source}: scenarios[{i}]: scenario file not found: {entry}")
        scenario = load_scenario(path)
        if scenario.name in scenarios:
            raise ScenarioError(
                f"{source}: scenarios[{i}]: two scenarios are named '{scenario.name}'"
            )
        scenarios[scenario.name] = scenario
        files[scenario.name] = path
    levers, uncertainties = experiment.levers, experiment.uncertainties
    design = Design(
        experiment=experiment,
        path=None,
        scenarios=scenarios,
        scenario_files=files,
        arms=levers.packages_to_run() if levers else experiment.arms.expand(),
        points=(
            uncertainties.states(next(iter(scenarios.values())), source)
            if uncertainties
            else experiment.sweep.points()
        ),
    )
    _check_sweep_points(design, source)
    return design


def _check_sweep_points(design: Design, source: str) -> None:
    """Every sweep value must make a valid scenario: fail before running, not per run."""
    for name in design.scenarios:
        for point_id, point in enumerate(design.points):
            try:
                design.resolved(name, design.missions_by_scenario[name][0], point_id)
            except ScenarioError as exc:
                raise ScenarioError(f"{source}: sweep point {point}: {exc}") from None


def load_experiment(path: str | Path) -> Design:
    """Load an experiment file; scenario paths are relative to the file's folder."""
    path = Path(path)
    design = parse_experiment(read_yaml(path), str(path), base=path.parent)
    design.path = path
    return design


def comparison(
    scenario_file: str | Path,
    reforms: dict[str, float],
    *,
    replications: int = 20,
    seed: int = 0,
) -> Design:
    """The everyday question as a design: baseline vs each reform vs all of them together."""
    bundles: dict[str, Any] = {name: {name: strength} for name, strength in reforms.items()}
    if len(reforms) > 1:
        bundles["together"] = dict(reforms)
    data = {
        "name": "compare",
        "description": f"baseline vs {', '.join(reforms)} on {Path(scenario_file).name}",
        "scenarios": [str(Path(scenario_file).resolve())],
        "arms": {"bundles": bundles},
        "replications": replications,
        "seed": seed,
    }
    return parse_experiment(data, str(scenario_file))


def in_memory(
    scenario: Scenario,
    arms: dict[str, dict[str, float]],
    *,
    replications: int,
    seed: int,
    name: str = "workshop",
) -> Design:
    """A design over a scenario held in memory (the app's sliders), same seeds as a file's."""
    experiment = Experiment(
        name=name, scenarios=[f"<{scenario.name}>"], replications=replications, seed=seed
    )
    return Design(
        experiment=experiment,
        path=None,
        scenarios={scenario.name: scenario},
        scenario_files={},
        arms={BASELINE: {}, **{k: v for k, v in arms.items() if k != BASELINE}},
        points=[{}],
    )
