"""Scenario discovery: PRIM and the tree find a planted box; the CLI on a real sweep."""

import numpy as np
import pandas as pd
import pytest

from mobilise.analysis.discovery import _inside, prim, tree_boxes
from mobilise.cli import main


def planted(n=2000, noise=0.01, seed=0):
    rng = np.random.default_rng(seed)
    inputs = pd.DataFrame(rng.uniform(0, 1, (n, 4)), columns=["a", "b", "c", "d"])
    inputs["switch"] = rng.integers(0, 2, n).astype(float)
    inside = (inputs["a"] >= 0.6) & (inputs["c"] <= 0.3) & (inputs["switch"] == 1)
    flip = rng.random(n) < noise
    return inputs, (inside.to_numpy() ^ flip)


def test_prim_finds_the_planted_box():
    inputs, success = planted()
    box, trajectory = prim(inputs, success, min_coverage=0.7)
    assert set(box.limits) == {"a", "c", "switch"}
    assert box.limits["a"][0] == pytest.approx(0.6, abs=0.05)
    assert box.limits["c"][1] == pytest.approx(0.3, abs=0.05)
    assert box.limits["switch"][0] > 0
    assert box.density > 0.8 and box.coverage > 0.7
    assert trajectory[0].coverage == 1.0 and trajectory[0].limits == {}
    # the trajectory trades coverage for density
    assert trajectory[-1].density > trajectory[0].density
    assert "switch on" in box.describe() or "switch" in box.describe()


def test_prim_statistics_are_consistent():
    inputs, success = planted(seed=3)
    box, _ = prim(inputs, success, min_coverage=0.8)
    inside = _inside(inputs, box.limits)
    assert box.mass == pytest.approx(inside.mean())
    assert box.density == pytest.approx(success[inside].mean())
    assert box.coverage == pytest.approx(success[inside].sum() / success.sum())


def test_tree_finds_the_planted_box():
    inputs, success = planted()
    best = tree_boxes(inputs, success)[0]
    assert best.density > 0.8
    assert {"a", "c", "switch"} <= set(best.limits)


def test_discover_on_a_real_sweep(tmp_path, capsys):
    from mobilise.running.batch import run_batch
    from mobilise.running.design import load_experiment
    from mobilise.running.executors import SequentialExecutor

    from ..conftest import SCENARIOS

    path = tmp_path / "sweep.yaml"
    path.write_text(
        f"name: s\nscenarios: [{SCENARIOS / 'uk_2024.yaml'}]\nquarters: 20\n"
        "arms: {single: [multi_year_funding]}\n"
        "sweep: {grid: {constraints.union_density: [0.1, 0.3, 0.5]}}\nreplications: 4\n"
    )
    out = tmp_path / "out"
    run_batch(load_experiment(path), out, SequentialExecutor(), progress=False)
    # the milestone (2029Q1) lies past 20 quarters: no run meets it, nothing to tell apart
    with pytest.raises(SystemExit) as refused:
        main(["discover", str(out), "--outcome", "milestone_met"])
    assert refused.value.code == 2 and "no run of 24 has milestone_met" in capsys.readouterr().err
    median = pd.read_csv(out / "runs.csv")["final_metric"].median()
    main(["discover", str(out), "--outcome", "final_metric", "--threshold", str(float(median)),
          "--min-coverage", "0.5"])  # fmt: skip
    text = capsys.readouterr().out
    assert "covering" in text and "50% with final metric" in text
    boxes = pd.read_csv(out / "boxes.csv")
    assert boxes["chosen"].any()
    assert boxes.loc[boxes["chosen"], "density"].iloc[0] >= 0.5  # no worse than all runs
    assert set(boxes["input"].dropna()) <= {
        "constraints.union_density",
        "strength_multi_year_funding",
    }
    assert (out / "figures" / "discovery.png").stat().st_size > 5000
