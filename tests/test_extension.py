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
from mobilise.schema.scenario import Population
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


def test_a_batch_on_worker_processes_runs_it(with_mentors, tmp_path):
    design = in_memory(
        with_mentors,
        {"councils": {"mission_councils": 1.0}},
        replications=2,
        seed=1,
        name="mentors",
    )
    executor = ProcessPoolExecutor(2)
    try:
        result = run_batch(design, tmp_path / "batch", executor, progress=False)
    finally:
        executor.close()
    assert result.done == 4 and result.failed == 0
    runs = pd.read_csv(tmp_path / "batch" / "runs.csv")
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
