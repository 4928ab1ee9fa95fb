"""The workshop app: sliders and reform switches, government push alone vs with reforms.

Run it with ``mobilise app``. It lays out what :mod:`mobilise.workshop` computes
and holds no model logic. Reactive variables are per browser tab (per Solara
kernel), so participants sharing a server each have their own state.
"""

from __future__ import annotations

import functools
import html
import io
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure

from mobilise.actor_types import ACTOR_TYPES
from mobilise.missions import MISSIONS
from mobilise.model import MissionModel
from mobilise.plots import engagement_by_type, fan_chart
from mobilise.reforms import REFORMS
from mobilise.scenario import Scenario, ScenarioError, load_scenario
from mobilise.workshop import (
    Comparison,
    compare,
    constraint_controls,
    log_entry,
    network_snapshot,
    with_constraints,
)

CONTROLS = constraint_controls()
DEFAULT_REPLICATIONS = 6
SCENARIO_ENV = "MOBILISE_APP_SCENARIO"


def scenario_files() -> dict[str, Path]:
    """Presets: the shipped scenarios, plus one given with ``--scenario``."""
    files = {p.stem: p for p in sorted(Path("scenarios").glob("*.yaml"))}
    extra = os.environ.get(SCENARIO_ENV)
    if extra:
        files = {Path(extra).stem: Path(extra), **files}
    return files


def _first_preset() -> str:
    files = scenario_files()
    return "uk_2024" if "uk_2024" in files and SCENARIO_ENV not in os.environ else next(iter(files))


@dataclass(frozen=True)
class View:
    """What the page shows of the last comparison: set at once, so one redraw."""

    comparison: Comparison
    key_metric: bytes
    seconds: float
    scenario: Scenario
    seed: int


@functools.lru_cache(maxsize=32)
def _load(path: Path, modified: float) -> Scenario:
    return load_scenario(path)


def load_preset(path: Path) -> Scenario:
    """A preset scenario, parsed once per file version (renders are frequent)."""
    return _load(path, path.stat().st_mtime)


# --- per-tab state ------------------------------------------------------------------------

preset = solara.reactive("")
mission = solara.reactive("")
constraints = solara.reactive({c.field: c.uk_value for c in CONTROLS})
switched_on = solara.reactive(dict.fromkeys(REFORMS, False))
strengths = solara.reactive(dict.fromkeys(REFORMS, 1.0))
replications = solara.reactive(DEFAULT_REPLICATIONS)
seed_text = solara.reactive("1")
layout = solara.reactive("side by side")
workshop_log = solara.reactive([])
last_view: solara.Reactive[View | None] = solara.reactive(None)


def chosen_reforms() -> dict[str, float]:
    """The reforms switched on, with their strengths."""
    return {r: strengths.value[r] for r, on in switched_on.value.items() if on}


def current_scenario() -> Scenario:
    """The preset with the chosen mission and the sliders' constraints."""
    base = load_preset(scenario_files()[preset.value])
    if mission.value and mission.value != base.mission_spec.name:
        base = base.model_copy(update={"mission": mission.value})
    return with_constraints(base, constraints.value)


def seed_value() -> int:
    """The seed typed by the participant (an InputText gives a string)."""
    try:
        return int(seed_text.value)
    except ValueError:
        raise ScenarioError(f"the seed must be a whole number, found {seed_text.value!r}") from None


HEADLINE_STYLE = {"color": "#0072B2", "font-size": "1.5em", "margin": "0.4em 0"}


def _heading(title: str, hint: str) -> None:
    """A sidebar section title; Markdown would fetch KaTeX from a CDN, so plain HTML."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<b>{html.escape(title)}</b> <small>({html.escape(hint)})</small>",
        style={"margin-top": "1em"},
    )


# --- controls -----------------------------------------------------------------------------


@solara.component
def ScenarioControls() -> None:
    """Preset and mission."""
    files = scenario_files()

    def choose_preset(name: str) -> None:
        preset.set(name)
        mission.set(_own_mission(files[name]))  # a preset starts with its own mission

    solara.Select("Scenario preset", values=list(files), value=preset.value, on_value=choose_preset)
    solara.Select("Mission", values=list(MISSIONS), value=mission)


def _own_mission(path: Path) -> str:
    """The preset's mission if it is in the catalogue ('' for an inline one)."""
    name = load_preset(path).mission_spec.name
    return name if name in MISSIONS else ""


@solara.component
def ConstraintSliders() -> None:
    """One slider per structural constraint, marked with today's UK value and source."""
    _heading("Structural constraints", "UK today in brackets; hover for the source")
    for control in CONTROLS:
        value = constraints.value[control.field]

        def set_value(new: float, field: str = control.field) -> None:
            constraints.set({**constraints.value, field: new})

        tooltip = f"UK today: {control.uk_value:g}. {control.source}"
        with solara.Tooltip(tooltip), solara.Column(gap="0px"):
            if isinstance(control.step, int):
                solara.SliderInt(
                    f"{control.label} [{control.uk_value:g}]",
                    value=int(value),
                    min=int(control.low),
                    max=int(control.high),
                    on_value=set_value,
                )
            else:
                solara.SliderFloat(
                    f"{control.label} [{control.uk_value:g}]",
                    value=float(value),
                    min=control.low,
                    max=control.high,
                    step=control.step,
                    on_value=set_value,
                )


