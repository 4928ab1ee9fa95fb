"""What one app server shares between its tabs: presets, the session store, the worker pool.

Each is made once per process (cached), because every tab of the room uses the same.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from mobilise.schema.scenario import Scenario, load_scenario
from mobilise.views.app.config import AppConfig
from mobilise.views.app.figures import warm_up
from mobilise.views.app.pool import WorkPool, shared_pool
from mobilise.views.app.sessions import SessionStore
from mobilise.views.workshop import Slider, constraint_sliders
from mobilise.vocabulary import ScenarioError


@dataclass(frozen=True)
class Presets:
    """The preset scenarios that load, one line for each that does not, and the sliders."""

    scenarios: dict[str, Scenario]
    problems: dict[str, str]
    sliders: list[Slider]


@functools.lru_cache(maxsize=8)
def _presets(files: tuple[tuple[str, Path, float], ...]) -> Presets:
    scenarios, problems = {}, {}
    for name, path, _ in files:
        try:
            scenarios[name] = load_scenario(path)
        except ScenarioError as exc:  # said on the page: the file's name, not where it is
            problems[name] = (
                str(exc).replace(str(path.resolve()), path.name).replace(str(path), path.name)
            )
    return Presets(scenarios, problems, constraint_sliders(tuple(scenarios.values())))


def load_presets(config: AppConfig) -> Presets:
    """The presets, read once per version of their files."""
    files = tuple((n, p, p.stat().st_mtime) for n, p in config.preset_files().items())
    return _presets(files)


@functools.lru_cache(maxsize=4)
def session_store(root: Path) -> SessionStore:
    """The server's one store for a sessions folder (its writes are serialised)."""
    return SessionStore(root)


def pool(config: AppConfig) -> WorkPool:
    """The server's worker pool."""
    return shared_pool(config.workers, warm_up)
