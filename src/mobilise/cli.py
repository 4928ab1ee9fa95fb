"""The ``mobilise`` command: a thin face over the library.

Every input problem ends in one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from mobilise.export import environment, new_run_dir, now, write_frame, write_json
from mobilise.missions import ACTOR_TYPES, MISSIONS
from mobilise.model import MissionModel
from mobilise.reforms import REFORMS
from mobilise.scenario import ScenarioError, file_hash, load_scenario
from mobilise.simulate import summarise

INPUT_ERROR = 2


def parse_reform(text: str) -> tuple[str, float]:
    """``NAME`` (strength 1) or ``NAME=STRENGTH`` -> (name, strength), checked."""
    name, _, value = text.partition("=")
    if name not in REFORMS:
        raise click.BadParameter(
            f"unknown reform '{name}' (expected one of: {', '.join(REFORMS)})",
            param_hint="'--reform'",
        )
    try:
        strength = float(value) if value else 1.0
    except ValueError:
        raise click.BadParameter(
            f"strength of '{name}' must be a number in [0, 1], found '{value}'",
            param_hint="'--reform'",
        ) from None
    if not 0.0 <= strength <= 1.0:
        raise click.BadParameter(
            f"strength of '{name}' must be in [0, 1], found {strength}", param_hint="'--reform'"
        )
    return name, strength


EXECUTION_OPTIONS = (
    click.option(
        "--out",
        type=click.Path(path_type=Path),
        default=None,
        help="Output folder (default: a new folder under runs/).",
    ),
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Local worker processes (default: all cores).",
    ),
    click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786.",
    ),
    click.option(
        "--resume",
        is_flag=True,
        help="Finish an interrupted batch in --out: run only what is missing.",
    ),
    click.option("--quiet", is_flag=True, help="No progress line."),
)


def execution_options(command: Callable) -> Callable:
    """The options of every command that runs a batch, declared once."""
    for option in reversed(EXECUTION_OPTIONS):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mobilise")
def cli() -> None:
    """Simulate mobilisation around national missions, with and without enabling reforms."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario files; print one line per problem and exit 2 if any."""
    failed = False
    for path in files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            click.echo(str(exc), err=True)
            failed = True
        else:
            click.echo(f"{path}: ok ({scenario.name}, {scenario.size} agents)")
    if failed:
        sys.exit(INPUT_ERROR)


@cli.command(name="list")
@click.argument("what", type=click.Choice(["missions", "reforms", "scenarios"]))
@click.option(
    "--dir", "folder", default="scenarios", show_default=True, type=click.Path(path_type=Path)
)
def list_(what: str, folder: Path) -> None:
    """List the missions, reforms or scenario files with descriptions and sources."""
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
        files = sorted(folder.glob("*.yaml"))
        if not files:
            click.echo(f"{folder}: no scenario files", err=True)
            sys.exit(INPUT_ERROR)
        for path in files:
            try:
                s = load_scenario(path)
            except ScenarioError as exc:
                click.echo(f"{path.name:<28} INVALID: {exc}")
                continue
            click.echo(
                f"{path.name:<28} {s.mission_spec.name:<18} {s.size:>6} agents  "
                f"{' '.join(s.description.split())[:90]}"
            )


@cli.command(name="run")
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(path_type=Path))
@click.option(
    "--reform",
    "reform_texts",
    multiple=True,
    metavar="NAME[=STRENGTH]",
    help="Add a reform (repeatable); strength defaults to 1.",
)
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
    help="Also write agents.csv (engagement and trust per agent per step).",
)
def run_command(
    scenario_file: Path,
    reform_texts: tuple[str, ...],
    seed: int | None,
    steps: int | None,
    out: Path | None,
    agents: bool,
) -> None:
    """Run one scenario once; write timeseries.csv, summary.json and manifest.json."""
    reforms = dict(parse_reform(text) for text in reform_texts)
    scenario = load_scenario(scenario_file)
    if steps is not None:
        scenario = scenario.model_copy(update={"quarters": steps})
    started, clock = now(), time.perf_counter()
    model = MissionModel(scenario, seed=seed, reforms=reforms, record_agents=agents)
    frame = model.run()
    elapsed = time.perf_counter() - clock
    summary = summarise(frame, scenario)

    out = out if out is not None else new_run_dir(Path("runs"), scenario.name)
    out.mkdir(parents=True, exist_ok=True)
    write_frame(out / "timeseries.csv", frame)
    if agents:
        write_frame(out / "agents.csv", model.agent_frame())
    write_json(out / "summary.json", summary)
    write_json(
        out / "manifest.json",
        {
            **environment(),
            "command": shlex.join(["mobilise", *sys.argv[1:]]),
            "scenario_file": str(scenario_file),
            "scenario_file_sha256": file_hash(scenario_file),
            "scenario_sha256": scenario.content_hash(),
            "seed": model.seed,
            "reforms": model.inputs.reforms,
            "quarters": scenario.quarters,
            "agents": model.population.size,
            "started": started,
            "finished": now(),
            "run_seconds": round(elapsed, 4),
        },
    )
    _echo_summary(summary, model, out)


