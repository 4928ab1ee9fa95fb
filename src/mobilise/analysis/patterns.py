"""Run a scenario's declared patterns and say, for each, whether the model reproduces it.

Each pattern is measured over the same replication seeds (spawned from one
master seed, as a batch's are), so a pattern with ``versus`` is a paired
comparison with common random numbers. Arms that several patterns share (the
scenario as it stands, "no signal", ...) are run once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mobilise.model.outcomes import (
    BINARY_OUTCOMES,
    check_output,
    mission_column,
    mission_frame,
    split_column,
)
from mobilise.running.design import replication_seeds
from mobilise.running.simulate import run, summarise
from mobilise.schema.patterns import Pattern
from mobilise.schema.scenario import Scenario, load_scenario
from mobilise.vocabulary import ScenarioError

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
    if pattern.exceeds is not None:
        own = describe(pattern.model_copy(update={"exceeds": None}))
        return f"{own}, less the largest of the same for {', '.join(pattern.exceeds)}"
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


class Runner:
    """Runs each distinct arm once over the replication seeds and keeps its frames."""

    def __init__(self, seeds: Sequence[int]) -> None:
        self.seeds = list(seeds)
        self._frames: dict[str, list[pd.DataFrame]] = {}

    def frames(self, arm: Arm) -> list[pd.DataFrame]:
        """One frame per seed for ``arm`` (cached by the arm's content)."""
        key = arm.scenario.content_hash() + json.dumps(arm.reforms, sort_keys=True)
        if key not in self._frames:
            self._frames[key] = [
                run(arm.scenario, seed=seed, reforms=arm.reforms) for seed in self.seeds
            ]
        return self._frames[key]


def _conditioned(scenario: Scenario, conditions: dict[str, Any], where: str) -> Scenario:
    for path, value in conditions.items():
        try:
            scenario = scenario.updated(path, value)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: conditions: {exc}") from None
    return scenario


def _read(frame: pd.DataFrame, scenario: Scenario, output: str, at: str | int) -> float:
    """The output of one run at the pattern's read-out (of one mission: ``metric:nhs``)."""
    output, mission = split_column(output)
    if mission is not None:
        frame, scenario = _of_mission(frame, scenario, mission)
    if output in BINARY_OUTCOMES:
        return float(summarise(frame, scenario)[output])
    if at == "horizon":
        return float(frame[output].iloc[-1])
    if at == "milestone":
        quarter = scenario.mission_spec.key_milestone.quarter
        rows = frame.loc[frame["quarter"] == quarter, output]
        if not len(rows):
            raise ScenarioError(
                f"the key milestone ({quarter}) is not within the run's quarters; "
                "read the pattern at the horizon or a step instead"
            )
        return float(rows.iloc[0])
    if isinstance(at, str):
        raise ScenarioError(f"a pattern is read at a step, 'milestone' or 'horizon', found {at!r}")
    if at >= len(frame):
        raise ScenarioError(f"step {at} is beyond the run's {len(frame) - 1} quarters")
    return float(frame[output].iloc[at])


def _of_mission(
    frame: pd.DataFrame, scenario: Scenario, mission: str
) -> tuple[pd.DataFrame, Scenario]:
    """A run's frame and scenario as mission ``mission`` reads them (alone or beside others)."""
    if mission not in scenario.mission_names:
        listed = ", ".join(scenario.mission_names)
        raise ScenarioError(f"the run has no mission '{mission}' (its missions: {listed})")
    if not scenario.several:
        return frame, scenario
    return mission_frame(frame, mission), scenario.for_mission(mission)


def _values(pattern: Pattern, arm: Arm, runner: Runner) -> np.ndarray:
    values = []
    for frame in runner.frames(arm):
        value = _read(frame, arm.scenario, pattern.output, pattern.at)
        if pattern.minus:
            value -= _read(frame, arm.scenario, pattern.minus, pattern.at)
        values.append(value)
    return np.array(values)


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


def evaluate(
    scenario: Scenario,
    pattern: Pattern,
    runner: Runner,
    *,
    source: str = "<scenario>",
    base: Path | None = None,
) -> PatternResult:
    """Measure one pattern; ``base`` is the folder ``versus.scenario`` and ``ratio_to`` are in."""
    where = f"{source}: pattern '{pattern.name}'"
    values = pattern_values(scenario, pattern, runner, where, base)
    if pattern.exceeds is not None:
        return _exceeds(scenario, pattern, values, runner, where, base)
    if pattern.ratio_to is not None:
        return _ratio(pattern, values, runner, where, base)
    statistic = _statistic(values, pattern.statistic)
    low, high = _band(values, pattern.statistic, binary=pattern.output in BINARY_OUTCOMES)
    return PatternResult(pattern, statistic, low, high, len(values))


def pattern_values(
    scenario: Scenario, pattern: Pattern, runner: Runner, where: str, base: Path | None
) -> np.ndarray:
    """A pattern's value in each run: its output, less ``versus`` run by run, scaled."""
    for output in (pattern.output, pattern.minus):
        try:
            if output is not None:
                check_output(output)  # the outputs the model declares
        except ValueError as exc:
            raise ScenarioError(f"{where}: {exc}") from None
    arm = Arm(_conditioned(scenario, pattern.conditions, where), dict(pattern.reforms))
    try:
        values = _values(pattern, arm, runner)
        if pattern.versus is not None:
            other = scenario
            if pattern.versus.scenario is not None:
                other = load_scenario((base or Path(".")) / pattern.versus.scenario)
            other = _conditioned(other, pattern.versus.conditions, where)
            values = values - _values(pattern, Arm(other, dict(pattern.versus.reforms)), runner)
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    if pattern.scale == "gap":
        named = split_column(pattern.output)[1]
        own = scenario if named is None else scenario.for_mission(named)
        mission = own.mission_spec
        values = values / (mission.target - mission.baseline)
    return values


def _exceeds(
    scenario: Scenario,
    pattern: Pattern,
    values: np.ndarray,
    runner: Runner,
    where: str,
    base: Path | None,
) -> PatternResult:
    """One mission's mean less the largest of the same output's means for ``exceeds`` missions.

    Over the same runs; the band is a bootstrap over seeds, resampling every mission's
    value of a seed together.
    """
    column = split_column(pattern.output)[0]
    others = []
    for mission in pattern.exceeds or []:
        other = pattern.model_copy(update={"output": mission_column(column, mission)})
        others.append(pattern_values(scenario, other, runner, where, base))
    stacked = np.stack(others)
    measured = float(np.mean(values) - np.max(stacked.mean(axis=1)))
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(values), size=(1000, len(values)))
    resampled = values[picks].mean(axis=1) - stacked[:, picks].mean(axis=2).max(axis=0)
    low, high = np.quantile(resampled, BAND)
    return PatternResult(pattern, measured, float(low), float(high), len(values))


def _ratio(
    pattern: Pattern, values: np.ndarray, runner: Runner, where: str, base: Path | None
) -> PatternResult:
    """A pattern's mean over the same pattern's mean in another scenario (same seeds).

    The band is a bootstrap over seeds, resampling both scenarios' runs of a seed together.
    """
    try:
        other = load_scenario((base or Path(".")) / str(pattern.ratio_to))
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: ratio_to: {exc}") from None
    theirs = pattern_values(other, pattern, runner, f"{where}: ratio_to", base)
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
) -> list[PatternResult]:
    """Every declared pattern (or ``patterns``) over ``replications`` seeds from ``seed``."""
    runner = Runner(replication_seeds(seed, replications))
    chosen = scenario.patterns if patterns is None else patterns
    return [evaluate(scenario, p, runner, source=source, base=base) for p in chosen]
