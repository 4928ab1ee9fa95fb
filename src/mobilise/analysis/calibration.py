"""Calibrated ensembles: from priors and targets to the members every comparison runs.

``calibrate`` runs ABC-SMC (pyABC, :mod:`mobilise.analysis.abc`) over the uncertain
inputs that some calibrating target depends on; each particle runs every target's
setting for several seeds, in blocks, and is summarised by each target's mean over
those seeds (one distance component per target, adaptive weights). The last
population is resampled into the ensemble's members; inputs no target informs (a
reform's size: no target applies a reform) are drawn from their priors for each
member, which is their posterior. Each scenario the calibration names gets an
ensemble of the fields of its own mission, with a manifest of how it was made.

Diagnostics: prior against posterior for each input; a posterior predictive check of
every target (held-out ones too), with the share of members meeting each and every
target, as history matching reports it; and which targets pull against each other.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from mobilise.analysis.abc import Generation, run_generations, task_seed
from mobilise.running.executors.base import Executor
from mobilise.running.export import environment, now, write_json
from mobilise.running.probes import Job, Probe, evaluate, run_jobs
from mobilise.schema.calibration import Arm, Setup, member_values
from mobilise.schema.ensemble import Column, Ensemble, Manifest, manifest_path, write_ensemble
from mobilise.schema.priors import UncertainInput
from mobilise.schema.scenario import Scenario, file_hash
from mobilise.schema.targets import Target
from mobilise.vocabulary import OutputError

DATABASE = "abc.db"
"""pyABC's History database, in the calibration's output folder: what a resume reads."""


def parameter_names(inputs: Sequence[UncertainInput]) -> list[str]:
    """PyABC's names for the inputs (``p00``, ``p01``, ...): its store wants plain names."""
    return [f"p{i:02d}" for i in range(len(inputs))]


def _probes(arm: Arm, use: Sequence[str]) -> tuple[Probe, ...]:
    return tuple(
        Probe(t.output, step)
        for t, step in zip(arm.targets, arm.steps, strict=True)
        if t.use in use
    )


DRAWN = "input:"
"""Prefix of a drawn input's value in a particle's summary statistics (not in the distance)."""


@dataclass
class TargetSimulator:
    """Every calibrating target's model value for a batch of particles: means over seeds.

    ``inputs`` are the inferred inputs (pyABC's parameters, in order); ``drawn`` the
    others, drawn from their priors for each particle and returned with its statistics,
    so an accepted particle carries every input it was simulated with.
    """

    arms: list[Arm]
    inputs: list[UncertainInput]
    integer: set[str]
    seeds: int
    drawn: list[UncertainInput] = field(default_factory=list)

    def jobs(
        self, values: Sequence[dict[str, float]], rng: np.random.Generator, use: Sequence[str]
    ) -> tuple[list[Job], list[tuple[int, int]]]:
        """Each member's (or particle's) runs of every arm, ``seeds`` each: jobs and owners."""
        jobs, owners = [], []
        for i, entry in enumerate(values):
            for a, arm in enumerate(self.arms):
                probes = _probes(arm, use)
                if not probes:
                    continue
                mission = arm.scenario.mission_spec.name
                fields = member_values([*self.inputs, *self.drawn], entry, mission, self.integer)
                scenario = arm.scenario.with_values(fields, "calibration")
                for seed in rng.integers(2**32, size=self.seeds):
                    jobs.append(Job(scenario, int(seed), probes, dict(arm.reforms)))
                    owners.append((i, a))
        return jobs, owners

    def summarise(
        self,
        count: int,
        owners: list[tuple[int, int]],
        rows: np.ndarray,
        use: Sequence[str],
    ) -> list[dict[str, float]]:
        """Each member's mean over its seeds of every target read (by target name)."""
        sums: list[dict[str, list[float]]] = [{} for _ in range(count)]
        for (i, a), row in zip(owners, rows, strict=True):
            arm = self.arms[a]
            targets = [t for t in arm.targets if t.use in use]
            for target, value in zip(targets, row[: len(targets)], strict=True):
                sums[i].setdefault(target.name, []).append(float(value))
        return [{name: float(np.mean(v)) for name, v in s.items()} for s in sums]

    def __call__(
        self, parameters: Sequence[dict[str, float]], rng: np.random.Generator
    ) -> list[dict[str, float]]:
        """PyABC's view: particles (inferred inputs by pyABC name) in, targets' means out."""
        names = parameter_names(self.inputs)
        values = []
        for theta in parameters:
            entry = {e.key: float(theta[n]) for e, n in zip(self.inputs, names, strict=True)}
            for other in self.drawn:
                entry[other.key] = float(rng.uniform(other.range.low, other.range.high))
            values.append(entry)
        jobs, owners = self.jobs(values, rng, ("calibrate",))
        stats = self.summarise(len(values), owners, run_jobs(jobs), ("calibrate",))
        for entry, stat in zip(values, stats, strict=True):
            stat.update({DRAWN + other.key: entry[other.key] for other in self.drawn})
        return stats


