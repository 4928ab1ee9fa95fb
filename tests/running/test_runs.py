"""One run as a worker executes it: identity columns, the runs.csv row, failures recorded."""

import pandas as pd
import pytest

from mobilise.model.outcomes import run_columns
from mobilise.running.design import comparison
from mobilise.running.runs import RESULT_COLUMNS, ChunkResult, identity, run_chunk, run_one
from mobilise.running.simulate import simulate
from mobilise.schema.reforms import REFORMS

from ..conftest import SCENARIOS


def specs(replications=1, **reforms):
    design = comparison(
        SCENARIOS / "minimal_threshold.yaml",
        reforms or {"pooled_budgets": 1.0},
        replications=replications,
        seed=5,
    )
    return design.runs()


def short(spec, quarters=8, **changes):
    scenario = spec.scenario.model_copy(update={"quarters": quarters})
    return spec.__class__(**{**spec.__dict__, "scenario": scenario, **changes})


def test_identity_names_the_run_its_arm_every_reforms_strength_and_its_seed():
    spec = specs()[1]
    row = identity(spec)
    assert list(row)[:7] == ["run_id", "scenario", "mission", "point", "member", "arm", "reforms"]
    assert row["member"] == 0
    assert row["arm"] == "pooled_budgets" and row["reforms"] == "pooled_budgets=1"
    assert [row[f"strength_{r}"] for r in REFORMS] == [
        1.0 if r == "pooled_budgets" else 0.0 for r in REFORMS
    ]
    assert (row["replication"], row["seed"], row["scenario"]) == (
        0,
        spec.seed,
        "minimal_threshold",
    )


def test_a_runs_row_is_its_identity_and_its_simulated_summary():
    spec = short(specs()[0], quarters=8)
    row, timeseries, agents = run_one(spec)
    done = simulate(spec.scenario, seed=spec.seed, reforms=spec.reforms)
    assert agents is None
    assert set(run_columns(spec.scenario.type_names)) <= set(row)
    assert row["final_metric"] == done.summary["final_metric"]
    assert row["milestone_metric"] == done.summary["milestone_metric"]
    assert row["peak_engaged_business"] == done.summary["peak_engaged"]["business"]
    assert row["total_spend"] == done.summary["total_spend"]
    pd.testing.assert_frame_equal(
        timeseries.drop(columns=["run_id", "mission", "point", "arm", "replication"]),
        done.frame,
        check_exact=True,
    )


def test_the_milestone_step_counts_quarters_from_the_start():
    # everyone engages at once (threshold 0): X = 1, so P = r = 0.5 >= the milestone in 2025Q1
    spec = specs()[0]
    scenario = spec.scenario.updated("populations.business.threshold", 0.0)
    row, _, _ = run_one(
        short(spec, quarters=4, scenario=scenario.model_copy(update={"quarters": 4}))
    )
    assert (row["milestone_met"], row["milestone_quarter"], row["milestone_step"]) == (
        True,
        "2025Q1",
        1,
    )
    unmet, _, _ = run_one(short(spec, quarters=6))
    assert (unmet["milestone_met"], unmet["milestone_quarter"], unmet["milestone_step"]) == (
        False,
        "",
        None,
    )


def test_recording_every_k_steps_keeps_those_and_the_last():
    spec = short(specs()[0], quarters=7, record_every=3)
    _, timeseries, _ = run_one(spec)
    assert timeseries["step"].tolist() == [0, 3, 6, 7]


def test_agent_frames_are_labelled_with_their_run():
    spec = short(specs()[1], quarters=2, record_agents=True)
    _, _, agents = run_one(spec)
    assert agents is not None
    assert (agents["run_id"] == spec.run_id).all()
    assert len(agents) == 3 * spec.scenario.size


def test_a_failing_run_is_recorded_and_the_chunk_goes_on():
    good = [short(s, quarters=3) for s in specs(replications=2)]
    broken = short(good[1], reforms={"no_such_reform": 1.0})
    result = run_chunk([good[0], broken, good[2]])
    assert isinstance(result, ChunkResult)
    assert [r["run_id"] for r in result.rows] == [good[0].run_id, good[2].run_id]
    series = pd.concat(result.timeseries)  # one frame per block, runs in run order
    assert list(dict.fromkeys(series["run_id"])) == [good[0].run_id, good[2].run_id]
    assert result.agents == []
    (failure,) = result.failures
    assert failure["run_id"] == broken.run_id and failure["seed"] == broken.seed
    assert failure["error"].startswith("UnknownNameError: unknown reform 'no_such_reform'")
    assert "\n" not in failure["error"] and "Traceback" in failure["traceback"]
    assert result.run_ids == [good[0].run_id, good[2].run_id, broken.run_id]


