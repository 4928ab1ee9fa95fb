"""One run, step by step: the mechanism quarter by quarter on a sample of the network.

Step, Play and Reset walk through replication 1 of the comparison on screen (its seed,
its reforms) with a full :class:`mobilise.model.model.MissionModel`, Mesa agents included.
The picture is plain SVG drawn at each quarter, so Play animates it.
"""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import solara

from mobilise.model.model import MissionModel
from mobilise.running.design import replication_seeds
from mobilise.views.app.figures import network_svg, spring_positions
from mobilise.views.app.state import Shown
from mobilise.views.figure_style import BASELINE_LABEL
from mobilise.views.workshop import network_snapshot

PLAY_INTERVAL = 0.4
"""Seconds between quarters when Play runs."""


@dataclass
class _Walk:
    """One run being stepped through: the model and its drawn sample."""

    model: MissionModel
    snapshot: dict[str, Any]
    positions: np.ndarray


@solara.component
def StepThrough(shown: Shown) -> None:
    """Step, play and reset one run: replication 1 of the comparison's reform arm."""
    version, set_version = solara.use_state(0)
    playing = solara.use_reactive(False)
    _, set_tick = solara.use_state(0)  # a step sets it, which redraws the picture
    seed = replication_seeds(shown.settings.seed, 1)[0]
    reforms = dict(shown.settings.reforms)

    def build() -> _Walk:
        model = MissionModel(shown.scenario, seed=seed, reforms=reforms)
        snapshot = network_snapshot(model, seed=seed)
        return _Walk(model, snapshot, spring_positions(snapshot, seed))

    walk = solara.lab.use_task(build, dependencies=[shown.key, version], raise_error=False)
    ready = walk.finished and walk.value is not None
    current = walk.value if ready else None

    def step() -> None:
        if current is not None and current.model.steps < current.model.params.quarters:
            current.model.step()
            set_tick(current.model.steps)

    def play_loop(cancel: threading.Event) -> None:
        while playing.value and current is not None and not cancel.is_set():
            if current.model.steps >= current.model.params.quarters:
                break
            step()
            time.sleep(PLAY_INTERVAL)
        playing.set(False)

    solara.use_thread(play_loop, dependencies=[playing.value, id(current)])
    arm = "with the chosen reforms" if reforms else f"with {BASELINE_LABEL}"
    if current is None:
        solara.Text("Building the run…")
        return
    model = current.model
    solara.HTML(
        tag="p",
        unsafe_innerHTML=html.escape(
            f"Run 1 of the comparison ({arm}, seed {seed}): quarter {model.quarter(model.steps)}, "
            f"{model.mission.metric} {model.mission.metric_at(model.progress):.3g}"
        ),
        style={"font-weight": "bold", "margin": "0.3em 0"},
        classes=["step-status"],
    )
    with solara.Row():
        solara.Button("Step", on_click=step, disabled=playing.value)
        solara.Button(
            "Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value)
        )
        solara.Button(
            "Reset", on_click=lambda: (playing.set(False), set_version(version + 1), set_tick(0))
        )
    engagement = model.population.engagement[current.snapshot["nodes"]]
    svg = network_svg(current.snapshot, current.positions, engagement, model.quarter(model.steps))
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["network"])
