"""Calibrated ensembles: the calibration recovers known parameters and remakes its files.

Small cases, sized for CI: a UK scenario with a tenth of the agents and twelve
quarters, two uncertain inputs inferred, a few targets read from its own runs.
"""

import json
import shutil

import numpy as np
import pytest
import yaml

from mobilise.analysis.calibration import calibrate
from mobilise.cli import main
from mobilise.running.executors.local import ProcessPoolExecutor, SequentialExecutor
from mobilise.running.probes import Job, Probe, run_jobs
from mobilise.schema.calibration import load_setup
from mobilise.schema.ensemble import load_ensemble, manifest_path
from mobilise.schema.scenario import load_scenario

from ..conftest import SCENARIOS

INPUTS = {
    "influence.signal": (0.5, 2.5),
    "mission.decay": (0.0, 0.03),
}
DRAWN = {"influence.noise": (0.03, 0.07)}
READS = (("metric", 4), ("metric", 12), ("engaged_business", 12), ("engaged_union", 12))


def small_scenario(folder):
    """uk_2024 with a tenth of the agents and twelve quarters, naming its ensemble."""
    data = yaml.safe_load((SCENARIOS / "uk_2024.yaml").read_text())
    for spec in data["populations"].values():
        spec["count"] = max(4, spec["count"] // 10)
    data.update(name="uk_small", quarters=12, calibration="calibration.yaml",
                ensemble="ensemble.csv", patterns=[])  # fmt: skip
    path = folder / "uk_small.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def observe(scenario, truth, seeds=16):
    """Each read-out at the truth: its mean over many seeds and the sd of one seed's value."""
    world = scenario.with_values(truth)
    probes = tuple(Probe(output, step) for output, step in READS)
    values = run_jobs([Job(world, 5000 + s, probes) for s in range(seeds)])
    return values.mean(axis=0), values.std(axis=0)


def write_case(folder, truth, seed, particles=60, generations=3):
    """A calibration of the small scenario whose targets are the model's own at ``truth``."""
    folder.mkdir(parents=True, exist_ok=True)
    scenario_file = small_scenario(folder)
    scenario = load_scenario(scenario_file)
    mean, sd = observe(scenario, truth)
    priors = {
        "name": "small",
        "inputs": [
            {"field": f, "range": list(r), "reason": "assumption: test range"}
            for f, r in {**INPUTS, **DRAWN}.items()
        ],
    }
    targets = {
        "name": "small",
        "targets": [
            {
                "name": f"t{i}",
                "kind": "series",
                "observed": float(m),
                "error": float(max(s, 1e-3)),
                "source": "the model at a known parameter set",
                "scenario": "uk_small.yaml",
                "output": output,
                "at": step,
            }
            for i, ((output, step), m, s) in enumerate(zip(READS, mean, sd, strict=True))
        ],
    }
    calibration = {
        "name": "small",
        "priors": "priors.yaml",
        "targets": "targets.yaml",
        "infer": list(INPUTS),
        "scenarios": ["uk_small.yaml"],
        "particles": particles,
        "generations": generations,
        "seeds": 2,
        "members": 60,
        "seed": seed,
        "batch": 10,
    }
    for name, data in (("priors", priors), ("targets", targets), ("calibration", calibration)):
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder / "calibration.yaml", scenario_file


def test_the_posterior_covers_known_parameters_in_nine_of_ten_cases(tmp_path):
    """Simulate from a known member, calibrate on its outputs, find it again."""
    rng = np.random.default_rng(2025)
    covered = []
    executor = ProcessPoolExecutor(2)
    try:
        for case in range(10):
            truth = {f: float(rng.uniform(lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo)))
                     for f, (lo, hi) in INPUTS.items()}  # fmt: skip
            file, scenario_file = write_case(tmp_path / f"case{case}", truth, seed=case)
            result = calibrate(load_setup(file), tmp_path / f"out{case}", executor)
            members = load_ensemble(scenario_file.parent / "ensemble.csv",
                                    load_scenario(scenario_file))  # fmt: skip
            inside = []
            for field, value in truth.items():
                drawn = np.array([m[field] for m in members.values])
                low, high = np.quantile(drawn, [0.025, 0.975])
                inside.append(low <= value <= high)
                assert high - low < INPUTS[field][1] - INPUTS[field][0]  # it learnt something
            covered.append(all(inside))
            assert result.generations[-1].t == 2
    finally:
        executor.close()
    print(f"recovery: the 95% intervals cover the truth in {sum(covered)} of 10 cases")
    assert sum(covered) >= 9, covered