@dataclass
class CalibrationResult:
    """What ``calibrate`` made: generations, members, ensembles and diagnostics."""

    out: Path
    generations: list[Generation]
    members: list[dict[str, float]]
    inferred: list[UncertainInput]
    ensembles: dict[str, Path]
    posterior: pd.DataFrame
    predictive: pd.DataFrame
    member_values: pd.DataFrame
    conflicts: pd.DataFrame
    manifest: dict[str, Any]
    files: list[Path] = field(default_factory=list)


def setup_hash(setup: Setup) -> str:
    """SHA-256 over the calibration, priors and targets files and the scenarios' content."""
    digest = hashlib.sha256()
    for path in (setup.path, setup.priors_path, setup.targets_path):
        digest.update(path.read_bytes())
    for name in sorted(setup.scenarios):
        scenario = setup.scenarios[name].model_copy(update={"ensemble": None})
        digest.update(scenario.content_hash().encode())
    return digest.hexdigest()


def calibrate(
    setup: Setup,
    out: Path,
    executor: Executor,
    *,
    resume: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
    command: str = "",
) -> CalibrationResult:
    """Run (or resume) the calibration into ``out``; write the ensembles and diagnostics."""
    spec = setup.spec
    db = out / DATABASE
    record = out / "calibration.json"
    key = setup_hash(setup)
    if db.exists() and not resume:
        raise OutputError(f"{out}: already holds a calibration; pass --resume or a new --out")
    if resume and record.exists():
        made_for = json.loads(record.read_text()).get("setup_sha256")
        if made_for and made_for != key:
            raise OutputError(f"{out}: was made by other calibration files; cannot resume it")
    out.mkdir(parents=True, exist_ok=True)
    write_json(record, {"setup_sha256": key, "status": "running"})
    started = now()
    inferred = setup.inferred()
    arms = [arm for arm in setup.arms if any(t.use == "calibrate" for t in arm.targets)]
    simulator = TargetSimulator(arms, inferred, setup.integer, spec.seeds, setup.drawn())
    calibrating = setup.targets.calibrating
    generations = run_generations(
        db=db,
        simulator=simulator,
        ranges={
            n: (e.range.low, e.range.high)
            for n, e in zip(parameter_names(inferred), inferred, strict=True)
        },
        observed={t.name: t.observed for t in calibrating},
        errors={t.name: t.error for t in calibrating},
        particles=spec.particles,
        generations=spec.generations,
        min_acceptance=spec.min_acceptance,
        seed=spec.seed,
        batch=spec.batch,
        executor=executor,
        progress=progress,
    )
    import pyabc

    history = pyabc.History(f"sqlite:///{db}")
    members = draw_members(setup, inferred, history)
    table = members_frame(setup, members)
    posterior = posterior_table(setup, table)
    everyone = TargetSimulator(list(setup.arms), list(setup.inputs), setup.integer, spec.seeds)
    predictive, per_member = predictive_check(everyone, members, executor, spec.seed)
    conflicts = conflict_table(setup, history, per_member)
    fit = {
        "generations": [vars(g) | {"acceptance": g.acceptance} for g in generations],
        "predictive": predictive.drop(columns="source").to_dict("records"),
        "members_meeting_every_target": met_every(per_member, setup),
    }
    ensembles = write_ensembles(setup, members, out, command, key, fit)
    manifest = {
        **provenance(setup, command, key),
        **fit,
        "ensembles": {name: ensemble_record(path) for name, path in ensembles.items()},
        "started": started,
        "finished": now(),
    }
    files = []
    for name, frame in (
        ("posterior.csv", posterior),
        ("predictive.csv", predictive),
        ("members.csv", table),
        ("member_targets.csv", per_member),
        ("conflicts.csv", conflicts),
    ):
        frame.to_csv(out / name, index=False, float_format="%.10g")
        files.append(out / name)
    write_json(out / "manifest.json", manifest)
    write_json(record, {"setup_sha256": key, "status": "complete"})
    files += [out / "manifest.json", *ensembles.values()]
    return CalibrationResult(
        out,
        generations,
        members,
        inferred,
        ensembles,
        posterior,
        predictive,
        per_member,
        conflicts,
        manifest,
        files,
    )


