"""Which assumptions matter and does the model hold: sensitivity, discover, calibrate, check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mobilise.cli.batches import connect, executor_for, exit_if_failed, run_design
from mobilise.cli.options import (
    EXPERIMENT,
    SCENARIO,
    FiniteFloatRange,
    check_members,
    ensemble_options,
    execution_options,
    faults_named,
)
from mobilise.running.claims import load_checked
from mobilise.schema.scenario import Scenario
from mobilise.vocabulary import ScenarioError, require_extra

if TYPE_CHECKING:
    import pandas as pd

    from mobilise.running.executors.base import Executor
    from mobilise.schema.calibration import Setup


@click.command()
@click.argument("experiment_file", metavar="EXPERIMENT", type=EXPERIMENT)
@execution_options
@click.option(
    "--method",
    type=click.Choice(["morris", "sobol"]),
    default=None,
    help="Default: the experiment's.",
)
@click.option(
    "--samples",
    type=click.IntRange(min=2, max=10_000),
    default=None,
    help="Morris trajectories or Sobol base samples.",
)
def sensitivity(
    experiment_file: Path,
    method: str | None,
    samples: int | None,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    quiet: bool,
) -> None:
    """Global sensitivity analysis (Morris or Sobol) over the experiment's uncertain parameters."""
    require_extra("sensitivity", "mobilise sensitivity")
    import pandas as pd

    from mobilise.analysis.sensitivity import indices
    from mobilise.analysis.validation import sensitivity_design
    from mobilise.running.export import atomic
    from mobilise.views.figure_style import save
    from mobilise.views.plots_assumptions import sensitivity_bars

    design, spec = sensitivity_design(experiment_file, method, samples)
    result, out = run_design(design, out, workers, scheduler, resume, None, None, quiet)
    if result.done:
        with faults_named(out):
            table = indices(pd.read_csv(out / "runs.csv"), design, spec)
            with atomic(out / "indices.csv") as tmp:
                table.to_csv(tmp, index=False, float_format="%.6g")
            (out / "figures").mkdir(exist_ok=True)
            for outcome in spec.outcomes:
                if (table["outcome"] == outcome).any():
                    save(
                        sensitivity_bars(table, outcome, spec.method),
                        out / "figures" / f"sensitivity_{outcome}",
                    )
        _echo_indices(table, spec.method)
        click.echo(f"  wrote {out}/indices.csv and figures/sensitivity_*.png")
    exit_if_failed(result, out)


@click.command()
@click.argument("folder", metavar="RUNS_DIR", type=click.Path(path_type=Path))
@click.option("--outcome", default="milestone_met", show_default=True, help="A column of runs.csv.")
@click.option(
    "--threshold",
    type=FiniteFloatRange(),
    default=None,
    help="For a numeric outcome: success is outcome >= this.",
)
@click.option("--min-coverage", type=FiniteFloatRange(0, 1), default=0.8, show_default=True)
@click.option("--method", type=click.Choice(["prim", "tree"]), default="prim", show_default=True)
def discover(
    folder: Path, outcome: str, threshold: float | None, min_coverage: float, method: str
) -> None:
    """Scenario discovery: the few conditions under which the outcome happens."""
    if method == "tree":  # before reading anything: a missing extra is the first thing to say
        require_extra("sensitivity", "mobilise discover")
    import pandas as pd

    from mobilise.analysis.discovery import boxes_frame, discovery_inputs, prim, tree_boxes
    from mobilise.analysis.report import finished_runs
    from mobilise.running.export import atomic, writable_folder
    from mobilise.views.figure_style import save
    from mobilise.views.plots_assumptions import coverage_density

    runs, manifest = finished_runs(folder)
    writable_folder(folder)
    if outcome not in runs:
        raise click.BadParameter(
            f"'{outcome}' is not a column of runs.csv", param_hint="'--outcome'"
        )
    values = runs[outcome]
    if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        raise click.BadParameter(
            f"'{outcome}' is not a numeric column of runs.csv", param_hint="'--outcome'"
        )
    if values.dtype == bool or set(values.dropna().unique()) <= {0, 1}:
        success = values.astype(bool).to_numpy()
    elif threshold is None:
        raise click.BadParameter(
            f"'{outcome}' is numeric: give --threshold", param_hint="'--outcome'"
        )
    else:
        success = (values >= threshold).to_numpy()
    if success.all() or not success.any():  # nothing to tell apart: boxes would mean nothing
        which = "every" if success.all() else "no"
        given = f" >= {threshold:g}" if threshold is not None and values.dtype != bool else ""
        raise click.BadParameter(
            f"{which} run of {len(runs)} has {outcome}{given}: nothing to tell apart; "
            "choose another outcome or threshold",
            param_hint="'--outcome'" if not given else "'--threshold'",
        )
    try:
        inputs = discovery_inputs(runs, manifest)
    except ValueError as exc:
        raise click.ClickException(f"{folder}: {exc}") from None
    if method == "prim":
        chosen, trajectory = prim(inputs, success, min_coverage=min_coverage)
        boxes = [*trajectory, chosen]
        save(coverage_density(trajectory, chosen, outcome), folder / "figures" / "discovery")
    else:
        boxes = tree_boxes(inputs, success)
        chosen = boxes[0]
    with atomic(folder / "boxes.csv") as tmp:
        boxes_frame(boxes, chosen).to_csv(tmp, index=False, float_format="%.6g")
    label = outcome.replace("_", " ")
    click.echo(
        f"{len(runs)} runs, {success.mean():.0%} with {label}; inputs: {', '.join(inputs.columns)}"
    )
    click.echo(f"  {chosen.describe(label)}")
    click.echo(
        f"  wrote {folder}/boxes.csv" + ("" if method == "tree" else " and figures/discovery.png")
    )


