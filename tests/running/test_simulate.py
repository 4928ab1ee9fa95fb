"""simulate(): one run, one model; frame, summary and agents agree with run() and summarise()."""

import pandas as pd
import pytest

from mobilise import run, summarise
from mobilise.model.model import MissionModel
from mobilise.model.outcomes import step_columns
from mobilise.running.simulate import Run, milestone_status, simulate
from mobilise.vocabulary import quarter_index, quarter_label


def test_simulate_returns_a_finished_model_and_what_run_and_summarise_give(minimal):
    done = simulate(minimal, seed=3, steps=10)
    assert isinstance(done, Run) and isinstance(done.model, MissionModel)
    assert done.agents is None
    pd.testing.assert_frame_equal(done.frame, run(minimal, seed=3, steps=10), check_exact=True)
    shortened = minimal.model_copy(update={"quarters": 10})
    assert done.summary == summarise(done.frame, shortened)
    assert len(done.frame) == 11 and done.frame["step"].tolist() == list(range(11))
    assert list(done.frame.columns) == step_columns(minimal.type_names)


def test_the_seed_defaults_to_the_scenarios_and_fixes_the_run(uk):
    default = simulate(uk, steps=4).frame
    pd.testing.assert_frame_equal(
        default, simulate(uk, seed=uk.seed, steps=4).frame, check_exact=True
    )
    pd.testing.assert_frame_equal(default, simulate(uk, steps=4).frame, check_exact=True)
    other = simulate(uk, seed=uk.seed + 1, steps=4).frame
    assert not other["engaged_business"].equals(default["engaged_business"])


def test_reforms_add_to_the_scenarios_own(uk):
    with_reform = uk.model_copy(update={"reforms": {"mission_councils": 1.0}})
    pd.testing.assert_frame_equal(
        simulate(uk, reforms={"mission_councils": 1.0}, steps=4).frame,
        simulate(with_reform, steps=4).frame,
        check_exact=True,
    )


def test_recorded_agents_average_to_the_frames_engaged_share(minimal):
    done = simulate(minimal, steps=6, record_agents=True)
    agents = done.agents
    assert agents is not None
    assert len(agents) == 7 * minimal.size
    means = agents.groupby("step")["engagement"].mean()
    pd.testing.assert_series_equal(
        means.reset_index(drop=True),
        done.frame["engaged_business"].reset_index(drop=True),
        check_names=False,
    )


def test_without_mesa_agents_the_results_are_identical(minimal):
    a = simulate(minimal, steps=5)
    b = simulate(minimal, steps=5, mesa_agents=False)
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    assert a.summary == b.summary


def frame_for(scenario, metrics, spend=None):
    """A hand-made frame: step 0 the quarter before the start, one row per quarter."""
    first = quarter_index(scenario.start) - 1
    rows = len(metrics)
    data = {
        "step": list(range(rows)),
        "quarter": [quarter_label(first + i) for i in range(rows)],
        "progress": [m / 2 for m in metrics],
        "metric": metrics,
        "spend": spend or [0.0] * rows,
    }
    for t in scenario.type_names:
        data[f"engaged_{t}"] = [float("nan")] * rows
        data[f"reach_{t}"] = [0.5] * rows
    data["engaged_business"] = [0.0, 0.3, 0.2, 0.1, 0.1, 0.1, 0.4][:rows]
    return pd.DataFrame(data)


def test_summary_of_a_hand_made_run(minimal):
    # minimal: start 2025Q1, one milestone 2026Q1 (step 5) at 0.5
    frame = frame_for(
        minimal,
        [0.0, 0.1, 0.2, 0.3, 0.4, 0.45, 0.6],
        spend=[9.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    )
    summary = summarise(frame, minimal)
    assert summary["final_metric"] == 0.6
    assert summary["final_progress"] == 0.3
    assert summary["milestone_metric"] == 0.45  # the metric in 2026Q1
    assert summary["milestone_met"] is False  # 0.6 came in 2026Q2, after the date
    assert summary["milestone_quarter"] is None
    assert summary["total_spend"] == 6.0  # step 0 is before the mission
    assert summary["peak_engaged"]["business"] == 0.4
    assert summary["final_engaged"]["business"] == 0.4
    assert summary["final_engaged"]["union"] is None  # a type with no agents
    assert summary["reach"]["business"] == 0.5


def test_a_milestone_met_on_time_records_the_first_quarter(minimal):
    frame = frame_for(minimal, [0.0, 0.1, 0.5, 0.4, 0.6, 0.7])
    (status,) = milestone_status(frame, minimal.mission_spec)
    assert status == {
        "quarter": "2026Q1",
        "value": 0.5,
        "label": "",
        "met": True,
        "met_quarter": "2025Q2",
        "assessable": True,
    }
    assert summarise(frame, minimal)["milestone_quarter"] == "2025Q2"


def test_a_milestone_beyond_the_horizon_is_not_assessable(minimal):
    frame = frame_for(minimal, [0.0, 0.1, 0.2])
    (status,) = milestone_status(frame, minimal.mission_spec)
    assert (status["met"], status["assessable"]) == (False, False)
    assert summarise(frame, minimal)["milestone_metric"] is None


@pytest.mark.parametrize("steps", [1, 3])
def test_a_real_summary_reads_the_real_frame(minimal, steps):
    done = simulate(minimal, steps=steps)
    assert done.summary["final_metric"] == done.frame["metric"].iloc[-1]
    assert done.summary["total_spend"] == done.frame["spend"].iloc[1:].sum()
