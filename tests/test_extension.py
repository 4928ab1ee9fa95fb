"""A seventh actor type, declared outside the package, in the model, a batch and the plots.

Nothing in mobilise is edited to add it (issue "Architecture": actor types as records).
"""

import numpy as np
import pandas as pd
import pytest

from mobilise import ActorType, MissionModel, ScenarioError, run
from mobilise.model.agents import Actor
from mobilise.running.batch import run_batch
from mobilise.running.design import in_memory
from mobilise.running.executors.local import ProcessPoolExecutor
from mobilise.schema.constraints import Constraints
from mobilise.schema.sections import Population
from mobilise.schema.trends import STRUCTURAL
from mobilise.views.plots import engagement_by_type


class Mentor(Actor):
    """Retired professionals who mentor young people: a toy type for the test."""

    actor_type = "mentor"


def mentor_reach(constraints: Constraints) -> float:
    """Mentors need spare time too: half of today's volunteering reach, say."""
    return 0.5 * min(1.0, 2 * constraints.volunteering_rate)


MENTOR = ActorType(
    name="mentor",
    label="Mentors",
    description="Retired professionals who mentor young people",
    colour="#777777",
    marker="X",
    reach=mentor_reach,
)


@pytest.fixture(scope="module")
def with_mentors(uk):
    extended = uk.with_actor_types(MENTOR).updated("quarters", 8)
    populations = {**extended.model_dump()["populations"], "mentor": {"count": 60, "cost": 0.02}}
    extended = extended.updated("populations", populations)
    mission = extended.mission_spec.model_dump()
    mission["weights"] = {**mission["weights"], "mentor": 0.1}
    return extended.updated("mission", mission)


def test_the_scenario_knows_its_new_type(with_mentors, uk):
    assert with_mentors.type_names == (*uk.type_names, "mentor")
    assert with_mentors.populations["mentor"] == Population(count=60, cost=0.02)
    assert with_mentors.content_hash() != uk.updated("quarters", 8).content_hash()
    with pytest.raises(ScenarioError, match="unknown actor type 'mentor'"):
        uk.updated("populations", {**uk.model_dump()["populations"], "mentor": {"count": 1}})


def test_the_model_builds_mesa_agents_of_the_new_type_and_records_it(with_mentors):
    model = MissionModel(with_mentors, seed=3, agent_classes={"mentor": Mentor})
    mentors = model.agents_by_type[Mentor]
    assert len(mentors) == 60 and all(isinstance(a, Mentor) for a in mentors)
    frame = model.run()
    assert {"engaged_mentor", "reach_mentor", "trust_mentor", "contribution_mentor"} <= set(
        frame.columns
    )
    ceiling = model.population.ceiling[model.population.slices["mentor"]]
    now = {name: float(frame[name].iloc[-1]) for name in STRUCTURAL}  # structures moved
    assert ceiling.mean() == pytest.approx(
        mentor_reach(with_mentors.constraints.model_copy(update=now))
    )
    assert (frame["engaged_mentor"] <= frame["reach_mentor"] + 1e-12).all()
    made = MissionModel(with_mentors, seed=3).agent_classes["mentor"]  # a class made for it
    assert made.__name__ == "MentorAgent" and made.actor_type == "mentor"


def test_adding_a_type_reseeds_no_other_type(with_mentors, uk):
    """Streams are spawned by name: every other type draws exactly as before."""
    alone = MissionModel(uk.updated("quarters", 8), seed=5, mesa_agents=False).population
    extended = MissionModel(with_mentors, seed=5, mesa_agents=False).population
    for name in uk.type_names:
        before, after = alone.slices[name], extended.slices[name]
        for attribute in ("threshold", "trust", "alignment", "capacity", "ceiling"):
            assert np.array_equal(
                getattr(alone, attribute)[before], getattr(extended, attribute)[after]
            )


def on_two_workers(scenario, arms, folder):
    """A two-replication batch of ``arms`` on a pool of two worker processes: its runs."""
    design = in_memory(scenario, arms, replications=2, seed=1, name="extension")
    executor = ProcessPoolExecutor(2)
    try:
        result = run_batch(design, folder, executor, progress=False)
    finally:
        executor.close()
    assert result.done == 4 and result.failed == 0
    return pd.read_csv(folder / "runs.csv")