def test_result_columns_are_the_uk_run_columns():
    assert run_columns() == RESULT_COLUMNS


def test_run_members_is_each_member_alone_with_the_seed(uk):
    """``mobilise run`` with an ensemble: member m's run is --set of its fields, same seed."""
    from mobilise import run
    from mobilise.running.runs import run_members
    from mobilise.schema.ensemble import choose_ensemble

    short_uk = uk.updated("quarters", 6)
    ensemble = choose_ensemble(SCENARIOS / "uk_2024.yaml", uk, None, 3)
    frame, summaries = run_members(short_uk, ensemble, seed=17, reforms={"pooled_budgets": 1.0})
    assert [s["member"] for s in summaries] == [1, 2, 3]
    assert list(frame["member"].unique()) == [1, 2, 3] and len(frame) == 3 * 7
    for index, member in enumerate(ensemble.members):
        alone = run(
            short_uk.with_values(ensemble.member_values(index, "nhs")),
            seed=17,
            reforms={"pooled_budgets": 1.0},
        )
        mine = frame[frame["member"] == member].drop(columns="member").reset_index(drop=True)
        assert mine["metric"].to_numpy() == pytest.approx(alone["metric"].to_numpy(), rel=1e-12)
        assert summaries[index]["final_metric"] == alone["metric"].iloc[-1]


# --- reforms in time across plausible worlds -------------------------------------------


def timed_across_members(quarters=12):
    """Push alone vs mission councils from 2027Q1 (step 9) vs a budget, in two members."""
    from mobilise.running.design import Uncertainty

    design = comparison(
        SCENARIOS / "uk_2024.yaml",
        {"mission_councils": 1.0},
        replications=2,
        seed=3,
        starts={"mission_councils": "2027Q1"},
        budgets=(1.5,),
        uncertainty=Uncertainty(None, 2, ("constraints.union_density=0.3",)),
    )
    runs = [short(spec, quarters) for spec in design.runs()]
    return design, runs


def test_a_later_start_leaves_each_members_runs_identical_until_it_starts():
    """Common random numbers hold within each member: the timed arm is push alone until 2027Q1."""
    _, runs = timed_across_members()
    chunk = run_chunk(runs)
    series = chunk.timeseries[0]
    values = series.drop(columns=["run_id", "mission", "point", "arm", "replication"])
    member_of = {spec.run_id: spec.member for spec in runs}
    arm_of = {spec.run_id: spec.arm for spec in runs}
    by_run = {run_id: frame for run_id, frame in values.groupby(series["run_id"])}
    assert {spec.member for spec in runs} == {1, 2}
    for spec in runs:
        if arm_of[spec.run_id] != "mission_councils@2027Q1":
            continue
        partner = next(s for s in runs if s.arm == "baseline" and s.member == spec.member
                       and s.replication == spec.replication)  # fmt: skip
        mine, theirs = by_run[spec.run_id].to_numpy(), by_run[partner.run_id].to_numpy()
        assert (mine[:9] == theirs[:9]).all()  # steps 0-8: before 2027Q1, bit for bit
        assert not (mine[9:] == theirs[9:]).all()
    rows = {row["run_id"]: row for row in chunk.rows}
    for spec in runs:
        row = rows[spec.run_id]
        assert row["member"] == member_of[spec.run_id]
        timed = spec.arm == "mission_councils@2027Q1"
        assert row["start_mission_councils"] == ("2027Q1" if timed else None) or (
            not timed and pd.isna(row["start_mission_councils"])
        )
        assert row["budget_factor"] == (1.5 if spec.arm == "budget_x1.5" else 1.0)
        assert row["reforms"] == ("mission_councils=1@2027Q1" if timed else "")
    # the members are different worlds: push alone differs between them, seed for seed
    baseline = [s for s in runs if s.arm == "baseline" and s.replication == 0]
    assert (
        by_run[baseline[0].run_id].to_numpy().tolist()
        != by_run[baseline[1].run_id].to_numpy().tolist()
    )


def test_a_members_timed_run_is_reproduced_alone_with_its_fields_set():
    """A member's run is the scenario as written with its fields, its seed, start and budget."""
    design, runs = timed_across_members(quarters=10)
    ensemble = design.ensembles["uk_2024"]
    for spec in runs[:8]:
        index = ensemble.members.index(spec.member)
        world = (
            design.scenarios["uk_2024"]
            .with_values(ensemble.member_values(index, "nhs"), "member")
            .model_copy(update={"quarters": 10})
        )
        alone = simulate(world, seed=spec.seed, reforms=spec.reforms, timing=spec.timing,
                         budget=spec.budget)  # fmt: skip
        mine = run_chunk([spec]).timeseries[0]
        assert mine["metric"].tolist() == alone.frame["metric"].tolist()
