"""Mesa agents are views over the arrays, imported only when a model builds them."""

import subprocess
import sys
from pathlib import Path

from mobilise.schema import agents
from mobilise.schema.actor_types import BUILT_IN, Actor, Volunteer

ROOT = Path(__file__).resolve().parents[2]


def test_each_uk_type_names_its_own_agent_class_and_the_old_import_still_works():
    classes = {name: t.agent_class() for name, t in BUILT_IN.items()}
    assert all(issubclass(c, agents.Actor) and c.actor_type == n for n, c in classes.items())
    assert len(set(classes.values())) == len(classes)  # agents_by_type tells them apart
    assert Actor is agents.Actor and Volunteer is classes["volunteer"]


def test_a_batch_runs_without_importing_mesa_and_a_model_imports_it():
    script = (
        "import sys\n"
        "from mobilise import load_scenario\n"
        "from mobilise.running.design import comparison\n"
        "from mobilise.running.runs import run_chunk\n"
        "import mobilise.cli.batches, mobilise.analysis.report\n"
        f"design = comparison({str(ROOT / 'scenarios' / 'uk_2024.yaml')!r},"
        " {'mission_councils': 1.0}, replications=2)\n"
        "chunk = run_chunk(design.runs())\n"
        "assert len(chunk.rows) == 4 and not chunk.failures, chunk.failures\n"
        "print('mesa' in sys.modules)\n"
        "from mobilise import MissionModel\n"
        "print('mesa' in sys.modules, MissionModel.__mro__[1].__module__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["False", "True mesa.model"]
