"""Levers and uncertainties: what policy chooses, and what nobody controls.

*Levers* are the enabling reforms a government can push for, the strengths each may
take, and which packages are allowed: every subset of up to ``max_reforms`` of them, a
named list, or a search over strengths; an optional cost per reform is a stated
assumption with its source. *Uncertainties* are ranges over scenario fields (behavioural
assumptions, structural trends), sampled by Latin hypercube into *states of the world*
with their own design seed. A robust experiment runs every package in every state,
replication ``r`` with the same seed everywhere (common random numbers): packages become
the design's arms and states its sweep points, so batches, executors, resume and the
manifest are the ones every experiment uses (EMA Workbench's levers and uncertainties,
Kwakkel 2017).
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from mobilise.schema.criteria import CRITERIA_BY_NAME, DEFAULT_RANK_BY
from mobilise.schema.ranges import (
    Ranges,
    integer_fields,
    latin_hypercube,
    place,
    require_width,
    scale,
)
from mobilise.schema.reforms import REFORMS, check_reform
from mobilise.schema.scenario import Scenario
from mobilise.schema.schedule import Quarter, Timing, Trigger, parse_start
from mobilise.schema.strict import Strict
from mobilise.vocabulary import check_known, unknown_name

BASELINE = "baseline"
"""The package with no reform: government push alone. Always evaluated."""

PACKAGE_OBJECTIVES = {"reforms": "number of reforms", "cost": "cost of the package"}
"""Objectives a search may use besides the robustness criteria (all minimised)."""


def package_name(strengths: dict[str, float], starts: dict[str, str] | None = None) -> str:
    """``a+b@0.5~2027Q1`` in catalogue order; ``baseline`` for no reform.

    ``@`` gives a strength below 1, ``~`` a start other than the first quarter (a quarter,
    or the name of a signpost that starts it); strength-0 reforms are omitted.
    """
    starts = starts or {}
    parts = [
        (name if strengths[name] == 1 else f"{name}@{strengths[name]:g}")
        + (f"~{starts[name]}" if name in starts else "")
        for name in REFORMS
        if strengths.get(name, 0) > 0
    ]
    return "+".join(parts) or BASELINE


class Cost(Strict):
    """The cost of one reform at full strength (it scales with strength): an assumption."""

    value: float = Field(ge=0, description="cost at strength 1, in the levers' cost_unit")
    source: str = Field(min_length=1, description="where the number comes from, or 'assumption'")


class Search(Strict):
    """How packages are searched: exhaustively when few, else by an evolutionary algorithm."""

    method: Literal["auto", "exhaustive", "evolutionary"] = "auto"
    exhaustive_limit: int = Field(
        300, ge=1, description="auto: exhaustive when at most this many packages"
    )
    algorithm: Literal["nsga2", "nsga3"] = "nsga2"
    population: int = Field(24, ge=4, le=10_000)
    generations: int = Field(10, ge=1, le=10_000)
    seed: int = Field(0, ge=0, description="seed of the evolutionary algorithm")
    objectives: list[str] | None = Field(
        None,
        description="robustness criteria or 'reforms'/'cost'; default satisficing, "
        "regret_p90 and cost (with costs) or reforms",
    )

    @field_validator("objectives")
    @classmethod
    def _objectives(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return value
        known = [*CRITERIA_BY_NAME, *PACKAGE_OBJECTIVES]
        for name in value:
            check_known("objective", name, known)
        if len(value) < 2 or len(set(value)) != len(value):
            raise ValueError("objectives must name at least two different objectives")
        return value


class Levers(Strict):
    """The reforms policy chooses from, their strengths, the allowed packages and costs."""

    reforms: list[str] | Literal["all"] = Field(
        "all", description="the reforms policy can choose from (default: the whole catalogue)"
    )
    strengths: list[float] = Field(
        default_factory=lambda: [1.0],
        min_length=1,
        description="strengths a chosen reform may take, in (0, 1]",
    )
    max_reforms: int | None = Field(
        None, description="budget: packages of at most this many reforms (every subset)"
    )
    packages: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="named packages (reform -> strength), evaluated too"
    )
    costs: dict[str, Cost] = Field(default_factory=dict, description="reform -> cost at strength 1")
    cost_unit: str = Field("cost units", description="the unit of the costs")
    starts: list[Quarter] = Field(
        default_factory=list,
        description="when a chosen reform may start besides the first quarter: quarters "
        "(2027Q1, or quarter numbers) or names of triggers; searched exhaustively",
    )
    triggers: dict[str, Trigger] = Field(
        default_factory=dict, description="named signposts a start may name"
    )
    search: Search = Field(default_factory=Search)

    @field_validator("starts")
    @classmethod
    def _starts(cls, value: list[Quarter]) -> list[Quarter]:
        if len({str(v) for v in value}) != len(value):
            raise ValueError("starts must not repeat")
        return value

    @field_validator("reforms")
    @classmethod
    def _reforms(cls, value: list[str] | str) -> list[str] | str:
        if value == "all":
            return value
        if not value:
            raise ValueError("reforms must name at least one reform, or be 'all'")
        for name in value:
            check_reform(name)
        if len(set(value)) != len(value):
            raise ValueError("reforms must not repeat")
        return value

    @field_validator("strengths")
    @classmethod
    def _strengths(cls, value: list[float]) -> list[float]:
        for strength in value:
            if not 0 < strength <= 1:
                raise ValueError(f"strengths must be in (0, 1], found {strength:g}")
        if len(set(value)) != len(value):
            raise ValueError("strengths must not repeat")
        return sorted(value)

    @field_validator("packages")
    @classmethod
    def _packages(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for name, package in value.items():
            if name == BASELINE:
                raise ValueError(f"'{BASELINE}' is reserved for government push alone")
            for reform, strength in package.items():
                check_reform(reform, strength)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Levers:
        levers = self.lever_reforms()
        if self.max_reforms is not None and not 1 <= self.max_reforms <= len(levers):
            raise ValueError(
                f"max_reforms must be between 1 and {len(levers)} (the number of lever "
                f"reforms), found {self.max_reforms}"
            )
        for name, package in self.packages.items():
            for reform in package:
                if reform not in levers:
                    raise ValueError(
                        f"package '{name}': '{reform}' is not one of the lever reforms"
                    )
        for reform in self.costs:
            check_reform(reform)
            if reform not in levers:
                raise ValueError(f"costs: '{reform}' is not one of the lever reforms")
        if self.max_reforms is None and not self.packages and self.search.method == "exhaustive":
            raise ValueError("give max_reforms (every package of up to k reforms) or packages")
        if self.max_reforms is None and not self.packages and self.search.method == "auto":
            raise ValueError(
                "give max_reforms (every package of up to k reforms), packages (a named "
                "list), or search: {method: evolutionary}"
            )
        if "cost" in self.objectives() and not self.costs:
            raise ValueError("the objective 'cost' needs costs for the lever reforms")
        for start in self.starts:
            if isinstance(start, str) and start not in self.triggers:
                try:
                    parse_start(start)
                except ValueError:
                    raise unknown_name("start (a quarter or trigger)", start,
                                       self.triggers) from None  # fmt: skip
        if self.starts and self.method() == "evolutionary":
            raise ValueError(
                "starts are searched exhaustively: give max_reforms small enough "
                f"(at most {self.search.exhaustive_limit} packages) or no starts"
            )
        return self

    def start_options(self) -> list[str | None]:
        """When a chosen reform may start: the first quarter (None), then each of ``starts``."""
        return [None, *(str(s) for s in self.starts)]

    def timing_of(self, start: str) -> Timing:
        """The timing a start option names: a signpost's trigger, or a quarter."""
        if start in self.triggers:
            return Timing(trigger=self.triggers[start])
        return Timing(start=parse_start(start))

    # --- expansion --------------------------------------------------------------------

    def lever_reforms(self) -> list[str]:
        """The reforms policy can choose from, in catalogue order."""
        chosen = set(REFORMS) if self.reforms == "all" else set(self.reforms)
        return [name for name in REFORMS if name in chosen]

    def budget(self) -> int:
        """The most reforms a package may hold."""
        return self.max_reforms or len(self.lever_reforms())

    def subset_count(self) -> int:
        """How many packages every subset of up to ``max_reforms`` makes (baseline included)."""
        if self.max_reforms is None:
            return 1
        n = len(self.lever_reforms())
        levels = len(self.strengths) * len(self.start_options())
        return sum(math.comb(n, i) * levels**i for i in range(self.max_reforms + 1))

    def method(self) -> Literal["exhaustive", "evolutionary"]:
        """The search method in force: ``auto`` is exhaustive when packages are few."""
        if self.search.method != "auto":
            return self.search.method
        if self.max_reforms is None or self.subset_count() <= self.search.exhaustive_limit:
            return "exhaustive"
        return "evolutionary"

    def objectives(self) -> list[str]:
        """The search objectives (also used to mark the non-dominated packages)."""
        if self.search.objectives:
            return list(self.search.objectives)
        return ["satisficing", "regret_p90", "cost" if self.costs else "reforms"]

    def subsets(self) -> dict[str, dict[str, float]]:
        """Every package of up to ``max_reforms`` lever reforms at each allowed strength."""
        return {name: strengths for name, (strengths, _) in self._subsets().items()}

    def timings(self) -> dict[str, dict[str, Timing]]:
        """Each package to run that starts a reform later than the first quarter: its timing."""
        if self.method() != "exhaustive":
            return {}
        return {name: timing for name, (_, timing) in self._subsets().items() if timing}

    def _subsets(self) -> dict[str, tuple[dict[str, float], dict[str, Timing]]]:
        packages: dict[str, tuple[dict[str, float], dict[str, Timing]]] = {BASELINE: ({}, {})}
        if self.max_reforms is None:
            return packages
        levers = self.lever_reforms()
        options = list(itertools.product(self.strengths, self.start_options()))
        for size in range(1, self.max_reforms + 1):
            for chosen in itertools.combinations(levers, size):
                for picked in itertools.product(options, repeat=size):
                    strengths = {r: level for r, (level, _) in zip(chosen, picked, strict=True)}
                    starts = {r: start for r, (_, start) in zip(chosen, picked, strict=True)
                              if start is not None}  # fmt: skip
                    timing = {r: self.timing_of(start) for r, start in starts.items()}
                    packages[package_name(strengths, starts)] = (strengths, timing)
        return packages

    def reference(self) -> dict[str, dict[str, float]]:
        """A search's yardstick: push alone, each lever reform alone, the named packages.

        Each lever reform is at its top strength. During a search, regret is measured
        against the best of these in each state.
        """
        top = max(self.strengths)
        packages: dict[str, dict[str, float]] = {BASELINE: {}}
        for name in self.lever_reforms():
            packages[package_name({name: top})] = {name: top}
        return {**packages, **self._named()}

    def _named(self) -> dict[str, dict[str, float]]:
        return {name: dict(package) for name, package in self.packages.items()}

    def packages_to_run(self) -> dict[str, dict[str, float]]:
        """The arms of the design: all subsets (exhaustive) or the reference set (search)."""
        if self.method() == "exhaustive":
            return {**self.subsets(), **self._named()}
        return self.reference()

    def cost(self, strengths: dict[str, float]) -> float:
        """The package's cost: each reform's cost times its strength (0 without costs)."""
        return float(sum(self.costs[r].value * s for r, s in strengths.items() if r in self.costs))


