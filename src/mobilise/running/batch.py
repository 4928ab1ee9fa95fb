"""The batch runner: runs an experiment's runs on an executor, safely on disk.

Every finished chunk of runs is written at once to ``DIR/parts/``
(:mod:`mobilise.running.parts`: written to a temporary name, then renamed, so a kill
never leaves half a file). ``resume`` reads what is there and runs only what is
missing. At the end the parts are merged in run-id order, so the combined files are
identical however the runs were spread over workers, machines or interruptions.
"""

from __future__ import annotations

import contextlib
import functools
import math
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pandas as pd

from mobilise.model.block import block_size
from mobilise.running.design import Design, RunSpec, member_seed, provenance
from mobilise.running.executors.base import Executor
from mobilise.running.export import atomic, now, write_json
from mobilise.running.parts import PARTS, combine, finished_ids, read_runs, write_chunk
from mobilise.running.progress_bar import Progress
from mobilise.running.runs import Runner, run_chunk, run_one
from mobilise.schema.levers import BASELINE
from mobilise.vocabulary import OutputError, require_extra


@dataclass
class BatchResult:
    """What a batch did: counts, and where the files are."""

    out: Path
    total: int
    done: int
    failed: int
    resumed: int
    replications_needed: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def run_batch(
    design: Design,
    out: Path,
    executor: Executor,
    *,
    resume: bool = False,
    replications: int | None = None,
    precision: Precision | None = None,
    runner: Runner = run_one,
    chunk_size: int | None = None,
    progress: bool = True,
    command: str = "",
    meanwhile: Callable[[], object] | None = None,
) -> BatchResult:
    """Run every run of ``design`` not yet on disk in ``out`` and combine the parts.

    It returns what it did and writes runs, time series, failures and the manifest;
    tables and figures are the caller's to ask for (:mod:`mobilise.analysis.report`, the views).
    ``meanwhile`` is work for this process while workers elsewhere run (importing what
    the report needs): run in a thread once every chunk is handed out, finished before
    the parts are combined; skipped when the runs are in this process (it would only
    slow them down).
    """
    if design.experiment.record.format == "parquet":
        require_extra("parquet", f"{design.path or design.experiment.name}: record.format parquet")
    parts = out / PARTS
    _prepare(design, out, resume)
    parts.mkdir(parents=True, exist_ok=True)
    started = now()
    reps = replications or design.experiment.replications
    already = finished_ids(parts)
    specs = design.runs(reps)
    fmt = design.experiment.record.format
    needed: dict[str, int] = {}
    with _sigterm_as_interrupt():
        _execute(specs, already, parts, fmt, executor, runner, chunk_size, progress, meanwhile)
        if precision is not None:
            specs, needed = _refine(
                design, reps, precision, parts, executor, runner, chunk_size, progress
            )
    ids = {s.run_id for s in specs}
    finished = finished_ids(parts) & ids
    files = combine(out, fmt, ids)
    failures = pd.read_csv(out / "failures.csv")
    result = BatchResult(
        out=out,
        total=len(ids),
        done=len(finished),
        failed=len(failures),
        resumed=len(already & ids),
        replications_needed=needed,
        files=files,
    )
    write_members(design, out)  # before the manifest, which says the batch is whole
    target = precision.target if precision else None
    _write_manifest(design, out, result, started, command, executor, reps, target)
    return result


def write_members(design: Design, out: Path) -> Path | None:
    """``members.csv``: each scenario's members that ran, with their uncertain fields.

    What the report needs to say which inputs drive an effect's spread, and what
    reproduces one member alone (its fields as ``--set``s, its seed as the master).
    """
    if not design.ensembles:
        return None
    path = out / "members.csv"
    with atomic(path) as tmp:
        member_table(design).to_csv(tmp, index=False, float_format="%.17g")
    return path


def member_table(design: Design) -> pd.DataFrame:
    """Each scenario's members, one row each: scenario, member, its master seed, its fields."""
    rows = []
    for name, ensemble in design.ensembles.items():
        for member, values in zip(ensemble.members, ensemble.values, strict=True):
            rows.append(
                {
                    "scenario": name,
                    "member": member,
                    "seed": member_seed(design.experiment.seed, member),
                    **values,
                }
            )
    return pd.DataFrame(rows)


def factorial_reforms(design: Design) -> list[str] | None:
    """The reforms of the experiment's factorial design, if it has one."""
    factorial = design.experiment.arms.factorial
    return list(factorial.reforms) if factorial else None


# --- running ---------------------------------------------------------------------------


def _execute(
    specs: list[RunSpec],
    already: set[int],
    parts: Path,
    fmt: str,
    executor: Executor,
    runner: Runner,
    chunk_size: int | None,
    show: bool,
    meanwhile: Callable[[], object] | None = None,
) -> None:
    todo = [s for s in specs if s.run_id not in already]
    if not todo:
        return
    # chunks of a few blocks at most (what memory allows), about four per worker, so
    # none idles at the end
    agents = max(s.scenario.size for s in todo)
    most = block_size(agents, agents_per_block=None)
    size = chunk_size or max(1, min(most, math.ceil(len(todo) / (executor.workers * 4))))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    bar = Progress(len(todo), enabled=show)
    beside = None if executor.in_process else meanwhile
    with _alongside(beside) as handed_out, contextlib.closing(bar):
        if getattr(executor, "shares_disk", False):  # workers write their own parts
            work = functools.partial(_run_and_write, parts=parts, fmt=fmt, runner=runner)
            for done, failed in executor.imap_unordered(work, chunks):
                handed_out()  # a first chunk is back: every chunk has been handed out
                bar.update(done, failed)
            return
        for result in executor.imap_unordered(functools.partial(run_chunk, runner=runner), chunks):
            handed_out()
            write_chunk(parts, result, fmt)
            bar.update(len(result.rows), len(result.failures))