# --- members ---------------------------------------------------------------------------


def draw_members(
    setup: Setup, inferred: list[UncertainInput], history: Any
) -> list[dict[str, float]]:
    """The ensemble's members, by input key: the last population, resampled.

    Systematic resampling of the weighted particles (seeded), in a seeded random
    order, so the first N members are a fair smaller ensemble. A member holds the
    inferred inputs of its particle and the inputs drawn for that particle's
    simulation: a draw from the whole posterior.
    """
    spec = setup.spec
    history.id = 1
    particles = history.get_population(t=history.max_t).particles
    weights = np.array([p.weight for p in particles], dtype=float)
    weights /= weights.sum()
    rng = task_seed(spec.seed, 0xE45E)
    positions = (rng.random() + np.arange(spec.members)) / spec.members
    chosen = np.minimum(np.searchsorted(np.cumsum(weights), positions), len(weights) - 1)
    chosen = chosen[rng.permutation(spec.members)]
    names = parameter_names(inferred)
    members = []
    for index in chosen:
        particle = particles[int(index)]
        member = {e.key: float(particle.parameter[n]) for e, n in zip(inferred, names, strict=True)}
        for entry in setup.drawn():
            member[entry.key] = float(particle.sum_stat[DRAWN + entry.key])
        members.append(member)
    return members


def members_frame(setup: Setup, members: list[dict[str, float]]) -> pd.DataFrame:
    """Members as a table: ``member`` then one column per input key (file order)."""
    frame = pd.DataFrame(members, columns=[e.key for e in setup.inputs])
    frame.insert(0, "member", range(1, len(members) + 1))
    return frame


def write_ensembles(
    setup: Setup,
    members: list[dict[str, float]],
    out: Path,
    command: str,
    key: str,
    fit: dict[str, Any],
) -> dict[str, Path]:
    """Each scenario's ensemble (the fields of its mission) and its manifest."""
    inferred = {e.key for e in setup.inferred()}
    informed = setup.informed()
    written = {}
    for name, scenario in setup.scenarios.items():
        file = setup.scenario_files[name]
        assert scenario.ensemble is not None  # checked by load_setup
        path = (file.parent / scenario.ensemble).resolve()
        inputs = setup.priors.for_mission(scenario.mission_spec.name)
        rows = [
            member_values(inputs, member, scenario.mission_spec.name, setup.integer)
            for member in members
        ]
        columns = [e.field for e in inputs]
        digest = write_ensemble(path, rows, columns)
        manifest = Manifest(
            scenario=name,
            scenario_file_sha256=file_hash(file),
            calibration=str(setup.spec.name),
            members=len(members),
            csv_sha256=digest,
            columns={
                e.field: Column(
                    range=e.range,
                    reason=e.reason,
                    missions=e.missions,
                    status=_status(e.key, inferred, informed),
                    integer=e.field in setup.integer,
                )
                for e in inputs
            },
            made={**provenance(setup, command, key), **fit, "calibration_folder": str(out)},
        )
        manifest_path(path).write_text(
            json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
        )
        written[name] = path
    return written