class Uncertainties(Strict):
    """Ranges over scenario fields, sampled by Latin hypercube into states of the world."""

    ranges: Ranges = Field(min_length=1, description="scenario field path -> [low, high]")
    samples: int = Field(16, ge=1, le=100_000, description="number of states of the world")
    seed: int = Field(0, ge=0, description="seed of the Latin hypercube design")

    @field_validator("ranges")
    @classmethod
    def _ranges(cls, value: Ranges) -> Ranges:
        require_width(value)
        return value

    def states(self, scenario: Scenario, source: str = "uncertainties") -> list[dict[str, Any]]:
        """The states of the world (field path -> value); integer fields are rounded."""
        integer = integer_fields(scenario, self.ranges, f"{source}: uncertainties.ranges")
        unit = latin_hypercube(len(self.ranges), self.samples, self.seed)
        return place(self.ranges, scale(self.ranges, unit), integer)


class Robustness(Strict):
    """How packages are judged across states; see :mod:`mobilise.analysis.robustness`."""

    met_share: float = Field(
        0.5, gt=0, le=1, description="met in a state: this share of its replications meet it"
    )
    hurwicz_alpha: float = Field(0.5, ge=0, le=1, description="weight of the best state")
    rank_by: list[str] = Field(default_factory=lambda: list(DEFAULT_RANK_BY), min_length=1)
    top: int = Field(5, ge=1, description="packages shown, and explained by scenario discovery")
    confidence: float = Field(0.95, gt=0, lt=1)
    resamples: int = Field(1000, ge=0, le=100_000, description="bootstrap over replications")
    seed: int = Field(0, ge=0, description="seed of the bootstrap")

    @field_validator("rank_by")
    @classmethod
    def _rank_by(cls, value: list[str]) -> list[str]:
        for name in value:
            check_known("criterion", name, CRITERIA_BY_NAME)
        return value
