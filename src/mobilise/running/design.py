"""An experiment expanded into runs: the ordered list every executor works through.

An experiment expands into a fixed, ordered list of :class:`RunSpec`. Run ids are
positions in that list, so a resumed batch finds the same runs. Replication ``r``
gets the same seed in every arm, mission and sweep point (common random
numbers): seeds are spawned from the master seed with ``numpy.random.SeedSequence``.

A run's ``point`` numbers its setting within its mission: sweep point ``p`` of the
experiment's scenario ``s`` (in file order) is ``s * P + p`` for ``P`` sweep points.
With one scenario it is the sweep point itself; with several that share a mission,
their runs stay apart in every table and figure keyed by mission and point.

With a calibrated ensemble, every run also belongs to a *member* (a plausible world:
one row of the ensemble). Members are one more dimension of the design, beside sweep
points: member ``m``'s replications have seeds of their own, spawned from
``(master, m)``, shared by its arms (common random numbers within each member). Member
0 is the scenario as written, with the master seed's replications: a member is
reproduced alone by ``--ensemble none``, its fields as ``--set``s and its seed
(:func:`member_seed`) as the master seed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mobilise.model.outcomes import run_columns
from mobilise.running.claims import load_checked
from mobilise.running.export import environment
from mobilise.schema.ensemble import DEFAULT_MEMBERS, NONE, Ensemble, choose_ensemble
from mobilise.schema.experiment import Experiment
from mobilise.schema.files import file_hash, read_yaml, validated
from mobilise.schema.levers import BASELINE
from mobilise.schema.scenario import Scenario
from mobilise.schema.schedule import Quarter, Schedule
from mobilise.schema.settings import apply_settings, settings_fields
from mobilise.schema.shipped import resolve
from mobilise.vocabulary import ScenarioError, check_known


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
    timing: Schedule = field(default_factory=dict)
    budget: float = 1.0  # the arm's multiplier of the scenario's budget
    costs: dict[str, float] = field(default_factory=dict)  # GBP bn a quarter at full strength

    def cost(self, doses: Mapping[str, float]) -> float:
        """GBP bn the arm commits beyond the scenario's own: extra budget and reforms' costs.

        A reform costs its cost a quarter at full strength times its strength-quarters
        (``doses``); a budget multiplier commits the extra budget over every quarter.
        """
        extra = (self.budget - 1.0) * self.scenario.government.budget * self.scenario.quarters
        return extra + sum(self.costs.get(name, 0.0) * dose for name, dose in doses.items())

    member: int = 0

    def reform_text(self) -> str:
        """``a=1;b=0.5@2027Q1`` in catalogue order (empty for the baseline).

        A timed reform's start follows ``@`` (``trigger`` if a signpost starts it).
        """
        parts = []
        for r in self.scenario.reform_names:
            if r not in self.reforms:
                continue
            timing = self.timing.get(r)
            when = ""
            if timing is not None and not timing.is_static:
                when = "@trigger" if timing.trigger is not None else f"@{timing.start or 1}"
            parts.append(f"{r}={self.reforms[r]:g}{when}")
        return ";".join(parts)


MAX_RUNS = 1_000_000
"""The most runs one batch lists (each run's spec is held in memory while it runs)."""


def replication_seeds(master: int, count: int) -> list[int]:
    """Seeds for replications ``0..count-1``; a longer list extends a shorter one."""
    children = np.random.SeedSequence(master).spawn(count)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def member_seed(master: int, member: int) -> int:
    """The master seed of member ``member``'s replications (member 0: ``master`` itself).

    ``mobilise compare ... --ensemble none --set ... --seed member_seed(master, m)``
    reproduces member ``m``'s runs alone.
    """
    if member == 0:
        return master
    return int(np.random.SeedSequence([master, member]).generate_state(1, dtype=np.uint32)[0])


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
    timing: dict[str, Schedule] = field(default_factory=dict)  # arm -> its reforms' timing
    budgets: dict[str, float] = field(default_factory=dict)  # arm -> its budget multiplier
    costs: dict[str, float] = field(default_factory=dict)  # reform -> GBP bn a quarter
    ensembles: dict[str, Ensemble] = field(default_factory=dict)  # by scenario name

    def members_of(self, scenario_name: str) -> list[int]:
        """The member ids a scenario runs: its ensemble's, or 0 (the scenario as written)."""
        ensemble = self.ensembles.get(scenario_name)
        return list(ensemble.members) if ensemble is not None else [0]

    @property
    def missions_by_scenario(self) -> dict[str, list[str]]:
        """Which missions each scenario runs for."""
        wanted = self.experiment.missions
        return {name: wanted or [s.mission_spec.name] for name, s in self.scenarios.items()}

    def run_count(self, replications: int | None = None) -> int:
        """How many runs :meth:`runs` lists, without listing them."""
        settings = sum(
            len(missions) * len(self.members_of(name))
            for name, missions in self.missions_by_scenario.items()
        )
        reps = replications or self.experiment.replications
        return reps * settings * len(self.points) * len(self.arms)

    def check_size(self, replications: int | None = None, source: str | None = None) -> None:
        """One line if the design lists more than :data:`MAX_RUNS` runs."""
        if (count := self.run_count(replications)) > MAX_RUNS:
            raise ScenarioError(
                f"{source or self.path or self.experiment.name}: {count:,} runs; at most "
                f"{MAX_RUNS:,} in one batch (fewer replications, members, arms or sweep "
                "points, or several batches)"
            )

    def runs(self, replications: int | None = None, arms: list[str] | None = None) -> list[RunSpec]:
        """The ordered list of runs; run ids depend only on the design and replication."""
        reps = replications or self.experiment.replications
        self.check_size(reps)
        master = self.experiment.seed
        chosen = arms or list(self.arms)
        specs = []
        combos = [
            (
                scenario_name,
                mission,
                point_id,
                point,
                s * len(self.points) + point_id,
                index,
                member,
            )
            for s, scenario_name in enumerate(self.scenarios)
            for mission in self.missions_by_scenario[scenario_name]
            for point_id, point in enumerate(self.points)
            for index, member in enumerate(self.members_of(scenario_name))
        ]
        seeds = {
            member: replication_seeds(member_seed(master, member), reps)
            for member in {combo[6] for combo in combos}
        }
        per_replication = len(combos) * len(self.arms)
        arm_index = {arm: i for i, arm in enumerate(self.arms)}
        record = self.experiment.record
        for replication in range(reps):
            for c, (name, mission, point_id, point, setting, index, member) in enumerate(combos):
                scenario = self.resolved(name, mission, point_id, index)
                for arm in chosen:
                    run_id = replication * per_replication + c * len(self.arms) + arm_index[arm]
                    specs.append(
                        RunSpec(
                            run_id=run_id,
                            scenario_name=name,
                            mission=mission,
                            point=setting,
                            sweep=point,
                            arm=arm,
                            reforms=self.arms[arm],
                            replication=replication,
                            seed=seeds[member][replication],
                            scenario=scenario,
                            record_every=record.every,
                            record_agents=record.agents,
                            timing=self.timing.get(arm, {}),
                            budget=self.budgets.get(arm, 1.0),
                            costs=self.costs,
                            member=member,
                        )
                    )
        return specs

    def resolved(
        self, scenario_name: str, mission: str, point_id: int, member_index: int | None = None
    ) -> Scenario:
        """The scenario for one mission, sweep point and member (cached: arms share it).

        ``member_index`` is a position in the scenario's ensemble (``None``: as written).
        The member's fields are set after the mission is chosen (a mission's own fields
        only for that mission), then the sweep point's.
        """
        key = (scenario_name, mission, point_id, member_index)
        if key not in self._cache:
            scenario = self.scenarios[scenario_name]
            if scenario.mission_spec.name != mission:
                scenario = scenario.model_copy(update={"mission": mission})
            if self.experiment.quarters:
                scenario = scenario.model_copy(update={"quarters": self.experiment.quarters})
            ensemble = self.ensembles.get(scenario_name)
            if ensemble is not None and member_index is not None:
                values = ensemble.member_values(member_index, mission)
                member = ensemble.members[member_index]
                scenario = scenario.with_values(values, f"{ensemble.path}: member {member}")
            for path, value in self.points[point_id].items():
                scenario = scenario.updated(path, value)
            self._cache[key] = scenario
        return self._cache[key]

    def __post_init__(self) -> None:
        self._cache: dict[tuple[str, str, int, int | None], Scenario] = {}

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
        if self.timing or self.budgets:  # likewise: designs without them keep their hash
            timed = {arm: {r: t.model_dump(mode="json") for r, t in schedule.items()}
                     for arm, schedule in self.timing.items()}  # fmt: skip
            digest.update(json.dumps([timed, self.budgets], sort_keys=True).encode())
        for name in sorted(self.scenarios):
            digest.update(self.scenarios[name].content_hash().encode())
        for name in sorted(self.ensembles):  # only with one: designs without keep their hash
            digest.update(json.dumps(self.ensembles[name].record(), sort_keys=True).encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class Uncertainty:
    """What a command says of plausible worlds: which ensemble, how many members, --sets.

    ``ensemble``: ``None`` for each scenario's own, ``"none"`` for the scenario as written
    (the library's default), or a file. ``settings`` (``FIELD=VALUE``) are set on every
    scenario before its members, and may not name a field the ensemble varies.
    """

    ensemble: str | None = NONE
    members: int | None = None
    settings: tuple[str, ...] = ()


AS_WRITTEN = Uncertainty()
"""No ensemble, no --set: the scenario as written (the library's default)."""

OWN_ENSEMBLES = Uncertainty(ensemble=None)
"""Each scenario's own ensemble, if it names one: what commands run by default."""


def parse_experiment(
    data: Any,
    source: str = "<experiment>",
    base: Path | None = None,
    uncertainty: Uncertainty = AS_WRITTEN,
) -> Design:
    """Validate parsed data as an experiment and resolve its scenario files and sweeps.

    ``uncertainty`` says which ensemble each scenario runs (members become a dimension
    of the design) and which ``--set``s apply.
    """
    experiment = validated(Experiment, data, source, "experiment")
    base = base or Path(".")
    scenarios: dict[str, Scenario] = {}
    files: dict[str, Path] = {}
    ensembles: dict[str, Ensemble] = {}
    for i, entry in enumerate(experiment.scenarios):
        try:
            path = resolve("scenario", entry, base=base).resolve()
        except ScenarioError as exc:
            raise ScenarioError(f"{source}: scenarios[{i}]: {exc}") from None
        try:
            scenario = load_checked(path)
        except ScenarioError as exc:  # it names its file; say where the experiment names it
            raise ScenarioError(f"{source}: scenarios[{i}]: {exc}") from None
        if scenario.name in scenarios:
            raise ScenarioError(
                f"{source}: scenarios[{i}]: two scenarios are named '{scenario.name}'"
            )
        members = uncertainty.members or experiment.members or DEFAULT_MEMBERS
        ensemble = choose_ensemble(path, scenario, uncertainty.ensemble, members)
        if ensemble is not None:
            ensembles[scenario.name] = ensemble
            for name in settings_fields(uncertainty.settings):
                if name in ensemble.columns:
                    raise ScenarioError(
                        f"--set {name}: the ensemble {ensemble.path.name} varies this field "
                        "across its members; fix it with --ensemble none"
                    )
        scenarios[scenario.name] = apply_settings(scenario, uncertainty.settings)
        files[scenario.name] = path
    levers, uncertainties = experiment.levers, experiment.uncertainties
    design = Design(
        experiment=experiment,
        path=None,
        scenarios=scenarios,
        scenario_files=files,
        arms=levers.packages_to_run() if levers else experiment.arms.expand(),
        timing=levers.timings() if levers else experiment.arms.timing(),
        budgets={} if levers else experiment.arms.budgets_by_arm(),
        costs={name: cost.value for name, cost in experiment.costs.items()},
        points=(
            uncertainties.states(next(iter(scenarios.values())), source)
            if uncertainties
            else experiment.sweep.points()
        ),
        ensembles=ensembles,
    )
    design.check_size(source=source)
    check_sweep_points(design, source)
    check_arm_timing(design, source)
    check_sensitivity_outcomes(design, source)
    return design


def check_arm_timing(design: Design, source: str) -> None:
    """Every arm's timing fits every run it times (quarters within the run): one line if not."""
    for name in design.scenarios:
        for mission in design.missions_by_scenario[name]:
            scenario = design.resolved(name, mission, 0)
            for arm, schedule in design.timing.items():
                try:
                    scenario.check_timing(schedule, {**scenario.reforms, **design.arms[arm]})
                except ValueError as exc:
                    raise ScenarioError(f"{source}: arm '{arm}' on {name}: {exc}") from None


def check_sensitivity_outcomes(design: Design, source: str) -> None:
    """A sensitivity analysis studies numeric run outcomes the model declares: one line if not."""
    spec = design.experiment.sensitivity
    if spec is None:
        return
    types = next(iter(design.scenarios.values())).type_names
    for i, outcome in enumerate(spec.outcomes):
        try:
            check_known("outcome", outcome, run_columns(types, numeric=True))
        except ValueError as exc:
            raise ScenarioError(f"{source}: sensitivity.outcomes[{i}]: {exc}") from None


def check_sweep_points(design: Design, source: str) -> None:
    """Every sweep value must make a valid scenario: fail before running, not per run.

    A sweep may not set a field an ensemble varies (which would it be?), and every
    member must make a valid scenario with every point.
    """
    for name in design.scenarios:
        ensemble = design.ensembles.get(name)
        swept = {path for point in design.points for path in point}
        if ensemble is not None:
            for path in sorted(swept & set(ensemble.columns)):
                raise ScenarioError(
                    f"{source}: sweep field '{path}' is also a column of the ensemble "
                    f"{ensemble.path.name}: drop it from the experiment or run with --ensemble none"
                )
        mission = design.missions_by_scenario[name][0]
        for point_id, point in enumerate(design.points):
            try:
                design.resolved(name, mission, point_id)
                if ensemble is not None:
                    for index in range(len(ensemble)):
                        design.resolved(name, mission, point_id, index)
            except ScenarioError as exc:
                raise ScenarioError(f"{source}: sweep point {point}: {exc}") from None


def load_experiment(path: str | Path, uncertainty: Uncertainty = AS_WRITTEN) -> Design:
    """Load an experiment file, or a shipped one by name (``"reform_comparison"``).

    Scenario paths in the file are relative to its folder, or shipped names.
    """
    path = resolve("experiment", path)
    design = parse_experiment(read_yaml(path), str(path), base=path.parent, uncertainty=uncertainty)
    design.path = path
    return design


def comparison(
    scenario_file: str | Path,
    reforms: dict[str, float],
    *,
    replications: int = 20,
    seed: int = 0,
    starts: Mapping[str, Quarter] | None = None,
    budgets: Sequence[float] = (),
    uncertainty: Uncertainty = AS_WRITTEN,
) -> Design:
    """The everyday question as a design: baseline vs each reform vs all of them together.

    ``starts`` gives a reform's first quarter (its arm is named ``NAME@START``);
    ``budgets`` adds an arm for each multiplier of the scenario's budget; ``uncertainty``
    says which ensemble's members every arm runs across (and which ``--set``s apply).
    """
    path = resolve("scenario", scenario_file)
    load_checked(path)  # its problems in its own words, as `run` says them
    starts = starts or {}

    def entry(name: str) -> Any:
        if name not in starts:
            return reforms[name]
        return {"strength": reforms[name], "start": starts[name]}

    bundles: dict[str, Any] = {
        (f"{name}@{starts[name]}" if name in starts else name): {name: entry(name)}
        for name in reforms
    }
    if len(reforms) > 1:
        bundles["together"] = {name: entry(name) for name in reforms}
    data = {
        "name": "compare",
        "description": f"baseline vs {', '.join(reforms) or 'more money'} on {path.name}",
        "scenarios": [str(path.resolve())],
        "arms": {"bundles": bundles, "budgets": list(budgets)},
        "replications": replications,
        "seed": seed,
    }
    return parse_experiment(data, str(scenario_file), uncertainty=uncertainty)


def in_memory(
    scenario: Scenario,
    arms: dict[str, dict[str, float]],
    *,
    replications: int,
    seed: int,
    name: str = "workshop",
    timing: Mapping[str, Schedule] | None = None,
    ensemble: Ensemble | None = None,
) -> Design:
    """A design over a scenario held in memory (the app's sliders), same seeds as a file's.

    ``timing`` gives an arm's reforms' timing (the app's start dates); ``ensemble``
    (checked against the scenario by :func:`choose_ensemble`) makes its members a
    dimension of the design, as a file's does.
    """
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
        timing={arm: dict(schedule) for arm, schedule in (timing or {}).items() if schedule},
        ensembles={scenario.name: ensemble} if ensemble is not None else {},
    )


def provenance(design: Design, command: str) -> dict[str, Any]:
    """What made a design's runs: environment, command, files and their hashes, master seed.

    The head of every batch and robust-study manifest; a scenario held in memory (the
    app, the API) has no file, only its content hash.
    """
    experiment = design.experiment
    return {
        **environment(),
        "status": "complete",
        "command": command,
        "experiment": experiment.name,
        "experiment_file": str(design.path) if design.path else None,
        "experiment_file_sha256": file_hash(design.path) if design.path else None,
        "design_sha256": design.content_hash(),
        "scenarios": {
            name: {
                "file": str(path) if (path := design.scenario_files.get(name)) else None,
                "file_sha256": file_hash(path) if path else None,
                "scenario_sha256": scenario.content_hash(),
                "actor_types": list(scenario.type_names),
            }
            for name, scenario in design.scenarios.items()
        },
        "master_seed": experiment.seed,
        "ensemble": _ensemble_record(design),
    }


def _ensemble_record(design: Design) -> dict[str, Any] | None:
    """``{path, sha256, members}`` of the ensemble (by scenario when there are several)."""
    if not design.ensembles:
        return None
    records = {name: e.record() for name, e in design.ensembles.items()}
    return next(iter(records.values())) if len(design.scenarios) == 1 else records
