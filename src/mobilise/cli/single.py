"""Commands about one run and the catalogues: ``run``, ``validate``, ``list``."""

from __future__ import annotations

import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError

from mobilise.analysis.validation import KINDS_BY_NAME, validate_file
from mobilise.cli.options import (
    INPUT_ERROR,
    SCENARIO,
    SET_OPTION,
    budget_option,
    check_members,
    ensemble_options,
    faults_named,
    one_line,
    output_folder,
    parse_reforms,
)
from mobilise.running.claims import load_checked
from mobilise.running.export import environment, now, write_frame, write_json
from mobilise.running.simulate import simulate
from mobilise.schema.files import file_hash
from mobilise.schema.missions import MISSIONS
from mobilise.schema.reforms import REFORMS
from mobilise.schema.scenario import load_scenario
from mobilise.schema.schedule import Timing
from mobilise.schema.shipped import Kind, catalogue, shipped_folder
from mobilise.vocabulary import ScenarioError

if TYPE_CHECKING:
    from mobilise.model.model import MissionModel
    from mobilise.running.simulate import Run
    from mobilise.schema.ensemble import Ensemble
    from mobilise.schema.scenario import Scenario


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(list(KINDS_BY_NAME)),
    default=None,
    help="Judge every file as this kind (default: told from each file's keys).",
)
def validate(files: tuple[Path, ...], kind: str | None) -> None:
    """Judge scenario, experiment, sensitivity and robust files without running them.

    One line per file: ``ok`` with what it holds, or the problem (file, field,
    expected, found); exit 2 if any file is bad.
    """
    failed = False
    for path in files:
        try:
            summary = validate_file(path, kind)
        except ScenarioError as exc:
            click.echo(one_line(str(exc)), err=True)
            failed = True
        else:
            click.echo(one_line(f"{path}: ok ({summary})"))
    if failed:
        sys.exit(INPUT_ERROR)


@click.command(name="list")
@click.argument("what", type=click.Choice(["missions", "reforms", "scenarios", "experiments"]))
@click.option(
    "--dir",
    "folder",
    default=None,
    type=click.Path(path_type=Path, file_okay=False),
    help="List the files of this folder instead of the shipped ones.",
)
def list_(what: str, folder: Path | None) -> None:
    """List the missions, reforms, scenarios or experiments, with descriptions and sources.

    Scenarios and experiments are listed by the name that the commands take
    (``mobilise run uk_2024``), from any folder; ``--dir`` lists a folder of your own.
    """
    if what == "missions":
        for m in MISSIONS.values():
            click.echo(f"{m.name:<20} {m.kind:<14} {m.title}")
            click.echo(
                f"{'':<20} metric: {m.metric}: {m.baseline:g} -> {m.target:g} "
                f"by {m.key_milestone.quarter}"
            )
            click.echo(f"{'':<20} source: {m.source}")
    elif what == "reforms":
        for r in REFORMS.values():
            click.echo(f"{r.name:<28} {r.description}")
            click.echo(f"{'':<28} relaxes: {r.relaxes}")
            click.echo(f"{'':<28} source: {r.source}")
    else:
        kind: Kind = "scenario" if what == "scenarios" else "experiment"
        files = catalogue(kind, folder)
        if not files:
            click.echo(f"{folder or shipped_folder(kind)}: no {kind} files", err=True)
            sys.exit(INPUT_ERROR)
        click.echo(f"{what} in {folder or shipped_folder(kind)}:")
        for name, path in files.items():
            click.echo(f"{name:<28} {_describe(kind, path)}")


def _describe(kind: Kind, path: Path) -> str:
    """One line about a scenario or experiment file; a bad file says so, in one line."""
    try:
        if kind == "scenario":
            s = load_scenario(path)
            about, description = f"{s.mission_spec.name:<18} {s.size:>6} agents", s.description
        else:
            from mobilise.running.design import load_experiment  # experiments: only when listed

            e = load_experiment(path).experiment
            about, description = f"{e.replications:>4} replications", e.description
    except ScenarioError as exc:
        return f"INVALID: {exc}"
    return f"{about}  {' '.join(description.split())[:80]}"


