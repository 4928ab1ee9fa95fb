"""The app's figures: the network picture drawn quarter by quarter."""

from mobilise.model.model import MissionModel
from mobilise.schema.actor_types import BUILT_IN
from mobilise.views.app.figures import network_svg, spring_positions
from mobilise.views.workshop import network_snapshot


def test_the_network_picture_shows_each_agents_engagement(uk):
    model = MissionModel(uk, seed=5)
    for _ in range(3):
        model.step()
    snapshot = network_snapshot(model, max_nodes=60, seed=5)
    svg = network_svg(snapshot, spring_positions(snapshot, 5), model.population.engagement[
        snapshot["nodes"]], model.quarter(model.steps))  # fmt: skip
    assert f'data-quarter="{model.quarter(3)}"' in svg
    for node in snapshot["nodes"][:10]:
        value = model.population.engagement[node]
        assert f'data-node="{node}" data-engagement="{value:.6f}"' in svg
    assert svg.count("data-node=") == len(snapshot["nodes"])
    kinds = {int(k) for k in snapshot["kind"]}
    assert all(BUILT_IN[snapshot["names"][k]].label in svg for k in kinds)
