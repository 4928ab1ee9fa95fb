"""``mobilise robust`` on the real model.

Common random numbers, outputs that belong to the settings, resume after a kill, a
resumed search, and one-line errors for bad specifications.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from mobilise import load_scenario
from mobilise.analysis.robust import run_robust
from mobilise.analysis.robustness import CRITERIA, robustness_table
from mobilise.cli import main
from mobilise.running.design import load_experiment
from mobilise.running.executors import ProcessPoolExecutor, SequentialExecutor
from mobilise.running.simulate import run, summarise
from mobilise.views.plots_robustness import write_figures

from ..conftest import ROOT, SCENARIOS

UK = SCENARIOS / "uk_2024.yaml"
RESULT_FILES = ("robustness.csv", "package_states.csv", "failure_boxes.csv")


def robust_file(tmp_path, levers, *, samples=3, replications=2, quarters=20, name="small"):
    """A small robust experiment: the NHS milestone (2029Q1) falls inside 20 quarters."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nscenarios: [{UK}]\nquarters: {quarters}\n"
        f"levers: {levers}\n"
        "uncertainties:\n"
        "  ranges: {influence.signal: [0.75, 2.25], mission.sigma: [0.2, 0.8], "
        "constraints.union_density: [0.15, 0.3]}\n"
        f"  samples: {samples}\n  seed: 4\n"
        f"replications: {replications}\nseed: 11\nrecord: {{every: {quarters}}}\n"
    )
    return path


SMALL_LEVERS = (
    "{reforms: [mission_councils, social_partnership], max_reforms: 1, "
    "packages: {zero: {mission_councils: 0.0}}}"
)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("robust")
    path = robust_file(tmp_path, SMALL_LEVERS)
    out = tmp_path / "out"
    main(
        ["robust", str(path), "--out", str(out), "--workers", "1", "--quiet", "--ensemble", "none"]
    )
    return path, out


def test_packages_share_seeds_within_a_state_and_strength_zero_is_the_baseline(small):
    _, out = small
    runs = pd.read_csv(out / "runs.csv")
    assert set(runs["arm"]) == {"baseline", "mission_councils", "social_partnership", "zero"}
    assert len(runs) == 4 * 3 * 2
    seeds = runs.groupby(["point", "replication"])["seed"].nunique()
    assert (seeds == 1).all(), "packages in one state and replication must share the seed"
    assert runs.groupby("replication")["seed"].nunique().eq(1).all()
    assert runs["seed"].nunique() == 2
    outcomes = ["milestone_metric", "final_metric", "milestone_met", "total_spend"]
    key = ["point", "replication"]
    base = runs[runs["arm"] == "baseline"].set_index(key)[outcomes]
    zero = runs[runs["arm"] == "zero"].set_index(key)[outcomes]
    pd.testing.assert_frame_equal(zero, base)
    councils = runs[runs["arm"] == "mission_councils"].set_index(key)[outcomes]
    assert not councils["milestone_metric"].equals(base["milestone_metric"])  # could fail
    table = pd.read_csv(out / "robustness.csv").set_index("package")
    for criterion in CRITERIA:
        assert table.loc["zero", criterion.name] == pytest.approx(
            table.loc["baseline", criterion.name], nan_ok=True
        )


def test_each_run_is_the_library_run_of_its_state_package_and_seed(small):
    path, out = small
    runs = pd.read_csv(out / "runs.csv")
    states = pd.read_csv(out / "package_states.csv")
    design = load_experiment(path)
    scenario = load_scenario(UK).model_copy(update={"quarters": 20})
    row = runs[(runs["arm"] == "social_partnership") & (runs["point"] == 2)]
    values = []
    for _, run_row in row.iterrows():
        state = scenario
        for field, value in design.points[2].items():
            assert run_row[field] == pytest.approx(value)
            state = state.updated(field, value)
        frame = run(state, seed=int(run_row["seed"]), reforms={"social_partnership": 1.0})
        summary = summarise(frame, state)
        assert run_row["milestone_metric"] == pytest.approx(summary["milestone_metric"], rel=1e-9)
        assert bool(run_row["milestone_met"]) == summary["milestone_met"]
        values.append(summary["milestone_metric"])
    cell = states[(states["package"] == "social_partnership") & (states["point"] == 2)]
    assert cell["milestone_metric"].item() == pytest.approx(np.mean(values), rel=1e-9)
    assert cell["influence.signal"].item() == pytest.approx(design.points[2]["influence.signal"])


