"""Run a scenario's declared patterns and say, for each, whether the model reproduces it.

Each pattern is measured over the same replication seeds (spawned from one
master seed, as a batch's are) and, with a calibrated ensemble, in every member
(each with its own seeds, as in a batch), so a pattern with ``versus`` is a paired
comparison with common random numbers. Arms that several patterns share (the
scenario as it stands, "no signal", ...) are run once, all in blocks of runs, on
any executor.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mobilise.model.outcomes import BINARY_OUTCOMES, check_output
from mobilise.running.design import member_seed, replication_seeds
from mobilise.running.executors.base import Executor
from mobilise.running.executors.local import SequentialExecutor
from mobilise.running.probes import Job, Probe, evaluate
from mobilise.schema.ensemble import Ensemble
from mobilise.schema.patterns import Pattern
from mobilise.schema.scenario import Scenario, load_scenario
from mobilise.vocabulary import ScenarioError, quarter_index

BAND = (0.05, 0.95)
"""The band reported around each statistic."""


@dataclass(frozen=True)
class PatternResult:
    """A pattern against the model: the statistic, its 5-95% band, and the verdict."""

    pattern: Pattern
    value: float
    low: float
    high: float
    runs: int

    @property
    def ok(self) -> bool:
        """Whether the measured statistic meets the expectation."""
        return self.pattern.holds(self.value)

    def line(self) -> str:
        """One line: verdict, name, what was read, expected, measured with band, source."""
        return (
            f"{'ok  ' if self.ok else 'MISS'}  {self.pattern.name}: {describe(self.pattern)}: "
            f"expected {self.pattern.expected()}; measured {self.value:.3g} "
            f"[{self.low:.3g}, {self.high:.3g}]"
            + (f"  [{self.pattern.source}]" if self.pattern.source else "")
        )


def describe(pattern: Pattern) -> str:
    """What a pattern reads, in words: 'mean of engaged_union at the horizon'."""
    if pattern.ratio_to is not None:
        own = describe(pattern.model_copy(update={"ratio_to": None}))
        return f"{own}, over the same in {pattern.ratio_to}"
    change = "the change in " if pattern.versus is not None else ""
    if pattern.output in BINARY_OUTCOMES:
        what = f"{pattern.statistic} of {change}{pattern.output}"
        if pattern.statistic == "mean" and not change:
            what = f"share of runs with {pattern.output}"
    else:
        where = pattern.output + (f" - {pattern.minus}" if pattern.minus else "")
        if isinstance(pattern.at, int):
            when = f"at step {pattern.at}"
        else:
            when = {"horizon": "at the horizon", "milestone": "at the key milestone"}[pattern.at]
        what = f"{pattern.statistic} of {change}{where} {when}"
    return what + (" (share of gap)" if pattern.scale == "gap" else "")


@dataclass(frozen=True)
class Arm:
    """Settings a set of runs share: a scenario with conditions and reforms applied."""

    scenario: Scenario
    reforms: dict[str, float]
    conditions: tuple[tuple[str, Any], ...] = ()

    def key(self) -> str:
        """Equal settings, equal key: arms shared by several patterns run once."""
        return (
            self.scenario.content_hash()
            + json.dumps(self.reforms, sort_keys=True)
            + json.dumps(self.conditions, sort_keys=True, default=str)
        )


@dataclass(frozen=True)
class Worlds:
    """Where patterns are measured: members (0 alone: the scenario as written) and seeds.

    Member ``m`` runs ``replications`` seeds spawned from ``member_seed(master, m)``,
    as a batch's member does.
    """

    ensemble: Ensemble | None
    replications: int
    master: int

    def members(self) -> list[tuple[int, int | None]]:
        """(member id, position in the ensemble); ``(0, None)`` for the scenario as written."""
        if self.ensemble is None:
            return [(0, None)]
        return [(m, i) for i, m in enumerate(self.ensemble.members)]

    def seeds(self, member: int) -> list[int]:
        """The replication seeds of ``member``."""
        return replication_seeds(member_seed(self.master, member), self.replications)


class Runner:
    """Collects what each pattern reads from which arm; runs every arm once, in blocks.

    ``read(arm, probe)`` registers a read-out and returns a handle; :meth:`run` makes
    every arm's runs (each member of the worlds, each seed) on the executor;
    :meth:`values` then gives a handle's values, one per (member, seed), in order.
    """

    def __init__(self, worlds: Worlds, executor: Executor | None = None) -> None:
        self.worlds = worlds
        self.executor = executor or SequentialExecutor()
        self._arms: dict[str, Arm] = {}
        self._probes: dict[str, list[Probe]] = {}
        self._values: dict[tuple[str, int], np.ndarray] = {}

    def read(self, arm: Arm, probe: Probe) -> tuple[str, int]:
        """Register a read-out of ``arm``; its handle."""
        key = arm.key()
        self._arms.setdefault(key, arm)
        probes = self._probes.setdefault(key, [])
        if probe not in probes:
            probes.append(probe)
        return key, probes.index(probe)

    def run(self) -> None:
        """Every registered arm, in every member and seed, read as registered."""
        jobs: list[Job] = []
        owners: list[str] = []
        for key, arm in self._arms.items():
            mission = arm.scenario.mission_spec.name
            for member, index in self.worlds.members():
                scenario = arm.scenario
                ensemble = self.worlds.ensemble
                if ensemble is not None and index is not None:
                    values = ensemble.member_values(index, mission)
                    scenario = scenario.with_values(values, f"{ensemble.path}: member {member}")
                for path, value in arm.conditions:
                    scenario = scenario.updated(path, value)
                probes = tuple(self._probes[key])
                for seed in self.worlds.seeds(member):
                    jobs.append(Job(scenario, seed, probes, dict(arm.reforms)))
                    owners.append(key)
        rows = evaluate(jobs, self.executor)
        for key in self._arms:
            mine = rows[[i for i, owner in enumerate(owners) if owner == key]]
            for p in range(len(self._probes[key])):
                self._values[(key, p)] = mine[:, p]

    def values(self, handle: tuple[str, int]) -> np.ndarray:
        """A read-out's values, one per (member, seed), members in order."""
        return self._values[handle]


