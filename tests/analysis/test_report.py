"""Batch folders to tables: effects for every effect outcome, half-widths, one-line refusals."""

import numpy as np
import pandas as pd
import pytest

from mobilise.analysis.effects import paired_effects
from mobilise.analysis.report import (
    all_effects,
    all_half_widths,
    batch_folder,
    read_batch,
    write_tables,
)
from mobilise.schema.outcomes import EFFECT_OUTCOMES
from mobilise.vocabulary import OutputError


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
    assert batch_folder(tmp_path) == {}