@click.command()
@click.argument("scenario_file", metavar="SCENARIO", type=SCENARIO)
@click.option(
    "--ensemble",
    "make_ensemble",
    is_flag=True,
    help="Run ABC-SMC and write the ensembles of every scenario the calibration names.",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Only compare each target with the scenario's ensemble (or --members of it); fit nothing.",
)
@execution_options
@click.option(
    "--members",
    type=click.IntRange(min=1, max=100_000),
    default=None,
    help="--check: the first N members (default: all).",
)
@click.option(
    "--seeds",
    type=click.IntRange(min=1, max=1000),
    default=None,
    help="--check: seeds per member (default: the calibration's).",
)
def calibrate(
    scenario_file: Path,
    make_ensemble: bool,
    check_only: bool,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    quiet: bool,
    members: int | None,
    seeds: int | None,
) -> None:
    """Calibrate the scenario's uncertain inputs to its targets: ABC-SMC, an ensemble.

    ``--ensemble`` runs the calibration the scenario names (priors, targets, settings)
    and writes each named scenario's ensemble where its ``ensemble:`` says, with a
    manifest, diagnostics and figures (pyABC's database and the diagnostics go to --out,
    by default runs/calibrate-NAME); the same command remakes the same files.
    ``--check`` compares the targets with the ensemble as it stands.
    """
    require_extra("calibrate", "mobilise calibrate --ensemble")  # --check reads with pyABC too
    from mobilise.running.claims import calibration_file, load_checked_setup

    if make_ensemble == check_only:
        raise click.UsageError("give --ensemble (calibrate) or --check (compare with the targets)")
    if resume and out is None:
        raise click.UsageError("--resume needs --out: the folder of the calibration to finish")
    scenario = load_checked(scenario_file)
    source = str(scenario_file)
    setup = load_checked_setup(calibration_file(scenario, source, scenario_file.parent))
    folder: Path | None = None
    if check_only:
        executor = executor_for(workers, scheduler)
    else:
        default = Path("runs") / f"calibrate-{setup.spec.name}"
        executor, folder = connect(workers, scheduler, out or default, setup.spec.name)
    try:
        if folder is None:
            _check_targets(setup, scenario_file, scenario, executor, members, seeds)
        else:
            with faults_named(folder):
                _calibrate(setup, folder, executor, resume, quiet)
    except KeyboardInterrupt:
        click.echo(
            "mobilise: interrupted; finish by running the same command with --out and --resume",
            err=True,
        )
        sys.exit(130)
    finally:
        executor.close()


def _calibrate(setup: Setup, out: Path, executor: Executor, resume: bool, quiet: bool) -> None:
    """Run the calibration; print the generations, the fit and what it wrote."""
    import logging
    import shlex

    from mobilise.analysis.calibration import calibrate as run_calibration
    from mobilise.views.plots_calibration import write_calibration_figures

    logging.getLogger("ABC").setLevel(logging.WARNING)  # pyABC's per-generation log: ours instead

    def progress(generation: int, accepted: int, evaluated: int) -> None:
        if not quiet:
            what = f"generation {generation}" if generation >= 0 else "prior sample"
            click.echo(
                f"\r  {what}: {accepted}/{setup.spec.particles} accepted "
                f"of {evaluated} simulated   ",
                nl=False,
                err=True,
            )

    command = shlex.join(["mobilise", *sys.argv[1:]])
    result = run_calibration(
        setup, out, executor, resume=resume, progress=progress, command=command
    )
    if not quiet:
        click.echo("", err=True)
    figures = write_calibration_figures(result)
    spec = setup.spec
    click.echo(
        f"{spec.name}: ABC-SMC over {len(result.inferred)} inferred inputs "
        f"({len(setup.inputs)} uncertain in all), {spec.particles} particles x "
        f"{spec.seeds} seeds, {len(result.generations)} generations; wrote {out}"
    )
    for g in result.generations:
        click.echo(
            f"  generation {g.t}: epsilon {g.epsilon:.3g}, accepted {g.particles} of "
            f"{g.samples} ({g.acceptance:.0%})"
        )
    _echo_predictive(result.predictive, result.manifest["members_meeting_every_target"])
    for path in result.ensembles.values():
        click.echo(f"  wrote {path} ({spec.members} members) and its manifest")
    click.echo(f"  diagnostics: {', '.join(p.name for p in [*result.files[:4], *figures])}")


