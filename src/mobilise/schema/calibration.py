"""Calibration files: which uncertain inputs, which targets, which scenarios, how hard to look.

A calibration file names a priors file (the uncertain inputs), a targets file (the
observed facts) and the scenarios whose ensembles it makes, and sets the ABC-SMC
settings (particles, generations, seeds per particle, ensemble size, seed). The
scenarios name it (``calibration:``), so ``mobilise calibrate SCENARIO --ensemble``
finds everything from any of them, and the same command remakes the same ensembles.

:func:`load_setup` resolves a file into a :class:`Setup`: every file loaded and
checked against the others, each target's run built once as a check, so a problem is
one line before any run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from mobilise.schema.files import read_yaml, validated
from mobilise.schema.priors import Priors, UncertainInput, load_priors
from mobilise.schema.scenario import Scenario, load_scenario
from mobilise.schema.strict import Strict
from mobilise.schema.targets import Target, Targets, load_targets
from mobilise.vocabulary import ScenarioError, unknown_name


class Calibration(Strict):
    """A calibration file, validated."""

    name: str
    description: str = ""
    priors: str = Field(description="priors file, relative to this file")
    targets: str = Field(description="targets file, relative to this file")
    infer: list[str] = Field(
        min_length=1,
        description="the uncertain inputs ABC-SMC infers (keys of the priors file: the field, "
        "with @mission for a mission's own); every other input is drawn from its prior for each "
        "simulation and kept with the particles accepted",
    )
    scenarios: list[str] = Field(
        min_length=1,
        description="scenario files whose ensembles this calibration writes (each to the path "
        "its `ensemble:` names), relative to this file",
    )
    particles: int = Field(200, ge=10, le=100_000, description="ABC-SMC population size")
    generations: int = Field(8, ge=1, le=100, description="ABC-SMC generations")
    seeds: int = Field(3, ge=1, le=100, description="replication seeds run per particle")
    members: int = Field(100, ge=2, le=100_000, description="members in each ensemble")
    seed: int = Field(0, ge=0, description="master seed: proposals, replications, members")
    batch: int = Field(8, ge=1, le=1000, description="particles simulated together per task")
    min_acceptance: float = Field(
        0.005, gt=0, lt=1, description="stop when a generation accepts fewer than this share"
    )

    @field_validator("scenarios", "infer")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("names must not repeat")
        return value


@dataclass
class Arm:
    """One run setting the targets read from: a base scenario with the time's conditions."""

    scenario: Scenario
    reforms: dict[str, float]
    targets: list[Target]
    steps: list[int]


@dataclass
class Setup:
    """A calibration file with everything it names loaded and checked."""

    spec: Calibration
    path: Path
    priors: Priors
    priors_path: Path
    targets: Targets
    targets_path: Path
    scenarios: dict[str, Scenario]
    scenario_files: dict[str, Path]
    arms: list[Arm] = field(default_factory=list)
    integer: set[str] = field(default_factory=set)

    @property
    def inputs(self) -> list[UncertainInput]:
        """Every uncertain input of the calibration, in file order."""
        return list(self.priors.inputs)

    def inferred(self) -> list[UncertainInput]:
        """The inputs ABC-SMC searches (the calibration's ``infer``), in file order."""
        wanted = set(self.spec.infer)
        return [entry for entry in self.inputs if entry.key in wanted]

    def drawn(self) -> list[UncertainInput]:
        """Every other input: drawn from its prior for each simulation, kept if accepted."""
        wanted = set(self.spec.infer)
        return [entry for entry in self.inputs if entry.key not in wanted]

    def informed(self) -> set[str]:
        """The keys of inputs some calibrating target's run depends on.

        An input of a mission no calibrating run has, or a reform's size when no
        calibrating run applies that reform, leaves every target alone: its posterior
        is its prior.
        """
        arms = [arm for arm in self.arms if any(t.use == "calibrate" for t in arm.targets)]
        return {
            entry.key
            for entry in self.inputs
            if any(entry.applies_to(a.scenario.mission_spec.name) and _used(entry, a) for a in arms)
        }


def _used(entry: UncertainInput, arm: Arm) -> bool:
    parts = entry.field.split(".")
    if parts[0] == "reform_sizes":
        return len(parts) > 1 and arm.reforms.get(parts[1], 0.0) > 0
    return True


def member_values(
    inputs: list[UncertainInput], values: dict[str, float], mission: str, integer: set[str]
) -> dict[str, Any]:
    """A particle's or member's values (by input key) as scenario fields for ``mission``."""
    out: dict[str, Any] = {}
    for entry in inputs:
        if entry.key in values and entry.applies_to(mission):
            value = float(values[entry.key])
            out[entry.field] = round(value) if entry.field in integer else value
    return out