def _conditioned(scenario: Scenario, conditions: dict[str, Any], where: str) -> Scenario:
    """The scenario with the conditions applied (checked here; applied again per member)."""
    for path, value in conditions.items():
        try:
            scenario = scenario.updated(path, value)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: conditions: {exc}") from None
    return scenario


def _probe(scenario: Scenario, output: str, minus: str | None, at: str | int) -> Probe:
    """Where in a run a pattern reads ``output``: its step, checked against the run."""
    if output in BINARY_OUTCOMES:
        return Probe(output)
    if at == "horizon":
        return Probe(output, scenario.quarters, minus)
    if at == "milestone":
        quarter = scenario.mission_spec.key_milestone.quarter
        step = quarter_index(quarter) - quarter_index(scenario.start) + 1
        if not 0 <= step <= scenario.quarters:
            raise ScenarioError(
                f"the key milestone ({quarter}) is not within the run's quarters; "
                "read the pattern at the horizon or a step instead"
            )
        return Probe(output, step, minus)
    if isinstance(at, str):
        raise ScenarioError(f"a pattern is read at a step, 'milestone' or 'horizon', found {at!r}")
    if at > scenario.quarters:
        raise ScenarioError(f"step {at} is beyond the run's {scenario.quarters} quarters")
    return Probe(output, at, minus)


def _statistic(values: np.ndarray, name: str) -> float:
    statistics: dict[str, Callable[[np.ndarray], Any]] = {
        "mean": np.mean, "sd": np.std, "min": np.min, "max": np.max
    }  # fmt: skip
    return float(statistics[name](values))


def _band(values: np.ndarray, statistic: str, binary: bool) -> tuple[float, float]:
    """The 5-95% band around a statistic.

    For the mean of a continuous output, the band of the runs themselves (how
    far replications spread); for a share, an sd or an extreme, a bootstrap.
    """
    if statistic == "mean" and not binary:
        low, high = np.quantile(values, BAND)
    else:
        rng = np.random.default_rng(0)
        draws = rng.choice(values, size=(1000, len(values)), replace=True)
        resampled = [_statistic(row, statistic) for row in draws]
        low, high = np.quantile(resampled, BAND)
    return float(low), float(high)


@dataclass(frozen=True)
class Planned:
    """A pattern with the read-outs it needs registered: measured once the runner has run.

    ``ratio`` is the same pattern planned in its ``ratio_to`` scenario (same worlds, same
    seeds), whose mean divides this one's.
    """

    pattern: Pattern
    handle: tuple[str, int]
    versus: tuple[str, int] | None
    gap: float
    ratio: Planned | None = None