def _check_targets(
    setup: Setup,
    scenario_file: Path,
    scenario: Scenario,
    executor: Executor,
    members: int | None,
    seeds: int | None,
) -> None:
    """Each target of the scenario's mission against its ensemble, as it stands."""
    from mobilise.analysis.calibration import check_ensemble, meets_every
    from mobilise.schema.ensemble import choose_ensemble

    worlds = choose_ensemble(scenario_file, scenario, None, members)
    predictive, per_member = check_ensemble(
        setup, worlds, scenario, executor, seeds or setup.spec.seeds, setup.spec.seed
    )
    where = f"{len(worlds)} members of {worlds.path.name}" if worlds else "the scenario as written"
    click.echo(f"{scenario.name}: targets of its mission over {where}")
    names = set(predictive["target"])
    calibrating = [t for t in setup.targets.calibrating if t.name in names]
    share = float(meets_every(per_member, calibrating).mean()) if calibrating else float("nan")
    _echo_predictive(
        predictive,
        {"share_meeting_every_calibrating_target": share, "calibrating_targets": len(calibrating)},
    )


def _echo_predictive(predictive: pd.DataFrame, every: dict[str, Any]) -> None:
    """One line per target: observed +/- error, the members' median and band, share meeting it."""
    for row in predictive.itertuples():
        held = " (held out)" if row.use == "validate" else ""
        click.echo(
            f"  {row.target}{held}: observed {row.observed:.4g} +/- {row.error:.3g}; members "
            f"{row.model_median:.4g} [{row.model_q05:.4g}, {row.model_q95:.4g}]; met by "
            f"{row.members_meeting:.0%}  [{row.source}]"
        )
    click.echo(
        f"  members meeting every one of the {every['calibrating_targets']} calibrating "
        f"targets: {every['share_meeting_every_calibrating_target']:.0%}"
    )


@click.command(name="check")
@click.argument(
    "scenario_files",
    metavar="SCENARIO...",
    nargs=-1,
    required=True,
    type=SCENARIO,
)
@click.option(
    "--seeds",
    type=click.IntRange(min=2, max=10_000),
    default=None,
    help="Replications per member (default 10 with an ensemble, 20 without; the same seeds "
    "for every pattern and arm).",
)
@click.option(
    "--seed",
    "master_seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Master seed the replication seeds are spawned from.",
)
@ensemble_options
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=1024),
    default=None,
    help="Local worker processes (default: all cores).",
)
def check_command(
    scenario_files: tuple[Path, ...],
    seeds: int | None,
    master_seed: int,
    ensemble: str | None,
    members: int | None,
    workers: int | None,
) -> None:
    """Run each scenario's declared patterns: expected, measured (5-95% band), ok or MISS.

    Across the scenario's calibrated ensemble (every member, its own seeds) unless
    --ensemble none. Exit 0 if every pattern holds, 1 if any misses, 2 on bad input.
    """
    from mobilise.analysis import patterns
    from mobilise.schema.ensemble import DEFAULT_MEMBERS, SEEDS_PER_MEMBER, choose_ensemble

    check_members(ensemble, members)
    scenarios = [(path, load_checked(path)) for path in scenario_files]
    for path, scenario in scenarios:
        if not scenario.patterns:
            raise ScenarioError(f"{path}: patterns: the scenario declares no patterns to check")
    chosen = [
        choose_ensemble(path, scenario, ensemble, members or DEFAULT_MEMBERS)
        for path, scenario in scenarios
    ]
    executor = executor_for(workers, None)
    missed = total = 0
    try:
        for (path, scenario), worlds in zip(scenarios, chosen, strict=True):
            count = seeds or (SEEDS_PER_MEMBER if worlds else 20)
            where = (
                f"{len(worlds)} members of {worlds.path.name} x {count} seeds each"
                if worlds
                else f"{count} seeds from master seed {master_seed} (the scenario as written)"
            )
            click.echo(f"{scenario.name} ({path}): {len(scenario.patterns)} patterns, {where}")
            results = patterns.check(
                scenario,
                replications=count,
                seed=master_seed,
                source=str(path),
                base=path.parent,
                ensemble=worlds,
                executor=executor,
            )
            for result in results:
                click.echo(f"  {result.line()}")
            missed += sum(not r.ok for r in results)
            total += len(results)
    finally:
        executor.close()
    click.echo(f"{total - missed} of {total} patterns ok" + (f", {missed} MISS" if missed else ""))
    if missed:
        sys.exit(1)


def _echo_indices(table: pd.DataFrame, method: str) -> None:
    index = "mu_star" if method == "morris" else "ST"
    for (arm, outcome), rows in table[table["index"] == index].groupby(
        ["arm", "outcome"], sort=False
    ):
        top = rows.sort_values("value", ascending=False).head(3)
        ranked = ", ".join(
            f"{p} {v:.3g}" for p, v in zip(top["parameter"], top["value"], strict=True)
        )
        click.echo(f"  {arm:<28} {outcome:<18} most influential ({index}): {ranked}")