@cli.command()
@click.argument("experiment_file", metavar="EXPERIMENT", type=click.Path(path_type=Path))
@execution_options
@click.option(
    "--replications",
    type=click.IntRange(min=1),
    default=None,
    help="Override the experiment's replications.",
)
@click.option(
    "--precision",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Add replications until every effect's 95% CI half-width is below this.",
)
def batch(
    experiment_file: Path,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    replications: int | None,
    precision: float | None,
    quiet: bool,
) -> None:
    """Run an experiment: every arm, sweep point and replication; effects and figures."""
    from mobilise.experiment import load_experiment

    design = load_experiment(experiment_file)
    _exit_if_failed(
        *_run_design(design, out, workers, scheduler, resume, replications, precision, quiet)
    )


@cli.command()
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(path_type=Path))
@click.option(
    "--reform",
    "reform_texts",
    multiple=True,
    required=True,
    metavar="NAME[=STRENGTH]",
    help="A reform to compare with government push alone (repeatable).",
)
@execution_options
@click.option("--replications", type=click.IntRange(min=1), default=20, show_default=True)
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Master seed."
)
@click.option("--precision", type=click.FloatRange(min=0, min_open=True), default=None)
def compare(
    scenario_file: Path,
    reform_texts: tuple[str, ...],
    replications: int,
    seed: int,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    precision: float | None,
    quiet: bool,
) -> None:
    """Government push alone vs each reform vs all of them together, paired by seed."""
    from mobilise.experiment import comparison

    reforms = dict(parse_reform(text) for text in reform_texts)
    design = comparison(scenario_file, reforms, replications=replications, seed=seed)
    _exit_if_failed(*_run_design(design, out, workers, scheduler, resume, None, precision, quiet))


@cli.command()
@click.argument("experiment_file", metavar="EXPERIMENT", type=click.Path(path_type=Path))
@execution_options
@click.option(
    "--method",
    type=click.Choice(["morris", "sobol"]),
    default=None,
    help="Default: the experiment's.",
)
@click.option(
    "--samples",
    type=click.IntRange(min=2),
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
    import pandas as pd

    from mobilise.experiment import load_experiment
    from mobilise.plots import save, sensitivity_bars
    from mobilise.sensitivity import indices, with_samples

    design = load_experiment(experiment_file)
    spec = design.experiment.sensitivity
    if spec is None:
        raise click.UsageError(f"{experiment_file}: has no 'sensitivity' section")
    spec = spec.model_copy(
        update={k: v for k, v in (("method", method), ("samples", samples)) if v}
    )
    design.experiment = design.experiment.model_copy(update={"sensitivity": spec})
    design = with_samples(design, spec, str(experiment_file))
    result, out = _run_design(design, out, workers, scheduler, resume, None, None, quiet)
    table = indices(pd.read_csv(out / "runs.csv"), design, spec)
    table.to_csv(out / "indices.csv", index=False, float_format="%.6g")
    (out / "figures").mkdir(exist_ok=True)
    for outcome in spec.outcomes:
        if (table["outcome"] == outcome).any():
            save(
                sensitivity_bars(table, outcome, spec.method),
                out / "figures" / f"sensitivity_{outcome}",
            )
    _echo_indices(table, spec.method)
    click.echo(f"  wrote {out}/indices.csv and figures/sensitivity_*.png")
    _exit_if_failed(result, out)


@cli.command()
@click.argument("folder", metavar="RUNS_DIR", type=click.Path(path_type=Path))
@click.option("--outcome", default="milestone_met", show_default=True, help="A column of runs.csv.")
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="For a numeric outcome: success is outcome >= this.",
)
@click.option("--min-coverage", type=click.FloatRange(0, 1), default=0.8, show_default=True)
@click.option("--method", type=click.Choice(["prim", "tree"]), default="prim", show_default=True)
def discover(
    folder: Path, outcome: str, threshold: float | None, min_coverage: float, method: str
) -> None:
    """Scenario discovery: the few conditions under which the outcome happens."""
    from mobilise.discovery import boxes_frame, discovery_inputs, prim, read_runs, tree_boxes
    from mobilise.plots import coverage_density, save

    if not (folder / "runs.csv").exists():
        raise click.UsageError(f"{folder}: no runs.csv here; expected a finished batch folder")
    runs, manifest = read_runs(folder)
    if outcome not in runs:
        raise click.BadParameter(
            f"'{outcome}' is not a column of runs.csv", param_hint="'--outcome'"
        )
    values = runs[outcome]
    if values.dtype == bool or set(values.dropna().unique()) <= {0, 1}:
        success = values.astype(bool).to_numpy()
    elif threshold is None:
        raise click.BadParameter(
            f"'{outcome}' is numeric: give --threshold", param_hint="'--outcome'"
        )
    else:
        success = (values >= threshold).to_numpy()
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
    boxes_frame(boxes, chosen).to_csv(folder / "boxes.csv", index=False, float_format="%.6g")
    label = outcome.replace("_", " ")
    click.echo(
        f"{len(runs)} runs, {success.mean():.0%} with {label}; inputs: {', '.join(inputs.columns)}"
    )
    click.echo(f"  {chosen.describe(label)}")
    click.echo(
        f"  wrote {folder}/boxes.csv" + ("" if method == "tree" else " and figures/discovery.png")
    )