def test_a_batch_on_worker_processes_runs_it(with_mentors, tmp_path):
    runs = on_two_workers(with_mentors, {"councils": {"mission_councils": 1.0}}, tmp_path / "batch")
    assert {"final_engaged_mentor", "reach_mentor"} <= set(runs.columns)
    series = pd.read_csv(tmp_path / "batch" / "timeseries.csv")
    same = run(with_mentors, seed=int(runs["seed"].iloc[0]), reforms={})
    first = series[series["run_id"] == runs["run_id"].iloc[0]]
    assert first["engaged_mentor"].to_numpy() == pytest.approx(same["engaged_mentor"].to_numpy())


def test_the_plots_draw_it(with_mentors):
    design = in_memory(with_mentors, {}, replications=1, seed=0)
    from mobilise.running.runs import run_chunk

    series = pd.concat(run_chunk(design.runs()).timeseries)
    fig = engagement_by_type(series, with_mentors.mission_spec.name)
    assert "Mentor" in [ax.get_title() for ax in fig.axes]


# --- a reform declared outside the package (Scenario.with_reforms) --------------------

from pydantic import Field  # noqa: E402

from mobilise.schema.reforms import Move, Reform, Sizes  # noqa: E402


class MentoringSizes(Sizes):
    """How far the toy reform moves firms' participation cost at full strength."""

    cost_cut: float = Field(0.5, ge=0, le=1, description="firms' cost: share removed")


def _mentoring(scenario, strength, size):
    business = scenario.populations["business"]
    populations = {
        **scenario.populations,
        "business": business.model_copy(
            update={"cost": business.cost * (1 - size.cost_cut * strength)}
        ),
    }
    return scenario.model_copy(update={"populations": populations})


MENTORING = Reform(
    name="business_mentoring",
    description="Firms mentor each other into the mission: lower participation cost",
    relaxes="participation cost for firms",
    source="a toy reform for the test",
    transform=_mentoring,
    moves=(Move("populations.business.cost", -1),),
    sizes=MentoringSizes,
)


@pytest.fixture(scope="module")
def with_mentoring(uk):
    return uk.with_reforms(MENTORING).updated("quarters", 8)


def test_a_users_reform_joins_the_scenario_without_a_registry(with_mentoring, uk):
    from mobilise import REFORMS, apply_reforms

    assert "business_mentoring" not in REFORMS  # nothing global was edited
    assert with_mentoring.reform_names[-1] == "business_mentoring"
    assert with_mentoring.reform_sizes["business_mentoring"] == {"cost_cut": 0.5}
    applied = apply_reforms(with_mentoring, {"business_mentoring": 1.0})
    assert applied.populations["business"].cost == pytest.approx(0.05)
    resized = with_mentoring.updated("reform_sizes.business_mentoring.cost_cut", 0.2)
    assert apply_reforms(resized, {"business_mentoring": 1.0}).populations["business"].cost == (
        pytest.approx(0.08)
    )
    with pytest.raises(ValueError, match="unknown reform 'business_mentoring'"):
        apply_reforms(uk, {"business_mentoring": 1.0})
    assert with_mentoring.content_hash() != uk.updated("quarters", 8).content_hash()


def test_a_batch_on_worker_processes_runs_a_users_reform(with_mentoring, tmp_path):
    arms = {"mentoring": {"business_mentoring": 1.0}}
    runs = on_two_workers(with_mentoring, arms, tmp_path / "batch")
    arm = runs[runs["arm"] == "mentoring"]
    assert (arm["strength_business_mentoring"] == 1.0).all()
    assert (arm["reforms"] == "business_mentoring=1").all()
    alone = run(with_mentoring, seed=int(arm["seed"].iloc[0]), reforms={"business_mentoring": 1.0})
    assert arm["final_metric"].iloc[0] == pytest.approx(alone["metric"].iloc[-1], rel=1e-9)
