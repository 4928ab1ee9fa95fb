"""The app's outcome side: the headline in words, the charts, predict-first, downloads, one run.

Everything here shows a :class:`Shown` result, which names the settings that made it;
the page passes one only when those are the settings on screen.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import solara

from mobilise.app_controls import ReleaseSlider
from mobilise.brief import comparison_brief, render
from mobilise.experiment import BASELINE, replication_seeds
from mobilise.model import MissionModel
from mobilise.plots import BASELINE_LABEL
from mobilise.plots_workshop import Drawn, network_svg, spring_positions
from mobilise.scenario import Scenario
from mobilise.workshop import WITH_REFORMS, Settings, headline, network_snapshot

PLAY_INTERVAL = 0.4
"""Seconds between quarters when Play runs."""

HEADLINE_STYLE = {
    "color": "#0b4f8a",
    "font-size": "1.3em",
    "margin": "0.2em 0",
    "line-height": "1.3",
}


@dataclass(frozen=True)
class Shown:
    """A finished comparison and the settings it belongs to.

    ``serial`` counts the comparisons of one page: the log gets one row per serial
    that reaches the screen, and a restored session's result is serial 0.
    """

    key: str
    serial: int
    settings: Settings
    scenario: Scenario
    drawn: Drawn


@solara.component
def Headline(shown: Shown) -> None:
    """The result in words: milestone, k of n runs per arm, the effect, and a caution."""
    line = headline(shown.drawn.comparison, shown.scenario.mission_spec)
    solara.HTML(
        tag="h2",
        unsafe_innerHTML=html.escape(line.sentence()),
        style=HEADLINE_STYLE,
        classes=["headline"],
    )
    if line.effect:
        solara.HTML(tag="p", unsafe_innerHTML=html.escape(line.effect), classes=["effect"],
                    style={"margin": "0.1em 0"})  # fmt: skip
    if line.caution:
        solara.HTML(
            tag="p",
            unsafe_innerHTML=html.escape(line.caution),
            classes=["caution"],
            style={"margin": "0.1em 0", "color": "#8a4b00", "font-size": "0.92em"},
        )


@solara.component
def Prediction(shown: Shown, on_reveal: Callable[[dict[str, int]], None]) -> None:
    """Predict first: the group's guess of k of n runs per arm, before results show."""
    n = shown.settings.replications
    key = shown.scenario.mission_spec.key_milestone
    arms = [BASELINE, WITH_REFORMS] if shown.settings.reforms else [BASELINE]
    guesses = solara.use_reactive({arm: n // 2 for arm in arms})
    solara.HTML(
        tag="h2",
        unsafe_innerHTML=html.escape(
            f"Results are ready. First, your guess: in how many of the {n} runs will the "
            f"milestone “{key.label}” (due {key.quarter}) be met?"
        ),
        style={**HEADLINE_STYLE, "color": "#333333"},
    )
    for arm in arms:
        label = BASELINE_LABEL if arm == BASELINE else arm
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"{html.escape(label)}: <b data-guess='{arm}'>"
            f"{guesses.value[arm]}</b> of {n}",
        )
        ReleaseSlider(
            guesses.value[arm],
            lambda v, arm=arm: guesses.set({**guesses.value, arm: int(v)}),
            low=0,
            high=n,
            step=1,
            name=f"guess {arm}",
        )
    solara.Button("Reveal the results", color="primary", on_click=lambda: on_reveal(guesses.value))


@solara.component
def Charts(shown: Shown, layout: str) -> None:
    """The key-metric chart (in the chosen layout) and engaged share by actor type."""
    figures = shown.drawn.figures
    solara.HTML(tag="div", unsafe_innerHTML=figures[layout], classes=["key-chart"])
    solara.HTML(tag="div", unsafe_innerHTML=figures["engagement"], classes=["chart"])


@solara.component
def Downloads(shown: Shown | None, log: list[dict], group: str, preset_file: Path | None) -> None:
    """The workshop log, the runs on screen (batch format) and the printable brief."""

    def log_csv() -> bytes:
        return pd.DataFrame(log).to_csv(index=False).encode()

    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FileDownload(log_csv, "workshop_log.csv", label="Workshop log (CSV)")
        if shown is not None:
            comparison = shown.drawn.comparison

            def runs_csv() -> bytes:
                return comparison.runs.to_csv(index=False, float_format="%.10g").encode()

            def series_csv() -> bytes:
                return comparison.timeseries.to_csv(index=False, float_format="%.10g").encode()

            def brief_html() -> bytes:
                brief = comparison_brief(
                    shown.settings,
                    shown.scenario,
                    comparison,
                    preset_file=preset_file,
                    group=group,
                    fan_svg=shown.drawn.figures["overlaid"],
                )
                return render(brief).encode()

            solara.FileDownload(runs_csv, "runs.csv", label="Runs on screen (CSV)")
            solara.FileDownload(series_csv, "timeseries.csv", label="Time series (CSV)")
            solara.FileDownload(
                brief_html, "brief.html", label="Printable brief (HTML)", mime_type="text/html"
            )


@dataclass
class _Walk:
    """One run being stepped through: the model and its drawn sample."""

    model: MissionModel
    snapshot: dict
    positions: object


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
