"""Which assumptions matter and does the model hold: sensitivity, discover, calibrate, check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mobilise.cli.batches import exit_if_failed, run_design
from mobilise.cli.options import (
    EXPERIMENT,
    SCENARIO,
    FiniteFloatRange,
    execution_options,
    faults_named,
)
from mobilise.running.claims import load_checked
from mobilise.schema.scenario import Scenario
from mobilise.vocabulary import ScenarioError, require_extra

if TYPE_CHECKING:
    import pandas as pd

    from mobilise.analysis.patterns import PatternResult


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
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the calibrated scenario (default: SCENARIO_calibrated.yaml).",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Only compare each target with the model; fit nothing.",
)
def calibrate(scenario_file: Path, out: Path | None, check_only: bool) -> None:
    """Fit the scenario's free behavioural parameters to facts that should emerge."""
    import yaml

    from mobilise.analysis import calibration
    from mobilise.running.export import atomic, writable_file

    scenario = load_checked(scenario_file)
    if scenario.calibration is None:
        raise ScenarioError(
            f"{scenario_file}: calibration: the scenario has no calibration section"
        )
    if check_only:
        _echo_checks(scenario, calibration.check(scenario))
        return
    out = writable_file(out or scenario_file.with_name(f"{scenario_file.stem}_calibrated.yaml"))
    try:
        calibrated, record = calibration.fit(scenario)
    except ValueError as exc:
        raise ScenarioError(f"{scenario_file}: calibration: {exc}") from None
    header = (
        f"# Generated by mobilise calibrate from {scenario_file.name} on {record['date']}.\n"
        "# The fit (method, values, objective, targets) is recorded under calibration.fitted.\n"
    )
    body = yaml.safe_dump(calibrated.model_dump(mode="json", by_alias=True), sort_keys=False)
    with atomic(out) as tmp:
        tmp.write_text(header + body)
    for name, value in record["values"].items():
        click.echo(f"  fitted {name} = {value:.4g}")
    click.echo(f"  objective {record['objective']:.3g} after {record['evaluations']} evaluations")
    _echo_checks(calibrated, calibration.check(calibrated))
    click.echo(f"  wrote {out}")


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
    default=20,
    show_default=True,
    help="Replications per pattern (the same seeds for every pattern and arm).",
)
@click.option(
    "--seed",
    "master_seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Master seed the replication seeds are spawned from.",
)
def check_command(scenario_files: tuple[Path, ...], seeds: int, master_seed: int) -> None:
    """Run each scenario's declared patterns: expected, measured (5-95% band), ok or MISS.

    Exit 0 if every pattern holds, 1 if any misses, 2 on bad input.
    """
    from mobilise.analysis import patterns

    scenarios = [(path, load_checked(path)) for path in scenario_files]
    for path, scenario in scenarios:
        if not scenario.patterns:
            raise ScenarioError(f"{path}: patterns: the scenario declares no patterns to check")
    missed = total = 0
    for path, scenario in scenarios:
        click.echo(
            f"{scenario.name} ({path}): {len(scenario.patterns)} patterns, "
            f"{seeds} seeds from master seed {master_seed}"
        )
        results = patterns.check(
            scenario, replications=seeds, seed=master_seed, source=str(path), base=path.parent
        )
        for result in results:
            click.echo(f"  {result.line()}")
        missed += sum(not r.ok for r in results)
        total += len(results)
    click.echo(f"{total - missed} of {total} patterns ok" + (f", {missed} MISS" if missed else ""))
    if missed:
        sys.exit(1)


def _echo_checks(scenario: Scenario, checks: list[PatternResult]) -> None:
    spec = scenario.calibration
    assert spec is not None
    if spec.fitted:
        values = ", ".join(f"{k} = {v:.4g}" for k, v in spec.fitted["values"].items())
        click.echo(f"{scenario.name}: fitted on {spec.fitted['date']} ({values})")
    else:
        click.echo(
            f"{scenario.name}: not fitted; parameters as set in the file (from data or assumption)"
        )
    for result in checks:
        click.echo(f"  {result.line()}")


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