def test_robustness_file_is_the_table_of_its_runs_and_printed_ranked(small, capsys):
    path, out = small
    table = pd.read_csv(out / "robustness.csv")
    again = robustness_table(pd.read_csv(out / "runs.csv"), resamples=1000, seed=0)
    again = again.set_index("package").loc[table["package"]]
    for criterion in CRITERIA:
        np.testing.assert_allclose(table[criterion.name], again[criterion.name], rtol=1e-9)
        np.testing.assert_allclose(
            table[f"{criterion.name}_low"], again[f"{criterion.name}_low"], rtol=1e-9
        )
    assert table["rank"].tolist() == sorted(table["rank"])
    assert table["n_reforms"].tolist() == [
        {"baseline": 0, "zero": 0}.get(p, 1) for p in table["package"]
    ]
    boxes = pd.read_csv(out / "failure_boxes.csv")
    states = pd.read_csv(out / "package_states.csv")
    for package, rows in boxes.groupby("package"):
        missed = (~states.loc[states["package"] == package, "met"].astype(bool)).sum()
        assert rows["misses"].iloc[0] == missed
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert figures == ["parallel.png", "tradeoff.png"]
    assert all((out / "figures" / f).stat().st_size > 5000 for f in figures)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["robust"]["method"] == "exhaustive"
    assert manifest["robust"]["runs_done"] == 24
    assert manifest["git_commit"] and manifest["dependencies"]["mesa"]
    main(["robust", str(path), "--out", str(out), "--resume", "--workers", "1", "--quiet",
          "--ensemble", "none"])  # fmt: skip
    printed = capsys.readouterr().out
    assert "24/24 runs done, 0 failed, 24 found on disk" in printed
    first = table.iloc[0]
    assert f"{first['rank']:>4}  {first['package']}" in printed
    for sentence in boxes["description"].unique():
        assert sentence in printed


def test_a_dask_cluster_gives_the_same_files(small, tmp_path):
    from distributed import LocalCluster

    from mobilise.running.executors.dask import DaskExecutor

    path, out = small
    with LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True
    ) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        try:
            run_robust(load_experiment(path), tmp_path / "dask", executor, progress=False)
        finally:
            executor.close()
    for name in ("runs.csv", *RESULT_FILES):
        assert (tmp_path / "dask" / name).read_bytes() == (out / name).read_bytes(), name


