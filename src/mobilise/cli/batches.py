"""Commands that run many: ``batch``, ``compare``, ``report``, and their shared runner."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import pandas as pd

    from mobilise.running.batch import BatchResult
    from mobilise.running.design import Design
    from mobilise.running.executors.base import Executor

from mobilise.cli.options import (
    EXPERIMENT,
    SCENARIO,
    SET_OPTION,
    FiniteFloatRange,
    budget_option,
    check_members,
    ensemble_options,
    execution_options,
    faults_named,
    one_line,
    output_folder,
    parse_reforms,
)


@click.command()
@click.argument("experiment_file", metavar="EXPERIMENT", type=EXPERIMENT)
@execution_options
@ensemble_options
@click.option(
    "--replications",
    type=click.IntRange(min=1, max=100_000),
    default=None,
    help="Override the experiment's replications (seeds per member).",
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
    ensemble: str | None,
    members: int | None,
) -> None:
    """Run an experiment: every arm, sweep point, member and replication; effects, figures."""
    from mobilise.running.design import Uncertainty, load_experiment

    check_members(ensemble, members)
    design = load_experiment(experiment_file, Uncertainty(ensemble, members))
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
    metavar="NAME[=STRENGTH][@START]",
    help="A reform to compare with government push alone (repeatable); START is its first "
    "quarter (2027Q1, or a quarter number of the run), by default the first.",
)
@budget_option(
    "An arm with the scenario's budget times FACTOR (repeatable): more money, no reform."
)
@execution_options
@ensemble_options
@SET_OPTION
@click.option(
    "--replications",
    type=click.IntRange(min=1, max=100_000),
    default=None,
    help="Seeds per member (default: 10 with an ensemble, 20 without).",
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
    replications: int | None,
    seed: int,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    precision: float | None,
    figures: bool,
    quiet: bool,
    ensemble: str | None,
    members: int | None,
    settings: tuple[str, ...],
) -> None:
    """Government push alone vs each reform vs all of them together, in plausible worlds.

    Each reform runs in every member of the scenario's calibrated ensemble, paired by
    seed with push alone in the same member (common random numbers).
    """
    from mobilise.running.design import Uncertainty, comparison
    from mobilise.schema.ensemble import DEFAULT_MEMBERS, SEEDS_PER_MEMBER

    if not reform_texts and not budgets:
        raise click.UsageError("give at least one --reform or --budget")
    check_members(ensemble, members)
    reforms, starts, _ = parse_reforms(reform_texts)
    uncertainty = Uncertainty(ensemble, members or DEFAULT_MEMBERS, settings)
    design = comparison(
        scenario_file, reforms, replications=1, seed=seed, starts=starts, budgets=budgets,
        uncertainty=uncertainty,
    )  # fmt: skip
    reps = replications or (SEEDS_PER_MEMBER if design.ensembles else 20)
    design.experiment = design.experiment.model_copy(update={"replications": reps})
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
    executor = executor_for(workers, scheduler)
    try:
        return executor, output_folder(out, name)
    except BaseException:
        executor.close()
        raise


def executor_for(workers: int | None, scheduler: str | None) -> Executor:
    """The executor asked for: a local pool, or a Dask scheduler checked reachable (one line)."""
    import os

    from mobilise.running.executors import make_executor

    try:
        return make_executor(workers or os.cpu_count() or 1, scheduler)
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        # distributed says ValueError for an unknown scheme, OSError (timeout) for no answer
        reason = one_line(str(exc)) or type(exc).__name__
        raise click.BadParameter(
            f"cannot reach a Dask scheduler at {scheduler!r}: {reason}",
            param_hint="'--scheduler'",
        ) from None


def _import_figures() -> None:
    """Import the figure code (matplotlib: about 0.4 s), to have it when the runs end."""
    import mobilise.views.plots  # noqa: F401


def exit_if_failed(result: BatchResult, out: Path) -> None:
    """Exit 1, in one line, when some runs failed (their tracebacks are in failures.csv)."""
    if result.failed:
        click.echo(f"mobilise: {result.failed} runs failed; see {out}/failures.csv", err=True)
        sys.exit(1)


def echo_effects(out: Path) -> None:
    """Print each arm's effect across plausible worlds and seeds, and what would settle it.

    Per outcome (when the milestone is due, at the horizon): the mean effect, its 95%
    interval over members and seeds, the interval seeds alone give, P(effect > 0), the
    share of its variance from parameters, and how often the milestone is met; then
    which arm most often does most, and the inputs behind each effect's spread.
    """
    import json

    import pandas as pd

    path = out / "effects.csv"
    if not path.exists() or path.stat().st_size < 2:
        return
    effects = pd.read_csv(path)
    if effects.empty:
        return
    manifest_file = out / "manifest.json"
    manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else {}
    click.echo(f"  {_worlds(effects, manifest)}")
    ranks = _optional(out / "ranks.csv")
    drivers = _optional(out / "drivers.csv")
    runs = pd.read_csv(out / "runs.csv", usecols=["scenario", "point"]).drop_duplicates("point")
    several = runs["scenario"].nunique() > 1  # then each point is one scenario's
    scenario_of = dict(zip(runs["point"], runs["scenario"], strict=True))

    def where(mission: object, point: object) -> str:
        return f"{mission} ({scenario_of[point]})" if several else str(mission)

    for outcome, when in (("milestone_metric", "when the milestone is due"),
                          ("final_metric", "at the horizon")):  # fmt: skip
        rows = effects[effects["outcome"] == outcome]
        if rows.empty or rows["mean_diff"].isna().all():
            continue
        click.echo(f"  effect on the key metric {when}, vs government push alone:")
        met = outcome == "milestone_metric"
        click.echo(
            f"  {'mission':<14} {'arm':<28} {'mean':>8}  {'95% (worlds x seeds)':<20} "
            f"{'seeds alone':<18} {'P(>0)':>5} {'worlds':>6}"
            + ("  milestone met (vs push alone)" if met else "")
        )
        for row in rows.sort_values(
            ["mission", "point", "mean_diff"], ascending=[True, True, False]
        ).itertuples():
            value = float(row.parameter_share)  # type: ignore[arg-type]
            share = "" if value != value else f"{value:.0%}"  # NaN: one seed per member
            full = _interval(float(row.low), float(row.high))  # type: ignore[arg-type]
            seeds = _interval(float(row.seed_low), float(row.seed_high))  # type: ignore[arg-type]
            cost = float(getattr(row, "cost_bn", 0.0))
            per_bn = (
                f"  {row.per_bn:+.3g} per GBP bn (mean's 95% CI "
                f"[{row.per_bn_low:+.3g}, {row.per_bn_high:+.3g}])"
                if cost == cost and cost > 0  # NaN-safe: only arms that cost something
                else ""
            )
            click.echo(
                f"  {where(row.mission, row.point):<14} {row.arm!s:<28} {row.mean_diff:+8.3f}  "
                f"{full:<20} {seeds:<18} {row.p_positive:5.0%} {share:>6}"
                + (f"  {row.p_met_arm:4.0%} vs {row.p_met_baseline:3.0%}" if met else "")
                + per_bn
            )
        _echo_ranks(ranks, outcome, where)
        _echo_drivers(drivers, outcome, where)


Label = Callable[[object, object], str]
"""How an effect's row is named: its mission, and its scenario when a batch has several."""


