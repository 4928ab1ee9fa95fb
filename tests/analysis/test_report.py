"""Batch folders to tables: effects for every effect outcome, half-widths, one-line refusals."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.analysis.effects import paired_effects
from mobilise.analysis.report import (
    all_effects,
    all_half_widths,
    batch_folder,
    read_batch,
    write_tables,
)
from mobilise.model.outcomes import EFFECT_OUTCOMES
from mobilise.vocabulary import OutputError

from ..bad_input import assert_refused, run_cli
from ..conftest import SCENARIOS


def planted_runs(replications: int = 8) -> pd.DataFrame:
    """Two arms on shared replications; ``reform`` adds exactly 0.1 to every outcome."""
    rng = np.random.default_rng(3)
    rows = []
    for r in range(replications):
        noise = {o: rng.normal(0.5, 0.05) for o in EFFECT_OUTCOMES}
        for arm, shift in (("baseline", 0.0), ("reform", 0.1)):
            row = {"mission": "nhs", "point": 0, "replication": r, "arm": arm, "seed": r}
            row |= {o: noise[o] + shift for o in EFFECT_OUTCOMES}
            row["milestone_met"] = float(noise[EFFECT_OUTCOMES[0]] + shift > 0.55)
            rows.append(row)
    return pd.DataFrame(rows)


def test_all_effects_stacks_the_paired_effect_of_every_effect_outcome():
    runs = planted_runs()
    effects = all_effects(runs)
    assert list(effects["outcome"].unique()) == list(EFFECT_OUTCOMES)
    # a constant shift on shared draws: the paired effect is exactly it, with no spread
    np.testing.assert_allclose(effects["mean_diff"], 0.1, atol=1e-12)
    for outcome in EFFECT_OUTCOMES:
        alone = paired_effects(runs, outcome=outcome)
        stacked = effects[effects["outcome"] == outcome].drop(columns="outcome")
        pd.testing.assert_frame_equal(stacked.reset_index(drop=True), alone)


def test_half_widths_are_each_arms_widest_over_outcomes():
    runs = planted_runs()
    noisy = runs["arm"] == "reform"
    runs.loc[noisy, EFFECT_OUTCOMES[-1]] += np.random.default_rng(1).normal(0, 0.2, noisy.sum())
    widths = all_half_widths(runs)
    assert list(widths.index) == [("nhs", 0, "reform")]
    diff = (
        runs[noisy][EFFECT_OUTCOMES[-1]].to_numpy() - runs[~noisy][EFFECT_OUTCOMES[-1]].to_numpy()
    )
    from scipy import stats

    expected = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    assert widths[("nhs", 0, "reform")] == pytest.approx(expected)
    assert all_half_widths(runs.iloc[0:0]).empty


def test_write_tables_writes_what_all_effects_computes(tmp_path):
    runs = planted_runs()
    runs.to_csv(tmp_path / "runs.csv", index=False)
    written = write_tables(tmp_path)
    assert written == [tmp_path / name for name in ("effects.csv", "ranks.csv", "pairs.csv")]
    assert not (tmp_path / "drivers.csv").exists()  # no members.csv: no ensemble to explain
    on_disk = pd.read_csv(tmp_path / "effects.csv")
    expected = all_effects(pd.read_csv(tmp_path / "runs.csv"))
    np.testing.assert_allclose(on_disk["mean_diff"], expected["mean_diff"], rtol=1e-9)
    read, series = read_batch(tmp_path)
    assert len(read) == len(runs) and series.empty


def test_a_folder_without_runs_is_an_output_error_naming_it(tmp_path):
    with pytest.raises(OutputError, match=f"{tmp_path}: no runs.csv"):
        batch_folder(tmp_path)
    pd.DataFrame({"arm": []}).to_csv(tmp_path / "runs.csv", index=False)
    with pytest.raises(OutputError, match=r"manifest\.json: No such file"):
        batch_folder(tmp_path)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A real finished batch: two arms, a sweep over one field, three replications."""
    folder = tmp_path_factory.mktemp("finished")
    experiment = folder / "small.yaml"
    experiment.write_text(
        f"name: small\nscenarios: [{SCENARIOS / 'uk_2024.yaml'}]\nquarters: 4\n"
        "replications: 3\narms: {single: [mission_councils]}\n"
        "sweep: {grid: {influence.signal: [0.5, 1.5]}}\n"
    )
    out = folder / "out"
    done = run_cli("batch", str(experiment), "--out", str(out), "--workers", "1", "--quiet",
                   "--no-figures", "--ensemble", "none", seconds=120)  # fmt: skip
    assert done.code == 0, done.err
    return out