def _status(
    key: str, inferred: set[str], informed: set[str]
) -> Literal["inferred", "drawn", "prior"]:
    if key in inferred:
        return "inferred"
    return "drawn" if key in informed else "prior"


def ensemble_record(path: Path) -> dict[str, str]:
    """An ensemble file and its manifest with their SHA-256."""
    return {
        "csv": str(path),
        "csv_sha256": file_hash(path),
        "manifest": str(manifest_path(path)),
    }


def provenance(setup: Setup, command: str, key: str) -> dict[str, Any]:
    """What made an ensemble: versions, files and hashes, settings, targets, priors."""
    spec = setup.spec
    env = environment()
    return {
        "mobilise": env.get("mobilise"),
        "git_commit": env.get("git_commit"),
        "python": env.get("python"),
        "dependencies": env.get("dependencies"),
        "command": command,
        "calibration_file": str(setup.path),
        "calibration_file_sha256": file_hash(setup.path),
        "priors_file": str(setup.priors_path),
        "priors_file_sha256": file_hash(setup.priors_path),
        "targets_file": str(setup.targets_path),
        "targets_file_sha256": file_hash(setup.targets_path),
        "scenario_files": {n: str(p) for n, p in setup.scenario_files.items()},
        "setup_sha256": key,
        "method": "ABC-SMC (pyABC): adaptive p-norm distance (p = 2), one component per "
        "calibrating target, scale sqrt(MAD^2 + error^2); median epsilon; multivariate normal "
        "transitions on N(0, 1) scales (uniform priors on each range) for the inferred inputs; "
        "every other input drawn from its prior for each particle and kept with it",
        "settings": spec.model_dump(mode="json"),
        "targets": [
            {
                "name": t.name,
                "use": t.use,
                "kind": t.kind,
                "observed": t.observed,
                "error": t.error,
                "source": t.source,
            }
            for t in setup.targets.targets
        ],
        "priors": [
            {"key": e.key, "range": [e.range.low, e.range.high], "reason": e.reason}
            for e in setup.inputs
        ],
    }


# --- diagnostics -----------------------------------------------------------------------


def posterior_table(setup: Setup, members: pd.DataFrame) -> pd.DataFrame:
    """Each input's prior range against its members: quantiles and how much data narrowed it.

    ``status``: inferred by ABC-SMC, drawn from its prior for each simulation and kept
    with the accepted particles, or (no calibrating run depends on it) its prior.
    ``narrowing`` is one minus the members' sd over the uniform prior's sd: 0 when the
    data said nothing, toward 1 when it pinned the input down.
    """
    inferred = {e.key for e in setup.inferred()}
    informed = setup.informed()
    rows = []
    for entry in setup.inputs:
        values = members[entry.key].to_numpy(dtype=float)
        width = entry.range.high - entry.range.low
        q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
        rows.append(
            {
                "input": entry.key,
                "low": entry.range.low,
                "high": entry.range.high,
                "status": _status(entry.key, inferred, informed),
                "prior_mean": (entry.range.low + entry.range.high) / 2,
                "posterior_mean": float(values.mean()),
                "q05": float(q05),
                "q50": float(q50),
                "q95": float(q95),
                "narrowing": float(1 - values.std() / (width / np.sqrt(12))),
                "reason": entry.reason,
            }
        )
    return pd.DataFrame(rows)