@cli.command()
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(path_type=Path))
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

    from mobilise import calibration

    scenario = load_scenario(scenario_file)
    if scenario.calibration is None:
        raise ScenarioError(
            f"{scenario_file}: calibration: the scenario has no calibration section"
        )
    if check_only:
        _echo_checks(scenario, calibration.check(scenario))
        return
    try:
        calibrated, record = calibration.fit(scenario)
    except ValueError as exc:
        raise ScenarioError(f"{scenario_file}: calibration: {exc}") from None
    out = out or scenario_file.with_name(f"{scenario_file.stem}_calibrated.yaml")
    header = (
        f"# Generated by mobilise calibrate from {scenario_file.name} on {record['date']}.\n"
        "# The fit (method, values, objective, targets) is recorded under calibration.fitted.\n"
    )
    body = yaml.safe_dump(calibrated.model_dump(mode="json", by_alias=True), sort_keys=False)
    out.write_text(header + body)
    for name, value in record["values"].items():
        click.echo(f"  fitted {name} = {value:.4g}")
    click.echo(f"  objective {record['objective']:.3g} after {record['evaluations']} evaluations")
    _echo_checks(calibrated, calibration.check(calibrated))
    click.echo(f"  wrote {out}")


def _echo_checks(scenario, checks) -> None:
    spec = scenario.calibration
    if spec.fitted:
        values = ", ".join(f"{k} = {v:.4g}" for k, v in spec.fitted["values"].items())
        click.echo(f"{scenario.name}: fitted on {spec.fitted['date']} ({values})")
    else:
        click.echo(
            f"{scenario.name}: not fitted; parameters as set in the file (from data or assumption)"
        )
    for c in checks:
        verdict = "inside" if c.inside else "OUTSIDE"
        click.echo(
            f"  {c.target.fact:<30} {c.target.output:<20} model {c.mean:.3f} "
            f"[{c.low:.3f}, {c.high:.3f}]  data {c.target.value:g} "
            f"+/- {c.target.tolerance:g}  {verdict}"
        )


def _echo_indices(table, method: str) -> None:
    index = "mu_star" if method == "morris" else "ST"
    for (arm, outcome), rows in table[table["index"] == index].groupby(
        ["arm", "outcome"], sort=False
    ):
        top = rows.sort_values("value", ascending=False).head(3)
        ranked = ", ".join(
            f"{p} {v:.3g}" for p, v in zip(top["parameter"], top["value"], strict=True)
        )
        click.echo(f"  {arm:<28} {outcome:<18} most influential ({index}): {ranked}")


