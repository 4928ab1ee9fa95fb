"""mobilise: how a nation's actors mobilise around missions, with and without enabling reforms.

The one-line API:

    from mobilise import load_scenario, run
    frame = run(load_scenario("uk_2024"), seed=1, reforms={"mission_councils": 1})
"""

import sys

# Before any import that needs 3.12's syntax (pip already refuses to install on older ones).
if sys.version_info < (3, 12):  # noqa: UP036
    _TOO_OLD = f"mobilise needs Python 3.12 or newer; this is Python {sys.version.split()[0]}"
    _PROGRAM = sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1]
    if _PROGRAM in ("-m", "mobilise", "mobilise.exe"):  # the program: one line and exit 2
        sys.stderr.write(_TOO_OLD + "\n")
        raise SystemExit(2)
    raise ImportError(_TOO_OLD)

from importlib import import_module
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from mobilise.running.simulate import run, summarise
from mobilise.schema.actor_types import ACTOR_TYPES, UK_ACTOR_TYPES, ActorType
from mobilise.schema.missions import MISSIONS
from mobilise.schema.reforms import REFORMS, apply_reforms
from mobilise.schema.scenario import Scenario, load_scenario
from mobilise.vocabulary import ScenarioError

if TYPE_CHECKING:
    from mobilise.model.model import MissionModel

__version__ = version("mobilise")  # declared once, in pyproject.toml


def __getattr__(name: str) -> Any:
    # MissionModel brings Mesa (~0.5 s to import): only when asked for, never for batches
    if name == "MissionModel":
        return import_module("mobilise.model.model").MissionModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