def broken_copy(finished, tmp_path, runs: bytes | None = None, manifest: str | None = None):
    """A copy of the finished batch with its runs.csv or manifest replaced."""
    target = tmp_path / "copy"
    shutil.copytree(finished, target, dirs_exist_ok=True)
    if runs is not None:
        (target / "runs.csv").write_bytes(runs)
    if manifest is not None:
        (target / "manifest.json").write_text(manifest)
    return target


def refused_by_report_and_discover(folder, *words):
    for command in (["report", str(folder)], ["discover", str(folder)]):
        assert_refused(run_cli(*command, seconds=60), *words)
    assert not (folder / "boxes.csv").exists()


def test_a_finished_batch_is_read_whole(finished, tmp_path):
    manifest = batch_folder(finished)
    runs = read_batch(finished)[0]
    assert len(runs) == manifest["runs_done"] == 12 and manifest["status"] == "complete"
    folder = broken_copy(finished, tmp_path)  # nothing broken: discover writes its boxes
    outcome = run_cli("discover", str(folder), "--outcome", "final_metric", "--threshold",
                      str(runs["final_metric"].median()), "--method", "tree")  # fmt: skip
    assert outcome.code == 0, outcome.err
    assert outcome.out.startswith("12 runs, 50% with final metric")
    assert (folder / "boxes.csv").exists()
    above_all = str(runs["final_metric"].max() + 1)  # no run succeeds: nothing to tell apart
    outcome = run_cli(
        "discover", str(folder), "--outcome", "final_metric", "--threshold", above_all
    )
    assert_refused(outcome, "'--threshold': no run of 12 has final_metric >= ")


def test_broken_batches_are_refused_by_report_and_discover(finished, tmp_path):
    whole = (finished / "runs.csv").read_bytes()
    lines = whole.split(b"\n")
    header = lines[0] + b"\n"
    manifest = json.loads((finished / "manifest.json").read_text())
    cases = [
        ({"runs": b""}, "runs.csv: cannot be read as a table of runs"),
        ({"runs": header}, "runs.csv: holds no runs (only a header)"),
        ({"runs": whole[:-20]}, "runs.csv: cut short"),
        ({"runs": b"\x00\xff" * 50}, "runs.csv: "),
        ({"runs": whole.rsplit(b"\n", 2)[0] + b"\n" + lines[1] + b"\n"}, "appears twice"),
        ({"manifest": "{"}, "manifest.json: not readable JSON"),
        ({"manifest": json.dumps({**manifest, "status": "running"})}, "the batch is not finished"),
        ({"manifest": json.dumps({**manifest, "runs_done": 13})}, "manifest counts 13"),
    ]
    for i, (change, expected) in enumerate(cases):
        folder = broken_copy(finished, tmp_path / str(i), **change)
        refused_by_report_and_discover(folder, str(folder), expected)
    folder = broken_copy(finished, tmp_path / "no_manifest")
    (folder / "manifest.json").unlink()
    refused_by_report_and_discover(folder, "manifest.json: No such file")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(cut=st.floats(min_value=0, max_value=1, exclude_max=True))
def test_runs_cut_anywhere_are_refused_never_reported(finished, tmp_path_factory, cut):
    whole = (finished / "runs.csv").read_bytes()
    folder = broken_copy(
        finished, tmp_path_factory.mktemp("cut"), runs=whole[: int(cut * len(whole))]
    )
    outcome = run_cli("report", str(folder), seconds=60)
    assert_refused(outcome, str(folder))
    assert (folder / "effects.csv").read_bytes() == (finished / "effects.csv").read_bytes()
