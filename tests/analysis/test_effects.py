"""Paired effects, factorial contrasts and bands recover what synthetic data plant."""

import io
import math
from itertools import product

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise import ACTOR_TYPES, REFORMS
from mobilise.analysis.effects import (
    EFFECT_COLUMNS,
    FACTORIAL_COLUMNS,
    ci_half_width,
    effect_half_widths,
    factorial_effects,
    paired_effects,
    quantile_bands,
    quantile_column,
    t_interval,
)

TRUE_DIFF = 0.05
FACTORS = ["mission_councils", "pooled_budgets", "patient_capital"]


def run_row(
    run_id, mission, point, arm, strengths, replication, metric, met, **extra
) -> dict[str, object]:
    """One row of the runs frame, in the batch runner's documented format."""
    return {
        "run_id": run_id,
        "scenario": "synthetic",
        "mission": mission,
        "point": point,
        "arm": arm,
        "reforms": ";".join(f"{r}={s:g}" for r, s in strengths.items()),
        **{f"strength_{r}": float(strengths.get(r, 0.0)) for r in REFORMS},
        "replication": replication,
        "seed": 1000 + replication,
        **extra,
        "final_metric": metric,
        "final_progress": min(1.0, max(0.0, metric)),
        "milestone_met": bool(met),
        "milestone_quarter": "2029Q1" if met else "",
        **{f"peak_engaged_{t}": 0.5 for t in ACTOR_TYPES},
        **{f"final_engaged_{t}": 0.4 for t in ACTOR_TYPES},
        "total_spend": 10.0,
    }


def synthetic_runs(
    rng: np.random.Generator,
    *,
    replications: int = 20,
    points: int = 1,
    diff: float = TRUE_DIFF,
    shared_sd: float = 0.1,
    noise_sd: float = 0.02,
    arms: tuple[str, ...] = ("mission_councils",),
) -> pd.DataFrame:
    """Baseline plus arms at ``baseline + diff + noise``, with a shared replication effect."""
    rows = []
    for point in range(points):
        for rep in range(replications):
            shared = rng.normal(0.0, shared_sd)
            base = 0.7 + shared + rng.normal(0.0, noise_sd)  # each run has its own noise
            rows.append(run_row(len(rows), "nhs", point, "baseline", {}, rep, base, base > 0.75))
            for arm in arms:
                value = 0.7 + shared + diff + rng.normal(0.0, noise_sd)
                rows.append(
                    run_row(len(rows), "nhs", point, arm, {arm: 1.0}, rep, value, value > 0.75)
                )
    return pd.DataFrame(rows)


def factorial_runs(
    rng: np.random.Generator,
    main: dict[str, float],
    interaction: float,
    *,
    replications: int = 12,
    noise_sd: float = 0.01,
    shared_sd: float = 0.2,
) -> pd.DataFrame:
    """A 2^k design: ``y = u_r + sum b_j x_j + g x_0 x_1 + noise``, x in {0, 1}."""
    names = list(main)
    rows = []
    for rep in range(replications):
        shared = rng.normal(0.0, shared_sd)
        for cell in product([0, 1], repeat=len(names)):
            on = {n: 1.0 for n, x in zip(names, cell, strict=True) if x}
            y = 1.0 + shared + sum(main[n] for n in on) + interaction * cell[0] * cell[1]
            y += rng.normal(0.0, noise_sd)
            arm = "+".join(on) or "baseline"
            rows.append(run_row(len(rows), "nhs", 0, arm, on, rep, y, y > 1.5))
    return pd.DataFrame(rows)


# --- intervals ------------------------------------------------------------------------