def _worlds(effects: pd.DataFrame, manifest: dict[str, object]) -> str:
    """What the intervals are over: members of which ensemble, and seeds each."""
    members = int(effects["members"].max()) if "members" in effects else 1
    pairs = int(effects["n"].max())
    seeds = max(1, pairs // max(members, 1))
    record = manifest.get("ensemble")
    if members > 1 and isinstance(record, dict) and "path" in record:
        name = Path(str(record["path"])).name
        return (
            f"{members} plausible worlds (members of the calibrated ensemble {name}) x "
            f"{seeds} seeds each; intervals cover both, 'worlds' is the share of each "
            "effect's variance from parameters"
        )
    return (
        f"{seeds} seeds of the scenario as written (no ensemble: parameters fixed, so the "
        "intervals are seeds alone)"
    )


def _interval(low: float, high: float) -> str:
    import math

    if math.isnan(low) or math.isnan(high):
        return ""
    return f"[{low:+.3f}, {high:+.3f}]"


def _optional(path: Path) -> pd.DataFrame | None:
    import pandas as pd

    if not path.exists() or path.stat().st_size < 2:
        return None
    return pd.read_csv(path)


def _echo_ranks(ranks: pd.DataFrame | None, outcome: str, where: Label) -> None:
    """Which arm has the largest effect, how often (over members and seeds)."""
    if ranks is None:
        return
    rows = ranks[ranks["outcome"] == outcome]
    for (mission, point), group in rows.groupby(["mission", "point"], sort=False):
        if len(group) < 2:
            continue
        ordered = group.sort_values("p_first", ascending=False)
        text = ", ".join(f"{r.arm} {r.p_first:.0%}" for r in ordered.itertuples())
        click.echo(
            f"  {where(mission, point)}: largest effect in (share of worlds x seeds): {text}"
        )


def _echo_drivers(drivers: pd.DataFrame | None, outcome: str, where: Label) -> None:
    """For each effect, the inputs behind its spread across members: what would settle it."""
    if drivers is None or drivers.empty:
        return
    rows = drivers[drivers["outcome"] == outcome]
    if rows.empty:
        return
    click.echo("  what would settle it (the inputs behind each effect's spread across worlds):")
    for (mission, point, arm), group in rows.groupby(["mission", "point", "arm"], sort=False):
        clear = group[group["beyond_noise"].astype(bool)].sort_values("rank")
        if clear.empty:
            first = group.sort_values("rank").iloc[0]
            members = int(first["members"])
            text = (
                f"none stands out from chance across {members} worlds (the closest: "
                f"{first['input']}, rho {first['rho']:+.2f}); more members would tell"
            )
        else:
            text = ", ".join(f"{r.input} (rho {r.rho:+.2f})" for r in clear.itertuples())
        click.echo(f"  {where(mission, point):<14} {arm:<28} {text}")
