"""Commands that run many: ``batch``, ``compare``, ``report``, and their shared runner."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from mobilise.running.batch import BatchResult
    from mobilise.running.design import Design
    from mobilise.running.executors.base import Executor

from mobilise.cli.options import (
    EXPERIMENT,
    SCENARIO,
    FiniteFloatRange,
    budget_option,
    execution_options,
    faults_named,
    one_line,
    output_folder,
    parse_reforms,
)


@click.command()
@click.argument("experiment_file", metavar="EXPERIMENT", type=EXPERIMENT)
@execution_options
@click.option(
    "--replications",
    type=click.IntRange(min=1, max=100_000),
    default=None,
    help="Override the experiment's replications.",
)
@click.option(
    "--precision",
    type=FiniteFloatRange(min=0, min_open=True),
    default=None,
    help="Add replications until every effect's 95% CI half-width is below this.",
)
@click.option(
    "--figures/--no-figures",
    default=True,
    show_default=True,
    help="Draw the figures (fan charts, forest plots, engagement) after the tables.",
)
def batch(
    experiment_file: Path,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    replications: int | None,
    precision: float | None,
    figures: bool,
    quiet: bool,
) -> None:
    """Run an experiment: every arm, sweep point and replication; effects and figures."""
    from mobilise.running.design import load_experiment

    design = load_experiment(experiment_file)
    result, out = run_design(
        design, out, workers, scheduler, resume, replications, precision, quiet, figures=figures
    )
    report_batch(result, out, figures=figures)


@click.command()
@click.argument("scenario_file", metavar="SCENARIO", type=SCENARIO)
@click.option(
    "--reform",
    "reform_texts",
    multiple=True,
    metavar="NAME[=STRENGTH][@START][:MISSION]",
    help="A reform to compare with government push alone (repeatable); START is its first "
    "quarter (2027Q1, or a quarter number of the run), by default the first; MISSION "
    "aims it at one of the scenario's missions (several joined by '+'), by default all.",
)
@budget_option(
    "An arm with the scenario's budget times FACTOR (repeatable): more money, no reform."
)
@execution_options
@click.option(
    "--replications", type=click.IntRange(min=1, max=100_000), default=20, show_default=True
)
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Master seed."
)
@click.option("--precision", type=FiniteFloatRange(min=0, min_open=True), default=None)
@click.option(
    "--figures/--no-figures",
    default=True,
    show_default=True,
    help="Draw the figures (fan charts, forest plots, engagement) after the tables.",
)
def compare(
    scenario_file: Path,
    reform_texts: tuple[str, ...],
    budgets: tuple[float, ...],
    replications: int,
    seed: int,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    precision: float | None,
    figures: bool,
    quiet: bool,
) -> None:
    """Government push alone vs each reform vs all of them together, paired by seed."""
    from mobilise.running.design import comparison

    if not reform_texts and not budgets:
        raise click.UsageError("give at least one --reform or --budget")
    reforms, starts, _, aimed = parse_reforms(reform_texts)
    design = comparison(
        scenario_file, reforms, replications=replications, seed=seed, starts=starts,
        budgets=budgets, aimed=aimed,
    )  # fmt: skip
    result, out = run_design(
        design, out, workers, scheduler, resume, None, precision, quiet, figures=figures
    )
    report_batch(result, out, figures=figures)


@click.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--html",
    "brief",
    is_flag=True,
    help="Also write brief.html: a printable, self-contained brief of the comparison.",
)
def report(folder: Path, brief: bool) -> None:
    """Regenerate effects, interactions and figures from a batch folder's CSVs."""
    from mobilise.analysis.report import batch_folder
    from mobilise.running.export import writable_folder

    batch_folder(folder)  # a finished batch, whole: checked before anything is written
    writable_folder(folder)
    for path in write_report(folder, figures=True, show=False):
        click.echo(f"wrote {path}")
    if brief:
        from mobilise.views.brief import write_batch_brief

        click.echo(f"wrote {write_batch_brief(folder)}")


def report_batch(result: BatchResult, out: Path, *, figures: bool) -> None:
    """The end of a batch: its tables and figures (when some runs finished), exit 1 on failures.

    A fault while writing them is one line (see ``faults_named``).
    """
    if result.done:
        with faults_named(out):
            write_report(out, figures=figures)
    exit_if_failed(result, out)


def write_report(out: Path, *, figures: bool, show: bool = True) -> list[Path]:
    """The tables of a finished batch, its figures if asked, and its effects printed."""
    from mobilise.analysis.report import batch_folder, write_tables

    manifest = batch_folder(out)
    written = write_tables(out, factorial=manifest.get("factorial"))
    if figures:
        from mobilise.views.plots import write_batch_figures

        written += write_batch_figures(out)
    if show:
        echo_effects(out)
    return written


