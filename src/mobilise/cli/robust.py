"""Which reform package holds up: ``robust``."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mobilise.cli.batches import connect
from mobilise.cli.options import (
    EXPERIMENT,
    check_members,
    ensemble_options,
    execution_options,
    faults_named,
)
from mobilise.vocabulary import require_extra

if TYPE_CHECKING:
    from mobilise.analysis.robust import RobustResult
    from mobilise.running.design import Design


@click.command()
@click.argument("experiment_file", metavar="EXPERIMENT", type=EXPERIMENT)
@execution_options
@ensemble_options
@click.option(
    "--replications",
    type=click.IntRange(min=1, max=100_000),
    default=None,
    help="Override the experiment's replications per package and state.",
)
@click.option(
    "--method",
    type=click.Choice(["auto", "exhaustive", "evolutionary"]),
    default=None,
    help="Override levers.search.method.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1, max=1000),
    default=None,
    help="Packages shown and explained (default: the experiment's robustness.top).",
)
def robust(
    experiment_file: Path,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    quiet: bool,
    replications: int | None,
    method: str | None,
    top: int | None,
    ensemble: str | None,
    members: int | None,
) -> None:
    """Which reform package holds up across the states of the world: robustness and search.

    The states are the experiment's uncertainties crossed with the members of the
    scenario's calibrated ensemble (unless --ensemble none).
    """
    from mobilise.analysis.robust import run_robust
    from mobilise.analysis.validation import robust_design
    from mobilise.running.design import Uncertainty
    from mobilise.schema.files import read_yaml

    if resume and out is None:
        raise click.UsageError("--resume needs --out: the folder of the study to finish")
    check_members(ensemble, members)
    data = read_yaml(experiment_file)
    if isinstance(data, dict):
        data = _overridden(data, replications, method, top)
    design, levers, options = robust_design(data, experiment_file, Uncertainty(ensemble, members))
    if levers.method() == "evolutionary":
        require_extra("robust", "mobilise robust's evolutionary search")
    executor, out = connect(workers, scheduler, out, design.experiment.name)
    try:
        with faults_named(out):
            result = run_robust(
                design,
                out,
                executor,
                resume=resume,
                progress=not quiet,
                command=shlex.join(["mobilise", *sys.argv[1:]]),
            )
    except KeyboardInterrupt:
        click.echo(
            f"mobilise: interrupted; finished runs are in {out}; "
            f"finish by running the same command with --out {out} --resume",
            err=True,
        )
        sys.exit(130)
    finally:
        executor.close()
    from mobilise.views.plots_robustness import write_figures

    mission = next(iter(design.missions_by_scenario.values()))[0]
    with faults_named(out):
        result.files += write_figures(result, mission, options.top)
    _echo(result, design, options.rank_by, options.top)
    if result.runs_failed:
        click.echo(f"mobilise: {result.runs_failed} runs failed; see failures.csv", err=True)
        sys.exit(1)


def _overridden(
    data: dict[str, Any], replications: int | None, method: str | None, top: int | None
) -> dict[str, Any]:
    """The experiment data with the command line's overrides, validated like the file."""
    data = dict(data)
    if replications is not None:
        data["replications"] = replications
    if method is not None and isinstance(data.get("levers"), dict):
        levers = dict(data["levers"])
        levers["search"] = {**(levers.get("search") or {}), "method": method}
        data["levers"] = levers
    if top is not None:
        robustness = data.get("robustness")
        data["robustness"] = {**(robustness if isinstance(robustness, dict) else {}), "top": top}
    return data


def _echo(result: RobustResult, design: Design, rank_by: list[str], top: int) -> None:
    import pandas as pd

    from mobilise.views.figure_style import metric_scale

    table = result.table
    states = int(table["states"].iloc[0])
    reps = int(table["replications"].iloc[0])
    mission = next(iter(design.missions_by_scenario.values()))[0]
    scale = metric_scale(mission)
    click.echo(
        f"{design.experiment.name}: {result.method}, {len(table)} packages x {states} states x "
        f"{reps} replications; {result.runs_done}/{result.runs_total} runs done, "
        f"{result.runs_failed} failed, {result.runs_resumed} found on disk; wrote {result.out}"
    )
    click.echo(
        f"  ranked by {', then '.join(r.replace('_', ' ') for r in rank_by)}; key metric at the "
        f"milestone date in {scale.level_unit}, regret in {scale.diff_unit}"
    )
    shown = table.head(top)
    baseline = table[(table["package"] == "baseline") & ~table["package"].isin(shown["package"])]
    rows = pd.concat([shown, baseline])
    width = max(20, *(len(name) for name in rows["package"]))
    click.echo(
        f"  {'rank':>4}  {'package':<{width}} {'met in':>7} {'p90 regret':>10} "
        f"{'max regret':>10} {'maximin':>8} {'mean':>7} {'horizon':>8}"
    )
    f = scale.factor
    for row in rows.to_dict("records"):
        met = f"{round(float(row['satisficing']) * states)}/{states}"
        regret_p90, regret_max = float(row["regret_p90"]) * f, float(row["minimax_regret"]) * f
        maximin, mean, final = (
            float(row[c]) * f for c in ("maximin", "milestone_mean", "final_mean")
        )
        click.echo(
            f"  {row['rank']:>4}  {row['package']:<{width}} {met:>7} {regret_p90:>10.3g} "
            f"{regret_max:>10.3g} {maximin:>8.4g} {mean:>7.4g} {final:>8.4g}"
        )
    click.echo("  where they miss the milestone (PRIM on the missed states):")
    for failure in result.failures:
        click.echo(f"    {failure.sentence()}")
    click.echo(
        f"  wrote {result.out}/robustness.csv, package_states.csv, failure_boxes.csv, figures/"
    )
