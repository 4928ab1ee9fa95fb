"""Mesa agents are views over a run's arrays, one class per type, imported only for a model."""

import subprocess
import sys
from pathlib import Path

from mobilise import ActorType
from mobilise.model.agents import UK_AGENT_CLASSES, Actor, Volunteer, agent_classes_for
from mobilise.schema.actor_types import UK_ACTOR_TYPES

ROOT = Path(__file__).resolve().parents[2]


def test_each_uk_type_has_its_own_agent_class():
    classes = agent_classes_for(UK_ACTOR_TYPES)
    assert all(issubclass(c, Actor) and c.actor_type == n for n, c in classes.items())
    assert len(set(classes.values())) == len(classes)  # agents_by_type tells them apart
    assert classes == dict(UK_AGENT_CLASSES) and classes["volunteer"] is Volunteer


def test_a_new_type_gets_a_class_made_for_it_unless_one_is_given():
    mentor = ActorType(
        name="peer_mentor",
        label="Mentors",
        description="Retired professionals who mentor",
        colour="#777777",
        marker="X",
        reach=lambda c: 0.1,
    )

    class Mentor(Actor):
        actor_type = "peer_mentor"

    made = agent_classes_for((*UK_ACTOR_TYPES, mentor))["peer_mentor"]
    assert made.__name__ == "PeerMentorAgent" and issubclass(made, Actor)
    assert made.actor_type == "peer_mentor" and made.__doc__ == mentor.description
    given = agent_classes_for((mentor,), {"peer_mentor": Mentor})
    assert given == {"peer_mentor": Mentor}


def test_a_batch_runs_without_importing_mesa_and_a_model_imports_it():
    script = (
        "import sys\n"
        "from mobilise import load_scenario, run\n"
        "from mobilise.running.design import comparison\n"
        "from mobilise.running.runs import run_chunk\n"
        "import mobilise.cli.batches, mobilise.analysis.report\n"
        f"design = comparison({str(ROOT / 'scenarios' / 'uk_2024.yaml')!r},"
        " {'mission_councils': 1.0}, replications=2)\n"
        "chunk = run_chunk(design.runs())\n"
        "assert len(chunk.rows) == 4 and not chunk.failures, chunk.failures\n"
        f"frame = run(load_scenario({str(ROOT / 'scenarios' / 'uk_2024.yaml')!r}), steps=2)\n"
        "print('mesa' in sys.modules)\n"
        "from mobilise import MissionModel\n"
        "print('mesa' in sys.modules, MissionModel.__mro__[1].__module__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["False", "True mesa.model"]
