"""Robustness criteria: known answers on a synthetic outcome table worked out by hand."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mobilise.analysis.robustness import (
    CRITERIA,
    best_by_state,
    non_dominated,
    quantile,
    ranks,
    robustness_table,
    state_table,
)

# Replication means of the key metric at the milestone date, package x state.
VALUES = {
    "A": [0.90, 0.80, 0.70, 0.95],
    "B": [0.85, 0.85, 0.85, 0.85],
    "C": [0.60, 0.99, 0.75, 0.90],
}
# milestone_met in replications 0 and 1, per state
MET = {
    "A": [(1, 1), (0, 0), (0, 0), (1, 0)],
    "B": [(1, 0), (0, 1), (1, 0), (0, 1)],
    "C": [(1, 1), (1, 1), (0, 0), (1, 1)],
}
# By hand: best per state (0.90, 0.99, 0.85, 0.95); regret A (0, .19, .15, 0),
# B (.05, .14, 0, .10), C (.30, 0, .10, .05). Quantiles are linear in sorted order:
# the 90th of four values sits at 2.7, the 10th at 0.3.
EXPECTED = {
    "A": {
        "maximin": 0.70,
        "milestone_mean": 0.8375,
        "hurwicz": 0.825,
        "milestone_p10": 0.73,
        "minimax_regret": 0.19,
        "regret_p90": 0.15 + 0.7 * 0.04,
        "satisficing": 0.5,
        "p_met": 0.375,
        "final_mean": 0.8875,
    },
    "B": {
        "maximin": 0.85,
        "milestone_mean": 0.85,
        "hurwicz": 0.85,
        "milestone_p10": 0.85,
        "minimax_regret": 0.14,
        "regret_p90": 0.10 + 0.7 * 0.04,
        "satisficing": 1.0,
        "p_met": 0.5,
        "final_mean": 0.90,
    },
    "C": {
        "maximin": 0.60,
        "milestone_mean": 0.81,
        "hurwicz": 0.795,
        "milestone_p10": 0.60 + 0.3 * 0.15,
        "minimax_regret": 0.30,
        "regret_p90": 0.10 + 0.7 * 0.20,
        "satisficing": 0.75,
        "p_met": 0.75,
        "final_mean": 0.86,
    },
}


def synthetic_runs(drop=()):
    """Two replications per package and state: the value +0.01 and -0.01 (a shared shock)."""
    rows = []
    for package, values in VALUES.items():
        for state, value in enumerate(values):
            for replication, shock in enumerate((0.01, -0.01)):
                if (package, state, replication) in drop:
                    continue
                rows.append(
                    {
                        "arm": package,
                        "point": state,
                        "replication": replication,
                        "milestone_metric": value + shock,
                        "final_metric": value + 0.05 + shock,
                        "milestone_met": bool(MET[package][state][replication]),
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def table():
    return robustness_table(synthetic_runs(), resamples=2000, seed=3).set_index("package")


@pytest.mark.parametrize("package", list(EXPECTED))
def test_criteria_match_the_hand_computed_answers(table, package):
    for name, expected in EXPECTED[package].items():
        assert table.loc[package, name] == pytest.approx(expected, abs=1e-12), name


def test_every_declared_criterion_is_a_column_with_an_interval(table):
    for criterion in CRITERIA:
        assert {criterion.name, f"{criterion.name}_low", f"{criterion.name}_high"} <= set(
            table.columns
        )
    assert (table["states"] == 4).all() and (table["replications"] == 2).all()


def test_ranking_satisficing_then_regret(table):
    assert table["rank"].to_dict() == {"B": 1, "C": 2, "A": 3}
    by_regret = ranks(table.reset_index(), ["regret_p90"])
    assert dict(zip(table.index, by_regret, strict=True)) == {"B": 1, "A": 2, "C": 3}
    by_maximin = ranks(table.reset_index(), ["maximin"])
    assert dict(zip(table.index, by_maximin, strict=True)) == {"B": 1, "A": 2, "C": 3}


def test_satisficing_threshold_and_hurwicz_alpha():
    strict = robustness_table(
        synthetic_runs(), met_share=1.0, hurwicz_alpha=0.25, resamples=0
    ).set_index("package")
    # met in every replication: A only in state 0, B never, C in three states
    assert strict["satisficing"].to_dict() == {"A": 0.25, "B": 0.0, "C": 0.75}
    assert strict.loc["A", "hurwicz"] == pytest.approx(0.25 * 0.95 + 0.75 * 0.70)
    assert strict.loc["C", "hurwicz"] == pytest.approx(0.25 * 0.99 + 0.75 * 0.60)
    assert strict["regret_p90_low"].isna().all()  # no bootstrap asked for


def test_bootstrap_keeps_the_pairing_of_replications(table):
    """A shock shared by every package in a replication leaves regret unmoved.

    The bootstrap resamples replications for all packages at once; the level moves
    by at most the shock.
    """
    for package in EXPECTED:
        row = table.loc[package]
        assert row["regret_p90_low"] == pytest.approx(row["regret_p90"], abs=1e-12)
        assert row["regret_p90_high"] == pytest.approx(row["regret_p90"], abs=1e-12)
        assert row["minimax_regret_low"] == pytest.approx(row["minimax_regret"], abs=1e-12)
        # a quarter of resamples take replication 0 twice (+0.01), a quarter 1 twice
        assert row["milestone_mean_low"] == pytest.approx(row["milestone_mean"] - 0.01)
        assert row["milestone_mean_high"] == pytest.approx(row["milestone_mean"] + 0.01)
        assert row["satisficing_low"] <= row["satisficing"] <= row["satisficing_high"]


def test_state_table_values_regret_and_met():
    states = state_table(synthetic_runs()).set_index(["package", "point"])
    assert states.loc[("A", 1), "regret"] == pytest.approx(0.19)
    assert states.loc[("C", 1), "regret"] == pytest.approx(0.0)
    assert states.loc[("B", 2), "milestone_metric"] == pytest.approx(0.85)
    assert states.loc[("A", 3), "p_met"] == 0.5
    assert bool(states.loc[("A", 3), "met"]) and not bool(states.loc[("A", 1), "met"])
    assert (states["replications"] == 2).all()


def test_regret_against_a_fixed_reference_can_be_negative():
    reference = np.array([0.8, 0.8, 0.8, 0.8])
    table = robustness_table(synthetic_runs(), resamples=0, reference=reference)
    row = table.set_index("package").loc["B"]
    assert row["minimax_regret"] == pytest.approx(-0.05)
    best = best_by_state(synthetic_runs())
    np.testing.assert_allclose(best, [0.90, 0.99, 0.85, 0.95])


def test_a_missing_run_uses_the_replications_that_finished():
    runs = synthetic_runs(drop={("A", 2, 1)})
    table = robustness_table(runs, resamples=0).set_index("package")
    # A in state 2 is now 0.71 (replication 0 only): its worst state rises by 0.01
    assert table.loc["A", "maximin"] == pytest.approx(0.71)
    states = state_table(runs).set_index(["package", "point"])
    assert states.loc[("A", 2), "replications"] == 1


def test_quantile_matches_numpy_with_missing_values():
    rng = np.random.default_rng(4)
    values = rng.normal(size=(50, 9))
    values[rng.random(values.shape) < 0.2] = np.nan
    values[0] = np.nan
    for q in (0.0, 0.1, 0.5, 0.9, 1.0):
        with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
            expected = np.nanquantile(values, q, axis=-1)
        np.testing.assert_allclose(quantile(values, q), expected, equal_nan=True)


def test_non_dominated_known_front():
    objectives = np.array([[1, 5], [2, 2], [3, 3], [5, 1], [2, 2], [4, 4]], dtype=float)
    assert non_dominated(objectives).tolist() == [True, True, False, True, True, False]


def runs_from(values, met):
    """A runs table from arrays [package, state, replication] of metric and met."""
    p, s, r = np.indices(values.shape)
    return pd.DataFrame(
        {
            "arm": [f"p{i}" for i in p.ravel()],
            "point": s.ravel(),
            "replication": r.ravel(),
            "milestone_metric": values.ravel(),
            "final_metric": values.ravel() + 1,
            "milestone_met": met.ravel(),
        }
    )


@settings(max_examples=40, deadline=None)
@given(
    values=arrays(
        float,
        st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 3)),
        elements=st.floats(0, 1, width=32),
    ),
    seed=st.integers(0, 2**16),
    alpha=st.floats(0, 1),
)
def test_criteria_properties(values, seed, alpha):
    met = np.random.default_rng(seed).random(values.shape) < 0.5
    runs = runs_from(values, met)
    table = robustness_table(runs, resamples=0, hurwicz_alpha=alpha).set_index("package")
    means = values.mean(axis=2)  # package x state
    eps = 1e-9
    assert (table["minimax_regret"] >= table["regret_p90"] - eps).all()
    assert (table["regret_p90"] >= -eps).all()
    # the package that is best in every state has no regret
    states = state_table(runs)
    best = states.groupby("point")["regret"].min()
    assert np.allclose(best, 0)
    assert np.allclose(table["maximin"], means.min(axis=1))
    assert (table["maximin"] <= table["milestone_p10"] + eps).all()
    assert (table["milestone_p10"] <= table["milestone_mean"] + eps).all()
    assert (table["hurwicz"] >= table["maximin"] - eps).all()
    assert (table["hurwicz"] <= means.max(axis=1) + eps).all()
    assert np.allclose(table["final_mean"], table["milestone_mean"] + 1)
    looser = robustness_table(runs, resamples=0, met_share=0.3).set_index("package")
    stricter = robustness_table(runs, resamples=0, met_share=0.9).set_index("package")
    assert (looser["satisficing"] >= table["satisficing"]).all()
    assert (table["satisficing"] >= stricter["satisficing"]).all()
    assert sorted(table["rank"]) == list(range(1, len(table) + 1))