def predictive_check(
    simulator: TargetSimulator,
    members: list[dict[str, float]],
    executor: Executor,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every target over the members: each member's mean over seeds, and a summary per target.

    The per-member frame has one row per member and one column per target; the
    summary gives the observed value and error, the members' median and 90% band,
    and the share of members meeting the target (their mean within its error).
    """
    rng = task_seed(seed, 0x9EC)
    use = ("calibrate", "validate")
    jobs, owners = simulator.jobs(members, rng, use)
    rows = evaluate(jobs, executor)
    means = simulator.summarise(len(members), owners, rows, use)
    per_member = pd.DataFrame(means)
    per_member.insert(0, "member", range(1, len(members) + 1))
    summary = []
    for arm in simulator.arms:
        for target in arm.targets:
            values = per_member[target.name].to_numpy(dtype=float)
            q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
            summary.append(
                {
                    "target": target.name,
                    "use": target.use,
                    "kind": target.kind,
                    "observed": target.observed,
                    "error": target.error,
                    "model_q05": float(q05),
                    "model_median": float(q50),
                    "model_q95": float(q95),
                    "members_meeting": float(np.mean([target.meets(v) for v in values])),
                    "source": target.source,
                }
            )
    order = {t.name: i for i, t in enumerate(_targets(simulator))}
    frame = pd.DataFrame(summary)
    return frame.sort_values("target", key=lambda s: s.map(order)).reset_index(drop=True), (
        per_member
    )


def _targets(simulator: TargetSimulator) -> list[Target]:
    return [t for arm in simulator.arms for t in arm.targets]


def meets_every(per_member: pd.DataFrame, targets: Sequence[Target]) -> np.ndarray:
    """For each member, whether it meets every one of ``targets``."""
    ok = np.ones(len(per_member), dtype=bool)
    for target in targets:
        ok &= (
            np.abs(per_member[target.name].to_numpy(dtype=float) - target.observed) <= target.error
        )
    return ok


def met_every(per_member: pd.DataFrame, setup: Setup) -> dict[str, Any]:
    """The share of members meeting every calibrating target, and every target at all."""
    calibrating = setup.targets.calibrating
    return {
        "calibrating_targets": len(calibrating),
        "share_meeting_every_calibrating_target": float(
            meets_every(per_member, calibrating).mean()
        ),
        "all_targets": len(setup.targets.targets),
        "share_meeting_every_target": float(meets_every(per_member, setup.targets.targets).mean()),
    }


def conflict_table(setup: Setup, history: Any, per_member: pd.DataFrame) -> pd.DataFrame:
    """Which targets pull against each other: correlations of their squared misses.

    For each pair of calibrating targets, the Spearman correlation across the first
    generation's particles (spread over the prior) and across the final members of
    ``((model - observed) / error)^2``: negative means the settings that fit one
    tend to miss the other.
    """
    targets = setup.targets.calibrating
    history.id = 1
    first = history.get_weighted_sum_stats(t=0)[1]
    early = pd.DataFrame(first)

    def misses(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {t.name: ((frame[t.name] - t.observed) / t.error) ** 2 for t in targets}
        )

    early_corr = misses(early).corr(method="spearman")
    late_corr = misses(per_member).corr(method="spearman")
    rows = []
    for i, a in enumerate(targets):
        for j, b in enumerate(targets[i + 1 :], start=i + 1):
            rows.append(
                {
                    "target_a": a.name,
                    "target_b": b.name,
                    "early": float(early_corr.to_numpy()[i, j]),
                    "members": float(late_corr.to_numpy()[i, j]),
                }
            )
    return pd.DataFrame(rows).sort_values("early", ignore_index=True)


def check_ensemble(
    setup: Setup,
    ensemble: Ensemble | None,
    scenario: Scenario,
    executor: Executor,
    seeds: int,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The targets of the scenario's mission over its ensemble (or as written): no search.

    What ``mobilise calibrate SCENARIO --check`` prints. Targets of other missions are
    read by the calibration itself (its manifest's predictive check), since this
    scenario's ensemble holds only the fields of its own mission.
    """
    mission = scenario.mission_spec.name
    inputs = setup.priors.for_mission(mission)
    by_field = {e.field: e for e in inputs}
    members: list[dict[str, float]] = [{}]
    if ensemble is not None:
        members = [
            {by_field[name].key: value for name, value in row.items() if name in by_field}
            for row in ensemble.values
        ]
    arms = [arm for arm in setup.arms if arm.scenario.mission_spec.name == mission]
    simulator = TargetSimulator(arms, inputs, setup.integer, seeds)
    return predictive_check(simulator, members, executor, seed)
