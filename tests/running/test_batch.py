"""Batches: determinism across executors, resume after a kill, isolation, CRN, outputs."""

import os
import resource
import shlex
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest

from mobilise import ACTOR_TYPES
from mobilise.analysis.effects import paired_effects
from mobilise.analysis.report import all_half_widths, write_tables
from mobilise.running.batch import Precision, factorial_reforms, run_batch
from mobilise.running.design import load_experiment
from mobilise.running.executors import ProcessPoolExecutor, SequentialExecutor
from mobilise.running.parts import finished_ids
from mobilise.running.runs import RESULT_COLUMNS
from mobilise.schema.reforms import REFORMS
from mobilise.views.plots import write_batch_figures

from ..batch_runners import fail_on_replication_one
from ..conftest import ROOT, SCENARIOS

UK = SCENARIOS / "uk_2024.yaml"
COMPARED = ("runs.csv", "timeseries.csv", "effects.csv")


def small_experiment(tmp_path, replications=4, quarters=8, name="small"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nscenarios: [{UK}]\nquarters: {quarters}\n"
        "arms: {single: [mission_councils, pooled_budgets], bundles: {all_reforms: all}}\n"
        f"replications: {replications}\nseed: 99\n"
    )
    return path


def batch(design, out, executor, **kwargs):
    """Run a design and write its tables, as ``mobilise batch`` does."""
    try:
        result = run_batch(design, out, executor, progress=False, **kwargs)
    finally:
        executor.close()
    write_tables(out, factorial=factorial_reforms(design))
    return result


def within(target):
    return Precision(target, all_half_widths)


def same_files(a, b, names=COMPARED):
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_outputs_have_documented_columns_and_types(tmp_path):
    design = load_experiment(small_experiment(tmp_path))
    result = batch(design, tmp_path / "out", SequentialExecutor())
    assert (result.done, result.failed, result.total) == (16, 0, 16)
    runs = pd.read_csv(tmp_path / "out" / "runs.csv")
    identity = ["run_id", "scenario", "mission", "point", "member", "arm", "reforms"]
    strengths = [f"strength_{r}" for r in REFORMS]
    assert list(runs.columns) == [
        *identity,
        *strengths,
        "budget_factor",
        "replication",
        "seed",
        *RESULT_COLUMNS,
        "cost",
    ]
    assert runs["run_id"].tolist() == list(range(16))
    assert (runs["member"] == 0).all()  # no ensemble: the scenario as written
    assert runs["milestone_met"].dtype == bool
    assert pd.api.types.is_float_dtype(runs["final_metric"])
    assert runs.loc[runs.arm == "all_reforms", strengths].eq(1.0).all().all()
    series = pd.read_csv(tmp_path / "out" / "timeseries.csv")
    assert list(series.columns[:7]) == [
        "run_id",
        "mission",
        "point",
        "arm",
        "replication",
        "step",
        "quarter",
    ]
    assert len(series) == 16 * 9
    assert {f"engaged_{t}" for t in ACTOR_TYPES} <= set(series.columns)
    effects = pd.read_csv(tmp_path / "out" / "effects.csv")
    assert set(effects["arm"]) == {"mission_councils", "pooled_budgets", "all_reforms"}
    for column in ("mean_diff", "t_low", "t_high", "boot_low", "boot_high", "diff_met", "n",
                   "low", "high", "p_positive", "parameter_share", "members"):  # fmt: skip
        assert column in effects.columns
    assert pd.read_csv(tmp_path / "out" / "failures.csv").empty
    assert not (tmp_path / "out" / "figures").exists()  # the runner only runs
    drawn = write_batch_figures(tmp_path / "out")
    figures = list((tmp_path / "out" / "figures").glob("*.png"))
    assert figures and all(f.stat().st_size > 5000 for f in figures)
    assert sorted(drawn) == sorted((tmp_path / "out" / "figures").iterdir())


def test_one_worker_two_workers_and_dask_give_identical_files(tmp_path):
    from distributed import LocalCluster

    design = load_experiment(small_experiment(tmp_path, replications=5))
    batch(design, tmp_path / "one", SequentialExecutor())
    batch(design, tmp_path / "two", ProcessPoolExecutor(2), chunk_size=3)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True
    ) as cluster:
        from mobilise.running.executors.dask import DaskExecutor

        batch(design, tmp_path / "dask", DaskExecutor(cluster.scheduler_address), chunk_size=2)
    same_files(tmp_path / "one", tmp_path / "two")
    same_files(tmp_path / "one", tmp_path / "dask")


def test_work_meanwhile_runs_beside_pooled_workers_and_not_beside_runs_in_process(tmp_path):
    design = load_experiment(small_experiment(tmp_path))
    seen = []

    def note():  # what the CLI does here: import the figure code
        parts = tmp_path / "pooled" / "parts"
        seen.append((threading.current_thread().name, finished_ids(parts)))

    batch(design, tmp_path / "pooled", ProcessPoolExecutor(2), meanwhile=note)
    [(thread, finished)] = seen
    assert thread == "mobilise-meanwhile"
    assert finished  # started once a chunk was back, so every chunk had been handed out
    batch(design, tmp_path / "alone", SequentialExecutor(), meanwhile=note)
    assert len(seen) == 1  # in process it would only slow the runs down
    same_files(tmp_path / "pooled", tmp_path / "alone")


