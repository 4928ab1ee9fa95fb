"""Mesa's SolaraViz over MissionModel: one UK run, quarter by quarter, with sliders.

Run it (it needs the ``viz`` extra: Mesa's visualisation wants altair and solara)::

    uv run --extra viz solara run docs/examples/solara_viz.py

Step, Play and Reset are Mesa's own. The charts read the model's ``datacollector``
(every declared step outcome is a model reporter); the bars read the Mesa agents,
which are views over the run's arrays. The sliders set scenario fields by their
dotted path, spelled as keywords (``influence__signal`` is ``influence.signal``);
Reset rebuilds the same scenario with the sliders' values and seed.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import solara
from matplotlib.figure import Figure
from mesa.visualization import Slider, SolaraViz, make_plot_component

from mobilise import MissionModel
from mobilise.schema.actor_types import BUILT_IN
from mobilise.schema.scenario import resolve_scenario

SCENARIO = "uk_2024"
SEED = 1


def slider(path: str, label: str, low: float, high: float, step: float) -> Slider:
    """A slider over a scenario field, starting at the scenario's own value."""
    return Slider(label, resolve_scenario(SCENARIO).value_at(path), low, high, step)


MODEL_PARAMS = {
    "rng": {"type": "InputText", "value": SEED, "label": "Seed"},
    "reforms": {},  # fixed: e.g. {"mission_councils": 1.0} runs with a reform
    "influence__signal": slider("influence.signal", "Weight of the mission signal", 0, 3, 0.1),
    "government__clarity": slider("government.clarity", "Clarity of the mission", 0, 1, 0.05),
    "constraints__union_density": slider(
        "constraints.union_density", "Union density", 0.05, 0.8, 0.01
    ),
}
"""What the page lets a user change: the seed, and three scenario fields."""


def engaged_by_type(model: MissionModel) -> solara.Component:
    """Each type's engaged share against its reach, read off the Mesa agents."""
    figure = Figure(figsize=(5, 3))
    axes = figure.subplots()
    names = list(model.agent_classes)
    engaged, reach = [], []
    for name in names:
        agents = model.agents_by_type[model.agent_classes[name]]
        engaged.append(sum(agents.get("engagement")) / max(len(agents), 1))
        reach.append(sum(agents.get("ceiling")) / max(len(agents), 1))
    colours = [BUILT_IN[n].colour if n in BUILT_IN else "#777777" for n in names]
    axes.bar(names, reach, color="none", edgecolor=colours, label="reach")
    axes.bar(names, engaged, color=colours, label="engaged")
    axes.set_ylim(0, 1)
    axes.set_title(f"{model.quarter(model.steps)}: engaged share by type")
    axes.legend(loc="upper right", frameon=False)
    plt.close(figure)
    return solara.FigureMatplotlib(figure)


def page_for(model: MissionModel) -> solara.Component:
    """The SolaraViz page for ``model``: the metric against its roadmap, trust, engagement."""
    return SolaraViz(
        model,
        components=[
            make_plot_component({"metric": "tab:blue", "roadmap": "tab:gray"}),
            make_plot_component({"credibility": "tab:red", "trust_business": "tab:orange"}),
            engaged_by_type,
        ],
        model_params=MODEL_PARAMS,
        name=f"mobilise: {model.mission.title}",
    )


page = page_for(MissionModel(scenario=SCENARIO, rng=SEED))