def run_design(
    design: Design,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    replications: int | None,
    precision: float | None,
    quiet: bool,
    *,
    figures: bool = False,
) -> tuple[BatchResult, Path]:
    """Run a design on the chosen executor; print counts and effects; return result, folder.

    With ``figures``, the figure code is imported while workers run the runs.
    """
    if resume and out is None:
        raise click.UsageError("--resume needs --out: the folder of the batch to finish")
    from mobilise.analysis.report import all_half_widths
    from mobilise.running.batch import Precision, run_batch

    most = max(replications or 0, design.experiment.max_replications) if precision else None
    design.check_size(most or replications)  # too many: one line before anything is made
    executor, out = connect(workers, scheduler, out, design.experiment.name)
    command = shlex.join(["mobilise", *sys.argv[1:]])
    try:
        with faults_named(out):
            result = run_batch(
                design,
                out,
                executor,
                resume=resume,
                replications=replications,
                precision=Precision(precision, all_half_widths) if precision else None,
                progress=not quiet,
                command=command,
                meanwhile=_import_figures if figures else None,
            )
    except KeyboardInterrupt:
        click.echo(
            f"mobilise: interrupted; finished runs are in {out}/parts; "
            f"finish by running the same command with --out {out} --resume",
            err=True,
        )
        sys.exit(130)
    finally:
        executor.close()
    click.echo(
        f"{design.experiment.name}: {result.done}/{result.total} runs done, "
        f"{result.failed} failed, {result.resumed} found on disk; wrote {out}"
    )
    for arm, n in sorted(result.replications_needed.items()):
        click.echo(f"  {arm}: {n} replications")
    return result, out


def connect(
    workers: int | None, scheduler: str | None, out: Path | None, name: str
) -> tuple[Executor, Path]:
    """The executor asked for and the output folder, both checked before any work.

    An address that is not a reachable Dask scheduler, or a folder that cannot be
    written, is one line; neither leaves anything behind.
    """
    import os

    from mobilise.running.executors import make_executor

    try:
        executor = make_executor(workers or os.cpu_count() or 1, scheduler)
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        # distributed says ValueError for an unknown scheme, OSError (timeout) for no answer
        reason = one_line(str(exc)) or type(exc).__name__
        raise click.BadParameter(
            f"cannot reach a Dask scheduler at {scheduler!r}: {reason}",
            param_hint="'--scheduler'",
        ) from None
    try:
        return executor, output_folder(out, name)
    except BaseException:
        executor.close()
        raise


def _import_figures() -> None:
    """Import the figure code (matplotlib: about 0.4 s), to have it when the runs end."""
    import mobilise.views.plots  # noqa: F401


def exit_if_failed(result: BatchResult, out: Path) -> None:
    """Exit 1, in one line, when some runs failed (their tracebacks are in failures.csv)."""
    if result.failed:
        click.echo(f"mobilise: {result.failed} runs failed; see {out}/failures.csv", err=True)
        sys.exit(1)


def echo_effects(out: Path) -> None:
    """Print each arm's paired effect, when the milestone is due and at the horizon."""
    import pandas as pd

    path = out / "effects.csv"
    if not path.exists() or path.stat().st_size < 2:
        return
    effects = pd.read_csv(path)
    if effects.empty:
        return
    runs = pd.read_csv(out / "runs.csv", usecols=["scenario", "point"]).drop_duplicates("point")
    several = runs["scenario"].nunique() > 1  # then each point is one scenario's
    scenario_of = dict(zip(runs["point"], runs["scenario"], strict=True))
    for outcome, when in (("milestone_metric", "when the milestone is due"),
                          ("final_metric", "at the horizon")):  # fmt: skip
        rows = effects[effects["outcome"] == outcome]
        if rows.empty or rows["mean_diff"].isna().all():
            continue
        click.echo(
            f"  effect on the key metric {when}, vs government push alone (mean, 95% CI)"
            + ("; milestone met:" if outcome == "milestone_metric" else ":")
        )
        for row in rows.sort_values(
            ["mission", "point", "mean_diff"], ascending=[True, True, False]
        ).itertuples():
            met = f"  {row.p_met_arm:5.0%} vs {row.p_met_baseline:4.0%}"
            cost = getattr(row, "cost_bn", 0.0)
            per_bn = (
                f"  {row.per_bn:+.3g} per GBP bn [{row.per_bn_low:+.3g}, {row.per_bn_high:+.3g}]"
                if cost == cost and cost > 0  # NaN-safe: only arms that cost something
                else ""
            )
            where = f"{row.mission} ({scenario_of[row.point]})" if several else str(row.mission)
            click.echo(
                f"  {where:<14} {row.arm:<32} {row.mean_diff:+.4g} "
                f"[{row.t_low:+.3g}, {row.t_high:+.3g}]"
                + (met if outcome == "milestone_metric" else "")
                + per_bn
            )
