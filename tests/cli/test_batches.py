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
        "--replications", "3", "--out", str(out), "--workers", "2", "--quiet", "--ensemble", "none",
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


# --- across the calibrated ensemble ------------------------------------------------------

README_REFORMS = ("mission_councils", "multi_year_funding", "social_partnership")


def _reforms(*names):
    return [part for name in names for part in ("--reform", name)]


@pytest.fixture(scope="module")
def across(tmp_path_factory):
    """The README's comparison across six members of the shipped ensemble, three seeds each."""
    out = tmp_path_factory.mktemp("across") / "cmp"
    done = mobilise(
        "compare", UK, *_reforms(*README_REFORMS), "--members", "6", "--replications", "3",
        "--out", str(out), "--workers", "2", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def test_compare_runs_every_member_with_its_own_paired_seeds(across):
    out, stdout = across
    runs = pd.read_csv(out / "runs.csv")
    assert sorted(runs["member"].unique()) == [1, 2, 3, 4, 5, 6]
    assert len(runs) == 6 * 3 * 5
    seeds = runs.groupby(["member", "replication"])["seed"]
    assert seeds.nunique().eq(1).all()  # every arm of a member's replication: one seed
    assert runs.drop_duplicates(["member", "replication"])["seed"].nunique() == 18
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["ensemble"]["members"] == 6
    assert manifest["ensemble"]["path"].endswith("ensembles/uk_2024.csv")
    assert len(manifest["ensemble"]["sha256"]) == 64
    effects = pd.read_csv(out / "effects.csv")
    for column in ("low", "high", "p_positive", "parameter_share", "members"):
        assert column in effects and effects[column].notna().all(), column
    assert (effects["members"] == 6).all() and (effects["n"] == 18).all()
    ranks = pd.read_csv(out / "ranks.csv")
    for _, group in ranks.groupby(["outcome"]):
        assert group["p_first"].sum() == pytest.approx(1.0)
    assert set(pd.read_csv(out / "pairs.csv")["arm"]) == {*README_REFORMS, "together"}
    assert (out / "drivers.csv").exists() and (out / "members.csv").exists()
    assert (out / "figures" / "ranks.png").exists()
    assert "6 plausible worlds" in stdout and "seeds alone" in stdout and "P(>0)" in stdout
    assert "largest effect in" in stdout and "what would settle it" in stdout


def test_a_member_reproduced_alone_gives_the_same_runs(across, tmp_path):
    """--ensemble none, the member's fields as --set and its seed: the member's own runs."""
    out, _ = across
    members = pd.read_csv(out / "members.csv")
    member = members.iloc[3]
    sets = [
        part
        for name in members.columns
        if name not in ("scenario", "member", "seed")
        for part in ("--set", f"{name}={float(member[name])!r}")
    ]
    alone = tmp_path / "alone"
    done = mobilise(
        "compare", UK, *_reforms(*README_REFORMS), "--ensemble", "none", *sets,
        "--seed", str(int(member["seed"])), "--replications", "3", "--out", str(alone),
        "--workers", "1", "--quiet", "--no-figures",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ours = pd.read_csv(out / "runs.csv")
    ours = ours[ours["member"] == member["member"]].reset_index(drop=True)
    theirs = pd.read_csv(alone / "runs.csv")
    outcomes = ["arm", "replication", "seed", "final_metric", "milestone_metric", "milestone_met"]
    pd.testing.assert_frame_equal(ours[outcomes], theirs[outcomes])


def test_readme_command_1_intervals_contain_what_members_give_alone(tmp_path):
    """The README's first command, as it ships; then three random members run alone."""
    out = tmp_path / "quickstart"
    done = mobilise("compare", UK, *_reforms(*README_REFORMS), "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    effects = pd.read_csv(out / "effects.csv").set_index(["outcome", "arm"])
    members = pd.read_csv(out / "members.csv")
    assert len(members) == 40 and effects["n"].max() == 400
    rng = __import__("numpy").random.default_rng(21)
    for index in rng.choice(len(members), size=3, replace=False):
        member = members.iloc[int(index)]
        sets = [
            part
            for name in members.columns
            if name not in ("scenario", "member", "seed")
            for part in ("--set", f"{name}={float(member[name])!r}")
        ]
        alone = tmp_path / f"member{member['member']}"
        done = mobilise(
            "compare", UK, *_reforms(*README_REFORMS), "--ensemble", "none", *sets,
            "--seed", "99", "--replications", "10", "--out", str(alone), "--quiet",
            "--no-figures",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        own = pd.read_csv(alone / "effects.csv").set_index(["outcome", "arm"])
        for key, row in own.iterrows():
            low, high = effects.loc[key, ["low", "high"]]
            assert low <= row["mean_diff"] <= high, (member["member"], key)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ensemble", "none", "--members", "3"], "--members counts an ensemble's members"),
        (["--ensemble", "missing.csv"], "--ensemble missing.csv: cannot read file"),
        (["--ensemble", "scenarios/ensembles/technological_vaccine.csv"],
         "made for scenario 'technological_vaccine', not 'uk_2024'"),
        (["--set", "influence.signl=2", "--ensemble", "none"], "no field 'signl'"),
        (["--set", "influence.signal=1.2"], "the ensemble uk_2024.csv varies this field"),
        (["--set", "influence.signal"], "expected FIELD=VALUE"),
    ],
)  # fmt: skip
def test_bad_ensemble_input_is_one_line_and_exit_2(args, message, tmp_path):
    done = mobilise(
        "compare", UK, "--reform", "pooled_budgets", *args, "--out", str(tmp_path / "x")
    )
    assert done.returncode == 2, done.stdout
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_two_scenarios_sharing_a_mission_are_compared_apart(tmp_path, capsys):
    # both UK scenarios pursue the NHS mission: each keeps its own setting (point)
    early = SCENARIOS / "uk_early_1980s.yaml"
    experiment = tmp_path / "two.yaml"
    experiment.write_text(
        f"name: two\nscenarios: [{UK}, {early}]\narms: {{single: [mission_councils]}}\n"
        "replications: 3\nquarters: 8\n"
    )
    out = tmp_path / "out"
    main(["batch", str(experiment), "--out", str(out), "--workers", "1", "--quiet",
          "--members", "2"])  # fmt: skip
    printed = capsys.readouterr().out
    assert "nhs (uk_2024)" in printed and "nhs (uk_early_1980s)" in printed
    runs = pd.read_csv(out / "runs.csv")
    assert runs.groupby("scenario")["point"].unique().map(list).to_dict() == {
        "uk_2024": [0],
        "uk_early_1980s": [1],
    }
    assert runs.groupby("scenario")["member"].nunique().to_dict() == {
        "uk_2024": 2,
        "uk_early_1980s": 2,
    }  # each scenario's own ensemble, paired within its members
    effects = pd.read_csv(out / "effects.csv").set_index(["outcome", "point"])
    for point, rows in runs.groupby("point"):
        pair = ["member", "replication"]
        arm = rows[rows["arm"] == "mission_councils"].set_index(pair)["final_metric"]
        base = rows[rows["arm"] == "baseline"].set_index(pair)["final_metric"]
        expected = (arm - base).mean()
        assert effects.loc[("final_metric", point), "mean_diff"] == pytest.approx(expected)
        assert (out / "figures" / f"fan_nhs_p{point}.png").exists()
