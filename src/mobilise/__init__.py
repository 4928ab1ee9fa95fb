"""mobilise: how a nation's actors mobilise around missions, with and without enabling reforms.

The one-line API::

    from mobilise import load_scenario, run
    frame = run(load_scenario("scenarios/uk_2024.yaml"), seed=1, reforms={"mission_councils": 1})
"""

from importlib.metadata import version

from mobilise.model.model import MissionModel
from mobilise.running.simulate import run, summarise
from mobilise.schema.actor_types import ACTOR_TYPES, UK_ACTOR_TYPES, ActorType
from mobilise.schema.missions import MISSIONS
from mobilise.schema.reforms import REFORMS, apply_reforms
from mobilise.schema.scenario import Scenario, load_scenario
from mobilise.vocabulary import ScenarioError

__version__ = version("mobilise")  # declared once, in pyproject.toml

__all__ = [
    "ACTOR_TYPES",
    "MISSIONS",
    "REFORMS",
    "UK_ACTOR_TYPES",
    "ActorType",
    "MissionModel",
    "Scenario",
    "ScenarioError",
    "__version__",
    "apply_reforms",
    "load_scenario",
    "run",
    "summarise",
]