@contextlib.contextmanager
def _alongside(work: Callable[[], object] | None) -> Iterator[Callable[[], None]]:
    """Yield a function that starts ``work`` in a thread, once; join it on leaving.

    Started only once every chunk is handed out, so no worker is forked while it runs.
    Its error, if any, is raised here on leaving (after the runs' own, if they failed).
    """
    if work is None:
        yield lambda: None
        return
    failures: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:  # raised on the main thread, not printed by threading
            failures.append(exc)

    thread = threading.Thread(target=target, name="mobilise-meanwhile")

    def start() -> None:
        if thread.ident is None:
            thread.start()

    try:
        yield start
    finally:
        if thread.ident is not None:
            thread.join()
    if failures:
        raise failures[0]


def _run_and_write(chunk: list[RunSpec], parts: Path, fmt: str, runner: Runner) -> tuple[int, int]:
    """A worker's job: run a chunk, write its parts; return how many finished and failed."""
    result = run_chunk(chunk, runner=runner)
    write_chunk(parts, result, fmt)
    return len(result.rows), len(result.failures)


@dataclass(frozen=True)
class Precision:
    """Add replications until every arm's effect is known to +/- ``target``.

    ``half_widths`` maps the runs so far to each (mission, point, arm)'s interval
    half-width: the statistic is the caller's (:func:`mobilise.analysis.report.all_half_widths`).
    """

    target: float
    half_widths: Callable[[pd.DataFrame], pd.Series]


def _refine(
    design: Design,
    start: int,
    precision: Precision,
    parts: Path,
    executor: Executor,
    runner: Runner,
    chunk_size: int | None,
    show: bool,
) -> tuple[list[RunSpec], dict[str, int]]:
    """Add replications in rounds until every arm's effect CI half-width is below target."""
    cap = max(design.experiment.max_replications, start)
    step = design.experiment.replications
    needed: dict[str, int] = {}
    active = [a for a in design.arms if a != BASELINE]
    reps = start
    specs = design.runs(reps)
    while True:
        widths = precision.half_widths(read_runs(parts, {s.run_id for s in specs}))
        keyed = cast(dict[tuple[str, int, str], float], widths.to_dict())  # (mission, point, arm)
        wide = {
            arm
            for (_, _, arm), width in keyed.items()
            if arm in active and not width < precision.target
        }
        for arm in set(active) - wide:
            needed.setdefault(arm, reps)
        active = [a for a in active if a in wide]
        if not active or reps >= cap:
            for arm in active:
                needed.setdefault(arm, reps)  # capped: still wider than asked
            return specs, needed
        reps = min(cap, reps + step)
        round_specs = design.runs(reps, arms=[BASELINE, *active])
        fmt = design.experiment.record.format
        _execute(round_specs, finished_ids(parts), parts, fmt, executor, runner, chunk_size, show)
        specs = _union(specs, round_specs)


def _union(a: list[RunSpec], b: list[RunSpec]) -> list[RunSpec]:
    seen = {s.run_id: s for s in a}
    seen.update({s.run_id: s for s in b})
    return [seen[i] for i in sorted(seen)]


# --- set-up, signals, manifest ------------------------------------------------------------


def _prepare(design: Design, out: Path, resume: bool) -> None:
    manifest = out / "manifest.json"
    has_parts = (out / PARTS).exists() and any((out / PARTS).iterdir())
    if has_parts and not resume:
        raise OutputError(
            f"{out}: already holds a batch; pass --resume to finish it or choose a new --out"
        )
    if resume and manifest.exists():
        import json

        recorded = json.loads(manifest.read_text()).get("design_sha256")
        if recorded and recorded != design.content_hash():
            raise OutputError(
                f"{out}: was made by a different experiment or scenario; cannot resume it"
            )
    out.mkdir(parents=True, exist_ok=True)
    if not manifest.exists():
        write_json(manifest, {"design_sha256": design.content_hash(), "status": "running"})


class _sigterm_as_interrupt:  # noqa: N801 - used as a context manager
    """Turn SIGTERM into KeyboardInterrupt so a killed batch stops cleanly."""

    def __enter__(self) -> None:
        self._previous = signal.getsignal(signal.SIGTERM)

        def handler(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        try:
            signal.signal(signal.SIGTERM, handler)
        except ValueError:  # not the main thread
            self._previous = None

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)


def _write_manifest(
    design: Design,
    out: Path,
    result: BatchResult,
    started: str,
    command: str,
    executor: Executor,
    replications: int,
    precision: float | None,
) -> None:
    write_json(
        out / "manifest.json",
        {
            **provenance(design, command),
            "replications": replications,
            "precision": precision,
            "replications_needed": result.replications_needed,
            "arms": design.arms,
            "timing": {
                arm: {r: t.model_dump(mode="json", by_alias=True) for r, t in s.items()}
                for arm, s in design.timing.items()
            },
            "factorial": factorial_reforms(design),
            "sweep_points": design.points,
            "executor": executor.description,
            "runs_total": result.total,
            "runs_done": result.done,
            "runs_failed": result.failed,
            "runs_resumed": result.resumed,
            "started": started,
            "finished": now(),
        },
    )
