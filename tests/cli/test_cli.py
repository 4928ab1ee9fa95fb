"""The ``mobilise`` command end to end: real processes, real files."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from mobilise import ACTOR_TYPES
from mobilise.cli import main
from mobilise.schema.outcomes import STEP_COLUMNS

from ..conftest import ROOT, SCENARIOS

UK = str(SCENARIOS / "uk_2024.yaml")


def mobilise(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "mobilise.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        timeout=120,
    )


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


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", UK, "--reform", "bogus"], "unknown reform 'bogus'"),
        (["run", UK, "--reform", "pooled_budgets=2"], "must be in [0, 1]"),
        (["run", UK, "--reform", "pooled_budgets=lots"], "must be a number"),
        (["run", UK, "--seed", "-1"], "--seed"),
        (["run", UK, "--steps", "zero"], "--steps"),
        (["run", "missing.yaml"], "missing.yaml: cannot read file"),
        (["list", "planets"], "planets"),
        (["frobnicate"], "No such command"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, expected, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert expected in err
    assert len(err.strip().splitlines()) == 1


def test_bad_input_in_a_real_process_has_no_traceback():
    done = mobilise("run", UK, "--reform", "bogus")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


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
        ("scenarios", "uk_2024.yaml"),
    ],
)
def test_list(what, expected, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    main(["list", what])
    out = capsys.readouterr().out
    assert expected in out
    assert "source" in out or what == "scenarios"


def test_app_port_in_use_is_one_line_and_exit_2():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = mobilise("app", "--port", str(port))
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_app_rejects_a_bad_scenario_before_starting(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    done = mobilise("app", "--scenario", str(bad))
    assert done.returncode == 2
    assert done.stderr.startswith(str(bad))


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


def test_app_on_all_interfaces_warns(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "mobilise.cli", "app", "--host", "0.0.0.0", "--port", str(port)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"},
    )
    try:
        first = server.stderr.readline()
        assert "anyone who can reach this machine" in first
        from mobilise.cli.workshop import lan_addresses

        shown = server.stdout.readline()
        assert "127.0.0.1" not in shown  # the address others type, not this machine's loopback
        assert any(f"open http://{a}:{port}/" in shown for a in lan_addresses()), shown
        assert "access code" in server.stdout.readline()
    finally:
        server.terminate()
        server.wait(timeout=30)