def test_an_error_meanwhile_is_raised_after_the_runs_are_on_disk(tmp_path):
    design = load_experiment(small_experiment(tmp_path))

    def broken():
        raise ImportError("no figure code here")

    with pytest.raises(ImportError, match="no figure code here"):
        batch(design, tmp_path / "out", ProcessPoolExecutor(2), meanwhile=broken)
    assert finished_ids(tmp_path / "out" / "parts") == set(range(16))


def test_a_failing_run_is_reported_and_the_rest_finish(tmp_path):
    design = load_experiment(small_experiment(tmp_path))
    result = batch(
        design,
        tmp_path / "out",
        ProcessPoolExecutor(2),
        runner=fail_on_replication_one,
        chunk_size=2,
    )
    assert result.failed == 4  # replication 1 in each of the four arms
    assert result.done == 12
    failures = pd.read_csv(tmp_path / "out" / "failures.csv")
    assert set(failures["replication"]) == {1}
    assert failures["error"].str.contains("planted failure").all()
    assert failures["traceback"].str.contains("RuntimeError").all()
    runs = pd.read_csv(tmp_path / "out" / "runs.csv")
    assert 1 not in set(runs["replication"])


def test_resume_after_failures_reruns_only_what_is_missing(tmp_path):
    design = load_experiment(small_experiment(tmp_path))
    out = tmp_path / "out"
    batch(design, out, SequentialExecutor(), runner=fail_on_replication_one)
    result = batch(design, out, SequentialExecutor(), resume=True)
    assert (result.done, result.failed, result.resumed) == (16, 0, 12)
    batch(design, tmp_path / "clean", SequentialExecutor())
    same_files(out, tmp_path / "clean")


