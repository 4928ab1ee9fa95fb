"""The documented Mesa example runs: SolaraViz over MissionModel, its controls and charts.

docs/examples/solara_viz.py is rendered headless with solara's own renderer; Mesa's
ModelController (Step, Reset) is driven on a real model, and Reset is held to what
docs/guides/mesa.md says: the same scenario, rebuilt with the controls' values.
"""

import runpy

import ipyvuetify as v
import ipywidgets
import pytest
import solara
from mesa.visualization.solara_viz import ModelController

from mobilise import MissionModel

from .conftest import ROOT


@pytest.fixture(scope="module")
def example():
    return runpy.run_path(str(ROOT / "docs" / "examples" / "solara_viz.py"))


def test_the_page_renders_its_three_charts(example):
    model = example["page"].args[0]
    assert isinstance(model, MissionModel) and model.inputs.name == "uk_2024"
    _, rendered = solara.render(example["page"], handle_error=False)
    images = rendered.find(ipywidgets.Image).widgets
    assert [image.format for image in images] == ["png", "png", "svg+xml"]
    assert all(len(image.value) > 1000 for image in images)


def test_step_and_reset_drive_the_model_as_mesa_does():
    """Reset rebuilds the same scenario with the page's values: a slider's, and the seed."""
    model = solara.reactive(MissionModel("uk_2024", rng=1))
    values = {"rng": "7", "reforms": {}, "influence__signal": 2.5}  # as the page's inputs give
    controller = ModelController(
        model,
        model_parameters=solara.reactive(values),
        play_interval=solara.reactive(10),
        render_interval=solara.reactive(1),
        use_threads=solara.reactive(False),
    )
    _, rendered = solara.render(controller, handle_error=False)
    rendered.find(v.Btn, children=["Step"]).widget.click()
    assert model.value.steps == 1 and model.value.block.step_count == 1
    rendered.find(v.Btn, children=["Reset"]).widget.click()
    rebuilt = model.value
    assert rebuilt.steps == 0 and rebuilt.seed == 7
    assert rebuilt.inputs.name == "uk_2024" and rebuilt.inputs.influence.signal == 2.5
    expected = MissionModel("uk_2024", rng=7, influence__signal=2.5, quarters=3).run()
    for _ in range(3):
        rebuilt.step()
    assert rebuilt.to_frame().equals(expected)
