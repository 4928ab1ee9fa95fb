"""What a mission's initiatives buy and enable: the declaration, defaults and bounds."""

import pytest

from mobilise.schema.initiatives import Initiatives
from mobilise.schema.missions import MISSIONS
from mobilise.vocabulary import ScenarioError


def test_every_mission_buys_from_government_and_the_types_it_funds():
    for mission in MISSIONS.values():
        buyable = dict(zip(mission.weights, mission.buyable_vector(list(mission.weights)),
                           strict=True))  # fmt: skip
        assert buyable.get("government", 1.0) == 1.0
        for name, share in buyable.items():
            if name != "government":
                assert share == mission.funded.get(name, 0.0)
    assert MISSIONS["nhs"].buyable_vector(["business", "volunteer"]).tolist() == [0.0, 0.0]
    assert MISSIONS["vaccine_taskforce"].buyable_vector(["business"]).tolist() == [0.8]


def test_defaults_are_the_stated_assumptions():
    spec = Initiatives()
    assert (spec.scale, spec.absorption, spec.enabling) == (0.25, 0.5, 0.5)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("scale", 0.0, "greater than 0"),
    ("absorption", -0.1, "greater than or equal to 0"),
    ("enabling", 1.5, "less than or equal to 1"),
])  # fmt: skip
def test_bad_values_are_one_line_naming_the_field(uk, field, value, message):
    with pytest.raises(ScenarioError, match=f"mission.initiatives.{field}: .*{message}"):
        uk.updated(f"mission.initiatives.{field}", value)