def test_existing_batch_is_not_overwritten_without_resume(tmp_path):
    from mobilise.vocabulary import OutputError

    design = load_experiment(small_experiment(tmp_path, replications=1))
    batch(design, tmp_path / "out", SequentialExecutor())
    with pytest.raises(OutputError, match="--resume"):
        batch(design, tmp_path / "out", SequentialExecutor())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_killed_batch_resumes_to_identical_files(tmp_path, sig):
    experiment = small_experiment(tmp_path, replications=40, quarters=40, name="long")
    out = tmp_path / "killed"
    command = [
        sys.executable,
        "-m",
        "mobilise.cli",
        "batch",
        str(experiment),
        "--out",
        str(out),
        "--workers",
        "2",
        "--quiet",
    ]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "parts").glob("runs-*.csv"))) < 3:
        time.sleep(0.05)
    assert process.poll() is None, "the batch finished before it could be killed"
    workers = _children_of(process.pid)
    process.send_signal(sig)
    process.wait(timeout=60)
    if sig == signal.SIGTERM:
        assert process.returncode == 130
        assert "--resume" in process.stderr.read()
    else:
        assert process.returncode == -signal.SIGKILL
        assert workers, "the batch had no worker processes to check"
        deadline = time.time() + 10
        while workers and time.time() < deadline:  # workers follow their parent
            time.sleep(0.1)
            workers = [p for p in workers if _alive(p)]
        assert not workers, f"workers outlived the killed batch: {workers}"
    finished = len(list((out / "parts").glob("runs-*.csv")))
    assert finished > 0
    assert not (out / "runs.csv").exists()
    resumed = subprocess.run(
        [*command, "--resume"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "found on disk" in resumed.stdout
    uninterrupted = subprocess.run(
        [*command[:6], str(tmp_path / "clean"), "--workers", "1", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    same_files(out, tmp_path / "clean")


def _status(pid):
    try:
        with open(f"/proc/{pid}/status") as handle:
            return handle.read()
    except OSError:
        return ""


def _alive(pid):
    status = _status(pid)
    return bool(status) and "State:\tZ" not in status


def _children_of(parent_pid):
    """Pids of the live processes whose parent is ``parent_pid`` (Linux /proc)."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and f"PPid:\t{parent_pid}\n" in _status(entry):
            children.append(int(entry))
    return children


def test_common_random_numbers_make_paired_differences_less_variable(tmp_path):
    """DESIGN "Must hold" 5, on the shipped reform_comparison experiment (NHS, 8 replications)."""
    design = load_experiment(ROOT / "experiments" / "reform_comparison.yaml")
    design.experiment = design.experiment.model_copy(
        update={"missions": ["nhs"], "replications": 8}
    )
    batch(design, tmp_path / "out", ProcessPoolExecutor(2))
    effects = paired_effects(pd.read_csv(tmp_path / "out" / "runs.csv"))
    assert len(effects) == 12
    assert (effects["sd_diff"] < effects["sd_unpaired"]).all()
    assert np.median(effects["sd_diff"] / effects["sd_unpaired"]) < 0.8


def test_precision_adds_replications_until_intervals_are_narrow(tmp_path):
    design = load_experiment(small_experiment(tmp_path, replications=3))
    design.experiment = design.experiment.model_copy(update={"max_replications": 9})
    loose = batch(
        design, tmp_path / "loose", SequentialExecutor(), precision=Precision(10.0, all_half_widths)
    )
    assert set(loose.replications_needed.values()) == {3}
    tight = batch(
        design, tmp_path / "tight", SequentialExecutor(), precision=Precision(1e-9, all_half_widths)
    )
    assert set(tight.replications_needed.values()) == {9}  # capped
    runs = pd.read_csv(tmp_path / "tight" / "runs.csv")
    assert runs.groupby("arm")["replication"].nunique().eq(9).all()


def test_parquet_recording_every_k_steps(tmp_path):
    path = small_experiment(tmp_path, replications=2)
    path.write_text(path.read_text() + "record: {every: 3, format: parquet, agents: true}\n")
    design = load_experiment(path)
    batch(design, tmp_path / "out", SequentialExecutor())
    series = pd.read_parquet(tmp_path / "out" / "timeseries.parquet")
    assert sorted(series["step"].unique()) == [0, 3, 6, 8]  # every third step and the last
    agents = pd.read_parquet(tmp_path / "out" / "agents.parquet")
    assert {"run_id", "agent", "actor_type", "engagement", "trust"} <= set(agents.columns)
    assert agents["run_id"].nunique() == 8


# --- faults: a full disk, a file-size limit -----------------------------------------------


def user_namespaces() -> bool:
    """Whether this machine lets a process mount its own tmpfs (``unshare -rm``, no root)."""
    try:
        done = subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def batch_command(experiment, out, workers):
    return [sys.executable, "-m", "mobilise.cli", "batch", str(experiment), "--out", str(out),
            "--workers", str(workers), "--quiet", "--no-figures",
            "--ensemble", "none"]  # faults, not worlds: the scenario as written  # fmt: skip


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A small experiment and its batch run once, uninterrupted: what every fault must end as."""
    folder = tmp_path_factory.mktemp("reference")
    experiment = small_experiment(folder, replications=4, quarters=8)
    clean = subprocess.run(
        batch_command(experiment, folder / "clean", 1),
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert clean.returncode == 0, clean.stderr
    return experiment, folder / "clean"


def check_fault_then_resume(reference, after, code, stderr, expected):
    """One line naming the fault, no stray temporary file, and a resume to the same bytes."""
    experiment, clean = reference
    assert code == 3, stderr
    assert len(stderr.splitlines()) == 1 and "Traceback" not in stderr, stderr
    assert expected in stderr and "--resume" in stderr, stderr
    assert not list(after.rglob("*.tmp")), "a fault left temporary files"
    resumed = subprocess.run(
        [*batch_command(experiment, after, 1), "--resume"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    same_files(after, clean)


@pytest.mark.skipif(not user_namespaces(), reason="no user namespaces to mount a small tmpfs")
@pytest.mark.parametrize(
    ("size", "workers", "where"),
    [("40k", 2, "/parts/"), ("140k", 1, "/timeseries.csv")],
    ids=["while-running", "while-merging"],
)
def test_a_full_disk_is_one_line_leaves_no_stray_file_and_resumes(
    tmp_path, reference, size, workers, where
):
    # a tmpfs of `size` mounted in a private namespace: the kernel's own ENOSPC, no root needed
    disk, after = tmp_path / "disk", tmp_path / "after"
    disk.mkdir()
    command = shlex.join(batch_command(reference[0], disk / "out", workers))
    script = (
        f"mount -t tmpfs -o size={size} tmpfs {disk} && {command} 2> {tmp_path / 'err'}; "
        f"echo $? > {tmp_path / 'code'}; cp -a {disk / 'out'} {after}"
    )
    subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=ROOT, check=True, timeout=300)
    stderr = (tmp_path / "err").read_text()
    code = int((tmp_path / "code").read_text())
    assert where in stderr
    expected = f"no space left on device writing {disk / 'out'}"
    check_fault_then_resume(reference, after, code, stderr, expected)


def test_a_file_size_limit_while_merging_is_one_line_and_resumes(tmp_path, reference):
    # RLIMIT_FSIZE: every write past 30,000 bytes fails with EFBIG (Python ignores SIGXFSZ)
    after = tmp_path / "after"

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))

    done = subprocess.run(
        batch_command(reference[0], after, 1), cwd=ROOT, capture_output=True, text=True,
        timeout=300, preexec_fn=limit,
    )  # fmt: skip
    expected = f"file too large writing {after / 'timeseries.csv'}"
    check_fault_then_resume(reference, after, done.returncode, done.stderr, expected)


def test_two_processes_on_one_output_folder_end_with_the_files_of_one(tmp_path, reference):
    # both finish what is missing; each writes whole files under names of its own
    shared = tmp_path / "shared"
    command = [*batch_command(reference[0], shared, 1), "--resume"]
    both = [subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]  # fmt: skip
    for process in both:
        process.wait(timeout=300)
        assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    same_files(shared, reference[1])
    assert not list(shared.rglob("*.tmp"))