@solara.component
def ReformSwitches() -> None:
    """A switch and a strength slider per reform, with what it relaxes and its source."""
    _heading("Enabling reforms", "hover for what each relaxes and where it comes from")
    for name, reform in REFORMS.items():

        def toggle(on: bool, name: str = name) -> None:
            switched_on.set({**switched_on.value, name: on})

        def set_strength(value: float, name: str = name) -> None:
            strengths.set({**strengths.value, name: value})

        tooltip = f"Relaxes: {reform.relaxes}. Source: {reform.source}"
        with solara.Tooltip(tooltip), solara.Row(gap="4px", style={"align-items": "center"}):
            solara.Switch(
                label=name.replace("_", " "), value=switched_on.value[name], on_value=toggle
            )
        if switched_on.value[name]:
            solara.SliderFloat(
                "strength",
                value=strengths.value[name],
                min=0.0,
                max=1.0,
                step=0.05,
                on_value=set_strength,
            )


@solara.component
def RunControls() -> None:
    """Replications, seed and layout; government push alone is always the comparison."""
    solara.SliderInt("Replications", value=replications, min=1, max=50)
    solara.InputText("Seed", value=seed_text, continuous_update=False)
    solara.ToggleButtonsSingle(value=layout, values=["side by side", "overlaid"])


# --- views --------------------------------------------------------------------------------


def png(fig: Figure) -> bytes:
    """A figure as PNG bytes (no tight bounding box: it would draw twice)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def render_key_metric(comparison: Comparison, side_by_side: bool) -> bytes:
    """The key-metric fan chart, drawn off the page's thread."""
    mission_name = comparison.runs["mission"].iloc[0]
    separate = side_by_side and bool(comparison.reforms)
    return png(fan_chart(comparison.timeseries, mission_name, separate=separate))


@solara.component
def ComparisonView(comparison: Comparison, key_metric: bytes) -> None:
    """Headline and key metric at once; engaged share by actor type right after."""
    solara.HTML(tag="h2", unsafe_innerHTML=html.escape(comparison.headline()), style=HEADLINE_STYLE)
    solara.Image(key_metric, width="100%")
    mission_name = comparison.runs["mission"].iloc[0]
    engaged = solara.lab.use_task(
        lambda: png(engagement_by_type(comparison.timeseries, mission_name)),
        dependencies=[id(comparison)],
        raise_error=False,
    )
    shown, set_shown = solara.use_state(b"")
    if engaged.finished and engaged.value and engaged.value is not shown:
        set_shown(engaged.value)
    if shown:
        solara.Image(shown, width="100%")


@solara.component
def Downloads() -> None:
    """The workshop log and the runs on screen, as CSV (the batch format)."""
    comparison = last_view.value.comparison if last_view.value else None

    def log_csv() -> bytes:
        return pd.DataFrame(workshop_log.value).to_csv(index=False).encode()

    def runs_csv() -> bytes:
        return comparison.runs.to_csv(index=False, float_format="%.10g").encode()

    def series_csv() -> bytes:
        return comparison.timeseries.to_csv(index=False, float_format="%.10g").encode()

    with solara.Row():
        solara.FileDownload(log_csv, "workshop_log.csv", label="Workshop log (CSV)")
        if comparison is not None:
            solara.FileDownload(runs_csv, "runs.csv", label="Runs on screen (CSV)")
            solara.FileDownload(series_csv, "timeseries.csv", label="Time series (CSV)")


@solara.component
def SingleRun(scenario: Scenario, reforms: dict[str, float], seed: int) -> None:
    """Step, play and reset one run with the chosen reforms: the mechanism, quarter by quarter."""
    version, set_version = solara.use_state(0)
    playing = solara.use_reactive(False)
    model = solara.use_memo(
        lambda: MissionModel(scenario, seed=seed, reforms=reforms),
        dependencies=[scenario, str(reforms), seed, version],
    )
    tick, set_tick = solara.use_state(0)
    drawn = solara.use_memo(dict, dependencies=[model])  # this model's sample and layout

    def step() -> None:
        if model.steps < model.params.quarters:
            model.step()
            set_tick(model.steps)

    def play_loop(cancel: threading.Event) -> None:
        while playing.value and model.steps < model.params.quarters and not cancel.is_set():
            step()
            time.sleep(0.3)
        playing.set(False)

    solara.use_thread(play_loop, dependencies=[playing.value, model])
    solara.HTML(
        tag="p",
        unsafe_innerHTML=html.escape(
            f"One run, step by step (seed {seed}): quarter {model.quarter(model.steps)}, "
            f"{model.mission.metric} {model.mission.metric_at(model.progress):.3g}"
        ),
        style={"font-weight": "bold", "margin-top": "1em"},
    )
    with solara.Row():
        solara.Button("Step", on_click=step, disabled=playing.value)
        solara.Button(
            "Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value)
        )
        solara.Button(
            "Reset", on_click=lambda: (playing.set(False), set_version(version + 1), set_tick(0))
        )

    def draw() -> bytes:
        # off the page's thread: the comparison above must not wait for this picture
        if "positions" not in drawn:
            drawn["snapshot"] = network_snapshot(model, seed=seed)
            drawn["positions"] = _layout(drawn["snapshot"], seed)
        return png(_network_figure(model, drawn["snapshot"], drawn["positions"], tick))

    picture = solara.lab.use_task(draw, dependencies=[model, tick], raise_error=False)
    shown, set_shown = solara.use_state(b"")
    if picture.finished and picture.value and picture.value is not shown:
        set_shown(picture.value)
    if shown:
        solara.Image(shown, width="100%")