@click.command(name="run")
@click.argument("scenario_file", metavar="SCENARIO", type=SCENARIO)
@click.option(
    "--reform",
    "reform_texts",
    multiple=True,
    metavar="NAME[=STRENGTH][@START]",
    help="Add a reform (repeatable); strength defaults to 1, START (2027Q1, or a quarter "
    "number of the run) to the first quarter.",
)
@budget_option("Multiply the scenario's mission budget by FACTOR.")
@click.option(
    "--seed", type=click.IntRange(min=0), default=None, help="Seed (default: the scenario's)."
)
@click.option(
    "--steps",
    type=click.IntRange(min=1, max=400),
    default=None,
    help="Quarters to run (default: the scenario's).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder (default: a new folder under runs/).",
)
@click.option(
    "--agents",
    is_flag=True,
    help="Also write agents.csv (engagement and trust per agent per step; no ensemble).",
)
@ensemble_options
@SET_OPTION
def run_command(
    scenario_file: Path,
    reform_texts: tuple[str, ...],
    budgets: tuple[float, ...],
    seed: int | None,
    steps: int | None,
    out: Path | None,
    agents: bool,
    ensemble: str | None,
    members: int | None,
    settings: tuple[str, ...],
) -> None:
    """Run one scenario: once, or once in each plausible world of its ensemble.

    Writes timeseries.csv, summary.json and manifest.json. With an ensemble (the
    scenario's own unless --ensemble none), every member runs with the same seed, the
    same reforms, starts and budget, and the summary gives the spread across them.
    """
    from mobilise.schema.ensemble import DEFAULT_MEMBERS, choose_ensemble
    from mobilise.schema.settings import apply_settings, settings_fields

    check_members(ensemble, members)
    reforms, starts, _ = parse_reforms(reform_texts)
    if len(budgets) > 1:
        raise click.BadParameter("give --budget once", param_hint="'--budget'")
    loaded = load_checked(scenario_file)
    if agents and ensemble is None:
        ensemble = "none"  # agent frames are one run's
    worlds = choose_ensemble(scenario_file, loaded, ensemble, members or DEFAULT_MEMBERS)
    if worlds is not None:
        for name in settings_fields(settings):
            if name in worlds.columns:
                raise ScenarioError(
                    f"--set {name}: the ensemble {worlds.path.name} varies this field across "
                    "its members; fix it with --ensemble none"
                )
    scenario = apply_settings(loaded, settings)
    if steps is not None:
        scenario = scenario.model_copy(update={"quarters": steps})
    try:
        timing = {name: Timing(start=start) for name, start in starts.items()}
        scenario.check_timing(timing, {**scenario.reforms, **reforms})
    except ValidationError as exc:
        message = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        raise click.BadParameter(message, param_hint="'--reform'") from None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--reform'") from None
    out = output_folder(out, scenario.name)
    budget = budgets[0] if budgets else 1.0
    if worlds is not None:
        chosen = Chosen(reforms, timing, budget)
        _run_members(scenario_file, scenario, worlds, seed, chosen, out, settings)
        return
    started, clock = now(), time.perf_counter()
    done = simulate(
        scenario, seed=seed, reforms=reforms, timing=timing, budget=budget, record_agents=agents
    )
    elapsed = time.perf_counter() - clock
    with faults_named(out):
        _write_run(out, done, scenario_file, scenario, settings, started, elapsed)
    _echo_summary(done.summary, done.model, out)


def _write_run(
    out: Path,
    done: Run,
    scenario_file: Path,
    scenario: Scenario,
    settings: tuple[str, ...],
    started: str,
    elapsed: float,
) -> None:
    frame, model, summary = done.frame, done.model, done.summary
    write_frame(out / "timeseries.csv", frame)
    if done.agents is not None:
        write_frame(out / "agents.csv", done.agents)
    write_json(out / "summary.json", summary)
    write_json(
        out / "manifest.json",
        {
            **_made_by(scenario_file, scenario, settings),
            "ensemble": None,
            "seed": model.seed,
            "reforms": model.inputs.reforms,
            "timing": {r: t.model_dump(mode="json") for r, t in model.inputs.timing.items()},
            "budget": model.inputs.government.budget,
            "quarters": scenario.quarters,
            "agents": model.population.size,
            "started": started,
            "finished": now(),
            "run_seconds": round(elapsed, 4),
        },
    )


def _made_by(scenario_file: Path, scenario: Scenario, settings: tuple[str, ...]) -> dict[str, Any]:
    """What every run's manifest begins with: environment, command, scenario and its --sets."""
    return {
        **environment(),
        "command": shlex.join(["mobilise", *sys.argv[1:]]),
        "scenario_file": str(scenario_file),
        "scenario_file_sha256": file_hash(scenario_file),
        "scenario_sha256": scenario.content_hash(),
        "settings": list(settings),
    }


