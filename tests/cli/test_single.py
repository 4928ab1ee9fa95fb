"""``mobilise run``, ``validate`` and ``list``: real processes, real files."""

import json

import pandas as pd
import pytest

from mobilise import ACTOR_TYPES
from mobilise.cli import main
from mobilise.model.outcomes import STEP_COLUMNS

from ..conftest import ROOT, SCENARIOS
from .process import UK, mobilise


def test_run_round_trip_writes_documented_outputs(tmp_path):
    out = tmp_path / "run"
    done = mobilise(
        "run",
        UK,
        "--reform",
        "mission_councils=0.5",
        "--reform",
        "pooled_budgets",
        "--seed",
        "7",
        "--steps",
        "12",
        "--out",
        str(out),
        "--agents",
    )
    assert done.returncode == 0, done.stderr
    assert "milestone" in done.stdout
    frame = pd.read_csv(out / "timeseries.csv")
    assert list(frame.columns) == STEP_COLUMNS
    assert len(frame) == 13
    assert pd.api.types.is_float_dtype(frame["metric"])
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["final_engaged"]) == set(ACTOR_TYPES)
    assert isinstance(summary["milestone_met"], bool)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7
    assert manifest["reforms"] == {"mission_councils": 0.5, "pooled_budgets": 1.0}
    assert len(manifest["scenario_file_sha256"]) == 64
    assert manifest["dependencies"]["mesa"].startswith("3.")
    for key in ("mobilise", "git_commit", "python", "command", "started", "finished"):
        assert key in manifest
    agents = pd.read_csv(out / "agents.csv")
    assert set(agents.columns) == {"step", "agent", "actor_type", "engagement", "trust"}


def test_run_is_reproducible_from_its_manifest(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert mobilise("run", UK, "--seed", "3", "--steps", "8", "--out", str(a)).returncode == 0
    assert mobilise("run", UK, "--seed", "3", "--steps", "8", "--out", str(b)).returncode == 0
    assert (a / "timeseries.csv").read_bytes() == (b / "timeseries.csv").read_bytes()


def test_default_output_folder_never_overwrites(tmp_path):
    for _ in range(2):
        assert mobilise("run", UK, "--steps", "2", cwd=tmp_path).returncode == 0
    assert len(list((tmp_path / "runs").iterdir())) == 2


def test_validate_reports_each_bad_file_and_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nmission: nhs\npopulations: {union: {count: 2, horizon: {dist: lognormal}}}\n"
    )
    done = mobilise("validate", UK, str(bad))
    assert done.returncode == 2
    assert f"{UK}: ok" in done.stdout
    assert done.stderr.startswith(str(bad)) and "median" in done.stderr