def _layout(snapshot: dict, seed: int) -> np.ndarray:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(len(snapshot["nodes"])))
    index = {node: i for i, node in enumerate(snapshot["nodes"])}
    graph.add_edges_from((index[a], index[b]) for a, b in snapshot["edges"])
    layout_ = nx.spring_layout(graph, seed=seed, iterations=40)
    return np.array([layout_[i] for i in range(len(snapshot["nodes"]))])


def _network_figure(
    model: MissionModel, snapshot: dict, positions: np.ndarray, tick: int
) -> Figure:
    fig = Figure(figsize=(8.0, 4.4), layout="constrained")
    ax = fig.subplots()
    index = {node: i for i, node in enumerate(snapshot["nodes"])}
    for a, b in snapshot["edges"]:
        (x1, y1), (x2, y2) = positions[index[a]], positions[index[b]]
        ax.plot([x1, x2], [y1, y2], color="#cccccc", linewidth=0.5, zorder=1)
    engagement = model.population.engagement[snapshot["nodes"]]
    markers = ["o", "s", "^", "D", "v", "P"]
    for k, actor_type in enumerate(ACTOR_TYPES):
        mask = snapshot["kind"] == k
        if mask.any():
            scatter = ax.scatter(
                positions[mask, 0], positions[mask, 1], c=engagement[mask], cmap="viridis",
                vmin=0, vmax=1, marker=markers[k], s=28, edgecolors="#333333", linewidths=0.3,
                label=actor_type, zorder=2,
            )  # fmt: skip
    fig.colorbar(scatter, ax=ax, label="engagement")
    fig.legend(loc="outside right upper", fontsize=8, title="actor type")
    ax.set_axis_off()
    ax.set_title(
        f"A sample of {len(snapshot['nodes'])} agents and their ties, {model.quarter(tick)}"
    )
    return fig


# --- the page -----------------------------------------------------------------------------


@solara.component
def Page() -> None:
    """The whole app: controls on the left, outcomes on the right."""
    if not preset.value:
        preset.set(_first_preset())
        mission.set(_own_mission(scenario_files()[preset.value]))
    settings = (
        preset.value, mission.value, str(constraints.value), str(chosen_reforms()),
        replications.value, seed_text.value, layout.value,
    )  # fmt: skip

    def run_comparison() -> Comparison:
        started = time.perf_counter()
        scenario = current_scenario()
        seed = seed_value()
        reforms = chosen_reforms()
        comparison = compare(scenario, reforms, replications=replications.value, seed=seed)
        key_metric = render_key_metric(comparison, layout.value == "side by side")
        workshop_log.set(
            [
                *workshop_log.value,
                log_entry(scenario, reforms, replications.value, seed, comparison),
            ]
        )
        last_view.set(View(comparison, key_metric, time.perf_counter() - started, scenario, seed))
        return comparison

    task = solara.lab.use_task(run_comparison, dependencies=list(settings), raise_error=False)
    solara.Title("mobilise: mission mobilisation workshop")
    with solara.Sidebar():
        ScenarioControls()
        RunControls()
        ReformSwitches()
        ConstraintSliders()
    with solara.Column():
        solara.HTML(tag="h1", unsafe_innerHTML="Who mobilises for the mission?")
        solara.HTML(
            tag="p",
            unsafe_innerHTML="Government push alone (signal and money) against the same with "
            "the enabling reforms you switch on, over many runs with the same random draws.",
        )
        solara.ProgressLinear(task.pending)
        view = last_view.value
        if view is not None:
            solara.Text(
                f"Comparison {len(workshop_log.value)}: {len(view.comparison.runs)} runs "
                f"in {view.seconds:.2f} s",
                style={"color": "#666666", "font-size": "0.85em"},
            )
        if task.error:
            solara.Error(f"This run could not be made: {task.exception}")
        if view is not None:
            ComparisonView(view.comparison, view.key_metric)
            Downloads()
            SingleRun(view.scenario, view.comparison.reforms, view.seed)
        if view is None and not task.error:
            solara.Info("Running the first comparison…")