@cli.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
def report(folder: Path) -> None:
    """Regenerate effects, interactions and figures from a batch folder's CSVs."""
    from mobilise.report import report as make_report

    for path in make_report(folder):
        click.echo(f"wrote {path}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option(
    "--scenario",
    "scenario_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Add this scenario file to the presets and start with it.",
)
def app(host: str, port: int, scenario_file: Path | None) -> None:
    """Start the workshop app in the browser (works offline)."""
    import os
    import socket

    from mobilise.app import SCENARIO_ENV

    if scenario_file is not None:
        load_scenario(scenario_file)  # a bad file fails here, in one line
        os.environ[SCENARIO_ENV] = str(scenario_file.resolve())
    elif not Path("scenarios").is_dir():
        raise click.UsageError(
            "no scenarios/ folder here: run from the project folder or pass --scenario"
        )
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port"
            ) from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}: anyone who can reach this machine "
            "on the network can use the app",
            err=True,
        )
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    shown = "127.0.0.1" if host == "0.0.0.0" else host
    click.echo(f"mobilise app: open http://{shown}:{port}/ (Ctrl-C to stop)")
    from solara.__main__ import cli as solara_cli

    solara_cli.main(
        [
            "run",
            "mobilise.app",
            "--host",
            host,
            "--port",
            str(port),
            "--production",
            "--no-open",
            "--log-level",
            "warning",
            "--log-level-uvicorn",
            "warning",
            "--no-access-log",
        ],
        prog_name="mobilise app",
        standalone_mode=False,
    )


def _run_design(design, out, workers, scheduler, resume, replications, precision, quiet):
    """Run a design on the chosen executor; print counts and effects; return result, folder."""
    if resume and out is None:
        raise click.UsageError("--resume needs --out: the folder of the batch to finish")
    import os

    from mobilise.batch import run_batch
    from mobilise.executors import make_executor

    out = out if out is not None else new_run_dir(Path("runs"), design.experiment.name)
    try:
        executor = make_executor(workers or os.cpu_count() or 1, scheduler)
    except OSError as exc:
        raise click.ClickException(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    command = shlex.join(["mobilise", *sys.argv[1:]])
    try:
        result = run_batch(
            design,
            out,
            executor,
            resume=resume,
            replications=replications,
            precision=precision,
            progress=not quiet,
            command=command,
        )
    except KeyboardInterrupt:
        executor.close()
        click.echo(
            f"mobilise: interrupted; finished runs are in {out}/parts; "
            f"finish by running the same command with --out {out} --resume",
            err=True,
        )
        sys.exit(130)
    executor.close()
    click.echo(
        f"{design.experiment.name}: {result.done}/{result.total} runs done, "
        f"{result.failed} failed, {result.resumed} found on disk; wrote {out}"
    )
    for arm, n in sorted(result.replications_needed.items()):
        click.echo(f"  {arm}: {n} replications")
    _echo_effects(out)
    return result, out


def _exit_if_failed(result, out: Path) -> None:
    if result.failed:
        click.echo(f"mobilise: {result.failed} runs failed; see {out}/failures.csv", err=True)
        sys.exit(1)


def _echo_effects(out: Path) -> None:
    import pandas as pd

    path = out / "effects.csv"
    if not path.exists() or path.stat().st_size < 2:
        return
    effects = pd.read_csv(path)
    if effects.empty:
        return
    effects = effects[effects["outcome"] == "milestone_metric"]
    click.echo(
        "  effect on the key metric when the milestone is due, vs government push alone "
        "(mean, 95% CI); milestone met:"
    )
    for row in effects.sort_values(
        ["mission", "point", "mean_diff"], ascending=[True, True, False]
    ).itertuples():
        click.echo(
            f"  {row.mission:<14} {row.arm:<32} {row.mean_diff:+.4g} "
            f"[{row.t_low:+.3g}, {row.t_high:+.3g}]"
            f"  {row.p_met_arm:5.0%} vs {row.p_met_baseline:4.0%}"
        )


def _echo_summary(summary: dict, model: MissionModel, out: Path) -> None:
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
        f"{t} {summary['final_engaged'][t]:.2f}"
        for t in ACTOR_TYPES
        if summary["final_engaged"][t] is not None
    )
    click.echo(f"  final engaged share: {shares}")
    click.echo(f"  wrote {out}/timeseries.csv, summary.json, manifest.json")


def main(argv: list[str] | None = None) -> None:
    """Entry point: input errors print one line and exit 2, never a traceback."""
    try:
        cli.main(args=argv, prog_name="mobilise", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("mobilise: interrupted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        hint = f" ({exc.ctx.command_path} --help for usage)" if exc.ctx else ""
        click.echo(f"mobilise: {exc.format_message()}{hint}", err=True)
        sys.exit(INPUT_ERROR)
    except click.ClickException as exc:
        click.echo(f"mobilise: {exc.format_message()}", err=True)
        sys.exit(INPUT_ERROR)
    except ScenarioError as exc:
        click.echo(str(exc), err=True)
        sys.exit(INPUT_ERROR)


if __name__ == "__main__":
    main()
