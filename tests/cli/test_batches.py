"""``mobilise compare`` and ``report``: a comparison folder round trip."""

import json

import pandas as pd
import pytest

from mobilise.cli import main

from ..conftest import SCENARIOS
from .process import UK, mobilise


def test_compare_round_trip_and_report_regenerates_figures(tmp_path, capsys):
    import shutil

    out = tmp_path / "cmp"
    done = mobilise(
        "compare", UK, "--reform", "multi_year_funding", "--reform", "pooled_budgets=0.5",
        "--replications", "3", "--out", str(out), "--workers", "2", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "together" in done.stdout and "vs government push alone" in done.stdout
    # effects reported when the milestone is due and at the horizon, whatever their sign
    assert "when the milestone is due" in done.stdout and "at the horizon" in done.stdout
    runs = pd.read_csv(out / "runs.csv")
    assert set(runs["arm"]) == {"baseline", "multi_year_funding", "pooled_budgets", "together"}
    assert runs.groupby("replication")["seed"].nunique().eq(1).all()  # shared seeds
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects["outcome"]) == {"final_metric", "milestone_metric"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs_done"] == 12 and manifest["status"] == "complete"
    shutil.rmtree(out / "figures")
    (out / "effects.csv").unlink()
    main(["report", str(out)])
    assert "forest.png" in capsys.readouterr().out
    assert (out / "figures" / "forest.png").exists() and (out / "effects.csv").exists()
    assert (out / "figures" / "forest_horizon.png").exists()
    pd.testing.assert_frame_equal(pd.read_csv(out / "effects.csv"), effects)


def test_report_on_a_folder_without_runs_is_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["report", str(tmp_path)])
    assert info.value.code == 2
    assert "no runs.csv" in capsys.readouterr().err


def test_two_scenarios_sharing_a_mission_are_compared_apart(tmp_path, capsys):
    # both UK scenarios pursue the NHS mission: each keeps its own setting (point)
    early = SCENARIOS / "uk_early_1980s.yaml"
    experiment = tmp_path / "two.yaml"
    experiment.write_text(
        f"name: two\nscenarios: [{UK}, {early}]\narms: {{single: [mission_councils]}}\n"
        "replications: 3\nquarters: 8\n"
    )
    out = tmp_path / "out"
    main(["batch", str(experiment), "--out", str(out), "--workers", "1", "--quiet"])
    printed = capsys.readouterr().out
    assert "nhs (uk_2024)" in printed and "nhs (uk_early_1980s)" in printed
    runs = pd.read_csv(out / "runs.csv")
    assert runs.groupby("scenario")["point"].unique().map(list).to_dict() == {
        "uk_2024": [0],
        "uk_early_1980s": [1],
    }
    effects = pd.read_csv(out / "effects.csv").set_index(["outcome", "point"])
    for point, rows in runs.groupby("point"):
        arm = rows[rows["arm"] == "mission_councils"].set_index("replication")["final_metric"]
        base = rows[rows["arm"] == "baseline"].set_index("replication")["final_metric"]
        expected = (arm - base).mean()
        assert effects.loc[("final_metric", point), "mean_diff"] == pytest.approx(expected)
        assert (out / "figures" / f"fan_nhs_p{point}.png").exists()


def test_compare_on_the_five_missions_reports_all_five_from_the_same_runs(tmp_path):
    """The done-when of several missions: one compare, every mission's effect, paired."""
    five = str(SCENARIOS / "uk_2024_five_missions.yaml")
    out = tmp_path / "five"
    done = mobilise(
        "compare", five, "--reform", "mission_councils:nhs", "--replications", "3",
        "--out", str(out), "--workers", "1", "--quiet", "--no-figures",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    names = ("growth", "clean_energy", "safer_streets", "opportunity", "nhs")
    for name in names:
        assert f"  {name} " in done.stdout, name
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 6 and set(runs["mission"]) == {"+".join(names)}
    assert set(runs["arm"]) == {"baseline", "mission_councils:nhs"}
    effects = pd.read_csv(out / "effects.csv").set_index(["outcome", "mission"])
    for name in names:  # each mission's effect is its own columns' paired difference
        arm = runs[runs["arm"] != "baseline"].set_index("replication")[f"final_metric:{name}"]
        base = runs[runs["arm"] == "baseline"].set_index("replication")[f"final_metric:{name}"]
        assert effects.loc[("final_metric", name), "mean_diff"] == pytest.approx(
            (arm - base).mean()
        )


def test_a_reform_aimed_at_a_mission_the_scenario_lacks_is_one_line(tmp_path):
    done = mobilise("compare", UK, "--reform", "mission_councils:growth", "--replications", "2",
                    "--out", str(tmp_path / "x"), "--quiet")  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "uk_2024.yaml" in lines[0] and "timing.mission_councils.missions" in lines[0]
    assert "unknown mission 'growth'" in lines[0] and "expected one of: nhs" in lines[0]