def test_t_interval_matches_scipy_and_handles_small_samples():
    from scipy import stats

    x = np.array([0.1, 0.4, 0.35, 0.2, 0.3])
    mean, low, high = t_interval(x, 0.9)
    expected = stats.t.interval(0.9, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (low, high) == pytest.approx(expected)
    assert mean == pytest.approx(x.mean())
    assert math.isnan(ci_half_width([1.0]))
    assert t_interval([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)  # zero variance: the point
    assert all(math.isnan(v) for v in t_interval([]))


# --- paired effects -------------------------------------------------------------------


def test_columns_and_one_row_per_arm():
    runs = synthetic_runs(np.random.default_rng(0), arms=("mission_councils", "pooled_budgets"))
    effects = paired_effects(runs)
    assert list(effects.columns) == EFFECT_COLUMNS
    assert list(effects["arm"]) == ["mission_councils", "pooled_budgets"]
    assert (effects["n"] == 20).all()
    assert list(effects["reforms"]) == ["mission_councils=1", "pooled_budgets=1"]


def test_t_and_bootstrap_intervals_cover_the_planted_difference():
    effects = paired_effects(synthetic_runs(np.random.default_rng(1), replications=30))
    row = effects.iloc[0]
    assert row["t_low"] < TRUE_DIFF < row["t_high"]
    assert row["boot_low"] < TRUE_DIFF < row["boot_high"]
    assert row["mean_diff"] == pytest.approx(row["arm_mean"] - row["baseline_mean"])


def test_coverage_over_many_synthetic_experiments_is_near_nominal():
    """200 independent experiments (one per point): about 95% of intervals cover."""
    runs = synthetic_runs(np.random.default_rng(2), replications=30, points=200)
    effects = paired_effects(runs, bootstrap=1000)
    t_cover = ((effects["t_low"] <= TRUE_DIFF) & (effects["t_high"] >= TRUE_DIFF)).mean()
    boot_cover = ((effects["boot_low"] <= TRUE_DIFF) & (effects["boot_high"] >= TRUE_DIFF)).mean()
    assert len(effects) == 200
    assert t_cover >= 0.90
    assert boot_cover >= 0.88  # percentile bootstrap undercovers a little at n = 30
    assert t_cover <= 0.995  # not trivially wide either


def test_pairing_beats_independent_arms_when_replications_share_noise():
    row = paired_effects(synthetic_runs(np.random.default_rng(3), shared_sd=0.2)).iloc[0]
    assert row["sd_diff"] < row["sd_unpaired"] / 3


def test_no_shared_effect_gives_similar_paired_and_unpaired_spread():
    runs = synthetic_runs(np.random.default_rng(4), replications=200, shared_sd=0.0)
    row = paired_effects(runs, bootstrap=0).iloc[0]
    assert row["sd_diff"] == pytest.approx(row["sd_unpaired"], rel=0.15)
    assert math.isnan(row["boot_low"])  # bootstrap=0 skips it


def test_milestone_difference_is_paired_and_clipped():
    rng = np.random.default_rng(5)
    rows = []
    for rep in range(400):  # baseline meets with p = 0.3; the reform adds 0.2 (to 0.5)
        base = rng.random() < 0.3
        arm = base or rng.random() < 0.2 / 0.7
        rows.append(run_row(len(rows), "nhs", 0, "baseline", {}, rep, 0.7, base))
        rows.append(
            run_row(len(rows), "nhs", 0, "pooled_budgets", {"pooled_budgets": 1}, rep, 0.8, arm)
        )
    row = paired_effects(pd.DataFrame(rows)).iloc[0]
    assert row["diff_met"] == pytest.approx(row["p_met_arm"] - row["p_met_baseline"])
    assert row["diff_met_low"] < 0.2 < row["diff_met_high"]
    assert -1 <= row["diff_met_low"] <= row["diff_met_high"] <= 1


@pytest.mark.parametrize(("base", "arm", "expected"), [(False, True, 1.0), (True, True, 0.0)])
def test_milestone_difference_without_variance_is_the_point(base, arm, expected):
    rows = []
    for rep in range(5):
        rows.append(run_row(len(rows), "nhs", 0, "baseline", {}, rep, 0.7 + rep, base))
        rows.append(run_row(len(rows), "nhs", 0, "r", {"pooled_budgets": 1}, rep, 0.8 + rep, arm))
    row = paired_effects(pd.DataFrame(rows)).iloc[0]
    assert (row["diff_met"], row["diff_met_low"], row["diff_met_high"]) == (expected,) * 3
    # the metric difference has zero variance too: its interval is the point
    assert row["t_low"] == pytest.approx(0.1) and row["t_high"] == pytest.approx(0.1)


def test_a_single_pair_gives_nan_intervals_not_an_error():
    runs = synthetic_runs(np.random.default_rng(6), replications=1)
    row = paired_effects(runs).iloc[0]
    assert row["n"] == 1 and np.isfinite(row["mean_diff"])
    for column in ("sd_diff", "sd_unpaired", "t_low", "t_high", "boot_low", "diff_met_low"):
        assert math.isnan(row[column]), column


def test_an_arm_without_baseline_partners_has_n_zero():
    runs = synthetic_runs(np.random.default_rng(7), replications=4)
    runs = runs[~((runs["arm"] == "baseline") & (runs["replication"] >= 1))]
    row = paired_effects(runs).iloc[0]
    assert row["n"] == 1  # only replication 0 is paired
    alone = paired_effects(runs[runs["arm"] != "baseline"]).iloc[0]
    assert alone["n"] == 0 and math.isnan(alone["mean_diff"])


def test_bootstrap_is_deterministic_and_independent_of_other_arms():
    runs = synthetic_runs(np.random.default_rng(8), arms=("mission_councils", "pooled_budgets"))
    first, again = paired_effects(runs, seed=3), paired_effects(runs, seed=3)
    pd.testing.assert_frame_equal(first, again)
    other_seed = paired_effects(runs, seed=4)
    assert not np.allclose(first["boot_low"], other_seed["boot_low"])
    one_arm = paired_effects(runs[runs["arm"] != "pooled_budgets"], seed=3)
    assert one_arm["boot_low"].iloc[0] == first["boot_low"].iloc[0]


def test_half_widths_are_the_t_intervals():
    runs = synthetic_runs(np.random.default_rng(9), points=3, arms=("a", "b"))
    widths = effect_half_widths(runs, confidence=0.9)
    effects = paired_effects(runs, confidence=0.9, bootstrap=0)
    assert widths.index.names == ["mission", "point", "arm"]
    expected = ((effects["t_high"] - effects["t_low"]) / 2).to_numpy()
    np.testing.assert_allclose(widths.to_numpy(), expected)
    assert widths.loc[("nhs", 2, "b")] == pytest.approx(expected[-1])


def test_csv_round_trip_gives_the_same_effects():
    runs = synthetic_runs(np.random.default_rng(10))
    buffer = io.StringIO()
    runs.to_csv(buffer, index=False)
    buffer.seek(0)
    again = pd.read_csv(buffer, keep_default_na=False, na_values=[""])
    pd.testing.assert_frame_equal(paired_effects(runs), paired_effects(again))


def test_duplicated_runs_and_missing_columns_are_errors():
    runs = synthetic_runs(np.random.default_rng(11), replications=3)
    with pytest.raises(ValueError, match="more than one run"):
        paired_effects(pd.concat([runs, runs.iloc[[1]]]))
    with pytest.raises(ValueError, match=r"missing column.*replication"):
        paired_effects(runs.drop(columns="replication"))


@settings(max_examples=25, deadline=None)
@given(
    shifts=st.lists(st.floats(-100, 100), min_size=3, max_size=12),
    seed=st.integers(0, 2**16),
)
def test_a_shared_replication_shift_cancels_exactly(shifts, seed):
    """Common random numbers: anything shared within a replication leaves the effect alone."""
    runs = synthetic_runs(np.random.default_rng(seed), replications=len(shifts), shared_sd=0.0)
    moved = runs.assign(
        final_metric=runs["final_metric"] + runs["replication"].map(dict(enumerate(shifts)))
    )
    a, b = paired_effects(runs, bootstrap=0).iloc[0], paired_effects(moved, bootstrap=0).iloc[0]
    for column in ("mean_diff", "sd_diff", "t_low", "t_high"):
        assert b[column] == pytest.approx(a[column], abs=1e-9), column
    assert a["t_low"] <= a["mean_diff"] <= a["t_high"]


# --- factorial ------------------------------------------------------------------------


def _row(frame: pd.DataFrame, kind: str, term: str) -> pd.Series:
    rows = frame[(frame["kind"] == kind) & (frame["term"] == term)]
    assert len(rows) == 1, (kind, term)
    return rows.iloc[0]


def test_factorial_recovers_planted_main_effects_and_interaction():
    main = {"mission_councils": 0.3, "pooled_budgets": 0.1, "patient_capital": -0.05}
    gamma = 0.2  # on mission_councils x pooled_budgets
    result = factorial_effects(factorial_runs(np.random.default_rng(12), main, gamma), FACTORS)
    assert list(result.columns) == FACTORIAL_COLUMNS
    assert (result["n"] == 12).all()
    expected_main = {
        "mission_councils": main["mission_councils"] + gamma / 2,  # averaged over pooled on/off
        "pooled_budgets": main["pooled_budgets"] + gamma / 2,
        "patient_capital": main["patient_capital"],
    }
    for term, value in expected_main.items():
        row = _row(result, "main", term)
        assert row["low"] < value < row["high"], term
    expected_interactions = {
        "mission_councils:pooled_budgets": gamma / 2,  # half the difference-in-differences
        "mission_councils:patient_capital": 0.0,
        "pooled_budgets:patient_capital": 0.0,
    }
    for term, value in expected_interactions.items():
        row = _row(result, "interaction", term)
        assert row["low"] < value < row["high"], term
    synergy = _row(result, "synergy", "synergy")
    assert synergy["low"] < gamma < synergy["high"]
    total = _row(result, "total", "+".join(FACTORS))
    assert total["low"] < sum(main.values()) + gamma < total["high"]
    shapley = result[result["kind"] == "shapley"].set_index("term")["estimate"]
    assert shapley.sum() == pytest.approx(total["estimate"])
    # the interaction's gain splits evenly between its two reforms
    assert shapley["mission_councils"] == pytest.approx(0.3 + gamma / 2, abs=0.02)
    assert shapley["patient_capital"] == pytest.approx(-0.05, abs=0.02)


def test_two_factor_conventions_on_noiseless_cells():
    main = {"mission_councils": 1.0, "pooled_budgets": 2.0}
    runs = factorial_runs(np.random.default_rng(13), main, 4.0, noise_sd=0.0)
    result = factorial_effects(runs, list(main))
    # cells (off,off)=0, (on,off)=1, (off,on)=2, (on,on)=7 above the replication's level
    assert _row(result, "interaction", "mission_councils:pooled_budgets")["estimate"] == (
        pytest.approx((7 + 0 - 1 - 2) / 2)
    )
    assert _row(result, "main", "mission_councils")["estimate"] == pytest.approx((1 + 7) / 2 - 1)
    assert _row(result, "synergy", "synergy")["estimate"] == pytest.approx(7 - 1 - 2)
    row = _row(result, "shapley", "pooled_budgets")
    assert row["estimate"] == pytest.approx(0.5 * (2 - 0) + 0.5 * (7 - 1))
    assert row["low"] == pytest.approx(row["high"])  # no noise: the interval is the point


@settings(max_examples=30, deadline=None)
@given(
    k=st.integers(1, 4),
    reps=st.integers(2, 5),
    data=st.data(),
)
def test_shapley_values_sum_to_the_all_on_effect(k, reps, data):
    names = list(REFORMS)[:k]
    values = data.draw(st.lists(st.floats(-10, 10), min_size=reps * 2**k, max_size=reps * 2**k))
    rows = []
    for rep in range(reps):
        for cell in range(2**k):
            on = {n: 1.0 for j, n in enumerate(names) if cell >> j & 1}
            y = values[rep * 2**k + cell]
            rows.append(run_row(len(rows), "nhs", 0, "+".join(on) or "baseline", on, rep, y, False))
    result = factorial_effects(pd.DataFrame(rows), names)
    total = result.loc[result["kind"] == "total", "estimate"].item()
    shapley = result.loc[result["kind"] == "shapley", "estimate"]
    assert len(shapley) == k
    assert shapley.sum() == pytest.approx(total, abs=1e-9)
    assert len(result[result["kind"] == "interaction"]) == k * (k - 1) // 2


def test_missing_cell_is_named():
    runs = factorial_runs(np.random.default_rng(14), dict.fromkeys(FACTORS, 0.1), 0.0)
    runs = runs[runs["arm"] != "mission_councils+patient_capital"]
    with pytest.raises(
        ValueError, match="mission_councils=on, pooled_budgets=off, patient_capital=on"
    ):
        factorial_effects(runs, FACTORS)


def test_arms_with_other_reforms_are_not_part_of_the_design():
    runs = factorial_runs(np.random.default_rng(15), dict.fromkeys(FACTORS[:2], 0.1), 0.05)
    extra = runs[runs["arm"] == "mission_councils"].assign(
        arm="mission_councils+ownership", strength_mission_ownership=1.0, final_metric=99.0
    )
    pd.testing.assert_frame_equal(
        factorial_effects(runs, FACTORS[:2]),
        factorial_effects(pd.concat([runs, extra]), FACTORS[:2]),
    )


def test_a_design_without_runs_is_an_error():
    runs = factorial_runs(np.random.default_rng(16), dict.fromkeys(FACTORS[:2], 0.1), 0.0)
    with pytest.raises(ValueError, match="no runs with only"):
        factorial_effects(runs.assign(strength_time_for_civic_life=1.0), FACTORS[:2])
    with pytest.raises(ValueError, match="strength_nonsense"):
        factorial_effects(runs, ["nonsense"])


def test_two_arms_in_one_cell_are_an_error():
    runs = factorial_runs(np.random.default_rng(16), dict.fromkeys(FACTORS[:2], 0.1), 0.0)
    half = runs[runs["arm"] == "pooled_budgets"].assign(
        arm="pooled_half", strength_pooled_budgets=0.5
    )
    with pytest.raises(ValueError, match="several arms"):
        factorial_effects(pd.concat([runs, half]), FACTORS[:2])


# --- bands ----------------------------------------------------------------------------


def test_quantile_bands_match_numpy():
    rng = np.random.default_rng(17)
    rows = [
        {"run_id": r, "mission": "nhs", "point": 0, "arm": arm, "replication": r, "step": s,
         "quarter": f"2025Q{s % 4 + 1}", "metric": rng.normal(s, 1.0)}
        for arm in ("baseline", "a") for r in range(50) for s in range(4)
    ]  # fmt: skip
    ts = pd.DataFrame(rows)
    bands = quantile_bands(ts)
    assert len(bands) == 2 * 4
    assert {"q05", "q25", "q50", "q75", "q95", "median", "n", "quarter"} <= set(bands.columns)
    one = ts[(ts["arm"] == "a") & (ts["step"] == 2)]["metric"].to_numpy()
    row = bands[(bands["arm"] == "a") & (bands["step"] == 2)].iloc[0]
    assert row["q05"] == pytest.approx(np.quantile(one, 0.05))
    assert row["median"] == pytest.approx(np.median(one)) == row["q50"]
    assert row["n"] == 50 and row["quarter"] == "2025Q3"
    assert (bands["q05"] <= bands["q25"]).all() and (bands["q75"] <= bands["q95"]).all()


def test_quantile_column_names():
    assert [quantile_column(q) for q in (0.05, 0.5, 0.975, 0.1)] == ["q05", "q50", "q97.5", "q10"]


def test_an_arm_that_costs_money_reports_its_effect_per_gbp_bn():
    runs = synthetic_runs(np.random.default_rng(3), arms=("mission_councils", "pooled_budgets"))
    runs["cost"] = np.where(runs["arm"] == "mission_councils", 4.0, 0.0)
    effects = paired_effects(runs, bootstrap=0).set_index("arm")
    paid = effects.loc["mission_councils"]
    assert paid["cost_bn"] == 4.0
    assert paid["per_bn"] == pytest.approx(paid["mean_diff"] / 4.0)
    assert (paid["per_bn_low"], paid["per_bn_high"]) == pytest.approx(
        (paid["t_low"] / 4.0, paid["t_high"] / 4.0)
    )
    free = effects.loc["pooled_budgets"]
    assert free["cost_bn"] == 0.0 and math.isnan(free["per_bn"])
    # runs from before costs were recorded: no cost, no effect per GBP bn
    old = paired_effects(runs.drop(columns="cost"), bootstrap=0)
    assert (old["cost_bn"] == 0.0).all() and old["per_bn"].isna().all()


# --- effects across plausible worlds ---------------------------------------------------

from mobilise.analysis.effects import (  # noqa: E402
    beat_probabilities,
    beyond_chance,
    effect_drivers,
    ensemble_spread,
    rank_probabilities,
)


def worlds(members=400, seeds=10, between=1.0, within=2.0, seed=0):
    """Paired effects: member means ~ N(1, between^2), seed noise ~ N(0, within^2)."""
    rng = np.random.default_rng(seed)
    means = 1.0 + rng.normal(scale=between, size=members)
    diff = (means[:, None] + rng.normal(scale=within, size=(members, seeds))).ravel()
    return diff, np.repeat(np.arange(1, members + 1), seeds), means


def test_the_law_of_total_variance_splits_parameters_from_seeds():
    diff, member, _ = worlds(between=1.0, within=2.0)
    spread = ensemble_spread(diff, member)
    assert spread["parameter_share"] == pytest.approx(1 / (1 + 4), abs=0.04)
    assert spread["members"] == 400
    total = np.sqrt(1 + 4)
    assert spread["low"] == pytest.approx(1 - 1.96 * total, abs=0.2)
    assert spread["high"] == pytest.approx(1 + 1.96 * total, abs=0.2)
    assert spread["seed_low"] == pytest.approx(1 - 1.96 * 2, abs=0.2)
    assert spread["seed_high"] == pytest.approx(1 + 1.96 * 2, abs=0.2)
    assert spread["p_positive"] == pytest.approx(
        0.5 + 0.5 * math.erf(1 / total / np.sqrt(2)), abs=0.02
    )


def test_no_parameters_no_parameter_share_and_seeds_alone_are_everything():
    diff, member, _ = worlds(between=0.0, within=1.0, members=300)
    assert ensemble_spread(diff, member)["parameter_share"] < 0.03  # seed noise corrected away
    one = ensemble_spread(diff[:10], np.zeros(10))
    assert one["parameter_share"] == 0.0 and one["members"] == 1
    assert one["seed_low"] == pytest.approx(one["low"], abs=0.5)
    only_parameters = ensemble_spread(np.arange(5.0), np.arange(5))  # one seed each
    assert math.isnan(only_parameters["parameter_share"])


def _runs(effects_by_arm, members=50, seeds=4, seed=1):
    """A runs table whose paired effects are the given functions of (member, replication)."""
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(1, members + 1):
        for r in range(seeds):
            base = rng.normal()
            rows.append({"mission": "nhs", "point": 0, "member": m, "replication": r,
                         "arm": "baseline", "reforms": "", "final_metric": base})  # fmt: skip
            for arm, effect in effects_by_arm.items():
                rows.append({"mission": "nhs", "point": 0, "member": m, "replication": r,
                             "arm": arm, "reforms": f"{arm}=1",
                             "final_metric": base + effect(m, r)})  # fmt: skip
    return pd.DataFrame(rows)


def test_rank_and_pairwise_probabilities_count_worlds_and_seeds():
    runs = _runs({"big": lambda m, r: 2.0, "small": lambda m, r: 1.0 if m % 4 else 3.0})
    ranks = rank_probabilities(runs, outcome="final_metric").set_index("arm")
    assert ranks.loc["big", "p_first"] == pytest.approx(0.76)  # small wins in 12 of 50 worlds
    assert ranks.loc["small", "p_first"] == pytest.approx(0.24)
    assert ranks["p_first"].sum() == pytest.approx(1.0)
    pairs = beat_probabilities(runs, outcome="final_metric").set_index(["arm", "other"])
    assert pairs.loc[("big", "small"), "p_beats"] == pytest.approx(0.76)
    assert pairs.loc[("small", "big"), "p_beats"] == pytest.approx(0.24)
    tie = beat_probabilities(_runs({"a": lambda m, r: 1.0, "b": lambda m, r: 1.0}),
                             outcome="final_metric")  # fmt: skip
    assert (tie["p_beats"] == 0.5).all()


def test_the_drivers_of_an_effect_are_the_inputs_that_move_it():
    rng = np.random.default_rng(3)
    members = pd.DataFrame({"member": range(1, 61)})
    for name in ("influence.cross", "noise_a", "noise_b", "reform_sizes.other.size"):
        members[name] = rng.uniform(size=60)
    members["reform_sizes.councils.tie_factor"] = rng.uniform(size=60)
    cross = dict(zip(members["member"], members["influence.cross"], strict=True))
    ties = dict(zip(members["member"], members["reform_sizes.councils.tie_factor"], strict=True))
    runs = _runs(
        {"councils": lambda m, r: 3 * cross[m] + 2 * ties[m] + 0.1 * np.sin(r)}, members=60
    )
    drivers = effect_drivers(runs, members, outcome="final_metric")
    assert list(drivers["input"][:2]) == ["influence.cross", "reform_sizes.councils.tie_factor"]
    assert drivers["beyond_noise"].iloc[0] and drivers["rho"].iloc[0] > 0.8
    assert "reform_sizes.other.size" not in set(drivers["input"])  # not this arm's reform


def test_chance_correlations_do_not_stand_out():
    rng = np.random.default_rng(0)
    flagged = [beyond_chance(rng.normal(scale=1 / np.sqrt(39), size=50), 40).any()
               for _ in range(200)]  # fmt: skip
    assert np.mean(flagged) < 0.15  # the false discovery rate, about
    assert beyond_chance(np.array([0.9, 0.01]), 40).tolist() == [True, False]


def test_effects_carry_the_ensemble_columns():
    runs = _runs({"a": lambda m, r: 1.0 + m / 50})
    effects = paired_effects(runs)
    row = effects.iloc[0]
    assert row["members"] == 50 and row["n"] == 200
    assert row["parameter_share"] > 0.9 and row["p_positive"] == 1.0
    assert row["low"] < row["mean_diff"] < row["high"]
