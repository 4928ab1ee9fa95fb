"""What one app server shares between its tabs: presets, the session store, the worker pool.

Each is made once per process (cached), because every tab of the room uses the same.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path

from mobilise.schema.ensemble import Ensemble
from mobilise.schema.scenario import Scenario, load_scenario
from mobilise.views.app.config import AppConfig
from mobilise.views.app.figures import warm_up
from mobilise.views.app.pool import WorkPool, shared_pool
from mobilise.views.app.sessions import SessionStore
from mobilise.views.workshop import Slider, constraint_sliders, preset_ensemble
from mobilise.vocabulary import ScenarioError


@dataclass(frozen=True)
class Presets:
    """The preset scenarios that load, one line for each that does not, and the sliders.

    ``ensembles``: each preset's plausible worlds (its own ensemble, or the app's
    ``--ensemble``); a preset without one runs as written.
    """

    scenarios: dict[str, Scenario]
    problems: dict[str, str]
    sliders: list[Slider]
    ensembles: dict[str, Ensemble] = dataclasses.field(default_factory=dict)


@functools.lru_cache(maxsize=8)
def _presets(files: tuple[tuple[str, Path, float], ...], ensemble: str | None) -> Presets:
    scenarios, problems, ensembles = {}, {}, {}
    for name, path, _ in files:
        try:
            scenarios[name] = load_scenario(path)
            found = preset_ensemble(path, scenarios[name], ensemble)
        except ScenarioError as exc:  # said on the page: the file's name, not where it is
            scenarios.pop(name, None)
            problems[name] = (
                str(exc).replace(str(path.resolve()), path.name).replace(str(path), path.name)
            )
            continue
        if found is not None:
            ensembles[name] = found
    return Presets(scenarios, problems, constraint_sliders(tuple(scenarios.values())), ensembles)


def load_presets(config: AppConfig) -> Presets:
    """The presets and their ensembles, read once per version of their files."""
    files = tuple((n, p, p.stat().st_mtime) for n, p in config.preset_files().items())
    return _presets(files, config.ensemble)


@functools.lru_cache(maxsize=4)
def session_store(root: Path) -> SessionStore:
    """The server's one store for a sessions folder (its writes are serialised)."""
    return SessionStore(root)


def pool(config: AppConfig) -> WorkPool:
    """The server's worker pool."""
    return shared_pool(config.workers, warm_up)
