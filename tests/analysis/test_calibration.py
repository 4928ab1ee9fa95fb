"""Calibration: a fit recovers a planted parameter; checks report honestly."""

import pytest
import yaml

from mobilise import ScenarioError, load_scenario
from mobilise.analysis.calibration import check, fit
from mobilise.cli import main

from ..conftest import SCENARIOS


def small(uk, **calibration):
    spec = {
        "replications": 3,
        "seed": 2,
        "targets": [
            {
                "fact": "volunteering",
                "output": "engaged_volunteer",
                "value": 0.16,
                "tolerance": 0.01,
                "conditions": {"government.clarity": 0.0},
            }
        ],
        "parameters": {"populations.volunteer.threshold.mean": [0.0, 0.6]},
        **calibration,
    }
    # a short run: the UK's patterns read at the 2029 milestone do not belong to it
    return uk.updated("patterns", []).updated("quarters", 12).updated("calibration", spec)


def test_fit_recovers_a_planted_threshold(uk):
    planted = small(uk).updated("populations.volunteer.threshold.mean", 0.3)
    truth = check(planted)[0].value  # what the model gives at the planted value
    scenario = small(uk).updated("calibration.targets", [
        {**small(uk).calibration.targets[0].model_dump(), "value": truth}
    ])  # fmt: skip
    calibrated, record = fit(scenario)
    fitted = record["values"]["populations.volunteer.threshold.mean"]
    assert fitted == pytest.approx(0.3, abs=0.02)
    assert calibrated.populations["volunteer"].threshold.mean() == pytest.approx(fitted)
    assert calibrated.calibration.fitted["objective"] < 1.0
    assert check(calibrated)[0].ok


def test_check_flags_a_target_outside_tolerance(uk):
    far = small(uk).updated("populations.volunteer.threshold.mean", 0.6)
    result = check(far)[0]
    assert result.low <= result.value <= result.high
    assert not result.ok


def test_shipped_uk_scenario_is_calibrated_and_labelled(capsys):
    main(["calibrate", str(SCENARIOS / "uk_2024.yaml"), "--check"])
    out = capsys.readouterr().out
    assert "fitted on" in out and "ok    formal_volunteering_monthly" in out and "MISS" not in out


def test_calibrate_writes_a_valid_scenario_with_the_fit(uk, tmp_path, capsys):
    source = tmp_path / "s.yaml"
    source.write_text(yaml.safe_dump(small(uk).model_dump(mode="json", by_alias=True)))
    out = tmp_path / "fitted.yaml"
    main(["calibrate", str(source), "--out", str(out)])
    fitted = load_scenario(out)
    assert fitted.calibration.fitted["method"].startswith("scipy.optimize")
    assert "fitted" in capsys.readouterr().out


def test_scenario_without_calibration_is_one_line(tmp_path):
    bare = SCENARIOS / "minimal_threshold.yaml"
    with pytest.raises(SystemExit) as info:
        main(["calibrate", str(bare), "--check"])
    assert info.value.code == 2


def test_unknown_target_output_is_rejected(uk):
    with pytest.raises(ScenarioError, match="unknown output 'volunteers engaged'"):
        uk.updated("calibration.targets", [
            {"fact": "x", "output": "volunteers engaged", "value": 0.1, "tolerance": 0.1}
        ])  # fmt: skip
    undeclared = uk.updated("calibration.targets", [
        {"fact": "x", "output": "volunteers_engaged", "value": 0.1, "tolerance": 0.1}
    ])  # fmt: skip
    with pytest.raises(ScenarioError, match="pattern 'x': unknown output 'volunteers_engaged'"):
        check(undeclared)