def plan(
    scenario: Scenario,
    pattern: Pattern,
    runner: Runner,
    *,
    source: str = "<scenario>",
    base: Path | None = None,
) -> Planned:
    """Register what a pattern reads; ``base``: the folder of ``versus.scenario``, ``ratio_to``."""
    where = f"{source}: pattern '{pattern.name}'"
    planned = _plan(scenario, pattern, runner, where, base)
    if pattern.ratio_to is None:
        return planned
    try:
        other = load_scenario((base or Path(".")) / str(pattern.ratio_to))
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: ratio_to: {exc}") from None
    same = pattern.model_copy(update={"ratio_to": None})
    ratio = _plan(other, same, runner, f"{where}: ratio_to", base)
    return Planned(pattern, planned.handle, planned.versus, planned.gap, ratio)


def _plan(
    scenario: Scenario, pattern: Pattern, runner: Runner, where: str, base: Path | None
) -> Planned:
    """Register a pattern's read-outs in ``scenario`` (its output, and ``versus``'s)."""
    for output in (pattern.output, pattern.minus):
        try:
            if output is not None:
                check_output(output)  # the outputs the model declares
        except ValueError as exc:
            raise ScenarioError(f"{where}: {exc}") from None
    conditioned = _conditioned(scenario, pattern.conditions, where)
    try:
        probe = _probe(conditioned, pattern.output, pattern.minus, pattern.at)
        arm = Arm(scenario, dict(pattern.reforms), tuple(pattern.conditions.items()))
        handle = runner.read(arm, probe)
        versus = None
        if pattern.versus is not None:
            other = scenario
            if pattern.versus.scenario is not None:
                other = load_scenario((base or Path(".")) / pattern.versus.scenario)
            other_conditioned = _conditioned(other, pattern.versus.conditions, where)
            other_probe = _probe(other_conditioned, pattern.output, pattern.minus, pattern.at)
            other_arm = Arm(
                other, dict(pattern.versus.reforms), tuple(pattern.versus.conditions.items())
            )
            versus = runner.read(other_arm, other_probe)
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    mission = scenario.mission_spec
    gap = mission.target - mission.baseline if pattern.scale == "gap" else 1.0
    return Planned(pattern, handle, versus, gap)


def pattern_values(planned: Planned, runner: Runner) -> np.ndarray:
    """A planned pattern's value in each run: its output, less ``versus`` run by run, scaled."""
    values = runner.values(planned.handle)
    if planned.versus is not None:
        values = values - runner.values(planned.versus)
    return values / planned.gap


def measure(planned: Planned, runner: Runner) -> PatternResult:
    """A planned pattern's statistic, band and verdict from the runner's values."""
    pattern = planned.pattern
    values = pattern_values(planned, runner)
    if planned.ratio is not None:
        return _ratio(pattern, values, pattern_values(planned.ratio, runner))
    statistic = _statistic(values, pattern.statistic)
    low, high = _band(values, pattern.statistic, binary=pattern.output in BINARY_OUTCOMES)
    return PatternResult(pattern, statistic, low, high, len(values))


def _ratio(pattern: Pattern, values: np.ndarray, theirs: np.ndarray) -> PatternResult:
    """A pattern's mean over the same pattern's mean in another scenario (same worlds, seeds).

    The band is a bootstrap over runs, resampling both scenarios' runs of a member and seed
    together.
    """
    ratio = float(np.mean(values) / np.mean(theirs))
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(values), size=(1000, len(values)))
    with np.errstate(divide="ignore", invalid="ignore"):
        resampled = values[picks].mean(axis=1) / theirs[picks].mean(axis=1)
    low, high = np.nanquantile(resampled, BAND)
    return PatternResult(pattern, ratio, float(low), float(high), len(values))


def check(
    scenario: Scenario,
    *,
    replications: int,
    seed: int = 0,
    source: str = "<scenario>",
    base: Path | None = None,
    patterns: Sequence[Pattern] | None = None,
    ensemble: Ensemble | None = None,
    executor: Executor | None = None,
) -> list[PatternResult]:
    """Every declared pattern (or ``patterns``) over the worlds and seeds.

    ``replications`` seeds from ``seed`` for the scenario as written, or for each member
    of ``ensemble`` (its own seeds, as a batch's member has): each statistic is then
    taken over members and seeds together, and a ``versus`` pattern is paired within
    each member and seed.
    """
    runner = Runner(Worlds(ensemble, replications, seed), executor)
    chosen = scenario.patterns if patterns is None else patterns
    planned = [plan(scenario, p, runner, source=source, base=base) for p in chosen]
    runner.run()
    return [measure(p, runner) for p in planned]