def test_the_same_command_remakes_the_same_ensemble_and_resumes(tmp_path):
    file, scenario_file = write_case(tmp_path / "case", {"influence.signal": 1.2,
                                                          "mission.decay": 0.012}, seed=3,
                                     particles=30, generations=2)  # fmt: skip
    code = None
    for out in ("a", "b"):
        try:
            main(["calibrate", str(scenario_file), "--ensemble", "--out", str(tmp_path / out),
                  "--workers", "2", "--quiet"])  # fmt: skip
        except SystemExit as exc:
            code = exc.code
        assert code in (None, 0)
        shutil.copy(scenario_file.parent / "ensemble.csv", tmp_path / f"{out}.csv")
    made = (tmp_path / "a.csv").read_bytes()
    assert made == (tmp_path / "b.csv").read_bytes()
    # a finished calibration resumed reads its database and simulates nothing more
    setup = load_setup(file)
    again = calibrate(setup, tmp_path / "a", SequentialExecutor(), resume=True)
    assert (scenario_file.parent / "ensemble.csv").read_bytes() == made
    assert [g.samples for g in again.generations] == [
        g["samples"]
        for g in json.loads((tmp_path / "a" / "manifest.json").read_text())["generations"]
    ]
    manifest = json.loads(manifest_path(scenario_file.parent / "ensemble.csv").read_text())
    assert manifest["scenario"] == "uk_small" and manifest["members"] == 60
    assert {c["status"] for c in manifest["columns"].values()} == {"inferred", "drawn"}
    made_by = manifest["made"]
    for key in ("targets", "priors", "generations", "settings", "git_commit", "dependencies",
                "priors_file_sha256", "targets_file_sha256", "predictive"):  # fmt: skip
        assert key in made_by, key
    assert made_by["dependencies"]["pyabc"]


def test_a_calibration_folder_is_not_overwritten(tmp_path):
    file, _ = write_case(tmp_path / "case", {"influence.signal": 1.2, "mission.decay": 0.012},
                         seed=1, particles=10, generations=1)  # fmt: skip
    calibrate(load_setup(file), tmp_path / "out", SequentialExecutor())
    with pytest.raises(ValueError, match="already holds a calibration; pass --resume"):
        calibrate(load_setup(file), tmp_path / "out", SequentialExecutor())


def test_the_shipped_ensemble_meets_the_targets_it_reports(uk):
    """The UK manifest's predictive check agrees with the members it describes."""
    path = SCENARIOS / "ensembles" / "uk_2024.csv"
    manifest = json.loads(manifest_path(path).read_text())
    made = manifest["made"]
    shares = {row["target"]: row["members_meeting"] for row in made["predictive"]}
    assert set(shares) >= {"volunteering_2024", "nhs_rtt_2024", "vaccine_first_doses_2021q1"}
    every = made["members_meeting_every_target"]
    assert (
        0
        <= every["share_meeting_every_calibrating_target"]
        <= min(
            shares[t]
            for t in shares
            if not t.startswith(("rtt_admitted", "nhs_rtt_2021", "volunteering_2014"))
        )
    )
    assert len(load_ensemble(path, uk)) == manifest["members"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([str(SCENARIOS / "minimal_threshold.yaml"), "--ensemble"], "names no calibration file"),
        ([str(SCENARIOS / "uk_2024.yaml")], "give --ensemble (calibrate) or --check"),
        ([str(SCENARIOS / "uk_2024.yaml"), "--ensemble", "--check"], "give --ensemble"),
        ([str(SCENARIOS / "uk_2024.yaml"), "--ensemble", "--resume"], "--resume needs --out"),
    ],
)
def test_calibrate_bad_input_is_one_line_and_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(["calibrate", *args])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_calibrate_check_compares_the_targets_with_the_shipped_ensemble(capsys):
    main(["calibrate", str(SCENARIOS / "technological_vaccine.yaml"), "--check",
          "--members", "4", "--seeds", "1", "--workers", "1"])  # fmt: skip
    out = capsys.readouterr().out
    assert "4 members of technological_vaccine.csv" in out
    assert "vaccine_first_doses_2021q1: observed 0.57 +/- 0.04" in out
    assert "nhs_rtt_2018" not in out  # another mission's targets are the calibration's to read
