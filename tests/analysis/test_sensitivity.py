"""Sensitivity analysis: known Sobol indices through the real batch path; the shipped file."""

import math

import numpy as np
import pandas as pd
import pytest

from mobilise import ScenarioError
from mobilise.analysis.sensitivity import indices, with_samples
from mobilise.running.batch import run_batch
from mobilise.running.design import load_experiment
from mobilise.running.executors import SequentialExecutor

from ..batch_runners import ISHIGAMI_PATHS, ishigami
from ..conftest import ROOT, SCENARIOS

# Ishigami (a = 7, b = 0.1): analytical first-order and total indices
S1 = [0.3139, 0.4424, 0.0]
ST = [0.5576, 0.4424, 0.2437]


def ishigami_experiment(tmp_path, method, samples):
    ranges = "\n".join(f"    {p}: [0, {2 * math.pi}]" for p in ISHIGAMI_PATHS)
    path = tmp_path / "ishigami.yaml"
    path.write_text(
        f"name: ishigami\nscenarios: [{SCENARIOS / 'uk_2024.yaml'}]\nreplications: 1\n"
        f"sensitivity:\n  method: {method}\n  samples: {samples}\n  seed: 1\n"
        f"  outcomes: [final_metric]\n  parameters:\n{ranges}\n"
    )
    return load_experiment(path)


def analyse(tmp_path, method, samples):
    design = ishigami_experiment(tmp_path, method, samples)
    spec = design.experiment.sensitivity
    design = with_samples(design, spec)
    run_batch(design, tmp_path / "out", SequentialExecutor(), runner=ishigami, progress=False)
    table = indices(pd.read_csv(tmp_path / "out" / "runs.csv"), design, spec)
    return table[table["arm"] == "baseline"]


def test_sobol_indices_of_ishigami_come_out_right(tmp_path):
    table = analyse(tmp_path, "sobol", 2048).set_index(["parameter", "index"])["value"]
    for i, path in enumerate(ISHIGAMI_PATHS):
        assert table[(path, "S1")] == pytest.approx(S1[i], abs=0.05), path
        assert table[(path, "ST")] == pytest.approx(ST[i], abs=0.05), path


def test_morris_ranks_ishigami_like_sobol_total_indices(tmp_path):
    table = analyse(tmp_path, "morris", 40)
    mu_star = table[table["index"] == "mu_star"].set_index("parameter")["value"]
    assert mu_star[ISHIGAMI_PATHS[2]] > 0  # x3 matters only through interaction
    assert mu_star.idxmin() != ISHIGAMI_PATHS[0]


def test_shipped_sensitivity_experiment_samples_valid_scenarios():
    design = load_experiment(ROOT / "experiments" / "uk_sensitivity.yaml")
    spec = design.experiment.sensitivity
    design = with_samples(design, spec)
    assert len(design.points) == (len(spec.parameters) + 1) * spec.samples
    matrix = np.array([[p[k] for k in spec.parameters] for p in design.points])
    lows = np.array([span.low for span in spec.parameters.values()])
    highs = np.array([span.high for span in spec.parameters.values()])
    assert (matrix >= lows - 1e-9).all() and (matrix <= highs + 1e-9).all()
    resolved = design.resolved("uk_2024", "nhs", 0)
    assert resolved.mission_spec.sigma == design.points[0]["mission.sigma"]


def test_bad_sensitivity_section_is_one_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"name: b\nscenarios: [{SCENARIOS / 'uk_2024.yaml'}]\n"
        "sensitivity: {parameters: {influence.peer: [0.5, 0.1]}}\n"
    )
    with pytest.raises(
        ScenarioError, match=r"sensitivity.parameters.influence.peer: .*low <= high"
    ):
        load_experiment(path)