def test_validate_all_shipped_scenarios(capsys):
    main(["validate", *map(str, sorted(SCENARIOS.glob("*.yaml")))])
    assert capsys.readouterr().out.count(": ok") == len(list(SCENARIOS.glob("*.yaml")))


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("missions", "vaccine_taskforce"),
        ("reforms", "patient_capital"),
    ],
)
def test_list(what, expected, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    main(["list", what])
    out = capsys.readouterr().out
    assert expected in out
    assert "source" in out


@pytest.mark.parametrize(
    ("what", "folder"), [("scenarios", SCENARIOS), ("experiments", ROOT / "experiments")]
)
def test_list_finds_the_shipped_files_by_name_from_any_folder(what, folder, tmp_path, capsys):
    main(["list", what])  # from the project's folder...
    here = capsys.readouterr().out
    done = mobilise("list", what, cwd=tmp_path)  # ...and from an empty one, in a real process
    assert done.returncode == 0, done.stderr
    assert done.stdout == here
    header, *rows = here.splitlines()
    assert header == f"{what} in {folder}:"
    names = [row.split()[0] for row in rows]
    files = [p for p in folder.rglob("*.yaml") if p.parent == folder]  # the shipped are flat
    assert names == sorted(p.relative_to(folder).with_suffix("").as_posix() for p in files)
    assert {"uk_2024", "denmark_2024"} <= set(names) or what == "experiments"
    assert not any("INVALID" in row for row in rows)  # priors, targets, calibrations: not listed


def test_list_of_a_folder_of_ones_own(tmp_path, capsys):
    (tmp_path / "mine.yaml").write_text((SCENARIOS / "minimal_threshold.yaml").read_text())
    (tmp_path / "broken.yaml").write_text("name: [")
    main(["list", "scenarios", "--dir", str(tmp_path)])
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [row.split()[0] for row in rows] == ["broken", "mine"]
    assert "INVALID" in rows[0] and "granovetter" in rows[1]


def test_a_reform_started_later_runs_as_the_library_runs_it(tmp_path):
    """``--reform NAME@START``: the file's run is the library's run with that timing."""
    from mobilise import load_scenario, run
    from mobilise.schema.schedule import Timing

    out = tmp_path / "late"
    done = mobilise("run", UK, "--reform", "mission_councils@2026Q3", "--budget", "1.5",
                    "--seed", "4", "--steps", "12", "--out", str(out),
                    "--ensemble", "none")  # fmt: skip
    assert done.returncode == 0, done.stderr
    scenario = load_scenario(UK).model_copy(update={"quarters": 12})
    expected = run(scenario, seed=4, reforms={"mission_councils": 1.0},
                   timing={"mission_councils": Timing(start="2026Q3")}, budget=1.5)  # fmt: skip
    pd.testing.assert_frame_equal(pd.read_csv(out / "timeseries.csv"), expected, check_dtype=False,
                                  check_exact=False, rtol=1e-9)  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["timing"]["mission_councils"]["start"] == "2026Q3"
    assert manifest["budget"] == pytest.approx(1.5 * load_scenario(UK).government.budget)


@pytest.mark.parametrize(("args", "message"), [
    (("--reform", "mission_councils@2024Q4"), "mission_councils.start: 2024Q4 is before the run"),
    (("--reform", "mission_councils@2040Q1"), "mission_councils.start: 2040Q1 is after its end"),
    (("--reform", "mission_councils@0"), "a quarter number counts from 1"),
    (("--reform", "mission_councils@soon"), "expected a start like 2027Q1"),
    (("--reform", "mission_councils@2026Q1", "--reform", "mission_councils@2027Q1"),
     "'mission_councils' is given twice: one schedule per reform"),
    (("--budget", "-1"), "--budget must be a finite number >= 0, found -1.0"),
    (("--budget", "nan"), "--budget must be a finite number >= 0, found nan"),
])  # fmt: skip
def test_bad_timing_or_budget_is_one_line_and_exit_2(tmp_path, args, message):
    done = mobilise("run", UK, *args, "--steps", "4", "--out", str(tmp_path / "x"))
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_a_reform_started_later_runs_in_each_member_as_the_library_runs_it(tmp_path):
    """``run --reform NAME@START --budget F`` with an ensemble: each member with that timing."""
    from mobilise import load_scenario
    from mobilise.running.runs import run_members
    from mobilise.schema.ensemble import choose_ensemble
    from mobilise.schema.schedule import Timing

    out = tmp_path / "worlds"
    done = mobilise("run", UK, "--reform", "mission_councils@2026Q3", "--budget", "1.5",
                    "--seed", "4", "--steps", "12", "--members", "2",
                    "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    scenario = load_scenario(UK)
    worlds = choose_ensemble(UK, scenario, None, 2)
    expected, _ = run_members(
        scenario.model_copy(update={"quarters": 12}), worlds, seed=4,
        reforms={"mission_councils": 1.0}, timing={"mission_councils": Timing(start="2026Q3")},
        budget=1.5,
    )  # fmt: skip
    written = pd.read_csv(out / "timeseries.csv")
    # an all-zero structure column (foundations in the UK) reads back as integers
    pd.testing.assert_frame_equal(
        written, expected, check_exact=False, rtol=1e-9, check_dtype=False
    )
    untimed, _ = run_members(scenario.model_copy(update={"quarters": 12}), worlds, seed=4,
                             budget=1.5)  # fmt: skip
    before = expected["quarter"] < "2026Q3"  # common random numbers in each member until then
    assert expected[before]["metric"].tolist() == untimed[before]["metric"].tolist()
    assert expected[~before]["metric"].tolist() != untimed[~before]["metric"].tolist()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["timing"]["mission_councils"]["start"] == "2026Q3"
    assert manifest["ensemble"]["members"] == 2