@dataclass(frozen=True)
class Chosen:
    """What ``--reform`` and ``--budget`` chose: strengths, their starts, the budget's factor."""

    reforms: dict[str, float]
    timing: dict[str, Timing]
    budget: float


def _run_members(
    scenario_file: Path,
    scenario: Scenario,
    worlds: Ensemble,
    seed: int | None,
    chosen: Chosen,
    out: Path,
    settings: tuple[str, ...],
) -> None:
    """The scenario once in each member of the ensemble: files, and the spread printed."""
    import numpy as np

    from mobilise.running.runs import run_members

    reforms = chosen.reforms
    started, clock = now(), time.perf_counter()
    frame, summaries = run_members(
        scenario, worlds, seed=seed, reforms=reforms, timing=chosen.timing, budget=chosen.budget
    )
    elapsed = time.perf_counter() - clock
    picked = scenario.seed if seed is None else seed
    finals = np.array([s["final_metric"] for s in summaries])
    met = [bool(s["milestone_met"]) for s in summaries]
    low, median, high = (float(v) for v in np.quantile(finals, [0.025, 0.5, 0.975]))
    with faults_named(out):
        write_frame(out / "timeseries.csv", frame)
        write_json(
            out / "summary.json",
            {
                "members": len(summaries),
                "final_metric": {"median": median, "low": low, "high": high},
                "milestone_met_share": float(np.mean(met)),
                "by_member": summaries,
            },
        )
        write_json(
            out / "manifest.json",
            {
                **_made_by(scenario_file, scenario, settings),
                "ensemble": worlds.record(),
                "seed": picked,
                "reforms": reforms,
                "timing": {r: t.model_dump(mode="json") for r, t in chosen.timing.items()},
                "budget": scenario.government.budget * chosen.budget,
                "quarters": scenario.quarters,
                "started": started,
                "finished": now(),
                "run_seconds": round(elapsed, 4),
            },
        )
    mission = scenario.mission_spec
    click.echo(f"{mission.title}")
    names = ", ".join(
        f"{k}={v:g}" + (f" from {chosen.timing[k].start}" if k in chosen.timing else "")
        for k, v in reforms.items()
    )
    names = names or "none (government push alone)"
    if chosen.budget != 1.0:
        names += f"; budget x{chosen.budget:g}"
    click.echo(
        f"  reforms: {names}; seed {picked}; {len(summaries)} plausible worlds "
        f"(members of {worlds.path.name}), {scenario.size} agents, {scenario.quarters} quarters"
    )
    click.echo(
        f"  {mission.metric}: {mission.baseline:g} -> {median:.4g} "
        f"[{low:.4g}, {high:.4g}] (median and 95% of worlds; target {mission.target:g} "
        f"by {mission.key_milestone.quarter})"
    )
    click.echo(
        f"  key milestone met in {sum(met)} of {len(met)} worlds "
        "(each world once, with this seed: seed noise is inside the spread)"
    )
    click.echo(f"  wrote {out}/timeseries.csv (a member column), summary.json, manifest.json")


def _echo_summary(summary: dict[str, Any], model: MissionModel, out: Path) -> None:
    mission = model.mission
    reforms = (
        ", ".join(f"{k}={v:g}" for k, v in model.inputs.reforms.items())
        or "none (government push alone)"
    )
    click.echo(f"{mission.title}")
    click.echo(
        f"  reforms: {reforms}; seed {model.seed}; "
        f"{model.population.size} agents, {model.params.quarters} quarters"
    )
    click.echo(
        f"  {mission.metric}: {mission.baseline:g} -> {summary['final_metric']:.4g} "
        f"(target {mission.target:g} by {mission.key_milestone.quarter})"
    )
    for m in summary["milestones"]:
        state = f"met in {m['met_quarter']}" if m["met"] else "not met"
        if not m["assessable"]:
            state += " (beyond the horizon)"
        click.echo(f"  milestone {m['value']:g} by {m['quarter']}: {state}")
    shares = "  ".join(
        f"{t} {share:.2f}" for t, share in summary["final_engaged"].items() if share is not None
    )
    click.echo(f"  final engaged share: {shares}")
    click.echo(f"  wrote {out}/timeseries.csv, summary.json, manifest.json")
