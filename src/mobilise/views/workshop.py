"""What a workshop needs from the library: the settings, their checks, and comparisons.

The app only lays these out; every number it shows comes from here (and from
:mod:`mobilise.views.headline`, which puts a comparison in words), through the same functions
and the same CSV format as ``mobilise batch``. Nothing here imports Solara, so tests,
the facilitator view and the printable brief use it directly.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator

from mobilise.analysis.effects import effect_drivers, paired_effects
from mobilise.analysis.report import HEADLINE_OUTCOME, all_effects
from mobilise.model.outcomes import by_mission
from mobilise.running.batch import member_table
from mobilise.running.design import in_memory
from mobilise.running.runs import run_chunk
from mobilise.schema.constraints import Constraints
from mobilise.schema.ensemble import NONE, Ensemble, choose_ensemble, read_ensemble
from mobilise.schema.levers import BASELINE
from mobilise.schema.missions import MISSIONS, Milestone
from mobilise.schema.reforms import REFORMS, check_reform
from mobilise.schema.scenario import Scenario, format_validation_error
from mobilise.schema.schedule import Timing, parse_start
from mobilise.schema.strict import Strict
from mobilise.views.figure_style import pretty
from mobilise.vocabulary import ScenarioError, quarter_index, quarter_label

if TYPE_CHECKING:  # a model is handed in; the CLI imports this module without Mesa
    from mobilise.model.model import MissionModel

WITH_REFORMS = "with reforms"
"""The arm the participants build with the reform switches (its name in data and on screen)."""

MAX_REPLICATIONS = 50
"""The most replications a workshop comparison may ask for (keeps a full room responsive)."""

WORKSHOP_MEMBERS = 20
"""Plausible worlds (ensemble members) a workshop comparison runs by default: with the page's
3 seeds each, 120 runs for both arms, about half a second of one core on a quiet machine
(benchmarks/bench_app.py), so a room of groups on two cores stays interactive; ``mobilise
app --members N`` changes it."""

MAX_MEMBERS = 100
"""The most plausible worlds a workshop comparison may run (the shipped ensembles' size)."""


# --- sliders from the schema ----------------------------------------------------------


@dataclass(frozen=True)
class Slider:
    """A slider for one structural constraint, read from the schema of ``Constraints``."""

    field: str
    label: str
    unit: str
    source: str
    low: float
    high: float
    step: float
    integer: bool

    def on_grid(self, value: float) -> bool:
        """Whether the slider can show ``value`` exactly (a step from ``low``, in range)."""
        if not self.low <= value <= self.high:
            return False
        steps = (Fraction(str(value)) - Fraction(str(self.low))) / Fraction(str(self.step))
        return steps.denominator == 1


def _common_step(step: Fraction, offsets: list[Fraction]) -> Fraction:
    """The largest step that divides ``step`` and every offset exactly."""
    for offset in offsets:
        if offset:
            a, b = abs(step), abs(offset)
            step = Fraction(
                math.gcd(a.numerator * b.denominator, b.numerator * a.denominator),
                a.denominator * b.denominator,
            )
    return step


def constraint_sliders(presets: list[Scenario] | tuple[Scenario, ...] = ()) -> list[Slider]:
    """One slider per constraint field: label, unit, source, range and step from its schema.

    The range is widened and the step refined, where needed, so that every preset's
    value sits exactly on its slider: a slider must never snap a preset's 0.577 to 0.58.
    A field without presentation metadata still gets a slider, from its name and default.
    """
    sliders = []
    for name, info in Constraints.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        integer = info.annotation is int
        default = float(info.default)
        shown = extra.get("shown")
        low, high = (
            (float(shown[0]), float(shown[1]))  # type: ignore[arg-type]  # JSON list of numbers
            if isinstance(shown, list)
            else (0.0, max(1.0, 2.0 * default))
        )
        values = [default, *(float(getattr(p.constraints, name)) for p in presets)]
        low, high = min(float(low), *values), max(float(high), *values)
        step = Fraction(str(extra.get("step", 1 if integer else 0.01)))
        step = _common_step(step, [Fraction(str(v)) - Fraction(str(low)) for v in values])
        sliders.append(
            Slider(
                field=name,
                label=str(extra.get("label", name.replace("_", " ").capitalize())),
                unit=str(extra.get("unit", "")),
                source=str(extra.get("source", info.description or "")),
                low=low,
                high=high,
                step=int(step) if integer else float(step),
                integer=integer,
            )
        )
    return sliders


# --- the settings on screen -----------------------------------------------------------


class Settings(Strict):
    """Everything that decides a comparison: the preset, mission, sliders, reforms, seed.

    Two equal settings give the same numbers, so :meth:`key` names a result: the page
    shows a result only under the settings that made it.
    """

    preset: str = Field(min_length=1)
    mission: str = Field(min_length=1)
    constraints: dict[str, float]
    reforms: dict[str, float] = Field(
        default_factory=dict, description="the reforms switched on, with their strengths"
    )
    starts: dict[str, str] = Field(
        default_factory=dict,
        description="a reform's first quarter (2027Q1) where it starts later than the run",
    )
    replications: int = Field(6, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(1, ge=0)
    members: int = Field(
        0,
        ge=0,
        le=MAX_MEMBERS,
        description="plausible worlds: the first N members of the preset's ensemble (0: the "
        "preset as written, seed noise only; a session saved before ensembles has 0)",
    )

    @field_validator("reforms")
    @classmethod
    def _reforms_known(cls, value: dict[str, float]) -> dict[str, float]:
        for name, strength in value.items():
            check_reform(name, strength)
        return {r: value[r] for r in REFORMS if r in value}  # catalogue order: one key

    @field_validator("starts")
    @classmethod
    def _starts_are_quarters(cls, value: dict[str, str]) -> dict[str, str]:
        for name, start in value.items():
            check_reform(name)
            parse_start(start)
        return {r: value[r] for r in REFORMS if r in value}

    def timing(self) -> dict[str, Timing]:
        """The switched-on reforms that start later, with their start (the reforms' timing)."""
        return {r: Timing(start=q) for r, q in self.starts.items() if r in self.reforms}

    def described(self) -> str:
        """'mission councils (1, from 2027Q1), pooled budgets (0.5)': the reforms in words."""
        return ", ".join(
            f"{pretty(r)} ({s:g}" + (f", from {self.starts[r]})" if r in self.starts else ")")
            for r, s in self.reforms.items()
        )

    def key(self) -> str:
        """A text naming these settings: equal settings, equal key."""
        return self.model_dump_json()

    def moved(self, preset: Scenario) -> dict[str, tuple[float, float]]:
        """Constraints moved away from the preset: field -> (preset value, value)."""
        own = preset.constraints.model_dump()
        return {k: (own[k], v) for k, v in self.constraints.items() if own.get(k) != v}


SENTENCES = {
    "seed": "The seed must be a whole number, 0 or more",
    "replications": f"Replications must be a whole number from 1 to {MAX_REPLICATIONS}",
}


def make_settings(**values: Any) -> Settings:
    """Validated settings; a bad value becomes one plain sentence (a ScenarioError)."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        if field in SENTENCES:
            raise ScenarioError(f"{SENTENCES[field]}; found {first.get('input')!r}.") from None
        raise ScenarioError(format_validation_error("settings", exc)) from None


def parse_seed(text: str) -> int:
    """The seed a participant typed, or one plain sentence saying what is wrong."""
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise ScenarioError(f"{SENTENCES['seed']}; found {text!r}.") from None
    if seed < 0:
        raise ScenarioError(f"{SENTENCES['seed']}; found {seed}.")
    return seed


def preset_settings(
    name: str, preset: Scenario, *, replications: int, seed: int, members: int = 0
) -> Settings:
    """Settings that reproduce a preset: its own mission and every one of its constraints."""
    return make_settings(
        preset=name,
        mission=preset.mission_spec.name,
        constraints=preset.constraints.model_dump(),
        reforms={},
        replications=replications,
        seed=seed,
        members=members,
    )


def preset_ensemble(
    preset_file: Path, preset: Scenario, override: str | None = None
) -> Ensemble | None:
    """The ensemble a preset's comparisons run: ``override`` (a file, or ``none``) or its own.

    An override file made for another scenario leaves this preset with its own, so one
    ``mobilise app --ensemble FILE`` serves a room with several presets. A problem with
    the ensemble is one line (a ScenarioError), as on the command line.
    """
    named = override is not None and override.lower() != NONE
    if named and read_ensemble(str(override)).manifest.scenario != preset.name:
        override = None
    return choose_ensemble(preset_file, preset, override)


def members_of(ensemble: Ensemble | None, settings: Settings) -> Ensemble | None:
    """The worlds a comparison of ``settings`` runs: the ensemble's first ``members``, or none."""
    if ensemble is None or settings.members == 0:
        return None
    return ensemble.first(settings.members)


def workshop_scenario(preset: Scenario, settings: Settings) -> Scenario:
    """The preset with the chosen mission and constraints, validated and assessable.

    Every reform's start date must fall within its run (one sentence if not).
    """
    data = preset.model_dump(by_alias=True)
    if preset.several:  # several missions run together; the chosen one is shown
        if settings.mission not in preset.mission_names:
            raise ScenarioError(
                f"{settings.preset} runs {', '.join(preset.mission_names)} together; "
                f"choose one of them to show, not {settings.mission!r}."
            )
    elif settings.mission != preset.mission_spec.name:
        if settings.mission not in MISSIONS:
            raise ScenarioError(f"There is no mission called {settings.mission!r}.")
        data["mission"] = settings.mission
    data["constraints"] = {**data["constraints"], **settings.constraints}
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(settings.preset, exc)) from None
    check_assessable(scenario)
    check_starts(scenario, settings)
    return scenario


def check_starts(scenario: Scenario, settings: Settings) -> None:
    """Refuse, in one sentence, a start date the scenario's run does not contain."""
    first, last = run_quarters(scenario)
    for reform, start in settings.starts.items():
        if reform in settings.reforms and not quarter_index(first) <= quarter_index(start) <= (
            quarter_index(last)
        ):
            raise ScenarioError(
                f"{pretty(reform).capitalize()} is set to start in {start}, outside the "
                f"{scenario.name} scenario's run ({first} to {last}): choose another start."
            )


def run_quarters(scenario: Scenario) -> tuple[str, str]:
    """The first and last quarter a run of ``scenario`` covers."""
    start = quarter_index(scenario.start)
    return scenario.start, quarter_label(start + scenario.quarters - 1)


def check_assessable(scenario: Scenario) -> None:
    """Refuse, in one sentence, a mission whose key milestone the run cannot judge.

    A milestone due before the start, or after the last quarter, would be reported as
    "not met" in every run: a number that belongs to no question.
    """
    mission = scenario.mission_spec
    milestone = mission.key_milestone
    first, last = run_quarters(scenario)
    due = quarter_index(milestone.quarter)
    name = mission.name.replace("_", " ")
    what = f"The {name} mission's key milestone ({milestone_name(milestone)})"
    if due < quarter_index(first):
        raise ScenarioError(
            f"{what} was due in {milestone.quarter}, before the {scenario.name} scenario "
            f"starts ({first}): choose another mission or a scenario that starts earlier."
        )
    if due > quarter_index(last):
        raise ScenarioError(
            f"{what} is due in {milestone.quarter}, after the {scenario.name} scenario's "
            f"last quarter ({last}): choose another mission or a longer scenario."
        )


def milestone_name(milestone: Milestone) -> str:
    """A milestone as the page names it: its label in quotes, or its date."""
    return f"“{milestone.label}”" if milestone.label else f"due {milestone.quarter}"


# --- comparisons ----------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One comparison to run: small enough to send to a worker process."""

    scenario: Scenario
    reforms: dict[str, float]
    replications: int
    seed: int
    timing: dict[str, Timing] = dataclasses.field(default_factory=dict)
    mission: str | None = None  # several missions at once: the one shown (default: the first)
    ensemble: Ensemble | None = None


@dataclass
class Comparison:
    """Government push alone vs the chosen reforms: runs and time series, batch format.

    ``members`` holds the plausible worlds that ran, one row each with its uncertain
    inputs (the batch's ``members.csv``; empty for the scenario as written).
    """

    runs: pd.DataFrame
    timeseries: pd.DataFrame
    reforms: dict[str, float]
    members: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    @property
    def arms(self) -> list[str]:
        """The arms compared: government push alone first."""
        return [BASELINE, WITH_REFORMS] if self.reforms else [BASELINE]

    def met_runs(self, arm: str) -> int:
        """How many runs of ``arm`` met the key milestone."""
        met = self.runs.loc[self.runs["arm"] == arm, "milestone_met"]
        return int(met.astype(bool).sum())

    def runs_per_arm(self) -> int:
        """Runs in each arm (the arms are paired, so equal)."""
        return int((self.runs["arm"] == BASELINE).sum())

    @property
    def worlds(self) -> int:
        """Plausible worlds (ensemble members) the runs cover; 0: the scenario as written."""
        if "member" not in self.runs:
            return 0
        members = self.runs["member"]
        return int(members[members > 0].nunique())

    @property
    def seeds_per_world(self) -> int:
        """Seeds (histories) each world ran: the replications."""
        return self.runs_per_arm() // max(1, self.worlds)

    @functools.cached_property
    def drivers(self) -> pd.DataFrame:
        """The uncertain inputs behind the spread of the reforms' headline effect across worlds.

        :func:`mobilise.analysis.effects.effect_drivers` on the runs and their members (empty
        without reforms, or with fewer than five worlds).
        """
        if not self.reforms or self.members.empty:
            return pd.DataFrame()
        drivers = effect_drivers(self.runs, self.members, outcome=HEADLINE_OUTCOME)
        return drivers[drivers["arm"] == WITH_REFORMS].reset_index(drop=True)

    def effects(self) -> pd.DataFrame:
        """Paired effects of the reforms (batch ``effects.csv`` format; empty without)."""
        return all_effects(self.runs) if self.reforms else pd.DataFrame()

    @functools.cached_property
    def headline_effect(self) -> pd.Series:
        """The reforms' paired effect on the metric when the key milestone is due.

        t intervals only (no bootstrap): this is what the headline and the log show, so
        it is computed once, where the comparison is run.
        """
        effects = paired_effects(self.runs, outcome=HEADLINE_OUTCOME, bootstrap=0)
        return effects[effects["arm"] == WITH_REFORMS].iloc[0]


def compare(
    scenario: Scenario,
    reforms: dict[str, float],
    *,
    replications: int,
    seed: int,
    timing: dict[str, Timing] | None = None,
    mission: str | None = None,
    ensemble: Ensemble | None = None,
) -> Comparison:
    """Run both arms, paired by seed, with the batch's own functions; batch-format frames.

    ``timing`` gives the reforms' start dates (the arm with reforms starts them then);
    ``ensemble`` runs every arm in each of its members (seeds paired within each member),
    as ``mobilise compare`` does. A scenario of several missions runs them all together
    and keeps ``mission``'s rows (by default its first), read as one mission's
    (:func:`~mobilise.model.outcomes.by_mission`).
    """
    arms = {WITH_REFORMS: dict(reforms)} if reforms else {}
    schedule = {WITH_REFORMS: dict(timing)} if reforms and timing else {}
    design = in_memory(
        scenario, arms, replications=replications, seed=seed, timing=schedule, ensemble=ensemble
    )
    result = run_chunk(design.runs())
    if result.failures:
        raise RuntimeError(result.failures[0]["error"])
    runs = pd.DataFrame(result.rows)
    series = pd.concat(result.timeseries, ignore_index=True)
    if scenario.several:
        shown = mission or scenario.mission_names[0]
        runs, series = by_mission(runs), by_mission(series)
        runs = runs[runs["mission"] == shown].reset_index(drop=True)
        series = series[series["mission"] == shown].reset_index(drop=True)
    return Comparison(
        runs=runs, timeseries=series, reforms=dict(reforms), members=member_table(design)
    )


# --- one run, step by step ------------------------------------------------------------


def network_snapshot(model: MissionModel, max_nodes: int = 250, seed: int = 0) -> dict[str, Any]:
    """A connected sample of agents and the ties among them, for drawing.

    Snowball sampling from a few random agents keeps ties visible; a uniform
    sample of a sparse network would be mostly isolated dots. A complete network
    has no edge list: a uniform sample is drawn, with a few ties each for shape.
    """
    pop = model.population
    rng = np.random.default_rng(seed)
    size = min(max_nodes, pop.size)
    if model.ties.complete:
        chosen = np.sort(rng.choice(pop.size, size=size, replace=False))
        pairs = np.array([(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1 : i + 3]])
        return {
            "nodes": chosen,
            "edges": pairs.reshape(-1, 2),
            "kind": pop.kind[chosen],
            "names": pop.names,
        }
    same, cross = model.ties.same, model.ties.cross
    assert same is not None and cross is not None  # a sparse network keeps both matrices
    # scipy-stubs type ``sparse != 0`` as a bool; it is the sparse pattern of the nonzeros
    adjacency = ((same != 0) + (cross != 0)).tocsr()  # type: ignore[attr-defined, comparison-overlap]
    chosen_set: dict[int, None] = {}
    frontier: list[int] = []
    while len(chosen_set) < size:
        if not frontier:
            start = int(rng.integers(pop.size))
            if start in chosen_set:
                continue
            frontier.append(start)
        node = frontier.pop(0)
        if node in chosen_set:
            continue
        chosen_set[node] = None
        neighbours = adjacency.indices[adjacency.indptr[node] : adjacency.indptr[node + 1]]
        frontier.extend(int(n) for n in rng.permutation(neighbours)[:4])
    chosen = np.sort(np.fromiter(chosen_set, dtype=np.intp))
    edges = model.ties.edges()
    keep = np.isin(edges[:, 0], chosen) & np.isin(edges[:, 1], chosen)
    return {"nodes": chosen, "edges": edges[keep], "kind": pop.kind[chosen], "names": pop.names}