def arm_scenario(arm_base: Scenario, target: Target, where: str) -> Scenario:
    """The base scenario with the target's conditions (the time's structures and mission)."""
    scenario = arm_base
    for path, value in target.conditions.items():
        try:
            scenario = scenario.updated(path, value)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: conditions: {exc}") from None
    return scenario


def parse_calibration(data: Any, source: str = "<calibration>") -> Calibration:
    """Validate parsed data as a calibration file (one line on a problem)."""
    return validated(Calibration, data, source, "calibration")


def load_calibration(path: str | Path) -> Calibration:
    """Load and validate a calibration file (the file alone: see :func:`load_setup`)."""
    return parse_calibration(read_yaml(path), str(path))


def _file(base: Path, name: str, what: str, source: str) -> Path:
    path = (base / name).resolve()
    if not path.exists():
        raise ScenarioError(f"{source}: {what}: file not found: {name}")
    return path


def load_setup(path: str | Path) -> Setup:
    """Load a calibration file and everything it names; check them against each other."""
    path = Path(path)
    source = str(path)
    spec = load_calibration(path)
    base = path.parent
    priors_path = _file(base, spec.priors, "priors", source)
    targets_path = _file(base, spec.targets, "targets", source)
    priors = load_priors(priors_path)
    targets = load_targets(targets_path)
    scenarios: dict[str, Scenario] = {}
    files: dict[str, Path] = {}
    for i, name in enumerate(spec.scenarios):
        file = _file(base, name, f"scenarios[{i}]", source)
        scenario = load_scenario(file)
        if scenario.ensemble is None:
            raise ScenarioError(
                f"{file}: ensemble: the scenario names no ensemble file for {source} to write"
            )
        scenarios[scenario.name] = scenario
        files[scenario.name] = file
    keys = [entry.key for entry in priors.inputs]
    for i, key in enumerate(spec.infer):
        if key not in keys:
            raise ScenarioError(
                f"{source}: infer[{i}]: {unknown_name('uncertain input', key, keys)}"
            )
    setup = Setup(spec, path, priors, priors_path, targets, targets_path, scenarios, files)
    fallback = next(iter(scenarios.values()))
    setup.arms = target_arms(targets, targets_path, fallback, (priors, priors_path))
    for arm in setup.arms:
        setup.integer |= priors.check_against(arm.scenario, str(priors_path))
    for name, scenario in scenarios.items():
        setup.integer |= priors.check_against(scenario, str(priors_path))
        _check_no_overlap(priors, scenario, str(files[name]))
    return setup


def target_arms(
    targets: Targets,
    targets_path: Path,
    fallback: Scenario | None = None,
    priors: tuple[Priors, Path] | None = None,
) -> list[Arm]:
    """The targets grouped by the run they read from, each run built once as a check.

    A target naming no scenario reads ``fallback`` (a calibration's first scenario); with
    none (a targets file judged alone) it is left out. With ``priors`` (and their file), a
    target's conditions may not fix an uncertain input.
    """
    groups: dict[tuple[str | None, str, str], list[Target]] = {}
    for target in targets.targets:
        groups.setdefault(target.arm_key(), []).append(target)
    loaded: dict[Path, Scenario] = {}
    arms = []
    for group in groups.values():
        first = group[0]
        where = f"{targets_path}: target '{first.name}'"
        if first.scenario is None:
            if fallback is None:
                continue
            scenario = fallback
        else:
            file = _file(targets_path.parent, first.scenario, "scenario", where)
            if file not in loaded:
                loaded[file] = load_scenario(file)
            scenario = loaded[file]
        scenario = arm_scenario(scenario, first, where)
        if priors is not None:
            _check_not_fixed(first, scenario, priors, where)
        steps = []
        for target in group:
            try:
                steps.append(target.step(scenario.start, scenario.quarters))
            except ValueError as exc:
                raise ScenarioError(f"{targets_path}: {exc}") from None
        arms.append(Arm(scenario, dict(first.reforms), group, steps))
    return arms


def _check_not_fixed(
    target: Target, scenario: Scenario, priors: tuple[Priors, Path], where: str
) -> None:
    """A target's conditions are the time's structures, never an uncertain input."""
    inputs, path = priors
    for field_path in target.conditions:
        for entry in inputs.for_mission(scenario.mission_spec.name):
            if entry.field == field_path:
                raise ScenarioError(
                    f"{where}: conditions: '{field_path}' is an uncertain input "
                    f"({path}); a target's run may not fix it"
                )


def _check_no_overlap(priors: Priors, scenario: Scenario, source: str) -> None:
    """The scenario's own reforms are levers: its uncertain inputs must not include them."""
    for entry in priors.for_mission(scenario.mission_spec.name):
        if entry.field.startswith("reforms."):
            raise ScenarioError(
                f"{source}: '{entry.field}' is a lever (a reform's strength), not an "
                "uncertain input"
            )
