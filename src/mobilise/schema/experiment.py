"""Experiment files: which scenarios, missions, arms, sweeps and replications to run.

The schema only: what a file may say and what it means. Expanding an experiment
into runs is :mod:`mobilise.running.design`'s.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from mobilise.schema.levers import BASELINE, Cost, Levers, Robustness, Uncertainties
from mobilise.schema.missions import check_missions
from mobilise.schema.ranges import Ranges, latin_hypercube, place, require_width, scale
from mobilise.schema.reforms import REFORMS, check_reform
from mobilise.schema.schedule import (
    BUDGET,
    Quarter,
    Schedule,
    TimedReform,
    Timing,
    budget_arm,
    check_budget,
    parse_start,
)
from mobilise.schema.strict import Strict


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


class StartSweep(Strict):
    """One reform started at several quarters (when should we start, and what if we wait?)."""

    reform: str
    starts: list[Quarter] = Field(min_length=1, description="quarters (labels or numbers)")
    strength: float = Field(1.0, gt=0, le=1)
    ramp: int = Field(0, ge=0, description="quarters after each start until full strength")

    @model_validator(mode="after")
    def _known(self) -> StartSweep:
        _check_reforms({self.reform: self.strength})
        for start in self.starts:
            parse_start(str(start))
        return self


Bundle = dict[str, float | TimedReform]
"""A bundle: reform -> strength, or -> strength with timing; ``budget`` -> a multiplier."""


class Arms(Strict):
    """The arms: baseline always, then singles, bundles, a factorial, sweeps, budgets."""

    single: list[str] | Literal["all"] = Field(
        default_factory=list, description="each reform alone at strength 1"
    )
    bundles: dict[str, Bundle | Literal["all"]] = Field(
        default_factory=dict,
        description="named bundles: reform -> strength (or {strength, start, ramp, end, "
        "trigger}), budget -> a multiplier of the scenario's budget; or 'all'",
    )
    factorial: Factorial | None = None
    strength_sweeps: list[StrengthSweep] = Field(default_factory=list)
    start_sweeps: list[StartSweep] = Field(
        default_factory=list, description="a reform started at several quarters, an arm each"
    )
    budgets: list[float] = Field(
        default_factory=list,
        description="arms with the scenario's budget times each factor (more money, no reform)",
    )

    @field_validator("budgets")
    @classmethod
    def _budgets(cls, value: list[float]) -> list[float]:
        for factor in value:
            check_budget(factor, "budgets")
        return value

    @field_validator("single")
    @classmethod
    def _single(cls, value: list[str] | str) -> list[str] | str:
        if not isinstance(value, str):
            _check_reforms(value)
        return value

    @field_validator("bundles")
    @classmethod
    def _bundles(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name, bundle in value.items():
            if name == BASELINE:
                raise ValueError(f"'{BASELINE}' is reserved for government push alone")
            if bundle == "all":
                continue
            for reform, entry in bundle.items():
                if reform == BUDGET:
                    if not isinstance(entry, float | int):
                        raise ValueError(f"bundle '{name}': budget must be a number")
                    check_budget(entry, f"bundle '{name}': budget")
                else:
                    strength = entry if isinstance(entry, float | int) else entry.strength
                    check_reform(reform, strength)
        return value

    def expand(self) -> dict[str, dict[str, float]]:
        """Arm name -> reforms, baseline first, in a fixed order; duplicates merged."""
        return {name: plan[0] for name, plan in self.plans().items()}

    def timing(self) -> dict[str, Schedule]:
        """Arm name -> the timing of its reforms (arms without timing left out)."""
        return {name: plan[1] for name, plan in self.plans().items() if plan[1]}

    def budgets_by_arm(self) -> dict[str, float]:
        """Arm name -> its budget multiplier (arms at the scenario's budget left out)."""
        return {name: plan[2] for name, plan in self.plans().items() if plan[2] != 1.0}

    def plans(self) -> dict[str, tuple[dict[str, float], Schedule, float]]:
        """Arm name -> (reforms, timing, budget multiplier), baseline first; duplicates merged."""
        plans: dict[str, tuple[dict[str, float], Schedule, float]] = {}
        for name, reforms in self._reform_arms().items():
            plans[name] = (reforms, {}, 1.0)
        for name, bundle in self.bundles.items():
            if bundle == "all":
                continue
            reforms, timing, budget = {}, {}, 1.0
            for reform, entry in bundle.items():
                if reform == BUDGET:
                    budget = float(entry)  # type: ignore[arg-type]  # checked: a number
                elif isinstance(entry, TimedReform):
                    reforms[reform] = entry.strength
                    timing[reform] = Timing(**entry.model_dump(exclude={"strength"}, by_alias=True))
                else:
                    reforms[reform] = float(entry)
            plans[name] = (reforms, timing, budget)
        for sweep in self.start_sweeps:
            for start in sweep.starts:
                name = f"{sweep.reform}@{start}"
                timed = Timing(start=start, ramp=sweep.ramp)
                plans.setdefault(name, ({sweep.reform: sweep.strength}, {sweep.reform: timed}, 1.0))
        for factor in self.budgets:
            plans.setdefault(budget_arm(factor), ({}, {}, float(factor)))
        return plans

    def _reform_arms(self) -> dict[str, dict[str, float]]:
        """Arms of reforms at strengths (no timing, no budget), in the order they were expanded."""
        arms: dict[str, dict[str, float]] = {BASELINE: {}}
        singles = list(REFORMS) if self.single == "all" else self.single
        for name in singles:
            arms[name] = {name: 1.0}
        for name, bundle in self.bundles.items():
            arms[name] = dict.fromkeys(REFORMS, 1.0) if bundle == "all" else {}
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


MAX_POINTS = 100_000
"""The most sweep points an experiment may have (each is a validated scenario)."""


class Sweep(Strict):
    """Parameter sweeps over scenario fields: a full grid, or a Latin hypercube."""

    grid: dict[str, list[Any]] = Field(default_factory=dict, description="field path -> values")
    lhs: Ranges = Field(
        default_factory=dict, description="field path -> [low, high], sampled by Latin hypercube"
    )
    samples: int = Field(0, ge=0, le=MAX_POINTS, description="Latin hypercube sample size")
    seed: int = Field(0, ge=0, description="seed of the Latin hypercube design")

    @model_validator(mode="after")
    def _consistent(self) -> Sweep:
        if self.lhs and self.samples < 1:
            raise ValueError("lhs needs samples >= 1")
        points = math.prod(len(values) for values in self.grid.values())
        points *= self.samples if self.lhs else 1
        if points > MAX_POINTS:
            raise ValueError(f"{points:,} sweep points; at most {MAX_POINTS:,}")
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


class Sensitivity(Strict):
    """Uncertain parameters (scenario fields with ranges) and outcomes to analyse."""

    parameters: Ranges = Field(
        min_length=1, description="field path -> [low, high], sampled uniformly"
    )
    outcomes: list[str] = Field(
        default_factory=lambda: ["milestone_metric", "milestone_met"], min_length=1
    )
    method: Literal["morris", "sobol"] = "morris"
    samples: int = Field(
        16, ge=2, le=10_000, description="Morris trajectories, or Sobol base samples N"
    )
    levels: int = Field(4, ge=2, le=1000, description="Morris grid levels")
    seed: int = Field(0, ge=0, description="seed of the sample design")

    @model_validator(mode="after")
    def _valid(self) -> Sensitivity:
        require_width(self.parameters)  # outcomes: checked against the model's when loaded
        return self


class Experiment(Strict):
    """An experiment file, validated."""

    name: str = Field(description="the experiment's name, in outputs and manifests")
    description: str = Field("", description="what the experiment asks, in words")
    scenarios: list[str] = Field(
        min_length=1, description="scenario files, relative to this file, or shipped names"
    )
    missions: list[str] = Field(
        default_factory=list, description="run each scenario for each mission (default: its own)"
    )
    arms: Arms = Field(default_factory=Arms, description="the arms: baseline and reforms")
    sweep: Sweep = Field(default_factory=Sweep, description="scenario fields varied")
    replications: int = Field(
        20, ge=1, le=100_000, description="replications per arm and point (seeds per member)"
    )
    members: int | None = Field(
        None,
        ge=1,
        le=100_000,
        exclude=True,  # in the design's hash through the ensemble it picks
        description="members of each scenario's calibrated ensemble to run (default 40); "
        "--members overrides",
    )
    max_replications: int = Field(
        1000, ge=1, le=100_000, description="cap on replications per arm for --precision"
    )
    seed: int = Field(0, ge=0, description="master seed; replication seeds are spawned from it")
    quarters: int | None = Field(None, ge=1, le=400, description="override every scenario's")
    record: Record = Field(default_factory=Record, description="what is kept of each run")
    costs: dict[str, Cost] = Field(
        default_factory=dict,
        description="reform -> its cost, GBP bn a quarter at full strength, with a source: "
        "effects are then reported per GBP bn too (a budget arm's cost is its extra budget)",
    )
    sensitivity: Sensitivity | None = Field(
        None, description="uncertain parameters for mobilise sensitivity"
    )
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

    @field_validator("costs")
    @classmethod
    def _costs(cls, value: dict[str, Cost]) -> dict[str, Cost]:
        for name in value:
            check_reform(name)
        return value

    @field_validator("missions")
    @classmethod
    def _missions(cls, value: list[str]) -> list[str]:
        return check_missions(value)

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