def test_killed_robust_run_resumes_to_identical_files(tmp_path):
    levers = "{reforms: [mission_councils, social_partnership, pooled_budgets], max_reforms: 3}"
    path = robust_file(tmp_path, levers, samples=6, replications=6, quarters=40, name="long")
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "mobilise.cli", "robust", str(path), "--ensemble", "none",
               "--out", str(out)]  # fmt: skip
    options = ["--workers", "2", "--quiet"]
    process = subprocess.Popen([*command, *options], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "parts").glob("runs-*.csv"))) < 3:
        time.sleep(0.05)
    assert process.poll() is None, "the study finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert not (out / "robustness.csv").exists()
    finished = len(list((out / "parts").glob("runs-*.csv")))
    resumed = subprocess.run(
        [*command, *options, "--resume"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "found on disk" in resumed.stdout and finished > 0
    clean = tmp_path / "clean"
    done = subprocess.run(
        [*command[:-1], str(clean), "--workers", "1", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for name in ("runs.csv", *RESULT_FILES):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


def test_an_interrupted_search_resumes_to_identical_files(tmp_path):
    levers = (
        "{reforms: [mission_councils, social_partnership, pooled_budgets, patient_capital], "
        "strengths: [0.5, 1.0], max_reforms: 2, "
        "search: {method: evolutionary, population: 6, generations: 3, seed: 3}}"
    )
    path = robust_file(tmp_path, levers, samples=2, replications=1, name="search")
    design = load_experiment(path)
    first = tmp_path / "first"
    executor = ProcessPoolExecutor(2)
    try:
        result = run_robust(design, first, executor, progress=False)
    finally:
        executor.close()
    assert result.method == "evolutionary"
    generations = sorted(p.name for p in (first / "search").iterdir())
    assert generations[0] == "gen-000" and len(generations) >= 3
    files = (*RESULT_FILES, "search.csv", "convergence.csv")
    kept = tmp_path / "kept"
    kept.mkdir()
    for name in files:
        shutil.copy(first / name, kept / name)
        (first / name).unlink()
    # as if killed during the last generation: its combined files never written
    last = first / "search" / generations[-1]
    for name in ("runs.csv", "manifest.json"):
        (last / name).unlink()
    shutil.rmtree(first / "search" / generations[-2])
    resumed = run_robust(design, first, SequentialExecutor(), resume=True, progress=False)
    assert resumed.runs_resumed > 0
    for name in files:
        assert (first / name).read_bytes() == (kept / name).read_bytes(), name
    convergence = pd.read_csv(first / "convergence.csv")
    assert list(convergence["generation"]) == [1, 2, 3]
    search = pd.read_csv(first / "search.csv")
    assert search["pareto"].any() and set(search["generation"]) <= {0, 1, 2, 3}
    write_figures(resumed, "nhs", top=3)  # what mobilise robust draws after the study
    assert (first / "figures" / "convergence.png").stat().st_size > 5000


GOOD_UNCERTAINTIES = "uncertainties: {ranges: {influence.signal: [1, 2]}, samples: 2}\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "levers: {reforms: [bogus], max_reforms: 1}\n" + GOOD_UNCERTAINTIES,
            "unknown reform 'bogus'",
        ),
        (
            "levers: {max_reforms: 12}\n" + GOOD_UNCERTAINTIES,
            "max_reforms must be between 1 and 11",
        ),
        (
            "levers: {reforms: [pooled_budgets], max_reforms: 2}\n" + GOOD_UNCERTAINTIES,
            "between 1 and 1",
        ),
        ("levers: {max_reforms: 0}\n" + GOOD_UNCERTAINTIES, "found 0"),
        (
            "levers: {strengths: [1.5], max_reforms: 1}\n" + GOOD_UNCERTAINTIES,
            "strengths must be in (0, 1]",
        ),
        ("levers: {}\n" + GOOD_UNCERTAINTIES, "give max_reforms"),
        (
            "levers: {max_reforms: 1, costs: {pooled_budgets: {value: -1, source: x}}}\n"
            + GOOD_UNCERTAINTIES,
            "levers.costs.pooled_budgets.value",
        ),
        (
            "levers: {max_reforms: 1, costs: {pooled_budgets: {value: .nan, source: x}}}\n"
            + GOOD_UNCERTAINTIES,
            "levers.costs.pooled_budgets.value: Input should be a finite number (found nan)",
        ),
        (
            "levers: {max_reforms: 1, costs: {pooled_budgets: {value: 1}}}\n" + GOOD_UNCERTAINTIES,
            "levers.costs.pooled_budgets.source: required field is missing",
        ),
        (
            "levers: {reforms: [mission_councils], max_reforms: 1, "
            "costs: {pooled_budgets: {value: 1, source: x}}}\n" + GOOD_UNCERTAINTIES,
            "'pooled_budgets' is not one of the lever reforms",
        ),
        (
            "levers: {max_reforms: 1, search: {objectives: [satisficing, cost]}}\n"
            + GOOD_UNCERTAINTIES,
            "'cost' needs costs",
        ),
        (
            "levers: {max_reforms: 1, search: {objectives: [satisficing, happiness]}}\n"
            + GOOD_UNCERTAINTIES,
            "unknown objective 'happiness'",
        ),
        (
            "levers: {max_reforms: 1}\narms: {single: all}\n" + GOOD_UNCERTAINTIES,
            "give levers or arms",
        ),
        (
            "levers: {max_reforms: 1}\n"
            "uncertainties: {ranges: {influence.signal: [2, 1]}, samples: 2}\n",
            "uncertainties.ranges.influence.signal: expected low <= high, found [2, 1]",
        ),
        (
            "levers: {max_reforms: 1}\n"
            "uncertainties: {ranges: {influence.signal: [1, 1]}, samples: 2}\n",
            "must have low < high",
        ),
        (
            "levers: {max_reforms: 1}\n"
            "uncertainties: {ranges: {influence.signal: [.nan, 1]}, samples: 2}\n",
            "uncertainties.ranges.influence.signal.low: Input should be a finite number",
        ),
        (
            "levers: {max_reforms: 1}\n"
            "uncertainties: {ranges: {influence.sgnal: [0, 1]}, samples: 2}\n",
            "uncertainties.ranges.influence.sgnal: scenario field 'influence.sgnal': no field",
        ),
        (
            "levers: {max_reforms: 1}\n"
            "uncertainties: {ranges: {network.kind: [0, 1]}, samples: 2}\n",
            "expected a numeric scenario field, found str 'block'",
        ),
        (
            "levers: {max_reforms: 1}\n"
            "uncertainties: {ranges: {influence.adjustment: [0.5, 1.5]}, samples: 2}\n",
            "less than or equal to 1 (found 1.5)",
        ),
        (
            "levers: {max_reforms: 1}\n"
            "uncertainties: {ranges: {influence.signal: [1, 2]}, samples: 0}\n",
            "uncertainties.samples",
        ),
        (
            "levers: {max_reforms: 1}\n" + GOOD_UNCERTAINTIES + "robustness: {rank_by: [luck]}\n",
            "unknown criterion 'luck'",
        ),
        (
            "levers: {max_reforms: 1}\n" + GOOD_UNCERTAINTIES + "robustness: {met_share: 0}\n",
            "robustness.met_share",
        ),
        ("levers: {max_reforms: 1}\n", "uncertainties: required for mobilise robust"),
        (GOOD_UNCERTAINTIES, "levers: required for mobilise robust"),
    ],
)
def test_bad_lever_or_uncertainty_is_one_line_and_exit_2(tmp_path, capsys, body, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(f"name: bad\nscenarios: [{UK}]\n{body}")
    with pytest.raises(SystemExit) as exit_info:
        main(["robust", str(path), "--out", str(tmp_path / "out"), "--workers", "1",
              "--ensemble", "none"])  # fmt: skip
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(str(path)), err
    assert expected in err, err
    assert not (tmp_path / "out").exists()


def test_bad_option_is_one_line_and_a_real_process_has_no_traceback(tmp_path):
    path = robust_file(tmp_path, SMALL_LEVERS)
    done = subprocess.run(
        [sys.executable, "-m", "mobilise.cli", "robust", str(path), "--replications", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "--replications" in done.stderr


def test_shipped_robust_experiment_is_232_packages_in_32_states():
    """Four structural states crossed with eight members of the calibrated ensemble."""
    from mobilise.running.design import Uncertainty

    path = ROOT / "experiments" / "nhs_robust_packages.yaml"
    design = load_experiment(path, Uncertainty(ensemble=None))
    levers = design.experiment.levers
    assert levers.method() == "exhaustive"
    assert len(design.arms) == 232 and next(iter(design.arms)) == "baseline"
    assert max(len(p) for p in design.arms.values()) == 3
    assert len(design.points) == 4
    assert design.members_of("uk_2024") == list(range(1, 9))
    assert len(design.runs()) == 232 * 4 * 8 * 2
    ranges = design.experiment.uncertainties.ranges
    for point in design.points:
        for field, value in point.items():
            low, high = ranges[field].bounds
            assert low <= value <= high


def test_states_of_the_world_cross_points_with_members(tmp_path):
    """With an ensemble, each (point, member) is a state; members' seeds are their own."""
    path = tmp_path / "worlds.yaml"
    path.write_text(
        f"name: worlds\nscenarios: [{UK}]\nquarters: 20\n"
        f"levers: {SMALL_LEVERS}\n"
        "uncertainties:\n  ranges: {constraints.union_density: [0.15, 0.3]}\n"
        "  samples: 2\n  seed: 4\n"
        "replications: 2\nmembers: 3\nseed: 11\nrecord: {every: 20}\n"
    )
    out = tmp_path / "out"
    main(["robust", str(path), "--out", str(out), "--workers", "1", "--quiet"])
    runs = pd.read_csv(out / "runs.csv")
    assert sorted(runs["member"].unique()) == [1, 2, 3] and len(runs) == 4 * 2 * 3 * 2
    assert runs.groupby(["point", "member", "replication"])["seed"].nunique().eq(1).all()
    states = pd.read_csv(out / "package_states.csv")
    assert sorted(states["point"].unique()) == list(range(6))  # 2 points x 3 members
    assert {"member", "constraints.union_density", "influence.signal"} <= set(states.columns)
    table = pd.read_csv(out / "robustness.csv")
    assert (table["states"] == 6).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["ensemble"]["members"] == 3
